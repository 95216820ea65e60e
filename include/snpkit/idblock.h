/*
 * snpkit/idblock.h - ID_BLOCK, ID_AUTH_INFO and the ECDSA public key format
 * (attestation.md §9.1-§9.3).
 *
 * These are firmware inputs (SNP_LAUNCH_FINISH reads them), so reserved bytes are MBZ: the
 * decoders reject non-zero reserved bytes with SNP_E_RESERVED and the offset, as the firmware
 * model must, and the structs do not store them. For every accepted input encode(decode(x)) == x,
 * which also makes the re-encoded ID_KEY/AUTHOR_KEY bytes exactly the bytes that were signed and
 * hashed (ID_KEY_DIGEST = SHA-384 of the 0x404-byte key field, §9.4).
 *
 * The codecs are pure layout. Algorithm and curve values are *not* checked by the ID_AUTH_INFO
 * decoder: the author key may legitimately be all zero when AUTHOR_KEY_EN is clear, and the
 * firmware decides which fields it reads (§9.4). snp_ecdsa_pubkey_check_p384() is the curve
 * check; signature and point validity belong to crypto/.
 *
 * Encoders write any value the struct can hold (an attack scenario may need an ID block the
 * firmware must refuse); only the decoders judge.
 */
#ifndef SNPKIT_IDBLOCK_H
#define SNPKIT_IDBLOCK_H

#include "snpkit/err.h"
#include "snpkit/layout.h"
#include "snpkit/report.h"

#include <stddef.h>
#include <stdint.h>

/* ---- ID_BLOCK (§9.1, 96 bytes) ------------------------------------------------------------ */

#define SNP_ID_BLOCK_SIZE    0x60
#define SNP_ID_BLOCK_VERSION 1 /* the only version the firmware accepts (§9.1) */

#define SNP_ID_BLOCK_OFF_LD        0x00
#define SNP_ID_BLOCK_OFF_FAMILY_ID 0x30
#define SNP_ID_BLOCK_OFF_IMAGE_ID  0x40
#define SNP_ID_BLOCK_OFF_VERSION   0x50
#define SNP_ID_BLOCK_OFF_GUEST_SVN 0x54
#define SNP_ID_BLOCK_OFF_POLICY    0x58

struct snp_id_block {
    uint8_t ld[48];        /* 0x00 LD: expected launch digest (== MEASUREMENT at LAUNCH_FINISH) */
    uint8_t family_id[16]; /* 0x30 FAMILY_ID, copied to the report */
    uint8_t image_id[16];  /* 0x40 IMAGE_ID, copied to the report */
    uint32_t version;      /* 0x50 VERSION, 1 */
    uint32_t guest_svn;    /* 0x54 GUEST_SVN, copied to the report */
    uint64_t policy;       /* 0x58 POLICY, must equal the launch POLICY */
};

/*
 * snp_id_block_decode() - decode a 96-byte ID_BLOCK.
 * @b:       out; always overwritten, zeroed on failure.
 * @buf:     the ID block bytes; not retained.
 * @len:     MUST equal SNP_ID_BLOCK_SIZE.
 * @err_off: out, optional: the byte offset the error refers to.
 *
 * Does not compare LD or POLICY with anything (the firmware model does, §9.4).
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING (length); SNP_E_VERSION (VERSION != 1,
 * err_off 0x50).
 */
snp_err snp_id_block_decode(struct snp_id_block *b, const uint8_t *buf, size_t len,
                            size_t *err_off);

/* snp_id_block_encode() - the exact inverse; writes all 96 bytes. Returns SNP_OK. */
snp_err snp_id_block_encode(uint8_t out[SNP_ID_BLOCK_SIZE], const struct snp_id_block *b);

/* The layout table of ID_BLOCK (spec order, NULL-terminated). */
const struct snp_field *snp_id_block_layout(void);

/* ---- ECDSA public key (§9.3, 0x404 bytes) ------------------------------------------------- */

#define SNP_ECDSA_PUBKEY_SIZE     0x404
#define SNP_ECDSA_COMP_SIZE       72 /* QX, QY fields: little-endian, zero-extended */
#define SNP_ECDSA_CURVE_P384      2
#define SNP_ECDSA_CURVE_SECP256K1 1 /* defined by the spec, not accepted by the firmware */

#define SNP_ECDSA_PUBKEY_OFF_CURVE 0x000
#define SNP_ECDSA_PUBKEY_OFF_QX    0x004
#define SNP_ECDSA_PUBKEY_OFF_QY    0x04C
#define SNP_ECDSA_PUBKEY_OFF_RSVD  0x094 /* 880 reserved bytes, MBZ */

struct snp_ecdsa_pubkey {
    uint32_t curve;                  /* 0x000 CURVE: 2 = P-384 */
    uint8_t qx[SNP_ECDSA_COMP_SIZE]; /* 0x004 QX, little-endian; bytes 48..71 zero */
    uint8_t qy[SNP_ECDSA_COMP_SIZE]; /* 0x04C QY, little-endian; bytes 48..71 zero */
                                     /* 0x094 880 bytes reserved, MBZ (not stored) */
};

/*
 * snp_ecdsa_pubkey_decode() - decode a 0x404-byte ECDSA public key.
 * @k:       out; always overwritten, zeroed on failure.
 * @len:     MUST equal SNP_ECDSA_PUBKEY_SIZE.
 * @err_off: out, optional.
 *
 * The curve is not checked (an absent author key is all zero, curve 0): see
 * snp_ecdsa_pubkey_check_p384(). Nor is the point checked to be on the curve.
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RANGE when a byte of QX or QY beyond
 * the 48 of P-384 is non-zero (err_off at that byte: no curve the spec accepts needs it);
 * SNP_E_RESERVED for a non-zero reserved byte (err_off at it).
 */
