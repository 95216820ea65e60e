/*
 * atls/pipe.c - an attested TLS endpoint over memory (snpkit/atls.h, "the pipe"): the same
 * SSL objects, callbacks and checks as the socket server and client (server.c, client.c), with
 * two libssl memory BIOs in place of the socket. The caller is the transport: it feeds what
 * came from the wire and takes what must go to it (the guest app moves them as NET messages
 * of the device channel; tests move them by hand).
 *
 * The input BIO returns "retry" when empty (never EOF), so libssl asks for more instead of
 * failing; the end of the stream is a close_notify or the caller's decision. Never prints.
 */
#include "snpkit/atls.h"

#include "atls/atls_int.h"
#include "base/compiler.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdlib.h>
#include <string.h>

struct snp_atls_pipe {
    struct snp_atls_conn *c;
    BIO *in, *out; /* owned by c->ssl once set */
    enum snp_atls_pipe_state st;
    snp_err verdict; /* when FAILED */
};

static snp_err
pipe_new(struct snp_atls_conn *c, bool server, struct snp_atls_pipe **out)
{
    struct snp_atls_pipe *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        snp_atls_conn_free(c);
        return SNP_E_NOMEM;
    }
    p->c = c;
    p->in = BIO_new(BIO_s_mem());
    p->out = BIO_new(BIO_s_mem());
    if (p->in == NULL || p->out == NULL) {
        BIO_free(p->in);
        BIO_free(p->out);
        p->in = p->out = NULL;
        ERR_clear_error();
        snp_atls_pipe_free(p);
        return SNP_E_NOMEM;
    }
    BIO_set_mem_eof_return(p->in, -1); /* empty: retry, not EOF */
    BIO_set_mem_eof_return(p->out, -1);
    SSL_set_bio(c->ssl, p->in, p->out); /* the SSL owns both now */
    if (server) {
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
    }
    p->st = SNP_ATLS_PIPE_HANDSHAKE;
    *out = p;
    return SNP_OK;
}

/* The handshake as far as the input goes. */
static void
progress(struct snp_atls_pipe *p)
{
    struct snp_atls_conn *c = p->c;
    int r, e;

    if (p->st != SNP_ATLS_PIPE_HANDSHAKE) {
        return;
    }
    r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        if (!c->server_side && (p->verdict = snp_atls_client_outcome(c, true)) != SNP_OK) {
            p->st = SNP_ATLS_PIPE_FAILED;
            return;
        }
        p->st = SNP_ATLS_PIPE_OPEN;
        if (c->server_side) {
            snp_atls_server_count(c->server, true);
        }
        return;
    }
    e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return;
    }
    p->st = SNP_ATLS_PIPE_FAILED;
    /* Client: the evidence check's refusal, a copied certificate, or why TLS failed. */
    p->verdict = c->server_side ? SNP_E_IO : snp_atls_client_outcome(c, false);
    ERR_clear_error();
    if (c->server_side) {
        snp_atls_server_count(c->server, false);
    }
}

snp_err
snp_atls_pipe_server_new(struct snp_atls_server *s, struct snp_atls_pipe **out)
{
    struct snp_atls_conn *c = NULL;

    if (out == NULL) {
        return SNP_E_ARG;
    }
    *out = NULL;
    if (s == NULL) {
        return SNP_E_ARG;
    }
    SNP_TRY(snp_atls_server_conn_new(s, -1, &c));
    return pipe_new(c, true, out);
}

snp_err
snp_atls_pipe_client_new(struct snp_atls_client *cl, struct snp_atls_pipe **out)
{
    struct snp_atls_conn *c = NULL;

    if (out == NULL) {
        return SNP_E_ARG;
    }
    *out = NULL;
    if (cl == NULL) {
        return SNP_E_ARG;
    }
    SNP_TRY(snp_atls_client_conn_new(cl, -1, &c));
    SNP_TRY(pipe_new(c, false, out));
    progress(*out); /* the ClientHello */
    if ((*out)->st == SNP_ATLS_PIPE_FAILED) {
        snp_atls_pipe_free(*out);
        *out = NULL;
        return SNP_E_CRYPTO;
    }
    return SNP_OK;
}

