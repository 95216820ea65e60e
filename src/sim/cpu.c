/*
 * sim/cpu.c - vCPUs: guest code as ucontext coroutines, VMRUN/VMEXIT, VMSA load and sealing,
 * event injection (hardware.md §2.6, §4, §10.1).
 *
 * VMRUN checks the VMSA (SNP: RMP entry assigned to the VM's ASID with the VMSA bit; SEV-ES/SNP:
 * the ASID is keyed), loads the register file from it, decides on the host's EVENTINJ under
 * the guest's SEV_FEATURES, and switches to the guest coroutine. The guest runs until it calls
 * snp_cpu_exit() (VMGEXIT, #NPF, an intercept, the preemption tick, shutdown); the exit seals
 * the registers back into the VMSA page through the memory controller (under the guest key for
 * SEV-ES/SNP, so the host reads ciphertext) and wipes the live copy. The coroutine's C stack is
 * CPU-internal state the host cannot address; only the modelled register file is architectural.
 *
 * ucontext is POSIX.1-2001 (removed in 2008, still in glibc); this is the one file that needs
 * _XOPEN_SOURCE for it.
 */
#define _XOPEN_SOURCE 700

#include "sim/sim_int.h"

#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define CYC_VMRUN  1000
#define CYC_VMEXIT 1000

snp_err
snp_cpu_init(struct snp_machine *m)
{
    for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
        struct snp_vcpu *v = &m->vcpus[i];
        v->host_ctx = calloc(1, sizeof(ucontext_t));
        v->guest_ctx = calloc(1, sizeof(ucontext_t));
        v->stack = calloc(1, m->cfg.vcpu_stack_size);
        if (v->host_ctx == NULL || v->guest_ctx == NULL || v->stack == NULL) {
            return SNP_E_NOMEM;
        }
        v->g.m = m;
        v->g.v = v;
    }
    return SNP_OK;
}

void
snp_cpu_fini(struct snp_machine *m)
{
    if (m->vcpus == NULL) {
        return;
    }
    for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
        struct snp_vcpu *v = &m->vcpus[i];
        free(v->host_ctx);
        free(v->guest_ctx);
        /* The stack of a paused guest holds its plaintext locals. */
        if (v->stack != NULL) {
            snp_free_secret(v->stack, m->cfg.vcpu_stack_size);
        }
        snp_wipe(&v->regs, sizeof(v->regs));
    }
}

/* ---- guest side ----------------------------------------------------------------------- */

static void
deliver_pending(struct snp_vcpu *v)
{
    uint64_t ev = v->pending_event;
    uint8_t vector = (uint8_t)(ev & SNP_VMSA_EVENTINJ_VECTOR_MASK);
    uint8_t type = (uint8_t)((ev & SNP_VMSA_EVENTINJ_TYPE_MASK) >> SNP_VMSA_EVENTINJ_TYPE_SHIFT);
    uint32_t code = (uint32_t)(ev >> SNP_VMSA_EVENTINJ_ERRCODE_SHIFT);

    if ((ev & SNP_VMSA_EVENTINJ_VALID) == 0) {
        return;
    }
    v->pending_event = 0;
    /* An injected #VC (vector 29, exception) reaches the #VC handler with whatever error code
     * the injector chose: the attack surface RestrictedInjection closes (§10.1). */
    if (vector == SNP_VECTOR_VC && type == 3) {
        snp_cpu_vc(v, code, 0);
        return;
    }
    if (v->event_handler != NULL) {
        v->event_handler(&v->g, vector, type, code);
    }
}

void
snp_cpu_exit(struct snp_vcpu *v, uint64_t code, uint64_t info1, uint64_t info2)
{
    v->exit_code = code;
    v->exit_info1 = info1;
    v->exit_info2 = info2;
    swapcontext(v->guest_ctx, v->host_ctx);
    /* Resumed by the next VMRUN. */
    deliver_pending(v);
}

void
snp_cpu_shutdown(struct snp_vcpu *v)
{
    v->state = VCPU_DEAD;
    v->exit_code = SNP_EXIT_SHUTDOWN;
    v->exit_info1 = 0;
    v->exit_info2 = 0;
    swapcontext(v->guest_ctx, v->host_ctx);
    abort(); /* a dead vCPU is never resumed: vmrun refuses VCPU_DEAD */
}

void
snp_cpu_charge(struct snp_vcpu *v, uint64_t cycles)
{
    v->g.m->cycles += cycles;
    if (v->tick != 0 && --v->ops_left == 0) {
        v->ops_left = v->tick;
        snp_cpu_exit(v, SNP_EXIT_INTR, 0, 0);
    }
}

void
snp_cpu_vc(struct snp_vcpu *v, uint64_t code, uint64_t info)
{
    /* No handler, or a #VC inside the #VC handler beyond one level: the guest cannot make
     * progress (a real one would triple-fault). */
    if (v->vc_handler == NULL || v->vc_depth >= 2) {
        snp_cpu_shutdown(v);
    }
    v->vc_depth++;
    v->vc_handler(&v->g, code, info);
    v->vc_depth--;
}

