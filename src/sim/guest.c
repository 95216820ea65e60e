/*
 * sim/guest.c - guest_if.h: what guest code can do. Every operation charges the cycle
 * counter and counts toward the host's preemption tick, walks the nested page table, applies
 * the RMP checks of hardware.md §1.6.2 (SNP) or §1.6.1 (plain/SEV-ES guests: non-SNP
 * accesses), and then goes through the memory controller with the guest key for private
 * accesses. #NPF exits to the host and retries the operation on resume; #VC calls the guest's
 * handler. Intercepted instructions exit (plain VM) or raise #VC (SEV-ES/SNP, §4.1).
 */
#include "sim/sim_int.h"

#include <string.h>

#define VC_LIVELOCK 64 /* model guard: the same #VC this many times in a row -> shutdown */

static struct snp_vm *
gvm(struct snp_guest *g)
{
    return snp_vcpu_vm(g->m, g->v);
}

struct snp_guest_regs *
snp_guest_regs(struct snp_guest *g)
{
    return &g->v->regs;
}

void
snp_guest_set_vc_handler(struct snp_guest *g, snp_guest_vc_fn fn)
{
    g->v->vc_handler = fn;
}

void
snp_guest_set_event_handler(struct snp_guest *g, snp_guest_event_fn fn)
{
    g->v->event_handler = fn;
}

void
snp_guest_set_percpu(struct snp_guest *g, void *p)
{
    g->v->percpu = p;
}

void *
snp_guest_percpu(const struct snp_guest *g)
{
    return g->v->percpu;
}

unsigned
snp_guest_cbit(const struct snp_guest *g)
{
    return g->m->cbit;
}

uint64_t
snp_guest_cbit_mask(const struct snp_guest *g)
{
    return UINT64_C(1) << g->m->cbit;
}

uint8_t
snp_guest_vmpl(const struct snp_guest *g)
{
    return g->v->vmpl;
}

uint64_t
snp_guest_cycles(struct snp_guest *g)
{
    return g->m->cycles;
}

static uint64_t
acc_err(enum snp_access acc)
{
    switch (acc) {
    case SNP_ACC_READ:
        return 0;
    case SNP_ACC_WRITE:
        return SNP_PFERR_WRITE;
    case SNP_ACC_EXEC_USER:
        return SNP_PFERR_FETCH | SNP_PFERR_USER;
    case SNP_ACC_EXEC_SUP:
        return SNP_PFERR_FETCH;
    }
    return 0;
}

enum walk_res { WALK_OK, WALK_SKIP };

/*
 * Nested walk + RMP check for one access to the page of @gpa_c (C-bit included). Loops until
 * the access may proceed: a #NPF exits and the host's fix is seen on resume. WALK_SKIP: the
 * access was emulated by the #VC handler (MMIO, #VC 0x400).
 */
static enum walk_res
walk(struct snp_guest *g, uint64_t gpa_c, enum snp_access acc, uint64_t *spa, bool *priv)
{
    struct snp_machine *m = g->m;
    struct snp_vm *vm = gvm(g);
    uint64_t cmask = snp_guest_cbit_mask(g);
    uint64_t gpa = gpa_c & ~cmask;
    uint64_t gfn = gpa >> SNP_PAGE_SHIFT;
    uint64_t bits = acc_err(acc) | SNP_NPF_GPA;
    unsigned vc_repeat = 0;

    *priv = vm->type != SNP_VM_PLAIN && (gpa_c & cmask) != 0;
    for (;;) {
        uint64_t npte = gfn < m->cfg.guest_max_pages ? vm->npt[gfn] : 0;
        uint64_t err = 0;
        enum snp_hw_fault f;

        if ((npte & SNP_NPT_PRESENT) == 0) {
            snp_cpu_exit(g->v, SNP_EXIT_NPF, bits, gpa);
            continue;
        }
        if ((npte & SNP_NPT_RSVD) != 0) {
            if (vm->type == SNP_VM_PLAIN) {
                snp_cpu_exit(g->v, SNP_EXIT_NPF, bits | SNP_PFERR_PRESENT | SNP_PFERR_RSVD, gpa);
                continue;
            }
            snp_cpu_vc(g->v, SNP_VC_NPF_MMIO, gpa); /* §1.6.3: 0x400, emulate via GHCB */
            return WALK_SKIP;
        }
        if (acc == SNP_ACC_WRITE && (npte & SNP_NPT_WRITE) == 0) {
            snp_cpu_exit(g->v, SNP_EXIT_NPF, bits | SNP_PFERR_PRESENT, gpa);
            continue;
        }
        *spa = (npte & SNP_NPT_FRAME_MASK) | (gpa & (SNP_PAGE_SIZE - 1));
        if (vm->type == SNP_VM_SNP) {
            struct snp_guest_access a = {
                *spa, gpa, vm->asid, g->v->vmpl, acc, *priv, (npte & SNP_NPT_LEAF_2M) != 0};
            f = snp_rmp_check_guest(&m->rmp, &a, &err);
        } else if (m->cfg.sev_enabled) {
            /* §1.6.1: "non-SNP guest" accesses get the host rules; #PF becomes #NPF. */
            f = snp_rmp_check_host(&m->rmp, *spa, acc, false, &err);
            err |= SNP_NPF_GPA;
        } else {
            f = SNP_HW_OK;
        }
        if (f == SNP_HW_OK) {
            return WALK_OK;
        }
        if (f == SNP_HW_VC) {
            if (++vc_repeat >= VC_LIVELOCK) {
                snp_cpu_shutdown(g->v); /* the handler never fixes it: no progress */
            }
            snp_cpu_vc(g->v, err, gpa);
            snp_cpu_charge(g->v, 1);
            continue;
        }
        snp_cpu_exit(g->v, SNP_EXIT_NPF, err, gpa);
    }
}

