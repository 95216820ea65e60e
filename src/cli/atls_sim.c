/*
 * cli/atls_sim.c - `snpkit atls serve` and `snpkit atls proxy` on the simulator (docs/atls.md
 * §5, §7): a CVM running the aTLS guest app (snp_atls_guest_main(), `snpkit.app=atls` or
 * `atls-proxy`) and, here in the host process, the untrusted network device in front of it.
 *
 * The TLS key, the handshakes and the records live in the guest. This file holds no key: it
 * accepts TCP connections, relays the bytes of each client (TLS records) to the guest as NET
 * messages of the device channel (snpkit/atls.h), and carries out what the guest answers: bytes
 * to a client, dial the backend, bytes to the backend (the plaintext the proxy forwards: that
 * leg is outside the CVM by definition), close.
 *
 * The broker is the one of `snpkit sim serve`: the VMM runs on one thread; the guest is the
 * server of the channel, so the channel callback blocks until a message is queued, hands it to
 * the guest and returns the answer to the waiting thread on the next doorbell. The network
 * loop (atls_cvm_netloop()) runs on another thread: poll() over the listening socket, the
 * clients and the backends; one NET message per round, then again at once while the guest
 * says MORE. Bounded: at most SNP_ATLS_NET_MAX_CONNS connections (more are accepted and closed
 * at once); a socket is read only while what waits for its peer is under HOST_HIGH bytes.
 */
#include "cli.h"
#include "sim_int.h"

#include "base/compiler.h"
#include "base/rd.h"
#include "snpkit/atls.h"
#include "snpkit/machine.h"
#include "snpkit/util.h"
#include "snpkit/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HOST_HIGH      (64u * 1024u) /* bytes waiting for a socket before its peer is not read */
#define HOST_READ      16384u        /* one read */
#define POLL_MS        100           /* idle wake-up: look at the stop flag */
#define GUEST_RECS_MAX (SNP_CHAN_MAX / SNP_ATLS_NET_REC_HDR) /* records an answer can hold */

struct cvm_job {
    const uint8_t *req;
    size_t req_len;
    uint8_t *rsp; /* malloc'd by the channel callback */
    size_t rsp_len;
    bool done;
};

struct atls_cvm {
    struct simopts o;
    struct sim s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cvm_job *pending;  /* queued by the network thread */
    struct cvm_job *inflight; /* in the guest */
    bool ready;               /* the guest said HELLO with its app name */
    bool gone;                /* the VM is not running (any more) */
    volatile sig_atomic_t stop;
    uint8_t measurement[48];
};

