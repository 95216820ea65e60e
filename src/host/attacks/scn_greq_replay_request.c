/*
 * host/attacks/scn_greq_replay_request.c - greq-replay-request (THREAT-MODEL.md I3 "a replayed
 * guest message fails its sequence-number check"; attestation.md §7.3; attacks.md, guest-request
 * replay). The hypervisor relays every SNP_GUEST_REQUEST (H6) and may issue any PSP command (H7):
 * it keeps an old request/response pair and plays it again (atk_two_requests_kept, atk_report.c).
 *
 * Defence: the firmware accepts a request only with MSG_SEQNO = its counter + 1 (AEAD_OFLOW
 * otherwise).
 */
#include "host/attacks/atk_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/psp_abi.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

static snp_err
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
    err = atk_two_requests_kept(c, &vm, SNP_VMM_REQ_GPA, &req, old);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (snp_host_write(c->m, vm.v->req_spa, old, PAGE, &pf) != SNP_HW_OK) {
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

const struct snp_atk_scenario atk_scn_greq_replay_request = {
    .id = "greq-replay-request",
    .title = "re-send an old guest request to the PSP",
    .ref = "I3",
    .cap = "H7",
    .condition = "the host relays guest messages",
    .defence = "firmware checks the request seqno",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_REJECTED_FW, SNP_ATK_REJECTED_FW},
    .run = atk_greq_replay_req,
};
