/*
 * snpkit/policy.h - guest POLICY, PLATFORM_INFO and the report's signer-info word
 * (attestation.md §1.4, §3). Masks and accessors, never C bitfields.
 */
#ifndef SNPKIT_POLICY_H
#define SNPKIT_POLICY_H

#include "snpkit/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SNP-ABI, GUEST_POLICY (u64). */
#define SNP_POLICY_ABI_MINOR_MASK    UINT64_C(0x00000000000000ff)
#define SNP_POLICY_ABI_MAJOR_SHIFT   8
#define SNP_POLICY_ABI_MAJOR_MASK    UINT64_C(0x000000000000ff00)
#define SNP_POLICY_SMT               (UINT64_C(1) << 16)
#define SNP_POLICY_RSVD_MBO          (UINT64_C(1) << 17) /* reserved, must be one */
#define SNP_POLICY_MIGRATE_MA        (UINT64_C(1) << 18)
#define SNP_POLICY_DEBUG             (UINT64_C(1) << 19)
#define SNP_POLICY_SINGLE_SOCKET     (UINT64_C(1) << 20)
#define SNP_POLICY_CXL_ALLOW         (UINT64_C(1) << 21)
#define SNP_POLICY_MEM_AES_256_XTS   (UINT64_C(1) << 22)
#define SNP_POLICY_RAPL_DIS          (UINT64_C(1) << 23)
#define SNP_POLICY_CIPHERTEXT_HIDING (UINT64_C(1) << 24)
#define SNP_POLICY_PAGE_SWAP_DISABLE (UINT64_C(1) << 25)
#define SNP_POLICY_RSVD_MBZ_MASK     (~UINT64_C(0) << 26) /* bits 63:26 */

static inline uint8_t
snp_policy_abi_major(uint64_t policy)
{
    return (uint8_t)((policy & SNP_POLICY_ABI_MAJOR_MASK) >> SNP_POLICY_ABI_MAJOR_SHIFT);
}

static inline uint8_t
snp_policy_abi_minor(uint64_t policy)
{
    return (uint8_t)(policy & SNP_POLICY_ABI_MINOR_MASK);
}

static inline bool
snp_policy_debug(uint64_t policy)
{
    return (policy & SNP_POLICY_DEBUG) != 0;
}

/* SNP_E_RESERVED when bit 17 is clear or any of bits 63:26 is set; *bad_bit names the bit. */
snp_err snp_policy_check(uint64_t policy, unsigned *bad_bit);

/* SNP-ABI, PLATFORM_INFO (u64). */
#define SNP_PLATFORM_SMT_EN               (UINT64_C(1) << 0)
#define SNP_PLATFORM_TSME_EN              (UINT64_C(1) << 1)
#define SNP_PLATFORM_ECC_EN               (UINT64_C(1) << 2)
#define SNP_PLATFORM_RAPL_DIS             (UINT64_C(1) << 3)
#define SNP_PLATFORM_CIPHERTEXT_HIDING_EN (UINT64_C(1) << 4)
#define SNP_PLATFORM_ALIAS_CHECK_COMPLETE (UINT64_C(1) << 5)
#define SNP_PLATFORM_TIO_EN               (UINT64_C(1) << 7)
#define SNP_PLATFORM_RSVD_MASK            (UINT64_C(1) << 6 | ~UINT64_C(0) << 8)

/* Signer-info word at report 0x048. */
#define SNP_SIGNER_AUTHOR_KEY_EN     (UINT32_C(1) << 0)
#define SNP_SIGNER_MASK_CHIP_KEY     (UINT32_C(1) << 1)
#define SNP_SIGNER_SIGNING_KEY_SHIFT 2
#define SNP_SIGNER_SIGNING_KEY_MASK  (UINT32_C(7) << 2)
#define SNP_SIGNER_RSVD_MASK         (~UINT32_C(0) << 5)

enum snp_signing_key {
    SNP_SIGNING_KEY_VCEK = 0,
    SNP_SIGNING_KEY_VLEK = 1,
    SNP_SIGNING_KEY_NONE = 7, /* report not signed: SIGNATURE all zero */
};

struct snp_signer_info {
    bool author_key_en;
    bool mask_chip_key;
    unsigned signing_key; /* 0 VCEK, 1 VLEK, 7 none; 2..6 reserved */
};

/* Split the word. SNP_E_RESERVED when bits 31:5 are set or SIGNING_KEY is 2..6. */
snp_err snp_signer_info_decode(struct snp_signer_info *out, uint32_t word);
uint32_t snp_signer_info_encode(const struct snp_signer_info *si);
/* "VCEK", "VLEK", "none", or "reserved". */
const char *snp_signing_key_name(unsigned signing_key);

/* A named bit of a flags word, for printing: tables end with a NULL name. */
struct snp_bit_name {
    unsigned bit;
    const char *name;
};
extern const struct snp_bit_name snp_policy_bit_names[];   /* SMT, MIGRATE_MA, DEBUG, ... */
extern const struct snp_bit_name snp_platform_bit_names[]; /* SMT_EN, TSME_EN, ... */

#endif /* SNPKIT_POLICY_H */