/* The guest's side of every message; runs on the VMM's thread. */
static snp_err
cvm_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct atls_cvm *c = ctx;
    struct cvm_job *j;

    pthread_mutex_lock(&c->mu);
    if (c->inflight != NULL) {
        c->inflight->rsp = malloc(len > 0 ? len : 1);
        if (c->inflight->rsp != NULL) {
            memcpy(c->inflight->rsp, from, len);
            c->inflight->rsp_len = len;
        }
        c->inflight->done = true;
        c->inflight = NULL;
    } else if (len >= 4 && from[0] == SNP_CHAN_OP_HELLO) {
        c->ready = true; /* the app started: key made, first evidence fetched */
    }
    pthread_cond_broadcast(&c->cv);
    while (c->pending == NULL && !c->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000; /* the stop flag is set by a signal: look now and then */
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    if (!c->stop && c->pending != NULL && c->pending->req_len <= cap) {
        j = c->pending;
        c->pending = NULL;
        c->inflight = j;
        memcpy(to, j->req, j->req_len);
        *to_len = j->req_len;
    } else {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    pthread_mutex_unlock(&c->mu);
    return SNP_OK;
}

snp_err
atls_cvm_boot(struct atls_cvm **out, struct simopts *o, bool proxy)
{
    struct snp_vendor_opts vo;
    struct snp_vmm_launch l;
    struct atls_cvm *c;
    uint32_t fw = 0;
    snp_err err;

    *out = NULL;
    if (o->state[0] == '\0' && snp_vendor_state_default(o->state, sizeof(o->state)) != SNP_OK) {
        cli_errorf(NULL, "no state directory: give --state DIR");
        return SNP_E_IO;
    }
    c = calloc(1, sizeof(*c));
    SNP_ENSURE(c != NULL, SNP_E_NOMEM);
    c->o = *o;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->gone = true;
    memset(&vo, 0, sizeof(vo));
    vo.state_dir = c->o.state;
    vo.rsa_bits = c->o.rsa_bits;
    err = snp_vendor_open(&c->s.vendor, &vo);
    if (err == SNP_OK) {
        err = sim_machine_open(&c->o, &c->s);
    }
    if (err != SNP_OK) {
        cli_errorf(c->o.state, "cannot open the simulated chip: %s", snp_err_str(err));
        atls_cvm_free(c);
        return SNP_E_IO;
    }
    snp_vmm_launch_default(&l);
    l.cmdline = proxy ? ATLS_CVM_CMDLINE_PROXY : ATLS_CVM_CMDLINE_ECHO;
    l.policy = c->o.policy;
    l.vcpus = c->o.vcpus;
    l.entry = snp_atls_guest_main; /* the guest program with the aTLS app linked in */
    err = snp_vmm_new(&c->s.vmm, c->s.m, &l, &fw);
    if (err == SNP_OK) {
        memcpy(c->measurement, snp_vmm_info(c->s.vmm)->measurement, 48);
        err = sim_collateral(&c->o, &c->s);
    }
    if (err != SNP_OK) {
        cli_errorf(NULL, "launch failed: %s (firmware status 0x%x)", snp_err_str(err), fw);
        atls_cvm_free(c);
        return SNP_E_STATE;
    }
    snp_vmm_set_channel(c->s.vmm, cvm_chan, c);
    c->gone = false;
    *out = c;
    return SNP_OK;
}

const uint8_t *
atls_cvm_measurement(const struct atls_cvm *c)
{
    return c->measurement;
}

snp_err
atls_cvm_write_certs(const struct atls_cvm *c, const char *dir)
{
    return sim_write_certs(dir, &c->s);
}

bool
atls_cvm_run(struct atls_cvm *c)
{
    struct snp_vmm_status st;
    snp_err err;

    memset(&st, 0, sizeof(st));
    err = snp_vmm_run(c->s.vmm, 0, &st);
    pthread_mutex_lock(&c->mu);
    c->gone = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (err != SNP_OK || !c->stop) {
        cli_errorf(NULL, "the guest stopped (stop %d, %s)", (int)st.stop, snp_err_str(err));
        return false;
    }
    return true;
}

void
atls_cvm_stop(struct atls_cvm *c)
{
    c->stop = 1;
}

bool
atls_cvm_wait_ready(struct atls_cvm *c)
{
    bool ok;

    pthread_mutex_lock(&c->mu);
    while (!c->ready && !c->gone && !c->stop) {
        pthread_cond_wait(&c->cv, &c->mu);
    }
    ok = c->ready && !c->gone && !c->stop;
    pthread_mutex_unlock(&c->mu);
    return ok;
}

/* Hand @req to the guest and wait for its answer (malloc'd). SNP_E_STATE: the VM is gone. */
static snp_err
submit(struct atls_cvm *c, const uint8_t *req, size_t len, uint8_t **rsp, size_t *rsp_len)
{
    struct cvm_job j;
    bool ok;

    memset(&j, 0, sizeof(j));
    j.req = req;
    j.req_len = len;
    pthread_mutex_lock(&c->mu);
    if (!c->gone && !c->stop) {
        c->pending = &j;
        pthread_cond_broadcast(&c->cv);
        while (!j.done && !c->gone) {
            pthread_cond_wait(&c->cv, &c->mu);
        }
    }
    if (c->pending == &j) {
        c->pending = NULL;
    }
    if (c->inflight == &j) { /* the VM stopped with our message in it */
        c->inflight = NULL;
    }
    ok = j.done && j.rsp != NULL && j.rsp_len >= SNP_CHAN_MSG_HDR;
    pthread_mutex_unlock(&c->mu);
    if (!ok) {
        free(j.rsp);
        return SNP_E_STATE;
    }
    *rsp = j.rsp;
    *rsp_len = j.rsp_len;
    return SNP_OK;
}

void
atls_cvm_free(struct atls_cvm *c)
{
    if (c == NULL) {
        return;
    }
    sim_free(&c->s);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ---- the untrusted network device: sockets <-> NET messages ------------------------------- */

struct hbuf {
    uint8_t *p;
    size_t len, cap;
};

struct hconn {
    uint32_t id;
    int cfd, bfd;
    bool b_connecting, b_up; /* backend dial in progress / connected */
    bool c_eof, b_eof;       /* that side is gone (and the guest was told, or will be) */
    bool tell_b_closed;      /* BACKEND_CLOSED still to send */
    bool closing;            /* the guest said CLOSE: flush, then close */
    struct hbuf to_c, to_b;
};

struct net {
    struct atls_cvm *cvm;
    int lfd;
    struct sockaddr_storage backend;
    socklen_t backend_len;
    bool has_backend;
    char backend_name[300]; /* "HOST:PORT", for the operator's messages */
    time_t dial_said;       /* when the last dial failure was printed */
    uint64_t dial_unsaid;   /* failures since then not printed (rate limit) */
    struct hconn **c;
    size_t n;
    struct pollfd *pfd;
    uint32_t next_id;
    uint8_t *msg; /* the NET message being built */
    size_t off;
    struct snp_atls_net_rec *recs; /* of the guest's answer */
    struct atls_net_stats st;
};

static bool
set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);

    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

static bool
hbuf_add(struct hbuf *b, const uint8_t *d, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap == 0 ? 16384 : b->cap;
        uint8_t *p;
        while (cap - b->len < n) {
            cap *= 2;
        }
        p = realloc(b->p, cap);
        if (p == NULL) {
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return true;
}

/* Write what the socket takes. false: the socket failed. */
static bool
hbuf_flush(struct hbuf *b, int fd)
{
    while (b->len > 0) {
        ssize_t k = write(fd, b->p, b->len);
        if (k < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        }
        memmove(b->p, b->p + k, b->len - (size_t)k);
        b->len -= (size_t)k;
    }
    return true;
}

static void
hconn_close(struct net *t, size_t i)
{
    struct hconn *h = t->c[i];

    if (h->cfd >= 0) {
        close(h->cfd);
    }
    if (h->bfd >= 0) {
        close(h->bfd);
    }
    free(h->to_c.p);
    free(h->to_b.p);
    free(h);
    t->c[i] = t->c[t->n - 1];
    t->c[t->n - 1] = NULL;
    t->n--;
    t->st.closed++;
}

static struct hconn *
hconn_find(struct net *t, uint32_t id)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->c[i]->id == id) {
            return t->c[i];
        }
    }
    return NULL;
}

