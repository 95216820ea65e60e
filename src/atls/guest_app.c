/*
 * atls/guest_app.c - attested TLS terminated INSIDE the CVM (docs/atls.md §5): the guest apps
 * `snpkit.app=atls` (an echo service) and `snpkit.app=atls-proxy` (plaintext forwarded to a
 * backend that the host dials on the guest's request), linked into the guest program through
 * snp_guest_app_main_ext() (guest/app.h).
 *
 * The TLS key is generated here, in the guest; the evidence comes from the guest's own
 * attestation device (snp_atls_provider_guest_dev()). The host is the untrusted network
 * device: it moves bytes between sockets and the device channel as NET messages
 * (snpkit/atls.h) and sees TLS records only (and, for the proxy, the plaintext it forwards to
 * the backend it was told to dial -- that leg is outside the CVM by definition).
 *
 * Every NET message is hostile: parsed whole before anything is applied (the parser is
 * fuzzed), unknown connection ids are ignored, and every buffer is bounded: at most
 * SNP_ATLS_NET_MAX_CONNS connections; per connection SNP_ATLS_PIPE_IN_MAX bytes fed and not
 * yet processed, GAPP_OUT_MAX bytes of TLS output not yet taken by the host, GAPP_UP_MAX bytes
 * of plaintext for the backend. A connection over a bound is closed (counted as dropped); an
 * OPEN beyond the connection bound is answered with CLOSE at once (refused). Never a crash.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"
#include "base/compiler.h"
#include "base/rd.h"
#include "guest/app.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define GAPP_OUT_MAX (64u * 1024u) /* TLS bytes waiting for the host, per connection */
#define GAPP_UP_MAX  (16u * 1024u) /* plaintext waiting for the backend, per connection */
#define GAPP_CHUNK   16384u        /* plaintext read at once */

struct gconn {
    uint32_t id;
    struct snp_atls_pipe *p;
    bool dirty;        /* look at it when building the response */
    bool connect_sent; /* proxy: CONNECT asked for */
    bool closing;      /* CLOSE once the output is out */
    bool client_gone;  /* no TLS output is wanted any more */
    size_t up_len;     /* proxy: plaintext for the backend */
    uint8_t *up;
};

struct snp_atls_gapp {
    bool proxy;
    struct snp_atls_server *srv;
    struct gconn **c; /* SNP_ATLS_NET_MAX_CONNS slots, n used */
    size_t n;
    struct snp_atls_net_rec *recs;
    uint32_t *refused; /* ids refused in this message: CLOSE at once */
    size_t n_refused;
    uint8_t *chunk;
    struct snp_atls_gapp_stats st;
};

void (*snp_atls_test_key_hook)(const uint8_t *der, size_t len);

static struct gconn *
find(struct snp_atls_gapp *a, uint32_t id, size_t *idx)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->c[i]->id == id) {
            if (idx != NULL) {
                *idx = i;
            }
            return a->c[i];
        }
    }
    return NULL;
}

static void
conn_free(struct gconn *c)
{
    snp_atls_pipe_free(c->p);
    if (c->up != NULL) {
        snp_free_secret(c->up, GAPP_UP_MAX); /* plaintext */
    }
    free(c);
}

static void
conn_remove(struct snp_atls_gapp *a, size_t i)
{
    conn_free(a->c[i]);
    a->c[i] = a->c[a->n - 1];
    a->c[a->n - 1] = NULL;
    a->n--;
}

static void
refuse(struct snp_atls_gapp *a, uint32_t id)
{
    a->st.refused++;
    a->refused[a->n_refused++] = id; /* at most one per record: sized for the maximum */
}

/* A connection over one of its bounds: nothing more for it but CLOSE. */
static void
drop(struct snp_atls_gapp *a, struct gconn *c)
{
    if (!c->closing || !c->client_gone) {
        a->st.dropped++;
    }
    c->closing = true;
    c->client_gone = true;
    c->up_len = 0;
    c->dirty = true;
}

