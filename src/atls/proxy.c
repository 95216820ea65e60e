/*
 * atls/proxy.c - the TLS-terminating reverse proxy (docs/atls.md §8): attested TLS on the
 * front, a plain TCP backend behind, one thread, poll() over non-blocking sockets.
 *
 * Bounded: at most max_conns pairs (more are accepted and closed at once, counted as refused),
 * one 16 KiB buffer per direction per pair. The backend is dialled only after the client's
 * handshake completed, so a client that rejects the evidence never reaches it. Half-close is
 * forwarded as a close. An error on one pair closes that pair only. Sets O_NONBLOCK on the
 * listening socket it is given. Never prints.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE  16384
#define MAX_DEF   1024
#define POLL_IDLE 1000 /* ms: wake up now and then even when idle */

enum pstate { P_HANDSHAKE, P_CONNECTING, P_PUMP };

struct pair {
    struct snp_atls_conn *tls;
    int bfd;
    enum pstate st;
    short tls_events; /* what SSL last asked for */
    bool client_eof, backend_eof;
    size_t up_len, up_off;     /* client -> backend */
    size_t down_len, down_off; /* backend -> client */
    uint8_t up[BUF_SIZE];
    uint8_t down[BUF_SIZE];
};

struct snp_atls_proxy {
    struct snp_atls_proxy_opts o;
    struct sockaddr_storage backend;
    socklen_t backend_len;
    int wake[2];
    volatile sig_atomic_t stop;
    struct pair **pairs;
    size_t n;
    struct pollfd *pfd;
    pthread_mutex_t lock; /* st */
    struct snp_atls_proxy_stats st;
};

static bool
set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);

    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

static void
stat_add(struct snp_atls_proxy *p, uint64_t *field, uint64_t v)
{
    pthread_mutex_lock(&p->lock);
    *field += v;
    pthread_mutex_unlock(&p->lock);
}

snp_err
snp_atls_proxy_new(struct snp_atls_proxy **out, const struct snp_atls_proxy_opts *o)
{
    struct snp_atls_proxy *p;
    struct addrinfo hints, *ai = NULL;

    *out = NULL;
    if (o == NULL || o->server == NULL || o->listen_fd < 0 || o->backend_host == NULL ||
        o->backend_port == NULL) {
        return SNP_E_ARG;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(o->backend_host, o->backend_port, &hints, &ai) != 0 || ai == NULL ||
        ai->ai_addrlen > sizeof(struct sockaddr_storage)) {
        if (ai != NULL) {
            freeaddrinfo(ai);
        }
        return SNP_E_NETWORK;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        freeaddrinfo(ai);
        return SNP_E_NOMEM;
    }
    p->o = *o;
    if (p->o.max_conns == 0) {
        p->o.max_conns = MAX_DEF;
    }
    memcpy(&p->backend, ai->ai_addr, ai->ai_addrlen);
    p->backend_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    p->pairs = calloc(p->o.max_conns, sizeof(*p->pairs));
    p->pfd = calloc(2 + 2 * p->o.max_conns, sizeof(*p->pfd));
    if (p->pairs == NULL || p->pfd == NULL || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->pairs);
        free(p->pfd);
        free(p);
        return SNP_E_NOMEM;
    }
    if (pipe(p->wake) != 0 || !set_nonblock(p->wake[0]) || !set_nonblock(p->wake[1]) ||
        !set_nonblock(o->listen_fd)) {
        p->wake[0] = p->wake[1] = -1;
        snp_atls_proxy_free(p);
        return SNP_E_IO;
    }
    *out = p;
    return SNP_OK;
}

static void
pair_close(struct snp_atls_proxy *p, size_t i)
{
    struct pair *c = p->pairs[i];

    snp_atls_conn_free(c->tls);
    if (c->bfd >= 0) {
        close(c->bfd);
    }
    free(c);
    p->pairs[i] = p->pairs[p->n - 1];
    p->pairs[p->n - 1] = NULL;
    p->n--;
    pthread_mutex_lock(&p->lock);
    p->st.closed++;
    p->st.active = p->n;
    pthread_mutex_unlock(&p->lock);
}

