/*
 * cli/cmd_kds_serve.c - `snpkit kds serve`: run the simulated vendor's key server (AMD's KDS
 * URL layout, snpkit/vendor.h) until SIGINT or SIGTERM.
 *
 * Loopback by default; a non-loopback --listen address needs --allow-remote. The state
 * directory is the simulated chips' (shared with `snpkit sim`); --chip registers more chips by
 * seed before serving. Prints one "listening on URL" line on stdout (flushed: scripts read it to
 * learn an ephemeral port), then one line per request on stderr unless --quiet.
 * Exit codes: 0 stopped by a signal, 2 usage, 3 cannot open the state or bind.
 */
#include "cli.h"

#include "snpkit/util.h"
#include "snpkit/vendor.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHIPS 16

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void
serve_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit kds serve [--listen ADDR:PORT] [--state DIR] [--rate-limit N/s]\n"
            "                        [--allow-remote] [--rsa-bits 2048|3072|4096]\n"
            "                        [--chip PRODUCT:SEED]... [--quiet]\n"
            "\n"
            "Serve the simulated vendor's certificates with AMD's KDS URL layout:\n"
            "  /vcek/v1/{Milan|Genoa|Turin}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..\n"
            "      (Turin: 16-hex hwid and fmcSPL first) -> DER VCEK; 404 for an unknown chip\n"
            "  /{vcek|vlek}/v1/{Line}/cert_chain -> PEM ASK (or ASVK) then ARK\n"
            "  /{vcek|vlek}/v1/{Line}/crl        -> DER CRL signed by the ARK\n"
            "The simulated ARK is not AMD's: `snpkit verify --kds URL --root DIR/vendor/{Line}/"
            "ark.pem`\n"
            "accepts these chains, `snpkit verify` without --root rejects them.\n"
            "\n"
            "  --listen ADDR:PORT  IPv4 address and port (default 127.0.0.1:8080; port 0 picks\n"
            "                      a free one, printed on stdout)\n"
            "  --allow-remote      permit an address outside 127.0.0.0/8 (the server has no\n"
            "                      authentication and no TLS)\n"
            "  --state DIR         the simulated vendor and chips (default\n"
            "                      $XDG_DATA_HOME/snpkit/sim or ~/.local/share/snpkit/sim)\n"
            "  --rate-limit N/s    answer 429 + Retry-After beyond N requests per second\n"
            "  --rsa-bits N        size of CA keys generated in a new state (default 4096,\n"
            "                      AMD's; 2048 is quicker, and is accepted only under --root)\n"
            "  --chip P:SEED       register the chip of product P made from SEED (text), and\n"
            "                      print its hwID; repeatable\n"
            "  --quiet             no per-request log on stderr\n"
            "\n"
            "exit codes: 0 stopped by SIGINT/SIGTERM, 2 usage error, 3 state or bind error\n");
}

static void
log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "snpkit: kds serve: %s\n", line);
}

/* "N/s" or "N" -> N (1..100000). */
static bool
parse_rate(const char *s, unsigned *out)
{
    char *end = NULL;
    unsigned long n = strtoul(s, &end, 10);

    if (end == s || n == 0 || n > 100000 || (strcmp(end, "") != 0 && strcmp(end, "/s") != 0)) {
        return false;
    }
    *out = (unsigned)n;
    return true;
}

/* Register each "PRODUCT:SEED" and print its hwID. */
static int
add_chips(struct snp_vendor *v, char **chips, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *colon = strchr(chips[i], ':');
        enum snp_product p = SNP_PRODUCT_UNKNOWN;
        uint8_t id[SNP_VENDOR_CHIP_ID];
        char hex[2 * SNP_VENDOR_CHIP_ID + 1];
        snp_err err;

        if (colon == NULL) {
            cli_errorf(NULL, "--chip wants PRODUCT:SEED, not '%s'", chips[i]);
            return CLI_EXIT_USAGE;
        }
        *colon = '\0';
        if (snp_product_parse(chips[i], &p) != SNP_OK) {
            cli_errorf(NULL, "unknown product '%s' (milan, genoa, turin)", chips[i]);
            return CLI_EXIT_USAGE;
        }
        err = snp_vendor_chip_add(v, p, (const uint8_t *)(colon + 1), strlen(colon + 1), id);
        if (err == SNP_OK) {
            err = snp_hex_encode(hex, sizeof(hex), id, p == SNP_PRODUCT_TURIN ? 8 : 64);
        }
        if (err != SNP_OK) {
            cli_errorf(snp_vendor_state_dir(v), "cannot register the chip: %s (%s)",
                       snp_err_str(err), snp_err_name(err));
            return cli_exit_for(err);
        }
        printf("chip %s seed \"%s\": hwid %s\n", snp_product_name(p), colon + 1, hex);
    }
    return CLI_EXIT_OK;
}

