/*
 * snpkit/machine.h - the simulated SEV-SNP machine: how to build one, and the architectural
 * constants every actor shares (fault kinds, error-code bits, exit codes, RMP instruction
 * return codes, VMPL permission bits).
 *
 * This header is deliberately harmless: it creates and destroys machines and names numbers the
 * hardware defines. What an actor can *do* to a machine lives in the narrow headers of src/sim/
 * (host_if.h for the hypervisor, guest_if.h for guest code, phys_if.h for a physical
 * attacker). Nothing here reads memory, keys or register state. Citations: hardware.md (§n).
 */
#ifndef SNPKIT_MACHINE_H
#define SNPKIT_MACHINE_H

#include "snpkit/err.h"
#include "snpkit/tcb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_PAGE_SIZE    4096u
#define SNP_PAGE_SHIFT   12
#define SNP_PAGES_PER_2M 512u
#define SNP_2M_SIZE      (SNP_PAGE_SIZE * SNP_PAGES_PER_2M)

/* ---- configuration --------------------------------------------------------------------- */

/* Mitigations (microcode/firmware fixes) the machine has. */
#define SNP_MIT_INVD_FIX UINT32_C(0x1) /* CacheWarp microcode: INVD acts as WBINVD */

/*
 * Mutations: test-only: a deliberately broken chip for the mutation check (docs/attacks.md).
 * Each bit removes ONE protection at the place it lives, so that the attack scenarios that
 * depend on it observe the attack succeed (tests/unit/attacks/test_attack_mutation.c). Never
 * set outside tests; the default is 0 (the chip as specified).
 */
#define SNP_MUT_NO_RMP_GPA_CHECK  UINT32_C(0x1)  /* nested walk: RMP entry's GPA not compared */
#define SNP_MUT_NO_VMSA_SEAL      UINT32_C(0x2)  /* VMSA written back in plaintext at each exit */
#define SNP_MUT_NO_HOST_WRITE_RMP UINT32_C(0x4)  /* host writes skip the RMP check (no #PF) */
#define SNP_MUT_NO_MEM_ENCRYPTION UINT32_C(0x8)  /* C-bit ignored: plaintext in DRAM */
#define SNP_MUT_NO_GREQ_SEQNO     UINT32_C(0x10) /* firmware accepts any guest-request seqno */
#define SNP_MUT_ALL               UINT32_C(0x1F)

/* Random bytes for the firmware (VMPCKs, VEKs, REPORT_ID): SNP_OK or an error (STYLE.md §8:
 * randomness is injected; NULL in the config = the system CSPRNG). */
typedef snp_err (*snp_rng_fn)(void *ctx, uint8_t *out, size_t len);

#define SNP_CHIP_SEED_MAX 64

struct snp_machine_config {
    enum snp_product product; /* Milan, Genoa or Turin: CPUID signature, C-bit (§0.2) */
    size_t dram_size;         /* bytes, multiple of 2 MiB; default 256 MiB */
    uint32_t max_asid;        /* CPUID 8000_001F ECX; ASIDs 1..max_asid are SEV-ES/SNP */
    uint32_t max_vms;         /* VM slots allocated at creation */
    uint32_t max_vcpus;       /* vCPU slots (all VMs together) */
    size_t vcpu_stack_size;   /* host stack per vCPU coroutine, bytes */
    uint64_t guest_max_pages; /* GPA space per VM, 4 KiB pages (nested table size) */
    size_t cache_lines;       /* plaintext cache lines (4 KiB each), multiple of 4, >= 4 */
    uint32_t mitigations;     /* SNP_MIT_* */
    uint32_t mutations;       /* SNP_MUT_*: test-only broken chip; 0 */
    bool sev_enabled;         /* SYSCFG SNPEn/MemEncryptionModEn; false = the plain baseline */
    /* The simulated SNP firmware (sim/psp/, docs/psp.md): its NV state at manufacture. */
    bool psp;                             /* attach the PSP firmware (default true) */
    uint8_t chip_seed[SNP_CHIP_SEED_MAX]; /* the chip's identity (crypto/vcek_kdf.h) */
    size_t chip_seed_len;                 /* 0: the seed "snpkit default chip" */
    uint64_t tcb;                         /* installed = committed TCB; 0: product default */
    uint8_t fw_major, fw_minor, fw_build; /* firmware version; all 0: 1.55.40 */
    uint32_t report_version;              /* 2, 3 or 5; 0: 3 */
    bool smt;                             /* platform SMT enabled (PLATFORM_INFO bit 0) */
    snp_rng_fn rng;                       /* NULL: the system CSPRNG */
    void *rng_ctx;
};

/* snp_machine_config_default() - Genoa, 256 MiB, 15 ASIDs, 4 VMs, 8 vCPUs, 64 cache lines,
 * no mitigation, no mutation, SEV on, a PSP with the default seed and TCB, SMT on, system RNG. */
void snp_machine_config_default(struct snp_machine_config *c);

struct snp_machine;

