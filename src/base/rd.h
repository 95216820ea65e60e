/*
 * base/rd.h - the bounds-checked byte reader every decoder goes through (STYLE.md §7.2).
 *
 * The error is sticky: after the first failure every read returns 0 and does nothing, and the
 * first error with its offset is kept, so a decoder reads like the spec's table and checks once
 * at the end. Invariant: off <= len.
 */
#ifndef SNP_BASE_RD_H
#define SNP_BASE_RD_H

#include "base/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_rd {
    const uint8_t *buf;
    size_t len;
    size_t off;     /* invariant: off <= len */
    snp_err err;    /* first error, SNP_OK while every read fitted */
    size_t err_off; /* where err was raised */
};

void snp_rd_init(struct snp_rd *rd, const uint8_t *buf, size_t len);
uint8_t snp_rd_u8(struct snp_rd *rd);
uint16_t snp_rd_u16le(struct snp_rd *rd);
uint32_t snp_rd_u32le(struct snp_rd *rd);
uint64_t snp_rd_u64le(struct snp_rd *rd);
void snp_rd_bytes(struct snp_rd *rd, uint8_t *dst, size_t n);
/* n reserved bytes that must be zero: SNP_E_RESERVED at the first non-zero byte. */
void snp_rd_mbz(struct snp_rd *rd, size_t n);
/* Skip n bytes that are not kept (no round trip possible: use only where the spec says so). */
void snp_rd_skip(struct snp_rd *rd, size_t n);
/* Raise err at the current offset (minus back bytes) unless an error is already pending. */
void snp_rd_fail(struct snp_rd *rd, snp_err err, size_t back);
/* Bytes not read yet. */
size_t snp_rd_left(const struct snp_rd *rd);
/* The pending error, or SNP_E_TRAILING (at off) when bytes are left over. */
SNP_MUST_CHECK snp_err snp_rd_done(struct snp_rd *rd);

/* Plain little-endian loads and stores for code that already checked its bounds. */
static inline uint16_t
snp_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t
snp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
snp_le64(const uint8_t *p)
{
    return (uint64_t)snp_le32(p) | (uint64_t)snp_le32(p + 4) << 32;
}

static inline void
snp_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
snp_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
snp_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

#endif /* SNP_BASE_RD_H */