/* Serve until a signal: sigsuspend with the signals blocked in between, so none is lost. */
static void
wait_for_signal(void)
{
    struct sigaction sa;
    sigset_t block, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    while (!stop_flag) {
        sigsuspend(&old);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int
cmd_kds_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"state", required_argument, NULL, 's'},
        {"rate-limit", required_argument, NULL, 'r'},
        {"allow-remote", no_argument, NULL, 'a'},
        {"rsa-bits", required_argument, NULL, 'b'},
        {"chip", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct snp_vendor_opts vo;
    struct snp_kds_server_opts so;
    struct snp_vendor *v = NULL;
    struct snp_kds_server *srv = NULL;
    char *chips[MAX_CHIPS];
    size_t nchips = 0;
    char *end = NULL;
    snp_err err;
    int c, rc;

    memset(&vo, 0, sizeof(vo));
    memset(&so, 0, sizeof(so));
    so.listen = "127.0.0.1:8080";
    so.log = log_line;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            so.listen = optarg;
            break;
        case 's':
            vo.state_dir = optarg;
            break;
        case 'r':
            if (!parse_rate(optarg, &so.rate_per_s)) {
                cli_errorf(NULL, "--rate-limit wants N/s with N in 1..100000, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'a':
            so.allow_nonlocal = true;
            break;
        case 'b':
            vo.rsa_bits = (unsigned)strtoul(optarg, &end, 10);
            if (*end != '\0' ||
                (vo.rsa_bits != 2048 && vo.rsa_bits != 3072 && vo.rsa_bits != 4096)) {
                cli_errorf(NULL, "--rsa-bits wants 2048, 3072 or 4096, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'c':
            if (nchips == MAX_CHIPS) {
                cli_errorf(NULL, "at most %d --chip options", MAX_CHIPS);
                return CLI_EXIT_USAGE;
            }
            chips[nchips++] = optarg;
            break;
        case 'q':
            so.log = NULL;
            break;
        case 'h':
            serve_usage(stdout);
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_errorf(NULL, "kds serve takes no operands ('%s')", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    err = snp_vendor_open(&v, &vo);
    if (err != SNP_OK) {
        cli_errorf(vo.state_dir, "cannot open the simulated vendor's state: %s (%s)%s",
                   snp_err_str(err), snp_err_name(err),
                   err == SNP_E_NOTFOUND ? ": give --state" : "");
        return err == SNP_E_NOTFOUND ? CLI_EXIT_USAGE : cli_exit_for(err);
    }
    rc = add_chips(v, chips, nchips);
    if (rc != CLI_EXIT_OK) {
        goto out;
    }
    err = snp_kds_server_start(&srv, v, &so);
    if (err != SNP_OK) {
        cli_errorf(so.listen, "%s (%s)",
                   err == SNP_E_ARG ? "not an IPv4 ADDR:PORT on loopback (see --allow-remote)"
                                    : "cannot listen there",
                   snp_err_name(err));
        rc = err == SNP_E_ARG ? CLI_EXIT_USAGE : CLI_EXIT_ENV;
        goto out;
    }
    {
        const char *colon = strrchr(so.listen, ':');
        printf("listening on http://%.*s:%u (state %s)\n", (int)(colon - so.listen), so.listen,
               snp_kds_server_port(srv), snp_vendor_state_dir(v));
        fflush(stdout);
    }
    wait_for_signal();
    rc = CLI_EXIT_OK;
out:
    snp_kds_server_stop(srv);
    snp_vendor_free(v);
    return rc;
}
