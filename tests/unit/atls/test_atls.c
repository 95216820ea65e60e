/*
 * tests/unit/atls/test_atls.c - attested TLS end to end on loopback (127.0.0.1, ephemeral
 * ports, one server thread per case): the server's evidence comes from a REAL report of the
 * simulated PSP (tests/unit/psp/psp_fixture.h: a launched guest, guest messages with its
 * VMPCK) and a chain from the simulated vendor; the client verifies with snpkit/verify.h.
 *
 * Each rejection -- wrong measurement, wrong key binding, stale cached report, replayed nonce,
 * untrusted (simulated) root, evidence from another chip -- is asserted with its named check and
 * error, and the server is asserted to have received zero application bytes. Interop: openssl
 * s_client against the server, curl -k through the proxy (each skipped visibly when the tool
 * is missing); a bounded load test holds 300 concurrent connections through the proxy.
 */
#include "../psp/psp_fixture.h"
#include "atls_fixture.h"

#include "atls/atls_int.h"
#include "crypto/atls_cert.h"
#include "snpkit/atls.h"
#include "snpkit/certtable.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEED_B "atls other chip"

/* ---- the simulated machines and their evidence provider ------------------------------------ */

struct prov {
    struct snp_machine *m;
    struct snp_secrets s;
    uint64_t seq;
    uint8_t chip_id[64];
    uint8_t ld[48];
    uint8_t table[16384];
    size_t table_len;
    /* misbehaviours */
    const uint8_t *other_spki; /* bind REPORT_DATA to this key instead */
    size_t other_spki_len;
    uint64_t other_at;
    const struct prov *certs_of; /* staple another chip's certificate table */
};

struct fx {
    char dir[256];
    struct snp_vendor *v;
    uint8_t *ark;
    size_t ark_len;
    struct prov a, b;
    time_t now;
};

static struct fx F;

static snp_err
raw_report(struct prov *p, const uint8_t rd[64], uint8_t out[SNP_REPORT_SIZE])
{
    static uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
    struct snp_msg_report_req q;
    struct snp_msg_hdr rh;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE];
    size_t n = 0;
    uint32_t st;

    memset(&q, 0, sizeof(q));
    memcpy(q.report_data, rd, 64);
    if (snp_msg_report_req_encode(req, &q) != SNP_OK) {
        return SNP_E_ARG;
    }
    st = px_guest_msg(p->m, &p->s, 0, p->seq + 1, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, &n,
                      &rh);
    if (st != SNP_FW_SUCCESS) {
        fprintf(stderr, "guest request status %u\n", st);
        return SNP_E_STATE;
    }
    p->seq += 2;
    if (n != SNP_MSG_REPORT_RSP_SIZE || (uint32_t)px_get64(rsp, 0) != 0) {
        fprintf(stderr, "report response: %zu bytes, status 0x%llx\n", n,
                (unsigned long long)px_get64(rsp, 0));
        return SNP_E_STATE;
    }
    memcpy(out, rsp + 0x20, SNP_REPORT_SIZE);
    return SNP_OK;
}

/* The provider: a report from the simulated PSP, the vendor's table for the chip. */
static snp_err
provider(void *ctx, const uint8_t report_data[64], uint8_t report[SNP_REPORT_SIZE], uint8_t *certs,
         size_t certs_cap, size_t *certs_len)
{
    struct prov *p = ctx;
    const struct prov *t = p->certs_of != NULL ? p->certs_of : p;
    uint8_t rd[64];

    memcpy(rd, report_data, 64);
    if (p->other_spki != NULL) {
        SNP_TRY(snp_atls_report_data(rd, SNP_ATLS_CACHED, p->other_at, NULL, p->other_spki,
                                     p->other_spki_len));
    }
    SNP_TRY(raw_report(p, rd, report));
    SNP_ENSURE(certs_cap >= t->table_len, SNP_E_SPACE);
    memcpy(certs, t->table, t->table_len);
    *certs_len = t->table_len;
    return SNP_OK;
}

