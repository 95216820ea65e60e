/*
 * snpkit/ghcb.h - the GHCB protocol between an SEV-ES/SNP guest and its hypervisor
 * (hardware.md §5): the 4096-byte GHCB page, the MSR protocol, NAE exit codes, the page state
 * change buffer, hypervisor feature bits and termination reasons.
 *
 * The GHCB page is shared memory both sides scribble on, so its codec is KEEP throughout
 * (encode(decode(x)) == x for every page). The MSR protocol and the PSC buffer are requests a
 * hypervisor consumes: their decoders reject reserved bits (MBZ) and out-of-range values.
 * Nothing here trusts the other side's values; §5.5: "never trust HV output".
 */
#ifndef SNPKIT_GHCB_H
#define SNPKIT_GHCB_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- GHCB page (§5.1) ----------------------------------------------------------------------- */

#define SNP_GHCB_SIZE               4096
#define SNP_GHCB_SHARED_BUFFER_SIZE 0x7F0
#define SNP_GHCB_VALID_BITMAP_SIZE  16
#define SNP_GHCB_PROTOCOL_MIN       1 /* SEV-ES */
#define SNP_GHCB_PROTOCOL_SNP       2 /* SNP requires >= 2 */
#define SNP_GHCB_USAGE_STANDARD     0 /* anything else: KVM answers INVALID_USAGE */

/* Field offsets (§5.1; the save-area ones mirror the VMSA). */
#define SNP_GHCB_OFF_CPL              0x0CB
#define SNP_GHCB_OFF_XSS              0x140
#define SNP_GHCB_OFF_DR7              0x160
#define SNP_GHCB_OFF_RIP              0x178
#define SNP_GHCB_OFF_RSP              0x1D8
#define SNP_GHCB_OFF_RAX              0x1F8
#define SNP_GHCB_OFF_RCX              0x308
#define SNP_GHCB_OFF_RDX              0x310
#define SNP_GHCB_OFF_RBX              0x318
#define SNP_GHCB_OFF_RBP              0x328
#define SNP_GHCB_OFF_RSI              0x330
#define SNP_GHCB_OFF_RDI              0x338
#define SNP_GHCB_OFF_R8               0x340 /* R9..R15 follow, 8 bytes each */
#define SNP_GHCB_OFF_SW_EXITCODE      0x390
#define SNP_GHCB_OFF_SW_EXITINFO1     0x398
#define SNP_GHCB_OFF_SW_EXITINFO2     0x3A0
#define SNP_GHCB_OFF_SW_SCRATCH       0x3A8
#define SNP_GHCB_OFF_XCR0             0x3E8
#define SNP_GHCB_OFF_VALID_BITMAP     0x3F0
#define SNP_GHCB_OFF_X87_STATE_GPA    0x400
#define SNP_GHCB_OFF_SHARED_BUFFER    0x800
#define SNP_GHCB_OFF_PROTOCOL_VERSION 0xFFA
#define SNP_GHCB_OFF_GHCB_USAGE       0xFFC
/* VALID_BITMAP has 128 bits, one per qword of 0x000..0x3FF. */
#define SNP_GHCB_VALID_LIMIT 0x400

