/*
 * snpkit/atls.h - attested TLS: a server inside an SEV-SNP guest whose certificate carries an
 * attestation report bound to its TLS key, a client that verifies that evidence inside the
 * handshake (snpkit/verify.h) before any application byte is sent, a TLS-terminating reverse
 * proxy, memory-transport endpoints ("pipes") for either side, and the guest app that runs the
 * server inside a simulated CVM behind the device channel's NET messages (docs/atls.md).
 * @module atls
 *
 * THE BINDING RULE (written here once; implemented once, in snp_atls_report_data()):
 *
 *   REPORT_DATA = SHA-512( "snpkit aTLS v1 REPORT_DATA" || 0x00
 *                          || mode       u8   (1 cached, 2 fresh)
 *                          || issued_at  u64 LE (seconds since the epoch)
 *                          || nonce      32 bytes (the client's, fresh mode; zero in cached mode)
 *                          || spki_len   u32 LE
 *                          || the DER SubjectPublicKeyInfo of the server's TLS key )
 *
 * The label separates aTLS from every other use of REPORT_DATA; the whole SPKI (algorithm and
 * curve included) names the key; mode, time and nonce make the freshness claim the PSP's, not the
 * server's. The client recomputes it over the SPKI of the certificate of THIS handshake; TLS 1.3
 * CertificateVerify then proves the peer holds that key. Tested with a wrong key
 * (SNP_E_BINDING) and a wrong nonce (SNP_E_REPLAY).
 *
 * The evidence travels in a non-critical X.509 extension, OID SNP_ATLS_OID, of the server's
 * self-signed certificate; the client's nonce in a ClientHello extension (SNP_ATLS_NONCE_EXT).
 * Connections and servers are instances (no global state); one server may be used by many
 * threads; a connection by one thread at a time.
 */
#ifndef SNPKIT_ATLS_H
#define SNPKIT_ATLS_H

#include "snpkit/err.h"
#include "snpkit/report.h"
#include "snpkit/verify.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 2.25 (X.667: a UUID as one integer) . uuid 4faf5efd-cfe7-46d1-98b2-b0007aaeb3f6 . 1 (v1). */
#define SNP_ATLS_OID        "2.25.105919590272822801489666628029573411830.1"
#define SNP_ATLS_LABEL      "snpkit aTLS v1 REPORT_DATA" /* hashed with its NUL */
#define SNP_ATLS_NONCE_EXT  0xFF5A                       /* TLS private-use extension type */
#define SNP_ATLS_NONCE_SIZE 32

/* ---- the evidence and the binding ---------------------------------------------------------- */

enum snp_atls_mode {
    SNP_ATLS_CACHED = 1, /* one report of bounded age, shared by handshakes */
    SNP_ATLS_FRESH = 2,  /* a report per handshake, bound to the client's nonce */
};

#define SNP_ATLS_EV_MAGIC     "SNPATLS1"
#define SNP_ATLS_EV_VERSION   1
#define SNP_ATLS_EV_HDR_SIZE  56 /* magic .. report length */
#define SNP_ATLS_EV_MIN_SIZE  (SNP_ATLS_EV_HDR_SIZE + SNP_REPORT_SIZE + 4)
#define SNP_ATLS_EV_CERTS_MAX (64u * 1024u)

/* The extension's content (docs/atls.md §3). Decoded: pointers into the caller's buffer. */
struct snp_atls_evidence {
    enum snp_atls_mode mode;
    uint64_t issued_at;
    uint8_t nonce[SNP_ATLS_NONCE_SIZE];
    const uint8_t *report; /* SNP_REPORT_SIZE bytes */
    const uint8_t *certs;  /* the certificate table (snpkit/certtable.h); NULL when certs_len 0 */
    size_t certs_len;
};

/*
 * snp_atls_report_data() - the binding rule above.
 * @nonce: SNP_ATLS_NONCE_SIZE bytes, or NULL (= zero; cached mode).
 * Returns SNP_OK; SNP_E_ARG (NULL spki, bad mode, spki_len > 64 KiB); SNP_E_CRYPTO/NOMEM.
 */
