/*
 * cli/cmd_kds.c - `snpkit kds`: fill the collateral store ahead of time for air-gapped
 * verification (`fetch`), print a report's KDS URLs (`url`), and list the store (`ls`).
 *
 * All fetching, checking and storing is the library's (snpkit/kds.h); this file parses
 * options, reads reports and turns results into text, JSON (docs/store.md) and exit codes:
 * 0 everything present, 1 a report that cannot be used (bad report, not signed), 2 usage,
 * 3 collateral could not be obtained (network, key server, store I/O).
 */
#include "cli.h"

#include "snpkit/kds.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kds_cli {
    struct snp_kds_opts o;
    struct snp_kds_hooks hooks;
    enum snp_product hint; /* --product */
    bool json;
    unsigned printed; /* JSON report objects written so far (for the commas) */
    char store[SNP_KDS_PATH_MAX];
};

static void
kds_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit kds fetch [--store DIR] [--kds URL] [--product P] [--offline]\n"
            "                        [--trace] [--json] REPORT...\n"
            "       snpkit kds url [--kds URL] [--product P] [--json] REPORT\n"
            "       snpkit kds ls [--store DIR] [--json]\n"
            "       snpkit kds serve [--listen ADDR:PORT] [--state DIR] [--rate-limit N/s] ...\n"
            "\n"
            "Collateral from AMD's Key Distribution Service (KDS), kept in a local store so\n"
            "that verification works offline and the KDS rate limit is met once, not per\n"
            "verification.\n"
            "\n"
            "fetch: for each REPORT, put in the store what verifying it needs: the VCEK for the\n"
            "  report's chip (hwID) and REPORTED_TCB, the cert_chain (ASK+ARK) and the CRL of\n"
            "  its product line. A VLEK-signed report gets the VLEK chain and CRL (the VLEK\n"
            "  itself comes from the host's certificate table, not the KDS). What is already\n"
            "  stored is not fetched again, except a CRL past its nextUpdate. Responses are\n"
            "  checked before they are stored: an HTML page or a cut-off body is never saved.\n"
            "  HTTP 429 waits for Retry-After (bounded); other 4xx are not retried.\n"
            "url: print the KDS URLs for REPORT (no network).\n"
            "ls: list the store: product, item, key kind, state, size, path (docs/store.md).\n"
            "serve: run the simulated vendor's key server (see 'snpkit kds serve --help').\n"
            "\n"
            "  REPORT        an attestation report: binary, hex or base64; '-' reads stdin\n"
            "  --store DIR   the store (default $XDG_CACHE_HOME/snpkit or ~/.cache/snpkit)\n"
            "  --kds URL     the key server (default " SNP_KDS_DEFAULT_BASE ")\n"
            "  --product P   milan | genoa | turin (siena, bergamo = genoa): needed for\n"
            "                version-2 reports, which carry no CPUID\n"
            "  --offline     fetch: do not use the network; report what the store lacks\n"
            "  --trace       fetch: print each request, wait and store access on stderr\n"
            "  --json        machine-readable output (schemas in docs/store.md)\n"
            "\n"
            "exit codes: 0 all present, 1 unusable report, 2 usage error,\n"
            "            3 collateral not obtained (network, key server, store I/O)\n");
}

static void
trace_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "snpkit: kds: %s\n", line);
}

/* "2026-10-04T00:00:00Z" */
static void
fmt_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "none");
    }
}

