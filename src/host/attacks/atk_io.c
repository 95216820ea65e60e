/*
 * host/attacks/atk_io.c - I/O is visible (THREAT-MODEL.md N4): what the guest sends through
 * shared pages, the hypervisor reads; the same data under TLS terminated inside the guest, it
 * does not.
 *
 * The channel of the device model is two shared 8-page buffers (tx guest -> host, rx host ->
 * guest, docs/guest.md): shared pages are C-bit clear by design (the host must read them to
 * emulate the device), so memory encryption never covers them. After EVERY exchange the
 * scenario, as the hypervisor, reads both buffers whole through its own host view
 * (snp_host_read() at the SPAs its nested page table names) and searches them for the secret.
 *
 * n4-io-plain: the kv app (`snpkit.app=kv`) is given a secret (KV_PUT) and hands it back in
 * its own clear protocol (KV_GET answers with the unsealed value). Enabling condition: the
 * guest's protocol is plaintext. Defence: none in SNP (conceded by N4): encrypt in the guest.
 * Expected: SUCCEEDED on every profile.
 *
 * n4-io-atls: the aTLS guest (`snpkit.app=atls`, an echo service; env guest_atls) with the
 * hypervisor as its untrusted network device: NET messages (op 0x30) carry the TLS records.
 * The client is the caller's plug-in (env tls, snp_atk_tls_fn: host/ may not include atls/):
 * it verifies the guest's evidence in the handshake (fresh nonce, expected MEASUREMENT
 * computed from the launch inputs without the PSP) before it sends the secret, and reads the
 * echo. The wire is this file's: every byte passes through the shared pages the scenario
 * scans. Outcome BLOCKED_GUEST when the secret went there and back (the control: the echo
 * equals it) and no read of the shared pages held it, only TLS records (application_data
 * records, header 17 03 03, counted in both directions). Declared on snp and snp-patched only:
 * the aTLS app does not start on a plain VM, whose attestation device answers every request
 * with SNP_E_UNSUPPORTED (no evidence, no certificate). TLS would protect the wire there too,
 * but a plain VM's host reads the TLS key from guest memory as c3-key-scan reads any secret:
 * that, not the wire, is why aTLS needs SNP.
 *
 * The NET format (snpkit/atls.h) is restated here: host/ may not include the atls module.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/measure.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define KV_CMDLINE   "console=ttyS0 snpkit.app=kv"
#define ATLS_CMDLINE "console=ttyS0 snpkit.app=atls"
#define OP_KV_PUT    SNP_CHAN_OP_KV_PUT
#define OP_KV_GET    SNP_CHAN_OP_KV_GET
#define MEAS_LEN     48u
#define CHAN_BYTES   ((size_t)SNP_VMM_CHAN_PAGES * SNP_PAGE_SIZE)
#define NEEDLE_LEN   16u /* a hit on 16 bytes of the secret is plaintext */

/* NET message body (snpkit/atls.h): u32 flags, records u32 id, u8 kind, u8 0, u16 len, data. */
#define NET_HDR         4u
#define NET_REC_HDR     8u
#define NET_MORE        1u
#define NET_OPEN        0x01
#define NET_CLIENT_DATA 0x02
#define NET_TO_CLIENT   0x81
#define NET_CLOSE       0x84
#define NET_CONN        7u  /* the connection id the hypervisor gives its one client */
#define NET_MORE_MAX    16u /* answers with MORE in a row before giving up */
#define TLS_REC_MAX     (16384u + 256u)

/* The secret the client hands the guest (known to the scenario: its oracle, as in c3). */
static const char io_secret[] = "N4 secret: patient 4711, diagnosis confidential, do not disclose";

/* ---- the hypervisor's view of the shared channel pages ---------------------------------- */

struct io_watch {
    struct snp_atk_ctx *c;
    uint64_t tx[SNP_VMM_CHAN_PAGES], rx[SNP_VMM_CHAN_PAGES]; /* SPA of each page */
    uint8_t *txb, *rxb;                                      /* the last reads, CHAN_BYTES */
    size_t reads;                                            /* reads of both buffers */
    size_t hits_tx, hits_rx;                                 /* reads holding the secret */
    uint64_t spa_tx, spa_rx;                                 /* where it was first seen */
};

