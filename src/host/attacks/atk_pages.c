/*
 * host/attacks/atk_pages.c - what the memory scenarios share (THREAT-MODEL.md C1, I1-I4:
 * c1-read-private, i1-write-private, i1-reclaim-write, i2-swap-page, i4-remap-severed,
 * i3-replay-page, badram-alias): the victim started with a guest request pending, its reaction
 * to a substituted page, RMPUPDATE, and the plain-VM read-back point.
 *
 * The targets are pages every boot of the victim has: the boot block (last firmware page, whose
 * plaintext the host itself loaded, so a read can be compared with it) and the secrets page,
 * which the guest writes after every guest request (message counter), so a substituted page is
 * touched by the guest at a known point. A plain VM never touches its secrets page: the plain
 * baselines watch the boot block through the agent's WORK checksum (atk_plain_start/
 * atk_plain_judge) and the kv app's working page (atk_kv_two_records, atk_kv.c).
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

const char atk_marker[16] = "ATTACKER-WROTE!!";

/* Start the victim with a REPORT pending (the guest will write its secrets page next). */
snp_err
atk_start_with_report(struct snp_atk_ctx *c, struct atk_vm *vm)
{
    struct snp_vmm_launch l;
    uint8_t rd[64], msg[128];
    size_t n;

    memset(rd, 0xA5, sizeof(rd));
    n = atk_msg_report(msg, rd);
    atk_launch_default(c, &l);
    return atk_vm_start(c, vm, &l, msg, n);
}

/* atk_start_with_report(), then the SPA behind the victim's page @gpa (SNP_E_STATE when none). */
snp_err
atk_start_at(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t gpa, uint64_t *spa)
{
    SNP_TRY(atk_start_with_report(c, vm));
    SNP_ENSURE(atk_gpa_spa(vm, gpa, spa), SNP_E_STATE);
    return SNP_OK;
}

/* WBINVD, then the host's read of @vm's secrets page (*spa its SPA) into @buf, PAGE bytes. */
snp_err
atk_secrets_read(struct snp_atk_ctx *c, const struct atk_vm *vm, uint64_t *spa, uint8_t *buf)
{
    SNP_ENSURE(atk_gpa_spa(vm, SNP_VMM_SECRETS_GPA, spa), SNP_E_STATE);
    SNP_ENSURE(snp_host_wbinvd(c->m) == SNP_OK, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, *spa, buf, PAGE) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}

/* Resume with SHUTDOWN queued and see whether the guest went on to answer the pending REPORT
 * (with any status: a plain VM has no attestation, its answer is an error, but it ran on). */
snp_err
atk_finish(struct atk_vm *vm, bool *answered)
{
    uint8_t msg[8];
    size_t n = atk_msg_shutdown(msg);

    SNP_TRY(atk_vm_exchange(vm, msg, n));
    *answered = vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
                vm->last[0] == (SNP_CHAN_OP_REPORT | SNP_CHAN_OP_RESPONSE);
    return SNP_OK;
}

/* The guest's reaction to a substituted page, as an outcome. */
void
atk_judge_guest(struct atk_vm *vm, bool answered, const char *what, struct snp_atk_observed *obs)
{
    char b[96];

    if (atk_guest_terminated(vm)) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "%s; guest %s at its next access", what,
                     atk_stop_text(vm, b, sizeof(b)));
    } else if (vm->st.stop == SNP_VMM_STOP_ERROR && vm->st.last_exit == SNP_EXIT_NPF) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW, "%s; guest access faulted (#NPF), VM stuck", what);
    } else if (answered) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "%s; guest ran on, no fault, nothing detected "
                     "(answer status %u)",
                     what, vm->last[1]);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "%s; guest %s", what, atk_stop_text(vm, b, sizeof(b)));
    }
}

/*
 * A plain VM's read-back point for a substituted page: the agent's WORK op reads the boot block
 * (64 reads of 64 bytes for WORK_UNITS units) and answers a checksum of what it read
 * (docs/guest.md), the secrets page the SNP path watches being unused in a plain VM. The host
 * knows the boot block's plaintext (it built the image) and so the checksum of any page.
 */
#define WORK_UNITS 64u

static size_t
msg_work(uint8_t *out)
{
    memset(out, 0, 8);
    out[0] = SNP_CHAN_OP_WORK;
    out[4] = (uint8_t)WORK_UNITS;
    return 8;
}

/* The WORK checksum of a guest that read @page (the agent's: sum = sum * 31 + byte). */
static uint32_t
work_sum(const uint8_t *page)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < PAGE; i++) {
        sum = sum * 31u + page[i];
    }
    return sum;
}

