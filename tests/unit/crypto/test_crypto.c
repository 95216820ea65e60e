/*
 * tests/unit/crypto/test_crypto.c - the OpenSSL wrapper: digests, P-384 keys, ECDSA in the
 * SEV-SNP signature format, and a real report's signature checked with its real VCEK.
 */
#include "helpers.h"

#include "crypto/crypto.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

static void
test_sha_known_answers(void **state)
{
    uint8_t d384[SNP_SHA384_SIZE];
    uint8_t d256[SNP_SHA256_SIZE];
    uint8_t want384[48];
    uint8_t want256[32];
    struct snp_sha384_ctx *c = NULL;

    (void)state;
    /* FIPS 180-2 appendix examples: "abc". */
    t_unhex(want384, 48,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
    t_unhex(want256, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    T_OK(snp_sha384(d384, "abc", 3));
    t_memeq(d384, want384, 48);
    T_OK(snp_sha256(d256, "abc", 3));
    t_memeq(d256, want256, 32);

    T_OK(snp_sha384_new(&c));
    T_OK(snp_sha384_update(c, "a", 1));
    T_OK(snp_sha384_update(c, "bc", 2));
    T_OK(snp_sha384_final(c, d384));
    snp_sha384_free(c);
    t_memeq(d384, want384, 48);
    snp_sha384_free(NULL);
}

static void
test_sign_verify_round_trip(void **state)
{
    struct snp_eckey *k = NULL;
    struct snp_eckey *pub = NULL;
    struct snp_signature sig;
    uint8_t x[48], y[48];
    uint8_t msg[100];

    (void)state;
    t_fill(msg, sizeof(msg), 1);
    T_OK(snp_eckey_generate(&k));
    assert_true(snp_eckey_has_private(k));
    T_OK(snp_ecdsa_p384_sign(k, msg, sizeof(msg), &sig));
    assert_true(snp_ct_is_zero(sig.rsvd_0x090, sizeof(sig.rsvd_0x090)));
    assert_true(snp_ct_is_zero(sig.r + 48, 24));
    T_OK(snp_ecdsa_p384_verify(k, msg, sizeof(msg), &sig));

    /* The public half alone, rebuilt from its point, verifies too. */
    T_OK(snp_eckey_point(k, x, y));
    T_OK(snp_eckey_from_point(&pub, x, y));
    assert_false(snp_eckey_has_private(pub));
    T_OK(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &sig));

    /* A changed message or signature is a bad signature, not a library failure. */
    msg[7] ^= 1;
    T_ERR(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &sig), SNP_E_SIG);
    msg[7] ^= 1;
    sig.s[0] ^= 1;
    T_ERR(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &sig), SNP_E_SIG);
    sig.s[0] ^= 1;

    /* Out-of-range R/S are refused before OpenSSL sees them. */
    struct snp_signature bad = sig;
    memset(bad.r, 0, sizeof(bad.r));
    T_ERR(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &bad), SNP_E_RANGE);
    bad = sig;
    t_unhex(bad.s, 48,
            "7329c5cc6a19ecec7aa7b048b20d1a58df2d37f4814d63c7"
            "ffffffffffffffffffffffffffffffffffffffffffffffff"); /* n, little-endian */
    T_ERR(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &bad), SNP_E_RANGE);
    bad = sig;
    bad.r[60] = 1; /* beyond the 48 bytes of P-384 */
    T_ERR(snp_ecdsa_p384_verify(pub, msg, sizeof(msg), &bad), SNP_E_RANGE);

    snp_eckey_free(k);
    snp_eckey_free(pub);
    snp_eckey_free(NULL);
}

static void
test_point_not_on_curve(void **state)
{
    uint8_t x[48] = {0};
    uint8_t y[48] = {0};
    struct snp_eckey *k = (struct snp_eckey *)1;

    (void)state;
    x[47] = 1;
    y[47] = 1;
    T_ERR(snp_eckey_from_point(&k, x, y), SNP_E_RANGE);
    assert_null(k);
}

static void
test_pem_round_trip_and_garbage(void **state)
{
    struct snp_eckey *k = NULL;
    struct snp_eckey *k2 = NULL;
    char *pem = NULL;
    size_t n = 0;
    uint8_t x1[48], y1[48], x2[48], y2[48];

    (void)state;
    T_OK(snp_eckey_generate(&k));
    T_OK(snp_eckey_to_pem(k, true, &pem, &n));
    T_OK(snp_eckey_from_pem(&k2, (const uint8_t *)pem, n));
    assert_true(snp_eckey_has_private(k2));
    T_OK(snp_eckey_point(k, x1, y1));
    T_OK(snp_eckey_point(k2, x2, y2));
    t_memeq(x1, x2, 48);
    t_memeq(y1, y2, 48);
    snp_free_secret(pem, n);
    snp_eckey_free(k2);
    k2 = NULL;
    T_OK(snp_eckey_to_pem(k, false, &pem, &n));
    T_OK(snp_eckey_from_pem(&k2, (const uint8_t *)pem, n));
    assert_false(snp_eckey_has_private(k2));
    free(pem);
    snp_eckey_free(k2);
    snp_eckey_free(k);
    T_ERR(snp_eckey_from_pem(&k2, (const uint8_t *)"garbage", 7), SNP_E_FORMAT);
}

/* The real thing: go-sev-guest's Milan report, signed by the VCEK in vcek.testcer (DER). */
static void
test_real_report_signature(void **state)
{
    size_t rlen = 0, clen = 0;
    uint8_t *rep = t_vector("go-sev-guest/attestation.bin", &rlen);
    uint8_t *cert = t_vector("go-sev-guest/vcek.testcer", &clen);
    struct snp_eckey *vcek = NULL;
    struct snp_report *r = malloc(sizeof(*r));

    (void)state;
    assert_non_null(r);
    T_OK(snp_report_decode(r, rep, rlen, NULL));
    T_OK(snp_eckey_from_pem(&vcek, cert, clen));
    T_OK(snp_ecdsa_p384_verify(vcek, r->raw, SNP_REPORT_SIGNED_LEN, &r->signature));
    /* Every single-bit flip of the signed bytes breaks it (a sample of positions here; the
     * verifier's property test covers them all). */
    for (size_t bit = 0; bit < SNP_REPORT_SIGNED_LEN * 8; bit += 61) {
        r->raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        T_ERR(snp_ecdsa_p384_verify(vcek, r->raw, SNP_REPORT_SIGNED_LEN, &r->signature), SNP_E_SIG);
        r->raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    snp_eckey_free(vcek);
    free(r);
    free(rep);
    free(cert);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha_known_answers),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_point_not_on_curve),
        cmocka_unit_test(test_pem_round_trip_and_garbage),
        cmocka_unit_test(test_real_report_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
