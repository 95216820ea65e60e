/*
 * host/attacks/scn_crossline.c - CrossLine (Li, Zhang, Lin, CCS 2021; attacks.md A8): the
 * hypervisor runs its own VM under the victim's ASID so that the memory controller decrypts
 * the victim's pages for it (v1: page-table walks leak victim memory through #NPF reports; v2:
 * victim instructions run briefly). Against SEV and SEV-ES; SNP blocks it.
 *
 * What the model can stage faithfully (two VMs, the victim at ASID 1, the attacker's own SNP VM
 * at ASID 2, both launched through the honest VMM; the attacker controls both VMCBs, H4/H5):
 *  1. the VMSA/ASID pairing: the attacker's vCPU (VMCB of ASID 2) is pointed at the victim's
 *     VMSA page and VMRUN. On SNP, VMRUN requires the VMSA page's RMP entry to be assigned to
 *     the VMCB's ASID with the VMSA bit (VMEXIT_INVALID otherwise). This is the check CrossLine
 *     meets on SNP whichever side it swaps: VMCB.ASID := the victim's with the attacker's VMSA
 *     fails the same equality.
 *  2. the memory pairing: the attacker VM's nested page table maps one of its GPAs onto the
 *     victim's secrets page and its own guest touches it: the RMP entry names ASID 1, the access
 *     is made for ASID 2: #NPF, nothing is decrypted for the attacker.
 * Control: the victim, resumed afterwards, answers its pending request normally.
 *
 * Departure from the paper: the model's VM slots take their ASID at creation (host_if.h has no
 * "set VMCB.ASID"), so the attacker cannot literally run under ASID 1 beside the victim; step 1
 * stages the consequence (a VMSA of the other ASID) and step 2 the memory side. Neither the
 * #NPF-based leak of v1 nor the instruction execution of v2 can happen in the model because the
 * guest code is a C function, not decoded x86; the scenario shows the checks that stop them.
 */
#include "host/attacks/atk_int.h"

#include <string.h>

#define ATTACKER_ASID 2u

/* Start a VM at @asid with a REPORT pending (its guest will touch its secrets page next). */
static snp_err
start_vm(struct snp_atk_ctx *c, struct atk_vm *vm, uint32_t asid, uint8_t fill)
{
    struct snp_vmm_launch l;
    uint8_t rd[64], msg[128];

    memset(rd, fill, sizeof(rd));
    atk_launch_default(c, &l);
    l.asid = asid;
    return atk_vm_start(c, vm, &l, msg, atk_msg_report(msg, rd));
}

/* Resume with SHUTDOWN queued: whether the guest answered its pending REPORT with status 0. */
static snp_err
finish_vm(struct atk_vm *vm, bool *answered)
{
    uint8_t msg[8];

    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_shutdown(msg)));
    *answered = vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
                vm->last[0] == (SNP_CHAN_OP_REPORT | SNP_CHAN_OP_RESPONSE) && vm->last[1] == 0;
    return SNP_OK;
}

static snp_err
atk_crossline(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm victim, attacker;
    struct snp_vmexit ex;
    uint64_t vspa = 0, e = 0, gfn = SNP_VMM_SECRETS_GPA >> SNP_PAGE_SHIFT;
    uint32_t avcpu;
    bool vmsa_refused, npf, victim_ok = false;
    char b[96];
    snp_err err;

    memset(&victim, 0, sizeof(victim));
    memset(&attacker, 0, sizeof(attacker));
    err = start_vm(c, &victim, 0, 0xC1);
    if (err == SNP_OK) {
        err = start_vm(c, &attacker, ATTACKER_ASID, 0xC2);
    }
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "victim at ASID %u, the attacker's own SNP VM at ASID %u",
              victim.v->asid, attacker.v->asid);

    /* 1: the attacker's VMCB (ASID 2) with the victim's VMSA (ASID 1). */
    avcpu = attacker.v->vcpu_ids[0];
    memset(&ex, 0, sizeof(ex));
    err = snp_host_vcpu_set_vmsa(c->m, avcpu, victim.v->vmsa_spa[0]);
    if (err == SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_HV,
                  "VMCB of the attacker's vCPU -> the victim's VMSA at SPA 0x%llx",
                  (unsigned long long)victim.v->vmsa_spa[0]);
        err = snp_host_vmrun(c->m, avcpu, &ex);
    }
    if (err != SNP_OK) {
        goto out;
    }
    vmsa_refused = ex.code == SNP_EXIT_INVALID;
    atk_trace(c, SNP_ATK_ACT_HW, "VMRUN: %s (exit 0x%llx)",
              vmsa_refused ? "VMEXIT_INVALID" : "the vCPU ran", (unsigned long long)ex.code);
    err = snp_host_vcpu_set_vmsa(c->m, avcpu, attacker.v->vmsa_spa[0]);
    if (err != SNP_OK) {
        goto out;
    }

    /* 2: the attacker VM's secrets GPA -> the victim's secrets page; its guest touches it. */
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&victim, SNP_VMM_SECRETS_GPA, &vspa) ||
        snp_host_npt_get(c->m, attacker.v->vm, gfn, &e) != SNP_OK ||
        snp_host_npt_set(c->m, attacker.v->vm, gfn, (e & ~SNP_NPT_FRAME_MASK) | vspa) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "attacker NPT: its GPA 0x%llx -> the victim's secrets SPA 0x%llx",
              (unsigned long long)SNP_VMM_SECRETS_GPA, (unsigned long long)vspa);
    err = finish_vm(&attacker, &npf);
    if (err != SNP_OK) {
        goto out;
    }
    npf = attacker.st.stop == SNP_VMM_STOP_ERROR && attacker.st.last_exit == SNP_EXIT_NPF;
    atk_trace(c, SNP_ATK_ACT_HW, "the attacker VM's access: %s",
              npf ? "#NPF (RMP: page of another ASID)" : atk_stop_text(&attacker, b, sizeof(b)));

    /* Control: the victim goes on. */
    err = finish_vm(&victim, &victim_ok);
    if (err != SNP_OK) {
        goto out;
    }
    if (!vmsa_refused) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "VMRUN of the attacker's vCPU (ASID %u) on the victim's VMSA (ASID %u) was "
                     "accepted (exit 0x%llx)",
                     attacker.v->asid, victim.v->asid, (unsigned long long)ex.code);
    } else if (!npf) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "VMSA swap refused, but the attacker VM used the victim's page without a "
                     "fault (attacker guest %s)",
                     atk_stop_text(&attacker, b, sizeof(b)));
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "attacker's vCPU (ASID %u) on the victim's VMSA (ASID %u): VMEXIT_INVALID; "
                     "the attacker VM's access to the victim's secrets page (same GPA, so only "
                     "the owner ASID differs): #NPF; victim %s",
                     attacker.v->asid, victim.v->asid,
                     victim_ok ? "answered its request normally" : "did NOT answer its request");
    }
    err = SNP_OK;
out:
    atk_vm_free(&attacker);
    atk_vm_free(&victim);
    return err;
}

const struct snp_atk_scenario atk_scn_crossline = {
    .id = "crossline",
    .title = "run the attacker's VM on the victim's VMSA / pages (other ASID)",
    .ref = "CrossLine (Li et al., CCS 2021)",
    .cap = "H2, H4",
    .condition = "the host writes VMCBs and NPTs of two VMs",
    .defence = "VMRUN: VMSA's RMP entry must name the VMCB's ASID (VMEXIT_INVALID); RMP owner ASID "
               "on guest access (#NPF)",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_crossline,
};
