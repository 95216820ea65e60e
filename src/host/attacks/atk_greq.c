/*
 * host/attacks/atk_greq.c - replaying guest messages (THREAT-MODEL.md I3 "a replayed guest
 * message fails its sequence-number check"; attestation.md §7.3; attacks.md, guest-request
 * replay). The hypervisor relays every SNP_GUEST_REQUEST (H6) and may issue any PSP command
 * (H7): it keeps an old request/response pair and plays it again.
 *
 * Defences: the firmware accepts a request only with MSG_SEQNO = its counter + 1 (AEAD_OFLOW
 * otherwise); the guest accepts a response only with its request's seqno + 1.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/ghcb.h"
#include "snpkit/psp_abi.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

/* Boot with REPORT A pending, let the guest answer it with REPORT B queued. */
static snp_err
two_requests(struct snp_atk_ctx *c, struct atk_vm *vm)
{
    struct snp_vmm_launch l;
    uint8_t rd[64], msg[128];

    atk_launch_default(c, &l);
    memset(rd, 0xA1, sizeof(rd));
    SNP_TRY(atk_vm_start(c, vm, &l, msg, atk_msg_report(msg, rd)));
    memset(rd, 0xB2, sizeof(rd));
    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_report(msg, rd)));
    SNP_ENSURE(vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 && vm->last[1] == 0,
               SNP_E_STATE);
    return SNP_OK;
}

snp_err
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
    err = two_requests(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_RSP_GPA, &rsp) ||
        snp_host_read(c->m, rsp, old, PAGE) != SNP_HW_OK) {
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

snp_err
atk_greq_replay_req(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE), cmd[0x18];
    uint64_t req = 0, pf = 0;
    uint32_t fw = 0;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (old == NULL) {
        goto out;
    }
    err = two_requests(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_REQ_GPA, &req) ||
        snp_host_read(c->m, req, old, PAGE) != SNP_HW_OK ||
        snp_host_write(c->m, vm.v->req_spa, old, PAGE, &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "SNP_GUEST_REQUEST again with the guest's answered request A");
    memset(cmd, 0, sizeof(cmd));
    for (unsigned i = 0; i < 8; i++) {
        cmd[i] = (uint8_t)(vm.v->gctx_spa >> (8 * i));
        cmd[8 + i] = (uint8_t)(vm.v->req_spa >> (8 * i));
        cmd[0x10 + i] = (uint8_t)(vm.v->rsp_spa >> (8 * i));
    }
    err = snp_vmm_psp(vm.v, SNP_CMD_SNP_GUEST_REQUEST, cmd, sizeof(cmd), &fw);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_FW, "status 0x%x %s", fw, snp_fw_status_name(fw));
    if (fw == SNP_FW_SUCCESS) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "firmware answered the replayed request");
    } else {
        atk_evidence(obs, SNP_ATK_REJECTED_FW, "replayed request: firmware status 0x%x %s", fw,
                     snp_fw_status_name(fw));
    }
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}
