/*
 * host/attacks/scn_greq_replay_response.c - greq-replay-response (THREAT-MODEL.md I3 "a replayed
 * guest message fails its sequence-number check"; attestation.md §7.3; attacks.md, guest-request
 * replay). The hypervisor relays every SNP_GUEST_REQUEST (H6) and may issue any PSP command (H7):
 * it keeps an old request/response pair and plays it again (atk_two_requests_kept, atk_report.c).
 *
 * Defence: the guest accepts a response only with its request's seqno + 1.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/ghcb.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

static snp_err
atk_greq_replay_rsp(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE), msg[8];
    uint64_t rsp = 0, pf = 0;
    unsigned guard = 0;
    snp_err err = SNP_E_NOMEM;
    char b[96];

    memset(&vm, 0, sizeof(vm));
    if (old == NULL) {
        goto out;
    }
    err = atk_two_requests_kept(c, &vm, SNP_VMM_RSP_GPA, &rsp, old);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "kept the response to request A (shared page, SPA 0x%llx)",
              (unsigned long long)rsp);
    /* Run exit by exit until the VMM has served request B, then swap in the old response. */
    do {
        err = atk_vm_step(&vm);
        if (err != SNP_OK) {
            goto out;
        }
    } while (vm.st.stop == SNP_VMM_RUNNING && vm.st.last_exit != SNP_NAE_GUEST_REQUEST &&
             ++guard < 1000);
    err = SNP_E_STATE;
    if (vm.st.stop != SNP_VMM_RUNNING || vm.st.last_exit != SNP_NAE_GUEST_REQUEST ||
        snp_host_write(c->m, rsp, old, PAGE, &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "request B forwarded; its response replaced by A's");
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    if (vm.st.stop == SNP_VMM_RUNNING && vm.last_len >= 4 && vm.last[1] == 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "guest accepted the old response");
    } else if (vm.st.stop == SNP_VMM_RUNNING && vm.last_len >= 4) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "guest refused the old response: %s (%s)",
                     snp_err_name((snp_err)vm.last[1]), snp_err_str((snp_err)vm.last[1]));
    } else if (atk_guest_terminated(&vm)) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "guest %s", atk_stop_text(&vm, b, sizeof(b)));
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "guest %s", atk_stop_text(&vm, b, sizeof(b)));
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}

const struct snp_atk_scenario atk_scn_greq_replay_response = {
    .id = "greq-replay-response",
    .title = "answer a guest request with an old response",
    .ref = "I3",
    .cap = "H6",
    .condition = "the host relays guest messages",
    .defence = "guest checks the response seqno",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_GUEST, SNP_ATK_DETECTED_GUEST},
    .run = atk_greq_replay_rsp,
};
