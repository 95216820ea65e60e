/*
 * host/attacks/atk_memory.c - the hypervisor against guest memory (THREAT-MODEL.md C1, I1-I4;
 * attacks.md "SEVered": Morbitzer et al., EuroSec 2018). H1 host reads/writes, H2 the nested
 * page table, H3 RMPUPDATE and the choice of backing pages.
 *
 * The targets are pages every boot of the victim has: the boot block (last firmware page, whose
 * plaintext the host itself loaded, so a read can be compared with it) and the secrets page,
 * which the guest writes after every guest request (message counter), so a substituted page is
 * touched by the guest at a known point.
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

/* I1 second half: take the secrets page back, write it, reassign it. */
snp_err
atk_i1_reclaim(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t spa = 0, pf = 0;
    bool answered = false;
    snp_err err;

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

/* I2: back the secrets GPA with another physical page holding a copy of its ciphertext. */
snp_err
atk_i2_swap_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *buf = malloc(PAGE);
    uint64_t spa = 0, e = 0, pf = 0, spare = atk_spare_page(c, 0);
    uint64_t gfn = SNP_VMM_SECRETS_GPA >> SNP_PAGE_SHIFT;
    bool answered = false;
    snp_err err = SNP_E_NOMEM;

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

/* I3: keep the secrets page's ciphertext, let the guest update it, write the old copy back. */
snp_err
atk_i3_replay_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE), *now = malloc(PAGE), rd[64], msg[128];
    uint64_t spa = 0, pf = 0;
    enum snp_hw_fault f;
    snp_err err = SNP_E_NOMEM;

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
 * profile): the write goes through and the verifier is what catches the machine.
 */
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
