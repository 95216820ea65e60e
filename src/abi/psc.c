/*
 * abi/psc.c - the page state change buffer of NAE 0x8000_0010 (hardware.md §5.6).
 *
 * The guest fills it (normally in the GHCB shared buffer), the hypervisor processes entries
 * cur_entry..end_entry and writes progress back. It is a hypervisor input, so the decoder is
 * strict: reserved header word MBZ, header bounds, and for the entries still to process
 * reserved bits MBZ, a known operation, cur_page within the entry and 2M alignment. The
 * entries outside that window are stale or done: kept as read, so the round trip is exact.
 */
#include "snpkit/ghcb.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

#define PSC_GFN_MASK ((UINT64_C(1) << 40) - 1)
#define PSC_2M_GFNS  512u /* 4K pages per 2M entry */

static void
entry_split(struct snp_psc_entry *e, uint64_t raw)
{
    e->cur_page = (uint16_t)(raw & 0xFFF);       /* [11:0] */
    e->gfn = (raw >> 12) & PSC_GFN_MASK;         /* [51:12] */
    e->operation = (uint8_t)((raw >> 52) & 0xF); /* [55:52] */
    e->page_size = (uint8_t)((raw >> 56) & 1);   /* [56] */
    e->rsvd_57 = (uint8_t)(raw >> 57);           /* [63:57] */
}

/* §5.6: the hypervisor's "invalid entry" conditions, in check order; 0 when fine. */
static snp_err
entry_check(const struct snp_psc_entry *e, size_t base, size_t *off)
{
    uint32_t npages = e->page_size == SNP_PSC_PAGE_2M ? PSC_2M_GFNS : 1u;

    if (e->rsvd_57 != 0) {
        *off = base + 7; /* bits 63:57 live in byte 7 */
        return SNP_E_RESERVED;
    }
    if (e->operation < SNP_PSC_OP_PRIVATE || e->operation > SNP_PSC_OP_UNSMASH) {
        *off = base + 6; /* bits 55:52 */
        return SNP_E_RANGE;
    }
    if (e->cur_page > npages) {
        *off = base; /* bits 11:0 */
        return SNP_E_RANGE;
    }
    if (e->page_size == SNP_PSC_PAGE_2M && (e->gfn & (PSC_2M_GFNS - 1)) != 0) {
        *off = base + 1; /* the GFN starts at bit 12 */
        return SNP_E_RANGE;
    }
    return SNP_OK;
}

static snp_err
psc_check(const struct snp_psc *p, size_t *off)
{
    if (p->end_entry >= SNP_PSC_MAX_ENTRIES) {
        *off = 2; /* SNP_PSC_STATUS_INVALID_HDR */
        return SNP_E_RANGE;
    }
    if (p->cur_entry > p->end_entry + 1u) {
        *off = 0;
        return SNP_E_RANGE;
    }
    for (size_t i = p->cur_entry; i <= p->end_entry; i++) {
        SNP_TRY(entry_check(&p->entries[i], SNP_PSC_HDR_SIZE + i * SNP_PSC_ENTRY_SIZE, off));
    }
    return SNP_OK;
}

snp_err
snp_psc_decode(struct snp_psc *p, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;
    size_t off = 0;

    if (p == NULL) {
        return SNP_E_ARG;
    }
    memset(p, 0, sizeof(*p));
    snp_rd_init(&rd, buf, len);
    p->cur_entry = snp_rd_u16le(&rd); /* 0x000 cur_entry */
    p->end_entry = snp_rd_u16le(&rd); /* 0x002 end_entry */
    snp_rd_mbz(&rd, 4);               /* 0x004 reserved, MBZ */
    for (size_t i = 0; i < SNP_PSC_MAX_ENTRIES; i++) {
        entry_split(&p->entries[i], snp_rd_u64le(&rd)); /* 0x008 + 8i entry */
    }
    err = snp_rd_done(&rd); /* exactly 0x7F0 bytes */
    off = rd.err_off;
    if (err == SNP_OK) {
        err = psc_check(p, &off);
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
snp_psc_encode(uint8_t out[SNP_PSC_SIZE], const struct snp_psc *p)
{
    struct snp_wr wr;

    if (out == NULL || p == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_PSC_SIZE);
    snp_wr_u16le(&wr, p->cur_entry); /* 0x000 */
    snp_wr_u16le(&wr, p->end_entry); /* 0x002 */
    snp_wr_zero(&wr, 4);             /* 0x004 reserved */
    for (size_t i = 0; i < SNP_PSC_MAX_ENTRIES; i++) {
        const struct snp_psc_entry *e = &p->entries[i];
        if (e->cur_page > 0xFFF || e->gfn > PSC_GFN_MASK || e->operation > 0xF ||
            e->page_size > 1 || e->rsvd_57 > 0x7F) {
            return SNP_E_RANGE;
        }
        snp_wr_u64le(&wr, (uint64_t)e->cur_page | e->gfn << 12 | (uint64_t)e->operation << 52 |
                              (uint64_t)e->page_size << 56 | (uint64_t)e->rsvd_57 << 57);
    }
    return snp_wr_done(&wr);
}

static const struct snp_field psc_layout[] = {
    /* name, offset, size, kind -- hardware.md §5.6 */
    {"CUR_ENTRY", 0x000, 2, SNP_F_LE},
    {"END_ENTRY", 0x002, 2, SNP_F_LE},
    {"reserved", 0x004, 4, SNP_F_MBZ},
    {"ENTRIES", 0x008, SNP_PSC_MAX_ENTRIES *SNP_PSC_ENTRY_SIZE, SNP_F_BYTES},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_psc_layout(void)
{
    return psc_layout;
}
