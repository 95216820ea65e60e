/*
 * host/attacks/atk_memory.c - the hypervisor against guest memory (THREAT-MODEL.md C1, I1-I4;
 * attacks.md "SEVered": Morbitzer et al., EuroSec 2018). H1 host reads/writes, H2 the nested
 * page table, H3 RMPUPDATE and the choice of backing pages.
 *
 * The targets are pages every boot of the victim has: the boot block (last firmware page, whose
 * plaintext the host itself loaded, so a read can be compared with it) and the secrets page,
 * which the guest writes after every guest request (message counter), so a substituted page is
 * touched by the guest at a known point. A plain VM never touches its secrets page: the plain
 * baselines watch the boot block through the agent's WORK checksum (plain_start/plain_judge)
 * and the kv app's working page (atk_kv_two_records, atk_leak.c).
 */
#include "host/attacks/atk_int.h"

#include "sim/phys_if.h"
#include "snpkit/report.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

static const char atk_marker[16] = "ATTACKER-WROTE!!";

/* Start the victim with a REPORT pending (the guest will write its secrets page next). */
static snp_err
start_with_report(struct snp_atk_ctx *c, struct atk_vm *vm)
{
    struct snp_vmm_launch l;
    uint8_t rd[64], msg[128];
    size_t n;

    memset(rd, 0xA5, sizeof(rd));
    n = atk_msg_report(msg, rd);
    atk_launch_default(c, &l);
    return atk_vm_start(c, vm, &l, msg, n);
}

/* Resume with SHUTDOWN queued and see whether the guest went on to answer the pending REPORT
 * (with any status: a plain VM has no attestation, its answer is an error, but it ran on). */
static snp_err
finish(struct atk_vm *vm, bool *answered)
{
    uint8_t msg[8];
    size_t n = atk_msg_shutdown(msg);

    SNP_TRY(atk_vm_exchange(vm, msg, n));
    *answered = vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
                vm->last[0] == (SNP_CHAN_OP_REPORT | SNP_CHAN_OP_RESPONSE);
    return SNP_OK;
}

/* The guest's reaction to a substituted page, as an outcome. */
static void
judge_guest(struct atk_vm *vm, bool answered, const char *what, struct snp_atk_observed *obs)
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
static snp_err
plain_start(struct snp_atk_ctx *c, struct atk_vm *vm, uint8_t *boot, uint64_t *spa)
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
static snp_err
plain_judge(struct atk_vm *vm, const uint8_t *boot, const uint8_t *want, const char *what,
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

static size_t
count_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += a[i] == b[i];
    }
    return k;
}

/* C1: read the boot block the host loaded, compare with its plaintext; two zero pages. */
snp_err
atk_c1_read_private(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *fw = malloc(SNP_VMM_FW_SIZE), *rd = malloc(PAGE), *z1 = malloc(PAGE),
            *z2 = malloc(PAGE);
    const uint8_t *plain;
    uint64_t spa = 0, s1 = 0, s2 = 0;
    size_t eq;
    bool zero_same;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (fw == NULL || rd == NULL || z1 == NULL || z2 == NULL) {
        goto out;
    }
    snp_vmm_fw_build(fw);
    plain = fw + SNP_VMM_FW_SIZE - PAGE;
    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_BOOT_GPA, &spa) || !atk_gpa_spa(&vm, SNP_VMM_SECTIONS_GPA, &s1) ||
        !atk_gpa_spa(&vm, SNP_VMM_SECTIONS_GPA + PAGE, &s2)) {
        goto out;
    }
    if (snp_host_wbinvd(c->m) != SNP_OK || snp_host_read(c->m, spa, rd, PAGE) != SNP_HW_OK ||
        snp_host_read(c->m, s1, z1, PAGE) != SNP_HW_OK ||
        snp_host_read(c->m, s2, z2, PAGE) != SNP_HW_OK) {
        goto out;
    }
    eq = count_equal(rd, plain, PAGE);
    zero_same = memcmp(z1, z2, PAGE) == 0;
    atk_trace(c, SNP_ATK_ACT_HV, "read the boot block at SPA 0x%llx (GPA 0x%llx)",
              (unsigned long long)spa, (unsigned long long)SNP_VMM_BOOT_GPA);
    atk_trace(c, SNP_ATK_ACT_HW,
              "%zu/%u bytes equal the plaintext the host loaded; first bytes "
              "%02x%02x%02x%02x (plaintext %02x%02x%02x%02x)",
              eq, PAGE, rd[0], rd[1], rd[2], rd[3], plain[0], plain[1], plain[2], plain[3]);
    atk_trace(c, SNP_ATK_ACT_HW, "two zero-filled guest pages read %s",
              zero_same ? "the same" : "differently (address tweak)");
    if (eq == PAGE) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "read 4096 bytes at SPA 0x%llx: the plaintext "
                     "(all bytes equal)",
                     (unsigned long long)spa);
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "read 4096 bytes at SPA 0x%llx: ciphertext, %zu "
                     "bytes equal the plaintext (chance: ~16); equal zero pages %s",
                     (unsigned long long)spa, eq, zero_same ? "read alike" : "read differently");
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    free(fw);
    free(rd);
    free(z1);
    free(z2);
    return err;
}

