/*
 * tests/fuzz/fuzz_policy_json.c - libFuzzer target for the verification policy file
 * (snp_verify_policy_parse_json(), STYLE.md §11.4).
 *
 * Properties, each abort()ing on violation:
 *   - never crashes, for any bytes (not NUL-terminated, embedded NULs, any length);
 *   - returns only its documented errors, and on failure leaves the policy unchanged and
 *     writes a NUL-terminated, non-empty message;
 *   - on success the result respects the policy's invariants (list counts within capacity,
 *     byte-string lengths within their fields, VMPL <= 3, no bit both required and forbidden),
 *     and checking a report with it never crashes.
 * Seeds in corpus/fuzz_policy_json are hand-written JSON files.
 */
#include "snpkit/report.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_bytes(const struct snp_vp_bytes *b, size_t field)
{
    if (b->len > field || (b->prefix && b->len == 0)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct snp_verify_policy p;
    static struct snp_verify_policy before;
    static struct snp_verify_result res;
    static struct snp_report r;
    char eb[200];
    snp_err err;

    snp_verify_policy_default(&p);
    before = p;
    memset(eb, 'x', sizeof(eb));
    /* A private copy without a terminating NUL, so reading past size is an ASan error. */
    char *copy = malloc(size != 0 ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    err = snp_verify_policy_parse_json(&p, copy, size, eb, sizeof(eb));
    free(copy);
    if (err != SNP_OK) {
        if (err != SNP_E_FORMAT && err != SNP_E_RANGE && err != SNP_E_SPACE && err != SNP_E_ARG &&
            err != SNP_E_NOMEM) {
            abort();
        }
        if (memchr(eb, '\0', sizeof(eb)) == NULL || eb[0] == '\0') {
            abort();
        }
        if (memcmp(&p, &before, sizeof(p)) != 0) {
            abort();
        }
        return 0;
    }
    if (p.n_id_key_digests > SNP_VP_MAX_DIGESTS || p.n_author_key_digests > SNP_VP_MAX_DIGESTS ||
        (p.has_vmpl && p.vmpl > 3) || (p.require_platform & p.forbid_platform) != 0) {
        abort();
    }
    check_bytes(&p.measurement, 48);
    check_bytes(&p.host_data, 32);
    check_bytes(&p.report_data, 64);
    check_bytes(&p.family_id, 16);
    check_bytes(&p.image_id, 16);
    check_bytes(&p.report_id, 32);
    check_bytes(&p.report_id_ma, 32);
    check_bytes(&p.chip_id, 64);
    /* The parsed policy must be checkable against any report without crashing. */
    memset(&r, 0, sizeof(r));
    r.version = 5;
    memset(&res, 0, sizeof(res));
    snp_verify_policy_check(&p, &r, SNP_PRODUCT_TURIN, &res);
    memset(&res, 0, sizeof(res));
    snp_verify_policy_check(&p, &r, SNP_PRODUCT_UNKNOWN, &res);
    if (res.n > SNP_VERIFY_MAX_CHECKS) {
        abort();
    }
    return 0;
}
