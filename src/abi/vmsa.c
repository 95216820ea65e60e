/*
 * abi/vmsa.c - VMSA page encode/decode and the reset VMSA of a launch.
 *
 * Pure byte layout (hardware.md §4.1): no value checks, every unnamed byte KEEP, so the round
 * trip is exact for all 4 KiB inputs. The reset values (§4.2) are what the launch measurement
 * hashes; they are checked byte-for-byte against sev-snp-measure's pages in the tests.
 * The layout table lives in vmsa_layout.c.
 */
#include "snpkit/vmsa.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

static void
rd_seg(struct snp_rd *rd, struct snp_vmsa_seg *s)
{
    s->selector = snp_rd_u16le(rd); /* +0 */
    s->attrib = snp_rd_u16le(rd);   /* +2 */
    s->limit = snp_rd_u32le(rd);    /* +4 */
    s->base = snp_rd_u64le(rd);     /* +8 */
}

static void
wr_seg(struct snp_wr *wr, const struct snp_vmsa_seg *s)
{
    snp_wr_u16le(wr, s->selector);
    snp_wr_u16le(wr, s->attrib);
    snp_wr_u32le(wr, s->limit);
    snp_wr_u64le(wr, s->base);
}

/* 0x000..0x140: segments, shadow-stack pointers, VMPL/CPL, EFER. */
static void
rd_part1(struct snp_rd *rd, struct snp_vmsa *v)
{
    rd_seg(rd, &v->es);                                     /* 0x000 ES */
    rd_seg(rd, &v->cs);                                     /* 0x010 CS */
    rd_seg(rd, &v->ss);                                     /* 0x020 SS */
    rd_seg(rd, &v->ds);                                     /* 0x030 DS */
    rd_seg(rd, &v->fs);                                     /* 0x040 FS */
    rd_seg(rd, &v->gs);                                     /* 0x050 GS */
    rd_seg(rd, &v->gdtr);                                   /* 0x060 GDTR */
    rd_seg(rd, &v->ldtr);                                   /* 0x070 LDTR */
    rd_seg(rd, &v->idtr);                                   /* 0x080 IDTR */
    rd_seg(rd, &v->tr);                                     /* 0x090 TR */
    v->pl0_ssp = snp_rd_u64le(rd);                          /* 0x0A0 PL0_SSP */
    v->pl1_ssp = snp_rd_u64le(rd);                          /* 0x0A8 PL1_SSP */
    v->pl2_ssp = snp_rd_u64le(rd);                          /* 0x0B0 PL2_SSP */
    v->pl3_ssp = snp_rd_u64le(rd);                          /* 0x0B8 PL3_SSP */
    v->u_cet = snp_rd_u64le(rd);                            /* 0x0C0 U_CET */
    snp_rd_bytes(rd, v->rsvd_0x0c8, sizeof(v->rsvd_0x0c8)); /* 0x0C8 reserved, KEEP */
    v->vmpl = snp_rd_u8(rd);                                /* 0x0CA VMPL */
    v->cpl = snp_rd_u8(rd);                                 /* 0x0CB CPL */
    snp_rd_bytes(rd, v->rsvd_0x0cc, sizeof(v->rsvd_0x0cc)); /* 0x0CC reserved, KEEP */
    v->efer = snp_rd_u64le(rd);                             /* 0x0D0 EFER */
    snp_rd_bytes(rd, v->rsvd_0x0d8, sizeof(v->rsvd_0x0d8)); /* 0x0D8 reserved, KEEP */
}

