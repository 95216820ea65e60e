/*
 * atls/client.c - the attested TLS client (docs/atls.md §6): TLS 1.3 only, no resumption, and
 * the certificate check replaced by the evidence check, run while libssl processes the server's
 * Certificate message -- before the client's Finished, so a rejected server never receives an
 * application byte.
 *
 * The checks: atls.evidence (the extension parses), atls.freshness (cached: bounded age) or
 * atls.nonce (fresh: our nonce), atls.binding (REPORT_DATA by the rule of snpkit/atls.h over
 * THIS certificate's SPKI; TLS 1.3 CertificateVerify then proves the peer holds that key), and
 * everything snp_verify_report() checks. Only the public snpkit/verify.h is used to verify.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"
#include "crypto/crypto.h"
#include "snpkit/util.h"
#include "snpkit/verify_policy.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_AGE_DEF 3600u
#define FUTURE_SKEW 300 /* seconds a cached issued_at may be ahead of our clock */
#define VERDICT_TTL 60  /* seconds a successful snp_verify_report() of the same bytes is reused */

/*
 * The last evidence that passed snp_verify_report() under this client's (constant) root, CRL mode
 * and policy: the SHA-256 of the extension's bytes, when, and the checks. Cached evidence is the
 * same bytes on every handshake, so re-verifying the report signature and chain each time buys
 * nothing within a minute; the aTLS checks (freshness, binding to THIS certificate's key) still
 * run on every handshake. Only successes are kept; fresh evidence never matches (its nonce).
 */
struct verdict_cache {
    pthread_mutex_t lock;
    bool valid;
    uint8_t digest[SNP_SHA256_SIZE];
    time_t at;
    struct snp_verify_result res;
};

struct snp_atls_client {
    SSL_CTX *ctx;
    struct snp_verifier *v;
    ASN1_OBJECT *oid;
    struct snp_atls_client_opts o;
    uint8_t *root;
    struct snp_verify_policy pol;
    struct verdict_cache vc;
};

void
snp_atls_client_opts_init(struct snp_atls_client_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->crl = SNP_CRL_WARN;
    o->max_age = MAX_AGE_DEF;
}

/*
 * The evidence extension's bytes: exactly one occurrence. SNP_E_NOTFOUND when the certificate
 * has none (not an aTLS server: an ordinary TLS certificate); SNP_E_FORMAT when it has two or
 * more (which one would count?) or an empty one. *why: the check's detail.
 */
static snp_err
find_evidence(const struct snp_atls_client *cl, X509 *x, const uint8_t **p, size_t *len,
              const char **why)
{
    int i = X509_get_ext_by_OBJ(x, cl->oid, -1);
    const ASN1_OCTET_STRING *os;

    if (i < 0) {
        *why = "certificate has no evidence extension: not an aTLS server";
        return SNP_E_NOTFOUND;
    }
    if (X509_get_ext_by_OBJ(x, cl->oid, i) >= 0) {
        *why = "certificate has more than one evidence extension";
        return SNP_E_FORMAT;
    }
    os = X509_EXTENSION_get_data(X509_get_ext(x, i));
    if (os == NULL || ASN1_STRING_length(os) <= 0) {
        *why = "the evidence extension is empty";
        return SNP_E_FORMAT;
    }
    *p = ASN1_STRING_get0_data(os);
    *len = (size_t)ASN1_STRING_length(os);
    return SNP_OK;
}

