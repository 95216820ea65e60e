/*
 * atls/atls_int.h - what server.c, client.c, conn.c and proxy.c share inside atls/: the
 * connection object and the hooks between a connection and its libssl SSL. Internal header
 * (tests may include it for the replay scenario's hook).
 */
#ifndef SNP_ATLS_INT_H
#define SNP_ATLS_INT_H

#include "snpkit/atls.h"

#include <openssl/ssl.h>

#include <stdbool.h>
#include <stdint.h>

struct snp_atls_conn {
    SSL *ssl;
    int fd;
    bool server_side;
    struct snp_atls_server *server;     /* server side: not owned */
    struct snp_atls_client *client;     /* client side: not owned ... */
    struct snp_atls_client *owned;      /* ... unless made by snp_atls_connect() */
    bool have_nonce;                    /* client: sent one; server: received one */
    uint8_t nonce[SNP_ATLS_NONCE_SIZE]; /* the client's nonce */
    bool checked;                       /* client: the verify callback ran */
    snp_err verdict;                    /* client: its verdict */
    struct snp_verify_result *res;      /* client: the named checks (heap) */
    bool have_report;                   /* the report verified (client) or served (server) */
    enum snp_atls_mode mode;
    uint8_t report[SNP_REPORT_SIZE];
};

/* A connection around fd with a fresh SSL of ctx; app data points at the connection. fd -1:
 * no socket (a pipe sets memory BIOs). */
snp_err snp_atls_conn_alloc(SSL_CTX *ctx, int fd, struct snp_atls_conn **out);

/* Server side: the connection's SSL setup (no handshake): used by accept() and the proxy. */
snp_err snp_atls_server_conn_new(struct snp_atls_server *s, int fd, struct snp_atls_conn **out);

/* Client side: the connection's SSL setup (no handshake): the result record and, in fresh
 * mode, the nonce. Used by snp_atls_client_handshake() and the client pipe. */
snp_err snp_atls_client_conn_new(struct snp_atls_client *cl, int fd, struct snp_atls_conn **out);

/*
 * Client side, once libssl finished (@ok) or failed the handshake: records the proof of key
 * possession (atls.key_possession: PASS, or FAIL with SNP_E_SIG when the server's
 * CertificateVerify does not verify with the certificate's key: a copied certificate), or why
 * TLS failed (atls.handshake, SNP_E_IO), and returns the verdict: the evidence check's refusal
 * first. Reads libssl's error queue: call it before ERR_clear_error().
 */
snp_err snp_atls_client_outcome(struct snp_atls_conn *c, bool ok);

/* Count a handshake's outcome in the server's statistics. */
void snp_atls_server_count(struct snp_atls_server *s, bool ok);

/*
 * snp_atls_server_pin_cert() - TEST HOOK: serve exactly this certificate (DER, of the server's
 * own key) on every handshake from now on, ignoring nonces: models an attacker who holds the
 * key and replays a certificate recorded earlier. NULL restores normal service.
 */
snp_err snp_atls_server_pin_cert(struct snp_atls_server *s, const uint8_t *der, size_t len);

/* The server's private key as DER (a SECRET: the caller wipes and frees it). Tests only. */
snp_err snp_atls_server_key_der(const struct snp_atls_server *s, uint8_t **der, size_t *len);

/*
 * The aTLS guest app's state machine without the guest around it (guest_app.c): what
 * snp_atls_guest_main() runs for each NET message, callable from tests and the fuzzer with any
 * evidence provider. @proxy: atls-proxy (else the echo service).
 */
struct snp_atls_gapp;
snp_err snp_atls_gapp_new(struct snp_atls_gapp **out, bool proxy, snp_atls_evidence_fn evidence,
                          void *evidence_ctx);
/* One NET request body (hostile) -> the response body (at most cap bytes, *out_len). The
 * parser's error for a malformed message (nothing applied); SNP_E_SPACE when cap < 4. */
snp_err snp_atls_gapp_net(struct snp_atls_gapp *a, const uint8_t *body, size_t len, uint8_t *out,
                          size_t cap, size_t *out_len);
struct snp_atls_gapp_stats {
    size_t conns;          /* held now */
    uint64_t opened;       /* accepted OPENs */
    uint64_t refused;      /* OPENs beyond SNP_ATLS_NET_MAX_CONNS, duplicate ids */
    uint64_t dropped;      /* connections closed for exceeding a bound */
    uint64_t bad_messages; /* NET messages refused by the parser */
};
void snp_atls_gapp_stats(const struct snp_atls_gapp *a, struct snp_atls_gapp_stats *st);
void snp_atls_gapp_free(struct snp_atls_gapp *a);

/*
 * TEST HOOK: when set (tests only; NULL in every program), the guest app calls it with the
 * DER of the private key of the TLS server it creates, so that a test can search the memory the
 * host sees for those bytes. Set it before the CVM boots.
 */
extern void (*snp_atls_test_key_hook)(const uint8_t *der, size_t len);

#endif /* SNP_ATLS_INT_H */
