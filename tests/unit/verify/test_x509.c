/*
 * tests/unit/verify/test_x509.c - crypto/x509.c on real AMD certificates and CRLs: names,
 * serials, fingerprints equal to the pins, both PSS encodings, the AMD extensions (raw and
 * OCTET STRING hwID, 2-byte INTEGER SPLs, Turin's 8-byte hwID and fmcSPL, VLEK csp_id), CRL
 * signature, window and revoked serials; times; the issuing helpers round trip.
 */
#include "helpers.h"

#include "crypto/x509.h"
#include "snpkit/verify.h"

#include <stdlib.h>
#include <string.h>

struct loaded {
    struct snp_x509 *c[8];
    size_t n;
    struct snp_x509_crl *crl[4];
    size_t ncrl;
};

static snp_err
sink(void *ctx, struct snp_x509 *cert, struct snp_x509_crl *crl)
{
    struct loaded *l = ctx;

    if (cert != NULL) {
        assert_true(l->n < 8);
        l->c[l->n++] = cert;
    }
    if (crl != NULL) {
        assert_true(l->ncrl < 4);
        l->crl[l->ncrl++] = crl;
    }
    return SNP_OK;
}

static void
load(struct loaded *l, const char *rel)
{
    size_t len = 0;
    uint8_t *b = t_vector(rel, &len);

    memset(l, 0, sizeof(*l));
    T_OK(snp_x509_load(b, len, sink, l));
    free(b);
}

static void
unload(struct loaded *l)
{
    for (size_t i = 0; i < l->n; i++) {
        snp_x509_free(l->c[i]);
    }
    for (size_t i = 0; i < l->ncrl; i++) {
        snp_x509_crl_free(l->crl[i]);
    }
}

static void
test_roots_match_pins(void **state)
{
    static const struct {
        const char *file;
        enum snp_product p;
    } chains[] = {
        {"trustee/milan_ask_ark_asvk.pem", SNP_PRODUCT_MILAN},
        {"trustee/genoa_ask_ark_asvk.pem", SNP_PRODUCT_GENOA},
        {"trustee/turin_ask_ark_asvk.pem", SNP_PRODUCT_TURIN},
    };
    static const enum snp_collateral_role roles[] = {SNP_COLL_ASK, SNP_COLL_ARK, SNP_COLL_ASVK};
    struct loaded l;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        load(&l, chains[i].file);
        assert_int_equal(l.n, 3);
        for (size_t k = 0; k < 3; k++) {
            const struct snp_x509_info *in = snp_x509_info(l.c[k]);
            t_memeq(in->fp, snp_verify_pin(chains[i].p, roles[k]), 32);
            assert_int_equal(in->sigalg, SNP_X509_SIG_PSS_AMD);
            assert_int_equal(in->key_type, SNP_X509_KEY_RSA);
            assert_int_equal(in->key_bits, 4096);
            assert_true(in->is_ca);
        }
        /* ASK and ASVK are signed by the ARK, the ARK by itself; not the other way round. */
        T_OK(snp_x509_verify_by(l.c[1], l.c[1]));
        T_OK(snp_x509_verify_by(l.c[0], l.c[1]));
        T_OK(snp_x509_verify_by(l.c[2], l.c[1]));
        T_ERR(snp_x509_verify_by(l.c[1], l.c[0]), SNP_E_SIG);
        assert_int_equal(snp_x509_info(l.c[0])->pathlen, 0);
        assert_int_equal(snp_x509_info(l.c[1])->pathlen, -1);
        unload(&l);
    }
    assert_null(snp_verify_pin(SNP_PRODUCT_UNKNOWN, SNP_COLL_ARK));
    assert_null(snp_verify_pin(SNP_PRODUCT_MILAN, SNP_COLL_VCEK));
}

static void
test_amd_extensions(void **state)
{
    struct loaded l;
    const struct snp_amd_ext *a;
    uint8_t want[64];

    (void)state;
    /* Legacy synthetic VCEK: ucodeSPL 169 as 02 02 00 a9. */
    load(&l, "trustee/test-vcek-invalid-legacy.der");
    a = &snp_x509_info(l.c[0])->amd;
    assert_int_equal(a->n_bad, 0);
    assert_int_equal(a->spl[SNP_AMD_SPL_BL], 3);
    assert_int_equal(a->spl[SNP_AMD_SPL_SNP], 10);
    assert_int_equal(a->spl[SNP_AMD_SPL_UCODE], 169);
    unload(&l);
    /* New synthetic VCEK: hwID wrapped in an OCTET STRING, bytes 00..3f. */
    load(&l, "trustee/test-vcek-invalid-new.der");
    a = &snp_x509_info(l.c[0])->amd;
    for (int i = 0; i < 64; i++) {
        want[i] = (uint8_t)i;
    }
    assert_true(a->has_hwid && a->hwid_wrapped);
    assert_int_equal(a->hwid_len, 64);
    t_memeq(a->hwid, want, 64);
    assert_int_equal(a->spl[SNP_AMD_SPL_UCODE], 30);
    unload(&l);
    /* Real Turin VCEK: 8-byte raw hwID, structVersion 1, fmcSPL, the 67-byte PSS encoding. */
    load(&l, "virtee-sev/vcek_turin.der");
    a = &snp_x509_info(l.c[0])->amd;
    t_unhex(want, 8, "1e550a8ee5cf9f4d");
    assert_true(a->has_hwid && !a->hwid_wrapped);
    assert_int_equal(a->hwid_len, 8);
    t_memeq(a->hwid, want, 8);
    assert_int_equal(a->struct_version, 1);
    assert_true(a->has_spl[SNP_AMD_SPL_FMC]);
    assert_false(a->has_spl[SNP_AMD_SPL_4]);
    assert_int_equal(a->spl[SNP_AMD_SPL_UCODE], 9);
    assert_string_equal(a->product_name, "Turin");
    assert_int_equal(snp_x509_info(l.c[0])->sigalg, SNP_X509_SIG_PSS_AMD_NOTRL);
    assert_int_equal(snp_x509_info(l.c[0])->key_type, SNP_X509_KEY_P384);
    assert_non_null(snp_x509_eckey(l.c[0]));
    assert_int_equal(snp_x509_info(l.c[0])->serial_len, 0); /* serial 0 */
    unload(&l);
    /* Real VLEK: csp_id, no hwID. */
    load(&l, "trustee/test-vlek.der");
    a = &snp_x509_info(l.c[0])->amd;
    assert_true(a->has_csp_id && !a->has_hwid);
    assert_string_equal(a->csp_id, "CN=cc-us-east-2.amazonaws.com");
    assert_string_equal(snp_x509_info(l.c[0])->issuer_cn, "SEV-VLEK-Milan");
    unload(&l);
    /* Real Milan VCEK: productName Milan-B0, ucodeSPL 115, 72-byte PSS. */
    load(&l, "virtee-sev/vcek_milan.der");
    a = &snp_x509_info(l.c[0])->amd;
    assert_string_equal(a->product_name, "Milan-B0");
    assert_int_equal(a->spl[SNP_AMD_SPL_UCODE], 115);
    assert_int_equal(snp_x509_info(l.c[0])->sigalg, SNP_X509_SIG_PSS_AMD);
    unload(&l);
}