snp_err snp_atls_report_data(uint8_t out[64], enum snp_atls_mode mode, uint64_t issued_at,
                             const uint8_t *nonce, const uint8_t *spki, size_t spki_len);

/*
 * snp_atls_evidence_decode() - parse the extension's bytes (hostile input; fuzzed). ev is
 * zeroed on failure; on success its pointers point into buf. Checks layout only: not the
 * report's signature, not the certificate table's content.
 * @err_off: out, optional: offset of the failing field.
 * Returns SNP_OK; SNP_E_TRUNCATED; SNP_E_TRAILING; SNP_E_FORMAT (magic); SNP_E_VERSION;
 * SNP_E_RANGE (mode, report length != 1184, table > 64 KiB); SNP_E_RESERVED.
 */
snp_err snp_atls_evidence_decode(struct snp_atls_evidence *ev, const uint8_t *buf, size_t len,
                                 size_t *err_off);

/*
 * snp_atls_evidence_encode() - the inverse. @out_len: bytes written, or needed (SNP_E_SPACE).
 * Returns SNP_OK; SNP_E_ARG; SNP_E_RANGE; SNP_E_SPACE.
 */
snp_err snp_atls_evidence_encode(uint8_t *out, size_t cap, size_t *out_len,
                                 const struct snp_atls_evidence *ev);

/* ---- where the server's evidence comes from -------------------------------------------------- */

/*
 * An evidence provider: given the 64 bytes of REPORT_DATA, return the 1184-byte report and the
 * certificate table the host stapled (certs_cap bytes available; *certs_len 0 for none). It
 * runs where the TLS key lives (inside the guest). Called with the server's lock held.
 */
typedef snp_err (*snp_atls_evidence_fn)(void *ctx, const uint8_t report_data[64],
                                        uint8_t report[SNP_REPORT_SIZE], uint8_t *certs,
                                        size_t certs_cap, size_t *certs_len);

/*
 * snp_atls_provider_guest_dev() - the provider over the guest driver API: @ctx is an open
 * struct snp_guest_dev * (snpkit/guest.h); snp_guest_dev_get_ext_report() at VMPL 0. Works for
 * /dev/sev-guest, configfs-tsm and the simulated CVM's back end alike.
 */
snp_err snp_atls_provider_guest_dev(void *ctx, const uint8_t report_data[64],
                                    uint8_t report[SNP_REPORT_SIZE], uint8_t *certs,
                                    size_t certs_cap, size_t *certs_len);

/* A clock (seconds since the epoch); NULL in the options means time(NULL). */
typedef time_t (*snp_atls_clock_fn)(void *ctx);

/* ---- server ---------------------------------------------------------------------------------- */

struct snp_atls_server_opts {
    snp_atls_evidence_fn evidence; /* MUST be set */
    void *evidence_ctx;
    uint32_t refresh_seconds; /* cached evidence is remade when older; 0: 300 */
    bool allow_fresh;         /* honour client nonces (default true) */
    snp_atls_clock_fn clock;  /* NULL: time(NULL) */
    void *clock_ctx;
};

/* Defaults: no provider, refresh 300 s, fresh allowed, system clock. */
void snp_atls_server_opts_init(struct snp_atls_server_opts *o);

struct snp_atls_server;
struct snp_atls_conn;

/*
 * snp_atls_server_new() - generate the TLS key (here, where the provider lives; it never leaves
 * the process), fetch the first cached evidence and build the certificate.
 * Returns SNP_OK; SNP_E_ARG; the provider's error; SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_atls_server_new(struct snp_atls_server **out, const struct snp_atls_server_opts *o);

/* snp_atls_server_free() - NULL is a no-op. Every connection MUST be freed before. */
void snp_atls_server_free(struct snp_atls_server *s);

/* The report of the current cached evidence (e.g. to print the measurement). */
snp_err snp_atls_server_report(struct snp_atls_server *s, uint8_t report[SNP_REPORT_SIZE]);

/* The DER of the current cached certificate: *der malloc'd, caller frees. */
snp_err snp_atls_server_cert(struct snp_atls_server *s, uint8_t **der, size_t *len);

