/*
 * atls/net.c - the NET message of the device channel (snpkit/atls.h, docs/guest.md): what the
 * untrusted network device (the host) and the aTLS guest app tell each other. The guest parses
 * the host's messages as hostile input, with the project cursor (base/rd.h); fuzzed by
 * tests/fuzz/fuzz_atls_net.c.
 */
#include "snpkit/atls.h"

#include "base/compiler.h"
#include "base/rd.h"

#include <string.h>

static bool
kind_ok(uint8_t kind, bool guest_side, bool *data_allowed)
{
    switch (kind) {
    case SNP_ATLS_NET_CLIENT_DATA:
    case SNP_ATLS_NET_BACKEND_DATA:
        *data_allowed = true;
        return guest_side;
    case SNP_ATLS_NET_OPEN:
    case SNP_ATLS_NET_CLIENT_CLOSED:
    case SNP_ATLS_NET_BACKEND_CLOSED:
        *data_allowed = false;
        return guest_side;
    case SNP_ATLS_NET_TO_CLIENT:
    case SNP_ATLS_NET_TO_BACKEND:
        *data_allowed = true;
        return !guest_side;
    case SNP_ATLS_NET_CONNECT:
    case SNP_ATLS_NET_CLOSE:
        *data_allowed = false;
        return !guest_side;
    default:
        return false;
    }
}

snp_err
snp_atls_net_parse(const uint8_t *buf, size_t len, bool guest_side, uint32_t *flags,
                   struct snp_atls_net_rec *recs, size_t max, size_t *n, size_t *err_off)
{
    struct snp_rd rd;
    size_t k = 0;
    bool data_allowed = false;

    *n = 0;
    *flags = 0;
    if (err_off != NULL) {
        *err_off = 0;
    }
    if (buf == NULL && len > 0) {
        return SNP_E_ARG;
    }
    snp_rd_init(&rd, buf, len);
    if (guest_side) {
        snp_rd_mbz(&rd, 4); /* the host has no flags to give */
    } else {
        *flags = snp_rd_u32le(&rd);
        if (rd.err == SNP_OK && (*flags & ~(uint32_t)SNP_ATLS_NET_MORE) != 0) {
            snp_rd_fail(&rd, SNP_E_RESERVED, 4);
        }
    }
    while (rd.err == SNP_OK && snp_rd_left(&rd) > 0) {
        struct snp_atls_net_rec r;
        uint16_t dlen;

        r.id = snp_rd_u32le(&rd);
        r.kind = snp_rd_u8(&rd);
        if (rd.err == SNP_OK && !kind_ok(r.kind, guest_side, &data_allowed)) {
            snp_rd_fail(&rd, SNP_E_RANGE, 1);
        }
        snp_rd_mbz(&rd, 1);
        dlen = snp_rd_u16le(&rd);
        if (rd.err == SNP_OK && dlen > 0 && !data_allowed) {
            snp_rd_fail(&rd, SNP_E_RANGE, 2);
        }
        if (rd.err == SNP_OK && k == max) {
            snp_rd_fail(&rd, SNP_E_RANGE, SNP_ATLS_NET_REC_HDR);
        }
        if (rd.err == SNP_OK && snp_rd_left(&rd) < dlen) {
            snp_rd_fail(&rd, SNP_E_TRUNCATED, 0);
        }
        if (rd.err != SNP_OK) {
            break;
        }
        r.len = dlen;
        r.data = dlen > 0 ? rd.buf + rd.off : NULL;
        snp_rd_skip(&rd, dlen);
        recs[k++] = r;
    }
    if (rd.err != SNP_OK) {
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
        *flags = 0;
        return rd.err;
    }
    *n = k;
    return SNP_OK;
}

snp_err
snp_atls_net_put(uint8_t *out, size_t cap, size_t *off, uint32_t id, uint8_t kind, const void *data,
                 size_t len)
{
    uint8_t *p;

    SNP_ENSURE(out != NULL && off != NULL && (data != NULL || len == 0), SNP_E_ARG);
    SNP_ENSURE(len <= 0xFFFFu, SNP_E_RANGE);
    if (*off > cap || cap - *off < SNP_ATLS_NET_REC_HDR + len) {
        return SNP_E_SPACE;
    }
    p = out + *off;
    snp_put_le32(p, id);
    p[4] = kind;
    p[5] = 0;
    snp_put_le16(p + 6, (uint16_t)len);
    if (len > 0) {
        memcpy(p + SNP_ATLS_NET_REC_HDR, data, len);
    }
    *off += SNP_ATLS_NET_REC_HDR + len;
    return SNP_OK;
}