/* I1: write into a guest page through the host mapping. */
snp_err
atk_i1_write_private(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t back[sizeof(atk_marker)];
    uint64_t spa = 0, pf = 0;
    enum snp_hw_fault f;
    snp_err err;

    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_BOOT_GPA, &spa)) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "write \"%.16s\" to the boot block at SPA 0x%llx", atk_marker,
              (unsigned long long)spa);
    f = snp_host_write(c->m, spa, atk_marker, sizeof(atk_marker), &pf);
    atk_trace(c, SNP_ATK_ACT_HW, "%s, error code 0x%llx", snp_hw_fault_name(f),
              (unsigned long long)pf);
    if (f == SNP_HW_OK) {
        if (snp_host_read(c->m, spa, back, sizeof(back)) != SNP_HW_OK) {
            goto out;
        }
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "host write to SPA 0x%llx succeeded; reads back %s",
                     (unsigned long long)spa,
                     memcmp(back, atk_marker, sizeof(back)) == 0 ? "the attacker's bytes"
                                                                 : "other bytes");
    } else if (f == SNP_HW_PF && (pf & SNP_PFERR_RMP) != 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "host write to SPA 0x%llx: #PF error code 0x%llx "
                     "(RMP violation)",
                     (unsigned long long)spa, (unsigned long long)pf);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "host write: %s 0x%llx", snp_hw_fault_name(f),
                     (unsigned long long)pf);
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    return err;
}

static snp_err
rmpupdate(struct snp_atk_ctx *c, uint64_t spa, bool assigned, uint32_t asid, uint64_t gpa)
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
    err = plain_start(c, &vm, boot, &spa);
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
    err = plain_judge(&vm, boot, want, "wrote the boot block (no reclaim needed)", obs);
out:
    atk_vm_free(&vm);
    free(boot);
    free(want);
    return err;
}

/* I1 second half: take the secrets page back, write it, reassign it. Plain: plain_reclaim(). */
snp_err
atk_i1_reclaim(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t spa = 0, pf = 0;
    bool answered = false;
    snp_err err;

    if (c->profile == SNP_ATK_PLAIN) {
        return plain_reclaim(c, obs);
    }
    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_SECRETS_GPA, &spa)) {
        goto out;
    }
    err = rmpupdate(c, spa, false, 0, 0);
    if (err != SNP_OK) {
        goto out;
    }
    if (snp_host_write(c->m, spa, atk_marker, sizeof(atk_marker), &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HW, "host write to the reclaimed page: ok");
    err = rmpupdate(c, spa, true, vm.v->asid, SNP_VMM_SECRETS_GPA);
    if (err != SNP_OK) {
        goto out;
    }
    err = finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    judge_guest(&vm, answered, "reclaimed, wrote and reassigned the secrets page", obs);
out:
    atk_vm_free(&vm);
    return err;
}

