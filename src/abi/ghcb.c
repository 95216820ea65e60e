/*
 * abi/ghcb.c - GHCB page encode/decode, its layout table and VALID_BITMAP helpers.
 *
 * Pure byte layout (hardware.md §5.1). The GHCB is a shared page both the guest and the
 * hypervisor write, so nothing is checked here and every unnamed byte is KEEP: what a side
 * may trust is decided by the VALID_BITMAP and by the protocol code, never by the codec.
 */
#include "snpkit/ghcb.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

snp_err
snp_ghcb_decode(struct snp_ghcb *g, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    if (g == NULL) {
        return SNP_E_ARG;
    }
    memset(g, 0, sizeof(*g));
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, g->rsvd_0x000, sizeof(g->rsvd_0x000));       /* 0x000 reserved, KEEP */
    g->cpl = snp_rd_u8(&rd);                                       /* 0x0CB CPL */
    snp_rd_bytes(&rd, g->rsvd_0x0cc, sizeof(g->rsvd_0x0cc));       /* 0x0CC reserved, KEEP */
    g->xss = snp_rd_u64le(&rd);                                    /* 0x140 XSS */
    snp_rd_bytes(&rd, g->rsvd_0x148, sizeof(g->rsvd_0x148));       /* 0x148 reserved, KEEP */
    g->dr7 = snp_rd_u64le(&rd);                                    /* 0x160 DR7 */
    snp_rd_bytes(&rd, g->rsvd_0x168, sizeof(g->rsvd_0x168));       /* 0x168 reserved, KEEP */
    g->rip = snp_rd_u64le(&rd);                                    /* 0x178 RIP */
    snp_rd_bytes(&rd, g->rsvd_0x180, sizeof(g->rsvd_0x180));       /* 0x180 reserved, KEEP */
    g->rsp = snp_rd_u64le(&rd);                                    /* 0x1D8 RSP */
    snp_rd_bytes(&rd, g->rsvd_0x1e0, sizeof(g->rsvd_0x1e0));       /* 0x1E0 reserved, KEEP */
    g->rax = snp_rd_u64le(&rd);                                    /* 0x1F8 RAX */
    snp_rd_bytes(&rd, g->rsvd_0x200, sizeof(g->rsvd_0x200));       /* 0x200 reserved, KEEP */
    g->rcx = snp_rd_u64le(&rd);                                    /* 0x308 RCX */
    g->rdx = snp_rd_u64le(&rd);                                    /* 0x310 RDX */
    g->rbx = snp_rd_u64le(&rd);                                    /* 0x318 RBX */
    snp_rd_bytes(&rd, g->rsvd_0x320, sizeof(g->rsvd_0x320));       /* 0x320 reserved, KEEP */
    g->rbp = snp_rd_u64le(&rd);                                    /* 0x328 RBP */
    g->rsi = snp_rd_u64le(&rd);                                    /* 0x330 RSI */
    g->rdi = snp_rd_u64le(&rd);                                    /* 0x338 RDI */
    g->r8 = snp_rd_u64le(&rd);                                     /* 0x340 R8 */
    g->r9 = snp_rd_u64le(&rd);                                     /* 0x348 R9 */
    g->r10 = snp_rd_u64le(&rd);                                    /* 0x350 R10 */
    g->r11 = snp_rd_u64le(&rd);                                    /* 0x358 R11 */
    g->r12 = snp_rd_u64le(&rd);                                    /* 0x360 R12 */
    g->r13 = snp_rd_u64le(&rd);                                    /* 0x368 R13 */
    g->r14 = snp_rd_u64le(&rd);                                    /* 0x370 R14 */
    g->r15 = snp_rd_u64le(&rd);                                    /* 0x378 R15 */
    snp_rd_bytes(&rd, g->rsvd_0x380, sizeof(g->rsvd_0x380));       /* 0x380 reserved, KEEP */
    g->sw_exitcode = snp_rd_u64le(&rd);                            /* 0x390 SW_EXITCODE */
    g->sw_exitinfo1 = snp_rd_u64le(&rd);                           /* 0x398 SW_EXITINFO1 */
    g->sw_exitinfo2 = snp_rd_u64le(&rd);                           /* 0x3A0 SW_EXITINFO2 */
    g->sw_scratch = snp_rd_u64le(&rd);                             /* 0x3A8 SW_SCRATCH */
    snp_rd_bytes(&rd, g->rsvd_0x3b0, sizeof(g->rsvd_0x3b0));       /* 0x3B0 reserved, KEEP */
    g->xcr0 = snp_rd_u64le(&rd);                                   /* 0x3E8 XCR0 */
    snp_rd_bytes(&rd, g->valid_bitmap, sizeof(g->valid_bitmap));   /* 0x3F0 VALID_BITMAP */
    g->x87_state_gpa = snp_rd_u64le(&rd);                          /* 0x400 X87_STATE_GPA */
    snp_rd_bytes(&rd, g->rsvd_0x408, sizeof(g->rsvd_0x408));       /* 0x408 reserved, KEEP */
    snp_rd_bytes(&rd, g->shared_buffer, sizeof(g->shared_buffer)); /* 0x800 SHARED_BUFFER */
    snp_rd_bytes(&rd, g->rsvd_0xff0, sizeof(g->rsvd_0xff0));       /* 0xFF0 reserved, KEEP */
    g->protocol_version = snp_rd_u16le(&rd);                       /* 0xFFA PROTOCOL_VERSION */
    g->ghcb_usage = snp_rd_u32le(&rd);                             /* 0xFFC GHCB_USAGE */

    err = snp_rd_done(&rd); /* exactly 4096 bytes */
    if (err != SNP_OK) {
        memset(g, 0, sizeof(*g));
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
    }
    return err;
}

