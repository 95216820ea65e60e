/*
 * abi/cpuid_page.c - CPUID page encode/decode (hardware.md §9.1).
 *
 * The firmware rejects COUNT > 64 and non-zero reserved fields with INVALID_PARAM; the codec
 * returns SNP_E_RANGE / SNP_E_RESERVED with the offset so the firmware model can map them.
 * The per-leaf sanitising rules (§9.2) are not applied here.
 */
#include "snpkit/cpuid_page.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

static void
rd_entry(struct snp_rd *rd, struct snp_cpuid_entry *e)
{
    e->eax_in = snp_rd_u32le(rd);  /* +0x00 EAX_IN */
    e->ecx_in = snp_rd_u32le(rd);  /* +0x04 ECX_IN */
    e->xcr0_in = snp_rd_u64le(rd); /* +0x08 XCR0_IN */
    e->xss_in = snp_rd_u64le(rd);  /* +0x10 XSS_IN */
    e->eax = snp_rd_u32le(rd);     /* +0x18 EAX */
    e->ebx = snp_rd_u32le(rd);     /* +0x1C EBX */
    e->ecx = snp_rd_u32le(rd);     /* +0x20 ECX */
    e->edx = snp_rd_u32le(rd);     /* +0x24 EDX */
    snp_rd_mbz(rd, 8);             /* +0x28 reserved, MBZ */
}

snp_err
snp_cpuid_page_decode(struct snp_cpuid_page *p, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;
    size_t off;

    if (p == NULL) {
        return SNP_E_ARG;
    }
    memset(p, 0, sizeof(*p));
    snp_rd_init(&rd, buf, len);
    p->count = snp_rd_u32le(&rd); /* 0x000 COUNT */
    snp_rd_mbz(&rd, 4);           /* 0x004 reserved, MBZ */
    snp_rd_mbz(&rd, 8);           /* 0x008 reserved, MBZ */
    for (size_t i = 0; i < SNP_CPUID_MAX_ENTRIES; i++) {
        rd_entry(&rd, &p->entries[i]); /* 0x010 + 0x30i */
    }
    snp_rd_mbz(&rd, SNP_CPUID_PAGE_SIZE - SNP_CPUID_TABLE_SIZE); /* 0xC10 rest of page, MBZ */

    err = snp_rd_done(&rd);
    off = rd.err_off;
    if (err == SNP_OK && p->count > SNP_CPUID_MAX_ENTRIES) {
        err = SNP_E_RANGE; /* §9.1: count > 64 -> INVALID_PARAM */
        off = 0;
    }
    if (err != SNP_OK) {
        memset(p, 0, sizeof(*p));
        if (err_off != NULL) {
            *err_off = off;
        }
    }
    return err;
}

snp_err
snp_cpuid_page_encode(uint8_t out[SNP_CPUID_PAGE_SIZE], const struct snp_cpuid_page *p)
{
    struct snp_wr wr;

    if (out == NULL || p == NULL) {
        return SNP_E_ARG;
    }
    if (p->count > SNP_CPUID_MAX_ENTRIES) {
        return SNP_E_RANGE;
    }
    snp_wr_init(&wr, out, SNP_CPUID_PAGE_SIZE);
    snp_wr_u32le(&wr, p->count); /* 0x000 */
    snp_wr_zero(&wr, 12);        /* 0x004 reserved */
    for (size_t i = 0; i < SNP_CPUID_MAX_ENTRIES; i++) {
        const struct snp_cpuid_entry *e = &p->entries[i];
        snp_wr_u32le(&wr, e->eax_in);  /* +0x00 */
        snp_wr_u32le(&wr, e->ecx_in);  /* +0x04 */
        snp_wr_u64le(&wr, e->xcr0_in); /* +0x08 */
        snp_wr_u64le(&wr, e->xss_in);  /* +0x10 */
        snp_wr_u32le(&wr, e->eax);     /* +0x18 */
        snp_wr_u32le(&wr, e->ebx);     /* +0x1C */
        snp_wr_u32le(&wr, e->ecx);     /* +0x20 */
        snp_wr_u32le(&wr, e->edx);     /* +0x24 */
        snp_wr_zero(&wr, 8);           /* +0x28 */
    }
    snp_wr_zero(&wr, SNP_CPUID_PAGE_SIZE - SNP_CPUID_TABLE_SIZE); /* 0xC10 */
    return snp_wr_done(&wr);
}

const struct snp_cpuid_entry *
snp_cpuid_page_find(const struct snp_cpuid_page *p, uint32_t eax_in, uint32_t ecx_in)
{
    if (p == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < p->count && i < SNP_CPUID_MAX_ENTRIES; i++) {
        if (p->entries[i].eax_in == eax_in && p->entries[i].ecx_in == ecx_in) {
            return &p->entries[i];
        }
    }
    return NULL;
}

static const struct snp_field cpuid_page_layout[] = {
    /* name, offset, size, kind -- hardware.md §9.1 */
    {"COUNT", 0x000, 4, SNP_F_LE},
    {"reserved", 0x004, 4, SNP_F_MBZ},
    {"reserved", 0x008, 8, SNP_F_MBZ},
    {"ENTRIES", 0x010, SNP_CPUID_MAX_ENTRIES *SNP_CPUID_ENTRY_SIZE, SNP_F_BYTES},
    {"reserved", 0xC10, SNP_CPUID_PAGE_SIZE - SNP_CPUID_TABLE_SIZE, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_BYTES},
};

static const struct snp_field cpuid_entry_layout[] = {
    {"EAX_IN", 0x00, 4, SNP_F_LE}, {"ECX_IN", 0x04, 4, SNP_F_LE}, {"XCR0_IN", 0x08, 8, SNP_F_LE},
    {"XSS_IN", 0x10, 8, SNP_F_LE}, {"EAX", 0x18, 4, SNP_F_LE},    {"EBX", 0x1C, 4, SNP_F_LE},
    {"ECX", 0x20, 4, SNP_F_LE},    {"EDX", 0x24, 4, SNP_F_LE},    {"reserved", 0x28, 8, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_cpuid_page_layout(void)
{
    return cpuid_page_layout;
}

const struct snp_field *
snp_cpuid_entry_layout(void)
{
    return cpuid_entry_layout;
}