/* 0x140..0x2E0: control and debug registers, RSP/RAX, syscall MSRs, G_PAT, LBR. */
static void
rd_part2(struct snp_rd *rd, struct snp_vmsa *v)
{
    v->xss = snp_rd_u64le(rd);                              /* 0x140 XSS */
    v->cr4 = snp_rd_u64le(rd);                              /* 0x148 CR4 */
    v->cr3 = snp_rd_u64le(rd);                              /* 0x150 CR3 */
    v->cr0 = snp_rd_u64le(rd);                              /* 0x158 CR0 */
    v->dr7 = snp_rd_u64le(rd);                              /* 0x160 DR7 */
    v->dr6 = snp_rd_u64le(rd);                              /* 0x168 DR6 */
    v->rflags = snp_rd_u64le(rd);                           /* 0x170 RFLAGS */
    v->rip = snp_rd_u64le(rd);                              /* 0x178 RIP */
    v->dr0 = snp_rd_u64le(rd);                              /* 0x180 DR0 */
    v->dr1 = snp_rd_u64le(rd);                              /* 0x188 DR1 */
    v->dr2 = snp_rd_u64le(rd);                              /* 0x190 DR2 */
    v->dr3 = snp_rd_u64le(rd);                              /* 0x198 DR3 */
    v->dr0_addr_mask = snp_rd_u64le(rd);                    /* 0x1A0 DR0_ADDR_MASK */
    v->dr1_addr_mask = snp_rd_u64le(rd);                    /* 0x1A8 DR1_ADDR_MASK */
    v->dr2_addr_mask = snp_rd_u64le(rd);                    /* 0x1B0 DR2_ADDR_MASK */
    v->dr3_addr_mask = snp_rd_u64le(rd);                    /* 0x1B8 DR3_ADDR_MASK */
    snp_rd_bytes(rd, v->rsvd_0x1c0, sizeof(v->rsvd_0x1c0)); /* 0x1C0 reserved, KEEP */
    v->rsp = snp_rd_u64le(rd);                              /* 0x1D8 RSP */
    v->s_cet = snp_rd_u64le(rd);                            /* 0x1E0 S_CET */
    v->ssp = snp_rd_u64le(rd);                              /* 0x1E8 SSP */
    v->isst_addr = snp_rd_u64le(rd);                        /* 0x1F0 ISST_ADDR */
    v->rax = snp_rd_u64le(rd);                              /* 0x1F8 RAX */
    v->star = snp_rd_u64le(rd);                             /* 0x200 STAR */
    v->lstar = snp_rd_u64le(rd);                            /* 0x208 LSTAR */
    v->cstar = snp_rd_u64le(rd);                            /* 0x210 CSTAR */
    v->sfmask = snp_rd_u64le(rd);                           /* 0x218 SFMASK */
    v->kernel_gs_base = snp_rd_u64le(rd);                   /* 0x220 KERNEL_GS_BASE */
    v->sysenter_cs = snp_rd_u64le(rd);                      /* 0x228 SYSENTER_CS */
    v->sysenter_esp = snp_rd_u64le(rd);                     /* 0x230 SYSENTER_ESP */
    v->sysenter_eip = snp_rd_u64le(rd);                     /* 0x238 SYSENTER_EIP */
    v->cr2 = snp_rd_u64le(rd);                              /* 0x240 CR2 */
    snp_rd_bytes(rd, v->rsvd_0x248, sizeof(v->rsvd_0x248)); /* 0x248 reserved, KEEP */
    v->g_pat = snp_rd_u64le(rd);                            /* 0x268 G_PAT */
    v->dbgctl = snp_rd_u64le(rd);                           /* 0x270 DBGCTL */
    v->br_from = snp_rd_u64le(rd);                          /* 0x278 BR_FROM */
    v->br_to = snp_rd_u64le(rd);                            /* 0x280 BR_TO */
    v->last_excp_from = snp_rd_u64le(rd);                   /* 0x288 LAST_EXCP_FROM */
    v->last_excp_to = snp_rd_u64le(rd);                     /* 0x290 LAST_EXCP_TO */
    snp_rd_bytes(rd, v->rsvd_0x298, sizeof(v->rsvd_0x298)); /* 0x298 reserved, KEEP */
}