struct snp_atls_server_stats {
    uint64_t handshakes;     /* completed */
    uint64_t failed;         /* failed or aborted by the client */
    uint64_t fresh_reports;  /* reports made for a client nonce */
    uint64_t cached_reports; /* reports made for the cached certificate */
};
void snp_atls_server_stats(struct snp_atls_server *s, struct snp_atls_server_stats *st);

/*
 * snp_atls_server_accept() - run the server handshake on a connected socket (blocking).
 * @fd: on success owned by *out (closed by snp_atls_conn_free()); on failure still the caller's.
 * Returns SNP_OK; SNP_E_IO (the peer went away or the handshake failed, e.g. the client rejected
 * the evidence); SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_atls_server_accept(struct snp_atls_server *s, int fd, struct snp_atls_conn **out);

/* ---- client ---------------------------------------------------------------------------------- */

struct snp_atls_client_opts {
    const uint8_t *root; /* PEM/DER of the ARK to trust instead of AMD's pins (--root); copied */
    size_t root_len;
    const struct snp_verify_policy *policy;  /* copied; NULL = no policy (not recommended) */
    const struct snp_collateral *collateral; /* used when the evidence has no certificate table;
                                                not copied: MUST outlive the client */
    enum snp_crl_mode crl;                   /* default SNP_CRL_WARN */
    bool fresh;                              /* send a nonce; require evidence bound to it */
    uint32_t max_age; /* cached evidence: oldest accepted issued_at, seconds; 0: 3600 */
    time_t at;        /* verification time; 0: now at each handshake */
};

/* Defaults: AMD's pins, no policy, CRL WARN, cached mode accepted, max_age 3600 s, now. */
void snp_atls_client_opts_init(struct snp_atls_client_opts *o);

struct snp_atls_client;

/* snp_atls_client_new() - a TLS 1.3 client context that verifies evidence. SNP_E_NOMEM ... */
snp_err snp_atls_client_new(struct snp_atls_client **out, const struct snp_atls_client_opts *o);

/* NULL is a no-op. Connections made with it MUST be freed first. */
void snp_atls_client_free(struct snp_atls_client *c);

/*
 * snp_atls_client_handshake() - run the client handshake on a connected socket, verifying the
 * server's evidence while libssl processes its Certificate message: on any failure the client
 * aborts (bad_certificate alert) before its Finished, so the server gets no application byte.
 * @fd:  on success owned by *out; on failure still the caller's.
 * @res: out, optional: the named checks (verify's, plus atls.evidence, atls.freshness or
 *       atls.nonce, atls.binding).
 * Returns SNP_OK (verified); the first failing atls.* check's error, else verify's verdict
 * (SNP_E_BINDING, SNP_E_REPLAY, SNP_E_EXPIRED, SNP_E_CHAIN, SNP_E_MISMATCH, SNP_E_SIG,
 * SNP_E_FORMAT, ...); SNP_E_IO when the TLS handshake itself failed; SNP_E_NOMEM/CRYPTO.
 */
snp_err snp_atls_client_handshake(struct snp_atls_client *c, int fd, struct snp_atls_conn **out,
                                  struct snp_verify_result *res);

/*
 * snp_atls_connect() - the few-lines call: a client with @o, a TCP connection to host:port,
 * the verified handshake. The connection owns its client. Errors as above, plus
 * SNP_E_NETWORK (name resolution, connect; errno as snp_atls_tcp_connect() leaves it).
 */
snp_err snp_atls_connect(const struct snp_atls_client_opts *o, const char *host, const char *port,
                         struct snp_atls_conn **out, struct snp_verify_result *res);

/* ---- a connection (either side) -------------------------------------------------------------- */

/* Write all of buf. SNP_E_IO when the connection fails. */
snp_err snp_atls_write(struct snp_atls_conn *c, const void *buf, size_t len);

/* Read up to cap bytes; *n 0 at the end of the stream. SNP_E_IO on failure. */
snp_err snp_atls_read(struct snp_atls_conn *c, void *buf, size_t cap, size_t *n);

/* The verified report (client) or the report served (server). SNP_E_STATE if none. */
snp_err snp_atls_conn_report(const struct snp_atls_conn *c, uint8_t report[SNP_REPORT_SIZE]);