static void
prov_init(struct prov *p, const char *seed)
{
    struct snp_machine_config c;
    struct snp_report r;
    uint8_t rd[64], rep[SNP_REPORT_SIZE];

    memset(p, 0, sizeof(*p));
    px_config(&c);
    memset(c.chip_seed, 0, sizeof(c.chip_seed));
    memcpy(c.chip_seed, seed, strlen(seed));
    c.chip_seed_len = strlen(seed);
    T_OK(snp_machine_new(&p->m, &c));
    px_init(p->m);
    px_guest(p->m, p->ld);
    px_secrets(p->m, &p->s);
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)seed, strlen(seed),
                             p->chip_id));
    memset(rd, 0, sizeof(rd));
    T_OK(raw_report(p, rd, rep));
    T_OK(snp_report_decode(&r, rep, sizeof(rep), NULL));
    atls_fx_cert_table(F.v, p->chip_id, r.reported_tcb, F.ark, F.ark_len, p->table,
                       sizeof(p->table), &p->table_len);
}

static int
setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    memset(&F, 0, sizeof(F));
    F.now = time(NULL);
    atls_fx_vendor(F.dir, "snpkit-atls", &F.v);
    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &F.ark, &F.ark_len));
    prov_init(&F.a, PX_SEED);
    prov_init(&F.b, SEED_B);
    return 0;
}

static void
prov_fini(struct prov *p)
{
    snp_secrets_wipe(&p->s);
    snp_machine_free(p->m);
}

static int
teardown(void **state)
{
    (void)state;
    prov_fini(&F.a);
    prov_fini(&F.b);
    free(F.ark);
    snp_vendor_free(F.v);
    t_rm_tree(F.dir);
    return 0;
}

/* ---- a server thread: accept one connection, echo, count application bytes ---------------- */

static time_t
clock_fixed(void *ctx)
{
    return *(const time_t *)ctx;
}

/* A listening socket on 127.0.0.1, an ephemeral port (@port: its number as text). */
static void
listen_any(int *lfd, char port[8])
{
    uint16_t n = 0;

    T_OK(snp_atls_listen("127.0.0.1", "0", lfd, &n));
    snprintf(port, 8, "%u", (unsigned)n);
}

/* A genuine aTLS server with @p's evidence, its clock *@clock (NULL: the real time). */
static void
server_new(struct snp_atls_server **s, struct prov *p, time_t *clock)
{
    struct snp_atls_server_opts o;

    snp_atls_server_opts_init(&o);
    o.evidence = provider;
    o.evidence_ctx = p;
    if (clock != NULL) {
        o.clock = clock_fixed;
        o.clock_ctx = clock;
    }
    T_OK(snp_atls_server_new(s, &o));
}

struct srv {
    struct snp_atls_server *s;
    int lfd;
    char port[8];
    time_t clock;
    int accepts;      /* connections to serve */
    bool reply_once;  /* answer the first chunk, then close (s_client) */
    size_t app_bytes; /* application bytes received, all connections */
    snp_err last_err; /* of the last accept */
    pthread_t th;
};

static void *
srv_main(void *arg)
{
    struct srv *v = arg;
    uint8_t buf[4096];

    for (int i = 0; i < v->accepts; i++) {
        struct snp_atls_conn *c = NULL;
        int fd = accept(v->lfd, NULL, NULL);
        size_t n = 0;

        if (fd < 0) {
            break;
        }
        v->last_err = snp_atls_server_accept(v->s, fd, &c);
        if (v->last_err != SNP_OK) {
            /* Drain whatever the client sends after the failed handshake: must be nothing. */
            close(fd);
            continue;
        }
        while (snp_atls_read(c, buf, sizeof(buf), &n) == SNP_OK && n > 0) {
            v->app_bytes += n;
            if (snp_atls_write(c, buf, n) != SNP_OK || v->reply_once) {
                break;
            }
        }
        snp_atls_conn_free(c);
    }
    return NULL;
}

static void
srv_start(struct srv *v, struct prov *p, time_t clock, int accepts)
{
    memset(v, 0, sizeof(*v));
    v->clock = clock;
    v->accepts = accepts;
    server_new(&v->s, p, &v->clock);
    listen_any(&v->lfd, v->port);
    assert_int_equal(pthread_create(&v->th, NULL, srv_main, v), 0);
}

static void
srv_join(struct srv *v)
{
    pthread_join(v->th, NULL);
    close(v->lfd);
}

static void
srv_stop(struct srv *v)
{
    srv_join(v);
    snp_atls_server_free(v->s);
    v->s = NULL;
}

/* Client options: the simulated ARK as root, expected measurement of machine @p. */
static void
copts(struct snp_atls_client_opts *o, struct snp_verify_policy *pol, const uint8_t meas[48],
      bool root, bool fresh)
{
    atls_fx_client_opts(o, pol, meas, root ? F.ark : NULL, F.ark_len, fresh);
}