struct snp_ghcb {
    uint8_t rsvd_0x000[0xCB];                           /* 0x000 */
    uint8_t cpl;                                        /* 0x0CB CPL */
    uint8_t rsvd_0x0cc[0x74];                           /* 0x0CC */
    uint64_t xss;                                       /* 0x140 XSS */
    uint8_t rsvd_0x148[0x18];                           /* 0x148 */
    uint64_t dr7;                                       /* 0x160 DR7 */
    uint8_t rsvd_0x168[0x10];                           /* 0x168 */
    uint64_t rip;                                       /* 0x178 RIP */
    uint8_t rsvd_0x180[0x58];                           /* 0x180 */
    uint64_t rsp;                                       /* 0x1D8 RSP */
    uint8_t rsvd_0x1e0[0x18];                           /* 0x1E0 */
    uint64_t rax;                                       /* 0x1F8 RAX */
    uint8_t rsvd_0x200[0x108];                          /* 0x200 */
    uint64_t rcx;                                       /* 0x308 RCX */
    uint64_t rdx;                                       /* 0x310 RDX */
    uint64_t rbx;                                       /* 0x318 RBX */
    uint8_t rsvd_0x320[8];                              /* 0x320 */
    uint64_t rbp;                                       /* 0x328 RBP */
    uint64_t rsi;                                       /* 0x330 RSI */
    uint64_t rdi;                                       /* 0x338 RDI */
    uint64_t r8;                                        /* 0x340 R8 */
    uint64_t r9;                                        /* 0x348 */
    uint64_t r10;                                       /* 0x350 */
    uint64_t r11;                                       /* 0x358 */
    uint64_t r12;                                       /* 0x360 */
    uint64_t r13;                                       /* 0x368 */
    uint64_t r14;                                       /* 0x370 */
    uint64_t r15;                                       /* 0x378 */
    uint8_t rsvd_0x380[0x10];                           /* 0x380 */
    uint64_t sw_exitcode;                               /* 0x390 SW_EXITCODE */
    uint64_t sw_exitinfo1;                              /* 0x398 SW_EXITINFO1 */
    uint64_t sw_exitinfo2;                              /* 0x3A0 SW_EXITINFO2 */
    uint64_t sw_scratch;                                /* 0x3A8 SW_SCRATCH (GPA) */
    uint8_t rsvd_0x3b0[0x38];                           /* 0x3B0 */
    uint64_t xcr0;                                      /* 0x3E8 XCR0 */
    uint8_t valid_bitmap[SNP_GHCB_VALID_BITMAP_SIZE];   /* 0x3F0 VALID_BITMAP (128-bit LE) */
    uint64_t x87_state_gpa;                             /* 0x400 X87_STATE_GPA */
    uint8_t rsvd_0x408[0x3F8];                          /* 0x408 */
    uint8_t shared_buffer[SNP_GHCB_SHARED_BUFFER_SIZE]; /* 0x800 SHARED_BUFFER */
    uint8_t rsvd_0xff0[10];                             /* 0xFF0 */
    uint16_t protocol_version;                          /* 0xFFA PROTOCOL_VERSION */
    uint32_t ghcb_usage;                                /* 0xFFC GHCB_USAGE */
};

/*
 * snp_ghcb_decode() - decode a GHCB page. No value is checked (KEEP): every 4 KiB input round
 * trips. @err_off optional. Returns SNP_OK, SNP_E_TRUNCATED, SNP_E_TRAILING; SNP_E_ARG on NULL g.
 */
