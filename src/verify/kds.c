/*
 * verify/kds.c - the KDS HTTP client on libcurl: bounded retries, Retry-After, timeouts, and
 * content checks before anything is returned (attestation.md §5; user-needs.md items 1, 8).
 *
 * Retry policy, per URL: 429 and 503 wait for Retry-After (delta-seconds or HTTP-date, read
 * against the injected clock) and never retry sooner than asked; a Retry-After above the cap
 * ends the attempts rather than retrying early. Without it, and for 500/502/504, timeouts,
 * transport failures and cut-off bodies, waits double from backoff_initial_ms up to
 * backoff_max_ms. The sum of the waits never exceeds total_wait_max_ms. Other 4xx (404
 * included) and a 200 whose body fails the content check are final: retrying cannot fix them.
 * No jitter: callers are single relying parties, and determinism keeps tests exact.
 *
 * Library code: never prints; progress goes to hooks->trace.
 */
#include "snpkit/kds.h"

#include "crypto/der_check.h"
#include "verify/kds_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Resolved options: every limit non-zero. */
struct cfg {
    uint32_t connect_ms;
    uint32_t total_ms;
    uint32_t attempts;
    uint32_t backoff0;
    uint32_t backoff_max;
    uint32_t ra_max;
    uint32_t wait_max;
    const struct snp_kds_hooks *h;
};

static uint32_t
or_default(uint32_t v, uint32_t def)
{
    return v != 0 ? v : def;
}

static void
cfg_init(struct cfg *c, const struct snp_kds_opts *o)
{
    c->connect_ms = or_default(o->connect_timeout_ms, 10000);
    c->total_ms = or_default(o->timeout_ms, 30000);
    c->attempts = or_default(o->max_attempts, 5);
    c->backoff0 = or_default(o->backoff_initial_ms, 1000);
    c->backoff_max = or_default(o->backoff_max_ms, 30000);
    c->ra_max = or_default(o->retry_after_max_ms, 60000);
    c->wait_max = or_default(o->total_wait_max_ms, 120000);
    c->h = o->hooks;
}

static int64_t
hook_now(const struct snp_kds_hooks *h)
{
    if (h != NULL && h->now != NULL) {
        return h->now(h->ctx);
    }
    return (int64_t)time(NULL);
}

