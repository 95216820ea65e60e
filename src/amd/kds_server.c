/*
 * amd/kds_server.c - the simulated vendor's key server: AMD's KDS URL layout and answers
 * (attestation.md §5) over HTTP, on libmicrohttpd.
 *
 * One internal polling thread serves every connection, and a mutex serialises the calls into
 * the vendor, so the vendor stays single-threaded. Requests are parsed from the raw request
 * target (snp_kds_req_parse(), fuzzed); answers are 200 with the DER or PEM body, 404 for what
 * does not exist (an unknown chip), 400 for malformed parameters, 405 for methods other than
 * GET/HEAD, 429 + Retry-After beyond the optional rate limit, 500 when the vendor fails.
 * Loopback only unless the caller explicitly allows more. Never prints: one log line per
 * request goes to the optional callback.
 */
#include "snpkit/vendor.h"

#include "base/compiler.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define URI_MAX 1024

struct snp_kds_server {
    struct MHD_Daemon *d;
    struct snp_vendor *v;
    pthread_mutex_t mu; /* the vendor and the bucket */
    uint16_t port;
    unsigned rate;   /* requests per second; 0: unlimited */
    uint64_t tokens; /* in thousandths of a request */
    int64_t last_ms;
    void *ctx;
    int64_t (*now_ms)(void *ctx);
    void (*log)(void *ctx, const char *line);
};

/* Per request: the raw target, copied before MHD decodes anything. */
struct kds_rq {
    char uri[URI_MAX];
    bool too_long;
};

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Token bucket: rate requests per second, a burst of rate. Returns 0 when the request may
 * go, else the whole seconds until one token is back (the Retry-After value, at least 1).
 */
static unsigned
bucket_take(struct snp_kds_server *s)
{
    int64_t now = s->now_ms != NULL ? s->now_ms(s->ctx) : mono_ms();
    uint64_t cap = (uint64_t)s->rate * 1000u;
    uint64_t wait_ms;

    if (s->rate == 0) {
        return 0;
    }
    if (now > s->last_ms) {
        /* rate requests/s = rate thousandths per ms */
        uint64_t add = (uint64_t)(now - s->last_ms) * s->rate;
        s->tokens = cap - s->tokens < add ? cap : s->tokens + add;
        s->last_ms = now;
    }
    if (s->tokens >= 1000) {
        s->tokens -= 1000;
        return 0;
    }
    wait_ms = (1000 - s->tokens + s->rate - 1) / s->rate;
    return (unsigned)((wait_ms + 999) / 1000 == 0 ? 1 : (wait_ms + 999) / 1000);
}

struct answer {
    unsigned status;
    const char *ctype;
    void *body; /* malloc'd, or NULL with text */
    size_t len;
    const char *text; /* a static body for errors */
    unsigned retry_after;
};

static void
answer_err(struct answer *a, unsigned status, const char *text)
{
    a->status = status;
    a->ctype = "text/plain";
    a->text = text;
}

/* A vendor error as the KDS would answer it. */
static void
answer_vendor_err(struct answer *a, snp_err err)
{
    if (err == SNP_E_NOTFOUND || err == SNP_E_ARG) {
        answer_err(a, 404, "Not Found\n"); /* no such chip */
    } else if (err == SNP_E_RANGE) {
        answer_err(a, 400, "Bad Request\n"); /* a TCB no certificate can carry */
    } else {
        answer_err(a, 500, "Internal Server Error\n");
    }
}

/* Decide the answer to one request (the vendor lock is held). */
static void
serve(struct snp_kds_server *s, const struct kds_rq *rq, struct answer *a)
{
    struct snp_kds_req r;
    snp_err err;

    if (rq->too_long) {
        answer_err(a, 414, "URI Too Long\n");
        return;
    }
    err = snp_kds_req_parse(&r, rq->uri, strlen(rq->uri));
    if (err != SNP_OK) {
        answer_err(a, err == SNP_E_FORMAT ? 400 : 404,
                   err == SNP_E_FORMAT ? "Bad Request\n" : "Not Found\n");
        return;
    }
    switch (r.kind) {
    case SNP_KDS_REQ_VCEK:
        a->ctype = "application/pkix-cert";
        err = snp_vendor_vcek_cert(s->v, r.product, r.hwid, r.hwid_len, r.tcb, (uint8_t **)&a->body,
                                   &a->len);
        break;
    case SNP_KDS_REQ_CHAIN:
        a->ctype = "application/x-pem-file";
        err = snp_vendor_cert_chain(s->v, r.product, r.family, (char **)&a->body, &a->len);
        break;
    case SNP_KDS_REQ_CRL:
        a->ctype = "application/pkix-crl";
        err = snp_vendor_crl(s->v, r.product, r.family, (uint8_t **)&a->body, &a->len);
        break;
    }
    if (err != SNP_OK) {
        answer_vendor_err(a, err);
        return;
    }
    a->status = 200;
}

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct kds_rq *rq = calloc(1, sizeof(*rq));

    (void)cls;
    (void)con;
    if (rq != NULL) {
        size_t n = strlen(uri);
        rq->too_long = n >= sizeof(rq->uri);
        memcpy(rq->uri, uri, rq->too_long ? 0 : n + 1);
    }
    return rq;
}

