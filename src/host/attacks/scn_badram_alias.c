/*
 * host/attacks/scn_badram_alias.c - badram-alias (THREAT-MODEL.md N8; attacks.md F1, BadRAM,
 * CVE-2024-21944): a host page aliased onto a guest page by a lying DIMM. Shared with the other
 * memory scenarios: atk_pages.c.
 */
#include "host/attacks/atk_int.h"

#include "sim/phys_if.h"
#include "snpkit/report.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

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
/* The lying DIMM: alias @alias onto the cells of @target, write atk_marker through the alias
 * (*f, *pf the host write's fault), WBINVD, and read back the target's cells (sizeof(atk_marker)
 * bytes) into @cells. */
static snp_err
alias_write(struct snp_atk_ctx *c, uint64_t alias, uint64_t target, uint8_t *cells,
            enum snp_hw_fault *f, uint64_t *pf)
{
    SNP_TRY(snp_phys_alias(c->m, alias, target));
    atk_trace(c, SNP_ATK_ACT_HV,
              "physical: SPA 0x%llx (host page) now decodes to the cells of SPA 0x%llx (guest "
              "boot block)",
              (unsigned long long)alias, (unsigned long long)target);
    *f = snp_host_write(c->m, alias, atk_marker, sizeof(atk_marker), pf);
    atk_trace(c, SNP_ATK_ACT_HW, "host write to the alias: %s, error code 0x%llx",
              snp_hw_fault_name(*f), (unsigned long long)*pf);
    SNP_TRY(snp_host_wbinvd(c->m)); /* the line reaches DRAM */
    return snp_phys_read(c->m, target, cells, sizeof(atk_marker));
}

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
    err = atk_plain_start(c, &vm, boot, &target);
    if (err == SNP_OK) {
        err = snp_host_wbinvd(c->m); /* no line of the alias page stays cached from before */
    }
    if (err == SNP_OK) {
        err = alias_write(c, alias, target, cells, &f, &pf);
    }
    if (err != SNP_OK) {
        goto out;
    }
    memcpy(want, boot, PAGE);
    memcpy(want, atk_marker, sizeof(atk_marker));
    if (f != SNP_HW_OK || memcmp(cells, atk_marker, sizeof(cells)) != 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "write through the alias SPA 0x%llx: %s 0x%llx; the guest's cells %s",
                     (unsigned long long)alias, snp_hw_fault_name(f), (unsigned long long)pf,
                     memcmp(cells, atk_marker, sizeof(cells)) == 0 ? "changed" : "unchanged");
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "plain VM: no report, no verifier to refuse the platform");
    err = atk_plain_judge(&vm, boot, want, "rewrote the guest's boot block through the host alias",
                          obs);
out:
    atk_vm_free(&vm);
    free(boot);
    free(want);
    return err;
}

static snp_err
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
    err = atk_start_at(c, &vm, SNP_VMM_BOOT_GPA, &target);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_phys_read(c->m, target, before, sizeof(before));
    if (err == SNP_OK) {
        err = alias_write(c, alias, target, after, &f, &pf);
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
    err = atk_finish(&vm, &answered);
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

const struct snp_atk_scenario atk_scn_badram_alias = {
    .id = "badram-alias",
    .title = "alias a host page onto a guest page (lying SPD)",
    .ref = "N8, BadRAM (CVE-2024-21944)",
    .cap = "phys",
    .condition = "no boot-time alias check: the RMP is checked against the SPA used",
    .defence = "alias check at boot, PLATFORM_INFO.ALIAS_CHECK_COMPLETE required by the verifier "
               "(require-platform alias_check_complete)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_badram_alias,
};
