/*
 * cli/cmd_atls.c - `snpkit atls`: attested TLS server, client and proxy (docs/atls.md §7).
 *
 * Glue only: snpkit/atls.h does the work. Two places the server can run:
 *   - a real SNP guest (this process runs inside it): the TLS server and proxy run here, with
 *     evidence from the guest driver API (snpkit/guest.h: /dev/sev-guest or configfs-tsm);
 *     `serve` without --backend echoes (a loopback echo service behind the same proxy loop);
 *   - the simulator (no guest driver here, or --sim): a CVM running the aTLS guest app
 *     (snp_atls_guest_main(), `snpkit.app=atls` or `atls-proxy`) holds the TLS key and runs
 *     the handshakes and records; this process is only its untrusted network device
 *     (atls_sim.c: sockets <-> NET messages of the device channel) and holds no TLS key.
 * Exit codes: 0 verified / served; 1 evidence rejected, or the simulated guest stopped by
 * itself; 2 usage; 3 environment.
 */
#include "cli.h"
#include "sim_int.h"

#include "snpkit/atls.h"
#include "snpkit/guest.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
atls_usage(FILE *out)
{
    fprintf(
        out,
        "usage: snpkit atls serve   --listen ADDR:PORT [--backend ADDR:PORT] [--json]\n"
        "                           [--certs-out DIR] [--state DIR] [--product P]\n"
        "                           [--rsa-bits N] [--sim]\n"
        "       snpkit atls connect HOST:PORT [--root FILE] (--expect-measurement HEX |\n"
        "                           --policy FILE | --any-measurement) [--fresh]\n"
        "                           [--max-age SECONDS]\n"
        "       snpkit atls proxy   --listen ADDR:PORT --backend ADDR:PORT [serve's options]\n\n"
        "serve/proxy: a TLS certificate carrying an attestation report bound to its key.\n"
        "On a real SNP guest the server runs in this process and the report comes from the\n"
        "guest driver (/dev/sev-guest or configfs-tsm). Elsewhere (or with --sim, or any of\n"
        "--certs-out/--state/--product/--rsa-bits) a simulated CVM is booted with the aTLS\n"
        "guest app (snpkit.app=atls, or atls-proxy with --backend): the TLS key is generated\n"
        "and used inside the guest, which makes its own reports; this process only relays TLS\n"
        "records between the sockets and the guest (docs/atls.md §5); loopback only.\n"
        "serve echoes (inside the guest when simulated), or forwards to --backend.\n"
        "  --listen ADDR:PORT  port 0: an ephemeral port (printed)\n"
        "  --rsa-bits N        simulated vendor CA key size, 2048..8192 (default 4096)\n"
        "  --certs-out DIR     write the simulated vendor's DIR/ark.pem, ask.pem, vcek.pem,\n"
        "                      crl.der (for connect --root DIR/ark.pem)\n"
        "  --state DIR         the simulated chip and vendor (as `snpkit sim`)\n"
        "  --json              print {\"port\", \"measurement\", ...} on one line (else two\n"
        "                      lines: \"serving attested TLS on ADDR:PORT ...\" and\n"
        "                      \"MEASUREMENT: HEX\")\n"
        "Stops on SIGINT/SIGTERM.\n"
        "connect: after stdin ends, what the server still sends within 1 s is printed.\n"
        "connect: verifies the server's evidence inside the handshake (chain to AMD's ARK or\n"
        "--root, signature, --expect-measurement, --policy), prints the verified claims, then\n"
        "pipes stdin/stdout. --fresh asks for a report bound to a nonce of this handshake.\n"
        "connect needs to know WHAT may run: --expect-measurement, or a --policy that pins a\n"
        "measurement (or trusted ID-key digests); --any-measurement accepts any code (the\n"
        "chain, signature, binding and freshness are still checked).\n"
        "  --max-age SECONDS   oldest cached evidence accepted, 1..4294967295 (default 3600)\n");
}

/* One line saying what is wrong with the command line, and where help is. Returns exit 2. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "snpkit: atls: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'snpkit atls --help')\n");
    return CLI_EXIT_USAGE;
}

/*
 * "HOST:PORT" (the last colon; "[v6]:port" brackets removed) into host and port buffers, the
 * port a decimal number in 1..65535, or 0..65535 with @zero_ok (--listen: 0 is an ephemeral
 * port). @what names the argument in the message. false: printed why (the caller exits 2).
 */
