/*
 * crypto/kdf.h - the key derivation of the simulated firmware's MSG_KEY_REQ (attestation.md
 * §7.6) and the simulator's VLEK wrapping key. AMD's real derivation is not public; ours is
 * written out in docs/psp.md.
 *
 * snp_kdf_ctr_hmac_sha256() is NIST SP 800-108 counter mode with HMAC-SHA-256 as the PRF, in
 * the byte order §7.6 gives for the firmware: block i (from 1) is
 *   HMAC-SHA-256(key, u32le(i) || label || 0x00 || context || u32le(L bits)).
 */
#ifndef SNP_CRYPTO_KDF_H
#define SNP_CRYPTO_KDF_H

#include "base/compiler.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_KDF_CONTEXT_MAX 512 /* bytes of context one call accepts */
#define SNP_KDF_OUT_MAX     64  /* bytes of output one call produces */

/*
 * snp_kdf_ctr_hmac_sha256() - @out_len (1..64) bytes from @key (1..128 bytes), the NUL-free
 * @label and @context (0..512 bytes). Same inputs give the same bytes; any changed input gives
 * unrelated bytes. Returns SNP_OK, SNP_E_ARG, SNP_E_CRYPTO (out wiped on failure).
 */
SNP_MUST_CHECK snp_err snp_kdf_ctr_hmac_sha256(uint8_t *out, size_t out_len, const uint8_t *key,
                                               size_t key_len, const char *label,
                                               const uint8_t *context, size_t context_len);

/*
 * snp_vlek_wrap_key() - the AES-256-GCM key that wraps a VLEK "hashstick" for one chip
 * (SNP_VLEK_LOAD, docs/psp.md): snp_kdf_ctr_hmac_sha256(chip secret, "snpkit vlek wrap v1",
 * context = empty, 32 bytes). The vendor, which knows the chip secret of the chips it made,
 * wraps with it; the firmware unwraps with it.
 */
SNP_MUST_CHECK snp_err snp_vlek_wrap_key(uint8_t key[32], const uint8_t chip_secret[32]);

#endif /* SNP_CRYPTO_KDF_H */