static void
hook_sleep(const struct snp_kds_hooks *h, uint64_t ms)
{
    struct timespec ts;

    if (h != NULL && h->sleep_ms != NULL) {
        h->sleep_ms(h->ctx, ms);
        return;
    }
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void tracef(const struct snp_kds_hooks *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tracef(const struct snp_kds_hooks *h, const char *fmt, ...)
{
    char line[SNP_KDS_URL_MAX + 128];
    va_list ap;

    if (h == NULL || h->trace == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap); /* truncation is fine for a trace line */
    va_end(ap);
    h->trace(h->ctx, line);
}

/* A message that does not fit is cut, not lost: vsnprintf always terminates. */
static void set_msg(struct snp_kds_status *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_msg(struct snp_kds_status *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
    va_end(ap);
}

/* ---- content checks ------------------------------------------------------------------------- */

snp_err
snp_kds_check_content(enum snp_kds_item item, const uint8_t *buf, size_t len,
                      int64_t *crl_next_update)
{
    struct snp_crl_times t;
    size_t n = 0;
    snp_err err;

    if (crl_next_update != NULL) {
        *crl_next_update = -1;
    }
    SNP_ENSURE(buf != NULL || len == 0, SNP_E_ARG);
    SNP_ENSURE(len != 0 && len <= SNP_KDS_BODY_MAX, SNP_E_RANGE);
    switch (item) {
    case SNP_KDS_ITEM_VCEK:
        return snp_der_check_cert(buf, len);
    case SNP_KDS_ITEM_CHAIN:
        /* attestation.md §5: "PEM: ASK block then ARK block, nothing else". */
        err = snp_pem_check_certs(buf, len, &n);
        if (err == SNP_OK && n != 2) {
            err = SNP_E_FORMAT;
        }
        return err;
    case SNP_KDS_ITEM_CRL:
        err = snp_der_check_crl(buf, len, &t);
        if (err == SNP_OK && crl_next_update != NULL && t.has_next) {
            *crl_next_update = t.next_update;
        }
        return err;
    }
    return SNP_E_ARG;
}

static const char *
content_what(enum snp_kds_item item)
{
    switch (item) {
    case SNP_KDS_ITEM_VCEK:
        return "a DER certificate";
    case SNP_KDS_ITEM_CHAIN:
        return "a PEM chain of exactly 2 certificates";
    case SNP_KDS_ITEM_CRL:
        return "a DER CRL";
    }
    return "the expected object";
}

/* ---- one HTTP exchange ---------------------------------------------------------------------- */

struct resp {
    uint8_t *buf;
    size_t len;
    size_t cap;
    bool too_large;
    char retry_after[64]; /* "" when absent */
    char ctype[64];
    long status;
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct resp *r = userp;
    size_t n = size * nmemb; /* curl guarantees this product fits (CURL_MAX_WRITE_SIZE) */

    if (n > SNP_KDS_BODY_MAX - r->len) {
        r->too_large = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (n > r->cap - r->len) {
        size_t ncap = r->cap != 0 ? r->cap : 4096;
        while (ncap - r->len < n) {
            ncap *= 2;
        }
        uint8_t *nb = realloc(r->buf, ncap);
        if (nb == NULL) {
            return 0;
        }
        r->buf = nb;
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return n;
}

static bool
prefix_ci(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);

    if (n < m) {
        return false;
    }
    for (size_t i = 0; i < m; i++) {
        char a = s[i];
        if (a >= 'A' && a <= 'Z') {
            a = (char)(a - 'A' + 'a');
        }
        if (a != p[i]) {
            return false;
        }
    }
    return true;
}

/* Copy a header's value, trimmed, into out (cut to fit). */
static void
header_value(char *out, size_t out_size, const char *line, size_t n, size_t name_len)
{
    size_t a = name_len;
    size_t b = n;

    while (a < b && (line[a] == ' ' || line[a] == '\t')) {
        a++;
    }
    while (b > a && (line[b - 1] == '\r' || line[b - 1] == '\n' || line[b - 1] == ' ')) {
        b--;
    }
    if (b - a >= out_size) {
        b = a + out_size - 1;
    }
    memcpy(out, line + a, b - a);
    out[b - a] = '\0';
}

static size_t
on_header(char *line, size_t size, size_t nitems, void *userp)
{
    struct resp *r = userp;
    size_t n = size * nitems;

    /* A new status line starts a new header set (redirects, 100 Continue). */
    if (prefix_ci(line, n, "http/")) {
        r->retry_after[0] = '\0';
        r->ctype[0] = '\0';
    } else if (prefix_ci(line, n, "retry-after:")) {
        header_value(r->retry_after, sizeof(r->retry_after), line, n, 12);
    } else if (prefix_ci(line, n, "content-type:")) {
        header_value(r->ctype, sizeof(r->ctype), line, n, 13);
    }
    return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* One GET; curl's result in *cc. Returns SNP_E_NOMEM/SNP_E_NETWORK when curl cannot start. */
static snp_err
http_once(const struct cfg *c, const char *url, struct resp *r, CURLcode *cc)
{
    CURL *h;
    CURLcode rc = CURLE_OK;

    r->len = 0;
    r->too_large = false;
    r->status = 0;
    r->retry_after[0] = '\0';
    r->ctype[0] = '\0';
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        return SNP_E_NETWORK;
    }
    h = curl_easy_init();
    if (h == NULL) {
        return SNP_E_NOMEM;
    }
#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (rc == CURLE_OK) {                                                                      \
            rc = curl_easy_setopt(h, opt, val);                                                    \
        }                                                                                          \
    } while (0)
    SETOPT(CURLOPT_URL, url);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, (void *)r);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, (void *)r);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, (long)c->total_ms);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
    SETOPT(CURLOPT_MAXREDIRS, 3L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_USERAGENT, "snpkit-kds/1");
#undef SETOPT
    if (rc == CURLE_OK) {
        rc = curl_easy_perform(h);
    }
    if (rc == CURLE_OK) {
        curl_off_t cl = -1;
        (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        /* curl reports a short body as CURLE_PARTIAL_FILE; this is a second fence. */
        if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl >= 0 &&
            (uint64_t)cl != (uint64_t)r->len) {
            rc = CURLE_PARTIAL_FILE;
        }
    } else {
        (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    }
    curl_easy_cleanup(h);
    *cc = rc;
    return SNP_OK;
}

/*
 * Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date, in ms from now. false when
 * absent or unreadable (then the caller backs off as without it).
 */
