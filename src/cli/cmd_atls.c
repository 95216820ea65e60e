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
#include <poll.h>
#include <pthread.h>
#include <signal.h>
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
        "       snpkit atls connect HOST:PORT [--root FILE] --expect-measurement HEX\n"
        "                           [--policy FILE] [--fresh] [--max-age SECONDS]\n"
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
        "  --certs-out DIR     write the simulated vendor's DIR/ark.pem, ask.pem, vcek.pem,\n"
        "                      crl.der (for connect --root DIR/ark.pem)\n"
        "  --state DIR         the simulated chip and vendor (as `snpkit sim`)\n"
        "  --json              print {\"port\", \"measurement\", ...} on one line\n"
        "Stops on SIGINT/SIGTERM.\n"
        "connect: after stdin ends, what the server still sends within 1 s is printed.\n"
        "connect: verifies the server's evidence inside the handshake (chain to AMD's ARK or\n"
        "--root, signature, --expect-measurement, --policy), prints the verified claims, then\n"
        "pipes stdin/stdout. --fresh asks for a report bound to a nonce of this handshake.\n");
}

/* "HOST:PORT" (the last colon; "[v6]:port" brackets removed) into host and port buffers. */
static bool
split_addr(const char *s, char *host, size_t hn, char *port, size_t pn)
{
    const char *c = strrchr(s, ':');
    size_t hl;

    if (c == NULL || c == s || c[1] == '\0' || strlen(c + 1) >= pn) {
        return false;
    }
    hl = (size_t)(c - s);
    if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl >= hn) {
        return false;
    }
    memcpy(host, s, hl);
    host[hl] = '\0';
    strcpy(port, c + 1);
    return true;
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
    if (err == SNP_OK) {
        err = snp_atls_listen(a->lh, a->lp, &lfd, &port);
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
    uint16_t port = 0;
    int lfd = -1;
    snp_err err;

    a->rc = CLI_EXIT_ENV;
    if (!atls_cvm_wait_ready(g_cvm)) {
        /* a signal came (exit 0), or the guest stopped by itself (atls_cvm_run() says why) */
        a->rc = g_stop ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
        goto out;
    }
    err = snp_atls_listen(a->lh, a->lp, &lfd, &port);
    if (err != SNP_OK) {
        cli_errorf(a->listen_s, "%s (%s)", snp_err_str(err), snp_err_name(err));
        goto out;
    }
    print_listening(a, port, atls_cvm_measurement(g_cvm));
    err = atls_cvm_netloop(g_cvm, lfd, a->backend_s != NULL ? a->bh : NULL,
                           a->backend_s != NULL ? a->bp : NULL, NULL);
    if (err != SNP_OK && err != SNP_E_STATE) {
        cli_errorf("atls", "network device: %s (%s)", snp_err_str(err), snp_err_name(err));
    }
    /* SNP_E_STATE: the guest went away by itself (exit 1, as documented) */
    a->rc = err == SNP_E_STATE ? CLI_EXIT_REJECTED : cli_exit_for(err);
out:
    if (lfd >= 0) {
        close(lfd);
    }
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

    if (atls_cvm_boot(&cvm, &a->so, a->backend_s != NULL) != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    if (a->certs_out != NULL && atls_cvm_write_certs(cvm, a->certs_out) != SNP_OK) {
        cli_errorf(a->certs_out, "cannot write the certificates");
        atls_cvm_free(cvm);
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
        return CLI_EXIT_ENV;
    }
    guest_ok = atls_cvm_run(cvm); /* until a signal, the worker's end, or the guest's */
    atls_cvm_stop(cvm);           /* the network loop ends too */
    pthread_join(t, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    g_cvm = NULL;
    atls_cvm_free(cvm);
    return !guest_ok && a->rc == CLI_EXIT_OK ? CLI_EXIT_REJECTED : a->rc;
}

static bool
is_loopback(const char *h)
{
    return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 || strcmp(h, "localhost") == 0;
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
    int opt, rc;
    snp_err err;

    memset(&a, 0, sizeof(a));
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
            a.so.rsa_bits = (unsigned)strtoul(optarg, NULL, 10);
            a.sim = true;
            break;
        case 'S':
            a.sim = true;
            break;
        case 'h':
            atls_usage(stdout);
            return CLI_EXIT_OK;
        default:
            atls_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc || a.listen_s == NULL ||
        !split_addr(a.listen_s, a.lh, sizeof(a.lh), a.lp, sizeof(a.lp)) ||
        (proxy_only && a.backend_s == NULL) ||
        (a.backend_s != NULL && !split_addr(a.backend_s, a.bh, sizeof(a.bh), a.bp, sizeof(a.bp)))) {
        atls_usage(stderr);
        return CLI_EXIT_USAGE;
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
print_claims(const struct snp_atls_conn *c, const struct snp_verify_result *res)
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
    fprintf(stderr, "\n  policy 0x%llx  vmpl %u  guest_svn %u\n", (unsigned long long)r.policy,
            r.vmpl, r.guest_svn);
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
pipe_stdio(struct snp_atls_conn *c)
{
    uint8_t buf[16384];
    struct pollfd pf[2] = {{.fd = snp_atls_conn_fd(c), .events = POLLIN},
                           {.fd = 0, .events = POLLIN}};
    bool in_open = true;
    size_t n = 0;
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
                return CLI_EXIT_OK;
            }
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
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    static struct snp_verify_result res;
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_conn *c = NULL;
    uint8_t *root = NULL, *pj = NULL;
    size_t root_len = 0, pj_len = 0;
    char host[256], port[16], eb[256];
    const char *meas = NULL, *policy = NULL;
    int opt, rc;
    snp_err err;

    snp_atls_client_opts_init(&o);
    snp_verify_policy_default(&pol);
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case 'r':
            if (cli_read_input(optarg, &root, &root_len) != SNP_OK) {
                return CLI_EXIT_ENV;
            }
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
            o.max_age = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'h':
            atls_usage(stdout);
            return CLI_EXIT_OK;
        default:
            atls_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || !split_addr(argv[optind], host, sizeof(host), port, sizeof(port)) ||
        (meas == NULL && policy == NULL)) {
        atls_usage(stderr);
        free(root);
        return CLI_EXIT_USAGE;
    }
    if (policy != NULL) {
        if (cli_read_input(policy, &pj, &pj_len) != SNP_OK) {
            free(root);
            return CLI_EXIT_ENV;
        }
        err = snp_verify_policy_parse_json(&pol, (const char *)pj, pj_len, eb, sizeof(eb));
        free(pj);
        if (err != SNP_OK) {
            cli_errorf(policy, "%s", eb);
            free(root);
            return CLI_EXIT_USAGE;
        }
    }
    if (meas != NULL &&
        snp_verify_policy_set(&pol, "expect-measurement", meas, eb, sizeof(eb)) != SNP_OK) {
        cli_errorf("--expect-measurement", "%s", eb);
        free(root);
        return CLI_EXIT_USAGE;
    }
    o.root = root;
    o.root_len = root_len;
    o.policy = &pol;
    signal(SIGPIPE, SIG_IGN);
    err = snp_atls_connect(&o, host, port, &c, &res);
    free(root);
    if (err != SNP_OK) {
        cli_errorf(argv[optind], "%s: %s (%s)",
                   cli_exit_for(err) == CLI_EXIT_REJECTED ? "rejected" : "failed", snp_err_str(err),
                   snp_err_name(err));
        print_failures(&res);
        return cli_exit_for(err);
    }
    print_claims(c, &res);
    rc = pipe_stdio(c);
    snp_atls_conn_free(c);
    return rc;
}

int
cmd_atls(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        atls_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
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
    atls_usage(stderr);
    return CLI_EXIT_USAGE;
}
