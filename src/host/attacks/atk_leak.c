/*
 * host/attacks/atk_leak.c - what the hypervisor still learns from an SNP guest (THREAT-MODEL.md
 * C3, N3; attacks.md: CipherLeaks, Li et al., USENIX Security 2021; the page-fault
 * controlled channel, Xu et al. 2015, and SEV-Step, Wilke et al. 2024).
 *
 * The victim is the kv app (`snpkit.app=kv`, docs/guest.md): it keeps the last record it
 * stored in its working page (SNP_APP_KV_PAGE_GPA, private in an SNP guest), so the host knows
 * which page holds a value the guest handles and when the guest writes it.
 *
 * c3-key-scan is a confidentiality claim SNP keeps. cipherleaks and pf-channel are side
 * channels: THREAT-MODEL.md puts them out of scope (N-class), so their expected outcome is
 * SUCCEEDED on every profile and the descriptor's defence names what would stop them. The
 * model has no ALLOWED_* outcome for conceded leaks (ALLOWED_DOS is availability only).
 */
#include "host/attacks/atk_int.h"

#include "sim/phys_if.h"
#include "snpkit/machine.h"
#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE         SNP_PAGE_SIZE
#define KV_PAGE_GPA  UINT64_C(0x38000) /* SNP_APP_KV_PAGE_GPA (guest/app.h, not includable) */
#define KV_CMDLINE   "console=ttyS0 snpkit.app=kv"
#define OP_KV_PUT    0x10
#define SCAN_CHUNK   (64u * 1024u)
#define SECRET_BYTES 32u
#define KV_VAL_OFF   0x47u /* record value: SNP_APP_KV_REC_OFF + u16 klen + "k" + u32 vlen */
#define SEED_A       0xA0u /* the records of atk_kv_two_records() */
#define SEED_B       0xB0u
/* a value the VMM's status never holds: left untouched by an exit it had nothing to serve */
#define SENTINEL_EXIT UINT64_C(0xA77AC4E7A77AC4E7)

static void
kv_launch(struct snp_atk_ctx *c, struct snp_vmm_launch *l)
{
    atk_launch_default(c, l);
    l->cmdline = KV_CMDLINE;
}

/* KV_PUT key "k" = @val. */
static size_t
msg_kv_put(uint8_t *out, size_t cap, const uint8_t *val, size_t vlen)
{
    if (cap < 4 + 3 + vlen) {
        return 0;
    }
    memset(out, 0, 4);
    out[0] = OP_KV_PUT;
    out[4] = 1;
    out[5] = 0;
    out[6] = 'k';
    memcpy(out + 7, val, vlen);
    return 7 + vlen;
}

/* Whether the guest's last message answers a KV_PUT with status 0. */
static bool
put_ok(const struct atk_vm *vm)
{
    return vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
           vm->last[0] == (OP_KV_PUT | SNP_CHAN_OP_RESPONSE) && vm->last[1] == 0;
}

static void
secret_fill(uint8_t *s, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        s[i] = (uint8_t)(seed + 37u * i + (i >> 3));
    }
}

static bool
in_range(uint64_t spa, uint64_t base, uint64_t pages)
{
    return spa >= base && spa < base + pages * PAGE;
}