/* atls.freshness (cached) or atls.nonce (fresh); the check's error. */
static snp_err
check_fresh(const struct snp_atls_client *cl, struct snp_atls_conn *c,
            const struct snp_atls_evidence *ev, time_t now, struct snp_verify_result *res)
{
    uint64_t n = now < 0 ? 0 : (uint64_t)now;

    if (c->have_nonce) {
        if (ev->mode != SNP_ATLS_FRESH) {
            snp_verify_add(res, "atls.nonce", SNP_CHECK_FAIL, SNP_E_REPLAY,
                           "nonce sent, but the evidence is cached (mode %u), not bound to it",
                           (unsigned)ev->mode);
            return SNP_E_REPLAY;
        }
        if (!snp_ct_eq(ev->nonce, c->nonce, SNP_ATLS_NONCE_SIZE)) {
            snp_verify_add(res, "atls.nonce", SNP_CHECK_FAIL, SNP_E_REPLAY,
                           "evidence carries another nonce than the one sent: replayed");
            return SNP_E_REPLAY;
        }
        snp_verify_add(res, "atls.nonce", SNP_CHECK_PASS, SNP_OK, "evidence bound to our nonce");
        return SNP_OK;
    }
    if (ev->issued_at > n + FUTURE_SKEW) {
        snp_verify_add(res, "atls.freshness", SNP_CHECK_FAIL, SNP_E_EXPIRED,
                       "issued_at %llu is %llu s in the future", (unsigned long long)ev->issued_at,
                       (unsigned long long)(ev->issued_at - n));
        return SNP_E_EXPIRED;
    }
    if (ev->issued_at + cl->o.max_age < n) {
        snp_verify_add(res, "atls.freshness", SNP_CHECK_FAIL, SNP_E_EXPIRED,
                       "evidence is %llu s old, max-age %u s",
                       (unsigned long long)(n - ev->issued_at), cl->o.max_age);
        return SNP_E_EXPIRED;
    }
    snp_verify_add(res, "atls.freshness", SNP_CHECK_PASS, SNP_OK,
                   "%s evidence, %lld s old (max %u)",
                   ev->mode == SNP_ATLS_FRESH ? "fresh" : "cached",
                   (long long)n - (long long)ev->issued_at, cl->o.max_age);
    return SNP_OK;
}

/* atls.binding: REPORT_DATA by the rule, over the SPKI of the certificate libssl received. */
static snp_err
check_binding(X509 *x, const struct snp_atls_evidence *ev, struct snp_verify_result *res)
{
    unsigned char *spki = NULL;
    uint8_t want[64];
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
    snp_err err;

    if (n <= 0) {
        ERR_clear_error();
        snp_verify_add(res, "atls.binding", SNP_CHECK_ERROR, SNP_E_CRYPTO, "no SPKI");
        return SNP_E_CRYPTO;
    }
    err = snp_atls_report_data(want, ev->mode, ev->issued_at, ev->nonce, spki, (size_t)n);
    OPENSSL_free(spki);
    if (err != SNP_OK) {
        snp_verify_add(res, "atls.binding", SNP_CHECK_ERROR, err, "REPORT_DATA not computed");
        return err;
    }
    /* 0x050 REPORT_DATA of the report (SNP-ABI ATTESTATION_REPORT) */
    if (!snp_ct_eq(want, ev->report + 0x50, 64)) {
        snp_verify_add(res, "atls.binding", SNP_CHECK_FAIL, SNP_E_BINDING,
                       "REPORT_DATA is not bound to this certificate's key (and time/nonce)");
        return SNP_E_BINDING;
    }
    snp_verify_add(res, "atls.binding", SNP_CHECK_PASS, SNP_OK,
                   "REPORT_DATA = SHA-512(label, mode, time, nonce, SPKI of this key)");
    return SNP_OK;
}

/* A verified result for these exact bytes at time now, if one is cached: copied into res. */
static bool
cache_get(struct snp_atls_client *cl, const uint8_t digest[SNP_SHA256_SIZE], time_t now,
          struct snp_verify_result *res)
{
    bool hit;

    pthread_mutex_lock(&cl->vc.lock);
    hit = cl->vc.valid && memcmp(cl->vc.digest, digest, SNP_SHA256_SIZE) == 0 && now >= cl->vc.at &&
          now - cl->vc.at < VERDICT_TTL;
    if (hit) {
        memcpy(res, &cl->vc.res, sizeof(*res));
    }
    pthread_mutex_unlock(&cl->vc.lock);
    return hit;
}

static void
cache_put(struct snp_atls_client *cl, const uint8_t digest[SNP_SHA256_SIZE], time_t now,
          const struct snp_verify_result *res)
{
    pthread_mutex_lock(&cl->vc.lock);
    memcpy(cl->vc.digest, digest, SNP_SHA256_SIZE);
    cl->vc.at = now;
    memcpy(&cl->vc.res, res, sizeof(*res));
    cl->vc.valid = true;
    pthread_mutex_unlock(&cl->vc.lock);
}

