/*
 * sim/host_if.h - what host software (the hypervisor, host/) can do to the machine, and
 * nothing more (ARCHITECTURE.md, THREAT-MODEL.md H1-H5, H7).
 *
 * H1 host memory through the memory controller (guest-private pages read as ciphertext, writes
 * to assigned pages fault); H2 nested page tables; H3 RMPUPDATE, PSMASH, RMPREAD; H4 event
 * injection; H5 VMRUN (pause = not calling it, kill = vcpu_destroy); H7 the PSP mailbox; plus
 * INVD/WBINVD and the cycle counter. Keys, register state of SEV-ES/SNP guests and the RMP
 * itself are not reachable from here: the exit struct carries code and info only.
 */
#ifndef SNP_SIM_HOST_IF_H
#define SNP_SIM_HOST_IF_H

#include "snpkit/machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_guest; /* guest_if.h: what guest code receives */

/* Guest code: a C function run as the vCPU's coroutine (no x86 decoding). */
typedef void (*snp_guest_entry_fn)(struct snp_guest *g, void *arg);

/* ---- memory (H1) ----------------------------------------------------------------------- */

/*
 * snp_host_read() / snp_host_write() - host access to [spa, spa+len) with C=0, ASID 0, through
 * a 4K mapping (hardware.md §1.6.1). Reads always succeed (guest-private pages give DRAM
 * ciphertext). A write to a page that is assigned or immutable stops at that page with
 * SNP_HW_PF, *pf_err = P|W|RMP; pages before it are written. Returns SNP_HW_GP when the range
 * leaves DRAM.
 */
enum snp_hw_fault snp_host_read(struct snp_machine *m, uint64_t spa, void *buf, size_t len);
enum snp_hw_fault snp_host_write(struct snp_machine *m, uint64_t spa, const void *buf, size_t len,
                                 uint64_t *pf_err);

/* ---- RMP instructions (H3, hardware.md §2.1, §2.2, §1.3) ------------------------------- */

enum snp_rmp_ret snp_host_rmpupdate(struct snp_machine *m, uint64_t spa,
                                    const struct snp_rmpupdate_desc *d);
enum snp_rmp_ret snp_host_psmash(struct snp_machine *m, uint64_t spa);
enum snp_rmp_ret snp_host_rmpread(struct snp_machine *m, uint64_t spa, struct snp_rmpread *out);

/* ---- caches and time ------------------------------------------------------------------- */

