/*
 * abi/idblock.c - ID_BLOCK, ID_AUTH_INFO and ECDSA public key encode/decode.
 *
 * Firmware inputs: reserved bytes are MBZ (STYLE.md §7.4). Pure layout, no crypto: signature and
 * point checks live in crypto/ and the firmware model. Offsets and sizes: attestation.md §9.1-9.3;
 * the embedded signature blocks use report.h's codec (§1.6).
 */
#include "snpkit/idblock.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

#define P384_SIZE 48 /* bytes of a P-384 coordinate; QX/QY bytes 48..71 must be zero */

_Static_assert(SNP_ECDSA_COMP_SIZE == SNP_SIG_COMP_SIZE, "signature and key components agree");

static void
set_off(size_t *err_off, size_t off)
{
    if (err_off != NULL) {
        *err_off = off;
    }
}

/* ---- ID_BLOCK ------------------------------------------------------------------------------ */

static const struct snp_field id_block_layout[] = {
    /* name         offset size kind   -- attestation.md §9.1 */
    {"LD", 0x00, 48, SNP_F_BYTES},
    {"FAMILY_ID", 0x30, 16, SNP_F_BYTES},
    {"IMAGE_ID", 0x40, 16, SNP_F_BYTES},
    {"VERSION", 0x50, 4, SNP_F_LE},
    {"GUEST_SVN", 0x54, 4, SNP_F_LE},
    {"POLICY", 0x58, 8, SNP_F_LE},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_id_block_layout(void)
{
    return id_block_layout;
}

snp_err
snp_id_block_decode(struct snp_id_block *b, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;
    size_t off;

    set_off(err_off, 0);
    memset(b, 0, sizeof(*b));
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, b->ld, sizeof(b->ld));               /* 0x00 LD */
    snp_rd_bytes(&rd, b->family_id, sizeof(b->family_id)); /* 0x30 FAMILY_ID */
    snp_rd_bytes(&rd, b->image_id, sizeof(b->image_id));   /* 0x40 IMAGE_ID */
    b->version = snp_rd_u32le(&rd);                        /* 0x50 VERSION */
    b->guest_svn = snp_rd_u32le(&rd);                      /* 0x54 GUEST_SVN */
    b->policy = snp_rd_u64le(&rd);                         /* 0x58 POLICY */

    err = snp_rd_done(&rd); /* exactly 0x60 bytes */
    off = rd.err_off;
    /* §9.1: VERSION 1 is the maximum the firmware supports; refuse what we cannot identify. */
    if (err == SNP_OK && b->version != SNP_ID_BLOCK_VERSION) {
        err = SNP_E_VERSION;
        off = SNP_ID_BLOCK_OFF_VERSION;
    }
    if (err != SNP_OK) {
        memset(b, 0, sizeof(*b));
        set_off(err_off, off);
    }
    return err;
}

snp_err
snp_id_block_encode(uint8_t out[SNP_ID_BLOCK_SIZE], const struct snp_id_block *b)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_ID_BLOCK_SIZE);
    snp_wr_bytes(&wr, b->ld, sizeof(b->ld));               /* 0x00 LD */
    snp_wr_bytes(&wr, b->family_id, sizeof(b->family_id)); /* 0x30 FAMILY_ID */
    snp_wr_bytes(&wr, b->image_id, sizeof(b->image_id));   /* 0x40 IMAGE_ID */
    snp_wr_u32le(&wr, b->version);                         /* 0x50 VERSION */
    snp_wr_u32le(&wr, b->guest_svn);                       /* 0x54 GUEST_SVN */
    snp_wr_u64le(&wr, b->policy);                          /* 0x58 POLICY */
    return snp_wr_done(&wr);
}

/* ---- ECDSA public key ---------------------------------------------------------------------- */

