/*
 * tests/unit/atls/test_atls_guest.c - attested TLS terminated INSIDE a simulated CVM: the
 * honest VMM boots snp_atls_guest_main() (`snpkit.app=atls`, `atls-proxy`) on a simulated
 * machine with the simulated vendor's certificates stapled; the test is the untrusted network
 * device, relaying a client pipe's TLS records as NET messages of the device channel.
 *
 * Asserted: a verified exchange through the guest's echo service (cached and fresh evidence,
 * the verified report's MEASUREMENT is the launch's); a client expecting another measurement is
 * rejected (policy.measurement, SNP_E_MISMATCH) and its plaintext never reaches the guest app;
 * the proxy app dials the backend only after the handshake and forwards plaintext both ways;
 * every page of guest RAM as the host reads it (the channel's shared pages included) never
 * holds the TLS private key or the application plaintext, while the same plaintext sent in a
 * plain (non-TLS) message is right there in the channel page (the control). Hostile NET
 * messages against the guest app's state machine: malformed messages refused whole, unknown
 * ids ignored, connection and buffer bounds enforced with CLOSE, never a crash.
 */
#include "../host/vmm_fixture.h"
#include "atls_evidence_stub.h"
#include "atls_fixture.h"

#include "atls/atls_int.h"
#include "guest/app.h"
#include "sim/host_if.h"
#include "snpkit/atls.h"
#include "snpkit/certtable.h"
#include "snpkit/report.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"
#include "snpkit/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(SNP_APP_OP_NET == SNP_CHAN_OP_NET, "guest and host agree on the NET op");

#define SEED      "atls guest chip"
#define PLAINTEXT "attack at dawn: the plaintext the hypervisor must not see"

static const char g_echo_cmdline[] = "console=ttyS0 snpkit.app=atls";
static const char g_proxy_cmdline[] = "console=ttyS0 snpkit.app=atls-proxy";

struct fx {
    char dir[256];
    struct snp_vendor *v;
    uint8_t table[16384]; /* VCEK, ASK, ARK of the chip */
    size_t table_len;
    uint8_t *ark;
    size_t ark_len;
    bool plain_seen; /* the control: a plain message's bytes in the channel page */
    uint8_t key[32]; /* the private scalar of the guest's last TLS key (test hook) */
    bool have_key;
};

static struct fx F;

static void
key_hook(const uint8_t *der, size_t len)
{
    /* SEC1 ECPrivateKey: SEQUENCE, INTEGER 1, OCTET STRING (32) = the scalar */
    if (len >= 7 + 32 && der[5] == 0x04 && der[6] == 0x20) {
        memcpy(F.key, der + 7, 32);
        F.have_key = true;
    }
}