snp_err snp_ecdsa_pubkey_decode(struct snp_ecdsa_pubkey *k, const uint8_t *buf, size_t len,
                                size_t *err_off);

/* snp_ecdsa_pubkey_encode() - the exact inverse (reserved bytes written as zero). SNP_OK. */
snp_err snp_ecdsa_pubkey_encode(uint8_t out[SNP_ECDSA_PUBKEY_SIZE],
                                const struct snp_ecdsa_pubkey *k);

/*
 * snp_ecdsa_pubkey_check_p384() - the key is a P-384 key: CURVE == 2 and QX/QY have nothing
 * beyond 48 bytes. Returns SNP_OK; SNP_E_UNSUPPORTED for secp256k1 (1: defined, refused by the
 * firmware, §9.3); SNP_E_RANGE for any other curve or oversize coordinate.
 */
snp_err snp_ecdsa_pubkey_check_p384(const struct snp_ecdsa_pubkey *k);

/*
 * snp_ecdsa_pubkey_from_p384() - build a P-384 key (CURVE 2) from the big-endian 48-byte
 * affine coordinates OpenSSL and X.509 use: each is reversed to little-endian and zero-extended
 * to 72 bytes. The point is not validated. k is fully overwritten.
 */
void snp_ecdsa_pubkey_from_p384(struct snp_ecdsa_pubkey *k, const uint8_t qx_be[48],
                                const uint8_t qy_be[48]);

/*
 * snp_ecdsa_pubkey_to_p384() - the inverse: big-endian 48-byte coordinates of k.
 * Returns SNP_OK, or the error of snp_ecdsa_pubkey_check_p384() (outputs zeroed then).
 */
snp_err snp_ecdsa_pubkey_to_p384(uint8_t qx_be[48], uint8_t qy_be[48],
                                 const struct snp_ecdsa_pubkey *k);

/* The layout table of the public key format. */
const struct snp_field *snp_ecdsa_pubkey_layout(void);

/* ---- ID_AUTH_INFO (§9.2, 4096 bytes) ------------------------------------------------------ */

#define SNP_ID_AUTH_SIZE 0x1000
#define SNP_ID_AUTH_ALGO_P384_SHA384                                                               \
    1 /* ID_KEY_ALGO / AUTHOR_KEY_ALGO: the only value accepted                                    \
       */

#define SNP_ID_AUTH_OFF_ID_KEY_ALGO     0x000
#define SNP_ID_AUTH_OFF_AUTHOR_KEY_ALGO 0x004
#define SNP_ID_AUTH_OFF_ID_BLOCK_SIG    0x040
#define SNP_ID_AUTH_OFF_ID_KEY          0x240
#define SNP_ID_AUTH_OFF_ID_KEY_SIG      0x680
#define SNP_ID_AUTH_OFF_AUTHOR_KEY      0x880

struct snp_id_auth {
    uint32_t id_key_algo;               /* 0x000 ID_KEY_ALGO, 1 */
    uint32_t author_key_algo;           /* 0x004 AUTHOR_KEY_ALGO, 1 (read only if AUTHOR_KEY_EN) */
                                        /* 0x008 56 bytes reserved, MBZ */
    struct snp_signature id_block_sig;  /* 0x040 ID_BLOCK_SIG over the 96-byte ID_BLOCK */
    struct snp_ecdsa_pubkey id_key;     /* 0x240 ID_KEY */
                                        /* 0x644 60 bytes reserved, MBZ */
    struct snp_signature id_key_sig;    /* 0x680 ID_KEY_SIG over the 0x404-byte ID_KEY field */
    struct snp_ecdsa_pubkey author_key; /* 0x880 AUTHOR_KEY */
                                        /* 0xC84 892 bytes reserved, MBZ */
};

/*
 * snp_id_auth_decode() - decode a 4096-byte ID_AUTH_INFO.
 * @a:       out; always overwritten, zeroed on failure.
 * @len:     MUST equal SNP_ID_AUTH_SIZE.
 * @err_off: out, optional: offset within ID_AUTH_INFO.
 *
 * The two signatures go through snp_signature_decode(), whose reserved tail (block 0x090..0x200)
 * is KEEP: the firmware reads only R and S, and nothing signs those bytes. Algorithms and curves
 * are not checked (see the file comment).
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RESERVED (ID_AUTH_INFO or key reserved
 * byte); SNP_E_RANGE (key coordinate wider than 48 bytes); err_off at the offending byte.
 */
snp_err snp_id_auth_decode(struct snp_id_auth *a, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_id_auth_encode() - the exact inverse; reserved bytes written as zero. */
snp_err snp_id_auth_encode(uint8_t out[SNP_ID_AUTH_SIZE], const struct snp_id_auth *a);

/*
 * The layout table of ID_AUTH_INFO, flattened: the embedded signatures and keys appear as their
 * own rows ("ID_BLOCK_SIG.R", "ID_KEY.QX", ... and their "reserved" rows, KEEP inside the
 * signatures, MBZ inside the keys) so `--raw` and the tests see every byte's policy.
 */
const struct snp_field *snp_id_auth_layout(void);

#endif /* SNPKIT_IDBLOCK_H */
