/*
 * snpkit/vmsa.h - the 4096-byte VMSA (SEV-ES/SNP save area, hardware.md §4) and the initial
 * (reset) VMSA a VMM hands to LAUNCH_UPDATE, which the launch measurement hashes (§4.2).
 *
 * The VMSA is observed and measured, never interpreted by the codec: every byte that is not a
 * named field is KEEP (stored in an rsvd_0x... array or a named byte area), so
 * encode(decode(x)) == x for every 4 KiB input. Decode fails only on length.
 */
#ifndef SNPKIT_VMSA_H
#define SNPKIT_VMSA_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_VMSA_SIZE 4096

/* Segment descriptor (§4.1, 16 bytes): +0 selector, +2 attrib, +4 limit, +8 base. */
#define SNP_VMSA_SEG_SIZE 16
struct snp_vmsa_seg {
    uint16_t selector;
    uint16_t attrib; /* 12 bits used, see SNP_VMSA_ATTR_* */
    uint32_t limit;
    uint64_t base;
};

/* Segment attribute bits (§4.1): 3:0 type, 4 S, 6:5 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G. */
#define SNP_VMSA_ATTR_TYPE_MASK 0x000Fu
#define SNP_VMSA_ATTR_S         0x0010u
#define SNP_VMSA_ATTR_DPL_MASK  0x0060u
#define SNP_VMSA_ATTR_DPL_SHIFT 5
#define SNP_VMSA_ATTR_P         0x0080u
#define SNP_VMSA_ATTR_AVL       0x0100u
#define SNP_VMSA_ATTR_L         0x0200u
#define SNP_VMSA_ATTR_DB        0x0400u
#define SNP_VMSA_ATTR_G         0x0800u

/*
 * SEV_FEATURES (VMSA 0x3B0) bits, §4.3. SEV_STATUS MSR bit = SEV_FEATURES bit + 2
 * (snp_vmsa_features_to_sev_status()).
 */
#define SNP_VMSA_FEAT_SNP_ACTIVE           (UINT64_C(1) << 0)  /* SNPActive */
#define SNP_VMSA_FEAT_VTOM                 (UINT64_C(1) << 1)  /* vTOM, uses VIRTUAL_TOM */
#define SNP_VMSA_FEAT_REFLECT_VC           (UINT64_C(1) << 2)  /* ReflectVC */
#define SNP_VMSA_FEAT_RESTRICTED_INJECTION (UINT64_C(1) << 3)  /* RestrictedInjection */
#define SNP_VMSA_FEAT_ALTERNATE_INJECTION  (UINT64_C(1) << 4)  /* AlternateInjection */
#define SNP_VMSA_FEAT_DEBUG_SWAP           (UINT64_C(1) << 5)  /* DebugSwap */
#define SNP_VMSA_FEAT_PREVENT_HOST_IBS     (UINT64_C(1) << 6)  /* PreventHostIBS */
#define SNP_VMSA_FEAT_BTB_ISOLATION        (UINT64_C(1) << 7)  /* BTBIsolation */
#define SNP_VMSA_FEAT_VMPL_SSS             (UINT64_C(1) << 8)  /* VmplSSS */
#define SNP_VMSA_FEAT_SECURE_TSC           (UINT64_C(1) << 9)  /* SecureTSC */
#define SNP_VMSA_FEAT_VMGEXIT_PARAMETER    (UINT64_C(1) << 10) /* VmgexitParameter */
/* XXX(spec §4.3, §11.2): bit 11 is PmcVirtualization in edk2, "reserved, SBZ" elsewhere. */
#define SNP_VMSA_FEAT_PMC_VIRTUALIZATION (UINT64_C(1) << 11)
#define SNP_VMSA_FEAT_IBS_VIRTUALIZATION (UINT64_C(1) << 12) /* IbsVirtualization */
#define SNP_VMSA_FEAT_VMSA_REG_PROT      (UINT64_C(1) << 14) /* VmsaRegProt (bit 13 reserved) */
#define SNP_VMSA_FEAT_SMT_PROTECTION     (UINT64_C(1) << 15) /* SmtProtection */
#define SNP_VMSA_FEAT_SECURE_AVIC        (UINT64_C(1) << 16) /* SecureAVIC */
#define SNP_VMSA_FEAT_IBPB_ON_ENTRY      (UINT64_C(1) << 21) /* IbpbOnEntry */
/* Every bit §4.3 names (bit 11 included). */
#define SNP_VMSA_FEAT_KNOWN                                                                        \
    ((UINT64_C(0x1FFFF) & ~(UINT64_C(1) << 13)) | SNP_VMSA_FEAT_IBPB_ON_ENTRY)
