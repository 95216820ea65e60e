/*
 * abi/pageinfo.c - PAGE_INFO encode/decode (hardware.md §8.1).
 *
 * No hashing here: measure/ computes CONTENTS and the digest chain. VMPL permission bytes in
 * the firmware order (§8.1, §11.1): 0x64 reserved, 0x65 VMPL1, 0x66 VMPL2, 0x67 VMPL3.
 */
#include "snpkit/pageinfo.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

const char *
snp_page_type_name(uint8_t type)
{
    switch (type) {
    case SNP_PAGE_TYPE_NORMAL:
        return "NORMAL";
    case SNP_PAGE_TYPE_VMSA:
        return "VMSA";
    case SNP_PAGE_TYPE_ZERO:
        return "ZERO";
    case SNP_PAGE_TYPE_UNMEASURED:
        return "UNMEASURED";
    case SNP_PAGE_TYPE_SECRETS:
        return "SECRETS";
    case SNP_PAGE_TYPE_CPUID:
        return "CPUID";
    default:
        return NULL;
    }
}

static bool
type_ok(uint8_t type)
{
    return type >= SNP_PAGE_TYPE_NORMAL && type <= SNP_PAGE_TYPE_CPUID;
}

snp_err
snp_page_info_init(struct snp_page_info *pi, const uint8_t digest_cur[48],
                   const uint8_t contents[48], enum snp_page_type type, bool imi_page,
                   const uint8_t vmpl_perms[3], uint64_t gpa)
{
    if (pi == NULL || digest_cur == NULL || contents == NULL || vmpl_perms == NULL) {
        return SNP_E_ARG;
    }
    memset(pi, 0, sizeof(*pi));
    if (!type_ok((uint8_t)type)) {
        return SNP_E_RANGE;
    }
    memcpy(pi->digest_cur, digest_cur, SNP_PAGE_INFO_DIGEST_SIZE);
    memcpy(pi->contents, contents, SNP_PAGE_INFO_DIGEST_SIZE);
    pi->length = SNP_PAGE_INFO_SIZE;
    pi->page_type = (uint8_t)type;
    pi->imi_page = imi_page;
    pi->vmpl1_perms = vmpl_perms[0];
    pi->vmpl2_perms = vmpl_perms[1];
    pi->vmpl3_perms = vmpl_perms[2];
    pi->gpa = gpa;
    return SNP_OK;
}

snp_err
snp_page_info_decode(struct snp_page_info *pi, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    uint8_t imi;
    snp_err err;

    if (pi == NULL) {
        return SNP_E_ARG;
    }
    memset(pi, 0, sizeof(*pi));
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, pi->digest_cur, sizeof(pi->digest_cur)); /* 0x00 DIGEST_CUR */
    snp_rd_bytes(&rd, pi->contents, sizeof(pi->contents));     /* 0x30 CONTENTS */
    pi->length = snp_rd_u16le(&rd);                            /* 0x60 LENGTH */
    pi->page_type = snp_rd_u8(&rd);                            /* 0x62 PAGE_TYPE */
    imi = snp_rd_u8(&rd);                                      /* 0x63 IMI_PAGE */
    if ((imi & 0xFE) != 0) {
        snp_rd_fail(&rd, SNP_E_RESERVED, 1); /* 0x63 bits 7:1 reserved */
    }
    pi->imi_page = (imi & 1) != 0;
    snp_rd_mbz(&rd, 1);               /* 0x64 reserved, MBZ */
    pi->vmpl1_perms = snp_rd_u8(&rd); /* 0x65 VMPL1_PERMS */
    pi->vmpl2_perms = snp_rd_u8(&rd); /* 0x66 VMPL2_PERMS */
    pi->vmpl3_perms = snp_rd_u8(&rd); /* 0x67 VMPL3_PERMS */
    pi->gpa = snp_rd_u64le(&rd);      /* 0x68 GPA */

    err = snp_rd_done(&rd);
    size_t off = rd.err_off;
    if (err == SNP_OK && pi->length != SNP_PAGE_INFO_SIZE) {
        err = SNP_E_RANGE;
        off = 0x60;
    }
    if (err == SNP_OK && !type_ok(pi->page_type)) {
        err = SNP_E_RANGE;
        off = 0x62;
    }
    if (err != SNP_OK) {
        memset(pi, 0, sizeof(*pi));
        if (err_off != NULL) {
            *err_off = off;
        }
    }
    return err;
}

snp_err
snp_page_info_encode(uint8_t out[SNP_PAGE_INFO_SIZE], const struct snp_page_info *pi)
{
    struct snp_wr wr;

    if (out == NULL || pi == NULL) {
        return SNP_E_ARG;
    }
    if (pi->length != SNP_PAGE_INFO_SIZE || !type_ok(pi->page_type)) {
        return SNP_E_RANGE;
    }
    snp_wr_init(&wr, out, SNP_PAGE_INFO_SIZE);
    snp_wr_bytes(&wr, pi->digest_cur, sizeof(pi->digest_cur)); /* 0x00 */
    snp_wr_bytes(&wr, pi->contents, sizeof(pi->contents));     /* 0x30 */
    snp_wr_u16le(&wr, pi->length);                             /* 0x60 */
    snp_wr_u8(&wr, pi->page_type);                             /* 0x62 */
    snp_wr_u8(&wr, pi->imi_page ? 1 : 0);                      /* 0x63 */
    snp_wr_zero(&wr, 1);                                       /* 0x64 */
    snp_wr_u8(&wr, pi->vmpl1_perms);                           /* 0x65 */
    snp_wr_u8(&wr, pi->vmpl2_perms);                           /* 0x66 */
    snp_wr_u8(&wr, pi->vmpl3_perms);                           /* 0x67 */
    snp_wr_u64le(&wr, pi->gpa);                                /* 0x68 */
    return snp_wr_done(&wr);
}

static const struct snp_field page_info_layout[] = {
    /* name, offset, size, kind -- hardware.md §8.1, firmware order */
    {"DIGEST_CUR", 0x00, 48, SNP_F_BYTES},
    {"CONTENTS", 0x30, 48, SNP_F_BYTES},
    {"LENGTH", 0x60, 2, SNP_F_LE},
    {"PAGE_TYPE", 0x62, 1, SNP_F_LE},
    {"IMI_PAGE", 0x63, 1, SNP_F_LE},
    {"reserved", 0x64, 1, SNP_F_MBZ},
    {"VMPL1_PERMS", 0x65, 1, SNP_F_LE},
    {"VMPL2_PERMS", 0x66, 1, SNP_F_LE},
    {"VMPL3_PERMS", 0x67, 1, SNP_F_LE},
    {"GPA", 0x68, 8, SNP_F_LE},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_page_info_layout(void)
{
    return page_info_layout;
}
