/*
 * tests/unit/verify/test_verify_synth.c - the verifier against a synthetic AMD-shaped PKI made
 * in the test (pki.c.inc): each way a chain or report can be wrong is rejected by its own named
 * check; the signature cache is used; property tests flip every bit of a report's signed region
 * and signature, and a sample of bits of a certificate's TBS.
 */
#include "helpers.h"

#include "pki.c.inc"

#include "snpkit/certtable.h"
#include "snpkit/util.h"
#include "verify/verify_int.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
    struct pki genoa, milan;
    struct snp_eckey *vcek_key, *other_key, *vlek_key;
    uint8_t chip[64];
    uint64_t tcb;
    struct pki_blob vcek, vlek;
    uint8_t report[SNP_REPORT_SIZE];
    struct snp_verifier *v;
};

static struct fixture F;

static int
setup(void **state)
{
    struct leaf_opts lo;

    (void)state;
    pki_init(&F.genoa, "Genoa");
    pki_init(&F.milan, "Milan");
    T_OK(snp_eckey_generate(&F.vcek_key));
    T_OK(snp_eckey_generate(&F.other_key));
    T_OK(snp_eckey_generate(&F.vlek_key));
    t_fill(F.chip, sizeof(F.chip), 42);
    F.tcb = UINT64_C(0x541700000000000a); /* BL 10, TEE 0, SNP 23, UCODE 84 */
    memset(&lo, 0, sizeof(lo));
    memcpy(lo.chip, F.chip, 64);
    lo.tcb = F.tcb;
    F.vcek = pki_leaf(&F.genoa, F.vcek_key, &lo);
    lo.vlek = true;
    F.vlek = pki_leaf(&F.genoa, F.vlek_key, &lo);
    pki_report(F.report, F.vcek_key, F.chip, F.tcb, 0);
    T_OK(snp_verifier_new(&F.v));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    pki_blob_free(&F.vcek);
    pki_blob_free(&F.vlek);
    snp_eckey_free(F.vcek_key);
    snp_eckey_free(F.other_key);
    snp_eckey_free(F.vlek_key);
    pki_fini(&F.genoa);
    pki_fini(&F.milan);
    snp_verifier_free(F.v);
    return 0;
}

/* A bag of the given blobs (NULL-terminated list of pointers). */
static struct snp_collateral *
bag(const struct pki_blob *first, ...)
{
    struct snp_collateral *c = NULL;
    va_list ap;

    T_OK(snp_collateral_new(&c));
    va_start(ap, first);
    for (const struct pki_blob *b = first; b != NULL; b = va_arg(ap, const struct pki_blob *)) {
        T_OK(snp_collateral_add(c, b->der, b->len));
    }
    va_end(ap);
    return c;
}

static snp_err
run(const uint8_t *report, const struct snp_collateral *c, const struct pki_blob *root,
    struct snp_verify_opts *o, struct snp_verify_result *res)
{
    struct snp_verify_opts def;

    if (o == NULL) {
        snp_verify_opts_init(&def);
        o = &def;
    }
    o->at = (time_t)PKI_NOW;
    o->root = root->der;
    o->root_len = root->len;
    return snp_verify_report(F.v, report, SNP_REPORT_SIZE, c, o, NULL, res);
}

static void
want_status(const struct snp_verify_result *res, const char *name, enum snp_check_status st)
{
    const struct snp_check *c = snp_verify_find(res, name);

    if (c == NULL || c->status != st) {
        print_error("check %s: want %s\n", name, snp_check_status_name(st));
        for (size_t i = 0; i < res->n; i++) {
            print_error("  %-26s %-5s %s\n", res->checks[i].name,
                        snp_check_status_name(res->checks[i].status), res->checks[i].detail);
        }
        fail();
    }
}

