/*
 * host/attacks/scn_report_relay.c - report-relay (THREAT-MODEL.md A3; attacks.md, report
 * replay/relay): the host (H6) relays a report made for another nonce. Shared with the other
 * attestation scenarios: atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/report.h"
#include "snpkit/util.h"

#include <string.h>

/* A3: a report made over nonce N1, presented to a verifier that sent N2. */
static snp_err
atk_report_relay(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], n1[64], n2[64];
    char h1[129], h2[129], why[256];
    const char *pol1[] = {"expect-report-data", h1, NULL};
    const char *pol2[] = {"expect-report-data", h2, NULL};
    bool ok1 = false, ok2 = false;

    memset(n1, 0x11, sizeof(n1));
    memset(n2, 0x22, sizeof(n2));
    SNP_TRY(snp_hex_encode(h1, sizeof(h1), n1, 64));
    SNP_TRY(snp_hex_encode(h2, sizeof(h2), n2, 64));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, n1, rep));
    atk_trace(c, SNP_ATK_ACT_HV, "relay the report made for nonce 11.. to a verifier of 22..");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol1, &ok1, why, sizeof(why)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol2, &ok2, why, sizeof(why)));
    atk_judge_verifier(ok2, why,
                       ok1 ? "report for nonce 11.. (accepted for 11..) relayed to 22.."
                           : "report for nonce 11.. (refused even for 11..)",
                       obs);
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_report_relay = {
    .id = "report-relay",
    .title = "relay a report made for another nonce",
    .ref = "A3",
    .cap = "H6",
    .condition = "the host relays reports",
    .defence = "verifier checks REPORT_DATA (nonce binding)",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_report_relay,
};