/* The mode of the evidence verified (client) or served (server). */
enum snp_atls_mode snp_atls_conn_mode(const struct snp_atls_conn *c);

/* The peer's certificate DER (client side): *der malloc'd. SNP_E_STATE if none. */
snp_err snp_atls_conn_peer_cert(const struct snp_atls_conn *c, uint8_t **der, size_t *len);

/* The underlying socket (still owned by the connection). */
int snp_atls_conn_fd(const struct snp_atls_conn *c);

/* Send close_notify (best effort), close the socket, free. NULL is a no-op. */
void snp_atls_conn_free(struct snp_atls_conn *c);

/* ---- a memory-transport endpoint: the pipe ------------------------------------------------- */

/*
 * A pipe is one attested TLS endpoint with no socket under it: the caller moves the TLS records
 * (the "wire" bytes) in and out itself, e.g. over a device channel, and reads and writes the
 * plaintext. Server pipes are made from a struct snp_atls_server (same key, certificates,
 * nonce extension and statistics as the socket server); client pipes from a struct
 * snp_atls_client, and verify exactly like snp_atls_client_handshake() (same checks, same
 * struct snp_verify_result, same errors). Non-blocking: no call waits for the peer.
 *
 *   snp_atls_pipe_client_new(cl, &p);          (its ClientHello is ready to take)
 *   loop: snp_atls_pipe_take(p, buf, cap, &n) -> send n bytes to the peer;
 *         bytes from the peer -> snp_atls_pipe_feed(p, buf, n);
 *   until snp_atls_pipe_state(p) is OPEN (verified) or FAILED (snp_atls_pipe_verdict() says why);
 *   then snp_atls_pipe_write()/read() the plaintext; take() what write() produced.
 *
 * The memory buffers grow with what is fed and written: the caller bounds them (feed() refuses
 * more than SNP_ATLS_PIPE_IN_MAX unprocessed bytes; snp_atls_pipe_pending() tells what waits to
 * be taken). A pipe is used by one thread at a time.
 */
enum snp_atls_pipe_state {
    SNP_ATLS_PIPE_HANDSHAKE = 0, /* handshake in progress */
    SNP_ATLS_PIPE_OPEN = 1,      /* handshake done (client: evidence verified) */
    SNP_ATLS_PIPE_CLOSED = 2,    /* close_notify received or sent: no more plaintext */
    SNP_ATLS_PIPE_FAILED = 3,    /* handshake or record layer failed: see the verdict */
};

#define SNP_ATLS_PIPE_IN_MAX (64u * 1024u) /* fed bytes not yet processed by TLS */

struct snp_atls_pipe;

/* snp_atls_pipe_server_new() - a server endpoint of @s (not owned; MUST outlive the pipe).
 * SNP_E_ARG, SNP_E_NOMEM. */
snp_err snp_atls_pipe_server_new(struct snp_atls_server *s, struct snp_atls_pipe **out);

/* snp_atls_pipe_client_new() - a client endpoint of @cl (not owned; MUST outlive the pipe); the
 * ClientHello is ready to take when it returns. SNP_E_ARG, SNP_E_NOMEM, SNP_E_CRYPTO. */
snp_err snp_atls_pipe_client_new(struct snp_atls_client *cl, struct snp_atls_pipe **out);

/*
 * snp_atls_pipe_feed() - bytes received from the wire; runs the handshake as far as they go.
 * Returns SNP_OK (also when the handshake failed or the peer closed: see the state);
 * SNP_E_SPACE when more than SNP_ATLS_PIPE_IN_MAX bytes would wait unprocessed (nothing is
 * taken); SNP_E_STATE after a failure; SNP_E_NOMEM.
 */
snp_err snp_atls_pipe_feed(struct snp_atls_pipe *p, const void *buf, size_t len);

/* snp_atls_pipe_take() - up to @cap bytes to send to the wire; *n 0 when none. SNP_OK. */
snp_err snp_atls_pipe_take(struct snp_atls_pipe *p, void *buf, size_t cap, size_t *n);

