/*
 * host/attacks/scn_cipherleaks.c - cipherleaks (THREAT-MODEL.md N3; attacks.md: CipherLeaks,
 * Li et al., USENIX Security 2021): the host sees the guest write the same value again at the
 * same address (deterministic encryption per key and SPA).
 *
 * A side channel: THREAT-MODEL.md puts it out of scope (N-class, N3), so its expected outcome
 * is SUCCEEDED on every profile and the descriptor's defence names what would stop it. The
 * model has no ALLOWED_* outcome for conceded leaks (ALLOWED_DOS is availability only).
 *
 * The victim is the kv app (atk_kv.c): it keeps the last record it stored in its working page
 * (ATK_KV_PAGE_GPA, private in an SNP guest), so the host knows which page holds a value the
 * guest handles and when the guest writes it.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define PAGE SNP_PAGE_SIZE

/* Wait for the answer to the pending request, then snapshot the kv page's DRAM contents. */
static snp_err
put_and_snap(struct atk_vm *vm, const uint8_t *next, size_t n, uint64_t kv, uint8_t *snap)
{
    SNP_TRY(atk_vm_exchange(vm, next, n));
    SNP_ENSURE(atk_kv_put_ok(vm), SNP_E_STATE);
    SNP_ENSURE(snp_host_wbinvd(vm->c->m) == SNP_OK, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(vm->c->m, kv, snap, PAGE) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}

/* CipherLeaks: the guest stores A, then B, then A again at the same address. */
static snp_err
atk_cipherleaks(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t a[ATK_KV_SECRET_BYTES], b[ATK_KV_SECRET_BYTES], ma[128], mb[128], sd[8];
    uint8_t *s1 = malloc(PAGE), *s2 = malloc(PAGE), *s3 = malloc(PAGE);
    uint64_t kv = 0;
    size_t na, nb;
    bool same13, same12;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (s1 == NULL || s2 == NULL || s3 == NULL) {
        goto out;
    }
    atk_secret_fill(a, sizeof(a), 0x0A);
    atk_secret_fill(b, sizeof(b), 0x0B);
    na = atk_msg_kv_put(ma, sizeof(ma), a, sizeof(a));
    nb = atk_msg_kv_put(mb, sizeof(mb), b, sizeof(b));
    atk_kv_launch(c, &l);
    err = atk_vm_start(c, &vm, &l, ma, na);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, ATK_KV_PAGE_GPA, &kv)) {
        goto out;
    }
    err = put_and_snap(&vm, mb, nb, kv, s1); /* A stored */
    if (err == SNP_OK) {
        err = put_and_snap(&vm, ma, na, kv, s2); /* B stored */
    }
    if (err == SNP_OK) {
        err = put_and_snap(&vm, sd, atk_msg_shutdown(sd), kv, s3); /* A again */
    }
    if (err != SNP_OK) {
        goto out;
    }
    same13 = memcmp(s1, s3, PAGE) == 0;
    same12 = memcmp(s1, s2, PAGE) == 0;
    atk_trace(c, SNP_ATK_ACT_HV,
              "kv page SPA 0x%llx after A, B, A: first and third %s, first and second %s",
              (unsigned long long)kv, same13 ? "equal" : "differ", same12 ? "equal" : "differ");
    if (same13 && !same12) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "kv page SPA 0x%llx read the same after the guest stored A again, "
                     "differently after B: the host sees value repetition (%s)",
                     (unsigned long long)kv,
                     memcmp(s1 + 0x47, a, sizeof(a)) == 0 ? "plaintext" : "ciphertext");
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "kv page after A, B, A: first/third %s, first/second %s: no repetition "
                     "visible",
                     same13 ? "equal" : "differ", same12 ? "equal" : "differ");
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    free(s1);
    free(s2);
    free(s3);
    return err;
}

/* Side channels are outside the SNP guarantees (THREAT-MODEL.md N3): conceded, so the
 * expected outcome is SUCCEEDED everywhere; the defence names what would stop them. */
const struct snp_atk_scenario atk_scn_cipherleaks = {
    .id = "cipherleaks",
    .title = "see the guest write the same value again",
    .ref = "N3, CipherLeaks",
    .cap = "H1",
    .condition = "deterministic encryption per (key, SPA)",
    .defence =
        "conceded: none in SNP (guest-side: fresh nonces/randomised layout; ciphertext hiding)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_cipherleaks,
};