/* One event record into the message; false when it does not fit (try again next round). */
static bool
put(struct net *t, uint32_t id, uint8_t kind, const void *d, size_t n)
{
    return snp_atls_net_put(t->msg, SNP_CHAN_MAX, &t->off, id, kind, d, n) == SNP_OK;
}

static size_t
room(const struct net *t)
{
    size_t left = SNP_CHAN_MAX - t->off;

    return left > SNP_ATLS_NET_REC_HDR ? left - SNP_ATLS_NET_REC_HDR : 0;
}

static void
accept_all(struct net *t)
{
    for (;;) {
        struct hconn *h;
        int fd;

        if (room(t) == 0) {
            return; /* the OPEN would not fit: next round */
        }
        fd = accept(t->lfd, NULL, NULL);
        if (fd < 0) {
            return;
        }
        t->st.accepted++;
        h = t->n < SNP_ATLS_NET_MAX_CONNS ? calloc(1, sizeof(*h)) : NULL;
        if (h == NULL || !set_nonblock(fd)) {
            free(h);
            close(fd);
            t->st.refused++;
            continue;
        }
        h->id = ++t->next_id;
        h->cfd = fd;
        h->bfd = -1;
        t->c[t->n++] = h;
        if (t->n > t->st.peak) {
            t->st.peak = t->n;
        }
        (void)put(t, h->id, SNP_ATLS_NET_OPEN, NULL, 0);
    }
}