static bool
retry_after_ms(const struct resp *r, int64_t now, uint64_t *ms)
{
    const char *v = r->retry_after;
    uint64_t secs = 0;

    if (v[0] == '\0') {
        return false;
    }
    if (v[0] >= '0' && v[0] <= '9') {
        for (; *v >= '0' && *v <= '9'; v++) {
            if (secs > UINT64_C(1) << 40) {
                break; /* absurd; stays huge, so the cap ends the attempts */
            }
            secs = secs * 10 + (uint64_t)(*v - '0');
        }
        if (*v != '\0') {
            return false;
        }
    } else {
        /* curl_getdate() parses without consulting the clock; "now" stays the injected one. */
        time_t when = curl_getdate(v, NULL);
        if (when == (time_t)-1) {
            return false;
        }
        secs = (int64_t)when > now ? (uint64_t)((int64_t)when - now) : 0;
    }
    *ms = secs * 1000;
    return true;
}

/* Up to 60 printable bytes of a body, for a message; non-printables become '.'. */
static void
excerpt(char out[64], const uint8_t *p, size_t n)
{
    size_t k = n < 60 ? n : 60;

    for (size_t i = 0; i < k; i++) {
        out[i] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' ? (char)p[i] : '.';
    }
    out[k] = '\0';
}

static const char *
notfound_hint(enum snp_kds_item item)
{
    if (item == SNP_KDS_ITEM_VCEK) {
        return "the KDS has no VCEK for this chip and TCB (a non-production part, a wrong "
               "product line, or a chip id that is not registered)";
    }
    return "no such object (wrong product line or key server URL?)";
}

/* ---- the retry loop ------------------------------------------------------------------------- */

enum verdict { V_DONE, V_RETRY, V_FINAL };

/* Classify one exchange: fill st and decide. *err is the result if not retried. */
static enum verdict
classify(const char *url, enum snp_kds_item item, const struct resp *r, CURLcode cc,
         const struct cfg *c, struct snp_kds_status *st, snp_err *err)
{
    char ex[64];

    st->http_status = r->status;
    *err = SNP_E_NETWORK;
    /* An if-chain, not a switch: CURLcode has ~100 values and -Wswitch-enum wants them all. */
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        st->fail = SNP_KDS_FAIL_TIMEOUT;
        set_msg(st, "%s: timed out (connect %u ms, total %u ms)", url, c->connect_ms, c->total_ms);
        return V_RETRY;
    }
    if (cc == CURLE_PARTIAL_FILE) {
        st->fail = SNP_KDS_FAIL_TRUNCATED;
        set_msg(st, "%s: body cut off after %zu bytes (shorter than its Content-Length); refused",
                url, r->len);
        return V_RETRY;
    }
    if (cc == CURLE_OUT_OF_MEMORY) {
        *err = SNP_E_NOMEM;
        set_msg(st, "%s: out of memory", url);
        return V_FINAL;
    }
    if (cc != CURLE_OK && r->too_large) {
        st->fail = SNP_KDS_FAIL_TOO_LARGE;
        set_msg(st, "%s: response larger than %u bytes; refused", url, SNP_KDS_BODY_MAX);
        return V_FINAL;
    }
    if (cc != CURLE_OK) {
        st->fail = SNP_KDS_FAIL_CONNECT;
        set_msg(st, "%s: %s", url, curl_easy_strerror(cc));
        return V_RETRY;
    }
    excerpt(ex, r->buf, r->len);
    if (r->status == 200) {
        st->content_err = snp_kds_check_content(item, r->buf, r->len, NULL);
        if (st->content_err == SNP_OK) {
            st->fail = SNP_KDS_FAIL_NONE;
            st->msg[0] = '\0';
            *err = SNP_OK;
            return V_DONE;
        }
        st->fail = SNP_KDS_FAIL_CONTENT;
        set_msg(st,
                "%s: HTTP 200 but the body is not %s (%s; Content-Type %s, %zu bytes, "
                "starts \"%.24s\"); refused, nothing stored",
                url, content_what(item), snp_err_str(st->content_err),
                r->ctype[0] != '\0' ? r->ctype : "none", r->len, ex);
        return V_FINAL;
    }
    if (r->status == 404) {
        st->fail = SNP_KDS_FAIL_HTTP;
        *err = SNP_E_NOTFOUND;
        set_msg(st, "%s: HTTP 404: %s", url, notfound_hint(item));
        return V_FINAL;
    }
    if (r->status == 429 || r->status == 503) {
        st->fail = SNP_KDS_FAIL_THROTTLED;
        set_msg(st, "%s: HTTP %ld: the key server is rate limiting or unavailable", url, r->status);
        return V_RETRY;
    }
    if (r->status == 500 || r->status == 502 || r->status == 504) {
        st->fail = SNP_KDS_FAIL_HTTP;
        set_msg(st, "%s: HTTP %ld (server error) \"%s\"", url, r->status, ex);
        return V_RETRY;
    }
    st->fail = SNP_KDS_FAIL_HTTP;
    set_msg(st, "%s: HTTP %ld (not retried) \"%s\"", url, r->status, ex);
    return V_FINAL;
}

