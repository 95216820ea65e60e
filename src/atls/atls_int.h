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

/* A connection around fd with a fresh SSL of ctx; app data points at the connection. */
snp_err snp_atls_conn_alloc(SSL_CTX *ctx, int fd, struct snp_atls_conn **out);

/* Server side: the connection's SSL setup (no handshake): used by accept() and the proxy. */
snp_err snp_atls_server_conn_new(struct snp_atls_server *s, int fd, struct snp_atls_conn **out);

/* Count a handshake's outcome in the server's statistics. */
void snp_atls_server_count(struct snp_atls_server *s, bool ok);

/*
 * snp_atls_server_pin_cert() - TEST HOOK: serve exactly this certificate (DER, of the server's
 * own key) on every handshake from now on, ignoring nonces: models an attacker who holds the
 * key and replays a certificate recorded earlier. NULL restores normal service.
 */
snp_err snp_atls_server_pin_cert(struct snp_atls_server *s, const uint8_t *der, size_t len);

#endif /* SNP_ATLS_INT_H */
