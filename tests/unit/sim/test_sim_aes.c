/*
 * tests/unit/sim/test_sim_aes.c - crypto/aes.h: the memory cipher against OpenSSL's own
 * AES-XTS (an independent implementation: full pages must match it with IV = page SPA), the
 * observable properties of hardware.md §3.3, and argument checks.
 */
#include "helpers.h"

#include "crypto/aes.h"

#include <openssl/evp.h>

#include <string.h>

static void
openssl_xts(const EVP_CIPHER *c, const uint8_t *key, uint64_t spa, const uint8_t *in, uint8_t *out)
{
    uint8_t iv[16] = {0};
    int n = 0;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();

    for (int i = 0; i < 8; i++) {
        iv[i] = (uint8_t)(spa >> (8 * i));
    }
    assert_non_null(x);
    assert_int_equal(EVP_EncryptInit_ex(x, c, NULL, key, iv), 1);
    assert_int_equal(EVP_EncryptUpdate(x, out, &n, in, 4096), 1);
    assert_int_equal(n, 4096);
    EVP_CIPHER_CTX_free(x);
}

static void
check_against_openssl(size_t klen, const EVP_CIPHER *c)
{
    static uint8_t pt[4096], ct[4096], want[4096], back[4096];
    uint8_t key[64];
    struct snp_aes_xts *x = NULL;
    uint64_t spa = UINT64_C(0x12345000);

    t_fill(key, sizeof(key), 7);
    t_fill(pt, sizeof(pt), 9);
    T_OK(snp_aes_xts_new(&x));
    T_OK(snp_aes_xts_set_key(x, key, klen));
    T_OK(snp_aes_xts_crypt(x, true, spa, pt, ct, sizeof(pt)));
    openssl_xts(c, key, spa, pt, want);
    t_memeq(ct, want, sizeof(ct));
    /* Any aligned run inside the page encrypts as its slice of the page. */
    T_OK(snp_aes_xts_crypt(x, true, spa + 0x130, pt + 0x130, back, 0x40));
    t_memeq(back, want + 0x130, 0x40);
    T_OK(snp_aes_xts_crypt(x, false, spa, ct, back, sizeof(ct)));
    t_memeq(back, pt, sizeof(pt));
    snp_aes_xts_free(x);
}

static void
test_matches_openssl_128(void **state)
{
    (void)state;
    check_against_openssl(SNP_AES_XTS_128_KEY_SIZE, EVP_aes_128_xts());
}

static void
test_matches_openssl_256(void **state)
{
    (void)state;
    check_against_openssl(SNP_AES_XTS_256_KEY_SIZE, EVP_aes_256_xts());
}

static void
test_tweak_properties(void **state)
{
    uint8_t key[32], p[32], c1[32], c2[32], c3[32];
    struct snp_aes_xts *x = NULL;

    (void)state;
    t_fill(key, sizeof(key), 1);
    memset(p, 0x41, sizeof(p));
    T_OK(snp_aes_xts_new(&x));
    T_OK(snp_aes_xts_set_key(x, key, sizeof(key)));
    T_OK(snp_aes_xts_crypt(x, true, 0x1000, p, c1, 32));
    T_OK(snp_aes_xts_crypt(x, true, 0x2000, p, c2, 32));
    T_OK(snp_aes_xts_crypt(x, true, 0x1000, p, c3, 32));
    /* §3.3: same plaintext, other SPA -> other ciphertext; same SPA -> same ciphertext; and
     * the two equal blocks within one run differ (per-block tweak). */
    assert_memory_not_equal(c1, c2, 32);
    t_memeq(c1, c3, 32);
    assert_memory_not_equal(c1, c1 + 16, 16);
    /* Crossing a page boundary. */
    T_OK(snp_aes_xts_crypt(x, true, 0x1FF0, p, c1, 32));
    T_OK(snp_aes_xts_crypt(x, false, 0x1FF0, c1, c2, 32));
    t_memeq(c2, p, 32);
    snp_aes_xts_free(x);
}

static void
test_args(void **state)
{
    uint8_t key[64] = {0}, b[32] = {0};
    struct snp_aes_xts *x = NULL;

    (void)state;
    T_OK(snp_aes_xts_new(&x));
    T_ERR(snp_aes_xts_crypt(x, true, 0, b, b, 16), SNP_E_ARG); /* no key */
    T_ERR(snp_aes_xts_set_key(x, key, 16), SNP_E_ARG);
    t_fill(key, sizeof(key), 3);
    T_OK(snp_aes_xts_set_key(x, key, 32));
    assert_true(snp_aes_xts_has_key(x));
    T_ERR(snp_aes_xts_crypt(x, true, 8, b, b, 16), SNP_E_ARG);
    T_ERR(snp_aes_xts_crypt(x, true, 0, b, b, 15), SNP_E_ARG);
    snp_aes_xts_clear_key(x);
    assert_false(snp_aes_xts_has_key(x));
    snp_aes_xts_free(x);
    snp_aes_xts_free(NULL);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_openssl_128),
        cmocka_unit_test(test_matches_openssl_256),
        cmocka_unit_test(test_tweak_properties),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
