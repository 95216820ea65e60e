/*
 * abi/psp_abi.c - PSP command names, SNP_PLATFORM_STATUS output and SNP_CONFIG input.
 *
 * Command ids: hardware.md §6.1. PLATFORM_STATUS (attestation.md §7.9, hardware.md §6.4) is
 * observed firmware output: flag words stored whole, nothing checked. SNP_CONFIG
 * (attestation.md §1.5, hardware.md §6.10 "reserved fields zero") is a firmware input: MBZ.
 */
#include "snpkit/psp_abi.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

static const struct {
    uint32_t id;
    const char *name;
} cmd_names[] = {
    {SNP_CMD_SNP_INIT, "SNP_INIT"},
    {SNP_CMD_SNP_SHUTDOWN, "SNP_SHUTDOWN"},
    {SNP_CMD_SNP_PLATFORM_STATUS, "SNP_PLATFORM_STATUS"},
    {SNP_CMD_SNP_DF_FLUSH, "SNP_DF_FLUSH"},
    {SNP_CMD_SNP_INIT_EX, "SNP_INIT_EX"},
    {SNP_CMD_SNP_SHUTDOWN_EX, "SNP_SHUTDOWN_EX"},
    {SNP_CMD_SNP_DECOMMISSION, "SNP_DECOMMISSION"},
    {SNP_CMD_SNP_ACTIVATE, "SNP_ACTIVATE"},
    {SNP_CMD_SNP_GUEST_STATUS, "SNP_GUEST_STATUS"},
    {SNP_CMD_SNP_GCTX_CREATE, "SNP_GCTX_CREATE"},
    {SNP_CMD_SNP_GUEST_REQUEST, "SNP_GUEST_REQUEST"},
    {SNP_CMD_SNP_ACTIVATE_EX, "SNP_ACTIVATE_EX"},
    {SNP_CMD_SNP_LAUNCH_START, "SNP_LAUNCH_START"},
    {SNP_CMD_SNP_LAUNCH_UPDATE, "SNP_LAUNCH_UPDATE"},
    {SNP_CMD_SNP_LAUNCH_FINISH, "SNP_LAUNCH_FINISH"},
    {SNP_CMD_SNP_DBG_DECRYPT, "SNP_DBG_DECRYPT"},
    {SNP_CMD_SNP_DBG_ENCRYPT, "SNP_DBG_ENCRYPT"},
    {SNP_CMD_SNP_PAGE_SWAP_OUT, "SNP_PAGE_SWAP_OUT"},
    {SNP_CMD_SNP_PAGE_SWAP_IN, "SNP_PAGE_SWAP_IN"},
    {SNP_CMD_SNP_PAGE_MOVE, "SNP_PAGE_MOVE"},
    {SNP_CMD_SNP_PAGE_MD_INIT, "SNP_PAGE_MD_INIT"},
    {SNP_CMD_SNP_PAGE_SET_STATE, "SNP_PAGE_SET_STATE"},
    {SNP_CMD_SNP_PAGE_RECLAIM, "SNP_PAGE_RECLAIM"},
    {SNP_CMD_SNP_PAGE_UNSMASH, "SNP_PAGE_UNSMASH"},
    {SNP_CMD_SNP_CONFIG, "SNP_CONFIG"},
    {SNP_CMD_SNP_DOWNLOAD_FIRMWARE_EX, "SNP_DOWNLOAD_FIRMWARE_EX"},
    {SNP_CMD_SNP_COMMIT, "SNP_COMMIT"},
    {SNP_CMD_SNP_VLEK_LOAD, "SNP_VLEK_LOAD"},
    {SNP_CMD_SNP_FEATURE_INFO, "SNP_FEATURE_INFO"},
};

const char *
snp_cmd_name(uint32_t id)
{
    for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
        if (cmd_names[i].id == id) {
            return cmd_names[i].name;
        }
    }
    return NULL;
}

snp_err
snp_platform_status_decode(struct snp_platform_status *st, const uint8_t *buf, size_t len,
                           size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    if (st == NULL) {
        return SNP_E_ARG;
    }
    memset(st, 0, sizeof(*st));
    snp_rd_init(&rd, buf, len);
    st->api_major = snp_rd_u8(&rd);       /* 0x00 API_MAJOR */
    st->api_minor = snp_rd_u8(&rd);       /* 0x01 API_MINOR */
    st->state = snp_rd_u8(&rd);           /* 0x02 STATE */
    st->status_flags = snp_rd_u8(&rd);    /* 0x03 IS_RMP_INIT, ... (KEEP other bits) */
    st->build_id = snp_rd_u32le(&rd);     /* 0x04 BUILD_ID */
    st->config_flags = snp_rd_u32le(&rd); /* 0x08 MASK_CHIP_ID, ... (KEEP other bits) */
    st->guest_count = snp_rd_u32le(&rd);  /* 0x0C GUEST_COUNT */
    st->current_tcb = snp_rd_u64le(&rd);  /* 0x10 CURRENT_TCB */
    st->reported_tcb = snp_rd_u64le(&rd); /* 0x18 REPORTED_TCB */
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(st, 0, sizeof(*st));
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
    }
    return err;
}