static void
test_amd_crls(void **state)
{
    static const struct {
        const char *crl, *chain;
        size_t revoked;
    } crls[] = {
        {"amd-crl/milan_crl_11.der", "trustee/milan_ask_ark_asvk.pem", 0},
        {"amd-crl/genoa_crl_10.der", "trustee/genoa_ask_ark_asvk.pem", 1},
        {"amd-crl/genoa_crl_9.der", "trustee/genoa_ask_ark_asvk.pem", 1},
        {"amd-crl/turin_crl_7.der", "trustee/turin_ask_ark_asvk.pem", 0},
    };
    static const uint8_t s20001[] = {0x02, 0x00, 0x01}, s20002[] = {0x02, 0x00, 0x02};
    struct loaded l, ch;
    size_t len = 0, used = 0;
    struct snp_x509_crl *bad = NULL;
    int64_t t;

    (void)state;
    for (size_t i = 0; i < SNP_ARRAY_LEN(crls); i++) {
        load(&l, crls[i].crl);
        load(&ch, crls[i].chain);
        assert_int_equal(l.ncrl, 1);
        const struct snp_x509_crl_info *ci = snp_x509_crl_info(l.crl[0]);
        assert_int_equal(ci->sigalg, SNP_X509_SIG_PSS_AMD_NOTRL);
        assert_int_equal(ci->n_revoked, crls[i].revoked);
        assert_true(ci->has_next_update);
        T_OK(snp_x509_crl_verify_by(l.crl[0], ch.c[1]));             /* the ARK */
        T_ERR(snp_x509_crl_verify_by(l.crl[0], ch.c[0]), SNP_E_SIG); /* not the ASK */
        unload(&ch);
        unload(&l);
    }
    load(&l, "amd-crl/genoa_crl_10.der");
    int64_t when = 0;
    assert_true(snp_x509_crl_revoked(l.crl[0], s20001, 3, &when));
    assert_false(snp_x509_crl_revoked(l.crl[0], s20002, 3, NULL));
    T_OK(snp_x509_time_parse("2022-10-31T12:00:00Z", &t));
    assert_int_equal(when, t);
    unload(&l);
    /* The last byte flipped: still a CRL, no longer verifies. */
    uint8_t *b = t_vector("amd-crl/genoa_crl_10.der", &len);
    b[len - 1] ^= 1;
    T_OK(snp_x509_crl_from_der(&bad, b, len, &used));
    load(&ch, "trustee/genoa_ask_ark_asvk.pem");
    T_ERR(snp_x509_crl_verify_by(bad, ch.c[1]), SNP_E_SIG);
    unload(&ch);
    snp_x509_crl_free(bad);
    free(b);
}

static void
test_times_and_garbage(void **state)
{
    int64_t t = 0;
    struct snp_x509 *x = NULL;
    size_t used = 0;

    (void)state;
    T_OK(snp_x509_time_parse("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    T_OK(snp_x509_time_parse("2026-06-01T00:00:00Z", &t));
    assert_int_equal(t, 1780272000);
    T_OK(snp_x509_time_parse("2000-02-29T23:59:59Z", &t));
    assert_int_equal(t, 951868799);
    T_ERR(snp_x509_time_parse("2026-06-01 00:00:00Z", &t), SNP_E_FORMAT);
    T_ERR(snp_x509_time_parse("2026-13-01T00:00:00Z", &t), SNP_E_FORMAT);
    T_ERR(snp_x509_from_der(&x, (const uint8_t *)"\x30\x03\x02\x01\x00", 5, &used), SNP_E_FORMAT);
    assert_null(x);
    T_ERR(snp_x509_load((const uint8_t *)"-----BEGIN CERTIFICATE-----\nAAAA\n", 33, NULL, NULL),
          SNP_E_FORMAT);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots_match_pins),
        cmocka_unit_test(test_amd_extensions),
        cmocka_unit_test(test_amd_crls),
        cmocka_unit_test(test_times_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