/* 0x2E0..0x400: SPEC_CTRL..TSC, GPRs, exit info, SEV_FEATURES, injection, XCR0. */
static void
rd_part3(struct snp_rd *rd, struct snp_vmsa *v)
{
    v->spec_ctrl = snp_rd_u64le(rd);                        /* 0x2E0 SPEC_CTRL */
    v->pkru = snp_rd_u32le(rd);                             /* 0x2E8 PKRU */
    v->tsc_aux = snp_rd_u32le(rd);                          /* 0x2EC TSC_AUX */
    v->guest_tsc_scale = snp_rd_u64le(rd);                  /* 0x2F0 GUEST_TSC_SCALE */
    v->guest_tsc_offset = snp_rd_u64le(rd);                 /* 0x2F8 GUEST_TSC_OFFSET */
    v->reg_prot_nonce = snp_rd_u64le(rd);                   /* 0x300 REG_PROT_NONCE */
    v->rcx = snp_rd_u64le(rd);                              /* 0x308 RCX */
    v->rdx = snp_rd_u64le(rd);                              /* 0x310 RDX */
    v->rbx = snp_rd_u64le(rd);                              /* 0x318 RBX */
    snp_rd_bytes(rd, v->rsvd_0x320, sizeof(v->rsvd_0x320)); /* 0x320 reserved, KEEP */
    v->rbp = snp_rd_u64le(rd);                              /* 0x328 RBP */
    v->rsi = snp_rd_u64le(rd);                              /* 0x330 RSI */
    v->rdi = snp_rd_u64le(rd);                              /* 0x338 RDI */
    v->r8 = snp_rd_u64le(rd);                               /* 0x340 R8 */
    v->r9 = snp_rd_u64le(rd);                               /* 0x348 R9 */
    v->r10 = snp_rd_u64le(rd);                              /* 0x350 R10 */
    v->r11 = snp_rd_u64le(rd);                              /* 0x358 R11 */
    v->r12 = snp_rd_u64le(rd);                              /* 0x360 R12 */
    v->r13 = snp_rd_u64le(rd);                              /* 0x368 R13 */
    v->r14 = snp_rd_u64le(rd);                              /* 0x370 R14 */
    v->r15 = snp_rd_u64le(rd);                              /* 0x378 R15 */
    snp_rd_bytes(rd, v->rsvd_0x380, sizeof(v->rsvd_0x380)); /* 0x380 reserved, KEEP */
    v->guest_exitinfo1 = snp_rd_u64le(rd);                  /* 0x390 GUEST_EXITINFO1 */
    v->guest_exitinfo2 = snp_rd_u64le(rd);                  /* 0x398 GUEST_EXITINFO2 */
    v->guest_exitintinfo = snp_rd_u64le(rd);                /* 0x3A0 GUEST_EXITINTINFO */
    v->guest_nrip = snp_rd_u64le(rd);                       /* 0x3A8 GUEST_NRIP */
    v->sev_features = snp_rd_u64le(rd);                     /* 0x3B0 SEV_FEATURES */
    v->vintr_ctrl = snp_rd_u64le(rd);                       /* 0x3B8 VINTR_CTRL */
    v->guest_exit_code = snp_rd_u64le(rd);                  /* 0x3C0 GUEST_EXIT_CODE */
    v->virtual_tom = snp_rd_u64le(rd);                      /* 0x3C8 VIRTUAL_TOM */
    v->tlb_id = snp_rd_u64le(rd);                           /* 0x3D0 TLB_ID */
    v->pcpu_id = snp_rd_u64le(rd);                          /* 0x3D8 PCPU_ID */
    v->event_inj = snp_rd_u64le(rd);                        /* 0x3E0 EVENT_INJ */
    v->xcr0 = snp_rd_u64le(rd);                             /* 0x3E8 XCR0 */
    snp_rd_bytes(rd, v->rsvd_0x3f0, sizeof(v->rsvd_0x3f0)); /* 0x3F0 reserved, KEEP */
}

