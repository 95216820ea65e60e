/*
 * crypto/gcm.c - AES-256-GCM over OpenSSL's EVP interface (attestation.md §7.2).
 *
 * One EVP_CIPHER_CTX per context, re-initialised per message. Opening recomputes the tag by
 * running GCM in the encrypt direction over the recovered plaintext (GCM's tag covers the
 * ciphertext, which re-encryption reproduces exactly) and compares it with snp_ct_eq(), so the
 * one comparison of attacker-supplied bytes with a secret-derived value is ours and visible.
 */
#include "crypto/gcm.h"

#include "snpkit/util.h"

#include <openssl/evp.h>

#include <limits.h>

struct snp_gcm {
    EVP_CIPHER_CTX *ctx;
};

snp_err
snp_gcm_new(struct snp_gcm **out)
{
    struct snp_gcm *g = calloc(1, sizeof(*g));

    *out = NULL;
    if (g == NULL) {
        return SNP_E_NOMEM;
    }
    g->ctx = EVP_CIPHER_CTX_new();
    if (g->ctx == NULL) {
        free(g);
        return SNP_E_NOMEM;
    }
    *out = g;
    return SNP_OK;
}

void
snp_gcm_free(struct snp_gcm *g)
{
    if (g == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(g->ctx); /* cleanses the key schedule */
    free(g);
}

/* GCM in the encrypt direction: out = E(in), tag over out. */
static snp_err
gcm_encrypt(EVP_CIPHER_CTX *c, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
            size_t aad_len, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
    int n = 0;

    if (len > INT_MAX || aad_len > INT_MAX) {
        return SNP_E_ARG;
    }
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SNP_GCM_IV_SIZE, NULL) != 1 ||
        EVP_EncryptInit_ex(c, NULL, NULL, key, iv) != 1) {
        return SNP_E_CRYPTO;
    }
    if (aad_len > 0 && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1) {
        return SNP_E_CRYPTO;
    }
    if (len > 0 && EVP_EncryptUpdate(c, out, &n, in, (int)len) != 1) {
        return SNP_E_CRYPTO;
    }
    if (EVP_EncryptFinal_ex(c, out + len, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SNP_GCM_TAG_SIZE, tag) != 1) {
        return SNP_E_CRYPTO;
    }
    return SNP_OK;
}

/* The tag GCM gives when encrypting @pt (the ciphertext is produced and discarded). */
static snp_err
tag_of(EVP_CIPHER_CTX *c, const uint8_t *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
       const uint8_t *pt, size_t len, uint8_t *tag)
{
    uint8_t scratch[256];
    snp_err err = SNP_E_CRYPTO;
    int n = 0;

    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SNP_GCM_IV_SIZE, NULL) != 1 ||
        EVP_EncryptInit_ex(c, NULL, NULL, key, iv) != 1) {
        goto out;
    }
    if (aad_len > 0 && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1) {
        goto out;
    }
    for (size_t off = 0; off < len; off += sizeof(scratch)) {
        size_t k = len - off < sizeof(scratch) ? len - off : sizeof(scratch);
        if (EVP_EncryptUpdate(c, scratch, &n, pt + off, (int)k) != 1) {
            goto out;
        }
    }
    if (EVP_EncryptFinal_ex(c, scratch, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SNP_GCM_TAG_SIZE, tag) != 1) {
        goto out;
    }
    err = SNP_OK;
out:
    snp_wipe(scratch, sizeof(scratch));
    return err;
}

snp_err
snp_gcm_seal(struct snp_gcm *g, const uint8_t key[SNP_GCM_KEY_SIZE],
             const uint8_t iv[SNP_GCM_IV_SIZE], const uint8_t *aad, size_t aad_len,
             const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[SNP_GCM_TAG_SIZE])
{
    return gcm_encrypt(g->ctx, key, iv, aad, aad_len, in, out, len, tag);
}

snp_err
snp_gcm_open(struct snp_gcm *g, const uint8_t key[SNP_GCM_KEY_SIZE],
             const uint8_t iv[SNP_GCM_IV_SIZE], const uint8_t *aad, size_t aad_len,
             const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[SNP_GCM_TAG_SIZE])
{
    uint8_t want[SNP_GCM_TAG_SIZE];
    snp_err err = SNP_E_CRYPTO;
    int n = 0;

    if (len > INT_MAX || aad_len > INT_MAX) {
        return SNP_E_ARG;
    }
    /* CTR decryption: GCM decrypt without the final tag check. */
    if (EVP_DecryptInit_ex(g->ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_SET_IVLEN, SNP_GCM_IV_SIZE, NULL) != 1 ||
        EVP_DecryptInit_ex(g->ctx, NULL, NULL, key, iv) != 1) {
        goto out;
    }
    if (len > 0 && EVP_DecryptUpdate(g->ctx, out, &n, in, (int)len) != 1) {
        goto out;
    }
    /* The tag of the received ciphertext: re-encrypting the plaintext reproduces it. GCM
     * keeps its state across updates, so a small scratch block is enough (nothing allocated). */
    err = tag_of(g->ctx, key, iv, aad, aad_len, out, len, want);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_ct_eq(want, tag, SNP_GCM_TAG_SIZE) ? SNP_OK : SNP_E_AUTH;
out:
    if (err != SNP_OK) {
        snp_wipe(out, len);
    }
    snp_wipe(want, sizeof(want));
    return err;
}
