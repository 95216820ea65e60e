/*
 * crypto/vcek_kdf.c - chip secret, CHIP_ID, VCEK and VLEK derivation of the simulated chip
 * (see vcek_kdf.h and docs/vendor.md for the construction).
 *
 * Relies on OpenSSL's HKDF (RFC 5869) and bignum reduction. Every intermediate that depends on
 * a secret is wiped on the way out; the reduction runs with BN_FLG_CONSTTIME. Must not log,
 * print or keep any key material.
 */
#include "crypto/vcek_kdf.h"

#include "snpkit/util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string.h>

static const char salt_chip[] = "snpkit chip secret v1";
static const char salt_kdf[] = "snpkit vcek kdf v1";
static const char salt_csp[] = "snpkit csp secret v1";

/* SEC 2, secp384r1: the group order n minus 1, big-endian. */
static const uint8_t p384_order_m1[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x72,
};

/* HKDF-SHA-384 extract-and-expand. */
static snp_err
hkdf(uint8_t *out, size_t out_len, const char *salt, const uint8_t *ikm, size_t ikm_len,
     const uint8_t *info, size_t info_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf == NULL ? NULL : EVP_KDF_CTX_new(kdf);
    /* OpenSSL's HKDF refuses an empty IKM: an empty seed is fed as the single byte 00
     * (docs/vendor.md). Seeds are the only IKM that can be empty. */
    static const uint8_t empty[1] = {0};
    OSSL_PARAM params[5];
    char digest[] = "SHA384";
    size_t n = 0;
    snp_err err = SNP_E_CRYPTO;

    if (ctx == NULL) {
        goto out;
    }
    /* OSSL_PARAM takes non-const pointers but only reads them here (through uintptr_t so
     * -Wcast-qual stays meaningful elsewhere). */
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    (void *)(uintptr_t)(ikm_len == 0 ? empty : ikm),
                                                    ikm_len == 0 ? 1 : ikm_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)salt,
                                                    strlen(salt));
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(uintptr_t)info, info_len);
    params[n] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, out_len, params) == 1) {
        err = SNP_OK;
    }
out:
    if (err != SNP_OK) {
        snp_wipe(out, out_len);
    }
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return err;
}

snp_err
snp_chip_secret_from_seed(uint8_t out[SNP_CHIP_SECRET_SIZE], const uint8_t *seed, size_t seed_len)
{
    memset(out, 0, SNP_CHIP_SECRET_SIZE);
    SNP_ENSURE(seed != NULL || seed_len == 0, SNP_E_ARG);
    return hkdf(out, SNP_CHIP_SECRET_SIZE, salt_chip, seed, seed_len, NULL, 0);
}

snp_err
snp_chip_id_derive(uint8_t chip_id[SNP_CHIP_ID_SIZE], const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                   enum snp_product p)
{
    const uint8_t info[9] = {'C', 'H', 'I', 'P', '_', 'I', 'D', 0, (uint8_t)p};

    memset(chip_id, 0, SNP_CHIP_ID_SIZE);
    SNP_ENSURE(p == SNP_PRODUCT_MILAN || p == SNP_PRODUCT_GENOA || p == SNP_PRODUCT_TURIN,
               SNP_E_ARG);
    SNP_TRY(hkdf(chip_id, SNP_CHIP_ID_SIZE, salt_kdf, secret, SNP_CHIP_SECRET_SIZE, info,
                 sizeof(info)));
    if (p == SNP_PRODUCT_TURIN) {
        /* attestation.md §4.4: Turin's hwID is CHIP_ID[0..8]; the rest reads as zero. */
        memset(chip_id + 8, 0, SNP_CHIP_ID_SIZE - 8);
    }
    return SNP_OK;
}