/* 0x400..0x1000: x87/SSE/AVX state, LBR and IBS, AVX-512 state. */
static void
rd_part4(struct snp_rd *rd, struct snp_vmsa *v)
{
    v->x87_dp = snp_rd_u64le(rd);                           /* 0x400 X87_DP */
    v->mxcsr = snp_rd_u32le(rd);                            /* 0x408 MXCSR */
    v->x87_ftw = snp_rd_u16le(rd);                          /* 0x40C X87_FTW */
    v->x87_fsw = snp_rd_u16le(rd);                          /* 0x40E X87_FSW */
    v->x87_fcw = snp_rd_u16le(rd);                          /* 0x410 X87_FCW */
    v->x87_fop = snp_rd_u16le(rd);                          /* 0x412 X87_FOP */
    v->x87_ds = snp_rd_u16le(rd);                           /* 0x414 X87_DS */
    v->x87_cs = snp_rd_u16le(rd);                           /* 0x416 X87_CS */
    v->x87_rip = snp_rd_u64le(rd);                          /* 0x418 X87_RIP */
    snp_rd_bytes(rd, v->fpreg_x87, sizeof(v->fpreg_x87));   /* 0x420 FPREG_X87 */
    snp_rd_bytes(rd, v->fpreg_xmm, sizeof(v->fpreg_xmm));   /* 0x470 FPREG_XMM */
    snp_rd_bytes(rd, v->fpreg_ymm, sizeof(v->fpreg_ymm));   /* 0x570 FPREG_YMM */
    snp_rd_bytes(rd, v->lbr_stack, sizeof(v->lbr_stack));   /* 0x670 LBR stack */
    v->lbr_select = snp_rd_u64le(rd);                       /* 0x770 LBR_SELECT */
    v->ibs_fetch_ctl = snp_rd_u64le(rd);                    /* 0x778 IBS_FETCH_CTL */
    v->ibs_fetch_linaddr = snp_rd_u64le(rd);                /* 0x780 IBS_FETCH_LINADDR */
    v->ibs_op_ctl = snp_rd_u64le(rd);                       /* 0x788 IBS_OP_CTL */
    v->ibs_op_rip = snp_rd_u64le(rd);                       /* 0x790 IBS_OP_RIP */
    v->ibs_op_data = snp_rd_u64le(rd);                      /* 0x798 IBS_OP_DATA */
    v->ibs_op_data2 = snp_rd_u64le(rd);                     /* 0x7A0 IBS_OP_DATA2 */
    v->ibs_op_data3 = snp_rd_u64le(rd);                     /* 0x7A8 IBS_OP_DATA3 */
    v->ibs_dc_linaddr = snp_rd_u64le(rd);                   /* 0x7B0 IBS_DC_LINADDR */
    v->bp_ibstgt_rip = snp_rd_u64le(rd);                    /* 0x7B8 BP_IBSTGT_RIP */
    v->ic_ibs_extd_ctl = snp_rd_u64le(rd);                  /* 0x7C0 IC_IBS_EXTD_CTL */
    snp_rd_bytes(rd, v->rsvd_0x7c8, sizeof(v->rsvd_0x7c8)); /* 0x7C8 reserved, KEEP */
    snp_rd_bytes(rd, v->avx512_k, sizeof(v->avx512_k));     /* 0x980 AVX-512 K regs */
    snp_rd_bytes(rd, v->zmm_hi256, sizeof(v->zmm_hi256));   /* 0x9C0 ZMM_Hi256 */
    snp_rd_bytes(rd, v->hi16_zmm, sizeof(v->hi16_zmm));     /* 0xBC0 Hi16_ZMM */
    snp_rd_bytes(rd, v->rsvd_0xfc0, sizeof(v->rsvd_0xfc0)); /* 0xFC0 reserved, KEEP */
}

snp_err
snp_vmsa_decode(struct snp_vmsa *v, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    if (v == NULL) {
        return SNP_E_ARG;
    }
    memset(v, 0, sizeof(*v));
    snp_rd_init(&rd, buf, len);
    rd_part1(&rd, v);
    rd_part2(&rd, v);
    rd_part3(&rd, v);
    rd_part4(&rd, v);
    err = snp_rd_done(&rd); /* exactly 4096 bytes */
    if (err != SNP_OK) {
        memset(v, 0, sizeof(*v));
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
    }
    return err;
}