static void
completed(void *cls, struct MHD_Connection *con, void **req_cls,
          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    struct snp_kds_server *s = cls;
    struct kds_rq *rq = *req_cls;
    struct answer a;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char line[URI_MAX + 96], ra[16];

    (void)url;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    if (rq == NULL) {
        return MHD_NO; /* out of memory in uri_log: drop the connection */
    }
    memset(&a, 0, sizeof(a));
    pthread_mutex_lock(&s->mu);
    a.retry_after = bucket_take(s);
    if (a.retry_after != 0) {
        answer_err(&a, 429, "Too Many Requests\n");
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        answer_err(&a, 405, "Method Not Allowed\n");
    } else {
        serve(s, rq, &a);
    }
    pthread_mutex_unlock(&s->mu);
    if (a.body != NULL) {
        resp = MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
    } else {
        resp = MHD_create_response_from_buffer(strlen(a.text), (void *)(uintptr_t)a.text,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL) {
        free(a.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.ctype);
    if (a.status == 429) {
        snprintf(ra, sizeof(ra), "%u", a.retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (a.status == 405) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    ret = MHD_queue_response(con, a.status, resp);
    MHD_destroy_response(resp);
    if (s->log != NULL) {
        snprintf(line, sizeof(line), "%s %s -> %u (%zu bytes)", method,
                 rq->too_long ? "(too long)" : rq->uri, a.status,
                 a.body != NULL ? a.len : strlen(a.text));
        s->log(s->ctx, line);
    }
    return ret;
}

/* "ADDR:PORT" (IPv4; "localhost" is 127.0.0.1) into sa. */
static snp_err
parse_listen(const char *listen, bool allow_nonlocal, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    unsigned long port;
    size_t hn;

    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    SNP_ENSURE(colon != NULL && colon[1] != '\0', SNP_E_ARG);
    hn = (size_t)(colon - listen);
    SNP_ENSURE(hn > 0 && hn < sizeof(host), SNP_E_ARG);
    memcpy(host, listen, hn);
    host[hn] = '\0';
    port = strtoul(colon + 1, &end, 10);
    SNP_ENSURE(*end == '\0' && port <= 65535 && colon[1] >= '0' && colon[1] <= '9', SNP_E_ARG);
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) {
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return SNP_OK;
    }
    SNP_ENSURE(inet_pton(AF_INET, host, &sa->sin_addr) == 1, SNP_E_ARG);
    /* Loopback is 127.0.0.0/8; anything else (0.0.0.0 included) only when asked for. */
    SNP_ENSURE(allow_nonlocal || (ntohl(sa->sin_addr.s_addr) >> 24) == 127, SNP_E_ARG);
    return SNP_OK;
}

snp_err
snp_kds_server_start(struct snp_kds_server **out, struct snp_vendor *v,
                     const struct snp_kds_server_opts *o)
{
    struct snp_kds_server *s;
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    const char *listen = o != NULL && o->listen != NULL ? o->listen : "127.0.0.1:0";

    *out = NULL;
    SNP_ENSURE(v != NULL, SNP_E_ARG);
    SNP_TRY(parse_listen(listen, o != NULL && o->allow_nonlocal, &sa));
    s = calloc(1, sizeof(*s));
    SNP_ENSURE(s != NULL, SNP_E_NOMEM);
    s->v = v;
    if (o != NULL) {
        s->rate = o->rate_per_s;
        s->ctx = o->ctx;
        s->now_ms = o->now_ms;
        s->log = o->log;
    }
    s->tokens = (uint64_t)s->rate * 1000u; /* start with a full burst */
    s->last_ms = s->now_ms != NULL ? s->now_ms(s->ctx) : mono_ms();
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
    if (s->d == NULL) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return SNP_E_IO;
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : ntohs(sa.sin_port);
    *out = s;
    return SNP_OK;
}

uint16_t
snp_kds_server_port(const struct snp_kds_server *s)
{
    return s->port;
}

void
snp_kds_server_stop(struct snp_kds_server *s)
{
    if (s == NULL) {
        return;
    }
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