static void
test_happy_path_and_cache(void **state)
{
    struct snp_collateral *c = bag(&F.genoa.ark, &F.genoa.ask, &F.vcek, NULL);
    struct snp_verify_result res;
    unsigned long hits;

    (void)state;
    T_OK(run(F.report, c, &F.genoa.ark, NULL, &res));
    assert_true(res.root_overridden);
    assert_int_equal(res.product, SNP_PRODUCT_GENOA);
    want_status(&res, "chain.ark_pinned", SNP_CHECK_WARN);
    want_status(&res, "vcek.hwid", SNP_CHECK_PASS);
    want_status(&res, "crl.present", SNP_CHECK_WARN);
    hits = F.v->hits;
    T_OK(run(F.report, c, &F.genoa.ark, NULL, &res));
    assert_true(F.v->hits >= hits + 3); /* ARK, ASK and VCEK links all from the cache */
    /* Without --root, a test ARK is not AMD's. */
    T_ERR(snp_verify_report(F.v, F.report, SNP_REPORT_SIZE, c, NULL, NULL, &res), SNP_E_CHAIN);
    want_status(&res, "chain.ark_pinned", SNP_CHECK_FAIL);
    snp_collateral_free(c);
}

static void
test_vcek_of_another_chip(void **state)
{
    struct leaf_opts lo;
    struct pki_blob other;
    struct snp_collateral *c;
    struct snp_verify_result res;

    (void)state;
    memset(&lo, 0, sizeof(lo));
    t_fill(lo.chip, 64, 43);
    lo.tcb = F.tcb;
    other = pki_leaf(&F.genoa, F.other_key, &lo);
    c = bag(&F.genoa.ark, &F.genoa.ask, &other, NULL);
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_MISMATCH);
    want_status(&res, "vcek.hwid", SNP_CHECK_FAIL);
    want_status(&res, "report.signature", SNP_CHECK_FAIL);
    snp_collateral_free(c);
    pki_blob_free(&other);
}

static void
test_other_products_ark(void **state)
{
    struct snp_collateral *c = bag(&F.milan.ark, &F.genoa.ask, &F.vcek, NULL);
    struct snp_verify_result res;

    (void)state;
    /* Trusting Milan's test root, the Genoa ASK does not chain. */
    T_ERR(run(F.report, c, &F.milan.ark, NULL, &res), SNP_E_CHAIN);
    want_status(&res, "chain.ask_signed_by_ark", SNP_CHECK_FAIL);
    want_status(&res, "chain.names", SNP_CHECK_FAIL);
    snp_collateral_free(c);
}

static void
test_vlek_vcek_swap(void **state)
{
    uint8_t vlek_report[SNP_REPORT_SIZE];
    struct snp_collateral *c;
    struct snp_verify_result res;

    (void)state;
    /* A VLEK-signed report (SIGNING_KEY 1) verifies with its VLEK chain ... */
    pki_report(vlek_report, F.vlek_key, F.chip, F.tcb, 1);
    c = bag(&F.genoa.ark, &F.genoa.asvk, &F.vlek, NULL);
    T_OK(run(vlek_report, c, &F.genoa.ark, NULL, &res));
    want_status(&res, "vcek.hwid", SNP_CHECK_SKIP);
    snp_collateral_free(c);
    /* ... but not when only a VCEK chain is offered, */
    c = bag(&F.genoa.ark, &F.genoa.ask, &F.vcek, NULL);
    T_ERR(run(vlek_report, c, &F.genoa.ark, NULL, &res), SNP_E_MISMATCH);
    want_status(&res, "report.signing_key", SNP_CHECK_FAIL);
    snp_collateral_free(c);
    /* and a VCEK-signed report is refused with only a VLEK chain. */
    c = bag(&F.genoa.ark, &F.genoa.asvk, &F.vlek, NULL);
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_MISMATCH);
    want_status(&res, "report.signing_key", SNP_CHECK_FAIL);
    snp_collateral_free(c);
}

