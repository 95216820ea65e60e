/*
 * measure/idauth.h - building a signed ID_BLOCK / ID_AUTH_INFO pair for a launch digest
 * (attestation.md §9). Internal to snpkit (cli/ and tests): it takes crypto/'s key type.
 */
#ifndef SNP_MEASURE_IDAUTH_H
#define SNP_MEASURE_IDAUTH_H

#include "crypto/crypto.h"
#include "snpkit/idblock.h"

#include <stdint.h>

/*
 * snp_key_digest() - the 0x404-byte public key field of a P-384 key (§9.3) and its SHA-384, the
 * ID_KEY_DIGEST / AUTHOR_KEY_DIGEST a verifier sees in the report (§9.4).
 * @field:  out, optional: the encoded key field.
 * Returns SNP_OK, SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_key_digest(const struct snp_eckey *k,
                                      uint8_t field[SNP_ECDSA_PUBKEY_SIZE], uint8_t digest[48]);

/*
 * snp_id_auth_sign() - sign an encoded ID block.
 * @auth:       out: the ID_AUTH_INFO (always fully written; zeroed on failure).
 * @id_block:   the 96 encoded ID_BLOCK bytes.
 * @id_key:     a P-384 private key: ID_BLOCK_SIG and ID_KEY.
 * @author_key: NULL, or a P-384 private key: ID_KEY_SIG over the 0x404-byte ID_KEY field, and
 *              AUTHOR_KEY. Without it AUTHOR_KEY_ALGO, ID_KEY_SIG and AUTHOR_KEY stay zero (the
 *              launch then goes without AUTHOR_KEY_EN).
 * ECDSA is randomized: the signatures differ per call; everything else is deterministic.
 * Returns SNP_OK; SNP_E_ARG (a key without its private half); SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_id_auth_sign(struct snp_id_auth *auth,
                                        const uint8_t id_block[SNP_ID_BLOCK_SIZE],
                                        const struct snp_eckey *id_key,
                                        const struct snp_eckey *author_key);

#endif /* SNP_MEASURE_IDAUTH_H */
