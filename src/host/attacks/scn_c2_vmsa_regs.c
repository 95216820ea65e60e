/*
 * host/attacks/scn_c2_vmsa_regs.c - the hypervisor against the guest's register state
 * (THREAT-MODEL.md C2; attacks.md: the unencrypted-VMCB attacks on SEV, Hetzelt & Buhren 2017 and
 * Werner et al. 2019: the host reads and rewrites the saved registers of a guest at every VMEXIT).
 *
 * Target: the save area of vCPU 0 (the VMM's own bookkeeping says where it lives). A plain VM
 * keeps it in host-readable plaintext; SEV-ES/SNP seal it into the VMSA page under the guest's
 * key, and with SNP that page is guest-owned and VMSA-flagged in the RMP. Known plaintext: the
 * VMSA the launch built carries the architectural PAT reset value in G_PAT (0x268), which no
 * exit changes, so the host recognises a readable register file without guessing.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/vmsa.h"

#include <string.h>

#define ATK_PAT_RESET UINT64_C(0x0007040600070406)
#define ATK_REG_MARK  UINT64_C(0x4154544b52313421) /* "!41RKTTA": what the host plants in R14 */

/* C2: at a VMEXIT, read vCPU 0's saved registers, then plant a value in R14 and read it back. */
static snp_err
atk_c2_vmsa_regs(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct snp_vmsa s, b;
    struct snp_rmpread rr;
    uint8_t page[SNP_VMSA_SIZE], back[SNP_VMSA_SIZE];
    uint8_t rd[64], msg[128];
    uint64_t spa, pf = 0;
    enum snp_hw_fault f;
    bool readable, planted = false;
    snp_err err;

    memset(rd, 0xC2, sizeof(rd));
    atk_launch_default(c, &l);
    err = atk_vm_start(c, &vm, &l, msg, atk_msg_report(msg, rd));
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    spa = vm.v->vmsa_spa[0];
    if (snp_host_wbinvd(c->m) != SNP_OK ||
        snp_host_read(c->m, spa, page, sizeof(page)) != SNP_HW_OK ||
        snp_vmsa_decode(&s, page, sizeof(page), NULL) != SNP_OK) {
        goto out;
    }
    readable = s.g_pat == ATK_PAT_RESET;
    atk_trace(c, SNP_ATK_ACT_HV, "read vCPU 0's save area at SPA 0x%llx after exit %llu",
              (unsigned long long)spa, (unsigned long long)vm.st.exits);
    atk_trace(c, SNP_ATK_ACT_HW,
              "decoded: G_PAT 0x%016llx (reset value %s), RIP 0x%llx, RAX 0x%llx",
              (unsigned long long)s.g_pat, readable ? "found" : "not found",
              (unsigned long long)s.rip, (unsigned long long)s.rax);
    if (snp_host_rmpread(c->m, spa, &rr) == SNP_RMP_SUCCESS) {
        atk_trace(c, SNP_ATK_ACT_HW, "RMPREAD: %s, asid %u, immutable %d",
                  rr.assigned ? "guest-owned" : "hypervisor", rr.asid, (int)rr.immutable);
    }
    s.r14 = ATK_REG_MARK;
    if (snp_vmsa_encode(page, &s) != SNP_OK) {
        goto out;
    }
    f = snp_host_write(c->m, spa, page, sizeof(page), &pf);
    atk_trace(c, SNP_ATK_ACT_HV, "write the save area back with R14 = 0x%016llx: %s 0x%llx",
              (unsigned long long)ATK_REG_MARK, snp_hw_fault_name(f), (unsigned long long)pf);
    if (f == SNP_HW_OK) {
        if (snp_host_read(c->m, spa, back, sizeof(back)) != SNP_HW_OK ||
            snp_vmsa_decode(&b, back, sizeof(back), NULL) != SNP_OK) {
            goto out;
        }
        planted = b.r14 == ATK_REG_MARK;
    } else if (f != SNP_HW_PF) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "save area write: %s", snp_hw_fault_name(f));
        err = SNP_OK;
        goto out;
    }
    if (readable || planted) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "save area at SPA 0x%llx: %s (G_PAT 0x%016llx, RIP 0x%llx); write %s",
                     (unsigned long long)spa, readable ? "plaintext registers" : "unreadable",
                     (unsigned long long)s.g_pat, (unsigned long long)s.rip,
                     planted ? "accepted, R14 now the attacker's value (loaded at next VMRUN)"
                             : "refused");
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "VMSA at SPA 0x%llx reads as ciphertext (G_PAT field 0x%016llx, not the "
                     "reset value); write: %s error code 0x%llx%s",
                     (unsigned long long)spa, (unsigned long long)s.g_pat, snp_hw_fault_name(f),
                     (unsigned long long)pf, (pf & SNP_PFERR_RMP) != 0 ? " (RMP)" : "");
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_c2_vmsa_regs = {
    .id = "c2-vmsa-regs",
    .title = "read and rewrite the guest's saved registers at an exit",
    .ref = "C2, unencrypted VMCB (Hetzelt & Buhren; Werner et al.)",
    .cap = "H1",
    .condition = "the save area is in host memory at every VMEXIT",
    .defence = "VMSA sealed under the guest key; RMP: guest-owned VMSA page (#PF RMP on write)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_c2_vmsa_regs,
};