snp_err
snp_platform_status_encode(uint8_t out[SNP_PLATFORM_STATUS_SIZE],
                           const struct snp_platform_status *st)
{
    struct snp_wr wr;

    if (out == NULL || st == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_PLATFORM_STATUS_SIZE);
    snp_wr_u8(&wr, st->api_major);       /* 0x00 */
    snp_wr_u8(&wr, st->api_minor);       /* 0x01 */
    snp_wr_u8(&wr, st->state);           /* 0x02 */
    snp_wr_u8(&wr, st->status_flags);    /* 0x03 */
    snp_wr_u32le(&wr, st->build_id);     /* 0x04 */
    snp_wr_u32le(&wr, st->config_flags); /* 0x08 */
    snp_wr_u32le(&wr, st->guest_count);  /* 0x0C */
    snp_wr_u64le(&wr, st->current_tcb);  /* 0x10 */
    snp_wr_u64le(&wr, st->reported_tcb); /* 0x18 */
    return snp_wr_done(&wr);
}

static const struct snp_field platform_status_layout[] = {
    /* name, offset, size, kind -- attestation.md §7.9 */
    {"API_MAJOR", 0x00, 1, SNP_F_LE},    {"API_MINOR", 0x01, 1, SNP_F_LE},
    {"STATE", 0x02, 1, SNP_F_LE},        {"IS_RMP_INIT", 0x03, 1, SNP_F_LE},
    {"BUILD_ID", 0x04, 4, SNP_F_LE},     {"CONFIG_FLAGS", 0x08, 4, SNP_F_LE},
    {"GUEST_COUNT", 0x0C, 4, SNP_F_LE},  {"CURRENT_TCB", 0x10, 8, SNP_F_LE},
    {"REPORTED_TCB", 0x18, 8, SNP_F_LE}, {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_platform_status_layout(void)
{
    return platform_status_layout;
}

#define CONFIG_MASK_BITS (UINT32_C(0x1) | UINT32_C(0x2)) /* MASK_CHIP_ID | MASK_CHIP_KEY */

snp_err
snp_config_decode(struct snp_config *c, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    uint32_t mask;
    snp_err err;

    if (c == NULL) {
        return SNP_E_ARG;
    }
    memset(c, 0, sizeof(*c));
    snp_rd_init(&rd, buf, len);
    c->reported_tcb = snp_rd_u64le(&rd); /* 0x00 REPORTED_TCB */
    mask = snp_rd_u32le(&rd);            /* 0x08 mask bits */
    for (size_t i = 0; i < 4; i++) {
        /* bits 31:2 reserved: point at the first byte that carries one */
        if ((((mask & ~CONFIG_MASK_BITS) >> (8 * i)) & 0xFFu) != 0) {
            snp_rd_fail(&rd, SNP_E_RESERVED, 4 - i);
            break;
        }
    }
    c->mask_chip_id = (mask & 0x1u) != 0;
    c->mask_chip_key = (mask & 0x2u) != 0;
    snp_rd_mbz(&rd, SNP_CONFIG_SIZE - 0x0C); /* 0x0C reserved, MBZ */
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(c, 0, sizeof(*c));
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
    }
    return err;
}

snp_err
snp_config_encode(uint8_t out[SNP_CONFIG_SIZE], const struct snp_config *c)
{
    struct snp_wr wr;

    if (out == NULL || c == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_CONFIG_SIZE);
    snp_wr_u64le(&wr, c->reported_tcb);                                                /* 0x00 */
    snp_wr_u32le(&wr, (c->mask_chip_id ? 0x1u : 0u) | (c->mask_chip_key ? 0x2u : 0u)); /* 0x08 */
    snp_wr_zero(&wr, SNP_CONFIG_SIZE - 0x0C);                                          /* 0x0C */
    return snp_wr_done(&wr);
}

static const struct snp_field config_layout[] = {
    /* name, offset, size, kind -- attestation.md §1.5 */
    {"REPORTED_TCB", 0x00, 8, SNP_F_LE},
    {"MASK", 0x08, 4, SNP_F_LE},
    {"reserved", 0x0C, 0x34, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_config_layout(void)
{
    return config_layout;
}