static bool
has(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
    for (size_t i = 0; k > 0 && i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

/* What the host reads of guest RAM (all of it: shared pages in clear, private ones sealed). */
static void
scan_ram(struct snp_machine *m, struct snp_vmm *v, const void *needle, size_t k, bool *found)
{
    static uint8_t page[4096 + 64];
    uint64_t spa;

    for (uint64_t gpa = 0; gpa < (uint64_t)SNP_VMM_MEM_PAGES * 4096u; gpa += 4096u) {
        if (snp_vmm_gpa_spa(v, gpa, &spa) != SNP_OK) {
            continue;
        }
        assert_int_equal(snp_host_read(m, spa, page, 4096), SNP_HW_OK);
        if (has(page, 4096, needle, k)) {
            *found = true;
        }
    }
}

/* ---- the control, and the chip's certificate table ----------------------------------------- */

struct ctl {
    struct snp_machine *m;
    struct snp_vmm *v;
    int step;
    uint8_t report[SNP_REPORT_SIZE];
    bool seen;
};

/* The agent: one REPORT whose REPORT_DATA is the plaintext (a plain protocol's message). */
static snp_err
ctl_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct ctl *c = ctx;

    (void)cap;
    memset(to, 0, 4 + 68);
    if (c->step == 0) {
        to[0] = SNP_CHAN_OP_REPORT;
        memcpy(to + 4, PLAINTEXT, 64 < sizeof(PLAINTEXT) ? 64 : sizeof(PLAINTEXT));
        *to_len = 4 + 68;
    } else {
        if (c->step == 1 && len >= 4 + SNP_REPORT_SIZE && from[1] == SNP_OK) {
            memcpy(c->report, from + 4, SNP_REPORT_SIZE);
        }
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    if (c->step == 1) {
        /* the request the host wrote is still in the rx page: the host reads it in clear */
        scan_ram(c->m, c->v, PLAINTEXT, 32, &c->seen);
    }
    c->step++;
    return SNP_OK;
}

static int
setup(void **state)
{
    struct snp_vmm_launch l;
    struct snp_vmm_status st;
    struct snp_report r;
    struct ctl c;
    uint64_t rng = 0x5eed5eed5eed5eedull;
    uint8_t chip[64];

    (void)state;
    memset(&F, 0, sizeof(F));
    atls_fx_vendor(F.dir, "snpkit-atls-guest", &F.v);
    T_OK(
        snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)SEED, sizeof(SEED) - 1, chip));

    /* The agent CVM: a plain message through the channel (the control), and the chip's TCB. */
    memset(&c, 0, sizeof(c));
    c.m = vmm_fx_machine(SEED, &rng, true);
    snp_vmm_launch_default(&l);
    l.entry = snp_guest_app_main;
    T_OK(snp_vmm_new(&c.v, c.m, &l, NULL));
    snp_vmm_set_channel(c.v, ctl_chan, &c);
    T_OK(snp_vmm_run(c.v, 100000, &st));
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    F.plain_seen = c.seen;
    T_OK(snp_report_decode(&r, c.report, sizeof(c.report), NULL));
    snp_vmm_free(c.v);
    snp_machine_free(c.m);

    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &F.ark, &F.ark_len));
    atls_fx_cert_table(F.v, chip, r.reported_tcb, F.ark, F.ark_len, F.table, sizeof(F.table),
                       &F.table_len);
    snp_atls_test_key_hook = key_hook;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    snp_atls_test_key_hook = NULL;
    free(F.ark);
    snp_vendor_free(F.v);
    t_rm_tree(F.dir);
    return 0;
}

/* ---- the untrusted network device, scripted ----------------------------------------------- */

#define MAX_ROUNDS 400

struct host {
    struct snp_machine *m;
    struct snp_vmm *v;
    struct snp_atls_client *cl;
    struct snp_atls_pipe *p;
    bool proxy;
    char hello[32];
    int rounds;
    bool opened, sent_plain, client_closed_sent, guest_closed, more;
    uint8_t echoed[256]; /* plaintext the client read */
    size_t echoed_len;
    uint8_t to_backend[256]; /* proxy: plaintext the guest forwarded */
    size_t to_backend_len;
    bool connect_seen, backend_answered;
    size_t tls_bytes_to_client;
    snp_err verdict;
    bool key_in_ram, plain_in_ram;
};