/*
 * snp_machine_new() - build a machine; the only allocation the hardware model makes (STYLE.md
 * §6). @out is NULL on failure. Returns SNP_OK, SNP_E_ARG (sizes not multiples of 2 MiB, zero
 * counts, unknown product, max_asid > 1023, unknown mutation bits), SNP_E_NOMEM, SNP_E_CRYPTO.
 */
snp_err snp_machine_new(struct snp_machine **out, const struct snp_machine_config *c);

/* snp_machine_free() - wipe (keys, DRAM, cache) and release; NULL is a no-op. No vCPU may be
 * running (call from outside any guest). */
void snp_machine_free(struct snp_machine *m);

/* What the machine was built with (a copy). */
void snp_machine_config_get(const struct snp_machine *m, struct snp_machine_config *out);

/*
 * snp_machine_check_invariants() - walk the RMP, the cache and the vCPUs; SNP_OK, or
 * SNP_E_STATE with a one-line description of the first violation in @why (NUL-terminated,
 * may be NULL). Tests and fuzzers call it after every step (STYLE.md §9.1).
 */
snp_err snp_machine_check_invariants(const struct snp_machine *m, char *why, size_t why_size);

/* ---- the PSP's non-volatile state (docs/psp.md) ----------------------------------------- */

/*
 * The chip's NV storage as a versioned blob (STYLE.md §9.2, the swtpm habit): magic
 * "SNPKPSP1", format version, minimum reader version, then the chip secret, TCBs, firmware
 * versions, SNP_CONFIG settings and the loaded VLEK. IT HOLDS THE CHIP'S SECRETS: whoever stores
 * it is the machine's owner, not its hypervisor (write it mode 0600, wipe copies). Guests and
 * the platform state are volatile and not saved: a restored chip starts in UNINIT.
 */
#define SNP_PSP_STATE_MAX 512

/*
 * snp_machine_psp_save() - write the blob into @out (@out_size >= SNP_PSP_STATE_MAX is always
 * enough); *out_len gets its length. SNP_E_STATE without a PSP; SNP_E_SPACE; SNP_E_CRYPTO.
 */
snp_err snp_machine_psp_save(const struct snp_machine *m, uint8_t *out, size_t out_size,
                             size_t *out_len);

/*
 * snp_machine_psp_restore() - replace the PSP's NV state by a saved blob. Only while the platform
 * is UNINIT (SNP_E_STATE otherwise, and without a PSP). SNP_E_FORMAT (bad magic, length or
 * checksum), SNP_E_VERSION (written by a newer snpkit whose minimum reader is above ours),
 * SNP_E_RANGE (a field out of range). Nothing changes on failure.
 */
snp_err snp_machine_psp_restore(struct snp_machine *m, const uint8_t *buf, size_t len);

/*
 * SNP_CMD_SIM_FW_UPDATE - a simulator-only PSP command (not AMD's: real parts use
 * SNP_DOWNLOAD_FIRMWARE_EX with a signed image) that installs "firmware" of another version and
 * TCB, so rollback and old-TCB scenarios can be staged. Buffer (0x20 bytes):
 *   0x00 u64 new installed TCB; 0x08 u8 build, 0x09 minor, 0x0A major, 0x0B reserved;
 *   0x0C u32 bit 0 COMMIT (also commit it, as SNP_COMMIT would); 0x10..0x20 reserved, MBZ.
 * A TCB below the committed one in any component is refused with BAD_SVN (anti-rollback).
 */
#define SNP_CMD_SIM_FW_UPDATE      0x1F0
#define SNP_CMD_SIM_FW_UPDATE_SIZE 0x20

/* ---- faults (§1.6) ----------------------------------------------------------------------- */

/* What an access or instruction raised. */
enum snp_hw_fault {
    SNP_HW_OK = 0,
    SNP_HW_PF = 1,      /* host #PF (error code bits below; SNP_PFERR_RMP for an RMP violation) */
    SNP_HW_NPF = 2,     /* #NPF, VMEXIT 0x400 (EXITINFO1 bits below, EXITINFO2 = GPA) */
    SNP_HW_VC = 3,      /* #VC in the guest (vector 29), error code = an SVM exit code */
    SNP_HW_GP = 4,      /* #GP */
    SNP_HW_UD = 5,      /* #UD (instruction not available here) */
    SNP_HW_INVALID = 6, /* VMRUN consistency check failed (VMEXIT_INVALID) */
};

const char *snp_hw_fault_name(enum snp_hw_fault f);

/* Kinds of memory access, for permission checks (§1.2 VMPL mask bits, §1.6.2 row 6). */
enum snp_access {
    SNP_ACC_READ = 0,
    SNP_ACC_WRITE = 1,
    SNP_ACC_EXEC_USER = 2, /* instruction fetch at CPL3 */
    SNP_ACC_EXEC_SUP = 3,  /* instruction fetch at CPL0-2 */
};

