/*
 * sim/guest_if.h - what guest code can do (ARCHITECTURE.md): loads and stores by GPA with the
 * C-bit, PVALIDATE, RMPADJUST, RMPQUERY, VMGEXIT, the GHCB MSR, CPUID/IO/MSR instructions
 * (intercepted: #VC for SEV-ES/SNP, a VMEXIT for a plain VM), HLT, and the cycle counter.
 *
 * Guest code is C running as the vCPU's coroutine, not decoded x86. Addresses are guest
 * physical (no guest paging); bit snp_guest_cbit() of the address is the C-bit (private
 * access). An operation that takes a #NPF exits to the host and retries when the host runs the
 * vCPU again, as the faulting instruction would. A #VC calls the handler the guest registered
 * (vector 29); with none the vCPU shuts down. Register state lives in snp_guest_regs(): sealed
 * in the VMSA at every exit for SEV-ES/SNP.
 */
#ifndef SNP_SIM_GUEST_IF_H
#define SNP_SIM_GUEST_IF_H

#include "snpkit/machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_guest;

/* The modelled register file (VMSA offsets in hardware.md §4.1). */
struct snp_guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct snp_guest_regs *snp_guest_regs(struct snp_guest *g);

/* #VC handler: @code is the error code (an SVM exit code, §1.6.3); @info the faulting GPA for
 * 0x404/0x400, the port info for IOIO, 0 otherwise. Registers carry the instruction's operands
 * in and its results out (CPUID: RAX/RCX in, RAX..RDX out). */
typedef void (*snp_guest_vc_fn)(struct snp_guest *g, uint64_t code, uint64_t info);
/* Injected event handler (interrupts, NMIs, exceptions other than #VC; #HV included). */
typedef void (*snp_guest_event_fn)(struct snp_guest *g, uint8_t vector, uint8_t type,
                                   uint32_t error_code);

void snp_guest_set_vc_handler(struct snp_guest *g, snp_guest_vc_fn fn);
void snp_guest_set_event_handler(struct snp_guest *g, snp_guest_event_fn fn);

/* The guest kernel's per-CPU pointer (the role GS_BASE plays for Linux): vCPU state the guest
 * sets and its own handlers read back, part of the register state the host never sees. NULL
 * when a vCPU is created. */
void snp_guest_set_percpu(struct snp_guest *g, void *p);
void *snp_guest_percpu(const struct snp_guest *g);

/* C-bit position (CPUID 8000_001F EBX[5:0]); the private bit of a GPA. */
unsigned snp_guest_cbit(const struct snp_guest *g);
uint64_t snp_guest_cbit_mask(const struct snp_guest *g);
/* The VMPL this vCPU runs at (VMSA 0xCA) and SEV_STATUS (MSR 0xC0010131, §4.3). */
uint8_t snp_guest_vmpl(const struct snp_guest *g);

/* Loads and stores; may exit (#NPF) or take #VC (0x404, 0x400) and retry. */
void snp_guest_read(struct snp_guest *g, uint64_t gpa, void *buf, size_t len);
void snp_guest_write(struct snp_guest *g, uint64_t gpa, const void *buf, size_t len);

/* PVALIDATE (§2.3) / RMPADJUST (§2.4) / RMPQUERY (§2.5) on the page at @gpa (C-bit ignored).
 * fault is SNP_HW_UD outside an SNP guest; a #NPF exits and retries, never returned. */
struct snp_hw_result snp_guest_pvalidate(struct snp_guest *g, uint64_t gpa, bool page_2m,
                                         bool validate);
struct snp_hw_result snp_guest_rmpadjust(struct snp_guest *g, uint64_t gpa, bool page_2m,
                                         uint64_t attrs);
struct snp_hw_result snp_guest_rmpquery(struct snp_guest *g, uint64_t gpa, uint8_t target_vmpl,
                                        uint8_t *perms, bool *page_2m);

/* VMGEXIT (§2.6): exit 0x403 (VMMCALL 0x81 in a plain VM); returns when the host resumes. */
void snp_guest_vmgexit(struct snp_guest *g);
/* HLT: exit 0x78. */
void snp_guest_hlt(struct snp_guest *g);

/* MSRs: GHCB (read/write) and SEV_STATUS (read) are handled by hardware; others intercept.
 * Returns SNP_HW_OK or SNP_HW_GP (write to SEV_STATUS). */
enum snp_hw_fault snp_guest_rdmsr(struct snp_guest *g, uint32_t msr, uint64_t *val);
enum snp_hw_fault snp_guest_wrmsr(struct snp_guest *g, uint32_t msr, uint64_t val);

/* CPUID (intercepted: #VC 0x72 / VMEXIT 0x72); out = EAX, EBX, ECX, EDX after emulation. */
void snp_guest_cpuid(struct snp_guest *g, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Port I/O (#VC 0x7B / VMEXIT 0x7B); @size 1, 2 or 4; IN returns the value read. */
uint32_t snp_guest_io(struct snp_guest *g, uint16_t port, unsigned size, bool in, uint32_t val);

/* The shared cycle counter (RDTSC without interception). */
uint64_t snp_guest_cycles(struct snp_guest *g);

#endif /* SNP_SIM_GUEST_IF_H */