/* Bytes waiting to be taken. */
size_t snp_atls_pipe_pending(const struct snp_atls_pipe *p);

/*
 * snp_atls_pipe_read() - up to @cap bytes of plaintext; *n 0 when none is available yet (or the
 * stream ended: the state is then CLOSED or FAILED). SNP_OK; SNP_E_ARG.
 */
snp_err snp_atls_pipe_read(struct snp_atls_pipe *p, void *buf, size_t cap, size_t *n);

/* snp_atls_pipe_write() - all of @buf as TLS records (to take). SNP_E_STATE unless OPEN;
 * SNP_E_IO when the record layer fails (the state becomes FAILED). */
snp_err snp_atls_pipe_write(struct snp_atls_pipe *p, const void *buf, size_t len);

/* snp_atls_pipe_close() - send close_notify (to take); the state becomes CLOSED. SNP_OK. */
snp_err snp_atls_pipe_close(struct snp_atls_pipe *p);

enum snp_atls_pipe_state snp_atls_pipe_state(const struct snp_atls_pipe *p);

/*
 * snp_atls_pipe_verdict() - why the pipe FAILED: the error snp_atls_client_handshake() would
 * have returned (client: the first failing atls.* check's error, else verify's; SNP_E_IO when
 * TLS itself failed); SNP_OK in every other state. @res: out, optional (client pipes): the
 * named checks, once the server's certificate was checked.
 */
snp_err snp_atls_pipe_verdict(const struct snp_atls_pipe *p, struct snp_verify_result *res);

/* The connection of the pipe, for snp_atls_conn_report()/mode()/peer_cert() (fd is -1). */
const struct snp_atls_conn *snp_atls_pipe_conn(const struct snp_atls_pipe *p);

/* Free (no close_notify: call snp_atls_pipe_close() and take its bytes first). NULL: no-op. */
void snp_atls_pipe_free(struct snp_atls_pipe *p);

/* ---- the guest app: TLS terminated inside the CVM ------------------------------------------ */

/*
 * snp_atls_guest_main() - the vCPU entry (an snp_vmm_entry_fn, snpkit/vmm.h) of a snpkit CVM
 * whose measured command line says `snpkit.app=atls` (an echo service) or
 * `snpkit.app=atls-proxy` (plaintext forwarded to a backend the host connects). The same guest
 * program as snp_guest_app_main() (boot, command-line check, channel), with the aTLS app linked
 * in: the TLS key is generated inside the guest, the evidence comes from the guest's own
 * attestation device (snp_atls_provider_guest_dev()), and the host only relays TLS records as
 * NET messages of the device channel (below; docs/atls.md §5, docs/guest.md). Other apps of the
 * command line are served as by snp_guest_app_main(). @arg is ignored.
 */
struct snp_guest;
void snp_atls_guest_main(struct snp_guest *g, void *arg);

/*
 * The NET message (channel op 0x30, SNP_CHAN_OP_NET): body = u32 flags, then records
 *   u32 conn id, u8 kind, u8 reserved (0), u16 length, length bytes of data.
 * host -> guest flags MUST be 0; guest -> host flags bit 0 = MORE (the guest has more to say:
 * send a NET message again, with no records if need be). Ids are the host's (never reused).
 */
#define SNP_ATLS_NET_HDR       4u /* u32 flags */
#define SNP_ATLS_NET_REC_HDR   8u
#define SNP_ATLS_NET_MORE      1u
#define SNP_ATLS_NET_MAX_RECS  1024u /* per message */
#define SNP_ATLS_NET_MAX_CONNS 512u  /* connections the guest holds at once */

enum snp_atls_net_kind {
    /* host -> guest: events of the untrusted network device */
    SNP_ATLS_NET_OPEN = 0x01,           /* a client connected */
    SNP_ATLS_NET_CLIENT_DATA = 0x02,    /* bytes from the client (TLS records) */
    SNP_ATLS_NET_CLIENT_CLOSED = 0x03,  /* the client went away */
    SNP_ATLS_NET_BACKEND_DATA = 0x04,   /* bytes from the backend (plaintext) */
    SNP_ATLS_NET_BACKEND_CLOSED = 0x05, /* the backend went away, or could not be reached */
    /* guest -> host: actions */
    SNP_ATLS_NET_TO_CLIENT = 0x81,  /* send these bytes (TLS records) to the client */
    SNP_ATLS_NET_CONNECT = 0x82,    /* dial the backend for this connection (proxy) */
    SNP_ATLS_NET_TO_BACKEND = 0x83, /* send these bytes (plaintext) to the backend */
    SNP_ATLS_NET_CLOSE = 0x84,      /* flush what was sent, then close client and backend */
};