void
snp_atls_proxy_free(struct snp_atls_proxy *p)
{
    if (p == NULL) {
        return;
    }
    while (p->n > 0) {
        pair_close(p, p->n - 1);
    }
    if (p->wake[0] >= 0) {
        close(p->wake[0]);
        close(p->wake[1]);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->pairs);
    free(p->pfd);
    free(p);
}

void
snp_atls_proxy_stop(struct snp_atls_proxy *p)
{
    p->stop = 1;
    (void)!write(p->wake[1], "x", 1); /* async-signal-safe */
}

void
snp_atls_proxy_stats(struct snp_atls_proxy *p, struct snp_atls_proxy_stats *st)
{
    pthread_mutex_lock(&p->lock);
    *st = p->st;
    pthread_mutex_unlock(&p->lock);
}

static void
accept_all(struct snp_atls_proxy *p)
{
    for (;;) {
        int fd = accept(p->o.listen_fd, NULL, NULL);
        struct pair *c;

        if (fd < 0) {
            return; /* EAGAIN, or a transient error: poll again */
        }
        stat_add(p, &p->st.accepted, 1);
        c = p->n < p->o.max_conns ? calloc(1, sizeof(*c)) : NULL;
        if (c == NULL || !set_nonblock(fd) ||
            snp_atls_server_conn_new(p->o.server, fd, &c->tls) != SNP_OK) {
            free(c);
            close(fd);
            stat_add(p, &p->st.refused, 1);
            continue;
        }
        SSL_set_mode(c->tls->ssl,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        c->bfd = -1;
        c->st = P_HANDSHAKE;
        c->tls_events = POLLIN;
        p->pairs[p->n++] = c;
        pthread_mutex_lock(&p->lock);
        p->st.active = p->n;
        if (p->n > p->st.peak) {
            p->st.peak = p->n;
        }
        pthread_mutex_unlock(&p->lock);
    }
}

/* SSL's wish after a non-fatal failure: the poll events, or 0 when the connection failed. */
static short
ssl_want(SSL *ssl, int r)
{
    int e = SSL_get_error(ssl, r);

    if (e == SSL_ERROR_WANT_READ) {
        return POLLIN;
    }
    if (e == SSL_ERROR_WANT_WRITE) {
        return POLLOUT;
    }
    ERR_clear_error();
    return 0;
}

/* The handshake is done: dial the backend (non-blocking). false: close the pair. */
static bool
dial(struct snp_atls_proxy *p, struct pair *c)
{
    c->bfd = socket(p->backend.ss_family, SOCK_STREAM, 0);
    if (c->bfd < 0 || !set_nonblock(c->bfd)) {
        return false;
    }
    if (connect(c->bfd, (struct sockaddr *)&p->backend, p->backend_len) == 0) {
        c->st = P_PUMP;
        return true;
    }
    if (errno != EINPROGRESS) {
        return false;
    }
    c->st = P_CONNECTING;
    return true;
}

/* Move bytes both ways until nothing moves. false: close the pair. */
static bool
pump(struct snp_atls_proxy *p, struct pair *c)
{
    bool moved = true;
    size_t n;
    ssize_t k;
    int r;

    while (moved) {
        moved = false;
        if (c->up_len == 0 && !c->client_eof) {
            r = SSL_read_ex(c->tls->ssl, c->up, sizeof(c->up), &n);
            if (r == 1) {
                c->up_len = n;
                c->up_off = 0;
                moved = true;
            } else if ((c->tls_events = ssl_want(c->tls->ssl, r)) == 0) {
                c->client_eof = true;
            }
        }
        if (c->up_len > 0) {
            k = write(c->bfd, c->up + c->up_off, c->up_len - c->up_off);
            if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                return false;
            }
            if (k > 0) {
                stat_add(p, &p->st.bytes_up, (uint64_t)k);
                c->up_off += (size_t)k;
                if (c->up_off == c->up_len) {
                    c->up_len = c->up_off = 0;
                }
                moved = true;
            }
        }
        if (c->down_len == 0 && !c->backend_eof) {
            k = read(c->bfd, c->down, sizeof(c->down));
            if (k > 0) {
                c->down_len = (size_t)k;
                c->down_off = 0;
                moved = true;
            } else if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                c->backend_eof = true;
            }
        }
        if (c->down_len > 0) {
            r = SSL_write_ex(c->tls->ssl, c->down + c->down_off, c->down_len - c->down_off, &n);
            if (r == 1) {
                stat_add(p, &p->st.bytes_down, n);
                c->down_off += n;
                if (c->down_off == c->down_len) {
                    c->down_len = c->down_off = 0;
                }
                moved = true;
            } else if ((c->tls_events = ssl_want(c->tls->ssl, r)) == 0) {
                return false;
            }
        }
    }
    /* Either side finished and its bytes are delivered: close the pair. */
    if (c->client_eof && c->up_len == 0) {
        return false;
    }
    if (c->backend_eof && c->down_len == 0) {
        return false;
    }
    return true;
}

