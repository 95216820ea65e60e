/*
 * host/attacks/scn_i2_swap_page.c - i2-swap-page (THREAT-MODEL.md I2): the host backs a guest
 * GPA with another physical page (H2 the nested page table, H3 RMPUPDATE and the choice of
 * backing pages). Shared with the other memory scenarios: atk_pages.c.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

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
    err = atk_plain_start(c, &vm, boot, &spa);
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
    err = atk_plain_judge(&vm, boot, want, "swapped the boot block for the attacker's page", obs);
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
static snp_err
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
    err = atk_start_at(c, &vm, SNP_VMM_SECRETS_GPA, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK ||
        snp_host_read(c->m, spa, buf, PAGE) != SNP_HW_OK ||
        snp_host_write(c->m, spare, buf, PAGE, &pf) != SNP_HW_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "copied the secrets page's ciphertext to spare SPA 0x%llx",
              (unsigned long long)spare);
    err = atk_rmpupdate(c, spare, true, vm.v->asid, SNP_VMM_SECRETS_GPA);
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
    err = atk_finish(&vm, &answered);
    if (err != SNP_OK) {
        goto out;
    }
    atk_judge_guest(&vm, answered, "swapped the secrets page for another physical page", obs);
out:
    atk_vm_free(&vm);
    free(buf);
    return err;
}

const struct snp_atk_scenario atk_scn_i2_swap_page = {
    .id = "i2-swap-page",
    .title = "substitute another physical page",
    .ref = "I2",
    .cap = "H3",
    .condition = "NPT and RMPUPDATE are the host's",
    .defence = "new page not validated: guest #VC 0x404",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_DETECTED_GUEST, SNP_ATK_DETECTED_GUEST},
    .run = atk_i2_swap_page,
};
