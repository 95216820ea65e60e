/*
 * host/attacks/scn_i1_reclaim_write.c - i1-reclaim-write (THREAT-MODEL.md I1): the host takes
 * a private page back with RMPUPDATE (H3), writes it and gives it back. Shared with the other
 * memory scenarios: atk_pages.c.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

/* Plain I1: no RMP, nothing to reclaim: write the boot block in place; the guest reads it. */
static snp_err
plain_reclaim(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *boot = malloc(PAGE), *want = malloc(PAGE);
    uint64_t spa = 0, pf = 0;
    enum snp_hw_fault f;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (boot == NULL || want == NULL) {
        goto out;
    }
    err = atk_plain_start(c, &vm, boot, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    memcpy(want, boot, PAGE);
    memcpy(want, atk_marker, sizeof(atk_marker));
    atk_trace(c, SNP_ATK_ACT_HV,
              "plain VM: no RMP entry to take back or give back (the page is the hypervisor's "
              "already); write \"%.16s\" into the boot block at SPA 0x%llx",
              atk_marker, (unsigned long long)spa);
    f = snp_host_write(c->m, spa, atk_marker, sizeof(atk_marker), &pf);
    atk_trace(c, SNP_ATK_ACT_HW, "%s, error code 0x%llx", snp_hw_fault_name(f),
              (unsigned long long)pf);
    if (f != SNP_HW_OK) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW, "host write to SPA 0x%llx: %s 0x%llx",
                     (unsigned long long)spa, snp_hw_fault_name(f), (unsigned long long)pf);
        goto out;
    }
    err = atk_plain_judge(&vm, boot, want, "wrote the boot block (no reclaim needed)", obs);
out:
    atk_vm_free(&vm);
    free(boot);
    free(want);
    return err;
}

/* I1 second half: take the secrets page back, write it, reassign it. Plain: plain_reclaim(). */
static snp_err
atk_i1_reclaim(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t spa = 0, pf = 0;
    bool answered = false;
    snp_err err;

    if (c->profile == SNP_ATK_PLAIN) {
        return plain_reclaim(c, obs);
    }
    err = atk_start_at(c, &vm, SNP_VMM_SECRETS_GPA, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_rmpupdate(c, spa, false, 0, 0);
    if (err != SNP_OK) {
        goto out;
    }
    if (snp_host_write(c->m, spa, atk_marker, sizeof(atk_marker), &pf) != SNP_HW_OK) {
        err = SNP_E_STATE; /* the page is the host's now: the write cannot fault */
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HW, "host write to the reclaimed page: ok");
    err = atk_rmpupdate(c, spa, true, vm.v->asid, SNP_VMM_SECRETS_GPA);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    atk_judge_guest(&vm, answered, "reclaimed, wrote and reassigned the secrets page", obs);
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_i1_reclaim_write = {
    .id = "i1-reclaim-write",
    .title = "reclaim a private page, write it, give it back",
    .ref = "I1",
    .cap = "H3",
    .condition = "RMPUPDATE is the host's",
    .defence = "Validated bit cleared: guest #VC 0x404",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_DETECTED_GUEST, SNP_ATK_DETECTED_GUEST},
    .run = atk_i1_reclaim,
};
