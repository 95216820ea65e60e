/*
 * host/attacks/scn_dos_withhold.c - availability (THREAT-MODEL.md N1, N2): the hypervisor schedules
 * the vCPUs (H5) and may stop running them or kill the VM at any time. SEV-SNP does not promise
 * availability, so the expected outcome is SNP_ATK_ALLOWED_DOS on every profile. The scenario
 * observes it: with a request pending it withholds the vCPU for DOS_SLOTS scheduling slots and
 * checks after each that the guest did not move (no exit, no channel message, its save area
 * unchanged in DRAM after a WBINVD); then it kills the VM (DECOMMISSION on SNP: the firmware's
 * status) and checks that it is gone (VMRUN of its vCPU refused) and that nobody objected.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/psp_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOS_SLOTS 8u /* scheduling slots the vCPU is withheld for */

/* What the host sees of the guest's progress: exits, channel messages, the save area. */
struct dos_seen {
    uint64_t exits;
    unsigned calls;
    uint8_t *vmsa; /* SNP_PAGE_SIZE bytes */
};

static snp_err
dos_look(struct snp_atk_ctx *c, const struct atk_vm *vm, struct dos_seen *s)
{
    SNP_TRY(snp_host_wbinvd(c->m)); /* whatever the guest wrote is in DRAM */
    s->exits = vm->st.exits;
    s->calls = vm->chan_calls;
    SNP_ENSURE(snp_host_read(c->m, vm->v->vmsa_spa[0], s->vmsa, SNP_PAGE_SIZE) == SNP_HW_OK,
               SNP_E_STATE);
    return SNP_OK;
}

/* VMRUN of the killed VM's vCPU: *gone when it was refused (an error or VMEXIT_INVALID). */
static void
dos_vmrun(struct snp_atk_ctx *c, uint32_t vcpu, bool *gone, char *what, size_t size)
{
    struct snp_vmexit ex;
    snp_err err;

    memset(&ex, 0, sizeof(ex));
    err = snp_host_vmrun(c->m, vcpu, &ex);
    *gone = err != SNP_OK || ex.code == SNP_EXIT_INVALID;
    if (err != SNP_OK) {
        snprintf(what, size, "refused (%s)", snp_err_str(err));
    } else if (ex.code == SNP_EXIT_INVALID) {
        snprintf(what, size, "refused (VMEXIT_INVALID)");
    } else {
        snprintf(what, size, "ran the guest to exit 0x%llx", (unsigned long long)ex.code);
    }
    atk_trace(c, SNP_ATK_ACT_HW, "VMRUN of vCPU %u: %s", vcpu, what);
}

