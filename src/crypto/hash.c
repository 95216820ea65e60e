/*
 * crypto/hash.c - SHA-384/SHA-256 and random bytes over OpenSSL's EVP interface.
 */
#include "crypto/crypto.h"

#include "crypto/ossl_err.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

struct snp_sha384_ctx {
    EVP_MD_CTX *md;
};

static snp_err
digest(const EVP_MD *md, uint8_t *out, unsigned want, const void *data, size_t len)
{
    unsigned got = 0;

    if (EVP_Digest(data, len, out, &got, md, NULL) != 1 || got != want) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    return SNP_OK;
}

snp_err
snp_sha384(uint8_t out[SNP_SHA384_SIZE], const void *data, size_t len)
{
    return digest(EVP_sha384(), out, SNP_SHA384_SIZE, data, len);
}

snp_err
snp_sha256(uint8_t out[SNP_SHA256_SIZE], const void *data, size_t len)
{
    return digest(EVP_sha256(), out, SNP_SHA256_SIZE, data, len);
}

snp_err
snp_sha384_new(struct snp_sha384_ctx **out)
{
    struct snp_sha384_ctx *c;

    *out = NULL;
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        return SNP_E_NOMEM;
    }
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL) {
        OPENSSL_free(c);
        return snp_ossl_err(SNP_E_NOMEM);
    }
    if (EVP_DigestInit_ex(c->md, EVP_sha384(), NULL) != 1) {
        snp_sha384_free(c);
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    *out = c;
    return SNP_OK;
}

snp_err
snp_sha384_update(struct snp_sha384_ctx *c, const void *data, size_t len)
{
    return EVP_DigestUpdate(c->md, data, len) == 1 ? SNP_OK : snp_ossl_err(SNP_E_CRYPTO);
}

snp_err
snp_sha384_final(struct snp_sha384_ctx *c, uint8_t out[SNP_SHA384_SIZE])
{
    unsigned got = 0;

    if (EVP_DigestFinal_ex(c->md, out, &got) != 1 || got != SNP_SHA384_SIZE) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    return SNP_OK;
}

void
snp_sha384_free(struct snp_sha384_ctx *c)
{
    if (c == NULL) {
        return;
    }
    EVP_MD_CTX_free(c->md);
    OPENSSL_free(c);
}

snp_err
snp_random(uint8_t *out, size_t len)
{
    if (len > INT32_MAX) {
        return SNP_E_ARG;
    }
    return RAND_bytes(out, (int)len) == 1 ? SNP_OK : snp_ossl_err(SNP_E_CRYPTO);
}