/* One pair's turn after poll. false: close it. */
static bool
step(struct snp_atls_proxy *p, struct pair *c, short bre)
{
    int r, so = 0;
    socklen_t sl = sizeof(so);

    if (c->st == P_HANDSHAKE) {
        r = SSL_accept(c->tls->ssl);
        if (r != 1) {
            c->tls_events = ssl_want(c->tls->ssl, r);
            if (c->tls_events == 0) {
                snp_atls_server_count(p->o.server, false);
                stat_add(p, &p->st.failed, 1);
                return false;
            }
            return true;
        }
        snp_atls_server_count(p->o.server, true);
        stat_add(p, &p->st.handshakes, 1);
        if (!dial(p, c)) {
            return false;
        }
    }
    if (c->st == P_CONNECTING) {
        if (!(bre & (POLLOUT | POLLERR | POLLHUP))) {
            return true;
        }
        if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 || so != 0) {
            return false;
        }
        c->st = P_PUMP;
    }
    return pump(p, c);
}

/* The poll set: [0] wake pipe, [1] listener, then tls and backend of each pair. */
static size_t
poll_set(struct snp_atls_proxy *p, int *timeout)
{
    size_t k = 2;

    p->pfd[0] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
    p->pfd[1] = (struct pollfd){.fd = p->o.listen_fd, .events = POLLIN};
    *timeout = POLL_IDLE;
    for (size_t i = 0; i < p->n; i++) {
        struct pair *c = p->pairs[i];
        short be = 0;

        if (c->tls->ssl != NULL && SSL_pending(c->tls->ssl) > 0) {
            *timeout = 0;
        }
        if (c->st == P_CONNECTING) {
            be = POLLOUT;
        } else if (c->st == P_PUMP) {
            be = (short)((c->down_len == 0 && !c->backend_eof ? POLLIN : 0) |
                         (c->up_len > 0 ? POLLOUT : 0));
        }
        p->pfd[k++] = (struct pollfd){.fd = c->tls->fd, .events = c->tls_events};
        p->pfd[k++] = (struct pollfd){.fd = c->bfd, .events = be}; /* fd -1: ignored */
    }
    return k;
}

snp_err
snp_atls_proxy_run(struct snp_atls_proxy *p)
{
    char drain[64];
    int timeout;

    while (!p->stop) {
        size_t n = poll_set(p, &timeout), np = p->n;

        if (poll(p->pfd, n, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return SNP_E_IO;
        }
        if (p->pfd[0].revents & POLLIN) {
            while (read(p->wake[0], drain, sizeof(drain)) > 0) {
            }
        }
        /* Pairs in reverse, so that closing (swap with the last) keeps the indices valid. */
        for (size_t i = np; i-- > 0;) {
            struct pair *c = p->pairs[i];
            short tre = p->pfd[2 + 2 * i].revents, bre = p->pfd[3 + 2 * i].revents;

            if (tre == 0 && bre == 0 && SSL_pending(c->tls->ssl) == 0) {
                continue;
            }
            if (!step(p, c, bre)) {
                pair_close(p, i);
            }
        }
        if (p->pfd[1].revents & POLLIN) {
            accept_all(p);
        }
    }
    return SNP_OK;
}