static void
access(struct snp_guest *g, uint64_t gpa_c, uint8_t *rbuf, const uint8_t *wbuf, size_t len)
{
    struct snp_vm *vm = gvm(g);
    uint64_t cmask = snp_guest_cbit_mask(g);

    while (len > 0) {
        size_t off = (size_t)(gpa_c & (SNP_PAGE_SIZE - 1));
        size_t n = SNP_PAGE_SIZE - off < len ? SNP_PAGE_SIZE - off : len;
        uint64_t spa = 0;
        bool priv = false;
        snp_err err = SNP_OK;

        snp_cpu_charge(g->v, 1);
        if (walk(g, gpa_c, wbuf != NULL ? SNP_ACC_WRITE : SNP_ACC_READ, &spa, &priv) == WALK_OK) {
            uint16_t key = priv ? (uint16_t)vm->asid : SNP_KEY_PLAIN;
            if (wbuf != NULL) {
                err = snp_memctl_write(&g->m->mc, spa, key, wbuf, n);
            } else {
                err = snp_memctl_read(&g->m->mc, spa, key, rbuf, n);
            }
        } else if (rbuf != NULL) {
            memset(rbuf, 0, n);
        }
        if (err != SNP_OK) {
            /* The key slot was cleared under a paused guest (PSP DECOMMISSION): no progress. */
            snp_cpu_shutdown(g->v);
        }
        gpa_c = ((gpa_c & ~cmask) + n) | (gpa_c & cmask);
        if (rbuf != NULL) {
            rbuf += n;
        }
        if (wbuf != NULL) {
            wbuf += n;
        }
        len -= n;
    }
}

void
snp_guest_read(struct snp_guest *g, uint64_t gpa, void *buf, size_t len)
{
    access(g, gpa, buf, NULL, len);
}

void
snp_guest_write(struct snp_guest *g, uint64_t gpa, const void *buf, size_t len)
{
    access(g, gpa, NULL, buf, len);
}

/* Translate a page for an RMP instruction: GPA and SPA of the page (loops on #NPF). */
static void
translate(struct snp_guest *g, uint64_t gpa, uint64_t *spa)
{
    struct snp_vm *vm = gvm(g);
    uint64_t gfn = gpa >> SNP_PAGE_SHIFT;

    for (;;) {
        uint64_t npte = gfn < g->m->cfg.guest_max_pages ? vm->npt[gfn] : 0;
        if ((npte & SNP_NPT_PRESENT) != 0 && (npte & SNP_NPT_RSVD) == 0) {
            *spa = npte & SNP_NPT_FRAME_MASK;
            return;
        }
        snp_cpu_exit(g->v, SNP_EXIT_NPF, SNP_NPF_GPA, gpa);
    }
}

static struct snp_hw_result
ud(void)
{
    struct snp_hw_result r = {SNP_HW_UD, 0, 0, false};
    return r;
}

/* Run @op until it does not take a #NPF; a #NPF exits to the host and retries (§2.3 "host is
 * expected to PSMASH and resume"). */
#define RMP_INSN(g, gpa_in, call)                                                                  \
    do {                                                                                           \
        uint64_t gpa_ = (gpa_in) & ~snp_guest_cbit_mask(g) & ~(uint64_t)(SNP_PAGE_SIZE - 1);       \
        struct snp_hw_result res_;                                                                 \
        if (gvm(g)->type != SNP_VM_SNP) {                                                          \
            return ud();                                                                           \
        }                                                                                          \
        for (;;) {                                                                                 \
            uint64_t spa = 0;                                                                      \
            snp_cpu_charge((g)->v, 10);                                                            \
            translate((g), gpa_, &spa);                                                            \
            res_ = call;                                                                           \
            if (res_.fault != SNP_HW_NPF) {                                                        \
                return res_;                                                                       \
            }                                                                                      \
            snp_cpu_exit((g)->v, SNP_EXIT_NPF, res_.error_code, gpa_);                             \
        }                                                                                          \
    } while (0)

