/*
 * cli/cmd_atls.c - `snpkit atls`: attested TLS server, client and proxy (docs/atls.md §7).
 *
 * Glue only: snpkit/atls.h does the work. The server's evidence comes from the guest driver
 * API (snpkit/guest.h: /dev/sev-guest or configfs-tsm), i.e. `serve` and `proxy` run on a real
 * SNP guest today. Serving from a booted *simulated* CVM arrives with `snpkit sim` (the honest
 * VMM is being written); until then the simulated path exists only in the tests and benchmark,
 * which drive the simulated PSP directly (something the CLI may not: check-deps keeps the
 * firmware's key slots out of cli/). Loopback or real addresses are the user's choice.
 * Exit codes: 0 verified / served; 1 evidence rejected; 2 usage; 3 environment.
 */
#include "cli.h"

#include "snpkit/atls.h"
#include "snpkit/guest.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
atls_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit atls serve   --listen ADDR:PORT [--backend ADDR:PORT] [--json]\n"
            "       snpkit atls connect HOST:PORT [--root FILE] --expect-measurement HEX\n"
            "                           [--policy FILE] [--fresh] [--max-age SECONDS]\n"
            "       snpkit atls proxy   --listen ADDR:PORT --backend ADDR:PORT\n\n"
            "serve/proxy: a TLS key generated here, its certificate carrying an attestation\n"
            "report from the guest driver (/dev/sev-guest or configfs-tsm) bound to the key;\n"
            "serve echoes, or forwards to --backend (the proxy). On the simulator this path\n"
            "arrives with `snpkit sim` (see docs/atls.md §5).\n"
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

static struct snp_atls_proxy *g_proxy;

static void
on_signal(int sig)
{
    (void)sig;
    if (g_proxy != NULL) {
        snp_atls_proxy_stop(g_proxy);
    }
}

static int
atls_serve(int argc, char **argv, bool proxy_only)
{
    static const struct option lo[] = {{"listen", required_argument, NULL, 'l'},
                                       {"backend", required_argument, NULL, 'b'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const char *listen_s = NULL, *backend_s = NULL;
    char lh[256], lp[16], bh[256], bp[16];
    struct snp_guest_dev *dev = NULL;
    struct snp_atls_server_opts so;
    struct snp_atls_server *s = NULL;
    struct snp_atls_proxy_opts po;
    struct snp_report r;
    uint8_t rep[SNP_REPORT_SIZE];
    bool json = false;
    int lfd = -1, opt, rc = CLI_EXIT_ENV;
    uint16_t port = 0;
    snp_err err;

    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case 'l':
            listen_s = optarg;
            break;
        case 'b':
            backend_s = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            atls_usage(stdout);
            return CLI_EXIT_OK;
        default:
            atls_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (listen_s == NULL || !split_addr(listen_s, lh, sizeof(lh), lp, sizeof(lp)) ||
        (proxy_only && backend_s == NULL) ||
        (backend_s != NULL && !split_addr(backend_s, bh, sizeof(bh), bp, sizeof(bp)))) {
        atls_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    err = snp_guest_dev_open(&dev, NULL);
    if (err != SNP_OK) {
        cli_errorf("atls",
                   "no SEV-SNP guest driver here (%s: %s); the simulated CVM path "
                   "arrives with `snpkit sim`",
                   snp_err_name(err), snp_err_str(err));
        return CLI_EXIT_ENV;
    }
    snp_atls_server_opts_init(&so);
    so.evidence = snp_atls_provider_guest_dev;
    so.evidence_ctx = dev;
    err = snp_atls_server_new(&s, &so);
    if (err == SNP_OK) {
        err = snp_atls_server_report(s, rep);
    }
    if (err == SNP_OK) {
        err = snp_report_decode(&r, rep, sizeof(rep), NULL);
    }
    if (err == SNP_OK) {
        err = snp_atls_listen(lh, lp, &lfd, &port);
    }
    if (err != SNP_OK) {
        cli_errorf("atls", "%s (%s)", snp_err_str(err), snp_err_name(err));
        rc = cli_exit_for(err);
        goto out;
    }
    if (json) {
        printf("{\"listen\": ");
        cli_json_str(stdout, lh);
        printf(", \"port\": %u, \"measurement\": ", (unsigned)port);
        cli_json_hex(stdout, r.measurement, sizeof(r.measurement));
        printf("}\n");
    } else {
        printf("serving attested TLS on %s:%u, measurement ", lh, (unsigned)port);
        for (size_t i = 0; i < sizeof(r.measurement); i++) {
            printf("%02x", r.measurement[i]);
        }
        printf("\n");
    }
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);
    memset(&po, 0, sizeof(po));
    po.server = s;
    po.listen_fd = lfd;
    po.backend_host = backend_s != NULL ? bh : NULL;
    po.backend_port = backend_s != NULL ? bp : NULL;
    if (backend_s == NULL) {
        cli_errorf("atls", "serve without --backend: not implemented yet (use --backend)");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    err = snp_atls_proxy_new(&g_proxy, &po);
    if (err == SNP_OK) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        err = snp_atls_proxy_run(g_proxy);
    }
    rc = err == SNP_OK ? CLI_EXIT_OK : cli_exit_for(err);
out:
    snp_atls_proxy_free(g_proxy);
    g_proxy = NULL;
    if (lfd >= 0) {
        close(lfd);
    }
    snp_atls_server_free(s);
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

/* stdin -> connection, connection -> stdout, until either ends. */
static int
pipe_stdio(struct snp_atls_conn *c)
{
    uint8_t buf[16384];
    struct pollfd pf[2] = {{.fd = 0, .events = POLLIN},
                           {.fd = snp_atls_conn_fd(c), .events = POLLIN}};
    size_t n = 0;
    ssize_t k;

    for (;;) {
        if (poll(pf, 2, -1) < 0) {
            return CLI_EXIT_ENV;
        }
        if (pf[1].revents) {
            if (snp_atls_read(c, buf, sizeof(buf), &n) != SNP_OK || n == 0) {
                return CLI_EXIT_OK;
            }
            if (fwrite(buf, 1, n, stdout) != n) {
                return CLI_EXIT_ENV;
            }
            fflush(stdout);
        }
        if (pf[0].revents) {
            k = read(0, buf, sizeof(buf));
            if (k <= 0) {
                return CLI_EXIT_OK;
            }
            if (snp_atls_write(c, buf, (size_t)k) != SNP_OK) {
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
