/*
 * base/rd.c - bounds-checked reader with a sticky error (see rd.h).
 *
 * Every length is compared by subtraction against what is left, so no addition can overflow.
 */
#include "base/rd.h"

#include <string.h>

void
snp_rd_init(struct snp_rd *rd, const uint8_t *buf, size_t len)
{
    rd->buf = buf;
    rd->len = buf != NULL ? len : 0;
    rd->off = 0;
    rd->err = SNP_OK;
    rd->err_off = 0;
}

static bool
rd_take(struct snp_rd *rd, size_t n, const uint8_t **p)
{
    if (rd->err != SNP_OK) {
        return false;
    }
    if (n > rd->len - rd->off) {
        rd->err = SNP_E_TRUNCATED;
        rd->err_off = rd->off;
        return false;
    }
    *p = rd->buf + rd->off;
    rd->off += n;
    return true;
}

uint8_t
snp_rd_u8(struct snp_rd *rd)
{
    const uint8_t *p;

    if (!rd_take(rd, 1, &p)) {
        return 0;
    }
    return p[0];
}

uint16_t
snp_rd_u16le(struct snp_rd *rd)
{
    const uint8_t *p;

    if (!rd_take(rd, 2, &p)) {
        return 0;
    }
    return snp_le16(p);
}

uint32_t
snp_rd_u32le(struct snp_rd *rd)
{
    const uint8_t *p;

    if (!rd_take(rd, 4, &p)) {
        return 0;
    }
    return snp_le32(p);
}

uint64_t
snp_rd_u64le(struct snp_rd *rd)
{
    const uint8_t *p;

    if (!rd_take(rd, 8, &p)) {
        return 0;
    }
    return snp_le64(p);
}

void
snp_rd_bytes(struct snp_rd *rd, uint8_t *dst, size_t n)
{
    const uint8_t *p;

    if (!rd_take(rd, n, &p)) {
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, p, n);
}

void
snp_rd_mbz(struct snp_rd *rd, size_t n)
{
    const uint8_t *p;
    size_t start = rd->off;

    if (!rd_take(rd, n, &p)) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            rd->err = SNP_E_RESERVED;
            rd->err_off = start + i;
            return;
        }
    }
}

void
snp_rd_skip(struct snp_rd *rd, size_t n)
{
    const uint8_t *p;

    (void)rd_take(rd, n, &p);
}

void
snp_rd_fail(struct snp_rd *rd, snp_err err, size_t back)
{
    if (rd->err != SNP_OK) {
        return;
    }
    rd->err = err;
    rd->err_off = back <= rd->off ? rd->off - back : 0;
}

size_t
snp_rd_left(const struct snp_rd *rd)
{
    return rd->len - rd->off;
}

snp_err
snp_rd_done(struct snp_rd *rd)
{
    if (rd->err == SNP_OK && rd->off != rd->len) {
        rd->err = SNP_E_TRAILING;
        rd->err_off = rd->off;
    }
    return rd->err;
}
