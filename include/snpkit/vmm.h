/*
 * snpkit/vmm.h - the honest hypervisor: launch an SEV-SNP guest on a simulated machine the way
 * QEMU/KVM do, run its vCPU and serve it over the GHCB (hardware.md §5, §6, §7).
 * @module host
 *
 * The VMM reaches the machine only through sim/host_if.h: host memory through the memory
 * controller, RMPUPDATE, nested page tables, VMRUN and the PSP mailbox. It never sees a key or
 * guest plaintext. Everything a guest writes into the GHCB or a shared page is hostile input
 * (fuzz_host_ghcb). Layout of the default CVM, the boot block and the device channel:
 * docs/vmm.md.
 *
 * One struct snp_vmm is one confidential VM on one machine; it is used by one thread at a time
 * (the run loop calls the channel callback on that thread).
 */
#ifndef SNPKIT_VMM_H
#define SNPKIT_VMM_H

#include "snpkit/err.h"
#include "snpkit/measure.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_machine; /* snpkit/machine.h */
struct snp_guest;   /* the vCPU as guest code sees it */

/* Guest code: run as the vCPU's coroutine (the "kernel" the launch loaded). */
typedef void (*snp_vmm_entry_fn)(struct snp_guest *g, void *arg);

/* ---- guest-physical layout of a snpkit CVM (docs/vmm.md) ------------------------------------ */

#define SNP_VMM_MEM_PAGES    64u               /* RAM: GPA 0 .. 256 KiB */
#define SNP_VMM_SECTIONS_GPA UINT64_C(0x10000) /* SEV metadata sections: 16 pages */
#define SNP_VMM_SECRETS_GPA  UINT64_C(0x14000) /* SNP_SECRETS */
#define SNP_VMM_CPUID_GPA    UINT64_C(0x15000) /* CPUID */
#define SNP_VMM_KHASHES_GPA  UINT64_C(0x16000) /* SNP_KERNEL_HASHES page */
#define SNP_VMM_HASHES_GPA   UINT64_C(0x16C00) /* SEV hashes table inside it */
#define SNP_VMM_SECTIONS_END UINT64_C(0x20000) /* end of the pre-validated sections */
#define SNP_VMM_GHCB_GPA     UINT64_C(0x20000) /* shared */
#define SNP_VMM_REQ_GPA      UINT64_C(0x21000) /* shared: guest request page */
#define SNP_VMM_RSP_GPA      UINT64_C(0x22000) /* shared: guest response page */
#define SNP_VMM_CERTS_GPA    UINT64_C(0x23000) /* shared: certificate buffer */
#define SNP_VMM_CERTS_PAGES  4u
#define SNP_VMM_CHAN_TX_GPA  UINT64_C(0x27000) /* shared: channel guest -> host */
#define SNP_VMM_CHAN_RX_GPA  UINT64_C(0x2F000) /* shared: channel host -> guest */
#define SNP_VMM_CHAN_PAGES   8u
#define SNP_VMM_CMDLINE_GPA  UINT64_C(0x37000)    /* shared: u32 length, command line */
#define SNP_VMM_BOOT_GPA     UINT64_C(0xFFFFF000) /* boot block: last firmware page */
#define SNP_VMM_FW_SIZE      (16u * 4096u)        /* the built-in firmware image */
#define SNP_VMM_CHAN_HDR     16u                  /* u32 len, u32 seq, 8 reserved */

/* Device ports (IOIO NAE, hardware.md §5.4): the console and the channel doorbell. */
#define SNP_VMM_PORT_CONSOLE 0x3F8
#define SNP_VMM_PORT_CHAN    0x5E0 /* OUT seq: tx is ready; IN: the last seq answered */
#define SNP_VMM_PORT_CHAN_Q  0x5E1 /* IN: 1 when the host has a message queued (always 0) */

