/*
 * atls/server.c - the attested TLS server (docs/atls.md §4, §5): a TLS key generated here, where
 * the evidence provider lives; a self-signed certificate carrying the evidence; per handshake,
 * either the cached certificate (remade when older than the refresh interval) or, when the
 * ClientHello carries a nonce, a certificate with a fresh report bound to that nonce.
 *
 * libssl hooks: a custom ClientHello extension (SNP_ATLS_NONCE_EXT) whose parse callback stores
 * the nonce in the connection, and the certificate callback, which libssl runs after the
 * ClientHello has been parsed and before the Certificate is sent. Resumption is off: a resumed
 * handshake carries no certificate, hence no evidence.
 * Never prints; the provider runs under the server's lock.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"
#include "crypto/atls_cert.h"
#include "snpkit/guest.h"
#include "snpkit/util.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CERT_CN       "snpkit-atls"
#define CERT_LIFETIME (24L * 3600L)
#define REFRESH_DEF   300u

struct snp_atls_server {
    struct snp_atls_server_opts o;
    SSL_CTX *ctx;
    struct snp_tlskey *key;
    uint8_t *spki;
    size_t spki_len;
    pthread_mutex_t lock; /* everything below, and the provider */
    X509 *cached;
    uint64_t cached_at;
    uint8_t cached_report[SNP_REPORT_SIZE];
    X509 *pinned; /* test hook: replayed certificate */
    struct snp_atls_server_stats st;
};

void
snp_atls_server_opts_init(struct snp_atls_server_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->refresh_seconds = REFRESH_DEF;
    o->allow_fresh = true;
}

snp_err
snp_atls_provider_guest_dev(void *ctx, const uint8_t report_data[64],
                            uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_cap,
                            size_t *certs_len)
{
    struct snp_guest_status gs;

    if (ctx == NULL) {
        return SNP_E_ARG;
    }
    return snp_guest_dev_get_ext_report(ctx, report_data, 0, report, certs, certs_cap, certs_len,
                                        &gs);
}

static uint64_t
now_of(const struct snp_atls_server *s)
{
    time_t t = s->o.clock != NULL ? s->o.clock(s->o.clock_ctx) : time(NULL);
    return t < 0 ? 0 : (uint64_t)t;
}

/*
 * Evidence for mode/nonce at the current time: REPORT_DATA by the binding rule, a report from
 * the provider, the extension, the certificate. Called with the lock held.
 */
