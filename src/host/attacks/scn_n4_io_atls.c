/*
 * host/attacks/scn_n4_io_atls.c - n4-io-atls (THREAT-MODEL.md N4): the same secret as
 * n4-io-plain under TLS terminated inside the guest, which the hypervisor does not read (the
 * watch: atk_watch.c).
 *
 * The channel of the device model is two shared 8-page buffers (tx guest -> host, rx host ->
 * guest, docs/guest.md): shared pages are C-bit clear by design (the host must read them to
 * emulate the device), so memory encryption never covers them. After EVERY exchange the
 * scenario, as the hypervisor, reads both buffers whole through its own host view
 * (snp_host_read() at the SPAs its nested page table names) and searches them for the secret.
 *
 * The aTLS guest (`snpkit.app=atls`, an echo service; env guest_atls) with the hypervisor as
 * its untrusted network device: NET messages (op 0x30) carry the TLS records. The client is
 * the caller's plug-in (env tls, snp_atk_tls_fn: host/ may not include atls/): it verifies the
 * guest's evidence in the handshake (fresh nonce, expected MEASUREMENT computed from the launch
 * inputs without the PSP) before it sends the secret, and reads the echo. The wire is this
 * file's: every byte passes through the shared pages the scenario scans. Outcome BLOCKED_GUEST
 * when the secret went there and back (the control: the echo equals it) and no read of the
 * shared pages held it, only TLS records (application_data records, header 17 03 03, counted
 * in both directions). Declared on snp and snp-patched only: the aTLS app does not start on a
 * plain VM, whose attestation device answers every request with SNP_E_UNSUPPORTED (no
 * evidence, no certificate). TLS would protect the wire there too, but a plain VM's host reads
 * the TLS key from guest memory as c3-key-scan reads any secret: that, not the wire, is why
 * aTLS needs SNP.
 *
 * The NET format (snpkit/atls.h) is restated here: host/ may not include the atls module.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define ATLS_CMDLINE "console=ttyS0 snpkit.app=atls"
#define MEAS_LEN     48u

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
static const char io_secret[] = ATK_IO_SECRET;

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
    struct atk_io_watch *w;
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
    SNP_TRY(atk_watch_scan(nt->w));
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

/* Judge what the hypervisor saw (see the file comment). */
static snp_err
atls_judge(const struct io_net *nt, const struct snp_atk_tls *t, const char *mhex,
           struct snp_atk_observed *obs)
{
    const size_t slen = sizeof(io_secret) - 1;
    const struct atk_io_watch *w = nt->w;

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

static snp_err
atk_n4_io_atls(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    const struct snp_atk_env *env = c->env;
    struct snp_vmm_launch l;
    struct atk_vm vm;
    struct atk_io_watch w;
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
    SNP_TRY(atk_expected_digest(&l, want));
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
        err = atk_watch_init(&w, &vm);
    }
    if (err == SNP_OK) {
        err = atk_watch_scan(&w); /* HELLO; OPEN */
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
            err = atk_watch_scan(&w);
        }
        if (err == SNP_OK) {
            err = atk_io_vm_finish(&vm);
        }
        if (err != SNP_OK) {
            goto out;
        }
    }
    err = atls_judge(&nt, &t, mhex, obs);
out:
    snp_wipe(t.echo, sizeof(t.echo));
    atk_watch_free(&w);
    atk_vm_free(&vm);
    free(nt.msg);
    return err;
}

/* I/O is outside the SNP guarantees (THREAT-MODEL.md N4): shared pages are the host's to
 * read; only the guest's own encryption (TLS terminated inside it) keeps data private. */
const struct snp_atk_scenario atk_scn_n4_io_atls = {
    .id = "n4-io-atls",
    .title = "read the same secret sent over aTLS to the guest",
    .ref = "N4",
    .cap = "H1, H6",
    .condition =
        "the hypervisor is the guest's network device: every TLS record crosses the shared pages",
    .defence = "TLS terminated inside the guest, the client verifies the evidence first: "
               "ciphertext only. Not on a plain VM: no attestation there, and its host could read "
               "the TLS key from guest memory (c3-key-scan)",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_BLOCKED_GUEST, SNP_ATK_BLOCKED_GUEST},
    .run = atk_n4_io_atls,
};
