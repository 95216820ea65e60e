/*
 * tests/unit/measure/synth_ovmf.h - build small OVMF-like images in memory (hardware.md §7.2,
 * §7.3): a GUIDed footer table with the SEV-ES reset block, SEV metadata and SEV hashes block
 * entries, and an "ASEV" metadata header with the given sections. Used by the unit tests and to
 * generate the fuzz seeds, so `make test` checks the parser without the external vectors.
 */
#ifndef SNP_TESTS_SYNTH_OVMF_H
#define SNP_TESTS_SYNTH_OVMF_H

#include "snpkit/measure.h"

#include <stdint.h>
#include <string.h>

struct synth {
    uint32_t reset_eip;
    bool no_reset;
    bool no_metadata;
    bool no_hashes;
    uint32_t hashes_gpa, hashes_size;
    size_t nsec;
    struct snp_ovmf_section sec[SNP_OVMF_MAX_SECTIONS + 2];
};

/* The AmdSev layout of §7.3/§8.7, with the hashes table at 0x810C00 (size 0x400). */
static inline void
synth_amdsev(struct synth *s)
{
    static const struct snp_ovmf_section secs[] = {
        {0x800000, 0x9000, 1}, {0x80A000, 0x3000, 1}, {0x80D000, 0x1000, 2},
        {0x80E000, 0x1000, 3}, {0x80F000, 0x1000, 4}, {0x810000, 0x1000, 0x10},
        {0x811000, 0xF000, 1},
    };
    memset(s, 0, sizeof(*s));
    s->reset_eip = 0x0080B004;
    s->hashes_gpa = 0x810C00;
    s->hashes_size = 0x400;
    s->nsec = sizeof(secs) / sizeof(secs[0]);
    memcpy(s->sec, secs, sizeof(secs));
}

static inline void
synth_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Append one footer entry ending at *end (walking down); returns the new end. */
static inline size_t
synth_entry(uint8_t *img, size_t end, const uint8_t guid[16], const uint8_t *data, size_t dlen)
{
    size_t elen = dlen + 18;

    memcpy(img + end - 16, guid, 16);
    img[end - 18] = (uint8_t)elen;
    img[end - 17] = (uint8_t)(elen >> 8);
    memcpy(img + end - elen, data, dlen);
    return end - elen;
}

/*
 * synth_build() - fill img (len bytes, a multiple of 4 KiB, >= 4 KiB) with a pattern and the
 * metadata described by s. The metadata header sits at len - 0x800; the table at the end.
 * Returns the offset of the metadata header.
 */
static inline size_t
synth_build(uint8_t *img, size_t len, const struct synth *s)
{
    static const uint8_t g_footer[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                         0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
    static const uint8_t g_reset[16] = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                        0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
    static const uint8_t g_meta[16] = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                       0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
    static const uint8_t g_hashes[16] = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                         0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};
    static const uint8_t g_tdx[16] = {0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
                                      0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2};
    size_t meta = len - 0x800;
    size_t end = len - 32;
    size_t p;
    uint8_t d[8];

    for (size_t i = 0; i < len; i++) {
        img[i] = (uint8_t)(i * 7 + (i >> 12));
    }
    memset(img + len - 0x900, 0, 0x900);
    /* metadata header (§7.3) */
    memcpy(img + meta, "ASEV", 4);
    synth_put32(img + meta + 4, (uint32_t)(16 + 12 * s->nsec));
    synth_put32(img + meta + 8, 1);
    synth_put32(img + meta + 12, (uint32_t)s->nsec);
    for (size_t i = 0; i < s->nsec; i++) {
        synth_put32(img + meta + 16 + 12 * i, s->sec[i].gpa);
        synth_put32(img + meta + 20 + 12 * i, s->sec[i].size);
        synth_put32(img + meta + 24 + 12 * i, s->sec[i].type);
    }
    /* footer table (§7.2), walking down from the footer entry */
    p = end - 18;
    synth_put32(d, 0x9D0);
    p = synth_entry(img, p, g_tdx, d, 4); /* an entry the parser must skip */
    if (!s->no_metadata) {
        synth_put32(d, (uint32_t)(len - meta));
        p = synth_entry(img, p, g_meta, d, 4);
    }
    if (!s->no_hashes) {
        synth_put32(d, s->hashes_gpa);
        synth_put32(d + 4, s->hashes_size);
        p = synth_entry(img, p, g_hashes, d, 8);
    }
    if (!s->no_reset) {
        synth_put32(d, s->reset_eip);
        p = synth_entry(img, p, g_reset, d, 4);
    }
    memcpy(img + end - 16, g_footer, 16);
    img[end - 18] = (uint8_t)(end - p);
    img[end - 17] = (uint8_t)((end - p) >> 8);
    return meta;
}

#endif /* SNP_TESTS_SYNTH_OVMF_H */