snp_err
snp_ghcb_encode(uint8_t out[SNP_GHCB_SIZE], const struct snp_ghcb *g)
{
    struct snp_wr wr;

    if (out == NULL || g == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_GHCB_SIZE);
    snp_wr_bytes(&wr, g->rsvd_0x000, sizeof(g->rsvd_0x000));       /* 0x000 */
    snp_wr_u8(&wr, g->cpl);                                        /* 0x0CB */
    snp_wr_bytes(&wr, g->rsvd_0x0cc, sizeof(g->rsvd_0x0cc));       /* 0x0CC */
    snp_wr_u64le(&wr, g->xss);                                     /* 0x140 */
    snp_wr_bytes(&wr, g->rsvd_0x148, sizeof(g->rsvd_0x148));       /* 0x148 */
    snp_wr_u64le(&wr, g->dr7);                                     /* 0x160 */
    snp_wr_bytes(&wr, g->rsvd_0x168, sizeof(g->rsvd_0x168));       /* 0x168 */
    snp_wr_u64le(&wr, g->rip);                                     /* 0x178 */
    snp_wr_bytes(&wr, g->rsvd_0x180, sizeof(g->rsvd_0x180));       /* 0x180 */
    snp_wr_u64le(&wr, g->rsp);                                     /* 0x1D8 */
    snp_wr_bytes(&wr, g->rsvd_0x1e0, sizeof(g->rsvd_0x1e0));       /* 0x1E0 */
    snp_wr_u64le(&wr, g->rax);                                     /* 0x1F8 */
    snp_wr_bytes(&wr, g->rsvd_0x200, sizeof(g->rsvd_0x200));       /* 0x200 */
    snp_wr_u64le(&wr, g->rcx);                                     /* 0x308 */
    snp_wr_u64le(&wr, g->rdx);                                     /* 0x310 */
    snp_wr_u64le(&wr, g->rbx);                                     /* 0x318 */
    snp_wr_bytes(&wr, g->rsvd_0x320, sizeof(g->rsvd_0x320));       /* 0x320 */
    snp_wr_u64le(&wr, g->rbp);                                     /* 0x328 */
    snp_wr_u64le(&wr, g->rsi);                                     /* 0x330 */
    snp_wr_u64le(&wr, g->rdi);                                     /* 0x338 */
    snp_wr_u64le(&wr, g->r8);                                      /* 0x340 */
    snp_wr_u64le(&wr, g->r9);                                      /* 0x348 */
    snp_wr_u64le(&wr, g->r10);                                     /* 0x350 */
    snp_wr_u64le(&wr, g->r11);                                     /* 0x358 */
    snp_wr_u64le(&wr, g->r12);                                     /* 0x360 */
    snp_wr_u64le(&wr, g->r13);                                     /* 0x368 */
    snp_wr_u64le(&wr, g->r14);                                     /* 0x370 */
    snp_wr_u64le(&wr, g->r15);                                     /* 0x378 */
    snp_wr_bytes(&wr, g->rsvd_0x380, sizeof(g->rsvd_0x380));       /* 0x380 */
    snp_wr_u64le(&wr, g->sw_exitcode);                             /* 0x390 */
    snp_wr_u64le(&wr, g->sw_exitinfo1);                            /* 0x398 */
    snp_wr_u64le(&wr, g->sw_exitinfo2);                            /* 0x3A0 */
    snp_wr_u64le(&wr, g->sw_scratch);                              /* 0x3A8 */
    snp_wr_bytes(&wr, g->rsvd_0x3b0, sizeof(g->rsvd_0x3b0));       /* 0x3B0 */
    snp_wr_u64le(&wr, g->xcr0);                                    /* 0x3E8 */
    snp_wr_bytes(&wr, g->valid_bitmap, sizeof(g->valid_bitmap));   /* 0x3F0 */
    snp_wr_u64le(&wr, g->x87_state_gpa);                           /* 0x400 */
    snp_wr_bytes(&wr, g->rsvd_0x408, sizeof(g->rsvd_0x408));       /* 0x408 */
    snp_wr_bytes(&wr, g->shared_buffer, sizeof(g->shared_buffer)); /* 0x800 */
    snp_wr_bytes(&wr, g->rsvd_0xff0, sizeof(g->rsvd_0xff0));       /* 0xFF0 */
    snp_wr_u16le(&wr, g->protocol_version);                        /* 0xFFA */
    snp_wr_u32le(&wr, g->ghcb_usage);                              /* 0xFFC */
    return snp_wr_done(&wr);
}

