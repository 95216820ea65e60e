/*
 * host/attacks/scn_n10_leaked_vcek.c - n10-leaked-vcek (THREAT-MODEL.md N10): reports the
 * hypervisor makes up, signed with a VCEK leaked at an old TCB. Shared with the other
 * attestation scenarios: atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/report.h"
#include "snpkit/tcb.h"
#include "snpkit/util.h"

#include <stdio.h>
#include <string.h>

/*
 * N10: a VCEK leaked at TCB X (a physical or firmware key extraction) signs reports the
 * hypervisor makes up. Enabling condition: the key. Defence: only revocation by TCB: the
 * verifier requires REPORTED_TCB above X (the fixed firmware re-keys the VCEK). Without that
 * minimum the forgery verifies (the threat model concedes it: the verifier cannot tell).
 */
static snp_err
atk_n10_leaked_vcek(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct snp_tcb t;
    uint8_t rep[SNP_REPORT_SIZE], rd[64], nonce[64], meas[48];
    char hn[129], hm[97], min[64], why1[256], why2[256];
    const char *pol1[] = {"expect-report-data", hn, "expect-measurement", hm, NULL};
    const char *pol2[] = {"expect-report-data", hn, "expect-measurement", hm, "min-tcb", min, NULL};
    bool ok1 = false, ok2 = false;
    uint64_t x;

    memset(rd, 0x77, sizeof(rd));
    memset(nonce, 0x88, sizeof(nonce));
    memset(meas, 0xEE, sizeof(meas));
    SNP_TRY(snp_hex_encode(hn, sizeof(hn), nonce, 64));
    SNP_TRY(snp_hex_encode(hm, sizeof(hm), meas, 48));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, rd, rep)); /* a genuine report: CHIP_ID and TCB X */
    x = atk_forge_report(rep, nonce, meas);
    atk_trace(c, SNP_ATK_ACT_HV, "forged MEASUREMENT ee.. and REPORT_DATA 88.. (verifier's nonce)");
    SNP_TRY(atk_sign(c, SNP_ATK_KEY_LEAKED_VCEK, x, rep, sizeof(rep)));
    SNP_TRY(snp_tcb_decode(&t, x, SNP_PRODUCT_GENOA));
    snprintf(min, sizeof(min), "reported:snp=%u", (unsigned)t.snp + 1u);
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol1, &ok1, why1, sizeof(why1)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol2, &ok2, why2, sizeof(why2)));
    if (!ok1) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "forgery with the VCEK at TCB 0x%016llx rejected even without a TCB "
                     "minimum (the forgery is broken): %s",
                     (unsigned long long)x, why1);
    } else if (ok2) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "forged report (VCEK at TCB 0x%016llx) accepted without a TCB minimum and "
                     "with min-tcb %s",
                     (unsigned long long)x, min);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "forged report (VCEK at TCB 0x%016llx) ACCEPTED without a TCB minimum "
                     "(conceded, N10); rejected with min-tcb %s: %s",
                     (unsigned long long)x, min, why2);
    }
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_n10_leaked_vcek = {
    .id = "n10-leaked-vcek",
    .title = "forge a report with a VCEK leaked at an old TCB",
    .ref = "N10",
    .cap = "phys",
    .condition = "the chip's VCEK at TCB X extracted (key compromise)",
    .defence = "verifier's minimum REPORTED_TCB above X (after the fix and re-keying); without "
               "one, none: the forgery verifies",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_n10_leaked_vcek,
};
