/*
 * host/attacks/scn_a1_forged_signer.c - a1-forged-signer (THREAT-MODEL.md A1): a report signed
 * by a key the vendor never certified. Shared with the other attestation scenarios:
 * atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/report.h"

#include <string.h>

/*
 * A1: "software pretending": a report signed by a key the vendor never certified. Both halves
 * of the claim are observed: the genuine report of the same chip (VCEK chained to the trusted
 * ARK) must be ACCEPTED by the same verifier with the same policy, else a rejection of the
 * forgery would prove nothing (NOT_RUN with the reason).
 */
static snp_err
atk_a1_forged_signer(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64], nonce[64], meas[48];
    char why[256], why_genuine[256];
    bool ok = false, genuine = false;

    memset(rd, 0x99, sizeof(rd));
    memset(nonce, 0xAB, sizeof(nonce));
    memset(meas, 0xEE, sizeof(meas));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, rd, rep)); /* the real CHIP_ID and TCB, to look genuine */
    atk_trace(c, SNP_ATK_ACT_HV, "control: the genuine report, as the chip signed it");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &genuine, why_genuine, sizeof(why_genuine)));
    (void)atk_forge_report(rep, nonce, meas);
    atk_trace(c, SNP_ATK_ACT_HV, "forged MEASUREMENT ee.. and REPORT_DATA ab..");
    SNP_TRY(atk_sign(c, SNP_ATK_KEY_UNCERTIFIED, 0, rep, sizeof(rep)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &ok, why, sizeof(why)));
    if (!genuine) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the genuine report of the chip was rejected too (%s): the verifier does "
                     "not show A1's positive half, so the forgery's verdict proves nothing",
                     why_genuine);
        return SNP_OK;
    }
    atk_judge_verifier(ok, why,
                       "genuine report ACCEPTED (VCEK chained to the trusted ARK); report "
                       "signed by an uncertified key",
                       obs);
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_a1_forged_signer = {
    .id = "a1-forged-signer",
    .title = "sign a forged report with a key AMD never certified",
    .ref = "A1",
    .cap = "H7",
    .condition = "the host can produce any bytes and any signature",
    .defence = "verifier checks the signature with the VCEK chained to the trusted ARK",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_a1_forged_signer,
};