/* Read one socket into an event record; at the end (or an error) the *_CLOSED event. */
static void
read_side(struct net *t, struct hconn *h, int fd, bool client)
{
    uint8_t buf[HOST_READ];
    size_t want = room(t) < sizeof(buf) ? room(t) : sizeof(buf);
    ssize_t k;

    if (want == 0) {
        return;
    }
    k = read(fd, buf, want);
    if (k > 0) {
        (void)put(t, h->id, client ? SNP_ATLS_NET_CLIENT_DATA : SNP_ATLS_NET_BACKEND_DATA, buf,
                  (size_t)k);
        return;
    }
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    if (client) {
        h->c_eof = true;
        h->to_c.len = 0;
        (void)put(t, h->id, SNP_ATLS_NET_CLIENT_CLOSED, NULL, 0);
    } else {
        h->b_eof = true;
        h->tell_b_closed = true;
    }
}

/* The poll set: [0] the listener, then client and backend of each connection. */
static int
poll_set(struct net *t, bool more)
{
    int timeout = more ? 0 : POLL_MS;

    t->pfd[0] = (struct pollfd){.fd = t->lfd, .events = POLLIN};
    for (size_t i = 0; i < t->n; i++) {
        struct hconn *h = t->c[i];
        short ce = 0, be = 0;

        if (!h->c_eof && !h->closing && h->to_b.len < HOST_HIGH && h->to_c.len < HOST_HIGH) {
            ce |= POLLIN;
        }
        if (!h->c_eof && h->to_c.len > 0) {
            ce |= POLLOUT;
        }
        if (h->b_connecting || (h->b_up && !h->b_eof && h->to_b.len > 0)) {
            be |= POLLOUT;
        }
        if (h->b_up && !h->b_eof && !h->closing && h->to_c.len < HOST_HIGH) {
            be |= POLLIN;
        }
        if (h->tell_b_closed || (h->closing && h->to_c.len == 0 && h->to_b.len == 0)) {
            timeout = 0;
        }
        t->pfd[1 + 2 * i] = (struct pollfd){.fd = h->c_eof ? -1 : h->cfd, .events = ce};
        t->pfd[2 + 2 * i] = (struct pollfd){.fd = h->bfd, .events = be};
    }
    return timeout;
}

/*
 * A backend dial failed (@e: errno): the guest is told BACKEND_CLOSED (it sends the client a
 * close_notify and closes), and the operator gets one line on stderr -- at most one a second,
 * with the count of the failures not printed since, so a dead backend under load cannot flood.
 */
static void
dial_failed(struct net *t, struct hconn *h, int e)
{
    time_t now = time(NULL);

    h->b_eof = true;
    h->tell_b_closed = true;
    if (t->dial_said != 0 && now == t->dial_said) {
        t->dial_unsaid++;
        return;
    }
    if (t->dial_unsaid > 0) {
        cli_errorf(t->backend_name, "cannot connect to the backend: %s (and %llu more failures)",
                   strerror(e), (unsigned long long)t->dial_unsaid);
    } else {
        cli_errorf(t->backend_name, "cannot connect to the backend: %s", strerror(e));
    }
    t->dial_said = now;
    t->dial_unsaid = 0;
}

