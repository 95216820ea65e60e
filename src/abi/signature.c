/*
 * abi/signature.c - the ECDSA P-384 signature block (512 bytes) and its DER conversion.
 *
 * attestation.md §1.6: R and S are little-endian unsigned integers zero-extended to 72 bytes
 * (bytes 48..71 zero for P-384), then 368 reserved bytes. OpenSSL wants the DER
 * ECDSA-Sig-Value SEQUENCE { INTEGER r, INTEGER s } with big-endian minimal INTEGERs; this file
 * is the one place that converts between the two (STYLE.md §7.6). Hand-written strict DER:
 * no crypto library, no allocation. Range checks stop at "fits P-384's 48 bytes and is not
 * zero"; r, s < n is the verifier's (OpenSSL's) job.
 */
#include "snpkit/report.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

#define DER_SEQUENCE 0x30
#define DER_INTEGER  0x02
/* A P-384 INTEGER: at most 48 magnitude bytes, plus one 0x00 when the top bit is set. */
#define DER_INT_MAX (SNP_P384_SIZE + 1)

snp_err
snp_signature_decode(struct snp_signature *sig, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    memset(sig, 0, sizeof(*sig));
    if (err_off != NULL) {
        *err_off = 0;
    }
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, sig->r, sizeof(sig->r));                   /* 0x000 R */
    snp_rd_bytes(&rd, sig->s, sizeof(sig->s));                   /* 0x048 S */
    snp_rd_bytes(&rd, sig->rsvd_0x090, sizeof(sig->rsvd_0x090)); /* 0x090 reserved, KEEP */
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(sig, 0, sizeof(*sig));
        if (err_off != NULL) {
            /* Truncation: the first missing byte. Trailing: the first extra one. */
            *err_off = err == SNP_E_TRUNCATED ? rd.len : rd.err_off;
        }
    }
    return err;
}

snp_err
snp_signature_encode(uint8_t out[SNP_SIG_SIZE], const struct snp_signature *sig)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_SIG_SIZE);
    snp_wr_bytes(&wr, sig->r, sizeof(sig->r));                   /* 0x000 R */
    snp_wr_bytes(&wr, sig->s, sizeof(sig->s));                   /* 0x048 S */
    snp_wr_bytes(&wr, sig->rsvd_0x090, sizeof(sig->rsvd_0x090)); /* 0x090 reserved */
    return snp_wr_done(&wr);
}

/*
 * One 72-byte little-endian component as minimal big-endian DER INTEGER content.
 * out gets up to DER_INT_MAX bytes; *n their count.
 */
static snp_err
le_to_der_int(uint8_t out[DER_INT_MAX], size_t *n, const uint8_t le[SNP_SIG_COMP_SIZE])
{
    size_t top = SNP_P384_SIZE; /* number of significant little-endian bytes */
    size_t k = 0;

    /* §1.6: bytes 48..71 are zero for P-384; anything else cannot be a P-384 scalar. */
    for (size_t i = SNP_P384_SIZE; i < SNP_SIG_COMP_SIZE; i++) {
        if (le[i] != 0) {
            return SNP_E_RANGE;
        }
    }
    while (top > 0 && le[top - 1] == 0) {
        top--;
    }
    if (top == 0) {
        return SNP_E_RANGE; /* §1.6 step 4: r or s zero is rejected */
    }
    /* DER INTEGER is two's complement: a set top bit needs a 0x00 to stay positive. */
    if ((le[top - 1] & 0x80) != 0) {
        out[k++] = 0x00;
    }
    for (size_t i = top; i > 0; i--) {
        out[k++] = le[i - 1];
    }
    *n = k;
    return SNP_OK;
}

snp_err
snp_sig_to_der(uint8_t *der, size_t der_size, size_t *der_len, const struct snp_signature *sig)
{
    uint8_t r[DER_INT_MAX];
    uint8_t s[DER_INT_MAX];
    size_t rn = 0;
    size_t sn = 0;
    size_t body;
    struct snp_wr wr;

    *der_len = 0;
    SNP_TRY(le_to_der_int(r, &rn, sig->r));
    SNP_TRY(le_to_der_int(s, &sn, sig->s));
    /* Each INTEGER is at most 2 + 49 bytes, so the SEQUENCE body (<= 102) takes the DER short
     * length form and the whole encoding is at most 104 <= SNP_SIG_DER_MAX bytes. */
    body = 2 + rn + 2 + sn;
    if (der == NULL || der_size < 2 + body) {
        return SNP_E_SPACE;
    }
    snp_wr_init(&wr, der, 2 + body);
    snp_wr_u8(&wr, DER_SEQUENCE);
    snp_wr_u8(&wr, (uint8_t)body);
    snp_wr_u8(&wr, DER_INTEGER);
    snp_wr_u8(&wr, (uint8_t)rn);
    snp_wr_bytes(&wr, r, rn);
    snp_wr_u8(&wr, DER_INTEGER);
    snp_wr_u8(&wr, (uint8_t)sn);
    snp_wr_bytes(&wr, s, sn);
    SNP_TRY(snp_wr_done(&wr));
    *der_len = 2 + body;
    return SNP_OK;
}