/* The guest's actions: TLS to the client pipe, plaintext to "the backend" (recorded). */
static void
host_apply(struct host *h, const uint8_t *from, size_t len)
{
    static struct snp_atls_net_rec recs[SNP_CHAN_MAX / SNP_ATLS_NET_REC_HDR];
    uint32_t flags = 0;
    size_t n = 0;

    assert_true(len >= 4);
    assert_int_equal(from[0], SNP_CHAN_OP_NET | SNP_CHAN_OP_RESPONSE);
    assert_int_equal(from[1], SNP_OK);
    T_OK(snp_atls_net_parse(from + 4, len - 4, false, &flags, recs, sizeof(recs) / sizeof(recs[0]),
                            &n, NULL));
    h->more = (flags & SNP_ATLS_NET_MORE) != 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(recs[i].id, 7);
        switch (recs[i].kind) {
        case SNP_ATLS_NET_TO_CLIENT:
            h->tls_bytes_to_client += recs[i].len;
            if (!h->client_closed_sent) {
                T_OK(snp_atls_pipe_feed(h->p, recs[i].data, recs[i].len));
            }
            break;
        case SNP_ATLS_NET_CONNECT:
            assert_true(h->proxy);
            assert_int_equal(snp_atls_pipe_state(h->p), SNP_ATLS_PIPE_OPEN);
            h->connect_seen = true;
            break;
        case SNP_ATLS_NET_TO_BACKEND:
            assert_true(h->connect_seen);
            assert_true(h->to_backend_len + recs[i].len <= sizeof(h->to_backend));
            memcpy(h->to_backend + h->to_backend_len, recs[i].data, recs[i].len);
            h->to_backend_len += recs[i].len;
            break;
        case SNP_ATLS_NET_CLOSE:
            h->guest_closed = true;
            break;
        default:
            fail_msg("unexpected action 0x%x", recs[i].kind);
        }
    }
}

/* The client side after the guest's answer: write the plaintext once open, read what comes. */
static void
host_client(struct host *h)
{
    size_t n = 0;

    if (snp_atls_pipe_state(h->p) == SNP_ATLS_PIPE_OPEN && !h->sent_plain) {
        T_OK(snp_atls_pipe_write(h->p, PLAINTEXT, sizeof(PLAINTEXT) - 1));
        h->sent_plain = true;
    }
    do {
        T_OK(snp_atls_pipe_read(h->p, h->echoed + h->echoed_len, sizeof(h->echoed) - h->echoed_len,
                                &n));
        h->echoed_len += n;
    } while (n > 0 && h->echoed_len < sizeof(h->echoed));
    if (snp_atls_pipe_state(h->p) == SNP_ATLS_PIPE_FAILED) {
        h->verdict = snp_atls_pipe_verdict(h->p, NULL);
    }
}

static bool
host_done(const struct host *h)
{
    if (h->guest_closed || h->rounds >= MAX_ROUNDS) {
        return true;
    }
    return !h->more && h->echoed_len >= (h->proxy ? 4 : sizeof(PLAINTEXT) - 1);
}

/* The next NET message: OPEN, the client's bytes, backend answers, CLIENT_CLOSED. */
static void
host_next(struct host *h, uint8_t *to, size_t cap, size_t *to_len)
{
    size_t off = 4 + SNP_ATLS_NET_HDR, n = 0;
    uint8_t buf[16384];

    memset(to, 0, off);
    to[0] = SNP_CHAN_OP_NET;
    if (!h->opened) {
        T_OK(snp_atls_net_put(to, cap, &off, 7, SNP_ATLS_NET_OPEN, NULL, 0));
        h->opened = true;
    }
    while (snp_atls_pipe_take(h->p, buf, sizeof(buf), &n) == SNP_OK && n > 0) {
        T_OK(snp_atls_net_put(to, cap, &off, 7, SNP_ATLS_NET_CLIENT_DATA, buf, n));
    }
    if (h->proxy && h->to_backend_len >= sizeof(PLAINTEXT) - 1 && !h->backend_answered) {
        T_OK(snp_atls_net_put(to, cap, &off, 7, SNP_ATLS_NET_BACKEND_DATA, "pong", 4));
        h->backend_answered = true;
    }
    if (snp_atls_pipe_state(h->p) == SNP_ATLS_PIPE_FAILED && !h->client_closed_sent) {
        T_OK(snp_atls_net_put(to, cap, &off, 7, SNP_ATLS_NET_CLIENT_CLOSED, NULL, 0));
        h->client_closed_sent = true;
    }
    *to_len = off;
}