static void
wr_part1(struct snp_wr *wr, const struct snp_vmsa *v)
{
    wr_seg(wr, &v->es);                                     /* 0x000 */
    wr_seg(wr, &v->cs);                                     /* 0x010 */
    wr_seg(wr, &v->ss);                                     /* 0x020 */
    wr_seg(wr, &v->ds);                                     /* 0x030 */
    wr_seg(wr, &v->fs);                                     /* 0x040 */
    wr_seg(wr, &v->gs);                                     /* 0x050 */
    wr_seg(wr, &v->gdtr);                                   /* 0x060 */
    wr_seg(wr, &v->ldtr);                                   /* 0x070 */
    wr_seg(wr, &v->idtr);                                   /* 0x080 */
    wr_seg(wr, &v->tr);                                     /* 0x090 */
    snp_wr_u64le(wr, v->pl0_ssp);                           /* 0x0A0 */
    snp_wr_u64le(wr, v->pl1_ssp);                           /* 0x0A8 */
    snp_wr_u64le(wr, v->pl2_ssp);                           /* 0x0B0 */
    snp_wr_u64le(wr, v->pl3_ssp);                           /* 0x0B8 */
    snp_wr_u64le(wr, v->u_cet);                             /* 0x0C0 */
    snp_wr_bytes(wr, v->rsvd_0x0c8, sizeof(v->rsvd_0x0c8)); /* 0x0C8 */
    snp_wr_u8(wr, v->vmpl);                                 /* 0x0CA */
    snp_wr_u8(wr, v->cpl);                                  /* 0x0CB */
    snp_wr_bytes(wr, v->rsvd_0x0cc, sizeof(v->rsvd_0x0cc)); /* 0x0CC */
    snp_wr_u64le(wr, v->efer);                              /* 0x0D0 */
    snp_wr_bytes(wr, v->rsvd_0x0d8, sizeof(v->rsvd_0x0d8)); /* 0x0D8 */
}

static void
wr_part2(struct snp_wr *wr, const struct snp_vmsa *v)
{
    snp_wr_u64le(wr, v->xss);                               /* 0x140 */
    snp_wr_u64le(wr, v->cr4);                               /* 0x148 */
    snp_wr_u64le(wr, v->cr3);                               /* 0x150 */
    snp_wr_u64le(wr, v->cr0);                               /* 0x158 */
    snp_wr_u64le(wr, v->dr7);                               /* 0x160 */
    snp_wr_u64le(wr, v->dr6);                               /* 0x168 */
    snp_wr_u64le(wr, v->rflags);                            /* 0x170 */
    snp_wr_u64le(wr, v->rip);                               /* 0x178 */
    snp_wr_u64le(wr, v->dr0);                               /* 0x180 */
    snp_wr_u64le(wr, v->dr1);                               /* 0x188 */
    snp_wr_u64le(wr, v->dr2);                               /* 0x190 */
    snp_wr_u64le(wr, v->dr3);                               /* 0x198 */
    snp_wr_u64le(wr, v->dr0_addr_mask);                     /* 0x1A0 */
    snp_wr_u64le(wr, v->dr1_addr_mask);                     /* 0x1A8 */
    snp_wr_u64le(wr, v->dr2_addr_mask);                     /* 0x1B0 */
    snp_wr_u64le(wr, v->dr3_addr_mask);                     /* 0x1B8 */
    snp_wr_bytes(wr, v->rsvd_0x1c0, sizeof(v->rsvd_0x1c0)); /* 0x1C0 */
    snp_wr_u64le(wr, v->rsp);                               /* 0x1D8 */
    snp_wr_u64le(wr, v->s_cet);                             /* 0x1E0 */
    snp_wr_u64le(wr, v->ssp);                               /* 0x1E8 */
    snp_wr_u64le(wr, v->isst_addr);                         /* 0x1F0 */
    snp_wr_u64le(wr, v->rax);                               /* 0x1F8 */
    snp_wr_u64le(wr, v->star);                              /* 0x200 */
    snp_wr_u64le(wr, v->lstar);                             /* 0x208 */
    snp_wr_u64le(wr, v->cstar);                             /* 0x210 */
    snp_wr_u64le(wr, v->sfmask);                            /* 0x218 */
    snp_wr_u64le(wr, v->kernel_gs_base);                    /* 0x220 */
    snp_wr_u64le(wr, v->sysenter_cs);                       /* 0x228 */
    snp_wr_u64le(wr, v->sysenter_esp);                      /* 0x230 */
    snp_wr_u64le(wr, v->sysenter_eip);                      /* 0x238 */
    snp_wr_u64le(wr, v->cr2);                               /* 0x240 */
    snp_wr_bytes(wr, v->rsvd_0x248, sizeof(v->rsvd_0x248)); /* 0x248 */
    snp_wr_u64le(wr, v->g_pat);                             /* 0x268 */
    snp_wr_u64le(wr, v->dbgctl);                            /* 0x270 */
    snp_wr_u64le(wr, v->br_from);                           /* 0x278 */
    snp_wr_u64le(wr, v->br_to);                             /* 0x280 */
    snp_wr_u64le(wr, v->last_excp_from);                    /* 0x288 */
    snp_wr_u64le(wr, v->last_excp_to);                      /* 0x290 */
    snp_wr_bytes(wr, v->rsvd_0x298, sizeof(v->rsvd_0x298)); /* 0x298 */
}