snp_err snp_ghcb_decode(struct snp_ghcb *g, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_ghcb_encode() - the exact inverse. */
snp_err snp_ghcb_encode(uint8_t out[SNP_GHCB_SIZE], const struct snp_ghcb *g);

const struct snp_field *snp_ghcb_layout(void);

/*
 * VALID_BITMAP (§5.1): bit off/8 marks the qword holding byte @off as valid (CPL at 0x0CB uses
 * bit 0x19). @off MUST be < SNP_GHCB_VALID_LIMIT: set/clear return SNP_E_RANGE otherwise,
 * test returns false.
 */
snp_err snp_ghcb_set_valid(struct snp_ghcb *g, size_t off);
snp_err snp_ghcb_clear_valid(struct snp_ghcb *g, size_t off);
bool snp_ghcb_is_valid(const struct snp_ghcb *g, size_t off);
/* Zero the bitmap: the sender does this before filling a request (§5.1). */
void snp_ghcb_clear_all_valid(struct snp_ghcb *g);

/* ---- MSR protocol (§5.3): MSR value = data[63:12] | info[11:0] ------------------------------ */

#define SNP_GHCB_MSR_INFO_MASK UINT64_C(0xFFF)

enum snp_ghcb_msr_info {
    SNP_GHCB_MSR_SEV_INFO_RESP = 0x001,
    SNP_GHCB_MSR_SEV_INFO_REQ = 0x002,
    SNP_GHCB_MSR_CPUID_REQ = 0x004,
    SNP_GHCB_MSR_CPUID_RESP = 0x005,
    SNP_GHCB_MSR_AP_RESET_HOLD_REQ = 0x006,
    SNP_GHCB_MSR_AP_RESET_HOLD_RESP = 0x007,
    SNP_GHCB_MSR_PREF_GPA_REQ = 0x010,
    SNP_GHCB_MSR_PREF_GPA_RESP = 0x011,
    SNP_GHCB_MSR_REG_GPA_REQ = 0x012,
    SNP_GHCB_MSR_REG_GPA_RESP = 0x013,
    SNP_GHCB_MSR_PSC_REQ = 0x014,
    SNP_GHCB_MSR_PSC_RESP = 0x015,
    SNP_GHCB_MSR_RUN_VMPL_REQ = 0x016,
    SNP_GHCB_MSR_RUN_VMPL_RESP = 0x017,
    SNP_GHCB_MSR_HV_FEATURES_REQ = 0x080,
    SNP_GHCB_MSR_HV_FEATURES_RESP = 0x081,
    SNP_GHCB_MSR_TERM_REQ = 0x100,
};

/* CPUID_REQ register selector, bits 31:30. */
enum snp_ghcb_cpuid_reg {
    SNP_GHCB_CPUID_EAX = 0,
    SNP_GHCB_CPUID_EBX = 1,
    SNP_GHCB_CPUID_ECX = 2,
    SNP_GHCB_CPUID_EDX = 3,
};

/* PREF_GPA_RESP: "no preference". */
#define SNP_GHCB_MSR_GFN_NONE UINT64_C(0xFFFFFFFFFFFFF)
/* PSC_RESP error: KVM's generic failure uses bit 63 of the MSR, i.e. bit 31 of the error. */
#define SNP_GHCB_MSR_PSC_ERR_GENERIC UINT32_C(0x80000000)

/*
 * One MSR-protocol message, decoded. Only the fields of @info's format are meaningful; the
 * rest are zero after decode and ignored by encode.
 */
struct snp_ghcb_msr {
    uint16_t info;       /* [11:0] enum snp_ghcb_msr_info */
    uint16_t max_proto;  /* SEV_INFO_RESP [63:48] */
    uint16_t min_proto;  /* SEV_INFO_RESP [47:32] */
    uint8_t cbit;        /* SEV_INFO_RESP [31:24] C-bit position */
    uint32_t cpuid_fn;   /* CPUID_REQ [63:32] function (ECX = 0) */
    uint8_t cpuid_reg;   /* CPUID_REQ/RESP [31:30] enum snp_ghcb_cpuid_reg (KVM echoes it) */
    uint32_t value;      /* CPUID_RESP [63:32] register value */
    uint64_t gfn;        /* PREF/REG_GPA [63:12]; PSC_REQ [51:12] (40 bits) */
    uint8_t psc_op;      /* PSC_REQ [55:52]: SNP_PSC_OP_PRIVATE or SNP_PSC_OP_SHARED only */
    uint32_t error;      /* PSC_RESP, RUN_VMPL_RESP [63:32] (0 = ok) */
    uint8_t vmpl;        /* RUN_VMPL_REQ [39:32] */
    uint64_t data;       /* AP_RESET_HOLD_RESP / HV_FEATURES_RESP [63:12] */
    uint8_t reason_set;  /* TERM_REQ [15:12] */
    uint8_t reason_code; /* TERM_REQ [23:16] */
};

/*
 * snp_ghcb_msr_decode() - decode an MSR-protocol value.
 * @err_bit: out, optional: the lowest offending bit of @msr.
 * Bits no field of the format covers must be zero (SNP_E_RESERVED); a PSC_REQ op other than
 * 1 or 2 is SNP_E_RANGE (4K private/shared only); an unknown info code (including 0, a GHCB
 * GPA rather than a message) is SNP_E_UNSUPPORTED. On success encode gives back @msr.
 */
snp_err snp_ghcb_msr_decode(struct snp_ghcb_msr *m, uint64_t msr, size_t *err_bit);

/*
 * snp_ghcb_msr_encode() - the inverse. SNP_E_RANGE when a field does not fit its bits (gfn,
 * psc_op, reason_set) or psc_op is not 1/2; SNP_E_UNSUPPORTED for an unknown info.
 */
snp_err snp_ghcb_msr_encode(const struct snp_ghcb_msr *m, uint64_t *msr);

/* Shorthands for the common messages (fields out of range are masked, not reported). */
static inline uint64_t
snp_ghcb_msr_cpuid_req(uint32_t fn, enum snp_ghcb_cpuid_reg reg)
{
    return (uint64_t)fn << 32 | ((uint64_t)reg & 3) << 30 | SNP_GHCB_MSR_CPUID_REQ;
}

static inline uint64_t
snp_ghcb_msr_reg_gpa_req(uint64_t gfn)
{
    return (gfn & SNP_GHCB_MSR_GFN_NONE) << 12 | SNP_GHCB_MSR_REG_GPA_REQ;
}

static inline uint64_t
snp_ghcb_msr_term_req(uint8_t set, uint8_t code)
{
    return ((uint64_t)set & 0xF) << 12 | (uint64_t)code << 16 | SNP_GHCB_MSR_TERM_REQ;
}

/* ---- NAE events: SW_EXITCODE values (§5.4) --------------------------------------------------- */

#define SNP_NAE_DR7_READ          UINT64_C(0x27)
#define SNP_NAE_DR7_WRITE         UINT64_C(0x37)
#define SNP_NAE_RDTSC             UINT64_C(0x6E)
#define SNP_NAE_RDPMC             UINT64_C(0x6F)
#define SNP_NAE_CPUID             UINT64_C(0x72)
#define SNP_NAE_INVD              UINT64_C(0x76)
#define SNP_NAE_IOIO              UINT64_C(0x7B)
#define SNP_NAE_MSR               UINT64_C(0x7C)
#define SNP_NAE_VMMCALL           UINT64_C(0x81)
#define SNP_NAE_RDTSCP            UINT64_C(0x87)
#define SNP_NAE_WBINVD            UINT64_C(0x89)
#define SNP_NAE_MONITOR           UINT64_C(0x8A)
#define SNP_NAE_MWAIT             UINT64_C(0x8B)
#define SNP_NAE_MMIO_READ         UINT64_C(0x80000001)
#define SNP_NAE_MMIO_WRITE        UINT64_C(0x80000002)
#define SNP_NAE_NMI_COMPLETE      UINT64_C(0x80000003)
#define SNP_NAE_AP_RESET_HOLD     UINT64_C(0x80000004)
#define SNP_NAE_AP_JUMP_TABLE     UINT64_C(0x80000005)
#define SNP_NAE_PSC               UINT64_C(0x80000010)
#define SNP_NAE_GUEST_REQUEST     UINT64_C(0x80000011)
#define SNP_NAE_EXT_GUEST_REQUEST UINT64_C(0x80000012)
#define SNP_NAE_AP_CREATION       UINT64_C(0x80000013)
#define SNP_NAE_HV_DOORBELL_PAGE  UINT64_C(0x80000014)
#define SNP_NAE_HV_IPI            UINT64_C(0x80000015)
#define SNP_NAE_HV_TIMER          UINT64_C(0x80000016) /* XXX(spec §11.7): not verified */
#define SNP_NAE_APIC_ID_LIST      UINT64_C(0x80000017) /* XXX(spec §11.7): not verified */
#define SNP_NAE_RUN_VMPL          UINT64_C(0x80000018)
#define SNP_NAE_SECURE_AVIC       UINT64_C(0x8000001A)
#define SNP_NAE_HV_FEATURES       UINT64_C(0x8000FFFD)
#define SNP_NAE_TERM_REQUEST      UINT64_C(0x8000FFFE)
#define SNP_NAE_UNSUPPORTED       UINT64_C(0x8000FFFF)

/* AP creation EXITINFO1 request (low bits). */
#define SNP_NAE_AP_CREATE_ON_INIT 0
#define SNP_NAE_AP_CREATE         1
#define SNP_NAE_AP_DESTROY        2

/* NAE termination request: EXITINFO1 [3:0] reason set, [11:4] reason code. */
static inline uint64_t
snp_nae_term_exitinfo1(uint8_t set, uint8_t code)
{
    return ((uint64_t)set & 0xF) | (uint64_t)code << 4;
}

/* Hypervisor result in SW_EXITINFO1[31:0] (§5.5) and MALFORMED_INPUT reasons in SW_EXITINFO2. */
#define SNP_GHCB_RESULT_OK                0
#define SNP_GHCB_RESULT_EXCEPTION         1
#define SNP_GHCB_RESULT_MALFORMED_INPUT   2
#define SNP_GHCB_ERR_NOT_REGISTERED       1
#define SNP_GHCB_ERR_INVALID_USAGE        2
#define SNP_GHCB_ERR_INVALID_SCRATCH_AREA 3
#define SNP_GHCB_ERR_MISSING_INPUT        4
#define SNP_GHCB_ERR_INVALID_INPUT        5
#define SNP_GHCB_ERR_INVALID_EVENT        6

/* ---- Page state change buffer (§5.6) --------------------------------------------------------- */

#define SNP_PSC_MAX_ENTRIES 253
#define SNP_PSC_HDR_SIZE    8
#define SNP_PSC_ENTRY_SIZE  8
#define SNP_PSC_SIZE        (SNP_PSC_HDR_SIZE + SNP_PSC_MAX_ENTRIES * SNP_PSC_ENTRY_SIZE) /* 0x7F0 */

/* Entry operations, bits 55:52. */
#define SNP_PSC_OP_PRIVATE 1
#define SNP_PSC_OP_SHARED  2
#define SNP_PSC_OP_PSMASH  3
#define SNP_PSC_OP_UNSMASH 4

#define SNP_PSC_PAGE_4K 0
#define SNP_PSC_PAGE_2M 1

/* Status in SW_EXITINFO2 (SW_EXITINFO1 = 0). */
#define SNP_PSC_STATUS_OK            UINT64_C(0)
#define SNP_PSC_STATUS_INVALID_HDR   ((UINT64_C(1) << 32) | 1) /* end_entry >= 253 */
#define SNP_PSC_STATUS_INVALID_ENTRY ((UINT64_C(1) << 32) | 2) /* cur_page or GFN alignment */
#define SNP_PSC_STATUS_GENERIC       (UINT64_C(0x100) << 32)

struct snp_psc_entry {
    uint16_t cur_page; /* [11:0] progress within the entry: 0..1 (4K), 0..512 (2M) */
    uint64_t gfn;      /* [51:12] 40 bits */
    uint8_t operation; /* [55:52] SNP_PSC_OP_* */
    uint8_t page_size; /* [56] SNP_PSC_PAGE_* */
    uint8_t rsvd_57;   /* [63:57] MBZ in entries cur_entry..end_entry; kept in the others */
};

struct snp_psc {
    uint16_t cur_entry; /* 0x000 next entry to process */
    uint16_t end_entry; /* 0x002 last entry, inclusive */
    /* 0x004 u32 reserved, MBZ */
    struct snp_psc_entry entries[SNP_PSC_MAX_ENTRIES]; /* 0x008 */
};

/*
 * snp_psc_decode() - decode a PSC buffer (a hypervisor input: strict).
 * @len: MUST equal SNP_PSC_SIZE.
 * Header: reserved word MBZ (SNP_E_RESERVED), end_entry < 253 and cur_entry <= end_entry + 1
 * (SNP_E_RANGE; cur_entry == end_entry + 1 means "all done"). Entries cur_entry..end_entry
 * (the ones still to process): bits 63:57 MBZ, operation 1..4, cur_page <= the entry's page
 * count, 2M entries 2M-aligned (SNP_E_RANGE). Entries outside that window are kept as read.
 * *err_off is the byte offset in the buffer: < 8 means an invalid header, otherwise it
 * names the entry (SNP_PSC_STATUS_INVALID_HDR / _ENTRY respectively).
 */
snp_err snp_psc_decode(struct snp_psc *p, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_psc_encode() - the inverse; SNP_E_RANGE if a field does not fit its bits. */
snp_err snp_psc_encode(uint8_t out[SNP_PSC_SIZE], const struct snp_psc *p);

/* The buffer's layout table: header rows, then the entries as one 2024-byte row (each entry
 * is a bit-packed u64 described by struct snp_psc_entry, not by rows). */
const struct snp_field *snp_psc_layout(void);

/* ---- Hypervisor feature bitmap (§5.7) -------------------------------------------------------- */

#define SNP_GHCB_HV_FT_SNP                      (UINT64_C(1) << 0)
#define SNP_GHCB_HV_FT_SNP_AP_CREATION          (UINT64_C(1) << 1)
#define SNP_GHCB_HV_FT_SNP_RESTRICTED_INJ       (UINT64_C(1) << 2)
#define SNP_GHCB_HV_FT_SNP_RESTRICTED_INJ_TIMER (UINT64_C(1) << 3)
#define SNP_GHCB_HV_FT_APIC_ID_LIST             (UINT64_C(1) << 4)
#define SNP_GHCB_HV_FT_SNP_MULTI_VMPL           (UINT64_C(1) << 5)
/* XXX(spec §5.7, §11.7): coconut names only, not verified against the GHCB spec. */
#define SNP_GHCB_HV_FT_PSC                 (UINT64_C(1) << 6)
#define SNP_GHCB_HV_FT_EXTENDED_INTERRUPTS (UINT64_C(1) << 9)

/* ---- Termination reasons (§5.8) -------------------------------------------------------------- */

#define SNP_TERM_SET_GENERAL 0
#define SNP_TERM_SET_LINUX   1

/* set 0 */
#define SNP_TERM_GENERAL              0
#define SNP_TERM_PROTOCOL_UNSUPPORTED 1
#define SNP_TERM_SNP_UNSUPPORTED      2
/* set 1 (Linux) */
#define SNP_TERM_LINUX_REGISTER     0 /* GHCB GPA registration failure */
#define SNP_TERM_LINUX_PSC          1 /* page state change failure */
#define SNP_TERM_LINUX_PVALIDATE    2
#define SNP_TERM_LINUX_NOT_VMPL0    3
#define SNP_TERM_LINUX_CPUID        4 /* CPUID validation failure */
#define SNP_TERM_LINUX_CPUID_HV     5 /* CPUID failure during hypervisor fallback */
#define SNP_TERM_LINUX_SECRETS_PAGE 6
#define SNP_TERM_LINUX_NO_SVSM      7 /* SVSM not advertised in the secrets page */
#define SNP_TERM_LINUX_SVSM_VMPL0   8 /* SVSM present but claims VMPL0 */
#define SNP_TERM_LINUX_SVSM_CAA     9 /* SVSM CAA not page aligned */

/* "GHCB protocol range not supported" etc.; NULL for a pair §5.8 does not list. */
const char *snp_term_reason_str(uint8_t set, uint8_t code);

#endif /* SNPKIT_GHCB_H */
