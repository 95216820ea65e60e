/*
 * host/attacks/scn_undeserved_trust.c - undeserved-trust (THREAT-MODEL.md A2; attacks.md:
 * "Undeserved Trust", Wilke et al., permutation-agnostic launch measurement): the host loads
 * the image (H7) with two pages swapped. Shared with the other attestation scenarios:
 * atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/measure.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

/* Undeserved Trust: the same pages in another order. */
static snp_err
atk_undeserved_trust(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch good, bad;
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t *fw_good = malloc(SNP_VMM_FW_SIZE), *fw_bad = malloc(SNP_VMM_FW_SIZE);
    uint8_t *scratch = malloc(SNP_VMM_FW_SIZE);
    uint8_t want[48], rep[SNP_REPORT_SIZE], rd[64];
    char hex[97], why[256];
    const char *pol[] = {"expect-measurement", hex, NULL};
    size_t n = 0;
    bool ok = false;
    snp_err err = SNP_E_NOMEM;

    if (fw_good == NULL || fw_bad == NULL || scratch == NULL) {
        goto out;
    }
    /* The legitimate image: two distinct code pages A, B at the start of the firmware. */
    snp_vmm_fw_build(fw_good);
    memset(fw_good, 0xAA, SNP_PAGE_SIZE);
    memset(fw_good + SNP_PAGE_SIZE, 0xBB, SNP_PAGE_SIZE);
    memcpy(fw_bad, fw_good, SNP_VMM_FW_SIZE);
    memcpy(fw_bad, fw_good + SNP_PAGE_SIZE, SNP_PAGE_SIZE);
    memcpy(fw_bad + SNP_PAGE_SIZE, fw_good, SNP_PAGE_SIZE);
    atk_launch_default(c, &good);
    good.fw = fw_good;
    good.fw_len = SNP_VMM_FW_SIZE;
    bad = good;
    bad.fw = fw_bad;
    err = snp_vmm_measure_params(&good, scratch, &h, &p);
    if (err == SNP_OK) {
        err = snp_measure(&p, want, &n, NULL);
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_hex_encode(hex, sizeof(hex), want, 48);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "launch the image with pages 0 and 1 swapped (same page set)");
    memset(rd, 0x44, sizeof(rd));
    err = atk_get_report(c, &bad, rd, rep);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_verify(c, rep, sizeof(rep), pol, &ok, why, sizeof(why));
    if (err != SNP_OK) {
        goto out;
    }
    atk_judge_verifier(ok, why,
                       memcmp(rep + 0x90, want, 48) == 0 ? "MEASUREMENT equals the expected digest"
                                                         : "MEASUREMENT differs from the expected",
                       obs);
out:
    free(fw_good);
    free(fw_bad);
    free(scratch);
    return err;
}

const struct snp_atk_scenario atk_scn_undeserved_trust = {
    .id = "undeserved-trust",
    .title = "launch a permuted image",
    .ref = "A2, Undeserved Trust",
    .cap = "H7",
    .condition = "the host loads the image",
    .defence = "launch digest differs: verifier's expected measurement",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_undeserved_trust,
};