/* d = (OKM mod (n-1)) + 1 for OKM = HKDF(secret, label 00 p tcb[8]), 56 bytes. */
static snp_err
derive_scalar(uint8_t d[SNP_P384_SCALAR_SIZE], const char *salt, const uint8_t *secret,
              size_t secret_len, const char label[4], enum snp_product p, uint64_t tcb)
{
    uint8_t info[14];
    uint8_t okm[56];
    BN_CTX *bnctx = NULL;
    BIGNUM *c = NULL, *m = NULL, *r = NULL;
    snp_err err = SNP_E_CRYPTO;

    memset(d, 0, SNP_P384_SCALAR_SIZE);
    if (p != SNP_PRODUCT_MILAN && p != SNP_PRODUCT_GENOA && p != SNP_PRODUCT_TURIN) {
        return SNP_E_ARG;
    }
    memcpy(info, label, 4);
    info[4] = 0;
    info[5] = (uint8_t)p;
    for (unsigned i = 0; i < 8; i++) {
        info[6 + i] = (uint8_t)(tcb >> (8 * i)); /* TCB_VERSION bytes in report order */
    }
    err = hkdf(okm, sizeof(okm), salt, secret, secret_len, info, sizeof(info));
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_NOMEM;
    bnctx = BN_CTX_secure_new();
    c = BN_secure_new();
    m = BN_new();
    r = BN_secure_new();
    if (bnctx == NULL || c == NULL || m == NULL || r == NULL) {
        goto out;
    }
    err = SNP_E_CRYPTO;
    BN_set_flags(c, BN_FLG_CONSTTIME);
    BN_set_flags(r, BN_FLG_CONSTTIME);
    if (BN_bin2bn(okm, sizeof(okm), c) == NULL ||
        BN_bin2bn(p384_order_m1, sizeof(p384_order_m1), m) == NULL ||
        BN_nnmod(r, c, m, bnctx) != 1 || BN_add_word(r, 1) != 1 ||
        BN_bn2binpad(r, d, SNP_P384_SCALAR_SIZE) != SNP_P384_SCALAR_SIZE) {
        goto out;
    }
    err = SNP_OK;
out:
    if (err != SNP_OK) {
        snp_wipe(d, SNP_P384_SCALAR_SIZE);
    }
    snp_wipe(okm, sizeof(okm));
    BN_clear_free(c);
    BN_free(m);
    BN_clear_free(r);
    BN_CTX_free(bnctx);
    return err;
}

snp_err
snp_vcek_derive_scalar(uint8_t d[SNP_P384_SCALAR_SIZE], const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                       enum snp_product p, uint64_t tcb)
{
    return derive_scalar(d, salt_kdf, secret, SNP_CHIP_SECRET_SIZE, "VCEK", p, tcb);
}

snp_err
snp_vlek_derive_scalar(uint8_t d[SNP_P384_SCALAR_SIZE],
                       const uint8_t csp_secret[SNP_CSP_SECRET_SIZE], enum snp_product p,
                       uint64_t tcb)
{
    return derive_scalar(d, salt_kdf, csp_secret, SNP_CSP_SECRET_SIZE, "VLEK", p, tcb);
}

static snp_err
to_key(struct snp_eckey **out, uint8_t d[SNP_P384_SCALAR_SIZE], snp_err derived)
{
    snp_err err = derived;

    if (err == SNP_OK) {
        err = snp_eckey_from_private(out, d);
    }
    snp_wipe(d, SNP_P384_SCALAR_SIZE);
    return err;
}

snp_err
snp_vcek_derive(struct snp_eckey **out, const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                enum snp_product p, uint64_t tcb)
{
    uint8_t d[SNP_P384_SCALAR_SIZE];

    *out = NULL;
    return to_key(out, d, snp_vcek_derive_scalar(d, secret, p, tcb));
}

snp_err
snp_vlek_derive(struct snp_eckey **out, const uint8_t csp_secret[SNP_CSP_SECRET_SIZE],
                enum snp_product p, uint64_t tcb)
{
    uint8_t d[SNP_P384_SCALAR_SIZE];

    *out = NULL;
    return to_key(out, d, snp_vlek_derive_scalar(d, csp_secret, p, tcb));
}

snp_err
snp_csp_secret_derive(uint8_t out[SNP_CSP_SECRET_SIZE], const uint8_t master[SNP_CSP_SECRET_SIZE],
                      const char *csp_id)
{
    memset(out, 0, SNP_CSP_SECRET_SIZE);
    SNP_ENSURE(csp_id != NULL && csp_id[0] != '\0', SNP_E_ARG);
    return hkdf(out, SNP_CSP_SECRET_SIZE, salt_csp, master, SNP_CSP_SECRET_SIZE,
                (const uint8_t *)csp_id, strlen(csp_id));
}