static const struct snp_field ghcb_layout[] = {
    /* name, offset, size, kind -- hardware.md §5.1 */
    {"reserved", 0x000, 0xCB, SNP_F_KEEP},
    {"CPL", 0x0CB, 1, SNP_F_LE},
    {"reserved", 0x0CC, 0x74, SNP_F_KEEP},
    {"XSS", 0x140, 8, SNP_F_LE},
    {"reserved", 0x148, 0x18, SNP_F_KEEP},
    {"DR7", 0x160, 8, SNP_F_LE},
    {"reserved", 0x168, 0x10, SNP_F_KEEP},
    {"RIP", 0x178, 8, SNP_F_LE},
    {"reserved", 0x180, 0x58, SNP_F_KEEP},
    {"RSP", 0x1D8, 8, SNP_F_LE},
    {"reserved", 0x1E0, 0x18, SNP_F_KEEP},
    {"RAX", 0x1F8, 8, SNP_F_LE},
    {"reserved", 0x200, 0x108, SNP_F_KEEP},
    {"RCX", 0x308, 8, SNP_F_LE},
    {"RDX", 0x310, 8, SNP_F_LE},
    {"RBX", 0x318, 8, SNP_F_LE},
    {"reserved", 0x320, 8, SNP_F_KEEP},
    {"RBP", 0x328, 8, SNP_F_LE},
    {"RSI", 0x330, 8, SNP_F_LE},
    {"RDI", 0x338, 8, SNP_F_LE},
    {"R8", 0x340, 8, SNP_F_LE},
    {"R9", 0x348, 8, SNP_F_LE},
    {"R10", 0x350, 8, SNP_F_LE},
    {"R11", 0x358, 8, SNP_F_LE},
    {"R12", 0x360, 8, SNP_F_LE},
    {"R13", 0x368, 8, SNP_F_LE},
    {"R14", 0x370, 8, SNP_F_LE},
    {"R15", 0x378, 8, SNP_F_LE},
    {"reserved", 0x380, 0x10, SNP_F_KEEP},
    {"SW_EXITCODE", 0x390, 8, SNP_F_LE},
    {"SW_EXITINFO1", 0x398, 8, SNP_F_LE},
    {"SW_EXITINFO2", 0x3A0, 8, SNP_F_LE},
    {"SW_SCRATCH", 0x3A8, 8, SNP_F_LE},
    {"reserved", 0x3B0, 0x38, SNP_F_KEEP},
    {"XCR0", 0x3E8, 8, SNP_F_LE},
    {"VALID_BITMAP", 0x3F0, 16, SNP_F_BYTES},
    {"X87_STATE_GPA", 0x400, 8, SNP_F_LE},
    {"reserved", 0x408, 0x3F8, SNP_F_KEEP},
    {"SHARED_BUFFER", 0x800, 0x7F0, SNP_F_BYTES},
    {"reserved", 0xFF0, 10, SNP_F_KEEP},
    {"PROTOCOL_VERSION", 0xFFA, 2, SNP_F_LE},
    {"GHCB_USAGE", 0xFFC, 4, SNP_F_LE},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_ghcb_layout(void)
{
    return ghcb_layout;
}

/* §5.1: bit i of the 128-bit little-endian bitmap covers the qword at offset 8*i. */
snp_err
snp_ghcb_set_valid(struct snp_ghcb *g, size_t off)
{
    size_t bit = off / 8;

    if (g == NULL || off >= SNP_GHCB_VALID_LIMIT) {
        return SNP_E_RANGE;
    }
    g->valid_bitmap[bit / 8] = (uint8_t)(g->valid_bitmap[bit / 8] | (1u << (bit % 8)));
    return SNP_OK;
}

snp_err
snp_ghcb_clear_valid(struct snp_ghcb *g, size_t off)
{
    size_t bit = off / 8;

    if (g == NULL || off >= SNP_GHCB_VALID_LIMIT) {
        return SNP_E_RANGE;
    }
    g->valid_bitmap[bit / 8] = (uint8_t)(g->valid_bitmap[bit / 8] & ~(1u << (bit % 8)));
    return SNP_OK;
}

bool
snp_ghcb_is_valid(const struct snp_ghcb *g, size_t off)
{
    size_t bit = off / 8;

    if (g == NULL || off >= SNP_GHCB_VALID_LIMIT) {
        return false;
    }
    return ((unsigned)g->valid_bitmap[bit / 8] >> (bit % 8) & 1u) != 0;
}

void
snp_ghcb_clear_all_valid(struct snp_ghcb *g)
{
    if (g != NULL) {
        memset(g->valid_bitmap, 0, sizeof(g->valid_bitmap));
    }
}