static void
ev_open(struct snp_atls_gapp *a, uint32_t id)
{
    struct gconn *c = find(a, id, NULL);

    if (c != NULL) {
        drop(a, c); /* an id the host already gave us: the host is confused or hostile */
        return;
    }
    if (a->n == SNP_ATLS_NET_MAX_CONNS) {
        refuse(a, id);
        return;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL || snp_atls_pipe_server_new(a->srv, &c->p) != SNP_OK ||
        (a->proxy && (c->up = malloc(GAPP_UP_MAX)) == NULL)) {
        if (c != NULL) {
            conn_free(c);
        }
        refuse(a, id);
        return;
    }
    c->id = id;
    c->dirty = true;
    a->c[a->n++] = c;
    a->st.opened++;
}

static void
ev_apply(struct snp_atls_gapp *a, const struct snp_atls_net_rec *r)
{
    struct gconn *c;

    if (r->kind == SNP_ATLS_NET_OPEN) {
        ev_open(a, r->id);
        return;
    }
    c = find(a, r->id, NULL);
    if (c == NULL || (c->closing && c->client_gone)) {
        return; /* closed by us already, or never opened: the host's late news */
    }
    c->dirty = true;
    switch (r->kind) {
    case SNP_ATLS_NET_CLIENT_DATA:
        if (snp_atls_pipe_pending(c->p) > GAPP_OUT_MAX ||
            snp_atls_pipe_feed(c->p, r->data, r->len) == SNP_E_SPACE) {
            drop(a, c); /* the host neither drains our output nor stops feeding */
        }
        break;
    case SNP_ATLS_NET_CLIENT_CLOSED:
        c->client_gone = true;
        c->closing = true;
        break;
    case SNP_ATLS_NET_BACKEND_DATA:
        if (!a->proxy || !c->connect_sent) {
            drop(a, c); /* no backend was asked for */
        } else if (snp_atls_pipe_pending(c->p) > GAPP_OUT_MAX) {
            drop(a, c);
        } else if (snp_atls_pipe_write(c->p, r->data, r->len) != SNP_OK) {
            c->closing = true;
        }
        break;
    case SNP_ATLS_NET_BACKEND_CLOSED:
        (void)snp_atls_pipe_close(c->p); /* close_notify to the client */
        c->closing = true;
        break;
    default: /* the parser admits only the kinds above */
        drop(a, c);
        break;
    }
}

/* Plaintext that arrived: echoed, or kept for the backend. */
static void
pump(struct snp_atls_gapp *a, struct gconn *c)
{
    size_t n = 0;
    bool used = false;

    for (;;) {
        if (snp_atls_pipe_state(c->p) != SNP_ATLS_PIPE_OPEN) {
            break;
        }
        if (a->proxy) {
            if (c->up_len == GAPP_UP_MAX) {
                break; /* the rest waits inside TLS (bounded by the feed bound) */
            }
            (void)snp_atls_pipe_read(c->p, c->up + c->up_len, GAPP_UP_MAX - c->up_len, &n);
            c->up_len += n;
        } else {
            if (snp_atls_pipe_pending(c->p) > GAPP_OUT_MAX / 2) {
                break;
            }
            (void)snp_atls_pipe_read(c->p, a->chunk, GAPP_CHUNK, &n);
            used = true;
            if (n > 0 && snp_atls_pipe_write(c->p, a->chunk, n) != SNP_OK) {
                break;
            }
        }
        if (n == 0) {
            break;
        }
    }
    if (used) {
        snp_wipe(a->chunk, GAPP_CHUNK);
    }
    if (snp_atls_pipe_state(c->p) == SNP_ATLS_PIPE_CLOSED ||
        snp_atls_pipe_state(c->p) == SNP_ATLS_PIPE_FAILED) {
        c->closing = true; /* the client's close_notify, or a failed handshake */
    }
}

/*
 * One connection's part of the response: CONNECT, plaintext for the backend, TLS for the
 * client, CLOSE when all is out. false: the response is full (the rest stays, MORE).
 */