snp_err
snp_atls_pipe_feed(struct snp_atls_pipe *p, const void *buf, size_t len)
{
    if (p == NULL || (buf == NULL && len > 0)) {
        return SNP_E_ARG;
    }
    if (p->st == SNP_ATLS_PIPE_FAILED) {
        return SNP_E_STATE;
    }
    if (len > SNP_ATLS_PIPE_IN_MAX || BIO_ctrl_pending(p->in) > SNP_ATLS_PIPE_IN_MAX - len) {
        return SNP_E_SPACE;
    }
    if (len > 0 && BIO_write(p->in, buf, (int)len) != (int)len) {
        ERR_clear_error();
        return SNP_E_NOMEM;
    }
    progress(p);
    return SNP_OK;
}

snp_err
snp_atls_pipe_take(struct snp_atls_pipe *p, void *buf, size_t cap, size_t *n)
{
    int r;

    *n = 0;
    if (p == NULL || (buf == NULL && cap > 0)) {
        return SNP_E_ARG;
    }
    if (cap == 0 || BIO_ctrl_pending(p->out) == 0) {
        return SNP_OK;
    }
    r = BIO_read(p->out, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
    if (r > 0) {
        *n = (size_t)r;
    }
    ERR_clear_error();
    return SNP_OK;
}

size_t
snp_atls_pipe_pending(const struct snp_atls_pipe *p)
{
    return p != NULL ? BIO_ctrl_pending(p->out) : 0;
}

snp_err
snp_atls_pipe_read(struct snp_atls_pipe *p, void *buf, size_t cap, size_t *n)
{
    int e;

    *n = 0;
    if (p == NULL || buf == NULL || cap == 0) {
        return SNP_E_ARG;
    }
    if (p->st != SNP_ATLS_PIPE_OPEN) {
        return SNP_OK;
    }
    if (SSL_read_ex(p->c->ssl, buf, cap, n) == 1) {
        return SNP_OK;
    }
    e = SSL_get_error(p->c->ssl, 0);
    ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN) {
        p->st = SNP_ATLS_PIPE_CLOSED; /* the peer's close_notify */
    } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        p->st = SNP_ATLS_PIPE_FAILED;
        p->verdict = SNP_E_IO;
    }
    return SNP_OK;
}

snp_err
snp_atls_pipe_write(struct snp_atls_pipe *p, const void *buf, size_t len)
{
    size_t done = 0, n = 0;

    if (p == NULL || (buf == NULL && len > 0)) {
        return SNP_E_ARG;
    }
    if (p->st != SNP_ATLS_PIPE_OPEN) {
        return SNP_E_STATE;
    }
    while (done < len) {
        /* A memory BIO takes everything: one call writes all of it, records of 16 KiB. */
        if (SSL_write_ex(p->c->ssl, (const uint8_t *)buf + done, len - done, &n) != 1) {
            ERR_clear_error();
            p->st = SNP_ATLS_PIPE_FAILED;
            p->verdict = SNP_E_IO;
            return SNP_E_IO;
        }
        done += n;
    }
    return SNP_OK;
}

snp_err
snp_atls_pipe_close(struct snp_atls_pipe *p)
{
    if (p == NULL) {
        return SNP_E_ARG;
    }
    if (p->st == SNP_ATLS_PIPE_OPEN || p->st == SNP_ATLS_PIPE_CLOSED) {
        (void)SSL_shutdown(p->c->ssl); /* close_notify into the output; no wait for the peer's */
        ERR_clear_error();
        p->st = SNP_ATLS_PIPE_CLOSED;
    }
    return SNP_OK;
}

enum snp_atls_pipe_state
snp_atls_pipe_state(const struct snp_atls_pipe *p)
{
    return p != NULL ? p->st : SNP_ATLS_PIPE_FAILED;
}

snp_err
snp_atls_pipe_verdict(const struct snp_atls_pipe *p, struct snp_verify_result *res)
{
    if (p == NULL) {
        return SNP_E_ARG;
    }
    if (res != NULL) {
        if (p->c->res != NULL) {
            memcpy(res, p->c->res, sizeof(*res));
        } else {
            memset(res, 0, sizeof(*res));
        }
    }
    return p->st == SNP_ATLS_PIPE_FAILED ? p->verdict : SNP_OK;
}

const struct snp_atls_conn *
snp_atls_pipe_conn(const struct snp_atls_pipe *p)
{
    return p != NULL ? p->c : NULL;
}

void
snp_atls_pipe_free(struct snp_atls_pipe *p)
{
    if (p == NULL) {
        return;
    }
    if (p->c != NULL) {
        /* conn_free sends close_notify of a finished handshake: only into our memory BIO,
         * which is freed with the SSL: nothing reaches the wire. */
        snp_atls_conn_free(p->c);
    }
    free(p);
}
