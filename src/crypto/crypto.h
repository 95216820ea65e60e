/*
 * crypto/crypto.h - the project's only door to OpenSSL's libcrypto (STYLE.md §2).
 *
 * OpenSSL types never appear here: keys are opaque structs owned by this module. Every function
 * keeps "the evidence is bad" (SNP_E_SIG, SNP_E_RANGE) apart from "the library failed"
 * (SNP_E_CRYPTO, SNP_E_NOMEM).
 */
#ifndef SNP_CRYPTO_H
#define SNP_CRYPTO_H

#include "base/compiler.h"
#include "snpkit/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_SHA384_SIZE 48
#define SNP_SHA256_SIZE 32

/* One-shot digests. */
SNP_MUST_CHECK snp_err snp_sha384(uint8_t out[SNP_SHA384_SIZE], const void *data, size_t len);
SNP_MUST_CHECK snp_err snp_sha256(uint8_t out[SNP_SHA256_SIZE], const void *data, size_t len);

/* Streaming SHA-384 (allocates; snp_sha384_free(NULL) is a no-op). */
struct snp_sha384_ctx;
SNP_MUST_CHECK snp_err snp_sha384_new(struct snp_sha384_ctx **out);
SNP_MUST_CHECK snp_err snp_sha384_update(struct snp_sha384_ctx *c, const void *data, size_t len);
SNP_MUST_CHECK snp_err snp_sha384_final(struct snp_sha384_ctx *c, uint8_t out[SNP_SHA384_SIZE]);
void snp_sha384_free(struct snp_sha384_ctx *c);

/* Random bytes from the system CSPRNG. */
SNP_MUST_CHECK snp_err snp_random(uint8_t *out, size_t len);

/* An EC P-384 key, public or with its private half. */
struct snp_eckey;

/*
 * snp_eckey_from_pem() - load a P-384 key from PEM or DER: a private key (PKCS#8 or SEC1), a
 * public key (SubjectPublicKeyInfo), or an X.509 certificate's public key.
 * Returns SNP_E_FORMAT when the bytes are no key, SNP_E_UNSUPPORTED for another curve/type.
 */
SNP_MUST_CHECK snp_err snp_eckey_from_pem(struct snp_eckey **out, const uint8_t *buf, size_t len);

/* A public key from big-endian affine coordinates. SNP_E_RANGE when not on the curve. */
SNP_MUST_CHECK snp_err snp_eckey_from_point(struct snp_eckey **out, const uint8_t x[48],
                                            const uint8_t y[48]);

/* Generate a fresh private key. */
SNP_MUST_CHECK snp_err snp_eckey_generate(struct snp_eckey **out);

/*
 * snp_eckey_from_private() - the key pair of a private scalar d (big-endian, 48 bytes).
 * Returns SNP_OK; SNP_E_RANGE unless 1 <= d <= n-1; SNP_E_NOMEM; SNP_E_CRYPTO.
 * d is not retained (the caller wipes its copy).
 */
SNP_MUST_CHECK snp_err snp_eckey_from_private(struct snp_eckey **out, const uint8_t d[48]);

/* Big-endian affine coordinates of the public point. */
SNP_MUST_CHECK snp_err snp_eckey_point(const struct snp_eckey *k, uint8_t x[48], uint8_t y[48]);

bool snp_eckey_has_private(const struct snp_eckey *k);

/* PEM of the private key (PKCS#8) or public key (SPKI); *pem is malloc'd, caller frees
 * private PEM with snp_free_secret(). */
SNP_MUST_CHECK snp_err snp_eckey_to_pem(const struct snp_eckey *k, bool private_part, char **pem,
                                        size_t *pem_len);

void snp_eckey_free(struct snp_eckey *k);

/*
 * snp_ecdsa_p384_sign() - SHA-384 of msg, signed with k, written into sig in the SEV-SNP
 * signature format (R, S little-endian, zero-extended; reserved bytes zero).
 */
SNP_MUST_CHECK snp_err snp_ecdsa_p384_sign(const struct snp_eckey *k, const uint8_t *msg,
                                           size_t len, struct snp_signature *sig);

/*
 * snp_ecdsa_p384_verify() - check sig (SEV-SNP format) over SHA-384(msg) with k.
 * Returns SNP_OK; SNP_E_RANGE when R or S is zero or not below the group order, or has
 * non-zero bytes beyond 48; SNP_E_SIG when it does not verify; SNP_E_CRYPTO on library failure.
 */
SNP_MUST_CHECK snp_err snp_ecdsa_p384_verify(const struct snp_eckey *k, const uint8_t *msg,
                                             size_t len, const struct snp_signature *sig);

#endif /* SNP_CRYPTO_H */