static const struct snp_field ecdsa_pubkey_layout[] = {
    /* attestation.md §9.3 */
    {"CURVE", 0x000, 4, SNP_F_LE},  {"QX", 0x004, 72, SNP_F_BYTES},
    {"QY", 0x04C, 72, SNP_F_BYTES}, {"reserved", 0x094, 880, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_ecdsa_pubkey_layout(void)
{
    return ecdsa_pubkey_layout;
}

/*
 * Read one coordinate field. §9.3 stores it little-endian, zero-extended to 72 bytes; P-384 needs
 * 48, and no accepted curve needs more, so a non-zero high byte is a value out of range. The error
 * is raised at that byte (the cursor keeps the first error, so offsets stay in order).
 */
static void
rd_coord(struct snp_rd *rd, uint8_t dst[SNP_ECDSA_COMP_SIZE])
{
    snp_rd_bytes(rd, dst, SNP_ECDSA_COMP_SIZE);
    for (size_t i = P384_SIZE; i < SNP_ECDSA_COMP_SIZE; i++) {
        if (dst[i] != 0) {
            snp_rd_fail(rd, SNP_E_RANGE, SNP_ECDSA_COMP_SIZE - i);
            return;
        }
    }
}

/* The 0x404 bytes of §9.3 at the cursor; shared by the standalone and the ID_AUTH decoders. */
static void
rd_pubkey(struct snp_rd *rd, struct snp_ecdsa_pubkey *k)
{
    k->curve = snp_rd_u32le(rd); /* 0x000 CURVE */
    rd_coord(rd, k->qx);         /* 0x004 QX */
    rd_coord(rd, k->qy);         /* 0x04C QY */
    snp_rd_mbz(rd, 880);         /* 0x094 reserved, MBZ */
}

static void
wr_pubkey(struct snp_wr *wr, const struct snp_ecdsa_pubkey *k)
{
    snp_wr_u32le(wr, k->curve);             /* 0x000 CURVE */
    snp_wr_bytes(wr, k->qx, sizeof(k->qx)); /* 0x004 QX */
    snp_wr_bytes(wr, k->qy, sizeof(k->qy)); /* 0x04C QY */
    snp_wr_zero(wr, 880);                   /* 0x094 reserved */
}

snp_err
snp_ecdsa_pubkey_decode(struct snp_ecdsa_pubkey *k, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(k, 0, sizeof(*k));
    snp_rd_init(&rd, buf, len);
    rd_pubkey(&rd, k);
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(k, 0, sizeof(*k));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_ecdsa_pubkey_encode(uint8_t out[SNP_ECDSA_PUBKEY_SIZE], const struct snp_ecdsa_pubkey *k)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_ECDSA_PUBKEY_SIZE);
    wr_pubkey(&wr, k);
    return snp_wr_done(&wr);
}

static int
coord_fits_p384(const uint8_t c[SNP_ECDSA_COMP_SIZE])
{
    for (size_t i = P384_SIZE; i < SNP_ECDSA_COMP_SIZE; i++) {
        if (c[i] != 0) {
            return 0;
        }
    }
    return 1;
}

snp_err
snp_ecdsa_pubkey_check_p384(const struct snp_ecdsa_pubkey *k)
{
    if (k->curve == SNP_ECDSA_CURVE_SECP256K1) {
        return SNP_E_UNSUPPORTED; /* §9.3: defined, not accepted */
    }
    if (k->curve != SNP_ECDSA_CURVE_P384 || !coord_fits_p384(k->qx) || !coord_fits_p384(k->qy)) {
        return SNP_E_RANGE;
    }
    return SNP_OK;
}

/* Reverse n bytes: big-endian <-> little-endian. dst and src do not overlap. */
static void
reverse(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[n - 1 - i];
    }
}

void
snp_ecdsa_pubkey_from_p384(struct snp_ecdsa_pubkey *k, const uint8_t qx_be[48],
                           const uint8_t qy_be[48])
{
    memset(k, 0, sizeof(*k)); /* zero-extension of QX/QY to 72 bytes */
    k->curve = SNP_ECDSA_CURVE_P384;
    reverse(k->qx, qx_be, P384_SIZE);
    reverse(k->qy, qy_be, P384_SIZE);
}

snp_err
snp_ecdsa_pubkey_to_p384(uint8_t qx_be[48], uint8_t qy_be[48], const struct snp_ecdsa_pubkey *k)
{
    snp_err err = snp_ecdsa_pubkey_check_p384(k);

    if (err != SNP_OK) {
        memset(qx_be, 0, P384_SIZE);
        memset(qy_be, 0, P384_SIZE);
        return err;
    }
    reverse(qx_be, k->qx, P384_SIZE);
    reverse(qy_be, k->qy, P384_SIZE);
    return SNP_OK;
}

/* ---- ID_AUTH_INFO -------------------------------------------------------------------------- */