/* snp_verify_report() of the evidence, or its cached success; the verdict, res filled. */
static snp_err
verify_evidence(struct snp_atls_client *cl, const uint8_t *p, size_t len,
                const struct snp_atls_evidence *ev, time_t now, struct snp_verify_result *res)
{
    struct snp_verify_opts vo;
    struct snp_collateral *bag = NULL;
    const struct snp_collateral *coll = cl->o.collateral;
    uint8_t digest[SNP_SHA256_SIZE];
    bool cacheable = ev->mode == SNP_ATLS_CACHED && snp_sha256(digest, p, len) == SNP_OK;
    snp_err err;

    if (cacheable && cache_get(cl, digest, now, res)) {
        return SNP_OK;
    }
    if (ev->certs_len > 0) {
        err = snp_collateral_new(&bag);
        if (err == SNP_OK) {
            err = snp_collateral_add_cert_table(bag, ev->certs, ev->certs_len);
        }
        if (err != SNP_OK) {
            snp_verify_add(res, "atls.evidence",
                           err == SNP_E_NOMEM ? SNP_CHECK_ERROR : SNP_CHECK_FAIL, err,
                           "certificate table does not parse (%s)", snp_err_name(err));
            snp_collateral_free(bag);
            return err;
        }
        coll = bag;
    }
    if (coll == NULL) {
        snp_verify_add(res, "atls.evidence", SNP_CHECK_ERROR, SNP_E_NOTFOUND,
                       "no certificate table in the evidence and no collateral given");
        return SNP_E_NOTFOUND;
    }
    snp_verify_opts_init(&vo);
    vo.at = now;
    vo.root = cl->root;
    vo.root_len = cl->o.root_len;
    vo.crl = cl->o.crl;
    err = snp_verify_report(cl->v, ev->report, SNP_REPORT_SIZE, coll, &vo,
                            cl->o.policy != NULL ? &cl->pol : NULL, res);
    snp_collateral_free(bag);
    if (err == SNP_OK && cacheable) {
        cache_put(cl, digest, now, res);
    }
    return err;
}

/* The whole evidence check of one certificate; fills res; the verdict. */
static snp_err
check_evidence(struct snp_atls_client *cl, struct snp_atls_conn *c, X509 *x,
               struct snp_verify_result *res)
{
    struct snp_atls_evidence ev;
    const uint8_t *p = NULL;
    const char *why = NULL;
    size_t len = 0, off = 0;
    time_t now = cl->o.at != 0 ? cl->o.at : time(NULL);
    snp_err err, aerr, berr;

    memset(res, 0, sizeof(*res));
    err = find_evidence(cl, x, &p, &len, &why);
    if (err != SNP_OK) {
        snp_verify_add(res, "atls.evidence", SNP_CHECK_FAIL, err, "%s (OID %s)", why, SNP_ATLS_OID);
        return err;
    }
    err = snp_atls_evidence_decode(&ev, p, len, &off);
    if (err != SNP_OK) {
        snp_verify_add(res, "atls.evidence", SNP_CHECK_FAIL, err,
                       "evidence extension does not parse (%s at offset %zu)", snp_err_name(err),
                       off);
        return err;
    }
    err = verify_evidence(cl, p, len, &ev, now, res);
    if (snp_verify_find(res, "atls.evidence") != NULL) {
        return err; /* the evidence could not even be submitted */
    }
    snp_verify_add(res, "atls.evidence", SNP_CHECK_PASS, SNP_OK, "%s evidence, %zu-byte table",
                   ev.mode == SNP_ATLS_FRESH ? "fresh" : "cached", ev.certs_len);
    /* The aTLS checks name the reason first: they are what this protocol adds. */
    aerr = check_fresh(cl, c, &ev, now, res);
    berr = check_binding(x, &ev, res);
    if (aerr == SNP_OK) {
        aerr = berr;
    }
    if (aerr == SNP_OK && err == SNP_OK) {
        memcpy(c->report, ev.report, SNP_REPORT_SIZE);
        c->have_report = true;
        c->mode = ev.mode;
    }
    return aerr != SNP_OK ? aerr : snp_verify_verdict(res);
}