static snp_err
make_cert(struct snp_atls_server *s, enum snp_atls_mode mode, const uint8_t *nonce, X509 **out,
          uint64_t *issued, uint8_t report[SNP_REPORT_SIZE])
{
    struct snp_atls_evidence ev;
    uint8_t rd[64];
    uint8_t *certs = NULL, *ext = NULL, *der = NULL;
    size_t certs_len = 0, ext_len = 0, der_len = 0;
    const unsigned char *p;
    snp_err err;

    *out = NULL;
    memset(&ev, 0, sizeof(ev));
    ev.mode = mode;
    ev.issued_at = now_of(s);
    if (nonce != NULL) {
        memcpy(ev.nonce, nonce, SNP_ATLS_NONCE_SIZE);
    }
    err = snp_atls_report_data(rd, mode, ev.issued_at, nonce, s->spki, s->spki_len);
    if (err != SNP_OK) {
        goto out;
    }
    certs = malloc(SNP_ATLS_EV_CERTS_MAX);
    ext = malloc(SNP_ATLS_EV_MIN_SIZE + SNP_ATLS_EV_CERTS_MAX);
    if (certs == NULL || ext == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    err = s->o.evidence(s->o.evidence_ctx, rd, report, certs, SNP_ATLS_EV_CERTS_MAX, &certs_len);
    if (err != SNP_OK) {
        goto out;
    }
    if (certs_len > SNP_ATLS_EV_CERTS_MAX) {
        err = SNP_E_RANGE;
        goto out;
    }
    ev.report = report;
    ev.certs = certs_len > 0 ? certs : NULL;
    ev.certs_len = certs_len;
    err =
        snp_atls_evidence_encode(ext, SNP_ATLS_EV_MIN_SIZE + SNP_ATLS_EV_CERTS_MAX, &ext_len, &ev);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_tls_cert_build(s->key, CERT_CN, SNP_ATLS_OID, ext, ext_len, (time_t)ev.issued_at - 60,
                             CERT_LIFETIME, &der, &der_len);
    if (err != SNP_OK) {
        goto out;
    }
    p = der;
    *out = d2i_X509(NULL, &p, (long)der_len);
    if (*out == NULL) {
        ERR_clear_error();
        err = SNP_E_CRYPTO;
        goto out;
    }
    *issued = ev.issued_at;
    err = SNP_OK;
out:
    free(certs);
    free(ext);
    free(der);
    return err;
}

/* The cached certificate, remade when older than the refresh interval; a new reference. */
static snp_err
cached_cert(struct snp_atls_server *s, X509 **out, uint8_t report[SNP_REPORT_SIZE])
{
    uint64_t now = now_of(s), at = 0;
    uint8_t rep[SNP_REPORT_SIZE];
    X509 *x = NULL;
    snp_err err;

    if (s->cached == NULL || now < s->cached_at || now - s->cached_at >= s->o.refresh_seconds) {
        err = make_cert(s, SNP_ATLS_CACHED, NULL, &x, &at, rep);
        if (err != SNP_OK) {
            return err;
        }
        X509_free(s->cached);
        s->cached = x;
        s->cached_at = at;
        memcpy(s->cached_report, rep, sizeof(rep));
        s->st.cached_reports++;
    }
    if (X509_up_ref(s->cached) != 1) {
        return SNP_E_CRYPTO;
    }
    *out = s->cached;
    if (report != NULL) {
        memcpy(report, s->cached_report, SNP_REPORT_SIZE);
    }
    return SNP_OK;
}

/* libssl's certificate callback: 1 to continue, 0 to fail the handshake. */
static int
cert_cb(SSL *ssl, void *arg)
{
    struct snp_atls_server *s = arg;
    struct snp_atls_conn *c = SSL_get_app_data(ssl);
    X509 *x = NULL;
    uint64_t at = 0;
    snp_err err;
    int ok;

    if (c == NULL) {
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    if (s->pinned != NULL) {
        err = X509_up_ref(s->pinned) == 1 ? SNP_OK : SNP_E_CRYPTO;
        x = s->pinned;
        c->have_report = false;
    } else if (c->have_nonce && s->o.allow_fresh) {
        err = make_cert(s, SNP_ATLS_FRESH, c->nonce, &x, &at, c->report);
        c->mode = SNP_ATLS_FRESH;
        c->have_report = err == SNP_OK;
        if (err == SNP_OK) {
            s->st.fresh_reports++;
        }
    } else {
        err = cached_cert(s, &x, c->report);
        c->mode = SNP_ATLS_CACHED;
        c->have_report = err == SNP_OK;
    }
    pthread_mutex_unlock(&s->lock);
    if (err != SNP_OK) {
        return 0;
    }
    ok = SSL_use_certificate(ssl, x);
    X509_free(x);
    if (ok != 1) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

/* The client's nonce (ClientHello): exactly SNP_ATLS_NONCE_SIZE bytes, else a decode_error. */
static int
nonce_parse(SSL *ssl, unsigned int ext_type, unsigned int context, const unsigned char *in,
            size_t inlen, X509 *x, size_t chainidx, int *al, void *arg)
{
    struct snp_atls_conn *c = SSL_get_app_data(ssl);

    (void)ext_type;
    (void)context;
    (void)x;
    (void)chainidx;
    (void)arg;
    if (c == NULL || inlen != SNP_ATLS_NONCE_SIZE) {
        *al = SSL_AD_DECODE_ERROR;
        return 0;
    }
    memcpy(c->nonce, in, SNP_ATLS_NONCE_SIZE);
    c->have_nonce = true;
    return 1;
}

/* The server never answers the nonce extension. */
static int
nonce_add_none(SSL *ssl, unsigned int ext_type, unsigned int context, const unsigned char **out,
               size_t *outlen, X509 *x, size_t chainidx, int *al, void *arg)
{
    (void)ssl;
    (void)ext_type;
    (void)context;
    (void)out;
    (void)outlen;
    (void)x;
    (void)chainidx;
    (void)al;
    (void)arg;
    return 0;
}

static snp_err
ctx_new(struct snp_atls_server *s)
{
    uint8_t *kder = NULL;
    size_t klen = 0;
    snp_err err;

    s->ctx = SSL_CTX_new(TLS_server_method());
    if (s->ctx == NULL) {
        ERR_clear_error();
        return SNP_E_NOMEM;
    }
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION); /* ordinary tools too */
    SSL_CTX_set_options(s->ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(s->ctx, 0);
    err = snp_tlskey_private_der(s->key, &kder, &klen);
    if (err != SNP_OK) {
        return err;
    }
    if (SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_EC, s->ctx, kder, (long)klen) != 1) {
        ERR_clear_error();
        err = SNP_E_CRYPTO;
    }
    snp_free_secret(kder, klen);
    if (err != SNP_OK) {
        return err;
    }
    SSL_CTX_set_cert_cb(s->ctx, cert_cb, s);
    if (SSL_CTX_add_custom_ext(s->ctx, SNP_ATLS_NONCE_EXT, SSL_EXT_CLIENT_HELLO, nonce_add_none,
                               NULL, NULL, nonce_parse, NULL) != 1) {
        ERR_clear_error();
        return SNP_E_CRYPTO;
    }
    return SNP_OK;
}

snp_err
snp_atls_server_new(struct snp_atls_server **out, const struct snp_atls_server_opts *o)
{
    struct snp_atls_server *s = NULL;
    X509 *x = NULL;
    snp_err err = SNP_E_ARG;

    *out = NULL;
    if (o == NULL || o->evidence == NULL) {
        return SNP_E_ARG;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return SNP_E_NOMEM;
    }
    s->o = *o;
    if (s->o.refresh_seconds == 0) {
        s->o.refresh_seconds = REFRESH_DEF;
    }
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return SNP_E_NOMEM;
    }
    err = snp_tlskey_generate(&s->key);
    if (err == SNP_OK) {
        err = snp_tlskey_spki(s->key, &s->spki, &s->spki_len);
    }
    if (err == SNP_OK) {
        err = ctx_new(s);
    }
    if (err == SNP_OK) {
        err = cached_cert(s, &x, NULL); /* the first evidence, now: fail early */
        X509_free(x);
    }
    if (err != SNP_OK) {
        snp_atls_server_free(s);
        return err;
    }
    *out = s;
    return SNP_OK;
}

void
snp_atls_server_free(struct snp_atls_server *s)
{
    if (s == NULL) {
        return;
    }
    X509_free(s->cached);
    X509_free(s->pinned);
    SSL_CTX_free(s->ctx);
    snp_tlskey_free(s->key);
    free(s->spki);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

snp_err
snp_atls_server_report(struct snp_atls_server *s, uint8_t report[SNP_REPORT_SIZE])
{
    X509 *x = NULL;
    snp_err err;

    pthread_mutex_lock(&s->lock);
    err = cached_cert(s, &x, report);
    pthread_mutex_unlock(&s->lock);
    X509_free(x);
    return err;
}

snp_err
snp_atls_server_cert(struct snp_atls_server *s, uint8_t **der, size_t *len)
{
    X509 *x = NULL;
    unsigned char *tmp = NULL;
    snp_err err;
    int n;

    *der = NULL;
    *len = 0;
    pthread_mutex_lock(&s->lock);
    err = cached_cert(s, &x, NULL);
    pthread_mutex_unlock(&s->lock);
    if (err != SNP_OK) {
        return err;
    }
    n = i2d_X509(x, &tmp);
    X509_free(x);
    if (n <= 0) {
        ERR_clear_error();
        return SNP_E_CRYPTO;
    }
    *der = malloc((size_t)n);
    if (*der != NULL) {
        memcpy(*der, tmp, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(tmp);
    return *der != NULL ? SNP_OK : SNP_E_NOMEM;
}

void
snp_atls_server_stats(struct snp_atls_server *s, struct snp_atls_server_stats *st)
{
    pthread_mutex_lock(&s->lock);
    *st = s->st;
    pthread_mutex_unlock(&s->lock);
}

void
snp_atls_server_count(struct snp_atls_server *s, bool ok)
{
    pthread_mutex_lock(&s->lock);
    if (ok) {
        s->st.handshakes++;
    } else {
        s->st.failed++;
    }
    pthread_mutex_unlock(&s->lock);
}

snp_err
snp_atls_server_pin_cert(struct snp_atls_server *s, const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = NULL;

    if (der != NULL) {
        x = d2i_X509(NULL, &p, (long)len);
        if (x == NULL) {
            ERR_clear_error();
            return SNP_E_FORMAT;
        }
    }
    pthread_mutex_lock(&s->lock);
    X509_free(s->pinned);
    s->pinned = x;
    pthread_mutex_unlock(&s->lock);
    return SNP_OK;
}

snp_err
snp_atls_server_key_der(const struct snp_atls_server *s, uint8_t **der, size_t *len)
{
    return snp_tlskey_private_der(s->key, der, len);
}

snp_err
snp_atls_server_conn_new(struct snp_atls_server *s, int fd, struct snp_atls_conn **out)
{
    snp_err err = snp_atls_conn_alloc(s->ctx, fd, out);

    if (err == SNP_OK) {
        (*out)->server_side = true;
        (*out)->server = s;
    }
    return err;
}

snp_err
snp_atls_server_accept(struct snp_atls_server *s, int fd, struct snp_atls_conn **out)
{
    struct snp_atls_conn *c = NULL;
    snp_err err;

    *out = NULL;
    err = snp_atls_server_conn_new(s, fd, &c);
    if (err != SNP_OK) {
        return err;
    }
    if (SSL_accept(c->ssl) != 1) {
        ERR_clear_error();
        snp_atls_server_count(s, false);
        c->fd = -1; /* the caller keeps the socket on failure */
        snp_atls_conn_free(c);
        return SNP_E_IO;
    }
    snp_atls_server_count(s, true);
    *out = c;
    return SNP_OK;
}
