/*
 * tests/fuzz/fuzz_sig_der.c - libFuzzer target for snp_sig_from_der() (attestation.md §1.6).
 *
 * Strict DER has exactly one encoding per (r, s), so: from_der succeeds => to_der succeeds and
 * gives back the identical bytes. Failures must be one of the documented errors and leave the
 * output zeroed. Seeds in corpus/fuzz_sig_der are hand-written DER.
 */
#include "snpkit/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_signature sig;
    uint8_t der[SNP_SIG_DER_MAX];
    size_t len = 0;
    snp_err err = snp_sig_from_der(&sig, data, size);

    if (err != SNP_OK) {
        if (err != SNP_E_FORMAT && err != SNP_E_TRAILING && err != SNP_E_RANGE) {
            abort();
        }
        for (size_t i = 0; i < sizeof(sig); i++) {
            if (((const uint8_t *)&sig)[i] != 0) {
                abort();
            }
        }
        return 0;
    }
    /* Decoded components fit P-384 and the reserved tail is zero. */
    for (size_t i = SNP_P384_SIZE; i < SNP_SIG_COMP_SIZE; i++) {
        if (sig.r[i] != 0 || sig.s[i] != 0) {
            abort();
        }
    }
    for (size_t i = 0; i < sizeof(sig.rsvd_0x090); i++) {
        if (sig.rsvd_0x090[i] != 0) {
            abort();
        }
    }
    if (snp_sig_to_der(der, sizeof(der), &len, &sig) != SNP_OK || len != size ||
        memcmp(der, data, size) != 0) {
        abort();
    }
    return 0;
}