static bool
parse_addr(const char *what, const char *s, bool zero_ok, char *host, size_t hn, char *port,
           size_t pn)
{
    const char *c = strrchr(s, ':');
    uint64_t v = 0;
    size_t hl;

    if (c == NULL || c == s || c[1] == '\0') {
        usage_error("%s wants %s:PORT, not '%s'%s", what, zero_ok ? "ADDR" : "HOST", s,
                    c == NULL || c[1] == '\0' ? " (no port)" : " (no address)");
        return false;
    }
    if (!cli_parse_u64(c + 1, zero_ok ? 0 : 1, 65535, &v)) {
        usage_error("%s: port '%s' is not a number in %s..65535", what, c + 1, zero_ok ? "0" : "1");
        return false;
    }
    hl = (size_t)(c - s);
    if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hn) {
        usage_error("%s: address of '%s' is %s", what, s, hl == 0 ? "empty" : "too long");
        return false;
    }
    memcpy(host, s, hl);
    host[hl] = '\0';
    snprintf(port, pn, "%u", (unsigned)v);
    return true;
}

/* The listening socket on host:port; one line naming the address (@what) when it fails. */
static int
open_listener(const char *what, const char *host, const char *port, int *lfd, uint16_t *bound)
{
    if (snp_atls_listen(host, port, lfd, bound) != SNP_OK) {
        int e = errno; /* snp_atls_listen() leaves the failing call's errno, or 0 */
        cli_errorf(what, "cannot listen: %s",
                   e != 0 ? strerror(e) : "the address does not resolve to a local one");
        return CLI_EXIT_ENV;
    }
    return CLI_EXIT_OK;
}

/*
 * Stopping. In device mode everything runs on this thread and the signal handler stops the
 * proxy. In simulator mode the VMM owns the main thread and the network device runs on a
 * worker (serve_thread): a signal only sets the CVM's stop flag, which both the channel and
 * the network loop look at.
 */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct snp_atls_proxy *g_proxy;
static struct atls_cvm *g_cvm;
static volatile sig_atomic_t g_stop;

static void
on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_cvm != NULL) {
        atls_cvm_stop(g_cvm);
    } else if (g_proxy != NULL) {
        snp_atls_proxy_stop(g_proxy);
    }
}

/* ---- the echo service: `serve` without --backend ----------------------------------------- */

/*
 * A plain echo backend on an ephemeral loopback port of this process, behind the same proxy
 * loop as --backend: the proxy dials it only after a verified handshake. One detached thread
 * per connection (the proxy bounds their number); each ends when the proxy closes its side.
 */
struct echo {
    int fd;
    char port[8];
    pthread_t t;
    bool running;
};

static void *
echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[16384];
    ssize_t n, w;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n; off += w) {
            w = write(fd, buf + off, (size_t)(n - off));
            if (w <= 0) {
                close(fd);
                return NULL;
            }
        }
    }
    close(fd);
    return NULL;
}

static void *
echo_accept(void *arg)
{
    struct echo *e = arg;
    pthread_attr_t at;
    pthread_t t;
    int c;

    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (;;) {
        c = accept(e->fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            break; /* shutdown() by echo_stop(), or the listener failed */
        }
        if (pthread_create(&t, &at, echo_conn, (void *)(intptr_t)c) != 0) {
            close(c);
        }
    }
    pthread_attr_destroy(&at);
    return NULL;
}

static snp_err
echo_start(struct echo *e)
{
    uint16_t port = 0;
    snp_err err = snp_atls_listen("127.0.0.1", "0", &e->fd, &port);

    if (err != SNP_OK) {
        return err;
    }
    snprintf(e->port, sizeof(e->port), "%u", (unsigned)port);
    if (pthread_create(&e->t, NULL, echo_accept, e) != 0) {
        close(e->fd);
        e->fd = -1;
        return SNP_E_NOMEM;
    }
    e->running = true;
    return SNP_OK;
}

static void
echo_stop(struct echo *e)
{
    if (e->running) {
        shutdown(e->fd, SHUT_RDWR); /* wakes the blocked accept() */
        pthread_join(e->t, NULL);
        e->running = false;
    }
    if (e->fd >= 0) {
        close(e->fd);
        e->fd = -1;
    }
}

