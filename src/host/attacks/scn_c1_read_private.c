/*
 * host/attacks/scn_c1_read_private.c - c1-read-private (THREAT-MODEL.md C1): the host (H1)
 * reads the boot block, whose plaintext it loaded itself, and two zero-filled guest pages.
 * Shared with the other memory scenarios: atk_pages.c.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

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
static snp_err
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
    err = atk_start_at(c, &vm, SNP_VMM_BOOT_GPA, &spa);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, SNP_VMM_SECTIONS_GPA, &s1) ||
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

const struct snp_atk_scenario atk_scn_c1_read_private = {
    .id = "c1-read-private",
    .title = "host reads guest private memory",
    .ref = "C1",
    .cap = "H1",
    .condition = "always attempted",
    .defence = "memory encryption (VEK, address tweak)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_c1_read_private,
};
