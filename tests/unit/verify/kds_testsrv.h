/*
 * tests/unit/verify/kds_testsrv.h - for test_kds.c: an injected clock and sleep that never
 * wait, and a scripted HTTP server (libmicrohttpd, thread per connection) bound to 127.0.0.1
 * on an ephemeral port. A responder function decides each answer from the request URI and
 * the request number: status, body, Content-Type, Retry-After, a Content-Length larger than
 * the body (cut-off), or a delay (slow server). Header-only: one test includes it.
 */
#ifndef SNP_TESTS_KDS_TESTSRV_H
#define SNP_TESTS_KDS_TESTSRV_H

#include "helpers.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- injected clock and sleep ---------------------------------------------------------------- */

#define MAX_SLEEPS 32

struct fake {
    int64_t now;
    uint64_t sleeps[MAX_SLEEPS];
    unsigned nsleeps;
};

static int64_t
fake_now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

/* Records the wait and moves the clock, so an HTTP-date Retry-After stays consistent. */
static void
fake_sleep(void *ctx, uint64_t ms)
{
    struct fake *f = ctx;
    if (f->nsleeps < MAX_SLEEPS) {
        f->sleeps[f->nsleeps++] = ms;
    }
    f->now += (int64_t)(ms / 1000);
}

/* ---- the local HTTP server ------------------------------------------------------------------- */

struct srv_resp {
    unsigned status;
    const void *body;
    size_t len;
    const char *ctype;       /* NULL: application/octet-stream */
    const char *retry_after; /* NULL: no header */
    size_t declared_len;     /* > len: Content-Length promises more than is sent */
    unsigned delay_ms;       /* sleep before answering */
};

struct srv;
typedef void (*srv_fn)(struct srv *s, const char *uri, unsigned n, struct srv_resp *out);

struct srv {
    struct MHD_Daemon *d;
    char base[64];
    pthread_mutex_t mu;
    unsigned count;     /* requests answered */
    char last_uri[512]; /* path and query of the last request */
    srv_fn fn;
    void *ctx;
    char date[64]; /* scratch for Retry-After HTTP-dates */
};

struct req {
    char uri[512];
    bool done;
};

static void *
srv_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct req *r = calloc(1, sizeof(*r));
    (void)cls;
    (void)con;
    if (r != NULL) {
        snprintf(r->uri, sizeof(r->uri), "%s", uri);
    }
    return r;
}

static void
srv_completed(void *cls, struct MHD_Connection *con, void **req_cls,
              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

struct trunc {
    const uint8_t *p;
    size_t len;
};

/* Sends len bytes, then ends with an error: the connection closes short of Content-Length. */
static ssize_t
trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct trunc *t = cls;
    if (pos >= t->len) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = t->len - (size_t)pos < max ? t->len - (size_t)pos : max;
    memcpy(buf, t->p + pos, n);
    return (ssize_t)n;
}

static enum MHD_Result
srv_handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
            const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    struct srv *s = cls;
    struct req *rq = *req_cls;
    struct srv_resp out;
    struct MHD_Response *resp;
    unsigned n;
    enum MHD_Result ret;

    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    if (rq == NULL || rq->done) {
        return MHD_NO;
    }
    rq->done = true;
    memset(&out, 0, sizeof(out));
    pthread_mutex_lock(&s->mu);
    n = s->count++;
    snprintf(s->last_uri, sizeof(s->last_uri), "%s", rq->uri);
    s->fn(s, rq->uri, n, &out);
    pthread_mutex_unlock(&s->mu);
    if (out.delay_ms != 0) {
        struct timespec ts = {out.delay_ms / 1000, (long)(out.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (out.declared_len > out.len) {
        struct trunc *t = malloc(sizeof(*t));
        if (t == NULL) {
            return MHD_NO;
        }
        t->p = out.body;
        t->len = out.len;
        resp = MHD_create_response_from_callback(out.declared_len, 1024, trunc_reader, t, free);
    } else {
        resp = MHD_create_response_from_buffer(out.len, (void *)(uintptr_t)out.body,
                                               MHD_RESPMEM_MUST_COPY);
    }
    if (resp == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            out.ctype != NULL ? out.ctype : "application/octet-stream");
    if (out.retry_after != NULL) {
        MHD_add_response_header(resp, "Retry-After", out.retry_after);
    }
    ret = MHD_queue_response(con, out.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void
srv_start(struct srv *s, srv_fn fn, void *ctx)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->fn = fn;
    s->ctx = ctx;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = 0; /* ephemeral */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, srv_handler, s, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_URI_LOG_CALLBACK, srv_uri_log, NULL,
                            MHD_OPTION_NOTIFY_COMPLETED, srv_completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    assert_non_null(s->d);
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    assert_int_not_equal(info->port, 0);
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", (unsigned)info->port);
}

static unsigned
srv_count(struct srv *s)
{
    pthread_mutex_lock(&s->mu);
    unsigned n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void
srv_stop(struct srv *s)
{
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
}

#endif /* SNP_TESTS_KDS_TESTSRV_H */