static bool
emit(struct snp_atls_gapp *a, struct gconn *c, uint8_t *out, size_t cap, size_t *off)
{
    size_t room, k = 0;

    if (c->client_gone && !c->connect_sent) {
        c->up_len = 0; /* no backend was dialled, none will be */
    }
    if (a->proxy && !c->connect_sent && !c->client_gone &&
        snp_atls_pipe_state(c->p) == SNP_ATLS_PIPE_OPEN) {
        if (snp_atls_net_put(out, cap, off, c->id, SNP_ATLS_NET_CONNECT, NULL, 0) != SNP_OK) {
            return false;
        }
        c->connect_sent = true; /* only after a verified handshake (client-side verified) */
    }
    if (c->up_len > 0 && c->connect_sent) {
        room = cap - *off > SNP_ATLS_NET_REC_HDR ? cap - *off - SNP_ATLS_NET_REC_HDR : 0;
        k = c->up_len < room ? c->up_len : room;
        if (k == 0 ||
            snp_atls_net_put(out, cap, off, c->id, SNP_ATLS_NET_TO_BACKEND, c->up, k) != SNP_OK) {
            return false;
        }
        memmove(c->up, c->up + k, c->up_len - k);
        c->up_len -= k;
        if (c->up_len > 0) {
            return false;
        }
    }
    while (snp_atls_pipe_pending(c->p) > 0) {
        if (c->client_gone) {
            uint8_t sink[512];
            (void)snp_atls_pipe_take(c->p, sink, sizeof(sink), &k); /* nobody to send it to */
            continue;
        }
        room = cap - *off > SNP_ATLS_NET_REC_HDR ? cap - *off - SNP_ATLS_NET_REC_HDR : 0;
        room = room < 0xFFFFu ? room : 0xFFFFu;
        if (room == 0) {
            return false;
        }
        /* take straight into the record: header first, data after it */
        (void)snp_atls_pipe_take(c->p, out + *off + SNP_ATLS_NET_REC_HDR, room, &k);
        if (k == 0) {
            break;
        }
        snp_put_le32(out + *off, c->id);
        out[*off + 4] = SNP_ATLS_NET_TO_CLIENT;
        out[*off + 5] = 0;
        snp_put_le16(out + *off + 6, (uint16_t)k);
        *off += SNP_ATLS_NET_REC_HDR + k;
    }
    return true;
}

/* The response: refusals, then each connection that has something to say. */
static snp_err
respond(struct snp_atls_gapp *a, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t off = SNP_ATLS_NET_HDR;
    bool more = false;

    for (size_t i = 0; i < a->n_refused; i++) {
        if (snp_atls_net_put(out, cap, &off, a->refused[i], SNP_ATLS_NET_CLOSE, NULL, 0) !=
            SNP_OK) {
            more = true; /* cannot happen with cap >= 4 + 8 * SNP_ATLS_NET_MAX_RECS */
            break;
        }
    }
    a->n_refused = 0;
    for (size_t i = a->n; i-- > 0;) {
        struct gconn *c = a->c[i];

        if (!c->dirty) {
            continue;
        }
        pump(a, c);
        if (!emit(a, c, out, cap, &off)) {
            more = true;
            continue; /* still dirty; other connections may still fit a CLOSE */
        }
        if (c->closing && c->up_len == 0 && snp_atls_pipe_pending(c->p) == 0) {
            if (snp_atls_net_put(out, cap, &off, c->id, SNP_ATLS_NET_CLOSE, NULL, 0) != SNP_OK) {
                more = true;
                continue;
            }
            conn_remove(a, i);
            continue;
        }
        c->dirty = false;
    }
    snp_put_le32(out, more ? SNP_ATLS_NET_MORE : 0);
    *out_len = off;
    return SNP_OK;
}

snp_err
snp_atls_gapp_net(struct snp_atls_gapp *a, const uint8_t *body, size_t len, uint8_t *out,
                  size_t cap, size_t *out_len)
{
    uint32_t flags = 0;
    size_t n = 0;
    snp_err err;

    *out_len = 0;
    SNP_ENSURE(a != NULL && out != NULL, SNP_E_ARG);
    SNP_ENSURE(cap >= SNP_ATLS_NET_HDR + SNP_ATLS_NET_REC_HDR * SNP_ATLS_NET_MAX_RECS, SNP_E_SPACE);
    err = snp_atls_net_parse(body, len, true, &flags, a->recs, SNP_ATLS_NET_MAX_RECS, &n, NULL);
    if (err != SNP_OK) {
        a->st.bad_messages++;
        return err;
    }
    for (size_t i = 0; i < n; i++) {
        ev_apply(a, &a->recs[i]);
    }
    return respond(a, out, cap, out_len);
}

