/*
 * abi/policy.c - guest POLICY check, the report's signer-info word, and bit-name tables.
 *
 * attestation.md §3.1 (GUEST_POLICY), §3.2 (PLATFORM_INFO) and §1.4 (signer info at report
 * 0x048). Masks and accessors only, never C bitfields. Which *defined* bits a verifier allows
 * is verifier policy (verify/), not decided here.
 */
#include "snpkit/policy.h"

snp_err
snp_policy_check(uint64_t policy, unsigned *bad_bit)
{
    uint64_t rsvd = policy & SNP_POLICY_RSVD_MBZ_MASK;

    /* §3.1: bit 17 is reserved, must be one. Checked first: it is the lowest offending bit. */
    if ((policy & SNP_POLICY_RSVD_MBO) == 0) {
        if (bad_bit != NULL) {
            *bad_bit = 17;
        }
        return SNP_E_RESERVED;
    }
    /* §3.1: bits 63:26 are reserved, must be zero. Name the lowest one set. */
    if (rsvd != 0) {
        unsigned bit = 26;
        while ((rsvd & (UINT64_C(1) << bit)) == 0) {
            bit++;
        }
        if (bad_bit != NULL) {
            *bad_bit = bit;
        }
        return SNP_E_RESERVED;
    }
    return SNP_OK;
}

snp_err
snp_signer_info_decode(struct snp_signer_info *out, uint32_t word)
{
    unsigned key = (unsigned)((word & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT);

    out->author_key_en = false;
    out->mask_chip_key = false;
    out->signing_key = 0;
    /* §1.4: bits 31:5 MBZ; SIGNING_KEY 2..6 reserved (reject). */
    if ((word & SNP_SIGNER_RSVD_MASK) != 0) {
        return SNP_E_RESERVED;
    }
    if (key >= 2 && key <= 6) {
        return SNP_E_RESERVED;
    }
    out->author_key_en = (word & SNP_SIGNER_AUTHOR_KEY_EN) != 0; /* bit 0 */
    out->mask_chip_key = (word & SNP_SIGNER_MASK_CHIP_KEY) != 0; /* bit 1 */
    out->signing_key = key;                                      /* bits 4:2 */
    return SNP_OK;
}

uint32_t
snp_signer_info_encode(const struct snp_signer_info *si)
{
    uint32_t w = 0;

    if (si->author_key_en) {
        w |= SNP_SIGNER_AUTHOR_KEY_EN;
    }
    if (si->mask_chip_key) {
        w |= SNP_SIGNER_MASK_CHIP_KEY;
    }
    w |= ((uint32_t)si->signing_key << SNP_SIGNER_SIGNING_KEY_SHIFT) & SNP_SIGNER_SIGNING_KEY_MASK;
    return w;
}

const char *
snp_signing_key_name(unsigned signing_key)
{
    switch (signing_key) {
    case SNP_SIGNING_KEY_VCEK:
        return "VCEK";
    case SNP_SIGNING_KEY_VLEK:
        return "VLEK";
    case SNP_SIGNING_KEY_NONE:
        return "none";
    default:
        return "reserved";
    }
}

/* §3.1. Bit 17 (reserved, MBO) is not a flag and is not listed. */
const struct snp_bit_name snp_policy_bit_names[] = {
    {16, "SMT"},
    {18, "MIGRATE_MA"},
    {19, "DEBUG"},
    {20, "SINGLE_SOCKET"},
    {21, "CXL_ALLOW"},
    {22, "MEM_AES_256_XTS"},
    {23, "RAPL_DIS"},
    {24, "CIPHERTEXT_HIDING"},
    {25, "PAGE_SWAP_DISABLE"},
    {0, NULL},
};

/* §3.2. Bit 6 and bits 63:8 are reserved. */
const struct snp_bit_name snp_platform_bit_names[] = {
    {0, "SMT_EN"},
    {1, "TSME_EN"},
    {2, "ECC_EN"},
    {3, "RAPL_DIS"},
    {4, "CIPHERTEXT_HIDING_EN"},
    {5, "ALIAS_CHECK_COMPLETE"},
    {7, "TIO_EN"},
    {0, NULL},
};
