/*
 * crypto/kdf.c - SP 800-108 counter-mode KDF with HMAC-SHA-256 (attestation.md §7.6 byte order)
 * and the simulator's VLEK wrapping key. Relies on OpenSSL's one-shot HMAC(); holds no state.
 */
#include "crypto/kdf.h"

#include "snpkit/util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string.h>

static void
put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

snp_err
snp_kdf_ctr_hmac_sha256(uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len,
                        const char *label, const uint8_t *context, size_t context_len)
{
    /* u32 counter || label (<= 64) || 0x00 || context || u32 L */
    uint8_t msg[4 + 64 + 1 + SNP_KDF_CONTEXT_MAX + 4];
    uint8_t blk[32];
    size_t label_len, n = 0, done = 0;
    snp_err err = SNP_E_ARG;

    if (out == NULL || out_len == 0 || out_len > SNP_KDF_OUT_MAX || key == NULL || key_len == 0 ||
        key_len > 128 || label == NULL || (context == NULL && context_len != 0) ||
        context_len > SNP_KDF_CONTEXT_MAX) {
        return SNP_E_ARG;
    }
    label_len = strlen(label);
    if (label_len > 64) {
        return SNP_E_ARG;
    }
    n = 4;
    memcpy(msg + n, label, label_len);
    n += label_len;
    msg[n++] = 0x00;
    if (context_len > 0) {
        memcpy(msg + n, context, context_len);
        n += context_len;
    }
    put_u32le(msg + n, (uint32_t)(out_len * 8));
    n += 4;
    for (uint32_t i = 1; done < out_len; i++) {
        unsigned got = 0;
        size_t k = out_len - done < sizeof(blk) ? out_len - done : sizeof(blk);
        put_u32le(msg, i);
        if (HMAC(EVP_sha256(), key, (int)key_len, msg, n, blk, &got) == NULL ||
            got != sizeof(blk)) {
            err = SNP_E_CRYPTO;
            goto out;
        }
        memcpy(out + done, blk, k);
        done += k;
    }
    err = SNP_OK;
out:
    if (err != SNP_OK) {
        snp_wipe(out, out_len);
    }
    snp_wipe(msg, sizeof(msg));
    snp_wipe(blk, sizeof(blk));
    return err;
}

snp_err
snp_vlek_wrap_key(uint8_t key[32], const uint8_t chip_secret[32])
{
    return snp_kdf_ctr_hmac_sha256(key, 32, chip_secret, 32, "snpkit vlek wrap v1", NULL, 0);
}