/* Channel message: u8 op, u8 status, u16 reserved, body (docs/guest.md). */
#define SNP_CHAN_OP_HELLO      0x00 /* guest -> host, body: app name */
#define SNP_CHAN_OP_REPORT     0x01 /* body: REPORT_DATA[64], u32 VMPL -> report */
#define SNP_CHAN_OP_EXT_REPORT 0x02 /* same -> report, u32 table length, certificate table */
#define SNP_CHAN_OP_KEY        0x03 /* body: MSG_KEY_REQ v1 (32 bytes) -> 32-byte key */
#define SNP_CHAN_OP_KV_PUT     0x10 /* body: u16 klen, key, value -> sealed blob */
#define SNP_CHAN_OP_KV_GET     0x11 /* body: u16 klen, key, sealed blob -> value */
#define SNP_CHAN_OP_ACCEPT     0x20 /* agent; body: u64 gpa, u32 pages -> status */
#define SNP_CHAN_OP_CPUID      0x21 /* agent; body: u32 leaf, u32 subleaf -> eax, ebx, ecx, edx */
#define SNP_CHAN_OP_EVENTS     0x22 /* agent -> u32 injected events seen, u8 vector, u8 type */
/* Agent diagnostics for `snpkit attack` (docs/guest.md), test fixtures: */
#define SNP_CHAN_OP_WORK    0x23 /* body: u32 units -> u32 units done, u32 checksum */
#define SNP_CHAN_OP_IRQWORK 0x24 /* body: u32 rounds -> u32 steps done, u32 secret */
#define SNP_CHAN_OP_NOTE    0x25 /* body: u16 off, u16 len, bytes (buggy bound, on purpose) */
#define SNP_CHAN_OP_ADMIN   0x26 /* -> 32-byte secret while the guest is "authorised" */
#define SNP_CHAN_OP_REGHOLD 0x27 /* -> u64 RAX, RDX after an idle HLT, u64 RCX, u32 #VCs */
/* NOTE writes into the 32-byte note of a box {note[32], u8 authorised, secret[32]}. */
#define SNP_CHAN_NOTE_AUTH_OFF 32u
#define SNP_CHAN_OP_NET        0x30 /* atls apps; body: u32 flags, records (snpkit/atls.h) */
#define SNP_CHAN_OP_SHUTDOWN   0xFF /* host -> guest: the app returns */
#define SNP_CHAN_OP_RESPONSE   0x80 /* response op = request op | 0x80 */
#define SNP_CHAN_MSG_HDR       4u
#define SNP_CHAN_MAX           (SNP_VMM_CHAN_PAGES * 4096u - SNP_VMM_CHAN_HDR)

/*
 * snp_vmm_fw_build() - the small firmware image snpkit launches (SNP_VMM_FW_SIZE bytes): a
 * boot block in the last page (docs/vmm.md) and a real OVMF GUIDed footer table with the SEV-ES
 * reset block, the SEV hashes table block and SEV metadata (SEC_MEM, SECRETS, CPUID,
 * KERNEL_HASHES, SEC_MEM) that snp_ovmf_parse() and sev-snp-measure read (hardware.md §7.2,
 * §7.3). Deterministic. @out MUST hold SNP_VMM_FW_SIZE bytes.
 */
void snp_vmm_fw_build(uint8_t *out);

/* The default kernel and initrd bytes (what `snpkit sim export` writes), and the default
 * command line. */
const uint8_t *snp_vmm_default_kernel(size_t *len);
const uint8_t *snp_vmm_default_initrd(size_t *len);
#define SNP_VMM_DEFAULT_CMDLINE "console=ttyS0 snpkit.app=agent"

/* ---- the launch description ------------------------------------------------------------------ */

