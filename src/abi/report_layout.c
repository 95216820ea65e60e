/*
 * abi/report_layout.c - ATTESTATION_REPORT layout tables, one per public version (2, 3, 5).
 *
 * A second, independent transcription of attestation.md §1.2 (fields), §1.6 (signature block)
 * and §1.8 (reserved ranges per version). The codec in report.c reads every byte at its offset
 * whatever the version; these tables say what the bytes *mean* in each version, and their
 * "reserved" rows are exactly the MBZ ranges snp_report_check_strict() enforces. Tests check
 * each table is contiguous, sums to 0x4A0, and agrees with encode and decode.
 * Version 4's layout is not public (§1.3) and has no table.
 */
#include "snpkit/report.h"

#include <stddef.h>

/* clang-format off */
/* Rows every public version shares (§1.2): 0x000..0x188, 0x1A0..0x1F8 and the signature block. */
#define REPORT_ROWS_HEAD \
    /* name                    offset   size  kind */ \
    { "VERSION",               0x000,     4, SNP_F_LE    }, /* u32 */ \
    { "GUEST_SVN",             0x004,     4, SNP_F_LE    }, /* u32 */ \
    { "POLICY",                0x008,     8, SNP_F_LE    }, /* u64, §3.1 */ \
    { "FAMILY_ID",             0x010,    16, SNP_F_BYTES }, \
    { "IMAGE_ID",              0x020,    16, SNP_F_BYTES }, \
    { "VMPL",                  0x030,     4, SNP_F_LE    }, /* u32, 0..3 */ \
    { "SIGNATURE_ALGO",        0x034,     4, SNP_F_LE    }, /* u32, 1 = ECDSA P-384 */ \
    { "CURRENT_TCB",           0x038,     8, SNP_F_LE    }, /* TCB_VERSION, §2 */ \
    { "PLATFORM_INFO",         0x040,     8, SNP_F_LE    }, /* u64, §3.2 */ \
    { "SIGNER_INFO",           0x048,     4, SNP_F_LE    }, /* u32, §1.4 */ \
    { "reserved",              0x04C,     4, SNP_F_KEEP  }, /* MBZ */ \
    { "REPORT_DATA",           0x050,    64, SNP_F_BYTES }, \
    { "MEASUREMENT",           0x090,    48, SNP_F_BYTES }, \
    { "HOST_DATA",             0x0C0,    32, SNP_F_BYTES }, \
    { "ID_KEY_DIGEST",         0x0E0,    48, SNP_F_BYTES }, \
    { "AUTHOR_KEY_DIGEST",     0x110,    48, SNP_F_BYTES }, \
    { "REPORT_ID",             0x140,    32, SNP_F_BYTES }, \
    { "REPORT_ID_MA",          0x160,    32, SNP_F_BYTES }, /* all 0xFF: no MA */ \
    { "REPORTED_TCB",          0x180,     8, SNP_F_LE    }, /* TCB_VERSION */

#define REPORT_ROWS_FIRMWARE \
    { "CHIP_ID",               0x1A0,    64, SNP_F_BYTES }, /* Turin+: bytes 8..63 zero */ \
    { "COMMITTED_TCB",         0x1E0,     8, SNP_F_LE    }, /* TCB_VERSION */ \
    { "CURRENT_BUILD",         0x1E8,     1, SNP_F_LE    }, /* u8 */ \
    { "CURRENT_MINOR",         0x1E9,     1, SNP_F_LE    }, /* u8 */ \
    { "CURRENT_MAJOR",         0x1EA,     1, SNP_F_LE    }, /* u8 */ \
    { "reserved",              0x1EB,     1, SNP_F_KEEP  }, /* MBZ */ \
    { "COMMITTED_BUILD",       0x1EC,     1, SNP_F_LE    }, /* u8 */ \
    { "COMMITTED_MINOR",       0x1ED,     1, SNP_F_LE    }, /* u8 */ \
    { "COMMITTED_MAJOR",       0x1EE,     1, SNP_F_LE    }, /* u8 */ \
    { "reserved",              0x1EF,     1, SNP_F_KEEP  }, /* MBZ */ \
    { "LAUNCH_TCB",            0x1F0,     8, SNP_F_LE    }, /* TCB_VERSION */

#define REPORT_ROWS_SIGNATURE \
    { "SIGNATURE_R",           0x2A0,    72, SNP_F_BYTES }, /* §1.6, LE, zero-extended */ \
    { "SIGNATURE_S",           0x2E8,    72, SNP_F_BYTES }, /* §1.6, LE, zero-extended */ \
    { "reserved",              0x330, 0x170, SNP_F_KEEP  }, /* MBZ (SIGNATURE_ALGO = 1) */

#define REPORT_ROWS_END { NULL, 0, 0, SNP_F_KEEP }

/* §1.3 version 2 (firmware before 1.55.22): no CPUID bytes, no mitigation vectors. */
static const struct snp_field report_v2[] = {
    REPORT_ROWS_HEAD
    { "reserved",              0x188,    24, SNP_F_KEEP  }, /* MBZ (v2: no CPUID bytes) */
    REPORT_ROWS_FIRMWARE
    { "reserved",              0x1F8,   168, SNP_F_KEEP  }, /* MBZ (v2, v3) */
    REPORT_ROWS_SIGNATURE
    REPORT_ROWS_END,
};

/* §1.3 version 3 (ABI 1.55): adds CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP at 0x188. */
static const struct snp_field report_v3[] = {
    REPORT_ROWS_HEAD
    { "CPUID_FAM_ID",          0x188,     1, SNP_F_LE    }, /* u8, v3+ */
    { "CPUID_MOD_ID",          0x189,     1, SNP_F_LE    }, /* u8, v3+ */
    { "CPUID_STEP",            0x18A,     1, SNP_F_LE    }, /* u8, v3+ */
    { "reserved",              0x18B,    21, SNP_F_KEEP  }, /* MBZ (v3+) */
    REPORT_ROWS_FIRMWARE
    { "reserved",              0x1F8,   168, SNP_F_KEEP  }, /* MBZ (v2, v3) */
    REPORT_ROWS_SIGNATURE
    REPORT_ROWS_END,
};

/* §1.3 version 5 (ABI 1.58): adds LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR at 0x1F8. */
static const struct snp_field report_v5[] = {
    REPORT_ROWS_HEAD
    { "CPUID_FAM_ID",          0x188,     1, SNP_F_LE    }, /* u8, v3+ */
    { "CPUID_MOD_ID",          0x189,     1, SNP_F_LE    }, /* u8, v3+ */
    { "CPUID_STEP",            0x18A,     1, SNP_F_LE    }, /* u8, v3+ */
    { "reserved",              0x18B,    21, SNP_F_KEEP  }, /* MBZ (v3+) */
    REPORT_ROWS_FIRMWARE
    { "LAUNCH_MIT_VECTOR",     0x1F8,     8, SNP_F_LE    }, /* u64, v5+ */
    { "CURRENT_MIT_VECTOR",    0x200,     8, SNP_F_LE    }, /* u64, v5+ */
    { "reserved",              0x208,   152, SNP_F_KEEP  }, /* MBZ (v5) */
    REPORT_ROWS_SIGNATURE
    REPORT_ROWS_END,
};

/* clang-format on */

const struct snp_field *
snp_report_layout(uint32_t version)
{
    switch (version) {
    case 2:
        return report_v2;
    case 3:
        return report_v3;
    case 5:
        return report_v5;
    default:
        return NULL; /* 4: layout not public (§1.3); others: not a report version */
    }
}