static void
dump(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct snp_check *c = &res->checks[i];
        if (c->status == SNP_CHECK_FAIL || c->status == SNP_CHECK_ERROR) {
            printf("  %s %s (%s): %s\n", snp_check_status_name(c->status), c->name,
                   snp_err_name(c->err), c->detail);
        }
    }
}

/* The connect's outcome @err is @want (else the failing checks of @res are printed). */
static void
expect_verdict(snp_err err, snp_err want, const struct snp_verify_result *res)
{
    if (err != want) {
        print_error("expected %s, got %s\n", snp_err_name(want), snp_err_name(err));
        dump(res);
    }
    assert_int_equal(err, want);
}

/* Connect with @o; expect @want, and when it is a rejection, the check @name failing with it. */
static struct snp_atls_conn *
connect_expect(struct srv *v, const struct snp_atls_client_opts *o, snp_err want, const char *name)
{
    static struct snp_verify_result res;
    struct snp_atls_conn *c = NULL;

    expect_verdict(snp_atls_connect(o, "127.0.0.1", v->port, &c, &res), want, &res);
    if (name != NULL) {
        const struct snp_check *ck = snp_verify_find(&res, name);
        if (ck == NULL || ck->status != SNP_CHECK_FAIL || ck->err != want) {
            print_error("expected %s to FAIL with %s\n", name, snp_err_name(want));
            dump(&res);
        }
        assert_non_null(ck);
        assert_int_equal(ck->status, SNP_CHECK_FAIL);
        assert_int_equal(ck->err, want);
    }
    return c;
}

/* A rejection case: the handshake fails with @want at @name; the server got no app byte. */
static void
reject_case(struct prov *p, time_t clock, const struct snp_atls_client_opts *o, snp_err want,
            const char *name)
{
    struct srv v;

    srv_start(&v, p, clock, 1);
    assert_null(connect_expect(&v, o, want, name));
    srv_stop(&v);
    assert_int_not_equal(v.last_err, SNP_OK);
    assert_int_equal(v.app_bytes, 0);
}

/* ---- cases ------------------------------------------------------------------------------------
 */

static void
exchange(struct snp_atls_conn *c)
{
    uint8_t buf[16];
    size_t n = 0, got = 0;

    T_OK(snp_atls_write(c, "ping!", 5));
    while (got < 5) {
        T_OK(snp_atls_read(c, buf + got, sizeof(buf) - got, &n));
        assert_true(n > 0);
        got += n;
    }
    t_memeq(buf, "ping!", 5);
}

static void
test_verified_cached_and_fresh(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_server_stats st;
    struct snp_atls_conn *c;
    struct snp_report r;
    uint8_t rep[SNP_REPORT_SIZE];
    struct srv v;

    (void)state;
    srv_start(&v, &F.a, F.now, 2);
    copts(&o, &pol, F.a.ld, true, false);
    c = connect_expect(&v, &o, SNP_OK, NULL);
    assert_int_equal(snp_atls_conn_mode(c), SNP_ATLS_CACHED);
    T_OK(snp_atls_conn_report(c, rep));
    T_OK(snp_report_decode(&r, rep, sizeof(rep), NULL));
    t_memeq(r.measurement, F.a.ld, 48);
    exchange(c);
    snp_atls_conn_free(c);

    copts(&o, &pol, F.a.ld, true, true);
    c = connect_expect(&v, &o, SNP_OK, NULL);
    assert_int_equal(snp_atls_conn_mode(c), SNP_ATLS_FRESH);
    exchange(c);
    snp_atls_conn_free(c);
    srv_join(&v);
    assert_int_equal(v.app_bytes, 10);
    snp_atls_server_stats(v.s, &st);
    assert_int_equal(st.handshakes, 2);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.fresh_reports, 1);
    assert_int_equal(st.cached_reports, 1);
    snp_atls_server_free(v.s);
}

static void
test_wrong_measurement(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    uint8_t meas[48];

    (void)state;
    memcpy(meas, F.a.ld, 48);
    meas[0] ^= 1;
    copts(&o, &pol, meas, true, false);
    reject_case(&F.a, F.now, &o, SNP_E_MISMATCH, "policy.measurement");
    copts(&o, &pol, meas, true, true);
    reject_case(&F.a, F.now, &o, SNP_E_MISMATCH, "policy.measurement");
}

