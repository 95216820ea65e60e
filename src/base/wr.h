/*
 * base/wr.h - the bounds-checked byte writer every encoder goes through (mirror of rd.h).
 *
 * Sticky error: after the first overflow writes do nothing. snp_wr_done() returns SNP_E_ARG
 * unless the buffer was filled exactly.
 */
#ifndef SNP_BASE_WR_H
#define SNP_BASE_WR_H

#include "base/compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_wr {
    uint8_t *buf;
    size_t len;
    size_t off; /* invariant: off <= len */
    snp_err err;
    size_t err_off;
};

void snp_wr_init(struct snp_wr *wr, uint8_t *buf, size_t len);
void snp_wr_u8(struct snp_wr *wr, uint8_t v);
void snp_wr_u16le(struct snp_wr *wr, uint16_t v);
void snp_wr_u32le(struct snp_wr *wr, uint32_t v);
void snp_wr_u64le(struct snp_wr *wr, uint64_t v);
void snp_wr_bytes(struct snp_wr *wr, const uint8_t *src, size_t n);
void snp_wr_zero(struct snp_wr *wr, size_t n);
SNP_MUST_CHECK snp_err snp_wr_done(struct snp_wr *wr);

#endif /* SNP_BASE_WR_H */
