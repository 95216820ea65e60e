/*
 * tests/fuzz/fuzz_report.c - libFuzzer target for the ATTESTATION_REPORT codec (STYLE.md §11.4).
 *
 * Properties, each abort()ing on violation:
 *   - decode succeeds => encode(decode(x)) == x and r.raw == x (KEEP codec, §7.8);
 *   - decode fails => the output struct is all zero (no half-decoded report);
 *   - the strict check and the product lookup never crash and give only their documented errors;
 *   - the signature block decodes and re-encodes identically;
 *   - sig_to_der succeeds => sig_from_der gives back the same R and S.
 * Seeds in corpus/fuzz_report are synthetic (no vector bytes are checked in).
 */
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_sig_der(const struct snp_signature *sig)
{
    uint8_t der[SNP_SIG_DER_MAX];
    struct snp_signature back;
    size_t len = 0;
    snp_err err = snp_sig_to_der(der, sizeof(der), &len, sig);

    if (err == SNP_E_RANGE) {
        return;
    }
    if (err != SNP_OK || len < 8 || len > 104) {
        abort();
    }
    if (snp_sig_from_der(&back, der, len) != SNP_OK) {
        abort();
    }
    if (memcmp(back.r, sig->r, sizeof(back.r)) != 0 ||
        memcmp(back.s, sig->s, sizeof(back.s)) != 0) {
        abort();
    }
}

static void
check_decoded(const struct snp_report *r, const uint8_t *data)
{
    uint8_t out[SNP_REPORT_SIZE];
    struct snp_signature sig;
    enum snp_product p;
    size_t off = 0;
    snp_err err;

    if (snp_report_encode(out, r) != SNP_OK || memcmp(out, data, SNP_REPORT_SIZE) != 0 ||
        memcmp(r->raw, data, SNP_REPORT_SIZE) != 0) {
        abort();
    }
    err = snp_report_check_strict(r, &off);
    if (err != SNP_OK && err != SNP_E_RESERVED && err != SNP_E_RANGE) {
        abort();
    }
    if (off >= SNP_REPORT_SIZE || (err == SNP_OK && off != 0)) {
        abort();
    }
    err = snp_report_product(r, SNP_PRODUCT_UNKNOWN, &p);
    if (err != SNP_OK && err != SNP_E_UNSUPPORTED && err != SNP_E_ARG) {
        abort();
    }
    if ((err == SNP_OK) != (p != SNP_PRODUCT_UNKNOWN)) {
        abort();
    }
    err = snp_report_product(r, SNP_PRODUCT_GENOA, &p);
    if (err != SNP_OK && err != SNP_E_UNSUPPORTED && err != SNP_E_MISMATCH) {
        abort();
    }
    if (snp_signature_decode(&sig, data + SNP_REPORT_SIGNED_LEN, SNP_SIG_SIZE, NULL) != SNP_OK ||
        memcmp(&sig, &r->signature, sizeof(sig)) != 0 ||
        snp_signature_encode(out, &sig) != SNP_OK ||
        memcmp(out, data + SNP_REPORT_SIGNED_LEN, SNP_SIG_SIZE) != 0) {
        abort();
    }
    check_sig_der(&r->signature);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct snp_report r; /* 2.4 KiB: keep it off the fuzzer's stack */
    size_t off = 0;
    snp_err err = snp_report_decode(&r, data, size, &off);

    if (err == SNP_OK) {
        check_decoded(&r, data);
        return 0;
    }
    if (err != SNP_E_TRUNCATED && err != SNP_E_TRAILING && err != SNP_E_VERSION &&
        err != SNP_E_UNSUPPORTED) {
        abort();
    }
    for (size_t i = 0; i < sizeof(r); i++) {
        if (((const uint8_t *)&r)[i] != 0) {
            abort();
        }
    }
    /* Inputs of any length still exercise the signature block and DER paths. */
    if (size >= SNP_SIG_SIZE) {
        struct snp_signature sig;
        if (snp_signature_decode(&sig, data, SNP_SIG_SIZE, NULL) != SNP_OK) {
            abort();
        }
        check_sig_der(&sig);
    }
    return 0;
}
