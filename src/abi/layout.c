/*
 * abi/layout.c - generic checks over the per-structure layout tables (snpkit/layout.h).
 */
#include "snpkit/layout.h"

#include <string.h>

snp_err
snp_layout_check(const struct snp_field *table, size_t total)
{
    size_t off = 0;

    for (const struct snp_field *f = table; f->name != NULL; f++) {
        if (f->off != off || f->size == 0 || f->size > total - off) {
            return SNP_E_RANGE;
        }
        if (f->kind == SNP_F_LE && f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
            return SNP_E_RANGE;
        }
        off += f->size;
    }
    return off == total ? SNP_OK : SNP_E_RANGE;
}

const struct snp_field *
snp_layout_find(const struct snp_field *table, const char *name)
{
    for (const struct snp_field *f = table; f->name != NULL; f++) {
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

const char *
snp_layout_kind_name(enum snp_field_kind kind)
{
    switch (kind) {
    case SNP_F_LE:
        return "le";
    case SNP_F_BYTES:
        return "bytes";
    case SNP_F_MBZ:
        return "mbz";
    case SNP_F_KEEP:
        return "keep";
    }
    return "?";
}