static snp_err
watch_init(struct io_watch *w, const struct atk_vm *vm)
{
    memset(w, 0, sizeof(*w));
    w->c = vm->c;
    for (unsigned i = 0; i < SNP_VMM_CHAN_PAGES; i++) {
        uint64_t off = (uint64_t)i * SNP_PAGE_SIZE;
        if (!atk_gpa_spa(vm, SNP_VMM_CHAN_TX_GPA + off, &w->tx[i]) ||
            !atk_gpa_spa(vm, SNP_VMM_CHAN_RX_GPA + off, &w->rx[i])) {
            return SNP_E_STATE;
        }
    }
    w->txb = malloc(CHAN_BYTES);
    w->rxb = malloc(CHAN_BYTES);
    return w->txb != NULL && w->rxb != NULL ? SNP_OK : SNP_E_NOMEM;
}

static void
watch_free(struct io_watch *w)
{
    free(w->txb);
    free(w->rxb);
    w->txb = w->rxb = NULL;
}

/* Offset of the first NEEDLE_LEN bytes of the secret in @b, or -1. */
static long
find_secret(const uint8_t *b, size_t n)
{
    const uint8_t *s = (const uint8_t *)io_secret;

    for (size_t i = 0; i + NEEDLE_LEN <= n; i++) {
        if (b[i] == s[0] && memcmp(b + i, s, NEEDLE_LEN) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* Read one 8-page buffer (host view, page by page) and search it. */
static snp_err
watch_buf(struct io_watch *w, const uint64_t *spa, uint8_t *buf, size_t *hits, uint64_t *first,
          const char *name)
{
    long at;

    for (unsigned i = 0; i < SNP_VMM_CHAN_PAGES; i++) {
        if (snp_host_read(w->c->m, spa[i], buf + (size_t)i * SNP_PAGE_SIZE, SNP_PAGE_SIZE) !=
            SNP_HW_OK) {
            return SNP_E_STATE;
        }
    }
    at = find_secret(buf, CHAN_BYTES);
    if (at >= 0) {
        uint64_t where = spa[(size_t)at / SNP_PAGE_SIZE] + ((uint64_t)at & (SNP_PAGE_SIZE - 1));
        if ((*hits)++ == 0) {
            *first = where;
        }
        atk_trace(w->c, SNP_ATK_ACT_HV, "read the secret in plaintext in the %s page at SPA 0x%llx",
                  name, (unsigned long long)where);
    }
    return SNP_OK;
}

/* What the hypervisor does after every exchange: read both channel buffers whole. */
static snp_err
watch_scan(struct io_watch *w)
{
    SNP_TRY(watch_buf(w, w->tx, w->txb, &w->hits_tx, &w->spa_tx, "tx (guest -> host)"));
    SNP_TRY(watch_buf(w, w->rx, w->rxb, &w->hits_rx, &w->spa_rx, "rx (host -> guest)"));
    w->reads++;
    return SNP_OK;
}

/* After SHUTDOWN was handed over: let the guest return (it frees what its app holds). */
static snp_err
io_vm_finish(struct atk_vm *vm)
{
    for (unsigned i = 0; i < 64 && vm->st.stop == SNP_VMM_RUNNING; i++) {
        SNP_TRY(atk_vm_step(vm));
    }
    return SNP_OK;
}

/* ---- n4-io-plain: the kv app's clear protocol ---------------------------------------------- */

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

snp_err
atk_n4_io_plain(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct io_watch w;
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
        err = watch_init(&w, &vm);
    }
    if (err == SNP_OK) {
        err = watch_scan(&w); /* HELLO; the client's PUT */
    }
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, msg_kv_put(msg, 'p', "filler", 6));
    }
    if (err == SNP_OK) {
        err = watch_scan(&w);
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
        err = watch_scan(&w);
    }
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg)); /* the GET's answer */
    }
    if (err == SNP_OK) {
        err = watch_scan(&w);
    }
    if (err != SNP_OK) {
        goto out;
    }
    got = answered(&vm, OP_KV_GET) && vm.last_len == 4 + sizeof(io_secret) - 1 &&
          memcmp(vm.last + 4, io_secret, sizeof(io_secret) - 1) == 0;
    atk_trace(c, SNP_ATK_ACT_GUEST, "KV_GET answered %s", got ? "the secret" : "something else");
    err = io_vm_finish(&vm);
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
    watch_free(&w);
    atk_vm_free(&vm);
    free(msg);
    return err;
}