/* How long to wait before attempt number `next` (2..), or false to give up (msg updated). */
static bool
next_wait(const struct cfg *c, const struct resp *r, struct snp_kds_status *st, unsigned next,
          uint64_t *ms)
{
    uint64_t ra = 0;
    const char *why = st->fail == SNP_KDS_FAIL_THROTTLED ? "rate limited" : "failed";
    size_t used = strlen(st->msg);

    if (next > c->attempts) {
        snprintf(st->msg + used, sizeof(st->msg) - used,
                 "; gave up after %u attempts and %llu ms of waiting%s", st->attempts,
                 (unsigned long long)st->waited_ms,
                 st->fail == SNP_KDS_FAIL_THROTTLED
                     ? " (fill the store ahead of time with 'snpkit kds fetch', or retry later)"
                     : "");
        return false;
    }
    if ((r->status == 429 || r->status == 503) && retry_after_ms(r, hook_now(c->h), &ra)) {
        if (ra > c->ra_max) {
            snprintf(st->msg + used, sizeof(st->msg) - used,
                     "; Retry-After %llu s exceeds the %u s cap, not retried",
                     (unsigned long long)(ra / 1000), c->ra_max / 1000);
            return false;
        }
        *ms = ra;
    } else {
        uint64_t b = c->backoff0;
        for (unsigned i = 2; i < next && b < c->backoff_max; i++) {
            b *= 2;
        }
        *ms = b < c->backoff_max ? b : c->backoff_max;
    }
    if (*ms > (uint64_t)c->wait_max - st->waited_ms) {
        snprintf(st->msg + used, sizeof(st->msg) - used,
                 "; %s: waiting %llu ms more would exceed the %u ms wait budget, gave up after "
                 "%u attempts",
                 why, (unsigned long long)*ms, c->wait_max, st->attempts);
        return false;
    }
    return true;
}

snp_err
snp_kds_get(const struct snp_kds_opts *o, const char *url, enum snp_kds_item item, uint8_t **body,
            size_t *body_len, struct snp_kds_status *st)
{
    struct snp_kds_status local;
    struct snp_kds_opts zero;
    struct resp r;
    struct cfg c;
    snp_err err = SNP_E_ARG;

    memset(&r, 0, sizeof(r));
    memset(&zero, 0, sizeof(zero));
    if (st == NULL) {
        st = &local;
    }
    memset(st, 0, sizeof(*st));
    if (body != NULL) {
        *body = NULL;
    }
    if (body_len != NULL) {
        *body_len = 0;
    }
    if (body == NULL || body_len == NULL || url == NULL ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        set_msg(st, "invalid KDS request");
        return SNP_E_ARG;
    }
    cfg_init(&c, o != NULL ? o : &zero);
    if (o != NULL && o->offline) {
        st->fail = SNP_KDS_FAIL_OFFLINE;
        set_msg(st, "%s: not fetched (offline)", url);
        return SNP_E_STATE;
    }
    for (unsigned attempt = 1;; attempt++) {
        CURLcode cc = CURLE_OK;
        uint64_t wait = 0;
        tracef(c.h, "GET %s (attempt %u/%u)", url, attempt, c.attempts);
        err = http_once(&c, url, &r, &cc);
        st->attempts = attempt;
        if (err != SNP_OK) {
            set_msg(st, "%s: cannot start an HTTP request", url);
            goto out;
        }
        enum verdict v = classify(url, item, &r, cc, &c, st, &err);
        tracef(c.h, "%s", v == V_DONE ? "HTTP 200, content checked" : st->msg);
        if (v == V_DONE) {
            break;
        }
        if (v == V_FINAL || !next_wait(&c, &r, st, attempt + 1, &wait)) {
            goto out;
        }
        tracef(c.h, "waiting %llu ms before attempt %u", (unsigned long long)wait, attempt + 1);
        hook_sleep(c.h, wait);
        st->waited_ms += wait;
    }
    *body = r.buf;
    *body_len = r.len;
    r.buf = NULL; /* transferred */
    err = SNP_OK;
out:
    free(r.buf);
    return err;
}
