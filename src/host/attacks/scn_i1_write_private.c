/*
 * host/attacks/scn_i1_write_private.c - i1-write-private (THREAT-MODEL.md I1): the host (H1)
 * writes into a guest page through its own mapping. Shared with the other memory scenarios:
 * atk_pages.c.
 */
#include "host/attacks/atk_int.h"

#include <string.h>

/* I1: write into a guest page through the host mapping. */
static snp_err
atk_i1_write_private(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t back[sizeof(atk_marker)];
    uint64_t spa = 0, pf = 0;
    enum snp_hw_fault f;
    snp_err err;

    err = atk_start_at(c, &vm, SNP_VMM_BOOT_GPA, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "write \"%.16s\" to the boot block at SPA 0x%llx", atk_marker,
              (unsigned long long)spa);
    f = snp_host_write(c->m, spa, atk_marker, sizeof(atk_marker), &pf);
    atk_trace(c, SNP_ATK_ACT_HW, "%s, error code 0x%llx", snp_hw_fault_name(f),
              (unsigned long long)pf);
    if (f == SNP_HW_OK) {
        if (snp_host_read(c->m, spa, back, sizeof(back)) != SNP_HW_OK) {
            err = SNP_E_STATE;
            goto out;
        }
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "host write to SPA 0x%llx succeeded; reads back %s",
                     (unsigned long long)spa,
                     memcmp(back, atk_marker, sizeof(back)) == 0 ? "the attacker's bytes"
                                                                 : "other bytes");
    } else if (f == SNP_HW_PF && (pf & SNP_PFERR_RMP) != 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "host write to SPA 0x%llx: #PF error code 0x%llx "
                     "(RMP violation)",
                     (unsigned long long)spa, (unsigned long long)pf);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "host write: %s 0x%llx", snp_hw_fault_name(f),
                     (unsigned long long)pf);
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_i1_write_private = {
    .id = "i1-write-private",
    .title = "host writes a guest private page",
    .ref = "I1",
    .cap = "H1",
    .condition = "always attempted",
    .defence = "RMP check on host writes (#PF RMP)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_i1_write_private,
};