static void
wr_part3(struct snp_wr *wr, const struct snp_vmsa *v)
{
    snp_wr_u64le(wr, v->spec_ctrl);                         /* 0x2E0 */
    snp_wr_u32le(wr, v->pkru);                              /* 0x2E8 */
    snp_wr_u32le(wr, v->tsc_aux);                           /* 0x2EC */
    snp_wr_u64le(wr, v->guest_tsc_scale);                   /* 0x2F0 */
    snp_wr_u64le(wr, v->guest_tsc_offset);                  /* 0x2F8 */
    snp_wr_u64le(wr, v->reg_prot_nonce);                    /* 0x300 */
    snp_wr_u64le(wr, v->rcx);                               /* 0x308 */
    snp_wr_u64le(wr, v->rdx);                               /* 0x310 */
    snp_wr_u64le(wr, v->rbx);                               /* 0x318 */
    snp_wr_bytes(wr, v->rsvd_0x320, sizeof(v->rsvd_0x320)); /* 0x320 */
    snp_wr_u64le(wr, v->rbp);                               /* 0x328 */
    snp_wr_u64le(wr, v->rsi);                               /* 0x330 */
    snp_wr_u64le(wr, v->rdi);                               /* 0x338 */
    snp_wr_u64le(wr, v->r8);                                /* 0x340 */
    snp_wr_u64le(wr, v->r9);                                /* 0x348 */
    snp_wr_u64le(wr, v->r10);                               /* 0x350 */
    snp_wr_u64le(wr, v->r11);                               /* 0x358 */
    snp_wr_u64le(wr, v->r12);                               /* 0x360 */
    snp_wr_u64le(wr, v->r13);                               /* 0x368 */
    snp_wr_u64le(wr, v->r14);                               /* 0x370 */
    snp_wr_u64le(wr, v->r15);                               /* 0x378 */
    snp_wr_bytes(wr, v->rsvd_0x380, sizeof(v->rsvd_0x380)); /* 0x380 */
    snp_wr_u64le(wr, v->guest_exitinfo1);                   /* 0x390 */
    snp_wr_u64le(wr, v->guest_exitinfo2);                   /* 0x398 */
    snp_wr_u64le(wr, v->guest_exitintinfo);                 /* 0x3A0 */
    snp_wr_u64le(wr, v->guest_nrip);                        /* 0x3A8 */
    snp_wr_u64le(wr, v->sev_features);                      /* 0x3B0 */
    snp_wr_u64le(wr, v->vintr_ctrl);                        /* 0x3B8 */
    snp_wr_u64le(wr, v->guest_exit_code);                   /* 0x3C0 */
    snp_wr_u64le(wr, v->virtual_tom);                       /* 0x3C8 */
    snp_wr_u64le(wr, v->tlb_id);                            /* 0x3D0 */
    snp_wr_u64le(wr, v->pcpu_id);                           /* 0x3D8 */
    snp_wr_u64le(wr, v->event_inj);                         /* 0x3E0 */
    snp_wr_u64le(wr, v->xcr0);                              /* 0x3E8 */
    snp_wr_bytes(wr, v->rsvd_0x3f0, sizeof(v->rsvd_0x3f0)); /* 0x3F0 */
}