/* One connection's turn after poll; false: it is finished (close it). */
static bool
step(struct net *t, struct hconn *h, short cre, short bre)
{
    int so = 0;
    socklen_t sl = sizeof(so);

    if (!h->c_eof && (cre & POLLOUT) && !hbuf_flush(&h->to_c, h->cfd)) {
        h->c_eof = true;
        h->to_c.len = 0;
        (void)put(t, h->id, SNP_ATLS_NET_CLIENT_CLOSED, NULL, 0);
    }
    if (h->b_connecting && (bre & (POLLOUT | POLLERR | POLLHUP))) {
        h->b_connecting = false;
        if (getsockopt(h->bfd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 || so != 0) {
            dial_failed(t, h, so != 0 ? so : errno);
        } else {
            h->b_up = true;
        }
    }
    if (h->b_up && !h->b_eof && h->to_b.len > 0 && !hbuf_flush(&h->to_b, h->bfd)) {
        h->b_eof = true;
        h->tell_b_closed = true;
    }
    if (!h->c_eof && !h->closing && (cre & (POLLIN | POLLHUP | POLLERR))) {
        read_side(t, h, h->cfd, true);
    }
    if (h->b_up && !h->b_eof && !h->closing && (bre & (POLLIN | POLLHUP | POLLERR))) {
        read_side(t, h, h->bfd, false);
    }
    if (h->tell_b_closed && put(t, h->id, SNP_ATLS_NET_BACKEND_CLOSED, NULL, 0)) {
        h->tell_b_closed = false;
        h->to_b.len = 0;
    }
    /* The guest said CLOSE: done once what it sent is delivered (or cannot be). */
    return !(h->closing && (h->c_eof || h->to_c.len == 0) &&
             (h->b_eof || !h->b_up || h->to_b.len == 0));
}

/* The guest asked for the backend of @h: a non-blocking dial. */
static void
dial(struct net *t, struct hconn *h)
{
    if (!t->has_backend || h->bfd >= 0) {
        h->b_eof = true;
        h->tell_b_closed = true;
        return;
    }
    h->bfd = socket(t->backend.ss_family, SOCK_STREAM, 0);
    if (h->bfd < 0 || !set_nonblock(h->bfd)) {
        dial_failed(t, h, errno);
        return;
    }
    if (connect(h->bfd, (struct sockaddr *)&t->backend, t->backend_len) == 0) {
        h->b_up = true;
    } else if (errno == EINPROGRESS) {
        h->b_connecting = true;
    } else {
        dial_failed(t, h, errno);
    }
}

/* Send the message built so far; carry out the guest's actions. *more: the guest's MORE. */
static snp_err
exchange(struct net *t, bool *more)
{
    struct snp_atls_net_rec *recs = t->recs;
    uint8_t *rsp = NULL;
    size_t rsp_len = 0, n = 0;
    uint32_t flags = 0;
    snp_err err;

    t->msg[0] = SNP_CHAN_OP_NET;
    memset(t->msg + 1, 0, 3 + SNP_ATLS_NET_HDR);
    err = submit(t->cvm, t->msg, t->off, &rsp, &rsp_len);
    t->off = SNP_CHAN_MSG_HDR + SNP_ATLS_NET_HDR;
    if (err != SNP_OK) {
        return err;
    }
    t->st.messages++;
    if (rsp[0] != (SNP_CHAN_OP_NET | SNP_CHAN_OP_RESPONSE) || rsp[1] != SNP_OK) {
        err = rsp[1] != SNP_OK ? (snp_err)rsp[1] : SNP_E_FORMAT;
    } else {
        err = snp_atls_net_parse(rsp + SNP_CHAN_MSG_HDR, rsp_len - SNP_CHAN_MSG_HDR, false, &flags,
                                 recs, GUEST_RECS_MAX, &n, NULL);
    }
    for (size_t i = 0; err == SNP_OK && i < n; i++) {
        struct hconn *h = hconn_find(t, recs[i].id);
        if (h == NULL) {
            continue;
        }
        switch (recs[i].kind) {
        case SNP_ATLS_NET_TO_CLIENT:
            if (!h->c_eof && !hbuf_add(&h->to_c, recs[i].data, recs[i].len)) {
                err = SNP_E_NOMEM;
            }
            break;
        case SNP_ATLS_NET_TO_BACKEND:
            if (!h->b_eof && !hbuf_add(&h->to_b, recs[i].data, recs[i].len)) {
                err = SNP_E_NOMEM;
            }
            t->st.bytes_to_backend += recs[i].len;
            break;
        case SNP_ATLS_NET_CONNECT:
            dial(t, h);
            break;
        case SNP_ATLS_NET_CLOSE:
            h->closing = true;
            break;
        default:
            break;
        }
    }
    *more = err == SNP_OK && (flags & SNP_ATLS_NET_MORE) != 0;
    free(rsp);
    return err;
}

snp_err
atls_cvm_netloop(struct atls_cvm *c, int lfd, const char *bhost, const char *bport,
                 struct atls_net_stats *st)
{
    struct addrinfo hints, *ai = NULL;
    struct net t;
    bool more = true; /* the first message: learn what the guest has to say */
    snp_err err = SNP_OK;

    memset(&t, 0, sizeof(t));
    t.cvm = c;
    t.lfd = lfd;
    if (bhost != NULL) {
        memset(&hints, 0, sizeof(hints));
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        if (getaddrinfo(bhost, bport, &hints, &ai) != 0 || ai == NULL ||
            ai->ai_addrlen > sizeof(t.backend)) {
            if (ai != NULL) {
                freeaddrinfo(ai);
            }
            return SNP_E_NETWORK;
        }
        memcpy(&t.backend, ai->ai_addr, ai->ai_addrlen);
        t.backend_len = ai->ai_addrlen;
        t.has_backend = true;
        snprintf(t.backend_name, sizeof(t.backend_name),
                 strchr(bhost, ':') != NULL ? "[%s]:%s" : "%s:%s", bhost, bport);
        freeaddrinfo(ai);
    }
    t.c = calloc(SNP_ATLS_NET_MAX_CONNS, sizeof(*t.c));
    t.pfd = calloc(1 + 2 * SNP_ATLS_NET_MAX_CONNS, sizeof(*t.pfd));
    t.msg = malloc(SNP_CHAN_MAX);
    t.recs = calloc(GUEST_RECS_MAX, sizeof(*t.recs));
    if (t.c == NULL || t.pfd == NULL || t.msg == NULL || t.recs == NULL || !set_nonblock(lfd)) {
        err = SNP_E_NOMEM;
        goto out;
    }
    t.off = SNP_CHAN_MSG_HDR + SNP_ATLS_NET_HDR;
    while (!c->stop) {
        size_t np = t.n;
        int timeout = poll_set(&t, more);

        if (poll(t.pfd, 1 + 2 * np, timeout) < 0 && errno != EINTR) {
            err = SNP_E_IO;
            break;
        }
        /* In reverse, so that closing (swap with the last) keeps the indices valid. */
        for (size_t i = np; i-- > 0;) {
            if (!step(&t, t.c[i], t.pfd[1 + 2 * i].revents, t.pfd[2 + 2 * i].revents)) {
                hconn_close(&t, i);
            }
        }
        if (t.pfd[0].revents & POLLIN) {
            accept_all(&t);
        }
        if (more || t.off > SNP_CHAN_MSG_HDR + SNP_ATLS_NET_HDR) {
            err = exchange(&t, &more);
            if (err != SNP_OK) {
                break;
            }
        }
    }
out:
    while (t.n > 0) {
        hconn_close(&t, t.n - 1);
    }
    if (st != NULL) {
        *st = t.st;
    }
    free(t.c);
    free(t.pfd);
    free(t.msg);
    free(t.recs);
    return c->stop ? SNP_OK : err;
}