/* WBINVD; INVD (drops dirty lines unless the machine has SNP_MIT_INVD_FIX). */
snp_err snp_host_wbinvd(struct snp_machine *m);
snp_err snp_host_invd(struct snp_machine *m);
/* The cycle counter every operation charges (host and guest share it). */
uint64_t snp_host_cycles(const struct snp_machine *m);
/* CPUID as the physical CPU answers it (leaf 1 signature, 8000_001F: C-bit, ASIDs, §0.2). */
void snp_host_cpuid(const struct snp_machine *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* ---- VMs, nested page tables (H2) ------------------------------------------------------ */

enum snp_vm_type {
    SNP_VM_PLAIN = 0,  /* no SEV: the hypervisor sees and edits everything (baseline) */
    SNP_VM_SEV_ES = 1, /* encrypted memory and VMSA, no RMP */
    SNP_VM_SNP = 2,    /* encrypted memory and VMSA, RMP, VMPLs */
};

/* Nested page table entry (GPA frame -> SPA frame), one per 4 KiB guest frame. */
#define SNP_NPT_PRESENT    UINT64_C(0x1)
#define SNP_NPT_WRITE      UINT64_C(0x2)
#define SNP_NPT_RSVD       UINT64_C(0x8)  /* reserved bit: MMIO (hardware.md §1.6.2 bit 3) */
#define SNP_NPT_LEAF_2M    UINT64_C(0x80) /* the leaf mapping this frame is 2 MiB */
#define SNP_NPT_FRAME_MASK UINT64_C(0x000FFFFFFFFFF000)

/*
 * snp_host_vm_create() - a VM slot of @type. SEV-ES/SNP need an ASID 1..max_asid not in use
 * and SEV enabled; its key is programmed by the PSP (VMRUN fails until then). Plain VMs take
 * ASID 0. Returns SNP_OK, SNP_E_ARG, SNP_E_STATE (no slot, ASID in use, SEV off).
 */
snp_err snp_host_vm_create(struct snp_machine *m, enum snp_vm_type type, uint32_t asid,
                           uint32_t *vm);
/* Destroy a VM and its vCPUs (none may be running). */
snp_err snp_host_vm_destroy(struct snp_machine *m, uint32_t vm);

/* Set/get the NPT entry of guest frame @gfn. SNP_E_RANGE for gfn or frame outside the
 * machine. Entries are host data: no check against the RMP happens here (§1.6.2: the RMP
 * check happens at guest access time). */
snp_err snp_host_npt_set(struct snp_machine *m, uint32_t vm, uint64_t gfn, uint64_t entry);
snp_err snp_host_npt_get(struct snp_machine *m, uint32_t vm, uint64_t gfn, uint64_t *entry);

/* ---- vCPUs (H4, H5) -------------------------------------------------------------------- */

/*
 * snp_host_vcpu_create() - a vCPU of @vm whose VMCB points at the VMSA page @vmsa_spa and whose
 * code is @entry(@arg) (the image the host loaded; the launch measurement covers it).
 */
snp_err snp_host_vcpu_create(struct snp_machine *m, uint32_t vm, uint64_t vmsa_spa,
                             snp_guest_entry_fn entry, void *arg, uint32_t *vcpu);
snp_err snp_host_vcpu_destroy(struct snp_machine *m, uint32_t vcpu);
/* VMCB VMSA pointer (0x108): the host may point it anywhere; VMRUN checks it. */
snp_err snp_host_vcpu_set_vmsa(struct snp_machine *m, uint32_t vcpu, uint64_t vmsa_spa);
/* Preemption tick: exit with SNP_EXIT_INTR after @ops guest operations (0 = never). */
snp_err snp_host_vcpu_set_tick(struct snp_machine *m, uint32_t vcpu, uint64_t ops);
/* The GHCB MSR as the VMCB shows it (0xA0); the host writes MSR-protocol responses. */
snp_err snp_host_ghcb_msr_get(struct snp_machine *m, uint32_t vcpu, uint64_t *val);
snp_err snp_host_ghcb_msr_set(struct snp_machine *m, uint32_t vcpu, uint64_t val);
/* VMCB EVENTINJ (0xA8), SNP_VMSA_EVENTINJ_* layout; delivered (or refused) at next VMRUN. */
snp_err snp_host_inject(struct snp_machine *m, uint32_t vcpu, uint64_t eventinj);

struct snp_vmexit {
    uint64_t code;  /* SNP_EXIT_* */
    uint64_t info1; /* #NPF: error bits; IOIO: port info; MSR: 0 read / 1 write */
    uint64_t info2; /* #NPF: GPA */
};

/*
 * snp_host_vmrun() - run the vCPU until it exits. For SEV-ES/SNP the register state is sealed
 * in the VMSA page under the guest's key at the exit; for a plain VM it is written to the
 * (host-readable) save area, and whatever the host wrote there is loaded at the next VMRUN.
 * Returns SNP_OK with *ex filled (SNP_EXIT_INVALID when a VMRUN check failed), SNP_E_ARG for a
 * bad vcpu, SNP_E_STATE when it has shut down or VMRUN is called from guest code.
 */
snp_err snp_host_vmrun(struct snp_machine *m, uint32_t vcpu, struct snp_vmexit *ex);

/* ---- the PSP mailbox (H7) -------------------------------------------------------------- */

/*
 * snp_host_psp_command() - hand command @cmd with its buffer at @cmd_spa to the PSP.
 * *fw_status gets the firmware status. SNP_E_UNSUPPORTED while no PSP is attached.
 */
snp_err snp_host_psp_command(struct snp_machine *m, uint32_t cmd, uint64_t cmd_spa,
                             uint32_t *fw_status);

#endif /* SNP_SIM_HOST_IF_H */