/* #PF / #NPF error-code bits (§1.6.1, §1.6.2 EXITINFO1). */
#define SNP_PFERR_PRESENT UINT64_C(0x1)
#define SNP_PFERR_WRITE   UINT64_C(0x2)
#define SNP_PFERR_USER    UINT64_C(0x4)
#define SNP_PFERR_RSVD    UINT64_C(0x8)
#define SNP_PFERR_FETCH   UINT64_C(0x10)
#define SNP_PFERR_RMP     (UINT64_C(1) << 31)
#define SNP_NPF_GPA       (UINT64_C(1) << 32) /* fault on the final GPA translation */
#define SNP_NPF_GPT       (UINT64_C(1) << 33) /* fault during a guest page-table walk */
#define SNP_NPF_ENC       (UINT64_C(1) << 34) /* the access was private (C=1) */
#define SNP_NPF_SIZEM     (UINT64_C(1) << 35) /* page-size mismatch */
#define SNP_NPF_VMPL      (UINT64_C(1) << 36) /* VMPL permission violation */

/* #VC error codes (§1.6.3) beyond the NAE exit codes of snpkit/ghcb.h. */
#define SNP_VC_NPF_MMIO           UINT64_C(0x400) /* reserved-bit NPT entry: emulate as MMIO */
#define SNP_VC_PAGE_NOT_VALIDATED UINT64_C(0x404)
#define SNP_VECTOR_HV             28 /* #HV, the only vector RestrictedInjection lets in (§10.1) */
#define SNP_VECTOR_VC             29

/* ---- VMEXIT codes the host sees (§4.1 automatic exits, §2.6) ------------------------------- */

#define SNP_EXIT_INTR     UINT64_C(0x60) /* physical interrupt: the host's preemption tick */
#define SNP_EXIT_CPUID    UINT64_C(0x72) /* plain VM only: ES/SNP get #VC instead */
#define SNP_EXIT_HLT      UINT64_C(0x78)
#define SNP_EXIT_IOIO     UINT64_C(0x7B) /* plain VM only */
#define SNP_EXIT_MSR      UINT64_C(0x7C) /* plain VM only */
#define SNP_EXIT_SHUTDOWN UINT64_C(0x7F) /* guest code returned, or triple fault */
#define SNP_EXIT_VMMCALL  UINT64_C(0x81) /* plain VM hypercall */
#define SNP_EXIT_NPF      UINT64_C(0x400)
#define SNP_EXIT_VMGEXIT  UINT64_C(0x403)
#define SNP_EXIT_INVALID  UINT64_MAX /* VMRUN refused (bad VMSA, blocked injection, ...) */

/* ---- MSRs (§0.1) ------------------------------------------------------------------------- */

#define SNP_MSR_GHCB       UINT32_C(0xC0010130)
#define SNP_MSR_SEV_STATUS UINT32_C(0xC0010131)

/* ---- RMP instructions (§2) --------------------------------------------------------------- */

/* Return codes in EAX. */
enum snp_rmp_ret {
    SNP_RMP_SUCCESS = 0,
    SNP_RMP_FAIL_INPUT = 1,
    SNP_RMP_FAIL_PERMISSION = 2,
    SNP_RMP_FAIL_INUSE = 3,
    SNP_RMP_FAIL_OVERLAP = 4,
    SNP_RMP_FAIL_SIZEMISMATCH = 6,
};

/* RMPREAD output, architectural (§1.3). */
struct snp_rmpread {
    uint64_t gpa;
    bool assigned;
    bool page_2m;
    bool region_2m_assigned; /* some 4K entry in the 2M region is assigned */
    bool immutable;
    uint32_t asid;
};

/* RMPUPDATE descriptor (§2.1, RCX). */
struct snp_rmpupdate_desc {
    uint64_t gpa;
    bool assigned;
    bool page_2m;
    bool immutable;
    uint32_t asid;
};

/* VMPL permission mask byte (§1.2). */
#define SNP_VMPL_PERM_R   0x01u
#define SNP_VMPL_PERM_W   0x02u
#define SNP_VMPL_PERM_XU  0x04u
#define SNP_VMPL_PERM_XS  0x08u
#define SNP_VMPL_PERM_SSS 0x10u
#define SNP_VMPL_PERM_ALL 0x1Fu
#define SNP_VMPL_COUNT    4

/* RMPADJUST attributes in RDX (§2.4). */
#define SNP_RMPADJUST_VMPL_MASK  UINT64_C(0xFF)
#define SNP_RMPADJUST_PERM_SHIFT 8
#define SNP_RMPADJUST_VMSA       (UINT64_C(1) << 16)

/* The result of an instruction: either a fault, or the architectural RAX and CF. */
struct snp_hw_result {
    enum snp_hw_fault fault; /* SNP_HW_OK when the instruction completed */
    uint64_t error_code;     /* #PF/#NPF bits, #VC code; 0 otherwise */
    uint32_t rax;            /* enum snp_rmp_ret when fault == SNP_HW_OK */
    bool cf;                 /* PVALIDATE: Validated already had the requested value */
};

#endif /* SNPKIT_MACHINE_H */