static const struct snp_field id_auth_layout[] = {
    /* attestation.md §9.2, with §1.6 (signature) and §9.3 (key) rows inlined */
    {"ID_KEY_ALGO", 0x000, 4, SNP_F_LE},        {"AUTHOR_KEY_ALGO", 0x004, 4, SNP_F_LE},
    {"reserved", 0x008, 56, SNP_F_MBZ},         {"ID_BLOCK_SIG.R", 0x040, 72, SNP_F_BYTES},
    {"ID_BLOCK_SIG.S", 0x088, 72, SNP_F_BYTES}, {"reserved", 0x0D0, 368, SNP_F_KEEP},
    {"ID_KEY.CURVE", 0x240, 4, SNP_F_LE},       {"ID_KEY.QX", 0x244, 72, SNP_F_BYTES},
    {"ID_KEY.QY", 0x28C, 72, SNP_F_BYTES},      {"reserved", 0x2D4, 880, SNP_F_MBZ},
    {"reserved", 0x644, 60, SNP_F_MBZ},         {"ID_KEY_SIG.R", 0x680, 72, SNP_F_BYTES},
    {"ID_KEY_SIG.S", 0x6C8, 72, SNP_F_BYTES},   {"reserved", 0x710, 368, SNP_F_KEEP},
    {"AUTHOR_KEY.CURVE", 0x880, 4, SNP_F_LE},   {"AUTHOR_KEY.QX", 0x884, 72, SNP_F_BYTES},
    {"AUTHOR_KEY.QY", 0x8CC, 72, SNP_F_BYTES},  {"reserved", 0x914, 880, SNP_F_MBZ},
    {"reserved", 0xC84, 892, SNP_F_MBZ},        {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_id_auth_layout(void)
{
    return id_auth_layout;
}

/*
 * A signature block at the cursor, through report.h's codec. The block is read as a whole (so
 * truncation is reported by the cursor at the block's start), then handed to
 * snp_signature_decode(), whose errors are mapped back to ID_AUTH_INFO offsets.
 */
static void
rd_signature(struct snp_rd *rd, struct snp_signature *sig)
{
    uint8_t raw[SNP_SIG_SIZE];
    size_t sub_off = 0;
    snp_err err;

    snp_rd_bytes(rd, raw, sizeof(raw));
    if (rd->err != SNP_OK) {
        return;
    }
    err = snp_signature_decode(sig, raw, sizeof(raw), &sub_off);
    if (err != SNP_OK) {
        snp_rd_fail(rd, err, sub_off <= SNP_SIG_SIZE ? SNP_SIG_SIZE - sub_off : SNP_SIG_SIZE);
    }
}

/* A signature block at the writer, through report.h's codec; its error, if any, is returned. */
static snp_err
wr_signature(struct snp_wr *wr, const struct snp_signature *sig)
{
    uint8_t raw[SNP_SIG_SIZE];
    snp_err err = snp_signature_encode(raw, sig);

    snp_wr_bytes(wr, raw, sizeof(raw)); /* keeps the cursor in step even on failure */
    return err;
}

snp_err
snp_id_auth_decode(struct snp_id_auth *a, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(a, 0, sizeof(*a));
    snp_rd_init(&rd, buf, len);
    a->id_key_algo = snp_rd_u32le(&rd);     /* 0x000 ID_KEY_ALGO */
    a->author_key_algo = snp_rd_u32le(&rd); /* 0x004 AUTHOR_KEY_ALGO */
    snp_rd_mbz(&rd, 56);                    /* 0x008 reserved, MBZ */
    rd_signature(&rd, &a->id_block_sig);    /* 0x040 ID_BLOCK_SIG */
    rd_pubkey(&rd, &a->id_key);             /* 0x240 ID_KEY */
    snp_rd_mbz(&rd, 60);                    /* 0x644 reserved, MBZ */
    rd_signature(&rd, &a->id_key_sig);      /* 0x680 ID_KEY_SIG */
    rd_pubkey(&rd, &a->author_key);         /* 0x880 AUTHOR_KEY */
    snp_rd_mbz(&rd, 892);                   /* 0xC84 reserved, MBZ */

    err = snp_rd_done(&rd); /* exactly 0x1000 bytes */
    if (err != SNP_OK) {
        memset(a, 0, sizeof(*a));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_id_auth_encode(uint8_t out[SNP_ID_AUTH_SIZE], const struct snp_id_auth *a)
{
    struct snp_wr wr;
    snp_err e1, e2, err;

    snp_wr_init(&wr, out, SNP_ID_AUTH_SIZE);
    snp_wr_u32le(&wr, a->id_key_algo);        /* 0x000 ID_KEY_ALGO */
    snp_wr_u32le(&wr, a->author_key_algo);    /* 0x004 AUTHOR_KEY_ALGO */
    snp_wr_zero(&wr, 56);                     /* 0x008 reserved */
    e1 = wr_signature(&wr, &a->id_block_sig); /* 0x040 ID_BLOCK_SIG */
    wr_pubkey(&wr, &a->id_key);               /* 0x240 ID_KEY */
    snp_wr_zero(&wr, 60);                     /* 0x644 reserved */
    e2 = wr_signature(&wr, &a->id_key_sig);   /* 0x680 ID_KEY_SIG */
    wr_pubkey(&wr, &a->author_key);           /* 0x880 AUTHOR_KEY */
    snp_wr_zero(&wr, 892);                    /* 0xC84 reserved */
    err = snp_wr_done(&wr);
    if (err == SNP_OK) {
        err = e1 != SNP_OK ? e1 : e2;
    }
    return err;
}
