/*
 * snpkit/layout.h - layout tables: a second, independent transcription of each wire structure.
 *
 * Every codec in abi/ has one table (name, offset, size, kind) in spec order. Tests check the
 * table is contiguous and sums to the structure size, and that encode puts each field where the
 * table says; `snpkit report show --raw` walks the same table.
 */
#ifndef SNPKIT_LAYOUT_H
#define SNPKIT_LAYOUT_H

#include "snpkit/err.h"

#include <stddef.h>
#include <stdint.h>

enum snp_field_kind {
    SNP_F_LE,    /* little-endian integer of 1, 2, 4 or 8 bytes */
    SNP_F_BYTES, /* opaque bytes (digests, ids, keys) */
    SNP_F_MBZ,   /* reserved, must be zero: the decoder rejects non-zero (firmware inputs) */
    SNP_F_KEEP,  /* reserved, kept and re-encoded as received (structures we observe) */
};

struct snp_field {
    const char *name; /* the spec's name; "reserved" for reserved ranges */
    size_t off;
    size_t size;
    enum snp_field_kind kind;
};

/*
 * snp_layout_check() - the table (terminated by a NULL name) starts at 0, has no gap or
 * overlap, and ends exactly at total. Integer fields are 1, 2, 4 or 8 bytes.
 * Returns SNP_OK, or SNP_E_RANGE naming nothing (tests print the table on failure).
 */
snp_err snp_layout_check(const struct snp_field *table, size_t total);

/* snp_layout_find() - the row named name, or NULL. */
const struct snp_field *snp_layout_find(const struct snp_field *table, const char *name);

/* snp_layout_kind_name() - "le", "bytes", "mbz" or "keep". */
const char *snp_layout_kind_name(enum snp_field_kind kind);

#endif /* SNPKIT_LAYOUT_H */