#define SNP_SEV_STATUS_FEAT_SHIFT 2

/* SEV_STATUS MSR view of a SEV_FEATURES value (§4.3: status bit = feature bit + 2). */
static inline uint64_t
snp_vmsa_features_to_sev_status(uint64_t sev_features)
{
    return sev_features << SNP_SEV_STATUS_FEAT_SHIFT;
}

/* VINTR_CTRL (0x3B8) fields, §4.1. */
#define SNP_VMSA_VINTR_V_TPR_MASK       UINT64_C(0xFF)
#define SNP_VMSA_VINTR_V_IRQ            (UINT64_C(1) << 8)
#define SNP_VMSA_VINTR_V_GIF            (UINT64_C(1) << 9)
#define SNP_VMSA_VINTR_INT_SHADOW       (UINT64_C(1) << 10)
#define SNP_VMSA_VINTR_V_NMI            (UINT64_C(1) << 11)
#define SNP_VMSA_VINTR_V_NMI_MASK       (UINT64_C(1) << 12)
#define SNP_VMSA_VINTR_V_INTR_PRIO_MASK (UINT64_C(0xF) << 16)
#define SNP_VMSA_VINTR_V_IGN_TPR        (UINT64_C(1) << 20)
#define SNP_VMSA_VINTR_V_NMI_ENABLE     (UINT64_C(1) << 26)
#define SNP_VMSA_VINTR_V_INTR_VEC_SHIFT 32
#define SNP_VMSA_VINTR_V_INTR_VEC_MASK  (UINT64_C(0xFF) << 32)
#define SNP_VMSA_VINTR_BUSY             (UINT64_C(1) << 63)

/* EVENT_INJ (0x3E0) fields, §4.1. */
#define SNP_VMSA_EVENTINJ_VECTOR_MASK   UINT64_C(0xFF)
#define SNP_VMSA_EVENTINJ_TYPE_SHIFT    8
#define SNP_VMSA_EVENTINJ_TYPE_MASK     (UINT64_C(7) << 8)  /* 0 INTR, 2 NMI, 3 exception, 4 soft */
#define SNP_VMSA_EVENTINJ_EV            (UINT64_C(1) << 11) /* error code valid */
#define SNP_VMSA_EVENTINJ_VALID         (UINT64_C(1) << 31)
#define SNP_VMSA_EVENTINJ_ERRCODE_SHIFT 32

/* Offsets of fields other modules need (measurement forces 0x2F0/0x2F8 to zero, §8.2). */
#define SNP_VMSA_OFF_RIP              0x178
#define SNP_VMSA_OFF_GUEST_TSC_SCALE  0x2F0
#define SNP_VMSA_OFF_GUEST_TSC_OFFSET 0x2F8
#define SNP_VMSA_OFF_REG_PROT_NONCE   0x300
#define SNP_VMSA_OFF_RDX              0x310
#define SNP_VMSA_OFF_SEV_FEATURES     0x3B0

