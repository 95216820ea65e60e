/*
 * measure/idauth.c - sign an ID block for a launch digest: ID_AUTH_INFO with ID_BLOCK_SIG by
 * the ID key and, optionally, ID_KEY_SIG by the author key (attestation.md §9.2-§9.4).
 *
 * Byte layouts are abi/idblock.c's; the ECDSA format conversion is crypto/'s. This file only
 * decides what is signed: the 96 ID_BLOCK bytes, and the 0x404-byte ID_KEY field exactly as it
 * is stored in ID_AUTH_INFO (so the firmware hashes the bytes that were signed).
 */
#include "measure/idauth.h"

#include <string.h>

static snp_err
pubkey_of(const struct snp_eckey *k, struct snp_ecdsa_pubkey *pk)
{
    uint8_t x[48], y[48];

    SNP_TRY(snp_eckey_point(k, x, y));
    snp_ecdsa_pubkey_from_p384(pk, x, y); /* §9.3: CURVE 2, QX/QY little-endian */
    return SNP_OK;
}

snp_err
snp_key_digest(const struct snp_eckey *k, uint8_t field[SNP_ECDSA_PUBKEY_SIZE], uint8_t digest[48])
{
    struct snp_ecdsa_pubkey pk;
    uint8_t buf[SNP_ECDSA_PUBKEY_SIZE];

    if (k == NULL || digest == NULL) {
        return SNP_E_ARG;
    }
    SNP_TRY(pubkey_of(k, &pk));
    SNP_TRY(snp_ecdsa_pubkey_encode(buf, &pk));
    if (field != NULL) {
        memcpy(field, buf, sizeof(buf));
    }
    /* §9.4: the digest covers the whole 0x404-byte field, reserved zeros included. */
    return snp_sha384(digest, buf, sizeof(buf));
}

snp_err
snp_id_auth_sign(struct snp_id_auth *auth, const uint8_t id_block[SNP_ID_BLOCK_SIZE],
                 const struct snp_eckey *id_key, const struct snp_eckey *author_key)
{
    snp_err err = SNP_E_ARG;
    uint8_t id_field[SNP_ECDSA_PUBKEY_SIZE];

    if (auth == NULL) {
        return SNP_E_ARG;
    }
    memset(auth, 0, sizeof(*auth));
    if (id_block == NULL || id_key == NULL || !snp_eckey_has_private(id_key) ||
        (author_key != NULL && !snp_eckey_has_private(author_key))) {
        goto out;
    }
    auth->id_key_algo = SNP_ID_AUTH_ALGO_P384_SHA384; /* §9.2: the only value accepted */
    err = snp_ecdsa_p384_sign(id_key, id_block, SNP_ID_BLOCK_SIZE, &auth->id_block_sig);
    if (err != SNP_OK) {
        goto out;
    }
    err = pubkey_of(id_key, &auth->id_key);
    if (err != SNP_OK) {
        goto out;
    }
    if (author_key != NULL) {
        auth->author_key_algo = SNP_ID_AUTH_ALGO_P384_SHA384;
        err = snp_ecdsa_pubkey_encode(id_field, &auth->id_key);
        if (err != SNP_OK) {
            goto out;
        }
        err = snp_ecdsa_p384_sign(author_key, id_field, sizeof(id_field), &auth->id_key_sig);
        if (err != SNP_OK) {
            goto out;
        }
        err = pubkey_of(author_key, &auth->author_key);
        if (err != SNP_OK) {
            goto out;
        }
    }
    err = SNP_OK;
out:
    if (err != SNP_OK) {
        memset(auth, 0, sizeof(*auth));
    }
    return err;
}