static void
trampoline(unsigned hi, unsigned lo)
{
    struct snp_vcpu *v = (struct snp_vcpu *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);

    deliver_pending(v);
    v->entry(&v->g, v->arg);
    snp_cpu_shutdown(v);
}

/* ---- host side: VMRUN ----------------------------------------------------------------- */

static uint16_t
vm_key(const struct snp_vm *vm)
{
    return vm->type == SNP_VM_PLAIN ? SNP_KEY_PLAIN : (uint16_t)vm->asid;
}

/* VMRUN consistency checks on the VMSA (§4.1 VMCB 0x108; XXX §11.5: the exact checks are
 * [APM?]; these are the ones the RMP makes necessary). */
static bool
vmsa_ok(struct snp_machine *m, const struct snp_vm *vm, uint64_t spa)
{
    uint64_t bound = 0;
    const struct snp_rmp_entry *e;

    if ((spa & (SNP_PAGE_SIZE - 1)) != 0 || (spa >> SNP_PAGE_SHIFT) >= m->rmp.npages) {
        return false;
    }
    if (vm->type != SNP_VM_PLAIN && !snp_memctl_has_key(&m->mc, vm->asid)) {
        return false;
    }
    if (vm->type != SNP_VM_SNP) {
        return true;
    }
    e = snp_rmp_governing(&m->rmp, spa >> SNP_PAGE_SHIFT, &bound);
    return e->assigned && e->asid == vm->asid && e->vmsa && !e->page_2m;
}

static void
regs_from_vmsa(struct snp_guest_regs *r, const struct snp_vmsa *s)
{
    r->rax = s->rax;
    r->rbx = s->rbx;
    r->rcx = s->rcx;
    r->rdx = s->rdx;
    r->rsi = s->rsi;
    r->rdi = s->rdi;
    r->rbp = s->rbp;
    r->rsp = s->rsp;
    r->r8 = s->r8;
    r->r9 = s->r9;
    r->r10 = s->r10;
    r->r11 = s->r11;
    r->r12 = s->r12;
    r->r13 = s->r13;
    r->r14 = s->r14;
    r->r15 = s->r15;
    r->rip = s->rip;
    r->rflags = s->rflags;
}

static void
regs_to_vmsa(struct snp_vmsa *s, const struct snp_guest_regs *r)
{
    s->rax = r->rax;
    s->rbx = r->rbx;
    s->rcx = r->rcx;
    s->rdx = r->rdx;
    s->rsi = r->rsi;
    s->rdi = r->rdi;
    s->rbp = r->rbp;
    s->rsp = r->rsp;
    s->r8 = r->r8;
    s->r9 = r->r9;
    s->r10 = r->r10;
    s->r11 = r->r11;
    s->r12 = r->r12;
    s->r13 = r->r13;
    s->r14 = r->r14;
    s->r15 = r->r15;
    s->rip = r->rip;
    s->rflags = r->rflags;
}

/* The key the VMSA page is sealed under: the guest's (§4). The mutation check's broken chip
 * seals nothing: its VMSAs are plaintext (the firmware writes them so at launch, psp_launch.c). */
static uint16_t
vmsa_key(const struct snp_machine *m, const struct snp_vm *vm)
{
    if ((m->cfg.mutations & SNP_MUT_NO_VMSA_SEAL) != 0) {
        return SNP_KEY_PLAIN;
    }
    return vm_key(vm);
}

static snp_err
vmsa_read(struct snp_machine *m, const struct snp_vcpu *v, const struct snp_vm *vm)
{
    SNP_TRY(snp_memctl_read(&m->mc, v->vmsa_spa, vmsa_key(m, vm), m->page_tmp, SNP_PAGE_SIZE));
    return snp_vmsa_decode(&m->vmsa_tmp, m->page_tmp, SNP_PAGE_SIZE, NULL);
}

static snp_err
vmsa_write(struct snp_machine *m, const struct snp_vcpu *v, const struct snp_vm *vm)
{
    SNP_TRY(snp_vmsa_encode(m->page_tmp, &m->vmsa_tmp));
    return snp_memctl_write(&m->mc, v->vmsa_spa, vmsa_key(m, vm), m->page_tmp, SNP_PAGE_SIZE);
}

static void
scratch_wipe(struct snp_machine *m)
{
    snp_wipe(&m->vmsa_tmp, sizeof(m->vmsa_tmp));
    snp_wipe(m->page_tmp, sizeof(m->page_tmp));
}

