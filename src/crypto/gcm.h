/*
 * crypto/gcm.h - AES-256-GCM for SNP guest messages (attestation.md §7.2): 12-byte IV, 16-byte
 * tag, additional data. A context is allocated once (the firmware model's construction) and
 * reused for every message, so sealing and opening allocate nothing in this module.
 *
 * snp_gcm_open() compares the tag with snp_ct_eq() (STYLE.md §8): it decrypts, re-derives the
 * tag over the received ciphertext and compares in constant time; on a mismatch the plaintext
 * buffer is wiped and SNP_E_AUTH is returned.
 */
#ifndef SNP_CRYPTO_GCM_H
#define SNP_CRYPTO_GCM_H

#include "base/compiler.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_GCM_KEY_SIZE 32
#define SNP_GCM_IV_SIZE  12
#define SNP_GCM_TAG_SIZE 16

struct snp_gcm;

/* snp_gcm_new() - an AES-256-GCM context. SNP_OK, SNP_E_NOMEM. */
SNP_MUST_CHECK snp_err snp_gcm_new(struct snp_gcm **out);
/* snp_gcm_free() - wipe and release; NULL is a no-op. */
void snp_gcm_free(struct snp_gcm *g);

/*
 * snp_gcm_seal() - encrypt @len bytes of @in into @out (may be equal) under @key/@iv with
 * @aad (may be NULL when aad_len is 0) and write the 16-byte tag.
 * Returns SNP_OK, SNP_E_ARG (len > INT_MAX), SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_gcm_seal(struct snp_gcm *g, const uint8_t key[SNP_GCM_KEY_SIZE],
                                    const uint8_t iv[SNP_GCM_IV_SIZE], const uint8_t *aad,
                                    size_t aad_len, const uint8_t *in, uint8_t *out, size_t len,
                                    uint8_t tag[SNP_GCM_TAG_SIZE]);

/*
 * snp_gcm_open() - decrypt @len bytes of @in into @out (MUST NOT overlap @in) and check @tag.
 * Returns SNP_OK; SNP_E_AUTH when the tag does not verify (out wiped); SNP_E_ARG; SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_gcm_open(struct snp_gcm *g, const uint8_t key[SNP_GCM_KEY_SIZE],
                                    const uint8_t iv[SNP_GCM_IV_SIZE], const uint8_t *aad,
                                    size_t aad_len, const uint8_t *in, uint8_t *out, size_t len,
                                    const uint8_t tag[SNP_GCM_TAG_SIZE]);

#endif /* SNP_CRYPTO_GCM_H */