static void
wr_part4(struct snp_wr *wr, const struct snp_vmsa *v)
{
    snp_wr_u64le(wr, v->x87_dp);                            /* 0x400 */
    snp_wr_u32le(wr, v->mxcsr);                             /* 0x408 */
    snp_wr_u16le(wr, v->x87_ftw);                           /* 0x40C */
    snp_wr_u16le(wr, v->x87_fsw);                           /* 0x40E */
    snp_wr_u16le(wr, v->x87_fcw);                           /* 0x410 */
    snp_wr_u16le(wr, v->x87_fop);                           /* 0x412 */
    snp_wr_u16le(wr, v->x87_ds);                            /* 0x414 */
    snp_wr_u16le(wr, v->x87_cs);                            /* 0x416 */
    snp_wr_u64le(wr, v->x87_rip);                           /* 0x418 */
    snp_wr_bytes(wr, v->fpreg_x87, sizeof(v->fpreg_x87));   /* 0x420 */
    snp_wr_bytes(wr, v->fpreg_xmm, sizeof(v->fpreg_xmm));   /* 0x470 */
    snp_wr_bytes(wr, v->fpreg_ymm, sizeof(v->fpreg_ymm));   /* 0x570 */
    snp_wr_bytes(wr, v->lbr_stack, sizeof(v->lbr_stack));   /* 0x670 */
    snp_wr_u64le(wr, v->lbr_select);                        /* 0x770 */
    snp_wr_u64le(wr, v->ibs_fetch_ctl);                     /* 0x778 */
    snp_wr_u64le(wr, v->ibs_fetch_linaddr);                 /* 0x780 */
    snp_wr_u64le(wr, v->ibs_op_ctl);                        /* 0x788 */
    snp_wr_u64le(wr, v->ibs_op_rip);                        /* 0x790 */
    snp_wr_u64le(wr, v->ibs_op_data);                       /* 0x798 */
    snp_wr_u64le(wr, v->ibs_op_data2);                      /* 0x7A0 */
    snp_wr_u64le(wr, v->ibs_op_data3);                      /* 0x7A8 */
    snp_wr_u64le(wr, v->ibs_dc_linaddr);                    /* 0x7B0 */
    snp_wr_u64le(wr, v->bp_ibstgt_rip);                     /* 0x7B8 */
    snp_wr_u64le(wr, v->ic_ibs_extd_ctl);                   /* 0x7C0 */
    snp_wr_bytes(wr, v->rsvd_0x7c8, sizeof(v->rsvd_0x7c8)); /* 0x7C8 */
    snp_wr_bytes(wr, v->avx512_k, sizeof(v->avx512_k));     /* 0x980 */
    snp_wr_bytes(wr, v->zmm_hi256, sizeof(v->zmm_hi256));   /* 0x9C0 */
    snp_wr_bytes(wr, v->hi16_zmm, sizeof(v->hi16_zmm));     /* 0xBC0 */
    snp_wr_bytes(wr, v->rsvd_0xfc0, sizeof(v->rsvd_0xfc0)); /* 0xFC0 */
}

snp_err
snp_vmsa_encode(uint8_t out[SNP_VMSA_SIZE], const struct snp_vmsa *v)
{
    struct snp_wr wr;

    if (out == NULL || v == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_VMSA_SIZE);
    wr_part1(&wr, v);
    wr_part2(&wr, v);
    wr_part3(&wr, v);
    wr_part4(&wr, v);
    return snp_wr_done(&wr);
}

/* ---- reset VMSA (hardware.md §4.2) ------------------------------------------------------- */

static void
set_seg(struct snp_vmsa_seg *s, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base)
{
    s->selector = selector;
    s->attrib = attrib;
    s->limit = limit;
    s->base = base;
}

