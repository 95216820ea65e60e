/*
 * host/attacks/scn_n4_io_plain.c - n4-io-plain (THREAT-MODEL.md N4): I/O is visible, what the
 * guest sends through shared pages the hypervisor reads (the watch: atk_watch.c).
 *
 * The channel of the device model is two shared 8-page buffers (tx guest -> host, rx host ->
 * guest, docs/guest.md): shared pages are C-bit clear by design (the host must read them to
 * emulate the device), so memory encryption never covers them. After EVERY exchange the
 * scenario, as the hypervisor, reads both buffers whole through its own host view
 * (snp_host_read() at the SPAs its nested page table names) and searches them for the secret.
 *
 * The kv app (`snpkit.app=kv`) is given a secret (KV_PUT) and hands it back in its own clear
 * protocol (KV_GET answers with the unsealed value). Enabling condition: the guest's protocol
 * is plaintext. Defence: none in SNP (conceded by N4): encrypt in the guest. Expected:
 * SUCCEEDED on every profile. n4-io-atls sends the same secret over aTLS.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define KV_CMDLINE "console=ttyS0 snpkit.app=kv"
#define OP_KV_PUT  SNP_CHAN_OP_KV_PUT
#define OP_KV_GET  SNP_CHAN_OP_KV_GET

/* The secret the client hands the guest (known to the scenario: its oracle, as in c3). */
static const char io_secret[] = ATK_IO_SECRET;

/* KV_PUT key @k = @val (@vlen bytes, at most 64). */
static size_t
msg_kv_put(uint8_t *out, char k, const char *val, size_t vlen)
{
    memset(out, 0, 7);
    out[0] = OP_KV_PUT;
    out[4] = 1; /* u16 klen */
    out[6] = (uint8_t)k;
    memcpy(out + 7, val, vlen);
    return 7 + vlen;
}

/* KV_GET key @k with the sealed blob the guest gave for it. */
static size_t
msg_kv_get(uint8_t *out, size_t cap, char k, const uint8_t *blob, size_t blen)
{
    if (cap < 7 + blen) {
        return 0;
    }
    memset(out, 0, 7);
    out[0] = OP_KV_GET;
    out[4] = 1;
    out[6] = (uint8_t)k;
    memcpy(out + 7, blob, blen);
    return 7 + blen;
}

/* Whether the guest's last message answers @op with status 0. */
static bool
answered(const struct atk_vm *vm, uint8_t op)
{
    return vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
           vm->last[0] == (uint8_t)(op | SNP_CHAN_OP_RESPONSE) && vm->last[1] == 0;
}

static snp_err
atk_n4_io_plain(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct atk_io_watch w;
    uint8_t *msg = malloc(ATK_MSG_MAX), blob[256];
    size_t n, blen = 0;
    bool got = false;
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    memset(&w, 0, sizeof(w));
    if (msg == NULL) {
        goto out;
    }
    atk_launch_default(c, &l);
    l.cmdline = KV_CMDLINE;
    /* The client's requests as the device relays them: PUT k, PUT p (a filler: the channel
     * answers one request late), GET k with the blob, SHUTDOWN. */
    err = atk_vm_start(c, &vm, &l, msg, msg_kv_put(msg, 'k', io_secret, sizeof(io_secret) - 1));
    if (err == SNP_OK) {
        err = atk_watch_init(&w, &vm);
    }
    if (err == SNP_OK) {
        err = atk_watch_scan(&w); /* HELLO; the client's PUT */
    }
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, msg_kv_put(msg, 'p', "filler", 6));
    }
    if (err == SNP_OK) {
        err = atk_watch_scan(&w);
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_STATE;
    if (!answered(&vm, OP_KV_PUT) || vm.last_len - 4 > sizeof(blob)) {
        goto out;
    }
    blen = vm.last_len - 4;
    memcpy(blob, vm.last + 4, blen); /* nonce, tag, ciphertext: the guest sealed the value */
    atk_trace(c, SNP_ATK_ACT_GUEST, "stored the secret, sealed blob of %zu bytes", blen);
    n = msg_kv_get(msg, ATK_MSG_MAX, 'k', blob, blen);
    err = n > 0 ? atk_vm_exchange(&vm, msg, n) : SNP_E_RANGE;
    if (err == SNP_OK) {
        err = atk_watch_scan(&w);
    }
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg)); /* the GET's answer */
    }
    if (err == SNP_OK) {
        err = atk_watch_scan(&w);
    }
    if (err != SNP_OK) {
        goto out;
    }
    got = answered(&vm, OP_KV_GET) && vm.last_len == 4 + sizeof(io_secret) - 1 &&
          memcmp(vm.last + 4, io_secret, sizeof(io_secret) - 1) == 0;
    atk_trace(c, SNP_ATK_ACT_GUEST, "KV_GET answered %s", got ? "the secret" : "something else");
    err = atk_io_vm_finish(&vm);
    if (err != SNP_OK) {
        goto out;
    }
    if (!got) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "control failed: the guest did not hand the secret "
                     "back in its KV_GET answer");
        err = SNP_E_STATE;
        goto out;
    }
    if (w.hits_tx + w.hits_rx > 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "read the %zu-byte secret in plaintext in the shared channel pages: the "
                     "guest's KV_GET answer in the tx buffer (SPA 0x%llx, %zu of %zu reads), the "
                     "client's KV_PUT in the rx buffer (SPA 0x%llx, %zu of them); the guest sealed "
                     "the value for storage, its protocol sent it in clear",
                     sizeof(io_secret) - 1, (unsigned long long)w.spa_tx, w.hits_tx, w.reads,
                     (unsigned long long)w.spa_rx, w.hits_rx);
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "%zu reads of both shared channel buffers: the secret never in plaintext",
                     w.reads);
    }
    err = SNP_OK;
out:
    atk_watch_free(&w);
    atk_vm_free(&vm);
    free(msg);
    return err;
}

/* I/O is outside the SNP guarantees (THREAT-MODEL.md N4): shared pages are the host's to
 * read; only the guest's own encryption (TLS terminated inside it) keeps data private. */
const struct snp_atk_scenario atk_scn_n4_io_plain = {
    .id = "n4-io-plain",
    .title = "read what the guest sends in its clear protocol",
    .ref = "N4",
    .cap = "H1, H6",
    .condition =
        "the device channel is shared pages (C-bit clear); the kv app's protocol is plaintext",
    .defence = "none in SNP (conceded by N4): the guest must encrypt its I/O itself",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_n4_io_plain,
};