snp_err
snp_atls_gapp_new(struct snp_atls_gapp **out, bool proxy, snp_atls_evidence_fn evidence,
                  void *evidence_ctx)
{
    struct snp_atls_server_opts so;
    struct snp_atls_gapp *a;
    snp_err err;

    *out = NULL;
    a = calloc(1, sizeof(*a));
    SNP_ENSURE(a != NULL, SNP_E_NOMEM);
    a->proxy = proxy;
    a->c = calloc(SNP_ATLS_NET_MAX_CONNS, sizeof(*a->c));
    a->recs = calloc(SNP_ATLS_NET_MAX_RECS, sizeof(*a->recs));
    a->refused = calloc(SNP_ATLS_NET_MAX_RECS, sizeof(*a->refused));
    a->chunk = malloc(GAPP_CHUNK);
    if (a->c == NULL || a->recs == NULL || a->refused == NULL || a->chunk == NULL) {
        snp_atls_gapp_free(a);
        return SNP_E_NOMEM;
    }
    /* The TLS key is generated here, and the first (cached) evidence is made now. */
    snp_atls_server_opts_init(&so);
    so.evidence = evidence;
    so.evidence_ctx = evidence_ctx;
    err = snp_atls_server_new(&a->srv, &so);
    if (err == SNP_OK && snp_atls_test_key_hook != NULL) {
        uint8_t *der = NULL;
        size_t dl = 0;
        if (snp_atls_server_key_der(a->srv, &der, &dl) == SNP_OK) {
            snp_atls_test_key_hook(der, dl);
            snp_free_secret(der, dl);
        }
    }
    if (err != SNP_OK) {
        snp_atls_gapp_free(a);
        return err;
    }
    *out = a;
    return SNP_OK;
}

void
snp_atls_gapp_stats(const struct snp_atls_gapp *a, struct snp_atls_gapp_stats *st)
{
    *st = a->st;
    st->conns = a->n;
}

void
snp_atls_gapp_free(struct snp_atls_gapp *a)
{
    if (a == NULL) {
        return;
    }
    while (a->n > 0) {
        conn_remove(a, a->n - 1);
    }
    snp_atls_server_free(a->srv);
    free(a->c);
    free(a->recs);
    free(a->refused);
    if (a->chunk != NULL) {
        snp_free_secret(a->chunk, GAPP_CHUNK);
    }
    free(a);
}

/* ---- the guest program's side: snp_guest_app_main_ext() ---------------------------------- */

struct gapp_env {
    struct snp_atls_gapp *app;
};

static snp_err
env_start(void *ctx, const char *name, struct snp_guest_dev *dev)
{
    struct gapp_env *e = ctx;

    return snp_atls_gapp_new(&e->app, strcmp(name, "atls-proxy") == 0, snp_atls_provider_guest_dev,
                             dev);
}

static snp_err
env_handle(void *ctx, uint8_t op, const uint8_t *body, size_t len, uint8_t *out, size_t cap,
           size_t *out_len)
{
    struct gapp_env *e = ctx;

    *out_len = 0;
    if (op != SNP_APP_OP_NET) {
        return SNP_E_UNSUPPORTED;
    }
    return snp_atls_gapp_net(e->app, body, len, out, cap, out_len);
}

static void
env_stop(void *ctx)
{
    struct gapp_env *e = ctx;

    snp_atls_gapp_free(e->app);
    e->app = NULL;
}

void
snp_atls_guest_main(struct snp_guest *g, void *arg)
{
    static const char *const names[] = {"atls", "atls-proxy", NULL};
    struct gapp_env env = {NULL};
    const struct snp_guest_app_ext ext = {names, &env, env_start, env_handle, env_stop};

    snp_guest_app_main_ext(g, arg, &ext);
}