/* Plain I2: back the boot block's GPA with another page holding the attacker's copy of it. */
static snp_err
plain_swap(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *boot = malloc(PAGE), *want = malloc(PAGE), *now = malloc(PAGE);
    uint64_t spa = 0, e = 0, pf = 0, spare = atk_spare_page(c, 0);
    uint64_t gfn = SNP_VMM_BOOT_GPA >> SNP_PAGE_SHIFT;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (boot == NULL || want == NULL || now == NULL) {
        goto out;
    }
    err = plain_start(c, &vm, boot, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    memcpy(want, boot, PAGE);
    memcpy(want, atk_marker, sizeof(atk_marker));
    err = SNP_E_STATE;
    if (snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK ||
        snp_host_write(c->m, spare, want, PAGE, &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "copied the boot block to spare SPA 0x%llx with \"%.16s\" in it (plain VM: no "
              "RMP entry to assign)",
              (unsigned long long)spare, atk_marker);
    err = snp_host_npt_set(c->m, vm.v->vm, gfn, (e & ~SNP_NPT_FRAME_MASK) | spare);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT GPA 0x%llx -> SPA 0x%llx (was 0x%llx)",
              (unsigned long long)SNP_VMM_BOOT_GPA, (unsigned long long)spare,
              (unsigned long long)spa);
    err = plain_judge(&vm, boot, want, "swapped the boot block for the attacker's page", obs);
    if (err == SNP_OK && snp_host_read(c->m, spa, now, PAGE) == SNP_HW_OK) {
        atk_trace(c, SNP_ATK_ACT_HW, "the original page at SPA 0x%llx: %s", (unsigned long long)spa,
                  memcmp(now, boot, PAGE) == 0 ? "untouched" : "changed");
    }
out:
    atk_vm_free(&vm);
    free(boot);
    free(want);
    free(now);
    return err;
}

/* I2: back the secrets GPA with another physical page holding a copy of its ciphertext.
 * Plain: plain_swap() (the attacker's bytes, since an exact copy would show nothing there). */
snp_err
atk_i2_swap_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *buf;
    uint64_t spa = 0, e = 0, pf = 0, spare = atk_spare_page(c, 0);
    uint64_t gfn = SNP_VMM_SECRETS_GPA >> SNP_PAGE_SHIFT;
    bool answered = false;
    snp_err err = SNP_E_NOMEM;

    if (c->profile == SNP_ATK_PLAIN) {
        return plain_swap(c, obs);
    }
    buf = malloc(PAGE);
    memset(&vm, 0, sizeof(vm));
    if (buf == NULL) {
        goto out;
    }
    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_SECRETS_GPA, &spa) ||
        snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK ||
        snp_host_read(c->m, spa, buf, PAGE) != SNP_HW_OK ||
        snp_host_write(c->m, spare, buf, PAGE, &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "copied the secrets page's ciphertext to spare SPA 0x%llx",
              (unsigned long long)spare);
    err = rmpupdate(c, spare, true, vm.v->asid, SNP_VMM_SECRETS_GPA);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_host_npt_set(c->m, vm.v->vm, gfn, (e & ~SNP_NPT_FRAME_MASK) | spare);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT GPA 0x%llx -> SPA 0x%llx (was 0x%llx)",
              (unsigned long long)SNP_VMM_SECRETS_GPA, (unsigned long long)spare,
              (unsigned long long)spa);
    err = finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    judge_guest(&vm, answered, "swapped the secrets page for another physical page", obs);
out:
    atk_vm_free(&vm);
    free(buf);
    return err;
}