/* ---- serve / proxy ------------------------------------------------------------------------- */

struct serve {
    const char *listen_s, *backend_s, *certs_out;
    char lh[256], lp[16], bh[256], bp[16];
    int lfd;       /* simulator: the listening socket, open before the CVM boots ... */
    uint16_t port; /* ... and its port */
    bool json, proxy_only, sim;
    struct simopts so;
    snp_atls_evidence_fn evidence;
    void *evidence_ctx;
    int rc; /* of serve_loop() */
};

static void
print_listening(const struct serve *a, uint16_t port, const uint8_t meas[48])
{
    const char *kind = a->sim ? "simulated" : "sev-guest";

    if (a->json) {
        printf("{\"schema\": \"snpkit.atls.serve.v1\", \"cvm\": \"%s\", \"listen\": ", kind);
        cli_json_str(stdout, a->lh);
        printf(", \"port\": %u, \"backend\": ", (unsigned)port);
        if (a->backend_s != NULL) {
            cli_json_str(stdout, a->backend_s);
        } else {
            printf("null");
        }
        printf(", \"measurement\": ");
        cli_json_hex(stdout, meas, 48);
        printf("}\n");
    } else {
        printf("serving attested TLS on %s:%u (%s CVM, %s%s)\n", a->lh, (unsigned)port, kind,
               a->backend_s != NULL ? "backend " : "echo",
               a->backend_s != NULL ? a->backend_s : "");
        printf("MEASUREMENT: ");
        for (size_t i = 0; i < 48; i++) {
            printf("%02x", meas[i]);
        }
        printf("\n");
    }
    fflush(stdout);
}

/* The aTLS server with a->evidence, the listener, the proxy loop (to --backend or the echo
 * service) until stopped. Returns the exit code. */
static int
serve_loop(struct serve *a)
{
    struct snp_atls_server_opts so;
    struct snp_atls_server *s = NULL;
    struct snp_atls_proxy *p = NULL;
    struct snp_atls_proxy_opts po;
    struct echo e = {.fd = -1};
    struct snp_report r;
    uint8_t rep[SNP_REPORT_SIZE];
    uint16_t port = 0;
    int lfd = -1, rc;
    bool run = false;
    snp_err err;

    rc = open_listener(a->listen_s, a->lh, a->lp, &lfd, &port);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    snp_atls_server_opts_init(&so);
    so.evidence = a->evidence;
    so.evidence_ctx = a->evidence_ctx;
    err = snp_atls_server_new(&s, &so);
    if (err == SNP_OK) {
        err = snp_atls_server_report(s, rep);
    }
    if (err == SNP_OK) {
        err = snp_report_decode(&r, rep, sizeof(rep), NULL);
    }
    if (err == SNP_OK && a->backend_s == NULL) {
        err = echo_start(&e);
    }
    if (err != SNP_OK) {
        cli_errorf("atls", "%s (%s)", snp_err_str(err), snp_err_name(err));
        rc = cli_exit_for(err);
        goto out;
    }
    print_listening(a, port, r.measurement);
    memset(&po, 0, sizeof(po));
    po.server = s;
    po.listen_fd = lfd;
    po.backend_host = a->backend_s != NULL ? a->bh : "127.0.0.1";
    po.backend_port = a->backend_s != NULL ? a->bp : e.port;
    err = snp_atls_proxy_new(&p, &po);
    if (err == SNP_OK) {
        pthread_mutex_lock(&g_mu);
        run = !g_stop;
        g_proxy = run ? p : NULL;
        pthread_mutex_unlock(&g_mu);
        if (run) {
            err = snp_atls_proxy_run(p);
        }
        pthread_mutex_lock(&g_mu);
        g_proxy = NULL;
        pthread_mutex_unlock(&g_mu);
    }
    rc = err == SNP_OK ? CLI_EXIT_OK : cli_exit_for(err);
out:
    snp_atls_proxy_free(p);
    echo_stop(&e);
    if (lfd >= 0) {
        close(lfd);
    }
    snp_atls_server_free(s);
    return rc;
}

