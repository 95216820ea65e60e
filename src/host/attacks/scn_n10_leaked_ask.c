/*
 * host/attacks/scn_n10_leaked_ask.c - N10 with a leaked ASK (THREAT-MODEL.md N10: "with a leaked
 * chip key or ASK, a forged report verifies: the verifier cannot tell").
 *
 * The attacker holds the ASK private key (a vendor compromise, not a capability of the
 * hypervisor: cap "phys" stands for "outside H1-H7"). It certifies a fresh P-384 key as the
 * chip's VCEK, in the exact shape of the genuine one (names, serial, validity, hwID = CHIP_ID,
 * the TCB's SPLs), signs a report it made up (a backdoored MEASUREMENT, the verifier's nonce)
 * with that key and staples the certificate table to it, as a host does for an extended
 * report. The env's forger does the X.509 work (host/ has no vendor key, no X.509 code).
 *
 * Controls observed in the same run: the genuine report is accepted by the verifier (so the
 * verifier works), and the same forgery checked against the VCEK the verifier fetches from the
 * vendor itself (by CHIP_ID and REPORTED_TCB, the KDS path) is rejected: the forged key is not
 * the chip's. Only the host-supplied chain is what the leaked ASK subverts; with it the
 * forgery is ACCEPTED: SUCCEEDED, the concession of N10. Defence: none in SNP (revoking the ASK
 * needs a new ASK from AMD); a verifier that never takes the VCEK from the host but fetches it
 * by CHIP_ID/TCB from the vendor is not fooled by this forgery (the control shows it).
 */
#include "host/attacks/atk_int.h"

#include "snpkit/report.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define OFF_REPORT_DATA 0x50
#define OFF_MEASUREMENT 0x90
#define CERTS_MAX       (16u * 1024u)

/* The verifier given the host's certificate table, with the steps in the trace. */
static snp_err
verify_certs(struct snp_atk_ctx *c, const uint8_t *report, const uint8_t *certs, size_t certs_len,
             const char *const *policy, bool *accepted, char *why, size_t why_size)
{
    snp_err err;

    why[0] = '\0';
    atk_trace(c, SNP_ATK_ACT_VERIFIER, "verify with the host's certificate table (%zu bytes)",
              certs_len);
    err = c->env->verify_certs(c->env->verify_ctx, report, SNP_REPORT_SIZE, certs, certs_len,
                               policy, accepted, why, why_size);
    return atk_trace_verdict(c, err, err == SNP_OK && *accepted, why);
}

static snp_err
atk_n10_leaked_ask(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64], nonce[64], meas[48];
    uint8_t *certs = NULL;
    size_t certs_len = 0;
    char hn[129], hm[97], why_genuine[192], why_kds[192], why[192];
    const char *pol[] = {"expect-report-data", hn, "expect-measurement", hm, NULL};
    bool genuine = false, kds_ok = false, ok = false;
    snp_err err;

    SNP_ENSURE(c->env->forge != NULL && c->env->verify_certs != NULL, SNP_E_UNSUPPORTED);
    memset(rd, 0xA5, sizeof(rd));
    memset(nonce, 0x5C, sizeof(nonce));
    memset(meas, 0xEE, sizeof(meas));
    SNP_TRY(snp_hex_encode(hn, sizeof(hn), nonce, sizeof(nonce)));
    SNP_TRY(snp_hex_encode(hm, sizeof(hm), meas, sizeof(meas)));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, rd, rep)); /* the real CHIP_ID and TCB, to look genuine */
    atk_trace(c, SNP_ATK_ACT_HV, "control: the genuine report, with the vendor's collateral");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &genuine, why_genuine, sizeof(why_genuine)));

    memcpy(rep + OFF_REPORT_DATA, nonce, sizeof(nonce));
    memcpy(rep + OFF_MEASUREMENT, meas, sizeof(meas));
    memset(rep + SNP_REPORT_SIGNED_LEN, 0, SNP_REPORT_SIZE - SNP_REPORT_SIGNED_LEN);
    atk_trace(c, SNP_ATK_ACT_HV, "forged MEASUREMENT ee.. and REPORT_DATA 5c.. (verifier's nonce)");
    certs = malloc(CERTS_MAX);
    SNP_ENSURE(certs != NULL, SNP_E_NOMEM);
    err = c->env->forge(c->env->forge_ctx, rep, sizeof(rep), certs, CERTS_MAX, &certs_len);
    atk_trace(c, SNP_ATK_ACT_HV,
              "leaked ASK: certified a fresh P-384 key as the chip's VCEK, signed the forged "
              "report with it: %s",
              snp_err_str(err));
    if (err == SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_HV, "control: the forgery against the VCEK the verifier fetches");
        err = atk_verify(c, rep, sizeof(rep), pol, &kds_ok, why_kds, sizeof(why_kds));
    }
    if (err == SNP_OK) {
        err = verify_certs(c, rep, certs, certs_len, pol, &ok, why, sizeof(why));
    }
    free(certs);
    SNP_TRY(err);
    if (!genuine) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the genuine report was rejected (%s): the verifier's verdicts prove nothing",
                     why_genuine);
    } else if (ok) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "forged report (MEASUREMENT ee.., the verifier's nonce) signed by a fresh key "
                     "whose VCEK certificate the leaked ASK issued: ACCEPTED with the host's "
                     "certificate table, the verifier cannot tell (N10, conceded); genuine report "
                     "accepted; a verifier fetching the VCEK by CHIP_ID/TCB from the vendor %s",
                     kds_ok ? "ACCEPTED it too" : "rejects it");
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "forged VCEK issued with the leaked ASK: rejected with the host's "
                     "certificate table: %s",
                     why);
    }
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_n10_leaked_ask = {
    .id = "n10-leaked-ask",
    .title = "certify a fresh key as the chip's VCEK with a leaked ASK",
    .ref = "N10",
    .cap = "phys",
    .condition = "the ASK private key leaked (vendor compromise); the verifier takes the host's "
                 "certificate table",
    .defence = "none: conceded (N10), the verifier cannot tell; only a new ASK from the vendor; a "
               "verifier fetching the VCEK by CHIP_ID/TCB is not fooled (in the evidence)",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_n10_leaked_ask,
};