/* The checksum of the guest's last answer, when it answered WORK with status 0. */
static bool
work_answer(const struct atk_vm *vm, uint32_t *sum)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 12 ||
        vm->last[0] != (SNP_CHAN_OP_WORK | SNP_CHAN_OP_RESPONSE) || vm->last[1] != 0) {
        return false;
    }
    *sum = (uint32_t)vm->last[8] | (uint32_t)vm->last[9] << 8 | (uint32_t)vm->last[10] << 16 |
           (uint32_t)vm->last[11] << 24;
    return true;
}

/*
 * Plain: start the agent, let it answer one WORK (the control: its checksum must be the one of
 * the boot block the host loaded, in @boot, else SNP_E_STATE) and leave a second WORK pending;
 * *spa the boot block's SPA.
 */
snp_err
atk_plain_start(struct snp_atk_ctx *c, struct atk_vm *vm, uint8_t *boot, uint64_t *spa)
{
    struct snp_vmm_launch l;
    uint8_t *fw = malloc(SNP_VMM_FW_SIZE), msg[8];
    uint32_t sum = 0;
    snp_err err = SNP_E_NOMEM;

    memset(vm, 0, sizeof(*vm));
    if (fw == NULL) {
        return err;
    }
    snp_vmm_fw_build(fw);
    memcpy(boot, fw + SNP_VMM_FW_SIZE - PAGE, PAGE);
    free(fw);
    atk_launch_default(c, &l);
    err = atk_vm_start(c, vm, &l, msg, msg_work(msg));
    if (err == SNP_OK) {
        err = atk_vm_exchange(vm, msg, msg_work(msg));
    }
    if (err != SNP_OK) {
        return err;
    }
    SNP_ENSURE(work_answer(vm, &sum) && sum == work_sum(boot), SNP_E_STATE);
    SNP_ENSURE(atk_gpa_spa(vm, SNP_VMM_BOOT_GPA, spa), SNP_E_STATE);
    atk_trace(c, SNP_ATK_ACT_GUEST,
              "WORK over its boot block (SPA 0x%llx): checksum 0x%08x, the "
              "one of the page the host loaded",
              (unsigned long long)*spa, sum);
    return SNP_OK;
}

/*
 * Plain: resume with SHUTDOWN queued; the guest answers the pending WORK. SUCCEEDED when its
 * checksum is the one of @want (the bytes the attacker put behind the boot block's GPA) and not
 * of @boot: the guest read the attacker's data and went on.
 */
snp_err
atk_plain_judge(struct atk_vm *vm, const uint8_t *boot, const uint8_t *want, const char *what,
                struct snp_atk_observed *obs)
{
    uint8_t msg[8];
    uint32_t sum = 0;
    char b[96];

    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_shutdown(msg)));
    if (atk_guest_terminated(vm)) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "%s; guest %s at its next access", what,
                     atk_stop_text(vm, b, sizeof(b)));
    } else if (vm->st.stop == SNP_VMM_STOP_ERROR && vm->st.last_exit == SNP_EXIT_NPF) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW, "%s; guest access faulted (#NPF), VM stuck", what);
    } else if (!work_answer(vm, &sum)) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "%s; no WORK answer, guest %s", what,
                     atk_stop_text(vm, b, sizeof(b)));
    } else if (sum == work_sum(want) && sum != work_sum(boot)) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "%s; the guest's WORK read the attacker's bytes (checksum 0x%08x, the "
                     "attacker's page; genuine 0x%08x), no fault, nothing detected",
                     what, sum, work_sum(boot));
    } else if (sum == work_sum(boot)) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "%s; the guest's WORK still read the genuine page (checksum 0x%08x)", what,
                     sum);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "%s; WORK checksum 0x%08x is neither page's", what, sum);
    }
    return SNP_OK;
}

snp_err
atk_rmpupdate(struct snp_atk_ctx *c, uint64_t spa, bool assigned, uint32_t asid, uint64_t gpa)
{
    struct snp_rmpupdate_desc d;
    enum snp_rmp_ret r;

    memset(&d, 0, sizeof(d));
    d.assigned = assigned;
    d.asid = assigned ? asid : 0;
    d.gpa = assigned ? gpa : 0;
    r = snp_host_rmpupdate(c->m, spa, &d);
    atk_trace(c, SNP_ATK_ACT_HV, "RMPUPDATE SPA 0x%llx -> %s: %s (%d)", (unsigned long long)spa,
              assigned ? "assigned to the guest" : "hypervisor",
              r == SNP_RMP_SUCCESS ? "ok" : "failed", (int)r);
    return r == SNP_RMP_SUCCESS ? SNP_OK : SNP_E_STATE;
}
