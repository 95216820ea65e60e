/*
 * crypto/atls_cert.h - the libcrypto half of attested TLS: the server's TLS key (ECDSA P-256),
 * SHA-512 for the REPORT_DATA binding, and the self-signed certificate that carries the evidence
 * in one X.509 extension (docs/atls.md §3).
 *
 * Internal header for atls/ (and its tests and benchmarks): no OpenSSL type appears here, so
 * atls/ reaches EVP only through these functions (STYLE.md §2).
 */
#ifndef SNP_CRYPTO_ATLS_CERT_H
#define SNP_CRYPTO_ATLS_CERT_H

#include "base/compiler.h"
#include "snpkit/err.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SNP_SHA512_SIZE 64

/* One-shot SHA-512 over the concatenation of n parts. */
struct snp_iov {
    const void *p;
    size_t len;
};
SNP_MUST_CHECK snp_err snp_sha512_parts(uint8_t out[SNP_SHA512_SIZE], const struct snp_iov *parts,
                                        size_t n);

/* A TLS key pair (ECDSA P-256): a SECRET; freed (and wiped by OpenSSL) with snp_tlskey_free(). */
struct snp_tlskey;

/* snp_tlskey_generate() - a fresh P-256 key from the system CSPRNG. SNP_E_NOMEM, SNP_E_CRYPTO. */
SNP_MUST_CHECK snp_err snp_tlskey_generate(struct snp_tlskey **out);

/* snp_tlskey_free() - NULL is a no-op. */
void snp_tlskey_free(struct snp_tlskey *k);

/*
 * snp_tlskey_spki() - the SubjectPublicKeyInfo DER of the key: *der malloc'd (caller frees).
 */
SNP_MUST_CHECK snp_err snp_tlskey_spki(const struct snp_tlskey *k, uint8_t **der, size_t *len);

/*
 * snp_tlskey_private_der() - the private key as DER (SEC1 ECPrivateKey, what
 * SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, ...) reads). A SECRET: the caller releases it with
 * snp_free_secret(*der, *len).
 */
SNP_MUST_CHECK snp_err snp_tlskey_private_der(const struct snp_tlskey *k, uint8_t **der,
                                              size_t *len);

/*
 * snp_tls_cert_build() - a self-signed X.509 v3 certificate of k (subject = issuer = CN=@cn),
 * ECDSA-SHA256, serial random, valid [not_before, not_before + lifetime], basicConstraints
 * CA:FALSE, and -- when ext_len > 0 -- one NON-critical extension @oid (dotted text) whose
 * OCTET STRING is ext[0..ext_len).
 * @der: out, malloc'd DER (caller frees).
 * Returns SNP_OK; SNP_E_ARG (bad OID text); SNP_E_NOMEM; SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_tls_cert_build(const struct snp_tlskey *k, const char *cn,
                                          const char *oid, const uint8_t *ext, size_t ext_len,
                                          time_t not_before, long lifetime, uint8_t **der,
                                          size_t *der_len);

#endif /* SNP_CRYPTO_ATLS_CERT_H */
