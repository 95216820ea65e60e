/*
 * crypto/vcek_kdf.h - the simulated chip's identity and keys: chip secret from a seed, CHIP_ID,
 * and the VCEK (per chip and TCB) and VLEK (per cloud provider and TCB) private keys.
 *
 * AMD's real derivation is not public. Ours is written out in docs/vendor.md and is the one
 * contract between the simulated vendor (amd/, which certifies the public keys) and the
 * simulated firmware (sim/psp/, which signs with the private keys): both call these functions
 * with the same chip secret and TCB and get the same key. Everything is HKDF-SHA-384 (RFC 5869)
 * with fixed, versioned labels; a private scalar is taken from 56 output bytes reduced into
 * [1, n-1] (FIPS 186-5 A.2.1, "extra random bits"), so it is uniform to within 2^-64.
 *
 * Properties (tests/unit/amd/test_vendor.c): same inputs give the same key; any change of the
 * product or of any of the 8 TCB bytes gives an unrelated key; a key or CHIP_ID says nothing
 * about the chip secret or about the key at any other TCB (HKDF is one-way).
 */
#ifndef SNP_CRYPTO_VCEK_KDF_H
#define SNP_CRYPTO_VCEK_KDF_H

#include "base/compiler.h"
#include "crypto/crypto.h"
#include "snpkit/tcb.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_CHIP_SECRET_SIZE 32
#define SNP_CSP_SECRET_SIZE  32
#define SNP_CHIP_ID_SIZE     64
#define SNP_P384_SCALAR_SIZE 48

/*
 * snp_chip_secret_from_seed() - a chip's secret from a seed, reproducibly:
 *   HKDF-SHA-384(salt = "snpkit chip secret v1", IKM = seed, info = "", L = 32).
 * @seed: any bytes (a test name, a number, random bytes); seed_len may be 0.
 * Returns SNP_OK; SNP_E_ARG; SNP_E_CRYPTO. out is zeroed on failure.
 */
SNP_MUST_CHECK snp_err snp_chip_secret_from_seed(uint8_t out[SNP_CHIP_SECRET_SIZE],
                                                 const uint8_t *seed, size_t seed_len);

/*
 * snp_chip_id_derive() - the CHIP_ID of a chip of product p:
 *   HKDF-SHA-384(salt = "snpkit vcek kdf v1", IKM = secret, info = "CHIP_ID" 00 p, L = 64);
 * on Turin only the first 8 bytes are meaningful (the KDS hwID, attestation.md §4.4) and bytes
 * 8..63 are zero. Returns SNP_OK; SNP_E_ARG (UNKNOWN product); SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_chip_id_derive(uint8_t chip_id[SNP_CHIP_ID_SIZE],
                                          const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                                          enum snp_product p);

/*
 * snp_vcek_derive_scalar() - the VCEK private scalar for (chip secret, product, TCB):
 *   OKM = HKDF-SHA-384(salt = "snpkit vcek kdf v1", IKM = secret,
 *                      info = "VCEK" 00 p TCB_VERSION[0..8] (report byte order), L = 56)
 *   d   = (OKM as a big-endian integer mod (n - 1)) + 1, as 48 big-endian bytes.
 * @tcb: the TCB_VERSION the key is for (REPORTED_TCB in reports; all 8 bytes count).
 * d is a secret: the caller wipes it. Returns SNP_OK; SNP_E_ARG; SNP_E_NOMEM; SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_vcek_derive_scalar(uint8_t d[SNP_P384_SCALAR_SIZE],
                                              const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                                              enum snp_product p, uint64_t tcb);

/* snp_vcek_derive() - the same, as a key pair ready to sign (snp_eckey_free() it). */
SNP_MUST_CHECK snp_err snp_vcek_derive(struct snp_eckey **out,
                                       const uint8_t secret[SNP_CHIP_SECRET_SIZE],
                                       enum snp_product p, uint64_t tcb);

/*
 * snp_csp_secret_derive() - a cloud provider's VLEK secret from the vendor's VLEK master
 * secret and the provider's csp_id (the VLEK extension's IA5String, attestation.md §4.4):
 *   HKDF-SHA-384(salt = "snpkit csp secret v1", IKM = master, info = csp_id, L = 32).
 * Returns SNP_OK; SNP_E_ARG (empty csp_id); SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_csp_secret_derive(uint8_t out[SNP_CSP_SECRET_SIZE],
                                             const uint8_t master[SNP_CSP_SECRET_SIZE],
                                             const char *csp_id);

/* snp_vlek_derive_scalar() - as snp_vcek_derive_scalar() from a CSP secret, label "VLEK". */
SNP_MUST_CHECK snp_err snp_vlek_derive_scalar(uint8_t d[SNP_P384_SCALAR_SIZE],
                                              const uint8_t csp_secret[SNP_CSP_SECRET_SIZE],
                                              enum snp_product p, uint64_t tcb);

/* snp_vlek_derive() - the same, as a key pair. */
SNP_MUST_CHECK snp_err snp_vlek_derive(struct snp_eckey **out,
                                       const uint8_t csp_secret[SNP_CSP_SECRET_SIZE],
                                       enum snp_product p, uint64_t tcb);

#endif /* SNP_CRYPTO_VCEK_KDF_H */