static void
test_wrong_key_binding(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_tlskey *k = NULL;
    uint8_t *spki = NULL;
    size_t spki_len = 0;

    (void)state;
    /* Genuine evidence of this CVM, but bound to another key (same mode and time). */
    T_OK(snp_tlskey_generate(&k));
    T_OK(snp_tlskey_spki(k, &spki, &spki_len));
    F.a.other_spki = spki;
    F.a.other_spki_len = spki_len;
    F.a.other_at = (uint64_t)F.now;
    copts(&o, &pol, F.a.ld, true, false);
    reject_case(&F.a, F.now, &o, SNP_E_BINDING, "atls.binding");
    F.a.other_spki = NULL;
    free(spki);
    snp_tlskey_free(k);
}

static void
test_stale_report(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;

    (void)state;
    copts(&o, &pol, F.a.ld, true, false);
    o.max_age = 3600;
    o.at = F.now;
    reject_case(&F.a, F.now - 7200, &o, SNP_E_EXPIRED, "atls.freshness");
    /* and from the future */
    reject_case(&F.a, F.now + 7200, &o, SNP_E_EXPIRED, "atls.freshness");
}

static void
test_replayed_nonce(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_conn *c;
    uint8_t *der = NULL;
    size_t len = 0;
    struct srv v;

    (void)state;
    srv_start(&v, &F.a, F.now, 3);
    copts(&o, &pol, F.a.ld, true, true);
    c = connect_expect(&v, &o, SNP_OK, NULL);
    T_OK(snp_atls_conn_peer_cert(c, &der, &len));
    snp_atls_conn_free(c);
    /* The key holder replays the certificate made for the first nonce. */
    T_OK(snp_atls_server_pin_cert(v.s, der, len));
    assert_null(connect_expect(&v, &o, SNP_E_REPLAY, "atls.nonce"));
    /* A fresh-mode client also refuses cached evidence. */
    T_OK(snp_atls_server_pin_cert(v.s, NULL, 0));
    free(der);
    T_OK(snp_atls_server_cert(v.s, &der, &len));
    T_OK(snp_atls_server_pin_cert(v.s, der, len));
    assert_null(connect_expect(&v, &o, SNP_E_REPLAY, "atls.nonce"));
    srv_stop(&v);
    assert_int_equal(v.app_bytes, 0);
    free(der);
}

static void
test_untrusted_root(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;

    (void)state;
    copts(&o, &pol, F.a.ld, false, false); /* AMD's pins: the simulator is not AMD */
    reject_case(&F.a, F.now, &o, SNP_E_CHAIN, "chain.ark_pinned");
}

static void
test_other_chip(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;

    (void)state;
    /* The report is made on chip B (same image, same measurement, bound to this key), but the
     * host staples chip A's VCEK, as if the certificate came from the CVM on A. */
    F.b.certs_of = &F.a;
    copts(&o, &pol, F.a.ld, true, false);
    reject_case(&F.b, F.now, &o, SNP_E_MISMATCH, "vcek.hwid");
    F.b.certs_of = NULL;
    /* With its own chain, B's CVM is genuine: accepted (a client that cares pins chip_id). */
    {
        struct srv v;
        struct snp_atls_conn *c;
        srv_start(&v, &F.b, F.now, 1);
        c = connect_expect(&v, &o, SNP_OK, NULL);
        snp_atls_conn_free(c);
        srv_stop(&v);
    }
    pol.chip_id.len = 64;
    memcpy(pol.chip_id.v, F.a.chip_id, 64);
    reject_case(&F.b, F.now, &o, SNP_E_MISMATCH, "policy.chip_id");
}

