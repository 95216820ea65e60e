/*
 * tests/unit/measure/test_idblock_cmd.c - ID block and ID auth construction (attestation.md §9)
 * against the known answers of MANIFEST §5: virtee/sev, sev-snp-measure and lit-sev-snp-utils.
 *
 * ECDSA signing is randomized, so the tests compare the deterministic parts (ID block bytes,
 * key fields, digests, algorithms) byte for byte and check that our signatures verify; the
 * upstream ID_AUTH_INFO signatures are checked to verify with the same keys, which proves the
 * signed bytes agree. A self-contained part uses a freshly generated key.
 */
#include "helpers.h"
#include "measure/idauth.h"
#include "snpkit/idblock.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

static struct snp_eckey *
key_from_vector(const char *rel)
{
    size_t len;
    uint8_t *pem = t_vector(rel, &len);
    struct snp_eckey *k = NULL;

    T_OK(snp_eckey_from_pem(&k, pem, len));
    free(pem);
    return k;
}

static void
b64_to(uint8_t *out, size_t n, const char *b64)
{
    size_t got = 0;

    T_OK(snp_b64_decode(out, n, &got, b64, strlen(b64), NULL));
    assert_int_equal(got, n);
}

/* Build, sign, and check every deterministic part; returns the encoded ID block and digests. */
static void
build(const uint8_t ld[48], struct snp_eckey *idk, struct snp_eckey *authk,
      uint8_t blk[SNP_ID_BLOCK_SIZE], struct snp_id_auth *auth, uint8_t id_dig[48],
      uint8_t auth_dig[48])
{
    struct snp_id_block b;
    uint8_t field[SNP_ECDSA_PUBKEY_SIZE], wire[SNP_ID_AUTH_SIZE];
    struct snp_id_auth back;

    memset(&b, 0, sizeof(b));
    memcpy(b.ld, ld, 48);
    b.version = 1;
    b.policy = 0x30000;
    T_OK(snp_id_block_encode(blk, &b));
    T_OK(snp_id_auth_sign(auth, blk, idk, authk));
    assert_int_equal(auth->id_key_algo, 1);
    T_OK(snp_ecdsa_p384_verify(idk, blk, SNP_ID_BLOCK_SIZE, &auth->id_block_sig));
    T_OK(snp_key_digest(idk, field, id_dig));
    if (authk != NULL) {
        assert_int_equal(auth->author_key_algo, 1);
        T_OK(snp_ecdsa_p384_verify(authk, field, sizeof(field), &auth->id_key_sig));
        T_OK(snp_key_digest(authk, NULL, auth_dig));
    }
    /* The structure round-trips through the strict (firmware-side) decoder. */
    T_OK(snp_id_auth_encode(wire, auth));
    T_OK(snp_id_auth_decode(&back, wire, sizeof(wire), NULL));
}

static void
test_virtee(void **state)
{
    static const char *blk_b64 = "oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZdF"
                                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA";
    struct snp_eckey *idk = key_from_vector("virtee-sev/test_id_key.pem");
    struct snp_eckey *authk = key_from_vector("virtee-sev/test_auth_key.pem");
    uint8_t ld[48], blk[96], want_blk[96], id_dig[48], auth_dig[48], want[48];
    struct snp_id_auth auth, up;
    size_t len;
    uint8_t *upstream;

    (void)state;
    t_unhex(ld, 48,
            "a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c"
            "231715b38e263dc6059745");
    build(ld, idk, authk, blk, &auth, id_dig, auth_dig);
    b64_to(want_blk, 96, blk_b64);
    t_memeq(blk, want_blk, 96);
    t_unhex(want, 48,
            "59fb2c686dfa4fef49f38339aa775c90051c28d57383ddc3baf3b5eb4b1496df3b0dbbdc"
            "bae5fe27677a644820773fe2");
    t_memeq(id_dig, want, 48);
    t_unhex(want, 48,
            "eed81169fb0cb5e0ec34794f128fd4e0c4a46f67c65a1adfa81fcb24bcc088c272369b7f"
            "fc3eb2b6af6a4284a1b36c5f");
    t_memeq(auth_dig, want, 48);

    /* upstream expected_auth_block: same key fields and algorithms; its signatures verify */
    upstream = t_vector("virtee-sev/test_auth_block.bin", &len);
    T_OK(snp_id_auth_decode(&up, upstream, len, NULL));
    assert_int_equal(up.id_key_algo, auth.id_key_algo);
    assert_int_equal(up.author_key_algo, auth.author_key_algo);
    assert_memory_equal(&up.id_key, &auth.id_key, sizeof(up.id_key));
    assert_memory_equal(&up.author_key, &auth.author_key, sizeof(up.author_key));
    T_OK(snp_ecdsa_p384_verify(idk, blk, 96, &up.id_block_sig));
    free(upstream);
    snp_eckey_free(idk);
    snp_eckey_free(authk);
}

