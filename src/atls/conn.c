/*
 * atls/conn.c - one attested TLS connection (either side) and the plain TCP sockets under it.
 *
 * A connection owns its SSL and, once handshaken, its socket. Reads and writes are blocking
 * (the proxy drives SSL itself, non-blocking). A write to a socket the peer closed raises
 * SIGPIPE: programs ignore it (the CLI and the tests do); the library never changes signal
 * dispositions. Never prints.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

snp_err
snp_atls_conn_alloc(SSL_CTX *ctx, int fd, struct snp_atls_conn **out)
{
    struct snp_atls_conn *c;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return SNP_E_NOMEM;
    }
    c->fd = fd;
    c->verdict = SNP_E_STATE;
    c->ssl = SSL_new(ctx);
    if (c->ssl == NULL || (fd >= 0 && SSL_set_fd(c->ssl, fd) != 1)) {
        ERR_clear_error();
        c->fd = -1;
        snp_atls_conn_free(c);
        return SNP_E_NOMEM;
    }
    SSL_set_app_data(c->ssl, c);
    *out = c;
    return SNP_OK;
}

void
snp_atls_conn_free(struct snp_atls_conn *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ssl != NULL) {
        if (SSL_is_init_finished(c->ssl)) {
            (void)SSL_shutdown(c->ssl); /* close_notify, best effort; no wait for the peer's */
        }
        SSL_free(c->ssl);
        ERR_clear_error();
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->res);
    snp_atls_client_free(c->owned);
    free(c);
}

snp_err
snp_atls_write(struct snp_atls_conn *c, const void *buf, size_t len)
{
    size_t done = 0, n = 0;

    if (c == NULL || (buf == NULL && len > 0)) {
        return SNP_E_ARG;
    }
    while (done < len) {
        if (SSL_write_ex(c->ssl, (const uint8_t *)buf + done, len - done, &n) != 1) {
            ERR_clear_error();
            return SNP_E_IO;
        }
        done += n;
    }
    return SNP_OK;
}

snp_err
snp_atls_read(struct snp_atls_conn *c, void *buf, size_t cap, size_t *n)
{
    int e;

    *n = 0;
    if (c == NULL || buf == NULL || cap == 0) {
        return SNP_E_ARG;
    }
    if (SSL_read_ex(c->ssl, buf, cap, n) == 1) {
        return SNP_OK;
    }
    e = SSL_get_error(c->ssl, 0);
    ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN) {
        return SNP_OK; /* close_notify: the end of the stream */
    }
    if (e == SSL_ERROR_SYSCALL) {
        return SNP_OK; /* EOF without close_notify: treat as the end (no truncation attack
                          matters to a byte pipe whose peer simply closed) */
    }
    return SNP_E_IO;
}

snp_err
snp_atls_conn_report(const struct snp_atls_conn *c, uint8_t report[SNP_REPORT_SIZE])
{
    if (c == NULL || !c->have_report) {
        return SNP_E_STATE;
    }
    memcpy(report, c->report, SNP_REPORT_SIZE);
    return SNP_OK;
}

enum snp_atls_mode
snp_atls_conn_mode(const struct snp_atls_conn *c)
{
    return c->mode;
}

snp_err
snp_atls_conn_peer_cert(const struct snp_atls_conn *c, uint8_t **der, size_t *len)
{
    X509 *x;
    unsigned char *tmp = NULL;
    int n;

    *der = NULL;
    *len = 0;
    x = SSL_get0_peer_certificate(c->ssl);
    if (x == NULL) {
        return SNP_E_STATE;
    }
    n = i2d_X509(x, &tmp);
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

int
snp_atls_conn_fd(const struct snp_atls_conn *c)
{
    return c->fd;
}

/* ---- sockets ----------------------------------------------------------------------------- */

snp_err
snp_atls_listen(const char *host, const char *port, int *fd, uint16_t *bound)
{
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int s = -1, one = 1, e;

    *fd = -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
        if (ai != NULL) {
            freeaddrinfo(ai);
        }
        errno = 0; /* no system error: the name did not resolve */
        return SNP_E_NETWORK;
    }
    s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s, 1024) != 0) {
        e = errno; /* of the failing call, for the caller's message (EADDRINUSE, ...) */
        if (s >= 0) {
            close(s);
        }
        freeaddrinfo(ai);
        errno = e;
        return SNP_E_NETWORK;
    }
    freeaddrinfo(ai);
    if (bound != NULL) {
        *bound = 0;
        if (getsockname(s, (struct sockaddr *)&ss, &sl) == 0) {
            if (ss.ss_family == AF_INET) {
                *bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
            } else if (ss.ss_family == AF_INET6) {
                *bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
            }
        }
    }
    *fd = s;
    return SNP_OK;
}

snp_err
snp_atls_tcp_connect(const char *host, const char *port, int *fd)
{
    struct addrinfo hints, *ai = NULL, *p;
    int s = -1, e = 0;

    *fd = -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &ai) != 0) {
        errno = 0; /* no system error: the name did not resolve */
        return SNP_E_NETWORK;
    }
    for (p = ai; p != NULL; p = p->ai_next) {
        s = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (s >= 0 && connect(s, p->ai_addr, p->ai_addrlen) == 0) {
            break;
        }
        e = errno;
        if (s >= 0) {
            close(s);
        }
        s = -1;
    }
    freeaddrinfo(ai);
    if (s < 0) {
        errno = e;
        return SNP_E_NETWORK;
    }
    *fd = s;
    return SNP_OK;
}