struct snp_vmm_launch {
    const uint8_t *fw; /* NULL: snp_vmm_fw_build()'s image */
    size_t fw_len;
    const uint8_t *kernel; /* NULL: the default kernel */
    size_t kernel_len;
    const uint8_t *initrd; /* NULL: the default initrd */
    size_t initrd_len;
    const char *cmdline;     /* NULL: SNP_VMM_DEFAULT_CMDLINE (at most 4000 bytes) */
    uint32_t vcpus;          /* 1..8; APs run once the guest creates them (§5.4) */
    uint32_t vcpu_sig;       /* RDX of the VMSAs (hardware.md §7.6); 0: EPYC-Genoa */
    uint64_t guest_features; /* SEV_FEATURES; 0: SNPActive only */
    uint64_t policy;         /* 0: 0x30000 */
    const uint8_t *id_block; /* optional: 0x60-byte ID block and 0x1000-byte ID auth */
    const uint8_t *id_auth;
    bool auth_key_en;
    uint8_t host_data[32];
    uint32_t asid; /* 0: 1 */
    /* The CPUID table (4 KiB, snpkit/cpuid_page.h) the host proposes at LAUNCH_UPDATE; NULL:
     * the physical CPU's answers for a few leaves. The firmware corrects what it does not
     * allow (INVALID_PARAM, info.cpuid_status) and the VMM accepts the corrected table. */
    const uint8_t *cpuid_page;
    /* Plain-VM mode (SEV off, the baseline of the traditional trust model): the same image
     * and guest code in a VM without SEV/ES/SNP (ASID 0, no PSP launch, no RMP, no
     * encryption): the pages snp_measure_pages() lists are copied into guest memory, the save
     * area is host-readable, and the guest's CPUID/IOIO/MSR exits reach the VMM directly (no
     * GHCB). Works on a machine with sev_enabled false. The guest runtime sees SEV_STATUS 0:
     * no attestation (report requests answer SNP_E_UNSUPPORTED). info.measurement is what an
     * SNP launch of the same inputs would measure; nothing in a plain VM proves it. */
    bool plain;
    snp_vmm_entry_fn entry; /* guest code of vCPU 0 (e.g. snp_guest_app_main) */
    void *entry_arg;
};

void snp_vmm_launch_default(struct snp_vmm_launch *l);

/*
 * snp_vmm_measure_params() - the snp_measure() parameters of @l (QEMU VMM type). @fw_buf
 * (SNP_VMM_FW_SIZE bytes) receives the built-in image when l->fw is NULL; @hashes is filled;
 * both are referenced by *p. Returns SNP_OK or snp_sev_hashes_compute()'s error.
 */
snp_err snp_vmm_measure_params(const struct snp_vmm_launch *l, uint8_t *fw_buf,
                               struct snp_sev_hashes *hashes, struct snp_measure_params *p);

/* ---- the VMM ------------------------------------------------------------------------------- */

/* Receives what the guest sent on the channel and writes the next message for it (at most
 * @cap bytes, *to_len). Returning an error stops the run loop with that error. */
typedef snp_err (*snp_vmm_chan_fn)(void *ctx, const uint8_t *from_guest, size_t len,
                                   uint8_t *to_guest, size_t cap, size_t *to_len);
/* One line the guest printed on the console (without the newline, NUL-terminated). */
typedef void (*snp_vmm_console_fn)(void *ctx, const char *line);

struct snp_vmm_launch_info {
    uint8_t measurement[48]; /* what LAUNCH_FINISH recorded, recomputed with measure/ */
    uint64_t pages_normal, pages_zero, pages_secrets, pages_cpuid, pages_vmsa, pages_unmeasured;
    uint32_t gctx_status;  /* last firmware status (diagnostics) */
    uint32_t cpuid_status; /* status of the first LAUNCH_UPDATE of the CPUID page (§6.7) */
};

struct snp_vmm;

/*
 * snp_vmm_new() - initialise the platform if needed (SNP_INIT, WBINVD, DF_FLUSH), then create
 * and launch one SNP guest: GCTX_CREATE, LAUNCH_START, ACTIVATE, LAUNCH_UPDATE of the firmware
 * (NORMAL), the metadata sections (ZERO, SECRETS, CPUID, KERNEL_HASHES as NORMAL), a VMSA per
 * vCPU, LAUNCH_FINISH -- in the order snp_measure() computes (hardware.md §7.5).
 * @m:  the machine (not owned); guest_max_pages MUST cover 4 GiB (0x100000).
 * @fw_status: out, optional: the firmware status of a refused command.
 * Returns SNP_OK; SNP_E_ARG; SNP_E_FORMAT/SNP_E_RANGE (a firmware image measure/ refuses);
 * SNP_E_STATE (a firmware command failed, see *fw_status; or the machine has no room);
 * SNP_E_NOMEM.
 */