/* Read and decode one report, and find its product line. Prints its own error. */
static int
load_report(const char *path, enum snp_product hint, struct snp_report *r, enum snp_product *p)
{
    uint8_t *in = NULL;
    size_t in_len = 0;
    uint8_t bytes[2 * SNP_REPORT_SIZE];
    size_t n = 0;
    size_t off = 0;
    snp_err err;

    err = cli_read_input(path, &in, &in_len);
    if (err != SNP_OK) {
        return cli_exit_for(err);
    }
    err = cli_report_bytes(path, CLI_IN_AUTO, in, in_len, bytes, sizeof(bytes), &n);
    free(in);
    if (err != SNP_OK) {
        return CLI_EXIT_REJECTED;
    }
    err = snp_report_decode(r, bytes, n, &off);
    if (err != SNP_OK) {
        cli_errorf(path, "not an attestation report: %s at 0x%03zx (%s)", snp_err_str(err), off,
                   snp_err_name(err));
        return CLI_EXIT_REJECTED;
    }
    err = snp_report_product(r, hint, p);
    if (err == SNP_E_ARG) {
        cli_errorf(path, "a version-%u report carries no CPUID: give --product", r->version);
        return CLI_EXIT_USAGE;
    }
    if (err != SNP_OK) {
        cli_errorf(path, "product line: %s (%s)", snp_err_str(err), snp_err_name(err));
        return err == SNP_E_MISMATCH ? CLI_EXIT_USAGE : CLI_EXIT_REJECTED;
    }
    return CLI_EXIT_OK;
}