/* I4 / SEVered: point the secrets GPA at the SPA of another (validated) guest page. */
snp_err
atk_i4_remap(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t spa = 0, other = 0, e = 0;
    uint64_t gfn = SNP_VMM_SECRETS_GPA >> SNP_PAGE_SHIFT;
    bool answered = false;
    snp_err err;

    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_SECRETS_GPA, &spa) ||
        !atk_gpa_spa(&vm, SNP_VMM_CPUID_GPA, &other) ||
        snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK) {
        goto out;
    }
    err = snp_host_npt_set(c->m, vm.v->vm, gfn, (e & ~SNP_NPT_FRAME_MASK) | other);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT GPA 0x%llx (secrets) -> SPA 0x%llx (the CPUID page's)",
              (unsigned long long)SNP_VMM_SECRETS_GPA, (unsigned long long)other);
    err = finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    judge_guest(&vm, answered, "remapped the secrets GPA onto the CPUID page", obs);
out:
    atk_vm_free(&vm);
    return err;
}

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
    uint8_t *old = malloc(PAGE), msg[8];
    uint64_t kv = 0, pf = 0;
    enum snp_hw_fault f;
    char before = '?', after = '?', b[96];
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
    err = atk_kv_record(c, kv, &after);
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (before == 'B' && after == 'A' && vm.st.stop == SNP_VMM_STOP_SHUTDOWN) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "old contents of the kv page written back at SPA 0x%llx: no fault, the "
                     "guest's page holds record A again (it stored B); the guest shut down "
                     "normally, nothing detected (the kv app does not read its record back)",
                     (unsigned long long)kv);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "kv record %c before, %c after the write-back; guest %s",
                     before, after, atk_stop_text(&vm, b, sizeof(b)));
    }
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}

/* I3: keep the secrets page's ciphertext, let the guest update it, write the old copy back.
 * Plain: plain_replay(). */