struct snp_vmsa {
    struct snp_vmsa_seg es;     /* 0x000 */
    struct snp_vmsa_seg cs;     /* 0x010 */
    struct snp_vmsa_seg ss;     /* 0x020 */
    struct snp_vmsa_seg ds;     /* 0x030 */
    struct snp_vmsa_seg fs;     /* 0x040 */
    struct snp_vmsa_seg gs;     /* 0x050 */
    struct snp_vmsa_seg gdtr;   /* 0x060 */
    struct snp_vmsa_seg ldtr;   /* 0x070 */
    struct snp_vmsa_seg idtr;   /* 0x080 */
    struct snp_vmsa_seg tr;     /* 0x090 */
    uint64_t pl0_ssp;           /* 0x0A0 */
    uint64_t pl1_ssp;           /* 0x0A8 */
    uint64_t pl2_ssp;           /* 0x0B0 */
    uint64_t pl3_ssp;           /* 0x0B8 */
    uint64_t u_cet;             /* 0x0C0 */
    uint8_t rsvd_0x0c8[2];      /* 0x0C8 */
    uint8_t vmpl;               /* 0x0CA */
    uint8_t cpl;                /* 0x0CB */
    uint8_t rsvd_0x0cc[4];      /* 0x0CC */
    uint64_t efer;              /* 0x0D0 */
    uint8_t rsvd_0x0d8[104];    /* 0x0D8 */
    uint64_t xss;               /* 0x140 */
    uint64_t cr4;               /* 0x148 */
    uint64_t cr3;               /* 0x150 */
    uint64_t cr0;               /* 0x158 */
    uint64_t dr7;               /* 0x160 */
    uint64_t dr6;               /* 0x168 */
    uint64_t rflags;            /* 0x170 */
    uint64_t rip;               /* 0x178 */
    uint64_t dr0;               /* 0x180 */
    uint64_t dr1;               /* 0x188 */
    uint64_t dr2;               /* 0x190 */
    uint64_t dr3;               /* 0x198 */
    uint64_t dr0_addr_mask;     /* 0x1A0 */
    uint64_t dr1_addr_mask;     /* 0x1A8 */
    uint64_t dr2_addr_mask;     /* 0x1B0 */
    uint64_t dr3_addr_mask;     /* 0x1B8 */
    uint8_t rsvd_0x1c0[24];     /* 0x1C0 */
    uint64_t rsp;               /* 0x1D8 */
    uint64_t s_cet;             /* 0x1E0 */
    uint64_t ssp;               /* 0x1E8 */
    uint64_t isst_addr;         /* 0x1F0 */
    uint64_t rax;               /* 0x1F8 */
    uint64_t star;              /* 0x200 */
    uint64_t lstar;             /* 0x208 */
    uint64_t cstar;             /* 0x210 */
    uint64_t sfmask;            /* 0x218 */
    uint64_t kernel_gs_base;    /* 0x220 */
    uint64_t sysenter_cs;       /* 0x228 */
    uint64_t sysenter_esp;      /* 0x230 */
    uint64_t sysenter_eip;      /* 0x238 */
    uint64_t cr2;               /* 0x240 */
    uint8_t rsvd_0x248[32];     /* 0x248 */
    uint64_t g_pat;             /* 0x268 */
    uint64_t dbgctl;            /* 0x270 */
    uint64_t br_from;           /* 0x278 */
    uint64_t br_to;             /* 0x280 */
    uint64_t last_excp_from;    /* 0x288 */
    uint64_t last_excp_to;      /* 0x290 */
    uint8_t rsvd_0x298[72];     /* 0x298 */
    uint64_t spec_ctrl;         /* 0x2E0 VMCB naming; reserved in the SEV-ES area */
    uint32_t pkru;              /* 0x2E8 */
    uint32_t tsc_aux;           /* 0x2EC Linux naming; reserved in coconut */
    uint64_t guest_tsc_scale;   /* 0x2F0 Secure TSC */
    uint64_t guest_tsc_offset;  /* 0x2F8 Secure TSC */
    uint64_t reg_prot_nonce;    /* 0x300 VmsaRegProt */
    uint64_t rcx;               /* 0x308 */
    uint64_t rdx;               /* 0x310 */
    uint64_t rbx;               /* 0x318 */
    uint8_t rsvd_0x320[8];      /* 0x320 (RSP lives at 0x1D8) */
    uint64_t rbp;               /* 0x328 */
    uint64_t rsi;               /* 0x330 */
    uint64_t rdi;               /* 0x338 */
    uint64_t r8;                /* 0x340 */
    uint64_t r9;                /* 0x348 */
    uint64_t r10;               /* 0x350 */
    uint64_t r11;               /* 0x358 */
    uint64_t r12;               /* 0x360 */
    uint64_t r13;               /* 0x368 */
    uint64_t r14;               /* 0x370 */
    uint64_t r15;               /* 0x378 */
    uint8_t rsvd_0x380[16];     /* 0x380 */
    uint64_t guest_exitinfo1;   /* 0x390 */
    uint64_t guest_exitinfo2;   /* 0x398 */
    uint64_t guest_exitintinfo; /* 0x3A0 */
    uint64_t guest_nrip;        /* 0x3A8 */
    uint64_t sev_features;      /* 0x3B0 SNP_VMSA_FEAT_* */
    uint64_t vintr_ctrl;        /* 0x3B8 SNP_VMSA_VINTR_* */
    uint64_t guest_exit_code;   /* 0x3C0 */
    uint64_t virtual_tom;       /* 0x3C8 */
    uint64_t tlb_id;            /* 0x3D0 */
    uint64_t pcpu_id;           /* 0x3D8 */
    uint64_t event_inj;         /* 0x3E0 SNP_VMSA_EVENTINJ_* */
    uint64_t xcr0;              /* 0x3E8 */
    uint8_t rsvd_0x3f0[16];     /* 0x3F0 */
    uint64_t x87_dp;            /* 0x400 */
    uint32_t mxcsr;             /* 0x408 */
    uint16_t x87_ftw;           /* 0x40C */
    uint16_t x87_fsw;           /* 0x40E */
    uint16_t x87_fcw;           /* 0x410 */
    uint16_t x87_fop;           /* 0x412 */
    uint16_t x87_ds;            /* 0x414 */
    uint16_t x87_cs;            /* 0x416 */
    uint64_t x87_rip;           /* 0x418 */
    uint8_t fpreg_x87[80];      /* 0x420 8 x 10 bytes, kept as bytes */
    uint8_t fpreg_xmm[256];     /* 0x470 */
    uint8_t fpreg_ymm[256];     /* 0x570 upper halves */
    uint8_t lbr_stack[256];     /* 0x670 */
    uint64_t lbr_select;        /* 0x770 */
    uint64_t ibs_fetch_ctl;     /* 0x778 */
    uint64_t ibs_fetch_linaddr; /* 0x780 */
    uint64_t ibs_op_ctl;        /* 0x788 */
    uint64_t ibs_op_rip;        /* 0x790 */
    uint64_t ibs_op_data;       /* 0x798 */
    uint64_t ibs_op_data2;      /* 0x7A0 */
    uint64_t ibs_op_data3;      /* 0x7A8 */
    uint64_t ibs_dc_linaddr;    /* 0x7B0 */
    uint64_t bp_ibstgt_rip;     /* 0x7B8 */
    uint64_t ic_ibs_extd_ctl;   /* 0x7C0 */
    uint8_t rsvd_0x7c8[0x1B8];  /* 0x7C8 */
    uint8_t avx512_k[64];       /* 0x980 AVX-512 K registers */
    uint8_t zmm_hi256[512];     /* 0x9C0 */
    uint8_t hi16_zmm[1024];     /* 0xBC0 */
    uint8_t rsvd_0xfc0[64];     /* 0xFC0 */
};