snp_err snp_vmm_new(struct snp_vmm **out, struct snp_machine *m, const struct snp_vmm_launch *l,
                    uint32_t *fw_status);

/* snp_vmm_free() - DECOMMISSION the guest, give its pages back, free. NULL is a no-op. */
void snp_vmm_free(struct snp_vmm *v);

const struct snp_vmm_launch_info *snp_vmm_info(const struct snp_vmm *v);

void snp_vmm_set_channel(struct snp_vmm *v, snp_vmm_chan_fn fn, void *ctx);
void snp_vmm_set_console(struct snp_vmm *v, snp_vmm_console_fn fn, void *ctx);

/*
 * snp_vmm_set_certs() - the certificate table (snpkit/certtable.h) stapled to extended guest
 * requests; copied. len 0: none (an empty table). SNP_E_NOMEM, SNP_E_RANGE (> 64 KiB).
 */
snp_err snp_vmm_set_certs(struct snp_vmm *v, const uint8_t *table, size_t len);

/* Why the guest stopped. */
enum snp_vmm_stop {
    SNP_VMM_RUNNING = 0,
    SNP_VMM_STOP_SHUTDOWN = 1,   /* guest code returned */
    SNP_VMM_STOP_TERMINATED = 2, /* GHCB termination request: term_set/term_code */
    SNP_VMM_STOP_ERROR = 3,      /* an exit the VMM cannot serve (see exit code) */
};

struct snp_vmm_status {
    enum snp_vmm_stop stop;
    uint8_t term_set, term_code;
    uint64_t exits;      /* VMEXITs served */
    uint64_t last_exit;  /* the last exit: its VMEXIT code (e.g. HLT, INTR for the preemption
                            tick, NPF), or for a VMGEXIT the SW exit code / GHCB MSR request */
    uint64_t exit_info1; /* the last exit's EXITINFO1 (#NPF: error code) */
    uint64_t exit_info2; /* the last exit's EXITINFO2 (#NPF: the faulting GPA) */
};

/*
 * snp_vmm_run() - VMRUN the vCPUs until the guest shuts down (vCPU 0's code returns),
 * terminates, or @max_exits exits (0: no limit). vCPU 0 runs from the start; an AP runs once
 * the guest created it with NAE AP_CREATION (§5.4), round-robin, one exit at a time; an AP
 * whose code returns is taken off the run queue. Returns SNP_OK with *st filled; the channel
 * callback's error; SNP_E_STATE when the VM cannot be run.
 */
snp_err snp_vmm_run(struct snp_vmm *v, uint64_t max_exits, struct snp_vmm_status *st);

/*
 * snp_vmm_handle_ghcb() - serve one full-protocol GHCB request page as the VMGEXIT handler
 * would (the fuzz target): @page is what the guest wrote at its registered GHCB GPA; the
 * answer is written back to the guest's GHCB. Returns SNP_OK, or an error that stops the VM.
 */
snp_err snp_vmm_handle_ghcb(struct snp_vmm *v, const uint8_t page[4096]);

/*
 * snp_vmm_gpa_spa() - the host page backing guest RAM address @gpa (RAM: GPA 0 ..
 * SNP_VMM_MEM_PAGES * 4 KiB; the firmware image is not RAM). What the host sees there with
 * snp_host_read() is plaintext for a plain VM and for shared pages, ciphertext for an SNP
 * guest's private pages. Returns SNP_OK or SNP_E_RANGE.
 */
snp_err snp_vmm_gpa_spa(const struct snp_vmm *v, uint64_t gpa, uint64_t *spa);

/* true for a VM launched with snp_vmm_launch.plain (SEV off). */
bool snp_vmm_is_plain(const struct snp_vmm *v);

/* SNP_PLATFORM_STATUS through the mailbox: *reported_tcb, *current_tcb. */
snp_err snp_vmm_platform_tcb(struct snp_vmm *v, uint64_t *reported_tcb, uint64_t *current_tcb);

#endif /* SNPKIT_VMM_H */