static snp_err
host_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct host *h = ctx;

    /* what the hypervisor can read: every page of guest RAM, the channel's included */
    scan_ram(h->m, h->v, PLAINTEXT, 24, &h->plain_in_ram);
    if (F.have_key) {
        scan_ram(h->m, h->v, F.key, 32, &h->key_in_ram);
    }
    if (h->rounds == 0) {
        assert_int_equal(from[0], SNP_CHAN_OP_HELLO);
        memcpy(h->hello, from + 4, len - 4 < sizeof(h->hello) - 1 ? len - 4 : sizeof(h->hello) - 1);
    } else {
        host_apply(h, from, len);
        host_client(h);
    }
    h->rounds++;
    if (h->rounds > 1 && host_done(h)) {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
        return SNP_OK;
    }
    host_next(h, to, cap, to_len);
    return SNP_OK;
}

/* Boot the aTLS CVM (@cmdline) and run one client connection (@fresh, @meas_flip) through it. */
static void
run_guest(struct host *h, const char *cmdline, bool fresh, bool meas_flip, uint8_t launch[48])
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_vmm_launch l;
    struct snp_vmm_status st;
    uint64_t rng = 0x0123456789abcdefull;

    memset(h, 0, sizeof(*h));
    F.have_key = false;
    h->proxy = strcmp(cmdline, g_proxy_cmdline) == 0;
    h->m = vmm_fx_machine(SEED, &rng, true);
    snp_vmm_launch_default(&l);
    l.cmdline = cmdline;
    l.entry = snp_atls_guest_main;
    T_OK(snp_vmm_new(&h->v, h->m, &l, NULL));
    T_OK(snp_vmm_set_certs(h->v, F.table, F.table_len));
    memcpy(launch, snp_vmm_info(h->v)->measurement, 48);

    atls_fx_client_opts(&o, &pol, launch, F.ark, F.ark_len, fresh);
    pol.measurement.v[0] ^= meas_flip ? 1 : 0;
    T_OK(snp_atls_client_new(&h->cl, &o));
    T_OK(snp_atls_pipe_client_new(h->cl, &h->p));

    snp_vmm_set_channel(h->v, host_chan, h);
    T_OK(snp_vmm_run(h->v, 0, &st));
    if (st.stop != SNP_VMM_STOP_SHUTDOWN) {
        print_error("stop %d term %u/%u\n", (int)st.stop, st.term_set, st.term_code);
    }
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_true(h->rounds < MAX_ROUNDS);
}

static void
run_free(struct host *h)
{
    snp_atls_pipe_free(h->p);
    snp_atls_client_free(h->cl);
    snp_vmm_free(h->v);
    snp_machine_free(h->m);
}

static void
check_verified(struct host *h, const uint8_t launch[48], enum snp_atls_mode mode)
{
    struct snp_report r;
    uint8_t rep[SNP_REPORT_SIZE];

    assert_int_equal(snp_atls_pipe_state(h->p), SNP_ATLS_PIPE_OPEN);
    T_OK(snp_atls_pipe_verdict(h->p, NULL));
    assert_int_equal(snp_atls_conn_mode(snp_atls_pipe_conn(h->p)), mode);
    T_OK(snp_atls_conn_report(snp_atls_pipe_conn(h->p), rep));
    T_OK(snp_report_decode(&r, rep, sizeof(rep), NULL));
    t_memeq(r.measurement, launch, 48);
}

/* The echo app answered the plaintext, and the host never saw key or plaintext in guest RAM. */
static void
check_echo_sealed(const struct host *h)
{
    assert_int_equal(h->echoed_len, sizeof(PLAINTEXT) - 1);
    t_memeq(h->echoed, PLAINTEXT, sizeof(PLAINTEXT) - 1);
    assert_false(h->key_in_ram);
    assert_false(h->plain_in_ram);
}

/* ---- cases ------------------------------------------------------------------------------------
 */

static void
test_control_plain_message_visible(void **state)
{
    (void)state;
    /* The same bytes in a plain message of the channel: the host reads them. */
    assert_true(F.plain_seen);
}