struct snp_hw_result
snp_guest_pvalidate(struct snp_guest *g, uint64_t gpa, bool page_2m, bool validate)
{
    RMP_INSN(g, gpa,
             snp_rmp_pvalidate(&g->m->rmp, spa, gpa_, gvm(g)->asid, g->v->vmpl, page_2m, validate));
}

struct snp_hw_result
snp_guest_rmpadjust(struct snp_guest *g, uint64_t gpa, bool page_2m, uint64_t attrs)
{
    RMP_INSN(g, gpa,
             snp_rmp_adjust(&g->m->rmp, spa, gpa_, gvm(g)->asid, g->v->vmpl, page_2m, attrs));
}

struct snp_hw_result
snp_guest_rmpquery(struct snp_guest *g, uint64_t gpa, uint8_t target_vmpl, uint8_t *perms,
                   bool *page_2m)
{
    RMP_INSN(g, gpa,
             snp_rmp_query(&g->m->rmp, spa, gpa_, gvm(g)->asid, g->v->vmpl, target_vmpl, perms,
                           page_2m));
}

void
snp_guest_vmgexit(struct snp_guest *g)
{
    snp_cpu_charge(g->v, 1);
    snp_cpu_exit(g->v, gvm(g)->type == SNP_VM_PLAIN ? SNP_EXIT_VMMCALL : SNP_EXIT_VMGEXIT, 0, 0);
}

void
snp_guest_hlt(struct snp_guest *g)
{
    snp_cpu_charge(g->v, 1);
    snp_cpu_exit(g->v, SNP_EXIT_HLT, 0, 0);
}

/* An intercepted instruction: VMEXIT for a plain VM, #VC for SEV-ES/SNP (§4.1). */
static void
intercept(struct snp_guest *g, uint64_t code, uint64_t info)
{
    snp_cpu_charge(g->v, 1);
    if (gvm(g)->type == SNP_VM_PLAIN) {
        snp_cpu_exit(g->v, code, info, 0);
    } else {
        snp_cpu_vc(g->v, code, info);
    }
}

enum snp_hw_fault
snp_guest_rdmsr(struct snp_guest *g, uint32_t msr, uint64_t *val)
{
    struct snp_guest_regs *r = &g->v->regs;

    if (gvm(g)->type != SNP_VM_PLAIN && msr == SNP_MSR_GHCB) {
        snp_cpu_charge(g->v, 1);
        *val = g->v->ghcb_msr;
        return SNP_HW_OK;
    }
    if (gvm(g)->type != SNP_VM_PLAIN && msr == SNP_MSR_SEV_STATUS) {
        /* §0.1/§4.3: bit0 SEV, bit1 SEV-ES, bit2 SNP, bit n+2 = SEV_FEATURES bit n. */
        snp_cpu_charge(g->v, 1);
        *val = UINT64_C(0x3) | snp_vmsa_features_to_sev_status(g->v->sev_features);
        return SNP_HW_OK;
    }
    r->rcx = msr;
    intercept(g, SNP_EXIT_MSR, 0);
    *val = (r->rdx << 32) | (r->rax & 0xFFFFFFFFu);
    return SNP_HW_OK;
}

enum snp_hw_fault
snp_guest_wrmsr(struct snp_guest *g, uint32_t msr, uint64_t val)
{
    struct snp_guest_regs *r = &g->v->regs;

    if (gvm(g)->type != SNP_VM_PLAIN && msr == SNP_MSR_GHCB) {
        snp_cpu_charge(g->v, 1);
        g->v->ghcb_msr = val;
        return SNP_HW_OK;
    }
    if (gvm(g)->type != SNP_VM_PLAIN && msr == SNP_MSR_SEV_STATUS) {
        return SNP_HW_GP; /* read-only */
    }
    r->rcx = msr;
    r->rax = val & 0xFFFFFFFFu;
    r->rdx = val >> 32;
    intercept(g, SNP_EXIT_MSR, 1);
    return SNP_HW_OK;
}

void
snp_guest_cpuid(struct snp_guest *g, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    struct snp_guest_regs *r = &g->v->regs;

    r->rax = leaf;
    r->rcx = subleaf;
    intercept(g, SNP_EXIT_CPUID, 0);
    out[0] = (uint32_t)r->rax;
    out[1] = (uint32_t)r->rbx;
    out[2] = (uint32_t)r->rcx;
    out[3] = (uint32_t)r->rdx;
}

uint32_t
snp_guest_io(struct snp_guest *g, uint16_t port, unsigned size, bool in, uint32_t val)
{
    struct snp_guest_regs *r = &g->v->regs;
    /* IOIO EXITINFO1 (§5.4): bit0 IN, bit4/5/6 8/16/32-bit, bits 31:16 port. */
    uint64_t info = ((uint64_t)port << 16) | (in ? 1u : 0u) |
                    (size == 1   ? 0x10u
                     : size == 2 ? 0x20u
                                 : 0x40u);
    uint32_t mask = size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;

    r->rax = val & mask;
    intercept(g, SNP_EXIT_IOIO, info);
    return (uint32_t)r->rax & mask;
}