/* Simulator mode, the network thread: wait for the guest app, listen, relay until stopped. */
static void *
serve_thread(void *arg)
{
    struct serve *a = arg;
    snp_err err;

    a->rc = CLI_EXIT_ENV;
    if (!atls_cvm_wait_ready(g_cvm)) {
        /* a signal came (exit 0), or the guest stopped by itself (atls_cvm_run() says why) */
        a->rc = g_stop ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
        goto out;
    }
    print_listening(a, a->port, atls_cvm_measurement(g_cvm));
    err = atls_cvm_netloop(g_cvm, a->lfd, a->backend_s != NULL ? a->bh : NULL,
                           a->backend_s != NULL ? a->bp : NULL, NULL);
    if (err != SNP_OK && err != SNP_E_STATE) {
        cli_errorf("atls", "network device: %s (%s)", snp_err_str(err), snp_err_name(err));
    }
    /* SNP_E_STATE: the guest went away by itself (exit 1, as documented) */
    a->rc = err == SNP_E_STATE ? CLI_EXIT_REJECTED : cli_exit_for(err);
out:
    atls_cvm_stop(g_cvm); /* served out (or failed): the VM stops too */
    return NULL;
}

/* Simulator mode: boot the aTLS CVM, relay on a worker, run the VM here. */
static int
serve_sim(struct serve *a)
{
    struct atls_cvm *cvm = NULL;
    pthread_t t;
    bool guest_ok;
    int rc;

    /* The address first: a port in use fails at once, before the CVM boots. */
    rc = open_listener(a->listen_s, a->lh, a->lp, &a->lfd, &a->port);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (atls_cvm_boot(&cvm, &a->so, a->backend_s != NULL) != SNP_OK) {
        close(a->lfd);
        return CLI_EXIT_ENV;
    }
    if (a->certs_out != NULL && atls_cvm_write_certs(cvm, a->certs_out) != SNP_OK) {
        cli_errorf(a->certs_out, "cannot write the certificates");
        atls_cvm_free(cvm);
        close(a->lfd);
        return CLI_EXIT_ENV;
    }
    a->rc = CLI_EXIT_ENV;
    g_cvm = cvm;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (pthread_create(&t, NULL, serve_thread, a) != 0) {
        cli_errorf("atls", "cannot start a thread");
        g_cvm = NULL;
        atls_cvm_free(cvm);
        close(a->lfd);
        return CLI_EXIT_ENV;
    }
    guest_ok = atls_cvm_run(cvm); /* until a signal, the worker's end, or the guest's */
    atls_cvm_stop(cvm);           /* the network loop ends too */
    pthread_join(t, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    g_cvm = NULL;
    atls_cvm_free(cvm);
    close(a->lfd);
    return !guest_ok && a->rc == CLI_EXIT_OK ? CLI_EXIT_REJECTED : a->rc;
}

static bool
is_loopback(const char *h)
{
    return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 || strcmp(h, "localhost") == 0;
}

/* --backend must resolve now: not after "serving ..." was printed and a client came. */
static int
check_backend(const struct serve *a)
{
    struct addrinfo hints, *ai = NULL;
    int r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    r = getaddrinfo(a->bh, a->bp, &hints, &ai);
    if (ai != NULL) {
        freeaddrinfo(ai);
    }
    if (r == 0) {
        return CLI_EXIT_OK;
    }
    if (r == EAI_NONAME) {
        return usage_error("--backend: '%s' does not resolve (%s)", a->bh, gai_strerror(r));
    }
    cli_errorf(a->backend_s, "cannot resolve the backend: %s", gai_strerror(r));
    return CLI_EXIT_ENV;
}

static int
atls_serve(int argc, char **argv, bool proxy_only)
{
    static const struct option lo[] = {
        {"listen", required_argument, NULL, 'l'},   {"backend", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},           {"certs-out", required_argument, NULL, 'c'},
        {"state", required_argument, NULL, 's'},    {"product", required_argument, NULL, 'p'},
        {"rsa-bits", required_argument, NULL, 'r'}, {"sim", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    static struct serve a;
    struct snp_guest_dev *dev = NULL;
    uint64_t v = 0;
    int opt, rc;
    snp_err err;

    memset(&a, 0, sizeof(a));
    a.lfd = -1;
    a.proxy_only = proxy_only;
    a.so.vcpus = 1;
    a.so.product = SNP_PRODUCT_GENOA;
    a.so.policy = UINT64_C(0x30000);
    a.so.app = "atls";
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case 'l':
            a.listen_s = optarg;
            break;
        case 'b':
            a.backend_s = optarg;
            break;
        case 'j':
            a.json = true;
            break;
        case 'c':
            a.certs_out = optarg;
            a.sim = true;
            break;
        case 's':
            if (strlen(optarg) >= sizeof(a.so.state)) {
                cli_errorf(optarg, "path too long");
                return CLI_EXIT_USAGE;
            }
            strcpy(a.so.state, optarg);
            a.sim = true;
            break;
        case 'p':
            if (snp_product_parse(optarg, &a.so.product) != SNP_OK) {
                cli_errorf(NULL, "--product: unknown product '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            a.sim = true;
            break;
        case 'r':
            if (!cli_parse_u64(optarg, 2048, 8192, &v)) {
                return usage_error("--rsa-bits wants a key size in 2048..8192, not '%s'", optarg);
            }
            a.so.rsa_bits = (unsigned)v;
            a.sim = true;
            break;
        case 'S':
            a.sim = true;
            break;
        case 'h':
            atls_usage(stdout);
            return CLI_EXIT_OK;
        default: /* getopt said which option */
            fprintf(stderr, "(see 'snpkit atls --help')\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        return usage_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
    }
    if (a.listen_s == NULL) {
        return usage_error("%s needs --listen ADDR:PORT", argv[0]);
    }
    if (proxy_only && a.backend_s == NULL) {
        return usage_error("proxy needs --backend ADDR:PORT");
    }
    if (!parse_addr("--listen", a.listen_s, true, a.lh, sizeof(a.lh), a.lp, sizeof(a.lp)) ||
        (a.backend_s != NULL &&
         !parse_addr("--backend", a.backend_s, false, a.bh, sizeof(a.bh), a.bp, sizeof(a.bp)))) {
        return CLI_EXIT_USAGE;
    }
    if (a.backend_s != NULL) {
        rc = check_backend(&a);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (!a.sim) {
        err = snp_guest_dev_open(&dev, NULL);
        if (err == SNP_E_NOTFOUND) {
            a.sim = true; /* no SEV-SNP guest driver here: the simulated CVM */
        } else if (err != SNP_OK) {
            cli_errorf("atls",
                       "the SEV-SNP guest driver is not usable (%s: %s); --sim boots a "
                       "simulated CVM instead",
                       snp_err_name(err), snp_err_str(err));
            return CLI_EXIT_ENV;
        }
    }
    if (a.sim) {
        if (!is_loopback(a.lh)) {
            cli_errorf(a.listen_s, "the simulated CVM serves on loopback only");
            return CLI_EXIT_USAGE;
        }
        return serve_sim(&a);
    }
    a.evidence = snp_atls_provider_guest_dev;
    a.evidence_ctx = dev;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = serve_loop(&a);
    snp_guest_dev_close(dev);
    return rc;
}

static void
print_claims(const struct snp_atls_conn *c, const struct snp_verify_result *res, bool unpinned)
{
    struct snp_report r;
    uint8_t rep[SNP_REPORT_SIZE];

    if (snp_atls_conn_report(c, rep) != SNP_OK || snp_report_decode(&r, rep, sizeof(rep), NULL)) {
        return;
    }
    fprintf(stderr, "verified: %s evidence, %zu checks, root %s\n",
            snp_atls_conn_mode(c) == SNP_ATLS_FRESH ? "fresh" : "cached", res->n,
            res->root_overridden ? "--root (not AMD's pins)" : "AMD");
    fprintf(stderr, "  measurement ");
    for (size_t i = 0; i < sizeof(r.measurement); i++) {
        fprintf(stderr, "%02x", r.measurement[i]);
    }
    fprintf(stderr, "%s\n  policy 0x%llx  vmpl %u  guest_svn %u\n",
            unpinned ? " (NOT pinned: --any-measurement)" : "", (unsigned long long)r.policy,
            r.vmpl, r.guest_svn);
}

static bool
has_failure(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == SNP_CHECK_FAIL) {
            return true;
        }
    }
    return false;
}

/*
 * --root FILE: read it and make sure it holds an ARK certificate (ARK-<product>), so that a
 * VCEK or ASK given by mistake is named as such rather than reported as missing collateral.
 * Exit 3 as `snpkit verify --root` gives for the same file (it could not check).
 */
static int
read_root(const char *path, uint8_t **root, size_t *root_len)
{
    static const char *const names[] = {"unknown", "ARK", "ASK", "ASVK", "VCEK", "VLEK", "CRL"};
    struct snp_collateral *bag = NULL;
    char held[96] = "";
    size_t off = 0;
    snp_err err;

    if (cli_read_input(path, root, root_len) != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    err = snp_collateral_new(&bag);
    if (err == SNP_OK) {
        err = snp_collateral_add(bag, *root, *root_len);
    }
    if (err == SNP_OK && snp_collateral_count(bag, SNP_COLL_ARK) > 0) {
        snp_collateral_free(bag);
        return CLI_EXIT_OK;
    }
    for (int k = SNP_COLL_ASK; err == SNP_OK && k <= SNP_COLL_CRL; k++) {
        size_t n = snp_collateral_count(bag, (enum snp_collateral_role)k);
        if (n > 0 && off < sizeof(held)) {
            off += (size_t)snprintf(held + off, sizeof(held) - off, "%s%s", off > 0 ? ", " : "",
                                    names[k]);
        }
    }
    snp_collateral_free(bag);
    if (err == SNP_E_NOMEM) {
        cli_errorf(path, "out of memory");
    } else if (err != SNP_OK) {
        cli_errorf(path, "is not an ARK certificate (not a PEM or DER certificate: %s)",
                   snp_err_name(err));
    } else {
        cli_errorf(path, "is not an ARK certificate (it holds: %s); --root wants the ARK",
                   off > 0 ? held : "no AMD certificate");
    }
    free(*root);
    *root = NULL;
    return CLI_EXIT_ENV;
}

static void
print_failures(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct snp_check *k = &res->checks[i];
        if (k->status == SNP_CHECK_FAIL || k->status == SNP_CHECK_ERROR) {
            fprintf(stderr, "  %s %s (%s): %s\n", snp_check_status_name(k->status), k->name,
                    snp_err_name(k->err), k->detail);
        }
    }
}

/* stdin -> connection, connection -> stdout, until the server closes; after stdin ends, until
 * the server has been quiet for LINGER_MS (there is no half-close through the proxy). */
#define LINGER_MS 1000

static int
pipe_stdio(struct snp_atls_conn *c, const char *peer)
{
    uint8_t buf[16384];
    struct pollfd pf[2] = {{.fd = snp_atls_conn_fd(c), .events = POLLIN},
                           {.fd = 0, .events = POLLIN}};
    bool in_open = true;
    size_t n = 0, got = 0;
    ssize_t k;
    int r;

    for (;;) {
        r = poll(pf, in_open ? 2 : 1, in_open ? -1 : LINGER_MS);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return CLI_EXIT_ENV;
        }
        if (r == 0) {
            return CLI_EXIT_OK; /* stdin ended and the server said all it had to say */
        }
        if (pf[0].revents) {
            if (snp_atls_read(c, buf, sizeof(buf), &n) != SNP_OK || n == 0) {
                if (got == 0) { /* e.g. a proxy whose backend is down: say so */
                    cli_errorf(peer, "the server closed the connection without sending data");
                }
                return CLI_EXIT_OK;
            }
            got += n;
            if (fwrite(buf, 1, n, stdout) != n) {
                return CLI_EXIT_ENV;
            }
            fflush(stdout);
        }
        if (in_open && pf[1].revents) {
            k = read(0, buf, sizeof(buf));
            if (k <= 0) {
                in_open = false;
            } else if (snp_atls_write(c, buf, (size_t)k) != SNP_OK) {
                return CLI_EXIT_ENV;
            }
        }
    }
}

static int
atls_connect(int argc, char **argv)
{
    static const struct option lo[] = {{"root", required_argument, NULL, 'r'},
                                       {"expect-measurement", required_argument, NULL, 'm'},
                                       {"policy", required_argument, NULL, 'p'},
                                       {"fresh", no_argument, NULL, 'f'},
                                       {"max-age", required_argument, NULL, 'a'},
                                       {"any-measurement", no_argument, NULL, 'A'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    static struct snp_verify_result res;
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_conn *c = NULL;
    uint8_t *root = NULL, *pj = NULL;
    size_t root_len = 0, pj_len = 0;
    char host[256], port[16], eb[256];
    const char *meas = NULL, *policy = NULL, *root_path = NULL;
    bool any = false;
    uint64_t v = 0;
    int opt, rc;
    snp_err err;

    snp_atls_client_opts_init(&o);
    snp_verify_policy_default(&pol);
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case 'r':
            root_path = optarg;
            break;
        case 'm':
            meas = optarg;
            break;
        case 'p':
            policy = optarg;
            break;
        case 'f':
            o.fresh = true;
            break;
        case 'a':
            if (!cli_parse_u64(optarg, 1, UINT32_MAX, &v)) {
                return usage_error("--max-age wants seconds in 1..%u, not '%s'",
                                   (unsigned)UINT32_MAX, optarg);
            }
            o.max_age = (uint32_t)v;
            break;
        case 'A':
            any = true;
            break;
        case 'h':
            atls_usage(stdout);
            return CLI_EXIT_OK;
        default: /* getopt said which option */
            fprintf(stderr, "(see 'snpkit atls --help')\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        return usage_error("connect needs HOST:PORT");
    }
    if (optind + 1 != argc) {
        return usage_error("connect: unexpected argument '%s'", argv[optind + 1]);
    }
    if (!parse_addr("connect", argv[optind], false, host, sizeof(host), port, sizeof(port))) {
        return CLI_EXIT_USAGE;
    }
    if (any && meas != NULL) {
        return usage_error("--any-measurement and --expect-measurement contradict each other");
    }
    if (policy != NULL) {
        if (cli_read_input(policy, &pj, &pj_len) != SNP_OK) {
            return CLI_EXIT_ENV;
        }
        err = snp_verify_policy_parse_json(&pol, (const char *)pj, pj_len, eb, sizeof(eb));
        free(pj);
        if (err != SNP_OK) {
            cli_errorf(policy, "%s", eb);
            return CLI_EXIT_USAGE;
        }
    }
    if (meas != NULL &&
        snp_verify_policy_set(&pol, "expect-measurement", meas, eb, sizeof(eb)) != SNP_OK) {
        cli_errorf("--expect-measurement", "%s", eb);
        return CLI_EXIT_USAGE;
    }
    if (!any && pol.measurement.len == 0 && pol.n_id_key_digests == 0) {
        return usage_error(
            "connect needs to know what may run: --expect-measurement HEX, a --policy that pins "
            "a measurement%s, or --any-measurement",
            policy != NULL ? " (this one does not)" : "");
    }
    if (root_path != NULL) {
        rc = read_root(root_path, &root, &root_len);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    o.root = root;
    o.root_len = root_len;
    o.policy = &pol;
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    err = snp_atls_connect(&o, host, port, &c, &res);
    free(root);
    if (err == SNP_E_NETWORK) {
        int e = errno; /* snp_atls_tcp_connect() leaves the last connect()'s, or 0 */
        cli_errorf(argv[optind], "cannot connect: %s",
                   e != 0 ? strerror(e) : "the host name does not resolve");
        return CLI_EXIT_ENV;
    }
    if (err != SNP_OK) {
        /* Rejected (exit 1) when a check FAILed: the server was examined and refused, even when
         * the error's code is not a verification one (SNP_E_NOTFOUND: no evidence at all). */
        rc = has_failure(&res) ? CLI_EXIT_REJECTED : cli_exit_for(err);
        cli_errorf(argv[optind], "%s: %s (%s)", rc == CLI_EXIT_REJECTED ? "rejected" : "failed",
                   snp_err_str(err), snp_err_name(err));
        print_failures(&res);
        return rc;
    }
    print_claims(c, &res, any && meas == NULL && pol.measurement.len == 0);
    rc = pipe_stdio(c, argv[optind]);
    snp_atls_conn_free(c);
    return rc;
}

int
cmd_atls(int argc, char **argv)
{
    if (argc < 2) {
        return usage_error("needs a command: serve, proxy or connect");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        atls_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "serve") == 0) {
        return atls_serve(argc - 1, argv + 1, false);
    }
    if (strcmp(argv[1], "proxy") == 0) {
        return atls_serve(argc - 1, argv + 1, true);
    }
    if (strcmp(argv[1], "connect") == 0) {
        return atls_connect(argc - 1, argv + 1);
    }
    return usage_error("unknown command '%s' (serve, proxy or connect)", argv[1]);
}