static void
test_echo_cached_key_and_plaintext_stay_inside(void **state)
{
    struct host h;
    uint8_t launch[48];

    (void)state;
    run_guest(&h, g_echo_cmdline, false, false, launch);
    assert_string_equal(h.hello, "atls");
    check_verified(&h, launch, SNP_ATLS_CACHED);
    assert_true(h.tls_bytes_to_client > 1000); /* certificate with evidence, records */
    /* the hypervisor saw TLS records only: no key, no plaintext anywhere in guest RAM */
    assert_true(F.have_key);
    check_echo_sealed(&h);
    run_free(&h);
}

static void
test_echo_fresh(void **state)
{
    struct host h;
    uint8_t launch[48];

    (void)state;
    run_guest(&h, g_echo_cmdline, true, false, launch);
    check_verified(&h, launch, SNP_ATLS_FRESH);
    check_echo_sealed(&h);
    run_free(&h);
}

static void
test_wrong_measurement_rejected(void **state)
{
    static struct snp_verify_result res;
    const struct snp_check *ck;
    struct host h;
    uint8_t launch[48];

    (void)state;
    run_guest(&h, g_echo_cmdline, false, true, launch);
    assert_int_equal(snp_atls_pipe_state(h.p), SNP_ATLS_PIPE_FAILED);
    T_ERR(snp_atls_pipe_verdict(h.p, &res), SNP_E_MISMATCH);
    ck = snp_verify_find(&res, "policy.measurement");
    assert_non_null(ck);
    assert_int_equal(ck->status, SNP_CHECK_FAIL);
    assert_false(h.sent_plain);
    assert_int_equal(h.echoed_len, 0);
    assert_true(h.guest_closed); /* the guest closed the connection after the client's alert */
    run_free(&h);
}

static void
test_proxy_forwards_after_handshake(void **state)
{
    struct host h;
    uint8_t launch[48];

    (void)state;
    run_guest(&h, g_proxy_cmdline, false, false, launch);
    assert_string_equal(h.hello, "atls-proxy");
    check_verified(&h, launch, SNP_ATLS_CACHED);
    assert_true(h.connect_seen);
    assert_int_equal(h.to_backend_len, sizeof(PLAINTEXT) - 1);
    t_memeq(h.to_backend, PLAINTEXT, sizeof(PLAINTEXT) - 1);
    assert_int_equal(h.echoed_len, 4); /* the backend's answer, through the guest's TLS */
    t_memeq(h.echoed, "pong", 4);
    run_free(&h);
}

/* ---- the guest app's state machine against a hostile host (no boot: atls_evidence_stub.h) -- */

static size_t
count_kind(const uint8_t *rsp, size_t len, uint8_t kind, uint32_t *flags)
{
    static struct snp_atls_net_rec recs[SNP_CHAN_MAX / SNP_ATLS_NET_REC_HDR];
    size_t n = 0, k = 0;

    T_OK(
        snp_atls_net_parse(rsp, len, false, flags, recs, sizeof(recs) / sizeof(recs[0]), &n, NULL));
    for (size_t i = 0; i < n; i++) {
        k += recs[i].kind == kind;
    }
    return k;
}

