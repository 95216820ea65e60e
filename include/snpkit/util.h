/*
 * snpkit/util.h - small public helpers of base/: constant-time compare, secure wipe, hex and
 * base64 text codecs. libc only.
 */
#ifndef SNPKIT_UTIL_H
#define SNPKIT_UTIL_H

#include "snpkit/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * snp_ct_eq() - compare n bytes in time that depends only on n. Use for every tag, MAC or
 * secret-derived value an attacker can influence.
 */
bool snp_ct_eq(const void *a, const void *b, size_t n);

/* snp_ct_is_zero() - true when all n bytes are zero; time depends only on n. */
bool snp_ct_is_zero(const void *p, size_t n);

/* snp_ct_select_u32() - a if bit is 1, b if bit is 0, without a branch. bit MUST be 0 or 1. */
uint32_t snp_ct_select_u32(uint32_t bit, uint32_t a, uint32_t b);

/* snp_wipe() - zero n bytes in a way the compiler may not remove. p may be NULL when n is 0. */
void snp_wipe(void *p, size_t n);

/* snp_free_secret() - wipe n bytes at p, then free(p). p may be NULL. */
void snp_free_secret(void *p, size_t n);

/*
 * snp_hex_encode() - lower-case hex of n bytes into out (2n + 1 bytes with the NUL).
 * Returns SNP_E_SPACE when out_size is too small.
 */
snp_err snp_hex_encode(char *out, size_t out_size, const uint8_t *in, size_t n);

/*
 * snp_hex_decode() - decode hex text into out. Whitespace (space, tab, CR, LF) and a leading
 * "0x" are ignored; anything else that is not a hex digit, or an odd digit count, gives
 * SNP_E_FORMAT with *err_off set to the offending text offset (when err_off is non-NULL).
 * *out_len receives the byte count; SNP_E_SPACE when out_size is too small.
 */
snp_err snp_hex_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in,
                       size_t in_len, size_t *err_off);

/* snp_b64_encode() - standard base64 with padding; out needs 4*ceil(n/3) + 1 bytes. */
snp_err snp_b64_encode(char *out, size_t out_size, const uint8_t *in, size_t n);

/*
 * snp_b64_decode() - decode standard or URL-safe base64; whitespace ignored, padding optional.
 * SNP_E_FORMAT (with *err_off) on a bad character or impossible length.
 */
snp_err snp_b64_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in,
                       size_t in_len, size_t *err_off);

#endif /* SNPKIT_UTIL_H */