/* ---- n4-io-atls: the hypervisor is the aTLS guest's network device ----------------------- */

/* A TLS record stream as the hypervisor sees it: headers in clear, payloads opaque. */
struct tls_walk {
    uint8_t hdr[5];
    size_t have, left;
    size_t recs, appdata; /* records; application_data records (17 03 03) */
    size_t bytes;
    bool bad;
};

static void
tls_walk(struct tls_walk *t, const uint8_t *p, size_t n)
{
    t->bytes += n;
    while (n > 0) {
        if (t->left > 0) {
            size_t k = t->left < n ? t->left : n;
            t->left -= k;
            p += k;
            n -= k;
            continue;
        }
        t->hdr[t->have++] = *p++;
        n--;
        if (t->have == sizeof(t->hdr)) {
            t->have = 0;
            t->left = (size_t)t->hdr[3] << 8 | t->hdr[4];
            t->recs++;
            t->bad = t->bad || t->hdr[1] != 0x03 || t->left > TLS_REC_MAX;
            if (t->hdr[0] == 0x17 && t->hdr[1] == 0x03 && t->hdr[2] == 0x03) {
                t->appdata++;
            }
        }
    }
}

struct io_net {
    struct atk_vm *vm;
    struct io_watch *w;
    uint8_t *msg; /* the next NET message, ATK_MSG_MAX */
    bool more, closed;
    size_t exchanges;
    struct tls_walk up, down; /* client -> guest, guest -> client */
};

static void
net_begin(uint8_t *msg, size_t *off)
{
    memset(msg, 0, SNP_CHAN_MSG_HDR + NET_HDR);
    msg[0] = SNP_CHAN_OP_NET;
    *off = SNP_CHAN_MSG_HDR + NET_HDR; /* flags 0 */
}

static snp_err
net_put(uint8_t *msg, size_t *off, uint8_t kind, const uint8_t *data, size_t len)
{
    SNP_ENSURE(len <= 0xFFFF && *off + NET_REC_HDR + len <= ATK_MSG_MAX, SNP_E_SPACE);
    snp_put_le32(msg + *off, NET_CONN);
    msg[*off + 4] = kind;
    msg[*off + 5] = 0;
    snp_put_le16(msg + *off + 6, (uint16_t)len);
    if (len > 0) {
        memcpy(msg + *off + NET_REC_HDR, data, len);
    }
    *off += NET_REC_HDR + len;
    return SNP_OK;
}

/*
 * The guest's answer, from the hypervisor's own read of the tx buffer (u32 len @0, message
 * @0x10): TLS records for the client appended to @from, CLOSE and MORE noted.
 */
static snp_err
net_collect(struct io_net *nt, uint8_t *from, size_t cap, size_t *from_len)
{
    const uint8_t *b = nt->w->txb;
    size_t len = snp_le32(b), off;

    SNP_ENSURE(len >= SNP_CHAN_MSG_HDR + NET_HDR && len <= SNP_CHAN_MAX, SNP_E_FORMAT);
    b += SNP_VMM_CHAN_HDR;
    if (b[0] != (SNP_CHAN_OP_NET | SNP_CHAN_OP_RESPONSE) || b[1] != 0) {
        atk_trace(nt->vm->c, SNP_ATK_ACT_GUEST, "answered op 0x%02x status %u", b[0], b[1]);
        return SNP_E_STATE;
    }
    nt->more = (snp_le32(b + SNP_CHAN_MSG_HDR) & NET_MORE) != 0;
    for (off = SNP_CHAN_MSG_HDR + NET_HDR; off < len;) {
        size_t dl;
        uint8_t kind;

        SNP_ENSURE(len - off >= NET_REC_HDR, SNP_E_TRUNCATED);
        kind = b[off + 4];
        dl = snp_le16(b + off + 6);
        SNP_ENSURE(len - off - NET_REC_HDR >= dl, SNP_E_TRUNCATED);
        if (snp_le32(b + off) == NET_CONN && kind == NET_TO_CLIENT) {
            SNP_ENSURE(cap - *from_len >= dl, SNP_E_SPACE);
            memcpy(from + *from_len, b + off + NET_REC_HDR, dl);
            *from_len += dl;
            tls_walk(&nt->down, b + off + NET_REC_HDR, dl);
        } else if (snp_le32(b + off) == NET_CONN && kind == NET_CLOSE) {
            nt->closed = true;
        }
        off += NET_REC_HDR + dl;
    }
    return SNP_OK;
}

