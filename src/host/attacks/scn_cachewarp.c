/*
 * host/attacks/scn_cachewarp.c - CacheWarp (Zhang et al., USENIX Security 2024; CVE-2023-20592;
 * attacks.md): the hypervisor executes INVD while a guest's modified cache line is dirty, and
 * the guest's write is silently lost (the memory reverts to its earlier ciphertext). Enabling
 * condition: microcode without the fix (the machine lacks SNP_MIT_INVD_FIX). Defences: the
 * fixed microcode makes INVD write back (snp-patched), and a verifier with a minimum microcode
 * SPL (SNP_ATK_FIX_CACHEWARP_UCODE_GENOA, the one named constant) refuses reports of an
 * unfixed machine.
 *
 * The victim write is the guest's own: after each guest request it stores its message counter
 * in the secrets page (docs/guest.md), so the host knows when a line of that page is dirty.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

/*
 * Plain VM: the same INVD on the same (unfixed) machine, against the kv app's working page (a
 * plain guest never writes its secrets page): record A in DRAM, record B stored by the guest
 * and still in the cache, INVD. There is no attestation, so no verifier can refuse the machine.
 */
static snp_err
plain_cachewarp(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE);
    uint64_t kv = 0;
    char which = '?', b[96];
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (old == NULL) {
        goto out;
    }
    err = atk_kv_two_records(c, &vm, false, &kv, old);
    if (err == SNP_OK) {
        err = snp_host_invd(c->m);
    }
    if (err == SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_HV, "INVD with the guest's store of record B in the cache");
        err = atk_kv_read_back(c, &vm, kv, &which);
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (which == 'A') {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "INVD dropped the guest's store of record B: the kv page at SPA 0x%llx "
                     "holds A again; guest %s, nothing detected; no report a verifier could "
                     "refuse the unfixed machine by (plain VM)",
                     (unsigned long long)kv, atk_stop_text(&vm, b, sizeof(b)));
    } else if (which == 'B') {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW, "INVD kept the guest's store of record B");
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "after INVD the kv page holds neither record");
    }
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}

static snp_err
atk_cachewarp(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t *s0 = malloc(PAGE), *s1 = malloc(PAGE), rd[64], msg[128];
    uint8_t rep[SNP_REPORT_SIZE];
    uint64_t spa = 0;
    char min[64], why[256];
    const char *pol[] = {"min-tcb", min, NULL};
    bool lost, ok = false;
    snp_err err = SNP_E_NOMEM;

    if (c->profile == SNP_ATK_PLAIN) {
        free(s0);
        free(s1);
        return plain_cachewarp(c, obs);
    }
    memset(&vm, 0, sizeof(vm));
    if (s0 == NULL || s1 == NULL) {
        goto out;
    }
    atk_launch_default(c, &l);
    memset(rd, 0xC1, sizeof(rd));
    err = atk_vm_start(c, &vm, &l, msg, atk_msg_report(msg, rd));
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (atk_secrets_read(c, &vm, &spa, s0) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "WBINVD, snapshot of the secrets page (SPA 0x%llx) in DRAM",
              (unsigned long long)spa);
    memset(rd, 0xC2, sizeof(rd));
    err = atk_vm_exchange(&vm, msg, atk_msg_report(msg, rd));
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (vm.st.stop != SNP_VMM_RUNNING || vm.last_len < 4 + SNP_REPORT_SIZE || vm.last[1] != 0) {
        goto out;
    }
    memcpy(rep, vm.last + 4, SNP_REPORT_SIZE);
    atk_trace(c, SNP_ATK_ACT_GUEST, "answered a guest request: its counter store is in the cache");
    if (snp_host_invd(c->m) != SNP_OK || snp_host_read(c->m, spa, s1, PAGE) != SNP_HW_OK) {
        goto out;
    }
    lost = memcmp(s0, s1, PAGE) == 0;
    atk_trace(c, SNP_ATK_ACT_HW, "INVD; the page in DRAM is %s",
              lost ? "the old snapshot: the guest's write was dropped"
                   : "new: the write was kept (INVD wrote back)");
    snprintf(min, sizeof(min), "reported:ucode=%u", (unsigned)SNP_ATK_FIX_CACHEWARP_UCODE_GENOA);
    err = atk_verify(c, rep, sizeof(rep), pol, &ok, why, sizeof(why));
    if (err != SNP_OK) {
        goto out;
    }
    if (!lost) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "INVD kept the guest's write; verifier with "
                     "min ucode %u: %s",
                     (unsigned)SNP_ATK_FIX_CACHEWARP_UCODE_GENOA, ok ? "accepted" : why);
    } else if (!ok) {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "INVD dropped the guest's write (DRAM "
                     "reverted); verifier with min ucode %u rejected the platform: %s",
                     (unsigned)SNP_ATK_FIX_CACHEWARP_UCODE_GENOA, why);
    } else {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "INVD dropped the guest's write; verifier accepted");
    }
out:
    atk_vm_free(&vm);
    free(s0);
    free(s1);
    return err;
}

const struct snp_atk_scenario atk_scn_cachewarp = {
    .id = "cachewarp",
    .title = "INVD drops the guest's dirty line",
    .ref = "CacheWarp (CVE-2023-20592)",
    .cap = "H1",
    .condition = "microcode without the INVD fix",
    .defence = "microcode fix; verifier's minimum ucode SPL",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_BLOCKED_HW},
    .run = atk_cachewarp,
};
