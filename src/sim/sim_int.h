/*
 * sim/sim_int.h - the machine's state, shared by the files of sim/ only (STYLE.md §3
 * "internal headers"). Never included by host/ or guest/ (check-deps).
 */
#ifndef SNP_SIM_INT_H
#define SNP_SIM_INT_H

#include "sim/guest_if.h"
#include "sim/host_if.h"
#include "sim/memctl.h"
#include "sim/rmp.h"
#include "snpkit/machine.h"
#include "snpkit/vmsa.h"

#include <stdbool.h>
#include <stdint.h>

/* A PSP attaches here (keyslot.h); the mailbox calls it. */
typedef snp_err (*snp_psp_handler_fn)(void *ctx, struct snp_machine *m, uint32_t cmd,
                                      uint64_t cmd_spa, uint32_t *fw_status);

struct snp_psp; /* sim/psp/psp.h */

struct snp_vm {
    bool used;
    enum snp_vm_type type;
    uint32_t asid;
    uint64_t *npt; /* guest_max_pages entries, SNP_NPT_* */
};

enum vcpu_state {
    VCPU_FREE = 0,
    VCPU_READY,   /* created, never run */
    VCPU_PAUSED,  /* suspended inside guest code at an exit */
    VCPU_RUNNING, /* inside snp_host_vmrun */
    VCPU_DEAD,    /* guest returned or shut down */
};

struct snp_guest {
    struct snp_machine *m;
    struct snp_vcpu *v;
};

struct snp_vcpu {
    enum vcpu_state state;
    uint32_t vm;
    uint64_t vmsa_spa;
    snp_guest_entry_fn entry;
    void *arg;
    struct snp_guest g;
    void *host_ctx;  /* ucontext_t, cpu.c */
    void *guest_ctx; /* ucontext_t, cpu.c */
    uint8_t *stack;
    /* Loaded from the VMSA at VMRUN; wiped at the exit of an SEV-ES/SNP guest. */
    struct snp_guest_regs regs;
    uint8_t vmpl;
    uint64_t sev_features;
    uint64_t ghcb_msr;
    uint64_t eventinj;       /* VMCB EVENTINJ written by the host */
    uint64_t pending_event;  /* accepted at VMRUN, delivered on guest entry */
    uint64_t tick, ops_left; /* preemption */
    uint64_t exit_code, exit_info1, exit_info2;
    snp_guest_vc_fn vc_handler;
    void *percpu; /* the guest's per-CPU pointer (guest_if.h), reset at creation */
    snp_guest_event_fn event_handler;
    unsigned vc_depth;
};

struct snp_machine {
    struct snp_machine_config cfg;
    unsigned cbit;
    uint64_t cycles;
    struct snp_memctl mc;
    struct snp_rmp rmp;
    struct snp_vm *vms;
    struct snp_vcpu *vcpus;
    struct snp_vcpu *current; /* the vCPU whose guest code is running, or NULL */
    /* Scratch for VMSA sealing and invariant checks (allocated once, wiped after use). */
    struct snp_vmsa vmsa_tmp;
    uint8_t page_tmp[SNP_PAGE_SIZE];
    snp_psp_handler_fn psp;
    void *psp_ctx;
    struct snp_psp *fw;    /* the firmware built with the machine (sim/psp/), or NULL */
    uint64_t wbinvd_count; /* WBINVDs so far: SNP_DF_FLUSH's precondition (§6.4) */
};

/* cpu.c: coroutine plumbing used by guest.c. */
void snp_cpu_exit(struct snp_vcpu *v, uint64_t code, uint64_t info1, uint64_t info2);
void snp_cpu_charge(struct snp_vcpu *v, uint64_t cycles);
void snp_cpu_vc(struct snp_vcpu *v, uint64_t code, uint64_t info);
/* Shut the vCPU down from guest context (exit SNP_EXIT_SHUTDOWN); never returns. */
void snp_cpu_shutdown(struct snp_vcpu *v);
snp_err snp_cpu_init(struct snp_machine *m);
void snp_cpu_fini(struct snp_machine *m);

static inline struct snp_vm *
snp_vcpu_vm(struct snp_machine *m, const struct snp_vcpu *v)
{
    return &m->vms[v->vm];
}

#endif /* SNP_SIM_INT_H */
