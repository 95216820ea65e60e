/*
 * host/attacks/scn_i4_remap_severed.c - i4-remap-severed (THREAT-MODEL.md I4; attacks.md
 * "SEVered": Morbitzer et al., EuroSec 2018): the host points a guest GPA at another guest
 * page through the nested page table (H2). Shared with the other memory scenarios:
 * atk_pages.c.
 */
#include "host/attacks/atk_int.h"

/* I4 / SEVered: point the secrets GPA at the SPA of another (validated) guest page. */
static snp_err
atk_i4_remap(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t spa = 0, other = 0, e = 0;
    uint64_t gfn = SNP_VMM_SECRETS_GPA >> SNP_PAGE_SHIFT;
    bool answered = false;
    snp_err err;

    err = atk_start_at(c, &vm, SNP_VMM_SECRETS_GPA, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_CPUID_GPA, &other) ||
        snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK) {
        goto out;
    }
    err = snp_host_npt_set(c->m, vm.v->vm, gfn, (e & ~SNP_NPT_FRAME_MASK) | other);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT GPA 0x%llx (secrets) -> SPA 0x%llx (the CPUID page's)",
              (unsigned long long)SNP_VMM_SECRETS_GPA, (unsigned long long)other);
    err = atk_finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    atk_judge_guest(&vm, answered, "remapped the secrets GPA onto the CPUID page", obs);
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_i4_remap_severed = {
    .id = "i4-remap-severed",
    .title = "SEVered: remap a GPA to another guest page",
    .ref = "I4, SEVered",
    .cap = "H2",
    .condition = "NPT is the host's",
    .defence = "RMP GPA check: #NPF, the guest never sees the data",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_i4_remap,
};
