/*
 * host/attacks/scn_n7_backdoored_image.c - n7-backdoored-image: what the launch measurement
 * proves, and what it does not (THREAT-MODEL.md A2, N7).
 *
 * n7-backdoored-image: the host (H7: it loads the image) launches the expected firmware and
 * command line with a backdoored kernel (a few bytes changed; the SEV hashes table, measured in
 * the KERNEL_HASHES page, carries its SHA-256). The chip attests faithfully: the report of the
 * backdoored VM is genuine and verifies with the default policy. Its MEASUREMENT differs from
 * the expected one, so only a verifier that checks the expected measurement rejects it.
 * Enabling condition: a relying party that does not pin the measurement. Defence: the
 * verifier's expected measurement (`expect-measurement`).
 *
 * The same run shows A2's positive half: the genuine image's report MEASUREMENT must equal the
 * launch digest computed without the PSP, from the launch inputs alone (atk_expected_digest,
 * atk_report.c: snp_vmm_measure_params, the page list snp_measure hashes; what `snpkit
 * measure` computes), and the verifier with that expected digest must accept it. If either
 * fails, the rejection of the backdoor proves nothing (every report would be rejected) and the
 * scenario reports NOT_RUN with the reason.
 *
 * Model departure: the guest's code is the C entry function, not the kernel bytes, so the
 * "backdoor" changes what is measured but not what runs; what the scenario shows is the
 * attestation side, which is the claim.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/measure.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define OFF_MEASUREMENT 0x90
#define MEAS_LEN        48

/* N7 with A2's positive half as the control (see the file comment). */
static snp_err
atk_n7_backdoored_image(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    static const char mark[] = "BACKDOOR";
    struct snp_vmm_launch good, bad;
    uint8_t want[MEAS_LEN], rep[SNP_REPORT_SIZE], rd[64];
    uint8_t *kernel = NULL;
    const uint8_t *k0;
    size_t klen = 0;
    char hex[2 * MEAS_LEN + 1], why_good[192], why_open[192], why_pin[192];
    const char *pin[] = {"expect-measurement", hex, NULL};
    bool a2_equal, good_ok = false, open_ok = false, pin_ok = false;
    snp_err err;

    atk_launch_default(c, &good);
    SNP_TRY(atk_expected_digest(&good, want));
    SNP_TRY(snp_hex_encode(hex, sizeof(hex), want, MEAS_LEN));
    atk_trace(c, SNP_ATK_ACT_VERIFIER, "expected MEASUREMENT (launch inputs, no PSP): %.16s..",
              hex);

    /* A2: the genuine image. */
    memset(rd, 0x71, sizeof(rd));
    SNP_TRY(atk_get_report(c, &good, rd, rep));
    a2_equal = memcmp(rep + OFF_MEASUREMENT, want, MEAS_LEN) == 0;
    atk_trace(c, SNP_ATK_ACT_HV, "genuine image: report MEASUREMENT %s the independent digest",
              a2_equal ? "equals" : "DIFFERS from");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pin, &good_ok, why_good, sizeof(why_good)));
    if (!a2_equal || !good_ok) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "A2 positive half failed: genuine MEASUREMENT %s the launch digest, "
                     "verifier with it %s%s%s; a rejection of the backdoor would prove nothing",
                     a2_equal ? "equals" : "differs from", good_ok ? "accepted" : "rejected",
                     good_ok ? "" : ": ", good_ok ? "" : why_good);
        return SNP_OK;
    }

    /* N7: the same firmware and command line, a kernel with a few bytes changed. */
    k0 = snp_vmm_default_kernel(&klen);
    SNP_ENSURE(k0 != NULL && klen > 2 * sizeof(mark), SNP_E_STATE);
    kernel = malloc(klen);
    SNP_ENSURE(kernel != NULL, SNP_E_NOMEM);
    memcpy(kernel, k0, klen);
    memcpy(kernel + klen / 2, mark, sizeof(mark) - 1);
    bad = good;
    bad.kernel = kernel;
    bad.kernel_len = klen;
    bad.asid = 2; /* a second guest: the first one's ASID is not flushed for reuse yet */
    atk_trace(c, SNP_ATK_ACT_HV,
              "launch the backdoored kernel (\"%s\" at offset 0x%zx of %zu bytes)", mark, klen / 2,
              klen);
    memset(rd, 0x72, sizeof(rd));
    err = atk_get_report(c, &bad, rd, rep);
    if (err == SNP_OK) {
        err = atk_verify(c, rep, sizeof(rep), NULL, &open_ok, why_open, sizeof(why_open));
    }
    if (err == SNP_OK) {
        err = atk_verify(c, rep, sizeof(rep), pin, &pin_ok, why_pin, sizeof(why_pin));
    }
    free(kernel);
    SNP_TRY(err);
    if (memcmp(rep + OFF_MEASUREMENT, want, MEAS_LEN) == 0 || pin_ok) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "backdoored kernel: MEASUREMENT %s the expected digest, verifier with "
                     "expect-measurement %s",
                     memcmp(rep + OFF_MEASUREMENT, want, MEAS_LEN) == 0 ? "EQUALS" : "differs from",
                     pin_ok ? "ACCEPTED" : "rejected");
    } else if (!open_ok) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the backdoored image's report was rejected even by the default policy "
                     "(%s): N7's \"attests faithfully\" not shown",
                     why_open);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "A2: genuine MEASUREMENT equals the launch digest, accepted; N7: the "
                     "backdoored kernel's report verifies (default policy ACCEPTED: chain and "
                     "signature fine), MEASUREMENT %02x%02x%02x%02x.. != expected %.8s..; "
                     "rejected with expect-measurement: %.*s",
                     rep[OFF_MEASUREMENT], rep[OFF_MEASUREMENT + 1], rep[OFF_MEASUREMENT + 2],
                     rep[OFF_MEASUREMENT + 3], hex, (int)strcspn(why_pin, ":"), why_pin);
    }
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_n7_backdoored_image = {
    .id = "n7-backdoored-image",
    .title = "launch a backdoored kernel; the genuine image as control",
    .ref = "N7, A2",
    .cap = "H7",
    .condition = "the host loads the image; a relying party that does not pin MEASUREMENT",
    .defence = "verifier's expected measurement (expect-measurement); the default policy accepts "
               "the faithful report (conceded by N7)",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_n7_backdoored_image,
};