static void
test_evidence_codec(void **state)
{
    struct snp_atls_evidence ev, back;
    uint8_t rep[SNP_REPORT_SIZE], buf[SNP_ATLS_EV_MIN_SIZE + 8], rd1[64], rd2[64];
    size_t len = 0, off = 0;

    (void)state;
    t_fill(rep, sizeof(rep), 3);
    memset(&ev, 0, sizeof(ev));
    ev.mode = SNP_ATLS_FRESH;
    ev.issued_at = 1234;
    ev.nonce[0] = 9;
    ev.report = rep;
    ev.certs = (const uint8_t *)"abcdefgh";
    ev.certs_len = 8;
    T_OK(snp_atls_evidence_encode(buf, sizeof(buf), &len, &ev));
    assert_int_equal(len, sizeof(buf));
    T_OK(snp_atls_evidence_decode(&back, buf, len, NULL));
    assert_int_equal(back.mode, SNP_ATLS_FRESH);
    assert_int_equal(back.issued_at, 1234);
    t_memeq(back.report, rep, sizeof(rep));
    for (size_t n = 0; n < len; n++) {
        T_ERR(snp_atls_evidence_decode(&back, buf, n, NULL), SNP_E_TRUNCATED);
    }
    buf[11] = 1;
    T_ERR(snp_atls_evidence_decode(&back, buf, len, &off), SNP_E_RESERVED);
    assert_int_equal(off, 11);
    buf[11] = 0;
    buf[10] = 3;
    T_ERR(snp_atls_evidence_decode(&back, buf, len, &off), SNP_E_RANGE);
    buf[10] = 2;
    buf[0] ^= 1;
    T_ERR(snp_atls_evidence_decode(&back, buf, len, &off), SNP_E_FORMAT);
    /* The rule: mode, time, nonce and key each change REPORT_DATA. */
    T_OK(snp_atls_report_data(rd1, SNP_ATLS_FRESH, 1, ev.nonce, rep, 91));
    T_OK(snp_atls_report_data(rd2, SNP_ATLS_CACHED, 1, ev.nonce, rep, 91));
    assert_memory_not_equal(rd1, rd2, 64);
    T_OK(snp_atls_report_data(rd2, SNP_ATLS_FRESH, 2, ev.nonce, rep, 91));
    assert_memory_not_equal(rd1, rd2, 64);
    T_OK(snp_atls_report_data(rd2, SNP_ATLS_FRESH, 1, NULL, rep, 91));
    assert_memory_not_equal(rd1, rd2, 64);
    T_OK(snp_atls_report_data(rd2, SNP_ATLS_FRESH, 1, ev.nonce, rep + 1, 91));
    assert_memory_not_equal(rd1, rd2, 64);
}

/* ---- certificates our server never serves: a raw OpenSSL server ------------------------------
 *
 * A TLS 1.3 server built with libssl directly, serving one connection with any certificate and
 * any signing key: the attacker of issue 9 who shows another CVM's genuine certificate, and the
 * plain or malformed certificates of the atls.evidence cases.
 */
struct raw_srv {
    SSL_CTX *ctx;
    int lfd;
    char port[8];
    size_t app_bytes;
    bool handshake_ok;
    pthread_t th;
};

static void *
raw_main(void *arg)
{
    struct raw_srv *r = arg;
    uint8_t buf[256];
    size_t n = 0;
    int fd = accept(r->lfd, NULL, NULL);
    SSL *ssl;

    if (fd < 0) {
        return NULL;
    }
    ssl = SSL_new(r->ctx);
    if (ssl != NULL && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
        r->handshake_ok = true;
        while (SSL_read_ex(ssl, buf, sizeof(buf), &n) == 1) {
            r->app_bytes += n;
        }
    }
    SSL_free(ssl);
    ERR_clear_error();
    close(fd);
    return NULL;
}

/* Serve @cert (DER) signing with @key; the key need not be the certificate's. */
static void
raw_start(struct raw_srv *r, X509 *cert, EVP_PKEY *key)
{
    memset(r, 0, sizeof(*r));
    r->ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(r->ctx);
    SSL_CTX_set_min_proto_version(r->ctx, TLS1_3_VERSION);
    SSL_CTX_set_num_tickets(r->ctx, 0);
    assert_int_equal(SSL_CTX_use_certificate(r->ctx, cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(r->ctx, key), 1);
    listen_any(&r->lfd, r->port);
    assert_int_equal(pthread_create(&r->th, NULL, raw_main, r), 0);
}

static void
raw_stop(struct raw_srv *r)
{
    pthread_join(r->th, NULL);
    close(r->lfd);
    SSL_CTX_free(r->ctx);
}

/* Connect to the raw server; expect @want with the check @name at @st carrying it. */
static void
raw_connect_expect(struct raw_srv *r, snp_err want, const char *name, enum snp_check_status st)
{
    static struct snp_verify_result res;
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_conn *c = NULL;
    const struct snp_check *ck;
    snp_err err;

    copts(&o, &pol, F.a.ld, true, false);
    err = snp_atls_connect(&o, "127.0.0.1", r->port, &c, &res);
    expect_verdict(err, want, &res);
    if (err == SNP_OK) {
        T_OK(snp_atls_write(c, "ok", 2));
        snp_atls_conn_free(c);
    } else {
        assert_null(c);
        assert_int_equal(snp_verify_verdict(&res), want); /* the result says it, not "ok" */
    }
    ck = snp_verify_find(&res, name);
    assert_non_null(ck);
    assert_int_equal(ck->status, st);
    assert_int_equal(ck->err, want);
    assert_true(ck->detail[0] != '\0');
}

/* DER to OpenSSL objects (asserted to parse). */
static EVP_PKEY *
pkey_from_der(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)len);

    assert_non_null(k);
    return k;
}

