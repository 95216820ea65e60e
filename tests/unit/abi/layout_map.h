/*
 * tests/unit/abi/layout_map.h - field-placement checks shared by the VMSA, GHCB, secrets,
 * PAGE_INFO, CPUID-page and PSP-buffer tests (STYLE.md §7.7).
 *
 * A test lists, in layout-table order, which struct member each row decodes into (offsetof and
 * size). t_check_placement() then proves three transcriptions agree: the spec layout table, the
 * decoder (each member holds the bytes at its row's offset) and the struct (sizes match).
 */
#ifndef SNP_TESTS_LAYOUT_MAP_H
#define SNP_TESTS_LAYOUT_MAP_H

#include "helpers.h"

#include "snpkit/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_NOFIELD ((size_t)-1)

struct t_map {
    const char *name; /* must equal the table row's name */
    size_t soff;      /* offsetof the member, or T_NOFIELD (MBZ rows, bools) */
    size_t size;      /* sizeof the member (or the row size for T_NOFIELD) */
};

#define T_MAP(name, type, member)                                                                  \
    {                                                                                              \
        name, offsetof(type, member), sizeof(((type *)0)->member)                                  \
    }
#define T_MAP_NONE(name, size)                                                                     \
    {                                                                                              \
        name, T_NOFIELD, size                                                                      \
    }
#define T_MAP_END                                                                                  \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

static inline uint64_t
t_le_at(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = n; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static inline uint64_t
t_native_at(const void *base, size_t soff, size_t n)
{
    const uint8_t *p = (const uint8_t *)base + soff;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    switch (n) {
    case 1:
        memcpy(&v8, p, 1);
        return v8;
    case 2:
        memcpy(&v16, p, 2);
        return v16;
    case 4:
        memcpy(&v32, p, 4);
        return v32;
    default:
        memcpy(&v64, p, 8);
        return v64;
    }
}

/*
 * For every row of @table: the map row has the same name and size; an LE row's member holds
 * the little-endian value at the row offset of @buf; a BYTES/KEEP row's member holds the same
 * bytes. @decoded is the struct snp_*_decode() produced from @buf.
 */
static inline void
t_check_placement(const struct snp_field *table, const struct t_map *map, const void *decoded,
                  const uint8_t *buf)
{
    size_t i = 0;

    for (; table[i].name != NULL; i++) {
        const struct snp_field *f = &table[i];
        const struct t_map *m = &map[i];
        if (m->name == NULL || strcmp(m->name, f->name) != 0 || m->size != f->size) {
            print_error("row %zu (%s @0x%zx): map says %s/%zu\n", i, f->name, f->off,
                        m->name != NULL ? m->name : "(end)", m->size);
            fail();
        }
        if (m->soff == T_NOFIELD) {
            continue;
        }
        if (f->kind == SNP_F_LE) {
            uint64_t want = t_le_at(buf + f->off, f->size);
            uint64_t got = t_native_at(decoded, m->soff, f->size);
            if (want != got) {
                print_error("row %s @0x%zx: decoded 0x%llx, bytes say 0x%llx\n", f->name, f->off,
                            (unsigned long long)got, (unsigned long long)want);
                fail();
            }
        } else {
            t_memeq((const uint8_t *)decoded + m->soff, buf + f->off, f->size);
        }
    }
    assert_null(map[i].name); /* the map has no extra rows */
}

static inline void
t_store_native(void *base, size_t soff, size_t n, uint64_t v)
{
    uint8_t *p = (uint8_t *)base + soff;
    uint8_t v8 = (uint8_t)v;
    uint16_t v16 = (uint16_t)v;
    uint32_t v32 = (uint32_t)v;

    switch (n) {
    case 1:
        memcpy(p, &v8, 1);
        break;
    case 2:
        memcpy(p, &v16, 2);
        break;
    case 4:
        memcpy(p, &v32, 4);
        break;
    default:
        memcpy(p, &v, 8);
        break;
    }
}

typedef snp_err (*t_encode_fn)(uint8_t *out, const void *s);

/*
 * Encode direction: starting from @base (a valid struct of @ssize bytes), change one mapped
 * member at a time to a value whose every byte differs from base's encoding, and check the
 * encoding changes exactly in that row's bytes, to exactly that value. @total is the wire size.
 */
static inline void
t_check_encode_placement(const struct snp_field *table, const struct t_map *map, const void *base,
                         size_t ssize, size_t total, t_encode_fn enc)
{
    uint8_t *s = malloc(ssize);
    uint8_t *ref = malloc(total);
    uint8_t *out = malloc(total);
    uint8_t *want = malloc(total);

    assert_non_null(s);
    assert_non_null(ref);
    assert_non_null(out);
    assert_non_null(want);
    memcpy(s, base, ssize);
    T_OK(enc(ref, s));
    for (size_t i = 0; table[i].name != NULL; i++) {
        const struct snp_field *f = &table[i];
        if (map[i].soff == T_NOFIELD) {
            continue;
        }
        memcpy(s, base, ssize);
        memcpy(want, ref, total);
        for (size_t k = 0; k < f->size; k++) {
            want[f->off + k] = (uint8_t)(ref[f->off + k] ^ (uint8_t)(0x5A + 3 * k + i));
            if (want[f->off + k] == ref[f->off + k]) {
                want[f->off + k] ^= 0xFF;
            }
        }
        if (f->kind == SNP_F_LE) {
            t_store_native(s, map[i].soff, f->size, t_le_at(want + f->off, f->size));
        } else {
            memcpy((uint8_t *)s + map[i].soff, want + f->off, f->size);
        }
        T_OK(enc(out, s));
        t_memeq(out, want, total);
    }
    free(s);
    free(ref);
    free(out);
    free(want);
}

/* Zero the bytes of every MBZ row of @table in @buf. */
static inline void
t_zero_mbz(const struct snp_field *table, uint8_t *buf)
{
    for (const struct snp_field *f = table; f->name != NULL; f++) {
        if (f->kind == SNP_F_MBZ) {
            memset(buf + f->off, 0, f->size);
        }
    }
}

#endif /* SNP_TESTS_LAYOUT_MAP_H */
