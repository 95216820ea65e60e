/*
 * base/wr.c - bounds-checked writer with a sticky error (see wr.h).
 */
#include "base/wr.h"

#include "base/rd.h"

#include <string.h>

void
snp_wr_init(struct snp_wr *wr, uint8_t *buf, size_t len)
{
    wr->buf = buf;
    wr->len = buf != NULL ? len : 0;
    wr->off = 0;
    wr->err = SNP_OK;
    wr->err_off = 0;
}

static bool
wr_take(struct snp_wr *wr, size_t n, uint8_t **p)
{
    if (wr->err != SNP_OK) {
        return false;
    }
    if (n > wr->len - wr->off) {
        wr->err = SNP_E_SPACE;
        wr->err_off = wr->off;
        return false;
    }
    *p = wr->buf + wr->off;
    wr->off += n;
    return true;
}

void
snp_wr_u8(struct snp_wr *wr, uint8_t v)
{
    uint8_t *p;

    if (wr_take(wr, 1, &p)) {
        p[0] = v;
    }
}

void
snp_wr_u16le(struct snp_wr *wr, uint16_t v)
{
    uint8_t *p;

    if (wr_take(wr, 2, &p)) {
        snp_put_le16(p, v);
    }
}

void
snp_wr_u32le(struct snp_wr *wr, uint32_t v)
{
    uint8_t *p;

    if (wr_take(wr, 4, &p)) {
        snp_put_le32(p, v);
    }
}

void
snp_wr_u64le(struct snp_wr *wr, uint64_t v)
{
    uint8_t *p;

    if (wr_take(wr, 8, &p)) {
        snp_put_le64(p, v);
    }
}

void
snp_wr_bytes(struct snp_wr *wr, const uint8_t *src, size_t n)
{
    uint8_t *p;

    if (wr_take(wr, n, &p) && n > 0) {
        memmove(p, src, n);
    }
}

void
snp_wr_zero(struct snp_wr *wr, size_t n)
{
    uint8_t *p;

    if (wr_take(wr, n, &p) && n > 0) {
        memset(p, 0, n);
    }
}

snp_err
snp_wr_done(struct snp_wr *wr)
{
    if (wr->err != SNP_OK) {
        return wr->err == SNP_E_SPACE ? SNP_E_ARG : wr->err;
    }
    if (wr->off != wr->len) {
        wr->err = SNP_E_ARG;
        wr->err_off = wr->off;
    }
    return wr->err;
}
