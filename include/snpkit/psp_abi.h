/*
 * snpkit/psp_abi.h - PSP (SEV firmware) SNP command ids (hardware.md §6.1) and two small
 * command buffers: the SNP_PLATFORM_STATUS output (attestation.md §7.9, hardware.md §6.4) and
 * the SNP_CONFIG input (attestation.md §1.5).
 *
 * PLATFORM_STATUS is firmware output the host observes: KEEP (flag words stored whole, so
 * reserved bits survive a round trip). SNP_CONFIG is a firmware input: reserved MBZ.
 */
#ifndef SNPKIT_PSP_ABI_H
#define SNPKIT_PSP_ABI_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- command ids (hardware.md §6.1) ---------------------------------------------------------- */

#define SNP_CMD_SNP_INIT                 0x081
#define SNP_CMD_SNP_SHUTDOWN             0x082
#define SNP_CMD_SNP_PLATFORM_STATUS      0x083
#define SNP_CMD_SNP_DF_FLUSH             0x084
#define SNP_CMD_SNP_INIT_EX              0x085
#define SNP_CMD_SNP_SHUTDOWN_EX          0x086
#define SNP_CMD_SNP_DECOMMISSION         0x090
#define SNP_CMD_SNP_ACTIVATE             0x091
#define SNP_CMD_SNP_GUEST_STATUS         0x092
#define SNP_CMD_SNP_GCTX_CREATE          0x093
#define SNP_CMD_SNP_GUEST_REQUEST        0x094
#define SNP_CMD_SNP_ACTIVATE_EX          0x095
#define SNP_CMD_SNP_LAUNCH_START         0x0A0
#define SNP_CMD_SNP_LAUNCH_UPDATE        0x0A1
#define SNP_CMD_SNP_LAUNCH_FINISH        0x0A2
#define SNP_CMD_SNP_DBG_DECRYPT          0x0B0
#define SNP_CMD_SNP_DBG_ENCRYPT          0x0B1
#define SNP_CMD_SNP_PAGE_SWAP_OUT        0x0C0
#define SNP_CMD_SNP_PAGE_SWAP_IN         0x0C1
#define SNP_CMD_SNP_PAGE_MOVE            0x0C2
#define SNP_CMD_SNP_PAGE_MD_INIT         0x0C3
#define SNP_CMD_SNP_PAGE_SET_STATE       0x0C6
#define SNP_CMD_SNP_PAGE_RECLAIM         0x0C7
#define SNP_CMD_SNP_PAGE_UNSMASH         0x0C8
#define SNP_CMD_SNP_CONFIG               0x0C9
#define SNP_CMD_SNP_DOWNLOAD_FIRMWARE_EX 0x0CA
#define SNP_CMD_SNP_COMMIT               0x0CB
#define SNP_CMD_SNP_VLEK_LOAD            0x0CD
#define SNP_CMD_SNP_FEATURE_INFO         0x0CE

/* "SNP_LAUNCH_START" etc.; NULL for an id §6.1 does not list. */
const char *snp_cmd_name(uint32_t id);

/* ---- SNP_PLATFORM_STATUS output (0x20 bytes) ------------------------------------------------- */

#define SNP_PLATFORM_STATUS_SIZE 0x20

/* STATE (0x02), hardware.md §6.3 */
#define SNP_PLATFORM_STATE_UNINIT 0
#define SNP_PLATFORM_STATE_INIT   1

/* Byte 0x03 */
#define SNP_PLATFORM_STATUS_IS_RMP_INIT          0x01u
#define SNP_PLATFORM_STATUS_ALIAS_CHECK_COMPLETE 0x02u /* later firmware */
#define SNP_PLATFORM_STATUS_TIO_EN               0x08u /* later firmware (virtee) */

/* Word 0x08 */
#define SNP_PLATFORM_CFG_MASK_CHIP_ID          UINT32_C(0x01)
#define SNP_PLATFORM_CFG_MASK_CHIP_KEY         UINT32_C(0x02)
#define SNP_PLATFORM_CFG_VLEK_EN               UINT32_C(0x04)
#define SNP_PLATFORM_CFG_FEATURE_INFO          UINT32_C(0x08)
#define SNP_PLATFORM_CFG_RAPL_DIS              UINT32_C(0x10) /* newer firmware */
#define SNP_PLATFORM_CFG_CIPHERTEXT_HIDING_CAP UINT32_C(0x20) /* newer firmware */
#define SNP_PLATFORM_CFG_CIPHERTEXT_HIDING_EN  UINT32_C(0x40) /* newer firmware */

struct snp_platform_status {
    uint8_t api_major;     /* 0x00 */
    uint8_t api_minor;     /* 0x01 */
    uint8_t state;         /* 0x02 SNP_PLATFORM_STATE_* */
    uint8_t status_flags;  /* 0x03 SNP_PLATFORM_STATUS_* (bit 0 IS_RMP_INIT) */
    uint32_t build_id;     /* 0x04 */
    uint32_t config_flags; /* 0x08 SNP_PLATFORM_CFG_* (MASK_CHIP_ID, MASK_CHIP_KEY, ...) */
    uint32_t guest_count;  /* 0x0C */
    uint64_t current_tcb;  /* 0x10 installed platform TCB */
    uint64_t reported_tcb; /* 0x18 REPORTED_TCB (SNP_CONFIG) */
};

/* Length checks only (KEEP). SNP_OK, SNP_E_TRUNCATED, SNP_E_TRAILING, SNP_E_ARG. */
snp_err snp_platform_status_decode(struct snp_platform_status *st, const uint8_t *buf, size_t len,
                                   size_t *err_off);
snp_err snp_platform_status_encode(uint8_t out[SNP_PLATFORM_STATUS_SIZE],
                                   const struct snp_platform_status *st);
const struct snp_field *snp_platform_status_layout(void);

/* ---- SNP_CONFIG command buffer (0x40 bytes) -------------------------------------------------- */

#define SNP_CONFIG_SIZE 0x40

struct snp_config {
    uint64_t reported_tcb; /* 0x00 REPORTED_TCB (0 = use the committed TCB) */
    bool mask_chip_id;     /* 0x08 bit 0 MASK_CHIP_ID */
    bool mask_chip_key;    /* 0x08 bit 1 MASK_CHIP_KEY; bits 31:2 MBZ */
    /* 0x0C .. 0x40 reserved, MBZ */
};

/*
 * snp_config_decode() - decode and check (@len MUST be 0x40).
 * Returns SNP_OK, SNP_E_TRUNCATED, SNP_E_TRAILING, SNP_E_RESERVED (mask word bits 31:2, or
 * 0x0C..0x3F; err_off = the first offending byte). The REPORTED_TCB <= installed TCB check is
 * the firmware model's (INVALID_PARAM).
 */
snp_err snp_config_decode(struct snp_config *c, const uint8_t *buf, size_t len, size_t *err_off);
snp_err snp_config_encode(uint8_t out[SNP_CONFIG_SIZE], const struct snp_config *c);
const struct snp_field *snp_config_layout(void);

#endif /* SNPKIT_PSP_ABI_H */