/* One doorbell: hand @len bytes of nt->msg to the guest, read the shared pages, collect. */
static snp_err
net_round(struct io_net *nt, size_t len, uint8_t *from, size_t cap, size_t *from_len)
{
    SNP_TRY(atk_vm_exchange(nt->vm, nt->msg, len));
    SNP_ENSURE(nt->vm->st.stop == SNP_VMM_RUNNING, SNP_E_STATE);
    nt->exchanges++;
    SNP_TRY(watch_scan(nt->w));
    return net_collect(nt, from, cap, from_len);
}

/* snp_atk_wire_fn: the client's bytes as CLIENT_DATA; the guest's TO_CLIENT records back. */
static snp_err
net_wire(void *ctx, const uint8_t *to_guest, size_t len, uint8_t *from, size_t cap,
         size_t *from_len)
{
    struct io_net *nt = ctx;
    size_t off, empty;

    *from_len = 0;
    net_begin(nt->msg, &off);
    for (size_t done = 0; done < len;) {
        size_t k = len - done < 0xFFFF ? len - done : 0xFFFF;
        SNP_TRY(net_put(nt->msg, &off, NET_CLIENT_DATA, to_guest + done, k));
        done += k;
    }
    tls_walk(&nt->up, to_guest, len);
    /* The channel answers one message late: this round brings the answer to the previous
     * (empty) message, the next one the answer to these bytes, then as long as MORE. */
    SNP_TRY(net_round(nt, off, from, cap, from_len));
    net_begin(nt->msg, &empty);
    SNP_TRY(net_round(nt, empty, from, cap, from_len));
    for (unsigned i = 0; nt->more && i < NET_MORE_MAX; i++) {
        SNP_TRY(net_round(nt, empty, from, cap, from_len));
    }
    if (nt->closed && *from_len == 0) {
        atk_trace(nt->vm->c, SNP_ATK_ACT_GUEST, "closed the connection");
        return SNP_E_STATE;
    }
    return SNP_OK;
}

/* The launch digest of @l from its inputs alone (no PSP): what the client expects. */
static snp_err
io_expected_digest(const struct snp_vmm_launch *l, uint8_t out[MEAS_LEN])
{
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t digest[SNP_MEASURE_MAX_OUT];
    uint8_t *scratch = malloc(SNP_VMM_FW_SIZE);
    size_t n = 0;
    snp_err err = SNP_E_NOMEM;

    if (scratch != NULL) {
        err = snp_vmm_measure_params(l, scratch, &h, &p);
    }
    if (err == SNP_OK) {
        err = snp_measure(&p, digest, &n, NULL);
    }
    if (err == SNP_OK && n != MEAS_LEN) {
        err = SNP_E_STATE;
    }
    if (err == SNP_OK) {
        memcpy(out, digest, MEAS_LEN);
    }
    free(scratch);
    return err;
}

/* Judge what the hypervisor saw (see the file comment). */
static snp_err
atls_judge(const struct io_net *nt, const struct snp_atk_tls *t, const char *mhex,
           struct snp_atk_observed *obs)
{
    const size_t slen = sizeof(io_secret) - 1;
    const struct io_watch *w = nt->w;

