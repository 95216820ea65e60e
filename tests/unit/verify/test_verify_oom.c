/*
 * tests/unit/verify/test_verify_oom.c - allocation-failure injection (STYLE.md §11.3, after
 * SQLite's "fail the N-th malloc" tests).
 *
 * Before OpenSSL allocates anything, main() installs CRYPTO_set_mem_functions wrappers. Each
 * round then verifies a genuine report (synthetic AMD-shaped PKI, trusted through opts.root) with
 * the N-th OpenSSL allocation failing, for N = 1, 2, ... until a round succeeds. Every round must
 * end as "could not check" (SNP_E_NOMEM or SNP_E_CRYPTO) or verified: a genuine report must never
 * be called forged because memory ran out, and nothing may crash or leak (ASan run).
 */
#include "helpers.h"

#include "pki.c.inc"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

static long fail_at = -1; /* fail the fail_at-th allocation of a round; -1: never */
static long allocs;

static void *
oom_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (fail_at >= 0 && ++allocs == fail_at) {
        return NULL;
    }
    return malloc(n);
}

static void *
oom_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (fail_at >= 0 && ++allocs == fail_at) {
        return NULL;
    }
    return realloc(p, n);
}

static void
oom_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

static bool
could_not_check(snp_err e)
{
    return e == SNP_E_NOMEM || e == SNP_E_CRYPTO;
}

static void
test_verify_under_allocation_failures(void **state)
{
    struct pki genoa;
    struct snp_eckey *key = NULL;
    struct leaf_opts lo;
    struct pki_blob vcek;
    uint8_t report[SNP_REPORT_SIZE];
    struct snp_verify_result *res = malloc(sizeof(*res));
    long n;

    (void)state;
    assert_non_null(res);
    pki_init(&genoa, "Genoa");
    T_OK(snp_eckey_generate(&key));
    memset(&lo, 0, sizeof(lo));
    t_fill(lo.chip, sizeof(lo.chip), 7);
    lo.tcb = UINT64_C(0x541700000000000a);
    vcek = pki_leaf(&genoa, key, &lo);
    pki_report(report, key, lo.chip, lo.tcb, 0);

    for (n = 1; n < 100000; n++) {
        struct snp_verifier *v = NULL;
        struct snp_collateral *c = NULL;
        struct snp_verify_opts o;
        snp_err e;

        allocs = 0;
        fail_at = n;
        e = snp_verifier_new(&v);
        if (e == SNP_OK) {
            e = snp_collateral_new(&c);
        }
        if (e == SNP_OK) {
            e = snp_collateral_add(c, genoa.ark.der, genoa.ark.len);
        }
        if (e == SNP_OK) {
            e = snp_collateral_add(c, genoa.ask.der, genoa.ask.len);
        }
        if (e == SNP_OK) {
            e = snp_collateral_add(c, vcek.der, vcek.len);
        }
        if (e == SNP_OK) {
            snp_verify_opts_init(&o);
            o.at = (time_t)PKI_NOW;
            o.root = genoa.ark.der;
            o.root_len = genoa.ark.len;
            memset(res, 0, sizeof(*res));
            e = snp_verify_report(v, report, sizeof(report), c, &o, NULL, res);
        }
        fail_at = -1;
        snp_collateral_free(c);
        snp_verifier_free(v);
        if (e == SNP_OK && allocs < n) {
            break; /* the N-th allocation was never reached: every path was tried */
        }
        if (e != SNP_OK && !could_not_check(e)) {
            print_error("allocation %ld failing turned a genuine report into %s\n", n,
                        snp_err_name(e));
            for (size_t i = 0; i < res->n; i++) {
                if (res->checks[i].status != SNP_CHECK_PASS) {
                    print_error("  %s %s: %s\n", snp_check_status_name(res->checks[i].status),
                                res->checks[i].name, res->checks[i].detail);
                }
            }
            fail();
        }
    }
    print_message("%ld allocation failure points tried\n", n - 1);
    assert_true(n > 10);
    pki_blob_free(&vcek);
    snp_eckey_free(key);
    pki_fini(&genoa);
    free(res);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_under_allocation_failures),
    };
    /* Must come before OpenSSL allocates anything. */
    if (CRYPTO_set_mem_functions(oom_malloc, oom_realloc, oom_free) != 1) {
        fprintf(stderr, "cannot install allocation hooks\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