/* The register values every reset VMSA shares (§4.2 "same" rows). */
static void
reset_common(struct snp_vmsa *v, uint32_t rdx, uint64_t sev_features)
{
    set_seg(&v->ldtr, 0, 0x82, 0xFFFF, 0);   /* LDTR attr 0x82 */
    set_seg(&v->gdtr, 0, 0, 0xFFFF, 0);      /* GDTR attr 0 */
    set_seg(&v->idtr, 0, 0, 0xFFFF, 0);      /* IDTR attr 0 */
    v->efer = 0x1000;                        /* EFER.SVME */
    v->cr4 = 0x40;                           /* CR4.MCE */
    v->cr0 = 0x10;                           /* CR0.ET */
    v->dr7 = 0x400;                          /* DR7 fixed value */
    v->dr6 = 0xFFFF0FF0;                     /* DR6 fixed value */
    v->rflags = 0x2;                         /* RFLAGS bit 1 is always 1 */
    v->g_pat = UINT64_C(0x0007040600070406); /* the architectural PAT reset value */
    v->rdx = rdx;                            /* vCPU signature (QEMU) or 0x600 */
    v->xcr0 = 0x1;                           /* x87 enabled */
    v->sev_features = sev_features;
}

snp_err
snp_vmsa_reset(struct snp_vmsa *v, enum snp_vmm_type vmm, uint32_t eip, uint32_t vcpu_sig,
               uint64_t sev_features)
{
    uint16_t cs_attr = 0x9B;
    uint16_t ss_attr = 0x93;
    uint16_t tr_attr = 0x8B;
    uint32_t rdx = vcpu_sig;
    bool fpu = true;

    if (v == NULL) {
        return SNP_E_ARG;
    }
    switch (vmm) {
    case SNP_VMM_QEMU:
        break; /* KVM_SEV_INIT2 syncs the FPU state: MXCSR 0x1F80, FCW 0x37F */
    case SNP_VMM_EC2:
        cs_attr = eip == SNP_VMSA_BSP_EIP ? 0x9A : 0x9B; /* §4.2: 0x9A only for the BSP */
        ss_attr = 0x92;
        tr_attr = 0x83;
        rdx = SNP_VMSA_EC2_GCE_RDX;
        fpu = false;
        break;
    case SNP_VMM_GCE:
        rdx = SNP_VMSA_EC2_GCE_RDX;
        fpu = false;
        break;
    default:
        return SNP_E_ARG;
    }
    memset(v, 0, sizeof(*v));
    set_seg(&v->es, 0, 0x93, 0xFFFF, 0);
    set_seg(&v->cs, 0xF000, cs_attr, 0xFFFF, eip & 0xFFFF0000u); /* CS.base = eip & ~0xFFFF */
    set_seg(&v->ss, 0, ss_attr, 0xFFFF, 0);
    set_seg(&v->ds, 0, 0x93, 0xFFFF, 0);
    set_seg(&v->fs, 0, 0x93, 0xFFFF, 0);
    set_seg(&v->gs, 0, 0x93, 0xFFFF, 0);
    set_seg(&v->tr, 0, tr_attr, 0xFFFF, 0);
    reset_common(v, rdx, sev_features);
    v->rip = eip & 0xFFFFu; /* RIP = eip & 0xFFFF */
    if (vmm == SNP_VMM_GCE) {
        v->g_pat = 0x00070106; /* §4.2: GCE's G_PAT */
    }
    if (fpu) {
        v->mxcsr = 0x1F80;
        v->x87_fcw = 0x037F;
    }
    return SNP_OK;
}

snp_err
snp_vmsa_reset_svsm(struct snp_vmsa *v, uint64_t svsm_rip, uint32_t vcpu_sig, uint64_t sev_features)
{
    if (v == NULL) {
        return SNP_E_ARG;
    }
    memset(v, 0, sizeof(*v));
    /* §4.2 notes: flat 4 GiB segments, G and D/B set. */
    set_seg(&v->es, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&v->cs, 0x08, 0xC9B, 0xFFFFFFFF, 0);
    set_seg(&v->ss, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&v->ds, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&v->fs, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&v->gs, 0, 0x93, 0xFFFF, 0);
    set_seg(&v->tr, 0, 0x8B, 0xFFFF, 0);
    reset_common(v, vcpu_sig, sev_features);
    v->cr0 = 0x11; /* CR0.PE | CR0.ET */
    v->rip = svsm_rip;
    v->mxcsr = 0x1F80; /* the published SVSM vectors: MXCSR set, X87_FCW left 0 */
    return SNP_OK;
}