static void
test_hostile_host(void **state)
{
    static uint8_t msg[SNP_CHAN_MAX], rsp[SNP_CHAN_MAX], junk[SNP_ATLS_PIPE_IN_MAX];
    struct snp_atls_gapp *a = NULL;
    struct snp_atls_gapp_stats st;
    size_t off, len = 0;
    uint32_t flags = 0;

    (void)state;
    T_OK(snp_atls_gapp_new(&a, false, atls_stub_evidence, NULL));
    /* malformed: flags set, reserved byte, unknown kind, guest-side kind, truncated data */
    memset(msg, 0, 16);
    msg[0] = 1;
    T_ERR(snp_atls_gapp_net(a, msg, 4, rsp, sizeof(rsp), &len), SNP_E_RESERVED);
    off = SNP_ATLS_NET_HDR;
    memset(msg, 0, sizeof(msg));
    T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 1, SNP_ATLS_NET_OPEN, NULL, 0));
    msg[off - 3] = 1; /* reserved byte of the record */
    T_ERR(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len), SNP_E_RESERVED);
    msg[off - 3] = 0;
    msg[off - 4] = SNP_ATLS_NET_TO_CLIENT; /* an action, from the host */
    T_ERR(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len), SNP_E_RANGE);
    msg[off - 4] = SNP_ATLS_NET_CLIENT_DATA;
    msg[off - 2] = 10; /* 10 bytes announced, none there */
    T_ERR(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len), SNP_E_TRUNCATED);
    msg[off - 4] = SNP_ATLS_NET_OPEN;
    msg[off - 2] = 0;
    snp_atls_gapp_stats(a, &st);
    assert_int_equal(st.conns, 0); /* nothing of a refused message was applied */
    assert_int_equal(st.bad_messages, 4);

    /* unknown ids: ignored, no answer */
    off = SNP_ATLS_NET_HDR;
    T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 99, SNP_ATLS_NET_CLIENT_DATA, "x", 1));
    T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 98, SNP_ATLS_NET_CLIENT_CLOSED, NULL, 0));
    T_OK(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len));
    assert_int_equal(len, SNP_ATLS_NET_HDR);

    /* more OPENs than the bound: the extra ones are refused with CLOSE */
    off = SNP_ATLS_NET_HDR;
    for (uint32_t id = 1; id <= SNP_ATLS_NET_MAX_CONNS + 3; id++) {
        T_OK(snp_atls_net_put(msg, sizeof(msg), &off, id, SNP_ATLS_NET_OPEN, NULL, 0));
    }
    T_OK(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len));
    assert_int_equal(count_kind(rsp, len, SNP_ATLS_NET_CLOSE, &flags), 3);
    snp_atls_gapp_stats(a, &st);
    assert_int_equal(st.conns, SNP_ATLS_NET_MAX_CONNS);
    assert_int_equal(st.refused, 3);

    /* a duplicate OPEN drops that connection; garbage TLS fails its handshake: CLOSE */
    off = SNP_ATLS_NET_HDR;
    T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 1, SNP_ATLS_NET_OPEN, NULL, 0));
    T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 2, SNP_ATLS_NET_CLIENT_DATA, "GET / HTTP/1.0\r\n",
                          16));
    T_OK(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len));
    assert_int_equal(count_kind(rsp, len, SNP_ATLS_NET_CLOSE, &flags), 2);
    snp_atls_gapp_stats(a, &st);
    assert_int_equal(st.conns, SNP_ATLS_NET_MAX_CONNS - 2);

    /* a host that feeds far more than TLS can have pending (a partial record that never
     * completes): the connection is dropped at the bound, with CLOSE */
    memset(junk, 0, sizeof(junk));
    junk[0] = 0x16; /* handshake record ... */
    junk[1] = 3;
    junk[2] = 1;
    junk[3] = 0x40; /* ... of 16 KiB + : never complete below */
    for (int i = 0; i < 6; i++) {
        off = SNP_ATLS_NET_HDR;
        T_OK(snp_atls_net_put(msg, sizeof(msg), &off, 3, SNP_ATLS_NET_CLIENT_DATA,
                              i == 0 ? junk : junk + 4, 16000));
        T_OK(snp_atls_gapp_net(a, msg, off, rsp, sizeof(rsp), &len));
    }
    snp_atls_gapp_stats(a, &st);
    assert_true(st.conns <= SNP_ATLS_NET_MAX_CONNS - 3);
    snp_atls_gapp_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_plain_message_visible),
        cmocka_unit_test(test_echo_cached_key_and_plaintext_stay_inside),
        cmocka_unit_test(test_echo_fresh),
        cmocka_unit_test(test_wrong_measurement_rejected),
        cmocka_unit_test(test_proxy_forwards_after_handshake),
        cmocka_unit_test(test_hostile_host),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