struct snp_atls_net_rec {
    uint32_t id;
    uint8_t kind;
    const uint8_t *data; /* into the message; NULL when len is 0 */
    size_t len;
};

/*
 * snp_atls_net_parse() - the body of a NET message (hostile input; fuzzed): the flags and at
 * most @max records (pointers into @buf). Checks layout and kinds (@guest_side: host -> guest
 * kinds expected and flags 0; else guest -> host kinds), not ids.
 * @err_off: out, optional. Returns SNP_OK; SNP_E_TRUNCATED; SNP_E_RESERVED (flags or reserved
 * byte); SNP_E_RANGE (unknown kind, more than @max records, data on OPEN/CLOSED/CONNECT/CLOSE).
 */
snp_err snp_atls_net_parse(const uint8_t *buf, size_t len, bool guest_side, uint32_t *flags,
                           struct snp_atls_net_rec *recs, size_t max, size_t *n, size_t *err_off);

/*
 * snp_atls_net_put() - append one record at *off of @out (cap bytes). SNP_E_SPACE when it does
 * not fit (nothing written); SNP_E_RANGE when len > 65535.
 */
snp_err snp_atls_net_put(uint8_t *out, size_t cap, size_t *off, uint32_t id, uint8_t kind,
                         const void *data, size_t len);

/* ---- sockets and the proxy ------------------------------------------------------------------- */

/*
 * snp_atls_listen() - a listening TCP socket on host:port (port "0": ephemeral).
 * @bound: out, optional: the port actually bound. Returns SNP_OK or SNP_E_NETWORK; errno then
 * holds the failing socket call's reason (EADDRINUSE, EACCES, ...), or 0 when the address did
 * not resolve.
 */
snp_err snp_atls_listen(const char *host, const char *port, int *fd, uint16_t *bound);

/* snp_atls_tcp_connect() - a connected TCP socket. SNP_OK or SNP_E_NETWORK (errno then holds
 * the last connect()'s reason, or 0 when the name did not resolve). */
snp_err snp_atls_tcp_connect(const char *host, const char *port, int *fd);

struct snp_atls_proxy_opts {
    struct snp_atls_server *server; /* not owned */
    int listen_fd;                  /* a listening socket; not owned */
    const char *backend_host;       /* the plain TCP backend */
    const char *backend_port;
    size_t max_conns; /* 0: 1024 */
};

struct snp_atls_proxy_stats {
    uint64_t accepted, handshakes, failed, refused, closed, bytes_up, bytes_down;
    size_t active, peak;
};

struct snp_atls_proxy;

/* snp_atls_proxy_new() - copies opts. SNP_E_ARG, SNP_E_NOMEM, SNP_E_IO (the wake-up pipe). */
snp_err snp_atls_proxy_new(struct snp_atls_proxy **out, const struct snp_atls_proxy_opts *o);

/*
 * snp_atls_proxy_run() - the poll() loop (one thread); returns SNP_OK after
 * snp_atls_proxy_stop(), SNP_E_IO when poll itself fails. Errors of one connection close
 * that connection only.
 */
snp_err snp_atls_proxy_run(struct snp_atls_proxy *p);

/* snp_atls_proxy_stop() - make run() return soon; callable from any thread or a signal. */
void snp_atls_proxy_stop(struct snp_atls_proxy *p);

void snp_atls_proxy_stats(struct snp_atls_proxy *p, struct snp_atls_proxy_stats *st);

/* snp_atls_proxy_free() - closes every connection it holds. NULL is a no-op. */
void snp_atls_proxy_free(struct snp_atls_proxy *p);

#endif /* SNPKIT_ATLS_H */