static void
test_tcb_mismatch(void **state)
{
    struct leaf_opts lo;
    struct pki_blob leaf;
    struct snp_collateral *c;
    struct snp_verify_result res;

    (void)state;
    memset(&lo, 0, sizeof(lo));
    memcpy(lo.chip, F.chip, 64);
    lo.tcb = F.tcb + (UINT64_C(1) << 56); /* microcode SPL + 1 */
    leaf = pki_leaf(&F.genoa, F.vcek_key, &lo);
    c = bag(&F.genoa.ark, &F.genoa.ask, &leaf, NULL);
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_MISMATCH);
    want_status(&res, "vcek.tcb", SNP_CHECK_FAIL);
    want_status(&res, "report.signature", SNP_CHECK_PASS);
    snp_collateral_free(c);
    pki_blob_free(&leaf);
}

static void
test_expired_certificate(void **state)
{
    struct leaf_opts lo;
    struct pki_blob leaf;
    struct snp_collateral *c;
    struct snp_verify_result res;

    (void)state;
    memset(&lo, 0, sizeof(lo));
    memcpy(lo.chip, F.chip, 64);
    lo.tcb = F.tcb;
    lo.not_before = PKI_NOW - 400 * PKI_DAY;
    lo.not_after = PKI_NOW - PKI_DAY;
    leaf = pki_leaf(&F.genoa, F.vcek_key, &lo);
    c = bag(&F.genoa.ark, &F.genoa.ask, &leaf, NULL);
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_EXPIRED);
    want_status(&res, "chain.validity", SNP_CHECK_FAIL);
    snp_collateral_free(c);
    pki_blob_free(&leaf);
}

static void
test_revoked_ask(void **state)
{
    uint64_t revoked[] = {0x20001, 0x20002};
    struct pki_blob crl = pki_crl(&F.genoa, PKI_NOW - PKI_DAY, PKI_NOW + 30 * PKI_DAY, revoked, 2);
    struct pki_blob clean =
        pki_crl(&F.genoa, PKI_NOW - 2 * PKI_DAY, PKI_NOW + 30 * PKI_DAY, revoked, 1);
    struct snp_collateral *c = bag(&F.genoa.ark, &F.genoa.ask, &F.vcek, &crl, NULL);
    struct snp_verify_result res;
    struct snp_verify_opts o;

    (void)state;
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_REVOKED);
    want_status(&res, "crl.signature", SNP_CHECK_PASS);
    want_status(&res, "crl.revoked", SNP_CHECK_FAIL);
    snp_collateral_free(c);
    /* An older CRL that does not list the ASK: the newest verified CRL counts. */
    c = bag(&F.genoa.ark, &F.genoa.ask, &F.vcek, &clean, NULL);
    snp_verify_opts_init(&o);
    o.crl = SNP_CRL_REQUIRE;
    T_OK(run(F.report, c, &F.genoa.ark, &o, &res));
    want_status(&res, "crl.revoked", SNP_CHECK_PASS);
    snp_collateral_free(c);
    pki_blob_free(&crl);
    pki_blob_free(&clean);
}

static void
test_pss_encodings(void **state)
{
    struct leaf_opts lo;
    struct pki_blob leaf;
    struct snp_collateral *c;
    struct snp_verify_result res;
    struct snp_x509 *x = NULL;
    size_t used = 0;

    (void)state;
    memset(&lo, 0, sizeof(lo));
    memcpy(lo.chip, F.chip, 64);
    lo.tcb = F.tcb;
    lo.no_trailer = true; /* the Turin-VCEK encoding */
    leaf = pki_leaf(&F.genoa, F.vcek_key, &lo);
    T_OK(snp_x509_from_der(&x, leaf.der, leaf.len, &used));
    assert_int_equal(snp_x509_info(x)->sigalg, SNP_X509_SIG_PSS_AMD_NOTRL);
    snp_x509_free(x);
    T_OK(snp_x509_from_der(&x, F.vcek.der, F.vcek.len, &used));
    assert_int_equal(snp_x509_info(x)->sigalg, SNP_X509_SIG_PSS_AMD);
    snp_x509_free(x);
    c = bag(&F.genoa.ark, &F.genoa.ask, &leaf, NULL);
    T_OK(run(F.report, c, &F.genoa.ark, NULL, &res));
    snp_collateral_free(c);

    /* Salt 48 -> 32 in both AlgorithmIdentifiers: refused before any RSA work. */
    for (size_t i = 0; i + 5 <= leaf.len; i++) {
        static const uint8_t salt[] = {0xa2, 0x03, 0x02, 0x01, 0x30};
        if (memcmp(leaf.der + i, salt, 5) == 0) {
            leaf.der[i + 4] = 0x20;
        }
    }
    c = bag(&F.genoa.ark, &F.genoa.ask, &leaf, NULL);
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_CHAIN);
    want_status(&res, "chain.leaf_signed_by_ask", SNP_CHECK_FAIL);
    snp_collateral_free(c);
    pki_blob_free(&leaf);
}