static X509 *
x509_from_der(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    assert_non_null(x);
    return x;
}

/* A genuine aTLS server of CVM A at *@clock, with its current (cached) certificate @x and its
 * own key @k (tests only: snp_atls_server_key_der()). */
static void
genuine_server(time_t *clock, struct snp_atls_server **s, X509 **x, EVP_PKEY **k)
{
    uint8_t *der = NULL;
    size_t len = 0;

    server_new(s, &F.a, clock);
    T_OK(snp_atls_server_cert(*s, &der, &len));
    *x = x509_from_der(der, len);
    free(der);
    T_OK(snp_atls_server_key_der(*s, &der, &len));
    *k = pkey_from_der(der, len);
    snp_free_secret(der, len);
}

/*
 * A key whose PUBLIC half is @cert's and whose private scalar is @own's: libssl accepts it for
 * @cert (it compares public keys) and signs CertificateVerify with @own's scalar -- exactly a
 * server that shows a certificate it copied while holding only its own key.
 */
static EVP_PKEY *
impostor_key(X509 *cert, EVP_PKEY *own)
{
    uint8_t pub[133];
    size_t pub_len = 0;
    BIGNUM *priv = NULL;
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;

    assert_non_null(b);
    assert_non_null(pc);
    assert_int_equal(EVP_PKEY_get_octet_string_param(X509_get0_pubkey(cert),
                                                     OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
                                                     &pub_len),
                     1);
    assert_int_equal(EVP_PKEY_get_bn_param(own, OSSL_PKEY_PARAM_PRIV_KEY, &priv), 1);
    assert_int_equal(
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, priv), 1);
    params = OSSL_PARAM_BLD_to_param(b);
    assert_non_null(params);
    assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
    assert_int_equal(EVP_PKEY_fromdata(pc, &k, EVP_PKEY_KEYPAIR, params), 1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(priv);
    EVP_PKEY_CTX_free(pc);
    return k;
}

static void
test_copied_certificate(void **state)
{
    struct snp_atls_server *victim = NULL;
    struct raw_srv r;
    EVP_PKEY *vkey, *own, *impostor;
    X509 *vcert;
    time_t clock = F.now;

    (void)state;
    /* The victim: a genuine aTLS server (CVM A); its certificate, evidence and all. */
    genuine_server(&clock, &victim, &vcert, &vkey);
    own = EVP_EC_gen("P-256");
    assert_non_null(own);
    impostor = impostor_key(vcert, own);

    /* Control: the same raw server with the victim's real key is accepted. */
    raw_start(&r, vcert, vkey);
    raw_connect_expect(&r, SNP_OK, "atls.key_possession", SNP_CHECK_PASS);
    raw_stop(&r);
    assert_true(r.handshake_ok);
    assert_int_equal(r.app_bytes, 2);

    /* The impostor: the victim's certificate, CertificateVerify signed with its own key. The
     * evidence checks pass (it is genuine); key possession fails; no application byte. */
    raw_start(&r, vcert, impostor);
    raw_connect_expect(&r, SNP_E_SIG, "atls.key_possession", SNP_CHECK_FAIL);
    raw_stop(&r);
    assert_false(r.handshake_ok);
    assert_int_equal(r.app_bytes, 0);

    EVP_PKEY_free(impostor);
    EVP_PKEY_free(own);
    EVP_PKEY_free(vkey);
    X509_free(vcert);
    snp_atls_server_free(victim);
}

