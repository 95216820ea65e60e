/*
 * atls/evidence.c - the binding rule (REPORT_DATA over label, mode, time, nonce and the TLS
 * key's SPKI) and the evidence extension's codec (docs/atls.md §2, §3).
 *
 * The rule is written in include/snpkit/atls.h and implemented here only; server and client
 * both call snp_atls_report_data(). The decoder reads hostile bytes (a server's certificate)
 * through the bounded cursor and returns pointers into the caller's buffer: no allocation.
 */
#include "snpkit/atls.h"

#include "base/rd.h"
#include "base/wr.h"
#include "crypto/atls_cert.h"

#include <string.h>

#define EV_SPKI_MAX (64u * 1024u)

snp_err
snp_atls_report_data(uint8_t out[64], enum snp_atls_mode mode, uint64_t issued_at,
                     const uint8_t *nonce, const uint8_t *spki, size_t spki_len)
{
    static const uint8_t zero[SNP_ATLS_NONCE_SIZE];
    uint8_t m = (uint8_t)mode, t[8], l[4];
    struct snp_iov parts[6];

    memset(out, 0, 64);
    if (spki == NULL || spki_len == 0 || spki_len > EV_SPKI_MAX ||
        (mode != SNP_ATLS_CACHED && mode != SNP_ATLS_FRESH)) {
        return SNP_E_ARG;
    }
    snp_put_le64(t, issued_at);
    snp_put_le32(l, (uint32_t)spki_len);
    parts[0] = (struct snp_iov){SNP_ATLS_LABEL, sizeof(SNP_ATLS_LABEL)}; /* with its NUL */
    parts[1] = (struct snp_iov){&m, 1};
    parts[2] = (struct snp_iov){t, sizeof(t)};
    parts[3] = (struct snp_iov){nonce != NULL ? nonce : zero, SNP_ATLS_NONCE_SIZE};
    parts[4] = (struct snp_iov){l, sizeof(l)};
    parts[5] = (struct snp_iov){spki, spki_len};
    return snp_sha512_parts(out, parts, 6);
}

snp_err
snp_atls_evidence_decode(struct snp_atls_evidence *ev, const uint8_t *buf, size_t len,
                         size_t *err_off)
{
    struct snp_rd rd;
    uint8_t magic[8], mode;
    uint32_t rlen, clen;
    size_t off;
    snp_err err;

    memset(ev, 0, sizeof(*ev));
    if (err_off != NULL) {
        *err_off = 0;
    }
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, magic, sizeof(magic)); /* 0x00 magic */
    if (rd.err == SNP_OK && memcmp(magic, SNP_ATLS_EV_MAGIC, 8) != 0) {
        snp_rd_fail(&rd, SNP_E_FORMAT, 8);
    }
    if (snp_rd_u16le(&rd) != SNP_ATLS_EV_VERSION) { /* 0x08 version */
        snp_rd_fail(&rd, SNP_E_VERSION, 2);
    }
    mode = snp_rd_u8(&rd); /* 0x0A mode */
    if (mode != SNP_ATLS_CACHED && mode != SNP_ATLS_FRESH) {
        snp_rd_fail(&rd, SNP_E_RANGE, 1);
    }
    snp_rd_mbz(&rd, 1);                                /* 0x0B reserved */
    ev->issued_at = snp_rd_u64le(&rd);                 /* 0x0C issued_at */
    snp_rd_bytes(&rd, ev->nonce, SNP_ATLS_NONCE_SIZE); /* 0x14 nonce */
    rlen = snp_rd_u32le(&rd);                          /* 0x34 report length */
    if (rlen != SNP_REPORT_SIZE) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4);
    }
    off = rd.off;
    snp_rd_skip(&rd, SNP_REPORT_SIZE); /* 0x38 report: referenced, not copied */
    clen = snp_rd_u32le(&rd);          /* 0x4D8 certificate table length */
    if (clen > SNP_ATLS_EV_CERTS_MAX) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4);
    }
    if (rd.err == SNP_OK && clen > 0) {
        ev->certs = buf + rd.off;
        ev->certs_len = clen;
    }
    snp_rd_skip(&rd, clen);
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        if (err_off != NULL) {
            *err_off = rd.err != SNP_OK ? rd.err_off : rd.off;
        }
        memset(ev, 0, sizeof(*ev));
        return err;
    }
    ev->mode = (enum snp_atls_mode)mode;
    ev->report = buf + off;
    return SNP_OK;
}

snp_err
snp_atls_evidence_encode(uint8_t *out, size_t cap, size_t *out_len,
                         const struct snp_atls_evidence *ev)
{
    struct snp_wr wr;
    size_t need;

    *out_len = 0;
    if (ev == NULL || ev->report == NULL || (ev->certs_len > 0 && ev->certs == NULL) ||
        (ev->mode != SNP_ATLS_CACHED && ev->mode != SNP_ATLS_FRESH)) {
        return SNP_E_ARG;
    }
    if (ev->certs_len > SNP_ATLS_EV_CERTS_MAX) {
        return SNP_E_RANGE;
    }
    need = SNP_ATLS_EV_MIN_SIZE + ev->certs_len;
    *out_len = need;
    if (out == NULL || cap < need) {
        return SNP_E_SPACE;
    }
    snp_wr_init(&wr, out, need);
    snp_wr_bytes(&wr, (const uint8_t *)SNP_ATLS_EV_MAGIC, 8);
    snp_wr_u16le(&wr, SNP_ATLS_EV_VERSION);
    snp_wr_u8(&wr, (uint8_t)ev->mode);
    snp_wr_zero(&wr, 1);
    snp_wr_u64le(&wr, ev->issued_at);
    snp_wr_bytes(&wr, ev->nonce, SNP_ATLS_NONCE_SIZE);
    snp_wr_u32le(&wr, SNP_REPORT_SIZE);
    snp_wr_bytes(&wr, ev->report, SNP_REPORT_SIZE);
    snp_wr_u32le(&wr, (uint32_t)ev->certs_len);
    snp_wr_bytes(&wr, ev->certs, ev->certs_len);
    return snp_wr_done(&wr);
}
