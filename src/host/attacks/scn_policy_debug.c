/*
 * host/attacks/scn_policy_debug.c - policy-debug (THREAT-MODEL.md A2; attacks.md, policy
 * downgrade): the host chooses the launch policy (H7) and allows DEBUG. Shared with the other
 * attestation scenarios: atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/policy.h"
#include "snpkit/report.h"

#include <string.h>

/* Policy downgrade: the host launches with POLICY.DEBUG (the PSP would decrypt for it). */
static snp_err
atk_policy_debug(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64];
    char why[256];
    bool ok = false;
    uint64_t pol = 0;

    memset(rd, 0x33, sizeof(rd));
    atk_launch_default(c, &l);
    l.policy = UINT64_C(0x30000) | SNP_POLICY_DEBUG;
    atk_trace(c, SNP_ATK_ACT_HV, "LAUNCH_START with policy 0x%llx (DEBUG)",
              (unsigned long long)l.policy);
    SNP_TRY(atk_get_report(c, &l, rd, rep));
    for (unsigned i = 0; i < 8; i++) {
        pol |= (uint64_t)rep[0x08 + i] << (8 * i);
    }
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &ok, why, sizeof(why)));
    atk_judge_verifier(
        ok, why, pol & SNP_POLICY_DEBUG ? "report POLICY has DEBUG" : "report POLICY without DEBUG",
        obs);
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_policy_debug = {
    .id = "policy-debug",
    .title = "launch the guest with DEBUG allowed",
    .ref = "A2, policy downgrade",
    .cap = "H7",
    .condition = "the host chooses the launch policy",
    .defence = "verifier rejects POLICY.DEBUG by default",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_policy_debug,
};