static void
test_evidence_absent_or_doubled(void **state)
{
    struct snp_atls_server *s = NULL;
    struct snp_tlskey *k = NULL;
    struct raw_srv r;
    uint8_t *der = NULL, *kder = NULL;
    size_t len = 0, klen = 0;
    ASN1_OBJECT *oid;
    EVP_PKEY *key;
    X509 *x;
    time_t clock = F.now;

    (void)state;
    /* An ordinary TLS certificate (no evidence extension): SNP_E_NOTFOUND, rejected. */
    T_OK(snp_tlskey_generate(&k));
    T_OK(snp_tls_cert_build(k, "plain", SNP_ATLS_OID, NULL, 0, F.now - 60, 3600, &der, &len));
    T_OK(snp_tlskey_private_der(k, &kder, &klen));
    x = x509_from_der(der, len);
    key = pkey_from_der(kder, klen);
    raw_start(&r, x, key);
    raw_connect_expect(&r, SNP_E_NOTFOUND, "atls.evidence", SNP_CHECK_FAIL);
    raw_stop(&r);
    assert_int_equal(r.app_bytes, 0);
    X509_free(x);
    EVP_PKEY_free(key);
    free(der);
    snp_free_secret(kder, klen);
    snp_tlskey_free(k);

    /* A genuine certificate with its evidence extension twice (re-signed with its own key):
     * SNP_E_FORMAT -- which copy would count? */
    genuine_server(&clock, &s, &x, &key);
    oid = OBJ_txt2obj(SNP_ATLS_OID, 1);
    assert_non_null(oid);
    {
        int i = X509_get_ext_by_OBJ(x, oid, -1);
        assert_true(i >= 0);
        assert_int_equal(X509_add_ext(x, X509_get_ext(x, i), -1), 1);
    }
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    raw_start(&r, x, key);
    raw_connect_expect(&r, SNP_E_FORMAT, "atls.evidence", SNP_CHECK_FAIL);
    raw_stop(&r);
    assert_int_equal(r.app_bytes, 0);
    ASN1_OBJECT_free(oid);
    X509_free(x);
    EVP_PKEY_free(key);
    snp_atls_server_free(s);
}

/* ---- interop and the proxy ------------------------------------------------------------------ */