/* Property: every single-bit flip of the signed region and of R and S is rejected. */
static void
flip_all(const uint8_t *report, const struct snp_collateral *c, const struct pki_blob *root,
         const struct snp_verify_opts *o0)
{
    uint8_t r[SNP_REPORT_SIZE];
    struct snp_verify_result res;
    struct snp_verify_opts o = *o0;
    size_t n = 0;

    memcpy(r, report, sizeof(r));
    if (root != NULL) {
        o.root = root->der;
        o.root_len = root->len;
    }
    T_OK(snp_verify_report(F.v, r, sizeof(r), c, &o, NULL, &res));
    for (size_t bit = 0; bit < (size_t)(SNP_REPORT_SIGNED_LEN + 2 * SNP_SIG_COMP_SIZE) * 8; bit++) {
        r[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        snp_err e = snp_verify_report(F.v, r, sizeof(r), c, &o, NULL, &res);
        if (e == SNP_OK || e >= SNP_E_NOMEM) {
            print_error("bit %zu (byte 0x%zx) flipped: verdict %s\n", bit, bit / 8,
                        snp_err_name(e));
            fail();
        }
        r[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        n++;
    }
    print_message("%zu single-bit flips rejected\n", n);
}

static void
test_bit_flips_synthetic(void **state)
{
    struct snp_collateral *c = bag(&F.genoa.ark, &F.genoa.ask, &F.vcek, NULL);
    struct snp_verify_opts o;

    (void)state;
    snp_verify_opts_init(&o);
    o.at = (time_t)PKI_NOW;
    flip_all(F.report, c, &F.genoa.ark, &o);
    snp_collateral_free(c);
}

static void
test_bit_flips_real(void **state)
{
    size_t rl = 0, vl = 0, cl = 0;
    uint8_t *rep = t_vector("ms-tee-attestation-verification/genoa_attestation_report.bin", &rl);
    uint8_t *vcek = t_vector("ms-tee-attestation-verification/genoa_vcek.pem", &vl);
    uint8_t *chain = t_vector("go-sev-guest/ask_ark_genoa.pem", &cl);
    struct snp_collateral *c = NULL;
    struct snp_verify_opts o;
    int64_t at;

    (void)state;
    T_OK(snp_collateral_new(&c));
    T_OK(snp_collateral_add(c, vcek, vl));
    T_OK(snp_collateral_add(c, chain, cl));
    snp_verify_opts_init(&o);
    T_OK(snp_x509_time_parse("2026-06-01T00:00:00Z", &at));
    o.at = (time_t)at;
    assert_int_equal(rl, SNP_REPORT_SIZE);
    flip_all(rep, c, NULL, &o);
    snp_collateral_free(c);
    free(rep);
    free(vcek);
    free(chain);
}

/* Every bit flip across the leaf's TBS: each either does not parse or is rejected. */
static void
test_cert_tbs_flips(void **state)
{
    uint8_t *der = malloc(F.vcek.len);
    struct snp_verify_result res;
    struct snp_verify_opts o;
    size_t tested = 0, unparsable = 0;

    (void)state;
    assert_non_null(der);
    /* The TBS starts after the outer header (4 bytes) and runs to the algorithm before the
     * signature: for these certificates, the first len - 72 - 2 - 4 - 260 bytes or so. Flip
     * every bit of bytes 4 .. len - 340 (inside the TBS for a 2048-bit issuer). */
    for (size_t bit = 4 * 8; bit < (F.vcek.len - 340) * 8; bit++) {
        struct snp_collateral *c = NULL;
        memcpy(der, F.vcek.der, F.vcek.len);
        der[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        T_OK(snp_collateral_new(&c));
        T_OK(snp_collateral_add(c, F.genoa.ark.der, F.genoa.ark.len));
        T_OK(snp_collateral_add(c, F.genoa.ask.der, F.genoa.ask.len));
        if (snp_collateral_add(c, der, F.vcek.len) != SNP_OK) {
            unparsable++;
        } else {
            snp_verify_opts_init(&o);
            snp_err e = run(F.report, c, &F.genoa.ark, &o, &res);
            /* A flip in the subject CN makes the certificate no VCEK at all: then the bag
             * has no leaf (SNP_E_NOTFOUND), which is "cannot verify", never a pass. */
            if (e == SNP_OK || e == SNP_E_NOMEM || e == SNP_E_CRYPTO) {
                print_error("TBS bit %zu flipped: verdict %s\n", bit, snp_err_name(e));
                fail();
            }
        }
        tested++;
        snp_collateral_free(c);
    }
    print_message("%zu TBS bit flips rejected (%zu did not parse)\n", tested, unparsable);
    assert_true(tested > 4000);
    free(der);
}

static void
test_collateral_roles_and_table(void **state)
{
    struct snp_cert_blob blobs[3] = {
        {SNP_GUID_ARK_INIT, F.genoa.ark.der, F.genoa.ark.len},
        {SNP_GUID_ASK_INIT, F.genoa.ask.der, F.genoa.ask.len},
        /* The host labels the VCEK as an ARK: the CN decides, not the GUID. */
        {SNP_GUID_ARK_INIT, F.vcek.der, F.vcek.len},
    };
    uint8_t table[8192];
    size_t tlen = 0;
    struct snp_collateral *c = NULL;
    struct snp_verify_result res;

    (void)state;
    T_OK(snp_cert_table_encode(table, sizeof(table), &tlen, blobs, 3));
    T_OK(snp_collateral_new(&c));
    T_OK(snp_collateral_add_cert_table(c, table, tlen));
    T_OK(snp_collateral_add_cert_table(c, table, tlen)); /* duplicates stored once */
    assert_int_equal(snp_collateral_count(c, SNP_COLL_ARK), 1);
    assert_int_equal(snp_collateral_count(c, SNP_COLL_ASK), 1);
    assert_int_equal(snp_collateral_count(c, SNP_COLL_VCEK), 1);
    T_OK(run(F.report, c, &F.genoa.ark, NULL, &res));
    T_ERR(snp_collateral_add(c, (const uint8_t *)"hello", 5), SNP_E_FORMAT);
    snp_collateral_free(c);
    /* An empty bag: could not check, not a forgery. */
    T_OK(snp_collateral_new(&c));
    T_ERR(run(F.report, c, &F.genoa.ark, NULL, &res), SNP_E_NOTFOUND);
    want_status(&res, "chain.collateral", SNP_CHECK_ERROR);
    snp_collateral_free(c);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_happy_path_and_cache),
        cmocka_unit_test(test_vcek_of_another_chip),
        cmocka_unit_test(test_other_products_ark),
        cmocka_unit_test(test_vlek_vcek_swap),
        cmocka_unit_test(test_tcb_mismatch),
        cmocka_unit_test(test_expired_certificate),
        cmocka_unit_test(test_revoked_ask),
        cmocka_unit_test(test_pss_encodings),
        cmocka_unit_test(test_collateral_roles_and_table),
        cmocka_unit_test(test_cert_tbs_flips),
        cmocka_unit_test(test_bit_flips_synthetic),
        cmocka_unit_test(test_bit_flips_real),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