/* Load the register file; decide on injection. false = VMEXIT_INVALID. */
static bool
vmrun_load(struct snp_machine *m, struct snp_vcpu *v, const struct snp_vm *vm)
{
    uint64_t ev = v->eventinj;
    bool ok = false;

    v->eventinj = 0;
    if (!vmsa_ok(m, vm, v->vmsa_spa) || vmsa_read(m, v, vm) != SNP_OK) {
        goto out;
    }
    regs_from_vmsa(&v->regs, &m->vmsa_tmp);
    v->vmpl = vm->type == SNP_VM_SNP ? m->vmsa_tmp.vmpl : 0;
    v->sev_features = vm->type == SNP_VM_PLAIN ? 0 : m->vmsa_tmp.sev_features;
    if (vm->type == SNP_VM_SNP &&
        ((v->sev_features & SNP_VMSA_FEAT_SNP_ACTIVE) == 0 || v->vmpl >= SNP_VMPL_COUNT)) {
        goto out;
    }
    if ((ev & SNP_VMSA_EVENTINJ_VALID) != 0) {
        if ((v->sev_features & SNP_VMSA_FEAT_RESTRICTED_INJECTION) != 0) {
            /* §10.1: "the HV may inject only #HV (vector 28)"; we fail the VMRUN otherwise
             * (XXX [APM?]: the exact refusal is not verified). */
            if ((ev & SNP_VMSA_EVENTINJ_VECTOR_MASK) != SNP_VECTOR_HV) {
                goto out;
            }
            v->pending_event = ev;
        } else if ((v->sev_features & SNP_VMSA_FEAT_ALTERNATE_INJECTION) == 0) {
            v->pending_event = ev;
        }
        /* AlternateInjection: the VMCB's EVENTINJ is ignored (§10.1). */
    }
    /* AlternateInjection: the VMSA's own EVENT_INJ, written by guest software, is used. */
    if ((v->sev_features & SNP_VMSA_FEAT_ALTERNATE_INJECTION) != 0 &&
        (m->vmsa_tmp.event_inj & SNP_VMSA_EVENTINJ_VALID) != 0) {
        v->pending_event = m->vmsa_tmp.event_inj;
        m->vmsa_tmp.event_inj = 0;
        if (vmsa_write(m, v, vm) != SNP_OK) {
            goto out;
        }
    }
    ok = true;
out:
    scratch_wipe(m);
    return ok;
}

/* Seal the register file into the VMSA page at an exit (C2). */
static void
vmexit_seal(struct snp_machine *m, struct snp_vcpu *v, const struct snp_vm *vm)
{
    if (vmsa_read(m, v, vm) == SNP_OK) {
        regs_to_vmsa(&m->vmsa_tmp, &v->regs);
        m->vmsa_tmp.guest_exit_code = v->exit_code;
        m->vmsa_tmp.guest_exitinfo1 = v->exit_info1;
        m->vmsa_tmp.guest_exitinfo2 = v->exit_info2;
        (void)vmsa_write(m, v, vm);
    }
    scratch_wipe(m);
    if (vm->type != SNP_VM_PLAIN) {
        snp_wipe(&v->regs, sizeof(v->regs)); /* only the sealed copy remains */
    }
}

snp_err
snp_host_vmrun(struct snp_machine *m, uint32_t id, struct snp_vmexit *ex)
{
    struct snp_vcpu *v;
    struct snp_vm *vm;

    memset(ex, 0, sizeof(*ex));
    if (id >= m->cfg.max_vcpus || m->vcpus[id].state == VCPU_FREE) {
        return SNP_E_ARG;
    }
    v = &m->vcpus[id];
    if (m->current != NULL || (v->state != VCPU_READY && v->state != VCPU_PAUSED)) {
        return SNP_E_STATE;
    }
    vm = snp_vcpu_vm(m, v);
    m->cycles += CYC_VMRUN;
    if (!vmrun_load(m, v, vm)) {
        ex->code = SNP_EXIT_INVALID;
        return SNP_OK;
    }
    v->ops_left = v->tick;
    if (v->state == VCPU_READY) {
        ucontext_t *gc = v->guest_ctx;
        uintptr_t p = (uintptr_t)v;
        getcontext(gc);
        gc->uc_stack.ss_sp = v->stack;
        gc->uc_stack.ss_size = m->cfg.vcpu_stack_size;
        gc->uc_link = NULL;
        makecontext(gc, (void (*)(void))trampoline, 2, (unsigned)(p >> 16 >> 16),
                    (unsigned)(p & 0xFFFFFFFFu));
    }
    v->state = VCPU_RUNNING;
    m->current = v;
    swapcontext(v->host_ctx, v->guest_ctx);
    m->current = NULL;
    if (v->state == VCPU_RUNNING) {
        v->state = VCPU_PAUSED;
    }
    m->cycles += CYC_VMEXIT;
    vmexit_seal(m, v, vm);
    ex->code = v->exit_code;
    ex->info1 = v->exit_info1;
    ex->info2 = v->exit_info2;
    return SNP_OK;
}