/*
 * A DER tag and definite length at rd; *len gets the content length, checked to fit in what is
 * left. Strict DER (X.690 §10.1): the shortest length form only, no indefinite length.
 */
static snp_err
der_header(struct snp_rd *rd, uint8_t tag, size_t *len)
{
    uint8_t t = snp_rd_u8(rd);
    uint8_t l0 = snp_rd_u8(rd);
    size_t n;

    if (rd->err != SNP_OK) {
        return SNP_E_FORMAT; /* the header itself is cut short */
    }
    if (t != tag) {
        return SNP_E_FORMAT;
    }
    if (l0 < 0x80) {
        n = l0;
    } else if (l0 == 0x81) {
        n = snp_rd_u8(rd);
        if (rd->err != SNP_OK || n < 0x80) {
            return SNP_E_FORMAT; /* truncated, or fits the short form */
        }
    } else if (l0 == 0x82) {
        uint8_t hi = snp_rd_u8(rd);
        uint8_t lo = snp_rd_u8(rd);
        if (rd->err != SNP_OK || hi == 0) {
            return SNP_E_FORMAT; /* truncated, or fits a shorter form */
        }
        n = (size_t)hi << 8 | lo;
    } else {
        /* 0x80 is indefinite (BER only); longer forms cannot describe a valid signature. */
        return SNP_E_FORMAT;
    }
    if (n > snp_rd_left(rd)) {
        return SNP_E_FORMAT;
    }
    *len = n;
    return SNP_OK;
}

/* One DER INTEGER into a 72-byte little-endian component (zeroed first). */
static snp_err
der_int_to_le(struct snp_rd *rd, uint8_t le[SNP_SIG_COMP_SIZE])
{
    const uint8_t *p;
    size_t n;
    bool all_zero = true;

    memset(le, 0, SNP_SIG_COMP_SIZE);
    SNP_TRY(der_header(rd, DER_INTEGER, &n));
    if (n == 0) {
        return SNP_E_FORMAT; /* X.690 §8.3.1: at least one content octet */
    }
    p = rd->buf + rd->off; /* der_header checked n <= left */
    snp_rd_skip(rd, n);
    /* X.690 §8.3.2: the first nine bits are not all zero nor all one. */
    if (n > 1 && p[0] == 0x00 && (p[1] & 0x80) == 0) {
        return SNP_E_FORMAT;
    }
    if (n > 1 && p[0] == 0xFF && (p[1] & 0x80) != 0) {
        return SNP_E_FORMAT;
    }
    if ((p[0] & 0x80) != 0) {
        return SNP_E_RANGE; /* negative: not an ECDSA scalar */
    }
    if (p[0] == 0x00 && n > 1) {
        p++; /* the sign pad of a top-bit-set magnitude */
        n--;
    }
    if (n > SNP_P384_SIZE) {
        return SNP_E_RANGE;
    }
    for (size_t i = 0; i < n; i++) {
        le[i] = p[n - 1 - i];
        all_zero = all_zero && p[i] == 0;
    }
    if (all_zero) {
        return SNP_E_RANGE; /* §1.6 step 4: r or s zero is rejected */
    }
    return SNP_OK;
}

snp_err
snp_sig_from_der(struct snp_signature *sig, const uint8_t *der, size_t der_len)
{
    struct snp_rd rd;
    struct snp_rd body;
    size_t n;
    snp_err err;

    memset(sig, 0, sizeof(*sig));
    snp_rd_init(&rd, der, der_len);
    SNP_TRY(der_header(&rd, DER_SEQUENCE, &n));
    /* Parse the SEQUENCE body with its own cursor so an INTEGER cannot run past it. */
    snp_rd_init(&body, rd.buf + rd.off, n);
    snp_rd_skip(&rd, n);
    err = der_int_to_le(&body, sig->r);
    if (err == SNP_OK) {
        err = der_int_to_le(&body, sig->s);
    }
    if (err == SNP_OK && snp_rd_left(&body) != 0) {
        err = SNP_E_FORMAT; /* the SEQUENCE holds more than two INTEGERs */
    }
    if (err == SNP_OK && snp_rd_left(&rd) != 0) {
        err = SNP_E_TRAILING; /* bytes after the SEQUENCE */
    }
    if (err != SNP_OK) {
        memset(sig, 0, sizeof(*sig));
    }
    return err;
}
