/*
 * snpkit/cpuid_page.h - the SNP CPUID page (hardware.md §9.1): the table a VMM hands to
 * LAUNCH_UPDATE type CPUID and the guest trusts after firmware validation.
 *
 * A firmware input, so the codec is strict: COUNT <= 64 (SNP_E_RANGE), every reserved field
 * and the page tail MBZ. All 64 entry slots are decoded (entries past COUNT are unused but
 * kept as read), so encode(decode(x)) == x. The per-leaf firmware rules of §9.2 are policy for
 * the firmware model, not for this codec.
 */
#ifndef SNPKIT_CPUID_PAGE_H
#define SNPKIT_CPUID_PAGE_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_CPUID_PAGE_SIZE   4096
#define SNP_CPUID_MAX_ENTRIES 64
#define SNP_CPUID_HDR_SIZE    16
#define SNP_CPUID_ENTRY_SIZE  0x30
#define SNP_CPUID_TABLE_SIZE  (SNP_CPUID_HDR_SIZE + SNP_CPUID_MAX_ENTRIES * SNP_CPUID_ENTRY_SIZE)

struct snp_cpuid_entry {
    uint32_t eax_in;  /* +0x00 */
    uint32_t ecx_in;  /* +0x04 subleaf (indexed leaves only) */
    uint64_t xcr0_in; /* +0x08 */
    uint64_t xss_in;  /* +0x10 */
    uint32_t eax;     /* +0x18 */
    uint32_t ebx;     /* +0x1C */
    uint32_t ecx;     /* +0x20 */
    uint32_t edx;     /* +0x24 */
    /* +0x28 u64 reserved, MBZ */
};

struct snp_cpuid_page {
    uint32_t count; /* 0x000 entries in use, <= 64 */
    /* 0x004 u32 reserved, 0x008 u64 reserved: MBZ */
    struct snp_cpuid_entry entries[SNP_CPUID_MAX_ENTRIES]; /* 0x010 */
    /* 0xC10 .. 0x1000 MBZ */
};

/*
 * snp_cpuid_page_decode() - decode and check a CPUID page (@len MUST be 4096).
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RESERVED at the first non-zero
 * reserved byte; SNP_E_RANGE (err_off 0) for COUNT > 64. @err_off optional.
 */
snp_err snp_cpuid_page_decode(struct snp_cpuid_page *p, const uint8_t *buf, size_t len,
                              size_t *err_off);

/* snp_cpuid_page_encode() - the inverse; SNP_E_RANGE for count > 64. */
snp_err snp_cpuid_page_encode(uint8_t out[SNP_CPUID_PAGE_SIZE], const struct snp_cpuid_page *p);

/*
 * snp_cpuid_page_find() - the first of the COUNT entries with @eax_in / @ecx_in, or NULL.
 * No XCR0/XSS matching and no post-processing (hardware.md §9.3 is the guest's job).
 */
const struct snp_cpuid_entry *snp_cpuid_page_find(const struct snp_cpuid_page *p, uint32_t eax_in,
                                                  uint32_t ecx_in);

/* The page: header rows, the 64 entries as one opaque row, the MBZ tail. */
const struct snp_field *snp_cpuid_page_layout(void);
/* One entry (0x30 bytes). */
const struct snp_field *snp_cpuid_entry_layout(void);

#endif /* SNPKIT_CPUID_PAGE_H */
