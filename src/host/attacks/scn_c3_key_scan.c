/*
 * host/attacks/scn_c3_key_scan.c - c3-key-scan (THREAT-MODEL.md C3): the host (H1) scans every
 * byte of DRAM it can read for a secret the guest holds. A confidentiality claim SNP keeps.
 *
 * The victim is the kv app (atk_kv.c): it keeps the last record it stored in its working page
 * (ATK_KV_PAGE_GPA, private in an SNP guest), so the host knows which page holds a value the
 * guest handles and when the guest writes it.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/machine.h"

#include <stdlib.h>
#include <string.h>

#define PAGE       SNP_PAGE_SIZE
#define SCAN_CHUNK (64u * 1024u)

static bool
in_range(uint64_t spa, uint64_t base, uint64_t pages)
{
    return spa >= base && spa < base + pages * PAGE;
}

/* C3: scan every byte of DRAM the host can read for a secret the guest holds. */
static snp_err
atk_c3_key_scan(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct snp_machine_config cfg;
    struct atk_vm vm;
    uint8_t secret[ATK_KV_SECRET_BYTES], msg[128], *buf = malloc(SCAN_CHUNK + ATK_KV_SECRET_BYTES);
    uint64_t rx = 0, tx = 0, first = 0, kv = 0;
    size_t n, hits = 0, host_hits = 0;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (buf == NULL) {
        goto out;
    }
    /* The value the guest is given to keep: it stands for a provisioned secret; the test
     * knows it, so a scan can recognise it (the VMPCKs and VEK have no such oracle). */
    atk_secret_fill(secret, sizeof(secret), 0xC3);
    atk_kv_launch(c, &l);
    n = atk_msg_kv_put(msg, sizeof(msg), secret, sizeof(secret));
    err = atk_vm_start(c, &vm, &l, msg, n);
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_kv_put_ok(&vm) || !atk_gpa_spa(&vm, SNP_VMM_CHAN_RX_GPA, &rx) ||
        !atk_gpa_spa(&vm, SNP_VMM_CHAN_TX_GPA, &tx) || !atk_gpa_spa(&vm, ATK_KV_PAGE_GPA, &kv) ||
        snp_host_wbinvd(c->m) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "stored the 32-byte secret in its kv page (GPA 0x%llx)",
              (unsigned long long)ATK_KV_PAGE_GPA);
    snp_machine_config_get(c->m, &cfg);
    for (uint64_t at = 0; at < cfg.dram_size; at += SCAN_CHUNK) {
        size_t len = SCAN_CHUNK + ATK_KV_SECRET_BYTES;
        if (at + len > cfg.dram_size) {
            len = (size_t)(cfg.dram_size - at);
        }
        if (snp_host_read(c->m, at, buf, len) != SNP_HW_OK) {
            goto out;
        }
        for (size_t i = 0; i + ATK_KV_SECRET_BYTES <= len && i < SCAN_CHUNK; i++) {
            if (buf[i] != secret[0] || memcmp(buf + i, secret, ATK_KV_SECRET_BYTES) != 0) {
                continue;
            }
            /* the channel pages carry the request the host itself relayed */
            if (in_range(at + i, rx, SNP_VMM_CHAN_PAGES) ||
                in_range(at + i, tx, SNP_VMM_CHAN_PAGES)) {
                host_hits++;
                continue;
            }
            if (hits++ == 0) {
                first = at + i;
            }
        }
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "scanned %zu MiB of DRAM: %zu hit(s) in guest memory, %zu in the shared channel "
              "pages it relayed",
              (size_t)(cfg.dram_size >> 20), hits, host_hits);
    if (hits > 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "found the guest's 32-byte secret %zu time(s), first at SPA 0x%llx (kv page "
                     "at 0x%llx)",
                     hits, (unsigned long long)first, (unsigned long long)kv);
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "scanned all %zu MiB host-readable: the secret only in the shared channel "
                     "pages (%zu), never in guest memory (kv page SPA 0x%llx is ciphertext)",
                     (size_t)(cfg.dram_size >> 20), host_hits, (unsigned long long)kv);
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    free(buf);
    return err;
}

const struct snp_atk_scenario atk_scn_c3_key_scan = {
    .id = "c3-key-scan",
    .title = "scan all host-readable memory for a guest secret",
    .ref = "C3",
    .cap = "H1",
    .condition = "the host reads all of DRAM",
    .defence = "memory encryption: guest pages are ciphertext",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW, SNP_ATK_BLOCKED_HW},
    .run = atk_c3_key_scan,
};