static void
test_sev_snp_measure(void **state)
{
    struct snp_eckey *idk = key_from_vector("sev-snp-measure/id_key_test.pem");
    struct snp_eckey *authk = key_from_vector("sev-snp-measure/author_key_test.pem");
    uint8_t ld[48], blk[96], want_blk[96], id_dig[48], auth_dig[48], want[48];
    struct snp_id_auth auth;

    (void)state;
    b64_to(ld, 48, "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t");
    build(ld, idk, authk, blk, &auth, id_dig, auth_dig);
    b64_to(want_blk, 96,
           "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t"
           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA");
    t_memeq(blk, want_blk, 96);
    b64_to(want, 48, "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU");
    t_memeq(id_dig, want, 48);
    b64_to(want, 48, "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX");
    t_memeq(auth_dig, want, 48);
    snp_eckey_free(idk);
    snp_eckey_free(authk);
}

static void
test_lit(void **state)
{
    struct snp_eckey *idk = key_from_vector("lit-sev-snp-utils/id-key.pem");
    struct snp_eckey *authk = key_from_vector("lit-sev-snp-utils/author-key.pem");
    uint8_t ld[48], blk[96], id_dig[48], auth_dig[48], want[48];
    struct snp_id_auth auth, up;
    size_t len;
    uint8_t *want_blk, *upstream;
    uint8_t field[SNP_ECDSA_PUBKEY_SIZE];

    (void)state;
    t_unhex(ld, 48,
            "ffb0cb7f01a5d5b122430d66f211326ab5cf11a9a5d3189ec53adf9a60730bc63d9856fe9f"
            "e602abd662861d0ee36007");
    build(ld, idk, authk, blk, &auth, id_dig, auth_dig);
    want_blk = t_vector("lit-sev-snp-utils/id_block.b64.bin", &len);
    assert_int_equal(len, 96);
    t_memeq(blk, want_blk, 96);
    t_unhex(want, 48,
            "64a7dce6dcc44a98f0db95301dec5d33def24ffd71df2911663dd8603e18a6831ac6fafd"
            "2b67d983b338305db818516c");
    t_memeq(id_dig, want, 48);
    t_unhex(want, 48,
            "bbb27d63ea847e0412b5b07ccdd673a46212545aceaf6b87521467ab66b982ead7901a9a"
            "190bdd1ffacf656c7ac1e9cc");
    t_memeq(auth_dig, want, 48);
    upstream = t_vector("lit-sev-snp-utils/auth_info.b64.bin", &len);
    T_OK(snp_id_auth_decode(&up, upstream, len, NULL));
    assert_memory_equal(&up.id_key, &auth.id_key, sizeof(up.id_key));
    assert_memory_equal(&up.author_key, &auth.author_key, sizeof(up.author_key));
    T_OK(snp_ecdsa_p384_verify(idk, blk, 96, &up.id_block_sig));
    T_OK(snp_ecdsa_pubkey_encode(field, &up.id_key));
    T_OK(snp_ecdsa_p384_verify(authk, field, sizeof(field), &up.id_key_sig));
    free(want_blk);
    free(upstream);
    snp_eckey_free(idk);
    snp_eckey_free(authk);
}

/* No vectors: a generated key, no author key, and the refusals. */
static void
test_generated_key_no_author(void **state)
{
    struct snp_eckey *k = NULL, *pub = NULL;
    uint8_t ld[48], blk[96], id_dig[48], x[48], y[48];
    struct snp_id_auth auth;
    static const uint8_t zero[SNP_SIG_SIZE];

    (void)state;
    t_fill(ld, sizeof(ld), 9);
    T_OK(snp_eckey_generate(&k));
    build(ld, k, NULL, blk, &auth, id_dig, NULL);
    assert_int_equal(auth.author_key_algo, 0);
    assert_memory_equal(&auth.id_key_sig, zero, sizeof(auth.id_key_sig));
    /* a tampered ID block no longer verifies */
    blk[0] ^= 1;
    T_ERR(snp_ecdsa_p384_verify(k, blk, 96, &auth.id_block_sig), SNP_E_SIG);
    /* a public key cannot sign */
    T_OK(snp_eckey_point(k, x, y));
    T_OK(snp_eckey_from_point(&pub, x, y));
    T_ERR(snp_id_auth_sign(&auth, blk, pub, NULL), SNP_E_ARG);
    T_ERR(snp_id_auth_sign(&auth, blk, k, pub), SNP_E_ARG);
    snp_eckey_free(pub);
    snp_eckey_free(k);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtee),
        cmocka_unit_test(test_sev_snp_measure),
        cmocka_unit_test(test_lit),
        cmocka_unit_test(test_generated_key_no_author),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
