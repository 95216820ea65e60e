/*
 * measure/measure_int.h - what the files of measure/ share and nothing else sees.
 */
#ifndef SNP_MEASURE_INT_H
#define SNP_MEASURE_INT_H

#include "snpkit/measure.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pages per unit of work handed to a hashing thread (256 KiB). */
#define LD_PAR_PAGES 64u
#define LD_PAR_CHUNK (LD_PAR_PAGES * SNP_MEASURE_PAGE)

/* True for the page types whose CONTENTS is a hash of the page (NORMAL, VMSA; §8.2). */
bool ld_type_hashed(enum snp_page_type type);

/* CONTENTS of one hashed chunk (VMSA: TSC fields read as zero, §8.2). */
snp_err ld_hash_chunk(enum snp_page_type type, const uint8_t *page, uint8_t out[SNP_LD_SIZE]);

/* snp_ld_update_range() with contents hashed on ld->threads threads (ld_par.c). */
snp_err ld_update_range_par(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                            const uint8_t *data, size_t len, const uint8_t *vmpl_perms, bool imi);

/* Fill diag (when non-NULL) and return err. */
snp_err measure_fail(struct snp_measure_diag *diag, snp_err err, enum snp_measure_why why,
                     size_t off);

#endif /* SNP_MEASURE_INT_H */