static bool
have_tool(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Run @cmd, collect its stdout (at most cap - 1 bytes, NUL-terminated). */
static void
run_capture(const char *cmd, char *out, size_t cap)
{
    FILE *f = popen(cmd, "r");
    size_t n = 0, k;

    assert_non_null(f);
    while (n + 1 < cap && (k = fread(out + n, 1, cap - 1 - n, f)) > 0) {
        n += k;
    }
    out[n] = '\0';
    pclose(f);
}

static void
test_openssl_s_client(void **state)
{
    char cmd[256], out[4096];
    struct srv v;

    (void)state;
    if (!have_tool("openssl")) {
        printf("SKIP: openssl(1) is not installed: s_client interop not tested\n");
        skip();
    }
    srv_start(&v, &F.a, F.now, 1);
    v.reply_once = true;
    snprintf(cmd, sizeof(cmd),
             "printf 'hello-from-s_client\\n' | timeout 20 openssl s_client -quiet -connect "
             "127.0.0.1:%s 2>/dev/null",
             v.port);
    run_capture(cmd, out, sizeof(out));
    srv_stop(&v);
    T_OK(v.last_err);
    assert_non_null(strstr(out, "hello-from-s_client"));
}

/* A plain backend: echo, or one HTTP answer when the first bytes are "GET ". poll(), any number
 * of connections, until stop is set. */
struct backend {
    int lfd;
    char port[8];
    volatile int stop;
    pthread_t th;
};

#define BK_MAX 1024

static void *
backend_main(void *arg)
{
    struct backend *b = arg;
    static struct pollfd pf[BK_MAX + 1];
    static const char http[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n"
                               "\r\nhello\n";
    size_t n = 1;
    char buf[4096];

    pf[0].fd = b->lfd;
    pf[0].events = POLLIN;
    while (!b->stop) {
        if (poll(pf, n, 50) < 0) {
            break;
        }
        if ((pf[0].revents & POLLIN) && n < BK_MAX + 1) {
            int fd = accept(b->lfd, NULL, NULL);
            if (fd >= 0) {
                pf[n].fd = fd;
                pf[n].events = POLLIN;
                pf[n].revents = 0;
                n++;
            }
        }
        for (size_t i = 1; i < n; i++) {
            ssize_t k;
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            k = read(pf[i].fd, buf, sizeof(buf));
            if (k > 4 && memcmp(buf, "GET ", 4) == 0) {
                (void)!write(pf[i].fd, http, sizeof(http) - 1);
                k = 0;
            } else if (k > 0 && write(pf[i].fd, buf, (size_t)k) != k) {
                k = 0;
            }
            if (k <= 0) {
                close(pf[i].fd);
                pf[i] = pf[n - 1];
                n--;
                i--;
            }
        }
    }
    for (size_t i = 1; i < n; i++) {
        close(pf[i].fd);
    }
    return NULL;
}

struct prx {
    struct snp_atls_server *s;
    struct snp_atls_proxy *p;
    int lfd;
    char port[8];
    pthread_t th;
    snp_err err;
};

static void *
prx_main(void *arg)
{
    struct prx *x = arg;

    x->err = snp_atls_proxy_run(x->p);
    return NULL;
}

static void
prx_start(struct prx *x, struct backend *b)
{
    struct snp_atls_proxy_opts po;

    memset(b, 0, sizeof(*b));
    listen_any(&b->lfd, b->port);
    assert_int_equal(pthread_create(&b->th, NULL, backend_main, b), 0);

    memset(x, 0, sizeof(*x));
    server_new(&x->s, &F.a, NULL);
    listen_any(&x->lfd, x->port);
    memset(&po, 0, sizeof(po));
    po.server = x->s;
    po.listen_fd = x->lfd;
    po.backend_host = "127.0.0.1";
    po.backend_port = b->port;
    T_OK(snp_atls_proxy_new(&x->p, &po));
    assert_int_equal(pthread_create(&x->th, NULL, prx_main, x), 0);
}

static void
prx_stop(struct prx *x, struct backend *b, struct snp_atls_proxy_stats *st)
{
    snp_atls_proxy_stop(x->p);
    pthread_join(x->th, NULL);
    T_OK(x->err);
    snp_atls_proxy_stats(x->p, st);
    snp_atls_proxy_free(x->p);
    close(x->lfd);
    snp_atls_server_free(x->s);
    b->stop = 1;
    pthread_join(b->th, NULL);
    close(b->lfd);
}

static void
test_proxy_curl(void **state)
{
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_proxy_stats st;
    struct snp_atls_conn *c = NULL;
    struct backend b;
    struct prx x;
    char cmd[256], out[4096];

    (void)state;
    prx_start(&x, &b);
    /* A verified client through the proxy. */
    copts(&o, &pol, F.a.ld, true, false);
    T_OK(snp_atls_connect(&o, "127.0.0.1", x.port, &c, NULL));
    exchange(c);
    snp_atls_conn_free(c);
    if (have_tool("curl")) {
        snprintf(cmd, sizeof(cmd), "curl -k -s --max-time 20 https://127.0.0.1:%s/", x.port);
        run_capture(cmd, out, sizeof(out));
        assert_string_equal(out, "hello\n");
    } else {
        printf("SKIP: curl is not installed: curl -k through the proxy not tested\n");
    }
    prx_stop(&x, &b, &st);
    assert_int_equal(st.failed, 0);
    assert_true(st.handshakes >= 1);
}

#define LOAD_N 300

static void
test_proxy_load(void **state)
{
    static struct snp_atls_conn *conns[LOAD_N];
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_proxy_stats st;
    struct snp_atls_client *cl = NULL;
    struct timespec t0, t1;
    struct backend b;
    struct prx x;
    double secs;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prx_start(&x, &b);
    copts(&o, &pol, F.a.ld, true, false);
    T_OK(snp_atls_client_new(&cl, &o));
    for (int i = 0; i < LOAD_N; i++) {
        int fd = -1;
        T_OK(snp_atls_tcp_connect("127.0.0.1", x.port, &fd));
        T_OK(snp_atls_client_handshake(cl, fd, &conns[i], NULL));
    }
    for (int i = 0; i < LOAD_N; i++) {
        exchange(conns[i]);
    }
    snp_atls_proxy_stats(x.p, &st);
    assert_true(st.active >= LOAD_N);
    for (int i = 0; i < LOAD_N; i++) {
        snp_atls_conn_free(conns[i]);
    }
    snp_atls_client_free(cl);
    prx_stop(&x, &b, &st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("proxy load: %d concurrent verified connections, peak %zu, %.2f s\n", LOAD_N, st.peak,
           secs);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.refused, 0);
    assert_true(st.peak >= LOAD_N);
    assert_int_equal(st.handshakes, LOAD_N);
    assert_true(secs < 10.0);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence_codec),
        cmocka_unit_test(test_verified_cached_and_fresh),
        cmocka_unit_test(test_wrong_measurement),
        cmocka_unit_test(test_wrong_key_binding),
        cmocka_unit_test(test_stale_report),
        cmocka_unit_test(test_replayed_nonce),
        cmocka_unit_test(test_untrusted_root),
        cmocka_unit_test(test_other_chip),
        cmocka_unit_test(test_openssl_s_client),
        cmocka_unit_test(test_proxy_curl),
        cmocka_unit_test(test_proxy_load),
        cmocka_unit_test(test_copied_certificate),
        cmocka_unit_test(test_evidence_absent_or_doubled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