snp_err
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
    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_SECRETS_GPA, &spa) || snp_host_wbinvd(c->m) != SNP_OK ||
        snp_host_read(c->m, spa, old, PAGE) != SNP_HW_OK) {
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
    if (vm.st.stop != SNP_VMM_RUNNING || snp_host_wbinvd(c->m) != SNP_OK ||
        snp_host_read(c->m, spa, now, PAGE) != SNP_HW_OK) {
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

/*
 * BadRAM (attacks.md F1, CVE-2024-21944; THREAT-MODEL.md N8): a physical attacker makes a DIMM
 * lie about its size so that two SPAs reach one DRAM cell (sim/phys_if.h snp_phys_alias()).
 * The RMP is checked against the SPA used: the hypervisor writes a page it owns and the bytes
 * land in a guest private page. Enabling condition: no boot-time alias check. Defence: the
 * firmware's alias check, reported as PLATFORM_INFO.ALIAS_CHECK_COMPLETE, which the verifier
 * requires (require-platform alias_check_complete). The model has no alias check (on every
 * profile): the write goes through and the verifier is what catches the machine. A plain VM
 * (plain_badram()) has no attestation: the alias write lands and the guest reads it.
 */
static snp_err
plain_badram(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *boot = malloc(PAGE), *want = malloc(PAGE), cells[sizeof(atk_marker)];
    uint64_t target = 0, alias = atk_spare_page(c, 3), pf = 0;
    enum snp_hw_fault f;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (boot == NULL || want == NULL) {
        goto out;
    }
    err = plain_start(c, &vm, boot, &target);
    if (err == SNP_OK) {
        err = snp_host_wbinvd(c->m); /* no line of the alias page stays cached from before */
    }
    if (err == SNP_OK) {
        err = snp_phys_alias(c->m, alias, target);
    }
    if (err != SNP_OK) {
        goto out;
    }
    memcpy(want, boot, PAGE);
    memcpy(want, atk_marker, sizeof(atk_marker));
    atk_trace(c, SNP_ATK_ACT_HV,
              "physical: SPA 0x%llx (host page) now decodes to the cells of SPA 0x%llx (guest "
              "boot block)",
              (unsigned long long)alias, (unsigned long long)target);
    f = snp_host_write(c->m, alias, atk_marker, sizeof(atk_marker), &pf);
    atk_trace(c, SNP_ATK_ACT_HW, "host write to the alias: %s, error code 0x%llx",
              snp_hw_fault_name(f), (unsigned long long)pf);
    err = snp_host_wbinvd(c->m);
    if (err == SNP_OK) {
        err = snp_phys_read(c->m, target, cells, sizeof(cells));
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (f != SNP_HW_OK || memcmp(cells, atk_marker, sizeof(cells)) != 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "write through the alias SPA 0x%llx: %s 0x%llx; the guest's cells %s",
                     (unsigned long long)alias, snp_hw_fault_name(f), (unsigned long long)pf,
                     memcmp(cells, atk_marker, sizeof(cells)) == 0 ? "changed" : "unchanged");
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "plain VM: no report, no verifier to refuse the platform");
    err =
        plain_judge(&vm, boot, want, "rewrote the guest's boot block through the host alias", obs);
out:
    atk_vm_free(&vm);
    free(boot);
    free(want);
    return err;
}

snp_err
atk_badram_alias(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t before[sizeof(atk_marker)], after[sizeof(atk_marker)];
    uint64_t target = 0, alias = atk_spare_page(c, 3), pf = 0;
    const char *pol[] = {"require-platform", "alias_check_complete", NULL};
    enum snp_hw_fault f;
    char why[256];
    bool ok = false, answered = false;
    snp_err err;

    if (c->profile == SNP_ATK_PLAIN) {
        return plain_badram(c, obs);
    }
    err = start_with_report(c, &vm);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_BOOT_GPA, &target)) {
        goto out;
    }
    err = snp_phys_read(c->m, target, before, sizeof(before));
    if (err == SNP_OK) {
        err = snp_phys_alias(c->m, alias, target);
    }
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "physical: SPA 0x%llx (host page) now decodes to the cells of SPA 0x%llx (guest "
              "boot block)",
              (unsigned long long)alias, (unsigned long long)target);
    f = snp_host_write(c->m, alias, atk_marker, sizeof(atk_marker), &pf);
    atk_trace(c, SNP_ATK_ACT_HW, "host write to the alias: %s, error code 0x%llx",
              snp_hw_fault_name(f), (unsigned long long)pf);
    err = snp_host_wbinvd(c->m); /* the line reaches DRAM */
    if (err == SNP_OK) {
        err = snp_phys_read(c->m, target, after, sizeof(after));
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (f != SNP_HW_OK || memcmp(before, after, sizeof(after)) == 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "write through the alias SPA 0x%llx: %s 0x%llx; guest cells %s",
                     (unsigned long long)alias, snp_hw_fault_name(f), (unsigned long long)pf,
                     memcmp(before, after, sizeof(after)) == 0 ? "unchanged" : "changed");
        err = SNP_OK;
        goto out;
    }
    err = finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    if (!answered || vm.last_len < 4 + SNP_REPORT_SIZE || vm.last[1] != 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "guest private cells at SPA 0x%llx rewritten through alias 0x%llx, but no "
                     "report to judge the platform",
                     (unsigned long long)target, (unsigned long long)alias);
        err = SNP_OK;
        goto out;
    }
    err = atk_verify(c, vm.last + 4, SNP_REPORT_SIZE, pol, &ok, why, sizeof(why));
    if (err != SNP_OK) {
        goto out;
    }
    if (ok) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "guest private cells at SPA 0x%llx rewritten through host alias 0x%llx (RMP "
                     "checked the alias); verifier accepted the platform as alias-checked",
                     (unsigned long long)target, (unsigned long long)alias);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "guest private cells at SPA 0x%llx rewritten through host alias 0x%llx (RMP "
                     "checked the alias); verifier rejected: %s",
                     (unsigned long long)target, (unsigned long long)alias, why);
    }
out:
    atk_vm_free(&vm);
    return err;
}
