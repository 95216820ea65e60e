/*
 * crypto/aes.h - AES-XTS/XEX with a physical-address tweak, for the simulated memory
 * controller (hardware.md §3.2) and its benchmark.
 *
 * The data unit is a 4 KiB page; the tweak of the 16-byte block at system physical address
 * SPA is T(SPA) = E_K2(page base SPA as a 128-bit little-endian integer) * alpha^j, j the
 * block's index in its page (IEEE 1619 XTS). A full page therefore encrypts exactly as
 * OpenSSL's AES-XTS with IV = page SPA, and any 16-byte aligned run of blocks can be processed
 * on its own: the same plaintext at two addresses differs, the same plaintext rewritten at one
 * address gives the same ciphertext (§3.3). AES-128-XTS takes a 32-byte key (K1 || K2),
 * AES-256-XTS a 64-byte key.
 *
 * A context holds expanded keys only (the caller's key bytes are not kept) and is wiped by
 * snp_aes_xts_free(). One context is not safe for concurrent use.
 */
#ifndef SNP_CRYPTO_AES_H
#define SNP_CRYPTO_AES_H

#include "base/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_AES_XTS_128_KEY_SIZE 32
#define SNP_AES_XTS_256_KEY_SIZE 64
#define SNP_AES_BLOCK            16
#define SNP_AES_XTS_UNIT         4096

struct snp_aes_xts;

/*
 * snp_aes_xts_new() - an empty context (no key yet); allocates. Programming a key later
 * (snp_aes_xts_set_key) allocates nothing new in this module.
 * Returns SNP_OK or SNP_E_NOMEM.
 */
SNP_MUST_CHECK snp_err snp_aes_xts_new(struct snp_aes_xts **out);

/*
 * snp_aes_xts_set_key() - install a key: @key_len MUST be SNP_AES_XTS_128_KEY_SIZE or
 * SNP_AES_XTS_256_KEY_SIZE. The bytes are not retained. Returns SNP_OK, SNP_E_ARG (length),
 * SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_aes_xts_set_key(struct snp_aes_xts *c, const uint8_t *key,
                                           size_t key_len);

/* snp_aes_xts_clear_key() - forget the key (wipes the expanded schedules). */
void snp_aes_xts_clear_key(struct snp_aes_xts *c);

bool snp_aes_xts_has_key(const struct snp_aes_xts *c);

/*
 * snp_aes_xts_crypt() - encrypt (@enc true) or decrypt @len bytes at system physical address
 * @spa from @in to @out (may be equal; otherwise MUST NOT overlap). @spa and @len MUST be
 * multiples of 16; the run may cross pages. Two EVP calls per page touched, none per block.
 * Returns SNP_OK, SNP_E_ARG (alignment, no key), SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_aes_xts_crypt(struct snp_aes_xts *c, bool enc, uint64_t spa,
                                         const uint8_t *in, uint8_t *out, size_t len);

/* snp_aes_xts_free() - wipe and release; NULL is a no-op. */
void snp_aes_xts_free(struct snp_aes_xts *c);

#endif /* SNP_CRYPTO_AES_H */
