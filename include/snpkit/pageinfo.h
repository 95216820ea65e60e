/*
 * snpkit/pageinfo.h - PAGE_INFO (hardware.md §8.1), the 0x70-byte block the firmware hashes
 * once per launched 4 KiB chunk: LD_{n+1} = SHA-384(PAGE_INFO{DIGEST_CUR = LD_n, ...}).
 *
 * The VMPL permission bytes follow the firmware order (reserved, VMPL1, VMPL2, VMPL3 at
 * 0x64..0x67; §8.1 "Use the firmware order"); sev-snp-measure packs them reversed, which only
 * matters when a permission is non-zero. The codec is strict (the structure is built, never
 * observed from a third party): reserved byte and IMI bits 7:1 MBZ, LENGTH 0x70, type 1..6.
 */
#ifndef SNPKIT_PAGEINFO_H
#define SNPKIT_PAGEINFO_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_PAGE_INFO_SIZE        0x70
#define SNP_PAGE_INFO_DIGEST_SIZE 48 /* SHA-384 */

/* LAUNCH_UPDATE page types (hardware.md §6.7); 0 and 7 are invalid. */
enum snp_page_type {
    SNP_PAGE_TYPE_NORMAL = 1,
    SNP_PAGE_TYPE_VMSA = 2,
    SNP_PAGE_TYPE_ZERO = 3,
    SNP_PAGE_TYPE_UNMEASURED = 4,
    SNP_PAGE_TYPE_SECRETS = 5,
    SNP_PAGE_TYPE_CPUID = 6,
};

/* "NORMAL", "VMSA", ...; NULL outside 1..6. */
const char *snp_page_type_name(uint8_t type);

/* The GPA the RMP carries for VMSA pages under KVM (sev-snp-measure VMSA_GPA, §8.2). */
#define SNP_PAGE_INFO_VMSA_GPA UINT64_C(0xFFFFFFFFF000)

struct snp_page_info {
    uint8_t digest_cur[SNP_PAGE_INFO_DIGEST_SIZE]; /* 0x00 DIGEST_CUR */
    uint8_t contents[SNP_PAGE_INFO_DIGEST_SIZE];   /* 0x30 CONTENTS */
    uint16_t length;                               /* 0x60 LENGTH = 0x70 */
    uint8_t page_type;                             /* 0x62 PAGE_TYPE, enum snp_page_type */
    bool imi_page;                                 /* 0x63 bit 0 IMI_PAGE (bits 7:1 MBZ) */
    /* 0x64 reserved, MBZ */
    uint8_t vmpl1_perms; /* 0x65 VMPL1_PERMS */
    uint8_t vmpl2_perms; /* 0x66 VMPL2_PERMS */
    uint8_t vmpl3_perms; /* 0x67 VMPL3_PERMS */
    uint64_t gpa;        /* 0x68 GPA (from the RMP entry) */
};

/*
 * snp_page_info_init() - fill @pi for one chunk: LENGTH 0x70 and the given values.
 * @digest_cur, @contents: 48 bytes each (CONTENTS per page type, §8.2: SHA-384 of the page for
 * NORMAL and VMSA, zeros otherwise -- hashing is the caller's job).
 * Returns SNP_E_RANGE for a type outside 1..6, SNP_E_ARG for NULL pointers.
 */
snp_err snp_page_info_init(struct snp_page_info *pi, const uint8_t digest_cur[48],
                           const uint8_t contents[48], enum snp_page_type type, bool imi_page,
                           const uint8_t vmpl_perms[3], uint64_t gpa);

/*
 * snp_page_info_decode() - decode and check (@len MUST be 0x70).
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RESERVED (0x63 bits 7:1 or 0x64);
 * SNP_E_RANGE (LENGTH != 0x70 at 0x60, PAGE_TYPE outside 1..6 at 0x62). @err_off optional.
 */
snp_err snp_page_info_decode(struct snp_page_info *pi, const uint8_t *buf, size_t len,
                             size_t *err_off);

/* snp_page_info_encode() - the inverse; SNP_E_RANGE when length or type is not valid. */
snp_err snp_page_info_encode(uint8_t out[SNP_PAGE_INFO_SIZE], const struct snp_page_info *pi);

const struct snp_field *snp_page_info_layout(void);

#endif /* SNPKIT_PAGEINFO_H */
