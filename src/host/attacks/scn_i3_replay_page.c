/*
 * host/attacks/scn_i3_replay_page.c - i3-replay-page (THREAT-MODEL.md I3): the host (H1) keeps
 * an old copy of a guest page and writes it back after the guest changed it. Shared with the
 * other memory scenarios: atk_pages.c; the plain baseline's kv page: atk_kv.c.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

/*
 * Plain I3: the secrets page is unused in a plain VM; the kv app's working page changes with
 * every record it stores. Snapshot after record A, let it store B, write the snapshot back.
 * The kv app never reads its record back, so the read-back is the host's (the page holds A
 * again) and the guest's part is that it goes on (shuts down normally) without noticing.
 */
static snp_err
plain_replay(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE);
    uint64_t kv = 0, pf = 0;
    enum snp_hw_fault f;
    char before = '?', after = '?';
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (old == NULL) {
        goto out;
    }
    err = atk_kv_two_records(c, &vm, false, &kv, old);
    if (err == SNP_OK) {
        err = atk_kv_record(c, kv, &before);
    }
    if (err != SNP_OK) {
        goto out;
    }
    f = snp_host_write(c->m, kv, old, PAGE, &pf);
    atk_trace(c, SNP_ATK_ACT_HV, "write the old contents (record A) back: %s 0x%llx",
              snp_hw_fault_name(f), (unsigned long long)pf);
    if (f != SNP_HW_OK) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW, "replaying the kv page at SPA 0x%llx: %s 0x%llx",
                     (unsigned long long)kv, snp_hw_fault_name(f), (unsigned long long)pf);
        goto out;
    }
    err = atk_kv_read_back(c, &vm, kv, &after);
    if (err != SNP_OK) {
        goto out;
    }
    if (atk_kv_rolled_back(&vm, before, after, "write-back", obs)) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "old contents of the kv page written back at SPA 0x%llx: no fault, the "
                     "guest's page holds record A again (it stored B); the guest shut down "
                     "normally, nothing detected (the kv app does not read its record back)",
                     (unsigned long long)kv);
    }
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}

/* I3: keep the secrets page's ciphertext, let the guest update it, write the old copy back.
 * Plain: plain_replay(). */
static snp_err
atk_i3_replay_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old, *now, rd[64], msg[128];
    uint64_t spa = 0, pf = 0;
    enum snp_hw_fault f;
    snp_err err = SNP_E_NOMEM;

    if (c->profile == SNP_ATK_PLAIN) {
        return plain_replay(c, obs);
    }
    old = malloc(PAGE);
    now = malloc(PAGE);
    memset(&vm, 0, sizeof(vm));
    if (old == NULL || now == NULL) {
        goto out;
    }
    err = atk_start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (atk_secrets_read(c, &vm, &spa, old) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "snapshot of the secrets page at SPA 0x%llx",
              (unsigned long long)spa);
    memset(rd, 0x5A, sizeof(rd));
    err = atk_vm_exchange(&vm, msg, atk_msg_report(msg, rd));
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (vm.st.stop != SNP_VMM_RUNNING || atk_secrets_read(c, &vm, &spa, now) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HW, "the guest's request changed the page: %s",
              memcmp(old, now, PAGE) != 0 ? "yes" : "no");
    f = snp_host_write(c->m, spa, old, PAGE, &pf);
    atk_trace(c, SNP_ATK_ACT_HV, "write the old ciphertext back: %s 0x%llx", snp_hw_fault_name(f),
              (unsigned long long)pf);
    if (f == SNP_HW_PF && (pf & SNP_PFERR_RMP) != 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "replaying the old ciphertext to SPA 0x%llx: #PF "
                     "error code 0x%llx (RMP)",
                     (unsigned long long)spa, (unsigned long long)pf);
    } else if (f == SNP_HW_OK) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "old ciphertext written back to SPA 0x%llx",
                     (unsigned long long)spa);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "write back: %s", snp_hw_fault_name(f));
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    free(old);
    free(now);
    return err;
}

const struct snp_atk_scenario atk_scn_i3_replay_page = {
    .id = "i3-replay-page",
    .title = "write back an old ciphertext of a page",
    .ref = "I3",
    .cap = "H1",
    .condition = "host kept an old copy",
    .defence = "RMP check on host writes (#PF RMP)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_i3_replay_page,
};