/*
 * snp_vmsa_decode() - decode a VMSA page.
 * @v:       out; always overwritten, zeroed on failure.
 * @buf:     the page bytes; not retained.
 * @len:     MUST equal SNP_VMSA_SIZE.
 * @err_off: out, optional: the byte offset the error refers to.
 *
 * No value is checked: every 4 KiB input decodes and re-encodes byte-exactly.
 * Returns SNP_OK, SNP_E_TRUNCATED or SNP_E_TRAILING; SNP_E_ARG on NULL v.
 */
snp_err snp_vmsa_decode(struct snp_vmsa *v, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_vmsa_encode() - the exact inverse: every field, reserved ones included. */
snp_err snp_vmsa_encode(uint8_t out[SNP_VMSA_SIZE], const struct snp_vmsa *v);

/* The layout table: segments split into NAME.SELECTOR/.ATTRIB/.LIMIT/.BASE rows, KEEP rows
 * named "reserved". */
const struct snp_field *snp_vmsa_layout(void);

/* The VMM whose reset conventions to follow (§4.2). */
enum snp_vmm_type {
    SNP_VMM_QEMU = 0, /* QEMU/KVM (KVM_SEV_INIT2): RDX = vCPU signature, FPU state synced */
    SNP_VMM_EC2 = 1,  /* AWS EC2: CS 0x9A (BSP), SS 0x92, TR 0x83, RDX 0x600, no FPU state */
    SNP_VMM_GCE = 2,  /* Google Compute Engine: G_PAT 0x00070106, RDX 0x600, no FPU state */
};

#define SNP_VMSA_BSP_EIP     0xFFFFFFF0u /* the x86 reset vector */
#define SNP_VMSA_EC2_GCE_RDX 0x600u

/*
 * snp_vmsa_reset() - the initial VMSA a VMM launches a vCPU with (§4.2).
 * @v:            out; fully overwritten.
 * @vmm:          whose conventions to follow.
 * @eip:          SNP_VMSA_BSP_EIP for the BSP, else the AP's 32-bit SEV-ES reset address from
 *                the firmware's metadata; CS.base = eip & 0xFFFF0000, RIP = eip & 0xFFFF.
 * @vcpu_sig:     RDX for QEMU (the CPUID 1 EAX signature, §7.6); ignored for EC2 and GCE,
 *                which put SNP_VMSA_EC2_GCE_RDX there.
 * @sev_features: SEV_FEATURES as the VMM sets it (0 for SEV-ES); not checked.
 *
 * Byte-exact against sev-snp-measure's pages (the measurement input). For SEV-ES, QEMU's
 * pages also carry MXCSR 0x1F80 / FCW 0x37F (the generated vectors show it).
 * Returns SNP_OK; SNP_E_ARG for an unknown vmm or NULL v.
 */
snp_err snp_vmsa_reset(struct snp_vmsa *v, enum snp_vmm_type vmm, uint32_t eip, uint32_t vcpu_sig,
                       uint64_t sev_features);

/*
 * snp_vmsa_reset_svsm() - the VMSA of an SVSM launch (coconut/IGVM under QEMU, §4.2 notes):
 * 32-bit flat protected mode (CS sel 8 attr 0xC9B, DS/ES/FS/SS sel 0x10 attr 0xC93, limits
 * 0xFFFFFFFF; GS attr 0x93 limit 0xFFFF), CR0 0x11, RIP = @svsm_rip, MXCSR 0x1F80, FCW 0.
 * Every vCPU gets the same page.
 * @svsm_rip:     the SVSM entry point (from the SVSM image; 0xFFAEA000 in the published
 *                coconut vector).
 * @vcpu_sig:     RDX (CPUID 1 EAX signature).
 * @sev_features: SEV_FEATURES; sev-snp-measure writes 0x1 here whatever the guest features.
 * Returns SNP_OK; SNP_E_ARG on NULL v.
 */
snp_err snp_vmsa_reset_svsm(struct snp_vmsa *v, uint64_t svsm_rip, uint32_t vcpu_sig,
                            uint64_t sev_features);

#endif /* SNPKIT_VMSA_H */