static unsigned
signing_key(const struct snp_report *r)
{
    return (r->signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT;
}

/* ---- fetch ----------------------------------------------------------------------------------- */

static const struct snp_kds_blob *
blob_at(const struct snp_kds_bundle *b, int i)
{
    return i == 0 ? &b->vcek : i == 1 ? &b->chain : &b->crl;
}

static const char *const blob_names[3] = {"vcek", "cert_chain", "crl"};

static void
fetch_human(const char *path, const struct snp_kds_bundle *b)
{
    printf("%s: %s, %s-signed\n", path, snp_product_name(b->product),
           b->key == SNP_KDS_KEY_VLEK ? "VLEK" : "VCEK");
    for (int i = 0; i < 3; i++) {
        const struct snp_kds_blob *x = blob_at(b, i);
        const char *name = i == 0 && b->key == SNP_KDS_KEY_VLEK ? "vlek" : blob_names[i];
        printf("  %-10s %-7s %-7s", name, snp_kds_state_name(x->state),
               snp_kds_source_name(x->source));
        /* Where it is (or would be); why something is missing goes to stderr. */
        printf(" %s", x->path[0] != '\0' ? x->path : x->url[0] != '\0' ? x->url : "-");
        if (i == 2 && x->data != NULL) {
            char when[32];
            fmt_time(when, x->crl_next_update);
            printf(" (nextUpdate %s)", when);
        }
        printf("\n");
    }
}

static void
json_blob(const char *name, const struct snp_kds_blob *x, bool crl)
{
    char when[32];

    printf("{\"item\":");
    cli_json_str(stdout, name);
    printf(",\"state\":");
    cli_json_str(stdout, snp_kds_state_name(x->state));
    printf(",\"source\":");
    cli_json_str(stdout, snp_kds_source_name(x->source));
    printf(",\"url\":");
    if (x->url[0] != '\0') {
        cli_json_str(stdout, x->url);
    } else {
        printf("null");
    }
    printf(",\"path\":");
    if (x->path[0] != '\0') {
        cli_json_str(stdout, x->path);
    } else {
        printf("null");
    }
    printf(",\"size\":%zu,\"error\":", x->len);
    if (x->err != SNP_OK) {
        cli_json_str(stdout, snp_err_name(x->err));
    } else {
        printf("null");
    }
    if (crl) {
        printf(",\"next_update\":");
        if (x->crl_next_update >= 0) {
            fmt_time(when, x->crl_next_update);
            cli_json_str(stdout, when);
        } else {
            printf("null");
        }
    }
    printf(",\"message\":");
    cli_json_str(stdout, x->msg);
    printf("}");
}

static void
fetch_json(const char *path, const struct snp_kds_bundle *b, snp_err err, bool first)
{
    printf("%s{\"file\":", first ? "" : ",");
    cli_json_str(stdout, path);
    printf(",\"product\":");
    cli_json_str(stdout, snp_product_name(b->product));
    printf(",\"key\":");
    cli_json_str(stdout, snp_kds_key_name(b->key));
    printf(",\"result\":");
    cli_json_str(stdout, snp_err_name(err));
    printf(",\"items\":[");
    for (int i = 0; i < 3; i++) {
        const char *name = i == 0 && b->key == SNP_KDS_KEY_VLEK ? "vlek" : blob_names[i];
        if (i > 0) {
            printf(",");
        }
        json_blob(name, blob_at(b, i), i == 2);
    }
    printf("]}");
}

/* One report: returns its exit code. */
static int
fetch_one(struct kds_cli *k, const char *path)
{
    struct snp_report r;
    struct snp_kds_bundle b;
    enum snp_product p = SNP_PRODUCT_UNKNOWN;
    int rc = load_report(path, k->hint, &r, &p);
    snp_err err;

    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (signing_key(&r) != SNP_SIGNING_KEY_VCEK && signing_key(&r) != SNP_SIGNING_KEY_VLEK) {
        cli_errorf(path, "report is not signed (SIGNING_KEY %s): no collateral to fetch",
                   snp_signing_key_name(signing_key(&r)));
        return CLI_EXIT_REJECTED;
    }
    err = snp_kds_fetch_for_report(&k->o, &r, p, &b);
    if (k->json) {
        fetch_json(path, &b, err, k->printed++ == 0);
    } else {
        fetch_human(path, &b);
    }
    for (int i = 0; i < 3; i++) {
        const struct snp_kds_blob *x = blob_at(&b, i);
        if (x->state == SNP_KDS_ST_MISSING) {
            cli_errorf(path, "%s: %s (%s)", blob_names[i], x->msg, snp_err_name(x->err));
            rc = CLI_EXIT_ENV;
        } else if (x->state == SNP_KDS_ST_STALE) {
            cli_errorf(path, "warning: %s: %s", blob_names[i], x->msg);
        } else if (x->state == SNP_KDS_ST_NOT_APPLICABLE && !k->json) {
            cli_errorf(path, "note: %s", x->msg);
        }
    }
    snp_kds_bundle_free(&b);
    return rc;
}

static int
kds_fetch(struct kds_cli *k, int argc, char **argv)
{
    int worst = CLI_EXIT_OK;

    if (argc == 0) {
        cli_errorf(NULL, "kds fetch needs at least one REPORT");
        return CLI_EXIT_USAGE;
    }
    if (k->json) {
        printf("{\"schema\":\"snpkit.kds.fetch.v1\",\"store\":");
        if (k->store[0] != '\0') {
            cli_json_str(stdout, k->store);
        } else {
            printf("null");
        }
        printf(",\"offline\":%s,\"reports\":[", k->o.offline ? "true" : "false");
    }
    for (int i = 0; i < argc; i++) {
        int rc = fetch_one(k, argv[i]);
        /* Usage beats environment beats rejected: the most actionable code wins. */
        if (rc == CLI_EXIT_USAGE || (rc == CLI_EXIT_ENV && worst != CLI_EXIT_USAGE) ||
            (rc == CLI_EXIT_REJECTED && worst == CLI_EXIT_OK)) {
            worst = rc;
        }
    }
    if (k->json) {
        printf("]}\n");
    }
    return worst;
}

/* ---- url ------------------------------------------------------------------------------------- */

static int
kds_url(struct kds_cli *k, int argc, char **argv)
{
    struct snp_report r;
    enum snp_product p = SNP_PRODUCT_UNKNOWN;
    char vcek[SNP_KDS_URL_MAX] = "";
    char chain[SNP_KDS_URL_MAX];
    char crl[SNP_KDS_URL_MAX];
    enum snp_kds_key key;
    snp_err err;
    int rc;

    if (argc != 1) {
        cli_errorf(NULL, "kds url needs exactly one REPORT");
        return CLI_EXIT_USAGE;
    }
    rc = load_report(argv[0], k->hint, &r, &p);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    key = signing_key(&r) == SNP_SIGNING_KEY_VLEK ? SNP_KDS_KEY_VLEK : SNP_KDS_KEY_VCEK;
    err = snp_kds_url_chain(chain, sizeof(chain), k->o.base_url, p, key);
    if (err == SNP_OK) {
        err = snp_kds_url_crl(crl, sizeof(crl), k->o.base_url, p, key);
    }
    if (err != SNP_OK) {
        cli_errorf(k->o.base_url, "not a usable key server URL (%s)", snp_err_name(err));
        return CLI_EXIT_USAGE;
    }
    const char *why = NULL;
    if (key == SNP_KDS_KEY_VLEK) {
        why = "VLEK-signed: the VLEK is not fetchable from the KDS; take it from the host's "
              "certificate table";
    } else if (signing_key(&r) != SNP_SIGNING_KEY_VCEK) {
        why = "report is not signed";
    } else if (snp_kds_url_vcek(vcek, sizeof(vcek), k->o.base_url, p, r.chip_id, r.reported_tcb) !=
               SNP_OK) {
        why = "CHIP_ID is all zero (MASK_CHIP_ID): the KDS cannot name this chip";
    }
    if (k->json) {
        printf("{\"schema\":\"snpkit.kds.url.v1\",\"product\":");
        cli_json_str(stdout, snp_product_name(p));
        printf(",\"key\":");
        cli_json_str(stdout, snp_kds_key_name(key));
        printf(",\"vcek\":");
        if (why == NULL) {
            cli_json_str(stdout, vcek);
        } else {
            printf("null");
        }
        printf(",\"vcek_note\":");
        if (why != NULL) {
            cli_json_str(stdout, why);
        } else {
            printf("null");
        }
        printf(",\"cert_chain\":");
        cli_json_str(stdout, chain);
        printf(",\"crl\":");
        cli_json_str(stdout, crl);
        printf("}\n");
        return CLI_EXIT_OK;
    }
    printf("%-10s %s\n", key == SNP_KDS_KEY_VLEK ? "vlek" : "vcek", why == NULL ? vcek : "-");
    if (why != NULL) {
        printf("%-10s (%s)\n", "", why);
    }
    printf("%-10s %s\n%-10s %s\n", "cert_chain", chain, "crl", crl);
    return CLI_EXIT_OK;
}

/* ---- ls -------------------------------------------------------------------------------------- */

struct ls_ctx {
    bool json;
    size_t n;
    size_t dir_len;
    int64_t now;
};

static snp_err
ls_entry(void *ctx, const struct snp_kds_entry *e)
{
    struct ls_ctx *l = ctx;
    const char *rel = e->path + l->dir_len + (e->path[l->dir_len] == '/' ? 1 : 0);
    char when[32] = "";
    bool stale = e->item == SNP_KDS_ITEM_CRL && e->content_err == SNP_OK &&
                 (e->crl_next_update < 0 || l->now >= e->crl_next_update);
    const char *state = e->content_err != SNP_OK ? "invalid" : stale ? "stale" : "ok";

    if (e->item == SNP_KDS_ITEM_CRL) {
        fmt_time(when, e->crl_next_update);
    }
    if (l->json) {
        printf("%s{\"product\":", l->n == 0 ? "" : ",");
        cli_json_str(stdout, snp_product_name(e->product));
        printf(",\"item\":");
        cli_json_str(stdout, snp_kds_item_name(e->item));
        printf(",\"key\":");
        cli_json_str(stdout, snp_kds_key_name(e->key));
        printf(",\"state\":");
        cli_json_str(stdout, state);
        printf(",\"error\":");
        if (e->content_err != SNP_OK) {
            cli_json_str(stdout, snp_err_name(e->content_err));
        } else {
            printf("null");
        }
        printf(",\"size\":%zu,\"path\":", e->size);
        cli_json_str(stdout, e->path);
        if (e->item == SNP_KDS_ITEM_VCEK) {
            printf(",\"hwid\":");
            cli_json_str(stdout, e->hwid);
            printf(",\"tcb\":");
            cli_json_hex(stdout, e->tcb, sizeof(e->tcb));
        }
        if (e->item == SNP_KDS_ITEM_CRL) {
            printf(",\"next_update\":");
            if (e->crl_next_update >= 0) {
                cli_json_str(stdout, when);
            } else {
                printf("null");
            }
        }
        printf("}");
    } else {
        printf("%-6s %-10s %-4s %-7s %6zu  %s", snp_product_name(e->product),
               snp_kds_item_name(e->item), snp_kds_key_name(e->key), state, e->size, rel);
        if (e->item == SNP_KDS_ITEM_CRL) {
            printf("  nextUpdate %s", when);
        }
        printf("\n");
    }
    l->n++;
    return SNP_OK;
}

static int
kds_ls(struct kds_cli *k, int argc)
{
    struct ls_ctx l;
    snp_err err;

    if (argc != 0) {
        cli_errorf(NULL, "kds ls takes no arguments");
        return CLI_EXIT_USAGE;
    }
    memset(&l, 0, sizeof(l));
    l.json = k->json;
    l.dir_len = strlen(k->store);
    l.now = (int64_t)time(NULL);
    if (k->json) {
        printf("{\"schema\":\"snpkit.kds.ls.v1\",\"store\":");
        cli_json_str(stdout, k->store);
        printf(",\"entries\":[");
    } else {
        printf("store: %s\n", k->store);
    }
    err = snp_kds_store_list(k->store, ls_entry, &l);
    if (k->json) {
        printf("]}\n");
    } else if (l.n == 0 && err == SNP_OK) {
        printf("(empty)\n");
    }
    if (err != SNP_OK) {
        cli_errorf(k->store, "cannot list the store: %s (%s)", snp_err_str(err), snp_err_name(err));
        return cli_exit_for(err);
    }
    return CLI_EXIT_OK;
}

/* ---- dispatch -------------------------------------------------------------------------------- */

int
cmd_kds(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 's'},   {"kds", required_argument, NULL, 'k'},
        {"product", required_argument, NULL, 'p'}, {"offline", no_argument, NULL, 'o'},
        {"trace", no_argument, NULL, 't'},         {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct kds_cli k;
    const char *sub;
    int c;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        kds_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "serve") == 0) {
        return cmd_kds_serve(argc - 1, argv + 1); /* the simulated key server (vendor.h) */
    }
    if (strcmp(sub, "fetch") != 0 && strcmp(sub, "url") != 0 && strcmp(sub, "ls") != 0) {
        cli_errorf(NULL, "unknown 'kds' subcommand '%s' (fetch, url, ls, serve)", sub);
        return CLI_EXIT_USAGE;
    }
    memset(&k, 0, sizeof(k));
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            k.o.store_dir = optarg;
            break;
        case 'k':
            k.o.base_url = optarg;
            break;
        case 'p':
            if (snp_product_parse(optarg, &k.hint) != SNP_OK) {
                cli_errorf(NULL, "unknown product '%s' (milan, genoa, turin)", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o':
            k.o.offline = true;
            break;
        case 't':
            k.hooks.trace = trace_line;
            k.o.hooks = &k.hooks;
            break;
        case 'j':
            k.json = true;
            break;
        case 'h':
            kds_usage(stdout);
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (k.o.base_url != NULL && strncmp(k.o.base_url, "https://", 8) != 0 &&
        strncmp(k.o.base_url, "http://", 7) != 0) {
        cli_errorf(k.o.base_url, "--kds needs an http:// or https:// URL");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(sub, "url") == 0) {
        return kds_url(&k, argc - optind, argv + optind);
    }
    if (k.o.store_dir != NULL) {
        snprintf(k.store, sizeof(k.store), "%s", k.o.store_dir);
    } else if (snp_kds_store_default(k.store, sizeof(k.store)) != SNP_OK) {
        cli_errorf(NULL, "no store directory (neither XDG_CACHE_HOME nor HOME): give --store");
        return CLI_EXIT_USAGE;
    }
    k.o.store_dir = k.store;
    if (strcmp(sub, "ls") == 0) {
        return kds_ls(&k, argc - optind);
    }
    return kds_fetch(&k, argc - optind, argv + optind);
}