static snp_err
atk_dos_withhold(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct dos_seen s0 = {0, 0, NULL}, s1 = {0, 0, NULL};
    uint8_t rd[64], msg[128];
    uint32_t vcpu = 0, fw = SNP_FW_SUCCESS;
    unsigned moved_at = 0;
    bool plain = c->profile == SNP_ATK_PLAIN, terminated = false, gone_fw = true, gone = false;
    char run_fw[64] = "", run_free[64] = "", b[96];
    snp_err err;

    s0.vmsa = malloc(SNP_PAGE_SIZE);
    s1.vmsa = malloc(SNP_PAGE_SIZE);
    if (s0.vmsa == NULL || s1.vmsa == NULL) {
        free(s0.vmsa);
        free(s1.vmsa);
        return SNP_E_NOMEM;
    }
    atk_launch_default(c, &l);
    memset(rd, 0xD0, sizeof(rd));
    err = atk_vm_start(c, &vm, &l, msg, atk_msg_report(msg, rd));
    if (err == SNP_OK) {
        err = dos_look(c, &vm, &s0);
    }
    if (err != SNP_OK) {
        goto out;
    }
    vcpu = vm.v->vcpu_ids[0];
    atk_trace(c, SNP_ATK_ACT_HV,
              "a REPORT is pending (%llu exits so far); the vCPU is not run for %u scheduling "
              "slots",
              (unsigned long long)s0.exits, DOS_SLOTS);
    for (unsigned slot = 1; slot <= DOS_SLOTS && moved_at == 0; slot++) {
        /* the slot goes to someone else; then look at the guest */
        err = dos_look(c, &vm, &s1);
        if (err != SNP_OK) {
            goto out;
        }
        if (s1.exits != s0.exits || s1.calls != s0.calls ||
            memcmp(s0.vmsa, s1.vmsa, SNP_PAGE_SIZE) != 0) {
            moved_at = slot;
        }
    }
    atk_trace(c, SNP_ATK_ACT_HW, "after %u slots: %llu exits, %u channel message(s), save area %s",
              DOS_SLOTS, (unsigned long long)s1.exits, s1.calls,
              memcmp(s0.vmsa, s1.vmsa, SNP_PAGE_SIZE) == 0 ? "unchanged" : "CHANGED");
    terminated = atk_guest_terminated(&vm);
    /* Kill it: DECOMMISSION (SNP; the status is the firmware's word), then the VMM's teardown
     * (vCPUs and the VM slot). */
    if (!plain && vm.v->gctx_spa != 0) {
        uint8_t cmd[8];

        for (unsigned i = 0; i < 8; i++) {
            cmd[i] = (uint8_t)(vm.v->gctx_spa >> (8 * i));
        }
        err = snp_vmm_psp(vm.v, SNP_CMD_SNP_DECOMMISSION, cmd, sizeof(cmd), &fw);
        if (err != SNP_OK) {
            goto out;
        }
        atk_trace(c, SNP_ATK_ACT_FW, "DECOMMISSION: status 0x%x %s", fw, snp_fw_status_name(fw));
        if (fw == SNP_FW_SUCCESS) {
            vm.v->gctx_spa = 0; /* done: the teardown must not repeat it */
        }
        dos_vmrun(c, vcpu, &gone_fw, run_fw, sizeof(run_fw));
    }
    atk_vm_free(&vm);
    atk_trace(c, SNP_ATK_ACT_HV, "vCPUs and the VM slot destroyed");
    dos_vmrun(c, vcpu, &gone, run_free, sizeof(run_free));
    if (moved_at != 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the guest moved while its vCPU was withheld (slot %u: %llu -> %llu exits, "
                     "%u -> %u channel message(s))",
                     moved_at, (unsigned long long)s0.exits, (unsigned long long)s1.exits, s0.calls,
                     s1.calls);
    } else if (terminated) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "the guest %s", atk_stop_text(&vm, b, sizeof(b)));
    } else if (fw != SNP_FW_SUCCESS) {
        atk_evidence(obs, SNP_ATK_REJECTED_FW, "DECOMMISSION refused: status 0x%x %s", fw,
                     snp_fw_status_name(fw));
    } else if (!gone_fw || !gone) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the killed VM still runs: VMRUN %s",
                     !gone_fw ? run_fw : run_free);
    } else {
        atk_evidence(obs, SNP_ATK_ALLOWED_DOS,
                     "the pending REPORT was never answered: %u slots without VMRUN, the guest "
                     "stayed at %llu exits and %u channel message(s), its save area unchanged; "
                     "%s; VMRUN of its vCPU then %s: nothing objected (availability is out of "
                     "scope)",
                     DOS_SLOTS, (unsigned long long)s1.exits, s1.calls,
                     plain ? "VM destroyed (plain: no firmware involved)"
                           : "DECOMMISSION accepted by the firmware (SUCCESS)",
                     run_free);
    }
out:
    if (vm.v != NULL) {
        atk_vm_free(&vm);
    }
    free(s0.vmsa);
    free(s1.vmsa);
    return err;
}

/* Availability is outside the SNP guarantees (THREAT-MODEL.md N1, N2): the hypervisor may
 * always refuse to run or kill a VM; the scenario shows it and that nothing objects. */
const struct snp_atk_scenario atk_scn_dos_withhold = {
    .id = "dos-withhold",
    .title = "stop running the vCPU, then kill the VM",
    .ref = "N1, N2",
    .cap = "H5",
    .condition = "the host schedules vCPUs",
    .defence = "none (out of scope)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_ALLOWED_DOS, SNP_ATK_ALLOWED_DOS, SNP_ATK_ALLOWED_DOS},
    .run = atk_dos_withhold,
};