/* libssl's certificate check, replaced: 1 accept, 0 abort the handshake. */
static int
verify_cb(X509_STORE_CTX *xs, void *arg)
{
    struct snp_atls_client *cl = arg;
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct snp_atls_conn *c = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    X509 *x = X509_STORE_CTX_get0_cert(xs);

    if (c == NULL || c->res == NULL || x == NULL) {
        return 0;
    }
    c->checked = true;
    c->verdict = check_evidence(cl, c, x, c->res);
    if (c->verdict != SNP_OK) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

/* The nonce extension of our ClientHello (fresh mode only). */
static int
nonce_add(SSL *ssl, unsigned int ext_type, unsigned int context, const unsigned char **out,
          size_t *outlen, X509 *x, size_t chainidx, int *al, void *arg)
{
    struct snp_atls_conn *c = SSL_get_app_data(ssl);

    (void)ext_type;
    (void)context;
    (void)x;
    (void)chainidx;
    (void)arg;
    if (c == NULL || !c->have_nonce) {
        return 0; /* cached mode: no extension */
    }
    (void)al;
    *out = c->nonce;
    *outlen = SNP_ATLS_NONCE_SIZE;
    return 1;
}

static int
nonce_parse_none(SSL *ssl, unsigned int ext_type, unsigned int context, const unsigned char *in,
                 size_t inlen, X509 *x, size_t chainidx, int *al, void *arg)
{
    (void)ssl;
    (void)ext_type;
    (void)context;
    (void)in;
    (void)inlen;
    (void)x;
    (void)chainidx;
    (void)al;
    (void)arg;
    return 1;
}

snp_err
snp_atls_client_new(struct snp_atls_client **out, const struct snp_atls_client_opts *o)
{
    struct snp_atls_client *cl;
    snp_err err = SNP_E_NOMEM;

    *out = NULL;
    if (o == NULL || (o->root == NULL && o->root_len > 0)) {
        return SNP_E_ARG;
    }
    cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        return SNP_E_NOMEM;
    }
    if (pthread_mutex_init(&cl->vc.lock, NULL) != 0) {
        free(cl);
        return SNP_E_NOMEM;
    }
    cl->o = *o;
    if (cl->o.max_age == 0) {
        cl->o.max_age = MAX_AGE_DEF;
    }
    if (o->policy != NULL) {
        cl->pol = *o->policy;
    }
    if (o->root_len > 0) {
        cl->root = malloc(o->root_len);
        if (cl->root == NULL) {
            goto fail;
        }
        memcpy(cl->root, o->root, o->root_len);
    }
    err = snp_verifier_new(&cl->v);
    if (err != SNP_OK) {
        goto fail;
    }
    err = SNP_E_CRYPTO;
    cl->oid = OBJ_txt2obj(SNP_ATLS_OID, 1);
    cl->ctx = SSL_CTX_new(TLS_client_method());
    if (cl->oid == NULL || cl->ctx == NULL) {
        goto fail;
    }
    SSL_CTX_set_min_proto_version(cl->ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(cl->ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(cl->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(cl->ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(cl->ctx, verify_cb, cl);
    if (SSL_CTX_add_custom_ext(cl->ctx, SNP_ATLS_NONCE_EXT, SSL_EXT_CLIENT_HELLO, nonce_add, NULL,
                               NULL, nonce_parse_none, NULL) != 1) {
        goto fail;
    }
    *out = cl;
    return SNP_OK;
fail:
    ERR_clear_error();
    snp_atls_client_free(cl);
    return err;
}

void
snp_atls_client_free(struct snp_atls_client *c)
{
    if (c == NULL) {
        return;
    }
    SSL_CTX_free(c->ctx);
    ASN1_OBJECT_free(c->oid);
    snp_verifier_free(c->v);
    free(c->root);
    pthread_mutex_destroy(&c->vc.lock);
    free(c);
}

/* The reason of libssl's first queued error, or NULL. Leaves the queue as it is. */
static const char *
tls_reason(int *reason)
{
    unsigned long e = ERR_peek_error();

    *reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
    return e != 0 ? ERR_reason_error_string(e) : NULL;
}

snp_err
snp_atls_client_outcome(struct snp_atls_conn *c, bool ok)
{
    const char *why;
    int reason = 0;

    if (ok) {
        if (!c->checked || c->verdict != SNP_OK) {
            return SNP_E_STATE; /* cannot happen: SSL_VERIFY_PEER runs the check */
        }
        snp_verify_add(c->res, "atls.key_possession", SNP_CHECK_PASS, SNP_OK,
                       "the server signed this handshake (TLS 1.3 CertificateVerify) with the "
                       "certificate's key");
        return SNP_OK;
    }
    if (c->checked && c->verdict != SNP_OK) {
        return c->verdict; /* the evidence check refused: its checks say why */
    }
    why = tls_reason(&reason);
    if (c->checked && reason == SSL_R_BAD_SIGNATURE) {
        /* The evidence is genuine and bound to the certificate's key, but the peer could not
         * sign with that key: it presents a certificate it copied (another CVM's). */
        snp_verify_add(c->res, "atls.key_possession", SNP_CHECK_FAIL, SNP_E_SIG,
                       "CertificateVerify does not verify with the certificate's key: the server "
                       "does not hold the key its evidence is bound to (a copied certificate)");
        return SNP_E_SIG;
    }
    snp_verify_add(c->res, "atls.handshake", SNP_CHECK_ERROR, SNP_E_IO,
                   "TLS handshake failed %s: %s",
                   c->checked ? "after the evidence check passed" : "before the server's evidence",
                   why != NULL ? why : "the connection closed");
    return SNP_E_IO;
}

snp_err
snp_atls_client_conn_new(struct snp_atls_client *cl, int fd, struct snp_atls_conn **out)
{
    struct snp_atls_conn *c = NULL;
    snp_err err;

    *out = NULL;
    err = snp_atls_conn_alloc(cl->ctx, fd, &c);
    if (err != SNP_OK) {
        return err;
    }
    c->client = cl;
    c->res = calloc(1, sizeof(*c->res));
    if (c->res == NULL) {
        err = SNP_E_NOMEM;
        goto fail;
    }
    if (cl->o.fresh) {
        err = snp_random(c->nonce, sizeof(c->nonce));
        if (err != SNP_OK) {
            goto fail;
        }
        c->have_nonce = true;
    }
    *out = c;
    return SNP_OK;
fail:
    c->fd = -1; /* the caller keeps the socket on failure */
    snp_atls_conn_free(c);
    return err;
}

snp_err
snp_atls_client_handshake(struct snp_atls_client *cl, int fd, struct snp_atls_conn **out,
                          struct snp_verify_result *res)
{
    struct snp_atls_conn *c = NULL;
    snp_err err;

    *out = NULL;
    if (res != NULL) {
        memset(res, 0, sizeof(*res));
    }
    if (cl == NULL || fd < 0) {
        return SNP_E_ARG;
    }
    err = snp_atls_client_conn_new(cl, fd, &c);
    if (err != SNP_OK) {
        return err;
    }
    err = snp_atls_client_outcome(c, SSL_connect(c->ssl) == 1);
    ERR_clear_error();
    if (err != SNP_OK) {
        goto fail;
    }
    if (res != NULL) {
        memcpy(res, c->res, sizeof(*res));
    }
    *out = c;
    return SNP_OK;
fail:
    if (res != NULL && c != NULL && c->res != NULL) {
        memcpy(res, c->res, sizeof(*res));
    }
    if (c != NULL) {
        c->fd = -1; /* the caller keeps the socket on failure */
    }
    snp_atls_conn_free(c);
    return err;
}

snp_err
snp_atls_connect(const struct snp_atls_client_opts *o, const char *host, const char *port,
                 struct snp_atls_conn **out, struct snp_verify_result *res)
{
    struct snp_atls_client *cl = NULL;
    int fd = -1, e;
    snp_err err;

    *out = NULL;
    err = snp_atls_client_new(&cl, o);
    if (err != SNP_OK) {
        return err;
    }
    err = snp_atls_tcp_connect(host, port, &fd);
    e = errno; /* SNP_E_NETWORK: why, for the caller */
    if (err == SNP_OK) {
        err = snp_atls_client_handshake(cl, fd, out, res);
    }
    if (err != SNP_OK) {
        if (fd >= 0) {
            close(fd);
        }
        snp_atls_client_free(cl);
        if (err == SNP_E_NETWORK) {
            errno = e;
        }
        return err;
    }
    (*out)->owned = cl; /* transferred */
    return SNP_OK;
}