/* C3: scan every byte of DRAM the host can read for a secret the guest holds. */
snp_err
atk_c3_key_scan(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct snp_machine_config cfg;
    struct atk_vm vm;
    uint8_t secret[SECRET_BYTES], msg[128], *buf = malloc(SCAN_CHUNK + SECRET_BYTES);
    uint64_t rx = 0, tx = 0, first = 0, kv = 0;
    size_t n, hits = 0, host_hits = 0;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (buf == NULL) {
        goto out;
    }
    /* The value the guest is given to keep: it stands for a provisioned secret; the test
     * knows it, so a scan can recognise it (the VMPCKs and VEK have no such oracle). */
    secret_fill(secret, sizeof(secret), 0xC3);
    kv_launch(c, &l);
    n = msg_kv_put(msg, sizeof(msg), secret, sizeof(secret));
    err = atk_vm_start(c, &vm, &l, msg, n);
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!put_ok(&vm) || !atk_gpa_spa(&vm, SNP_VMM_CHAN_RX_GPA, &rx) ||
        !atk_gpa_spa(&vm, SNP_VMM_CHAN_TX_GPA, &tx) || !atk_gpa_spa(&vm, KV_PAGE_GPA, &kv) ||
        snp_host_wbinvd(c->m) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "stored the 32-byte secret in its kv page (GPA 0x%llx)",
              (unsigned long long)KV_PAGE_GPA);
    snp_machine_config_get(c->m, &cfg);
    for (uint64_t at = 0; at < cfg.dram_size; at += SCAN_CHUNK) {
        size_t len = SCAN_CHUNK + SECRET_BYTES;
        if (at + len > cfg.dram_size) {
            len = (size_t)(cfg.dram_size - at);
        }
        if (snp_host_read(c->m, at, buf, len) != SNP_HW_OK) {
            goto out;
        }
        for (size_t i = 0; i + SECRET_BYTES <= len && i < SCAN_CHUNK; i++) {
            if (buf[i] != secret[0] || memcmp(buf + i, secret, SECRET_BYTES) != 0) {
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

/* Wait for the answer to the pending request, then snapshot the kv page's DRAM contents. */
static snp_err
put_and_snap(struct atk_vm *vm, const uint8_t *next, size_t n, uint64_t kv, uint8_t *snap)
{
    SNP_TRY(atk_vm_exchange(vm, next, n));
    SNP_ENSURE(put_ok(vm), SNP_E_STATE);
    SNP_ENSURE(snp_host_wbinvd(vm->c->m) == SNP_OK, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(vm->c->m, kv, snap, PAGE) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}

/* CipherLeaks: the guest stores A, then B, then A again at the same address. */
snp_err
atk_cipherleaks(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t a[SECRET_BYTES], b[SECRET_BYTES], ma[128], mb[128], sd[8];
    uint8_t *s1 = malloc(PAGE), *s2 = malloc(PAGE), *s3 = malloc(PAGE);
    uint64_t kv = 0;
    size_t na, nb;
    bool same13, same12;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (s1 == NULL || s2 == NULL || s3 == NULL) {
        goto out;
    }
    secret_fill(a, sizeof(a), 0x0A);
    secret_fill(b, sizeof(b), 0x0B);
    na = msg_kv_put(ma, sizeof(ma), a, sizeof(a));
    nb = msg_kv_put(mb, sizeof(mb), b, sizeof(b));
    kv_launch(c, &l);
    err = atk_vm_start(c, &vm, &l, ma, na);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!atk_gpa_spa(&vm, KV_PAGE_GPA, &kv)) {
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

/*
 * A plain VM's read-back point for a page rollback (i3-replay-page, n8-phys-replay and
 * cachewarp on plain, where the SNP pages those use are never touched): the kv app stores
 * record A, the host snapshots its working page (WBINVD, then a host read into @old, PAGE
 * bytes, or with @phys the DRAM cells, sim/phys_if.h; *kv its SPA), then lets the guest store
 * record B; the guest then has SHUTDOWN pending and its store may still sit in the cache.
 */
snp_err
atk_kv_two_records(struct snp_atk_ctx *c, struct atk_vm *vm, bool phys, uint64_t *kv, uint8_t *old)
{
    struct snp_vmm_launch l;
    uint8_t a[SECRET_BYTES], b[SECRET_BYTES], msg[128];
    size_t n;

    secret_fill(a, sizeof(a), SEED_A);
    secret_fill(b, sizeof(b), SEED_B);
    kv_launch(c, &l);
    n = msg_kv_put(msg, sizeof(msg), a, sizeof(a));
    SNP_TRY(atk_vm_start(c, vm, &l, msg, n));
    n = msg_kv_put(msg, sizeof(msg), b, sizeof(b));
    SNP_TRY(atk_vm_exchange(vm, msg, n)); /* A stored, B pending */
    SNP_ENSURE(put_ok(vm) && atk_gpa_spa(vm, KV_PAGE_GPA, kv), SNP_E_STATE);
    SNP_ENSURE(snp_host_wbinvd(c->m) == SNP_OK, SNP_E_STATE);
    if (phys) {
        SNP_TRY(snp_phys_read(c->m, *kv, old, PAGE));
    } else {
        SNP_ENSURE(snp_host_read(c->m, *kv, old, PAGE) == SNP_HW_OK, SNP_E_STATE);
    }
    atk_trace(c, SNP_ATK_ACT_HV, "%skv page (SPA 0x%llx) after record A: snapshot taken",
              phys ? "physical: " : "", (unsigned long long)*kv);
    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_shutdown(msg))); /* B stored, SHUTDOWN pending */
    SNP_ENSURE(put_ok(vm), SNP_E_STATE);
    atk_trace(c, SNP_ATK_ACT_GUEST, "stored record B in its kv page");
    return SNP_OK;
}

/* Which record the kv page at @kv holds in DRAM now (WBINVD, host read): 'A', 'B' or '?'. */
snp_err
atk_kv_record(struct snp_atk_ctx *c, uint64_t kv, char *which)
{
    uint8_t v[SECRET_BYTES], want[SECRET_BYTES];

    SNP_ENSURE(snp_host_wbinvd(c->m) == SNP_OK, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, kv + KV_VAL_OFF, v, sizeof(v)) == SNP_HW_OK, SNP_E_STATE);
    *which = '?';
    secret_fill(want, sizeof(want), SEED_A);
    if (memcmp(v, want, sizeof(v)) == 0) {
        *which = 'A';
    }
    secret_fill(want, sizeof(want), SEED_B);
    if (memcmp(v, want, sizeof(v)) == 0) {
        *which = 'B';
    }
    atk_trace(c, SNP_ATK_ACT_HW, "the kv page's record in DRAM: %c", *which);
    return SNP_OK;
}

/*
 * Resume one exit; *tick tells whether it was the host's preemption tick. A plain VM's save
 * area names the exit (SNP_EXIT_INTR). The VMM's status names only the exits it served for the
 * guest (VMGEXIT) and stops: the attacker plants a sentinel first, and an untouched one means
 * an automatic exit (with the tick set and a kv request running, the tick: the kv app does not
 * idle inside a request).
 */
static snp_err
step_tick(struct snp_atk_ctx *c, struct atk_vm *vm, bool *tick)
{
    unsigned calls = vm->chan_calls;

    *tick = false;
    vm->v->status.last_exit = SENTINEL_EXIT;
    SNP_TRY(atk_vm_step(vm));
    if (vm->st.stop != SNP_VMM_RUNNING || vm->chan_calls != calls) {
        return SNP_OK;
    }
    if (c->profile == SNP_ATK_PLAIN) {
        uint8_t page[SNP_VMSA_SIZE];
        struct snp_vmsa s;
        SNP_ENSURE(snp_host_read(c->m, vm->v->vmsa_spa[0], page, sizeof(page)) == SNP_HW_OK,
                   SNP_E_STATE);
        SNP_TRY(snp_vmsa_decode(&s, page, sizeof(page), NULL));
        *tick = s.guest_exit_code == SNP_EXIT_INTR;
        snp_wipe(&s, sizeof(s));
    } else {
        *tick = vm->st.last_exit == SENTINEL_EXIT;
    }
    return SNP_OK;
}

/* atk_vm_exchange() counting the exits (*exits) and the preemption-tick exits among them. */
static snp_err
exchange_ticks(struct snp_atk_ctx *c, struct atk_vm *vm, const uint8_t *req, size_t len,
               uint64_t *exits, uint64_t *ticks)
{
    unsigned calls = vm->chan_calls;
    uint64_t before = vm->st.exits;
    bool tick;

    SNP_ENSURE(len <= sizeof(vm->next), SNP_E_RANGE);
    memcpy(vm->next, req, len);
    vm->next_len = len;
    vm->last_len = 0;
    *ticks = 0;
    while (vm->chan_calls == calls && vm->st.stop == SNP_VMM_RUNNING) {
        SNP_TRY(step_tick(c, vm, &tick));
        *ticks += tick;
    }
    *exits = vm->st.exits - before;
    return SNP_OK;
}

/*
 * Page-fault controlled channel and single stepping: unmap the kv page in the NPT while a
 * KV_PUT is pending, see the guest fault on it (the host learns the access and its moment),
 * map it back and resume; then serve the next request with a preemption tick of one guest
 * operation (SEV-Step) and count the exits, telling the preemption-tick exits (the single
 * steps, one guest operation each) from those the guest asked for. The guest is not told
 * either way.
 */
snp_err
atk_pf_channel(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t v1[SECRET_BYTES], m1[128], m2[128], sd[8];
    uint64_t e = 0, gfn = KV_PAGE_GPA >> SNP_PAGE_SHIFT, npf_at = 0, before, steps = 0, ticks = 0,
             plain_exits;
    size_t n1;
    unsigned calls;
    bool faulted;
    snp_err err;

    secret_fill(v1, sizeof(v1), 0x5E);
    n1 = msg_kv_put(m1, sizeof(m1), v1, sizeof(v1));
    memcpy(m2, m1, n1);
    kv_launch(c, &l);
    err = atk_vm_start(c, &vm, &l, m1, n1);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (snp_host_npt_get(c->m, vm.v->vm, gfn, &e) != SNP_OK ||
        snp_host_npt_set(c->m, vm.v->vm, gfn, e & ~SNP_NPT_PRESENT) != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NPT: kv page GPA 0x%llx not present; resume the guest",
              (unsigned long long)KV_PAGE_GPA);
    calls = vm.chan_calls;
    before = vm.st.exits;
    err = atk_vm_exchange(&vm, m2, n1);
    if (err != SNP_OK) {
        goto out;
    }
    faulted = vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_NPF;
    npf_at = vm.st.exits - before;
    atk_trace(c, SNP_ATK_ACT_HW, "%s after %llu exit(s)",
              faulted ? "#NPF on the kv page" : "no #NPF", (unsigned long long)npf_at);
    err = SNP_E_STATE;
    if (snp_host_npt_set(c->m, vm.v->vm, gfn, e) != SNP_OK) {
        goto out;
    }
    /* Map it back and resume: the faulting access is retried. */
    while (vm.chan_calls == calls &&
           (vm.st.stop == SNP_VMM_RUNNING ||
            (vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_NPF))) {
        err = atk_vm_step(&vm);
        if (err != SNP_OK) {
            goto out;
        }
    }
    if (!put_ok(&vm)) {
        err = SNP_E_STATE;
        goto out;
    }
    plain_exits = vm.st.exits - before;
    /* Single stepping: the next request with a tick of one guest operation. */
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], 1);
    if (err != SNP_OK) {
        goto out;
    }
    err = exchange_ticks(c, &vm, sd, atk_msg_shutdown(sd), &steps, &ticks);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], 0);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HW,
              "tick 1: the same request took %llu exits, %llu of them the preemption tick (one "
              "guest operation each); untimed it took %llu",
              (unsigned long long)steps, (unsigned long long)ticks,
              (unsigned long long)plain_exits);
    if (faulted && put_ok(&vm) && ticks > 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "#NPF on the kv page %llu exit(s) into the request revealed the access; "
                     "remapped, the guest answered without noticing; single-stepped: %llu "
                     "preemption-tick exits (one guest operation each) among %llu exits for a "
                     "request of %llu untimed",
                     (unsigned long long)npf_at, (unsigned long long)ticks,
                     (unsigned long long)steps, (unsigned long long)plain_exits);
    } else {
        char b[96];
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "no access observed (fault %d) or no step (%llu tick exits); guest %s",
                     (int)faulted, (unsigned long long)ticks, atk_stop_text(&vm, b, sizeof(b)));
    }
    err = SNP_OK;
out:
    atk_vm_free(&vm);
    return err;
}
