/*
 * host/attacks/scn_dos_withhold.c - availability (THREAT-MODEL.md N1, N2): the hypervisor schedules
 * the vCPUs (H5) and may stop running them or kill the VM at any time. SEV-SNP does not promise
 * availability, so the expected outcome is SNP_ATK_ALLOWED_DOS on every profile: the scenario
 * shows that the guest's pending work is simply never done and that no party objects.
 */
#include "host/attacks/atk_int.h"

#include <string.h>

static snp_err
atk_dos_withhold(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t rd[64], msg[128];
    unsigned answered;
    snp_err err;

    atk_launch_default(c, &l);
    memset(rd, 0xD0, sizeof(rd));
    err = atk_vm_start(c, &vm, &l, msg, atk_msg_report(msg, rd));
    if (err != SNP_OK) {
        atk_vm_free(&vm);
        return err;
    }
    answered = vm.chan_calls;
    atk_trace(c, SNP_ATK_ACT_HV,
              "a request is pending; the vCPU is not run again (%llu exits "
              "so far), then the VM is killed",
              (unsigned long long)vm.st.exits);
    atk_vm_free(&vm); /* DECOMMISSION and reclaim: the guest has no say */
    atk_trace(c, SNP_ATK_ACT_FW, "the VM was decommissioned");
    if (vm.chan_calls == answered) {
        atk_evidence(obs, SNP_ATK_ALLOWED_DOS,
                     "guest request never served: VM paused after %llu "
                     "exits and killed, nothing objected (availability is out of scope)",
                     (unsigned long long)vm.st.exits);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the guest made progress");
    }
    return SNP_OK;
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