    if (w->hits_tx + w->hits_rx > 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "read the %zu-byte secret in plaintext in the shared channel pages of the "
                     "TLS connection (tx: %zu of %zu reads, SPA 0x%llx; rx: %zu, SPA 0x%llx)",
                     slen, w->hits_tx, w->reads, (unsigned long long)w->spa_tx, w->hits_rx,
                     (unsigned long long)w->spa_rx);
        return SNP_OK;
    }
    if (!t->verified) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "control failed: the client refused the guest (%s: %s)",
                     snp_err_name(t->verdict), t->why);
        return SNP_E_STATE;
    }
    if (t->echo_len != slen || memcmp(t->echo, io_secret, slen) != 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "control failed: the secret did not come back through the guest (%zu bytes)",
                     t->echo_len);
        return SNP_E_STATE;
    }
    if (nt->up.appdata == 0 || nt->down.appdata == 0 || nt->up.bad || nt->down.bad) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "no plaintext seen, but the wire did not carry TLS application_data both "
                     "ways (%zu up, %zu down, malformed %d)",
                     nt->up.appdata, nt->down.appdata, (int)(nt->up.bad || nt->down.bad));
        return SNP_E_STATE;
    }
    atk_evidence(obs, SNP_ATK_BLOCKED_GUEST,
                 "the client verified the guest (fresh nonce, MEASUREMENT %.16s..) and sent the "
                 "%zu-byte secret, the guest echoed it; %zu reads of both 8-page shared channel "
                 "buffers (after each doorbell) never held it: only TLS records, %zu bytes to the "
                 "guest in %zu records (%zu application_data, 17 03 03) and %zu bytes from it in "
                 "%zu (%zu application_data); the key and plaintext stay in private memory",
                 mhex, slen, w->reads, nt->up.bytes, nt->up.recs, nt->up.appdata, nt->down.bytes,
                 nt->down.recs, nt->down.appdata);
    return SNP_OK;
}

snp_err
atk_n4_io_atls(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    const struct snp_atk_env *env = c->env;
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct io_watch w;
    struct io_net nt;
    struct snp_atk_tls t;
    uint8_t want[MEAS_LEN];
    uint64_t reported = 0, current = 0;
    char mhex[2 * MEAS_LEN + 1];
    size_t off;
    snp_err err;

    memset(&vm, 0, sizeof(vm));
    memset(&w, 0, sizeof(w));
    memset(&nt, 0, sizeof(nt));
    memset(&t, 0, sizeof(t));
    if (env->guest_atls == NULL || env->tls == NULL) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no aTLS guest program or client in the env");
        return SNP_E_UNSUPPORTED;
    }
    atk_launch_default(c, &l);
    l.entry = env->guest_atls;
    l.cmdline = ATLS_CMDLINE;
    SNP_TRY(io_expected_digest(&l, want));
    SNP_TRY(snp_hex_encode(mhex, sizeof(mhex), want, MEAS_LEN));
    nt.msg = malloc(ATK_MSG_MAX);
    if (nt.msg == NULL) {
        return SNP_E_NOMEM;
    }
    /* The first message the guest reads after HELLO: a client connected. */
    net_begin(nt.msg, &off);
    err = net_put(nt.msg, &off, NET_OPEN, NULL, 0);
    if (err == SNP_OK) {
        err = atk_vm_start(c, &vm, &l, nt.msg, off);
    }
    if (err == SNP_OK) {
        err = watch_init(&w, &vm);
    }
    if (err == SNP_OK) {
        err = watch_scan(&w); /* HELLO; OPEN */
    }
    if (err == SNP_OK) {
        err = snp_vmm_platform_tcb(vm.v, &reported, &current);
    }
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "HELLO \"%.*s\"; NET OPEN of connection %u",
              (int)(vm.last_len - 4 < 16 ? vm.last_len - 4 : 16), (const char *)vm.last + 4,
              NET_CONN);
    nt.vm = &vm;
    nt.w = &w;
    t.measurement = want;
    t.reported_tcb = reported;
    t.msg = (const uint8_t *)io_secret;
    t.msg_len = sizeof(io_secret) - 1;
    t.wire = net_wire;
    t.wire_ctx = &nt;
    err = env->tls(env->tls_ctx, &t);
    atk_trace(c, SNP_ATK_ACT_VERIFIER, "aTLS client: %s (%s%s%s), %zu bytes echoed",
              t.verified ? "verified the guest" : "refused the guest", snp_err_name(t.verdict),
              t.why[0] != '\0' ? ": " : "", t.why, t.echo_len);
    if (err != SNP_OK) {
        goto out;
    }
    if (vm.st.stop == SNP_VMM_RUNNING) {
        err = atk_vm_exchange(&vm, nt.msg, atk_msg_shutdown(nt.msg));
        if (err == SNP_OK) {
            err = watch_scan(&w);
        }
        if (err == SNP_OK) {
            err = io_vm_finish(&vm);
        }
        if (err != SNP_OK) {
            goto out;
        }
    }
    err = atls_judge(&nt, &t, mhex, obs);
out:
    snp_wipe(t.echo, sizeof(t.echo));
    watch_free(&w);
    atk_vm_free(&vm);
    free(nt.msg);
    return err;
}
