/*
 * cli/cmd_verify.c - `snpkit verify`: verify attestation reports end to end (chain, signature,
 * TCB binding, CRL, strict form) and against the relying party's policy, one file or a fleet.
 *
 * The library does the judging (snp_verify_report(), snp_verify_policy_check()); this file
 * gathers the collateral (files, a certificate table, the store and the key server through
 * snpkit/kds.h), turns options and a policy file into a struct snp_verify_policy, and prints
 * the named checks as text or JSON (docs/verify-json.md). Exit codes keep "rejected" (1) apart
 * from "could not check" (3). One snp_verifier serves every report, so a batch verifies each
 * distinct chain once.
 */
#include "cli.h"

#include "snpkit/kds.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_PFLAGS   256
#define OPT_KEY_BASE 1000

/* One collateral input as given (kept raw, so a per-report bag can be rebuilt). */
struct coll_in {
    char *path;
    uint8_t *buf;
    size_t len;
    bool cert_table;
    snp_err err; /* SNP_OK, or why the library refused it (a FAIL on every report) */
};

struct verify_ctx {
    enum cli_in_format in;
    bool json;
    bool verbose;
    struct snp_verify_opts opts;
    const char *root_path;
    uint8_t *root_buf;
    const char *at_text;
    const char *policy_path;
    struct snp_verify_policy policy;
    size_t n_pflags;
    const char *pflag_key[MAX_PFLAGS];
    const char *pflag_val[MAX_PFLAGS];
    struct coll_in *coll;
    size_t n_coll;
    struct snp_collateral *base;
    /* store / key server */
    struct snp_kds_opts kds;
    struct snp_verifier *verifier;
    struct snp_verify_result *res; /* reused for every report */
};

static void
verify_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit verify [OPTIONS] FILE...\n"
            "       snpkit verify [OPTIONS] --batch DIR\n"
            "\n"
            "Verify SEV-SNP attestation reports end to end: strict form, product, signing key\n"
            "(VCEK/VLEK) against the leaf certificate, the chain ARK -> ASK/ASVK -> VCEK/VLEK to\n"
            "AMD's pinned ARK, the CRL, the leaf's TCB and hwID against the report, the report\n"
            "signature, and then your policy. Every check is listed by name with pass, FAIL,\n"
            "skip, warn or ERROR and a reason; nothing is skipped silently.\n"
            "\n"
            "input:\n"
            "  FILE...            reports: raw 1184 bytes, hex or base64 text; '-' is stdin\n"
            "  --batch DIR        every regular file in DIR (not hidden), in name order\n"
            "  --in-format F      auto (default) | bin | hex | base64\n"
            "\n"
            "collateral (certificates and CRLs, PEM or DER; all optional):\n"
            "  --certs DIR        every file in DIR, any names; files that are not\n"
            "                     certificates or CRLs are ignored with a note on stderr\n"
            "  --cert-table FILE  an extended report's certificate table or configfs-tsm auxblob\n"
            "  --vcek FILE        the VCEK or VLEK\n"
            "  --chain FILE       ASK/ASVK and ARK (e.g. KDS cert_chain)\n"
            "  --crl FILE         the ARK's CRL\n"
            "  --root FILE        trust this ARK instead of AMD's pinned ones (test roots, the\n"
            "                     simulator); the output says so\n"
            "  --store DIR        the collateral store (default ~/.cache/snpkit)\n"
            "  --offline          never use the network: the store only\n"
            "  --kds URL          key server base URL (default https://kdsintf.amd.com)\n"
            "  The store (then, unless --offline, the key server) is consulted only when the\n"
            "  files given hold no VCEK/VLEK or no ASK/ASVK; what it supplied is listed as\n"
            "  collateral.vcek, collateral.cert_chain and collateral.crl.\n"
            "\n"
            "verification:\n"
            "  --at TIME          verify as of TIME (RFC 3339, e.g. 2026-06-01T00:00:00Z, or a\n"
            "                     date); default now. Certificates and CRLs are judged then\n"
            "  --product NAME     milan | genoa | turin (siena, bergamo = genoa): for v2\n"
            "                     reports, which carry no CPUID\n"
            "  --crl-mode M       warn (default): a missing CRL is a warning | require: a\n"
            "                     missing CRL rejects | skip: CRLs are not looked at\n"
            "  --strict-platform-info  reserved PLATFORM_INFO bits reject (default: warn)\n"
            "  --allow-unsigned   accept SIGNING_KEY=none reports with a warning (testing)\n"
            "\n"
            "policy (a JSON file, flags with the same names, or both; flags apply after the\n"
            "file; docs/verify-policy.md). Defaults: DEBUG and MIGRATE_MA rejected,\n"
            "REPORTED_TCB <= CURRENT_TCB.\n"
            "  --policy FILE      JSON object of the keys below (without the dashes)\n");
    for (const struct snp_vp_key *k = snp_verify_policy_keys; k->name != NULL; k++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", k->name, k->arg != NULL ? " " : "",
                 k->arg != NULL ? k->arg : "");
        if (strlen(left) > 18) {
            fprintf(out, "  %s\n  %-18s %s\n", left, "", k->help);
        } else {
            fprintf(out, "  %-18s %s\n", left, k->help);
        }
    }
    fprintf(out,
            "  Switches also take =true/=false (e.g. --allow-smt=false). Repeatable: digests,\n"
            "  bit names, --min-tcb (one per TCB field).\n"
            "\n"
            "output:\n"
            "  --json             stable JSON (schema snpkit.verify.v1; several files:\n"
            "                     snpkit.verify.batch.v1; docs/verify-json.md)\n"
            "  -v, --verbose      with several files, the full check list of each\n"
            "  Several files: one line per file, then a summary.\n"
            "\n"
            "exit codes: 0 verified, 1 rejected (a check failed), 2 usage error,\n"
            "            3 could not check (I/O, missing collateral, crypto library failure);\n"
            "            several files: the highest code of any file\n");
}

/* ---- small parsers ------------------------------------------------------------------------ */

static bool
digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar arithmetic). */
static int64_t
days_from_civil(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", or "YYYY-MM-DD" (midnight UTC). */
static bool
parse_rfc3339(const char *s, time_t *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0;
    size_t n = strlen(s);
    size_t i = 19;
    int sign = 0;

    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) {
        return false;
    }
    if (n > 10) {
        if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
            s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se) ||
            h > 23 || mi > 59 || se > 60) {
            return false;
        }
        if (s[i] == '.') {
            for (i++; s[i] >= '0' && s[i] <= '9'; i++) {
            }
        }
        if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
            sign = 0;
        } else if ((s[i] == '+' || s[i] == '-') && n - i == 6 && digits(s + i + 1, 2, &oh) &&
                   s[i + 3] == ':' && digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
            sign = s[i] == '+' ? 1 : -1;
        } else {
            return false;
        }
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
    t -= sign * (oh * 3600 + om * 60);
    *out = (time_t)t;
    return true;
}

static void
fmt_time(char *out, size_t n, time_t t)
{
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, n, "%lld", (long long)t);
    }
}

/* ---- collateral --------------------------------------------------------------------------- */

static int
coll_push(struct verify_ctx *x, const char *path, bool cert_table, bool from_dir)
{
    struct coll_in *n;
    struct coll_in ci = {NULL, NULL, 0, cert_table, SNP_OK};

    if (cli_read_input(path, &ci.buf, &ci.len) != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    ci.err = cert_table ? snp_collateral_add_cert_table(x->base, ci.buf, ci.len)
                        : snp_collateral_add(x->base, ci.buf, ci.len);
    if (ci.err == SNP_E_NOMEM || ci.err == SNP_E_CRYPTO) {
        cli_errorf(path, "%s (%s)", snp_err_str(ci.err), snp_err_name(ci.err));
        free(ci.buf);
        return CLI_EXIT_ENV;
    }
    if (ci.err != SNP_OK && from_dir) {
        /* A directory may hold READMEs and the like: noted, not fatal. */
        cli_errorf(path, "not a certificate or CRL, ignored (%s)", snp_err_name(ci.err));
        free(ci.buf);
        return CLI_EXIT_OK;
    }
    ci.path = strdup(path);
    n = realloc(x->coll, (x->n_coll + 1) * sizeof(*n));
    if (ci.path == NULL || n == NULL) {
        cli_errorf(path, "out of memory");
        free(ci.path);
        free(ci.buf);
        if (n != NULL) {
            x->coll = n;
        }
        return CLI_EXIT_ENV;
    }
    x->coll = n;
    x->coll[x->n_coll++] = ci;
    return CLI_EXIT_OK;
}

static int
not_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/*
 * The regular files of dir in name order, as malloc'd "dir/name" strings; *n set.
 * Returns an exit code (prints its own error).
 */
static int
list_dir(const char *dir, char ***out, size_t *n)
{
    struct dirent **ents = NULL;
    char **paths;
    size_t k = 0;
    int cnt = scandir(dir, &ents, not_hidden, alphasort);

    *out = NULL;
    *n = 0;
    if (cnt < 0) {
        cli_errorf(dir, "cannot read directory: %s", strerror(errno));
        return CLI_EXIT_ENV;
    }
    paths = calloc((size_t)cnt + 1, sizeof(*paths));
    for (int i = 0; i < cnt; i++) {
        size_t len = strlen(dir) + strlen(ents[i]->d_name) + 2;
        char *p = paths != NULL ? malloc(len) : NULL;
        struct stat st;
        if (p != NULL) {
            snprintf(p, len, "%s/%s", dir, ents[i]->d_name);
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                paths[k++] = p;
            } else {
                free(p);
            }
        }
        free(ents[i]);
    }
    free(ents);
    if (paths == NULL) {
        cli_errorf(dir, "out of memory");
        return CLI_EXIT_ENV;
    }
    *out = paths;
    *n = k;
    return CLI_EXIT_OK;
}

static void
free_list(char **paths, size_t n)
{
    for (size_t i = 0; paths != NULL && i < n; i++) {
        free(paths[i]);
    }
    free(paths);
}

static int
coll_dir(struct verify_ctx *x, const char *dir)
{
    char **paths;
    size_t n;
    int rc = list_dir(dir, &paths, &n);

    for (size_t i = 0; rc == CLI_EXIT_OK && i < n; i++) {
        rc = coll_push(x, paths[i], false, true);
    }
    free_list(paths, n);
    return rc;
}

/*
 * Should the store / key server fill in what the files lack? Only when they lack a leaf or an
 * intermediate: what the user gave is used as given (offline first).
 */
static bool
want_kds(const struct verify_ctx *x)
{
    size_t leaves =
        snp_collateral_count(x->base, SNP_COLL_VCEK) + snp_collateral_count(x->base, SNP_COLL_VLEK);
    size_t mids =
        snp_collateral_count(x->base, SNP_COLL_ASK) + snp_collateral_count(x->base, SNP_COLL_ASVK);

    return leaves == 0 || mids == 0;
}

/* The files' collateral plus what the store or key server has for this report. */
static snp_err
bag_for_report(struct verify_ctx *x, const uint8_t *bytes, size_t n, struct snp_collateral **bag,
               struct snp_kds_bundle *kb, bool *fetched)
{
    struct snp_report *r = NULL;
    enum snp_product product = SNP_PRODUCT_UNKNOWN;
    snp_err err = SNP_OK;

    *bag = x->base;
    *fetched = false;
    memset(kb, 0, sizeof(*kb));
    if (!want_kds(x) || n != SNP_REPORT_SIZE) {
        return SNP_OK; /* a malformed report is the verifier's to reject */
    }
    r = malloc(sizeof(*r));
    if (r == NULL) {
        return SNP_E_NOMEM;
    }
    if (snp_report_decode(r, bytes, n, NULL) != SNP_OK ||
        snp_report_product(r, x->opts.product, &product) != SNP_OK ||
        ((r->signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT) > 1) {
        goto out; /* the verifier names the problem */
    }
    (void)snp_kds_fetch_for_report(&x->kds, r, product, kb); /* states say what is missing */
    *fetched = true;
    err = snp_collateral_new(bag);
    if (err != SNP_OK) {
        *bag = x->base;
        goto out;
    }
    for (size_t i = 0; i < x->n_coll; i++) {
        if (x->coll[i].err == SNP_OK) {
            err = x->coll[i].cert_table
                      ? snp_collateral_add_cert_table(*bag, x->coll[i].buf, x->coll[i].len)
                      : snp_collateral_add(*bag, x->coll[i].buf, x->coll[i].len);
            if (err == SNP_E_NOMEM) {
                goto out;
            }
        }
    }
    err = SNP_OK;
    const struct snp_kds_blob *blobs[] = {&kb->vcek, &kb->chain, &kb->crl};
    for (size_t i = 0; i < 3; i++) {
        if (blobs[i]->data != NULL &&
            snp_collateral_add(*bag, blobs[i]->data, blobs[i]->len) == SNP_E_NOMEM) {
            err = SNP_E_NOMEM;
            goto out;
        }
    }
out:
    free(r);
    return err;
}

/* What the store / key server did, as visible entries after the library's checks. */
static void
add_kds_notes(struct snp_verify_result *res, const struct snp_kds_bundle *kb)
{
    static const char *const names[] = {"collateral.vcek", "collateral.cert_chain",
                                        "collateral.crl"};
    const struct snp_kds_blob *blobs[] = {&kb->vcek, &kb->chain, &kb->crl};

    for (size_t i = 0; i < 3; i++) {
        const struct snp_kds_blob *b = blobs[i];
        enum snp_check_status st = SNP_CHECK_PASS;
        if (b->state == SNP_KDS_ST_NOT_APPLICABLE) {
            st = SNP_CHECK_SKIP;
        } else if (b->state != SNP_KDS_ST_OK) {
            st = SNP_CHECK_WARN;
        }
        snp_verify_add(res, names[i], st, SNP_OK, "%s, %s%s%s", snp_kds_state_name(b->state),
                       snp_kds_source_name(b->source), b->msg[0] != '\0' ? ": " : "", b->msg);
    }
}

/* ---- output ------------------------------------------------------------------------------- */

enum verdict { V_VERIFIED = 0, V_REJECTED = 1, V_UNCHECKED = 3 };

static enum verdict
verdict_of(const struct snp_verify_result *res)
{
    bool error = false;

    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == SNP_CHECK_FAIL) {
            return V_REJECTED;
        }
        error = error || res->checks[i].status == SNP_CHECK_ERROR;
    }
    return error ? V_UNCHECKED : V_VERIFIED;
}

static const char *
verdict_text(enum verdict v)
{
    return v == V_VERIFIED ? "VERIFIED" : v == V_REJECTED ? "REJECTED" : "COULD NOT CHECK";
}

static const char *
verdict_json(enum verdict v)
{
    return v == V_VERIFIED ? "verified" : v == V_REJECTED ? "rejected" : "could_not_check";
}

static const char *
status_json(enum snp_check_status st)
{
    switch (st) {
    case SNP_CHECK_PASS:
        return "pass";
    case SNP_CHECK_FAIL:
        return "fail";
    case SNP_CHECK_SKIP:
        return "skip";
    case SNP_CHECK_WARN:
        return "warn";
    case SNP_CHECK_ERROR:
        return "error";
    }
    return "error";
}

/* Library text may quote certificate names: never let control bytes reach a terminal. */
static void
put_safe(FILE *o, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c >= 0x7f ? '?' : c, o);
    }
}

static void
json_safe(FILE *o, const char *s)
{
    char buf[SNP_CHECK_DETAIL_MAX + SNP_CHECK_NAME_MAX];
    size_t i = 0;

    for (; s[i] != '\0' && i + 1 < sizeof(buf); i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c >= 0x7f ? '?' : (char)c;
    }
    buf[i] = '\0';
    cli_json_str(o, buf);
}

/* The first check with status st, or NULL. */
static const struct snp_check *
first_with(const struct snp_verify_result *res, enum snp_check_status st)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == st) {
            return &res->checks[i];
        }
    }
    return NULL;
}

static void
count(const struct snp_verify_result *res, size_t c[5])
{
    memset(c, 0, 5 * sizeof(c[0]));
    for (size_t i = 0; i < res->n; i++) {
        if ((unsigned)res->checks[i].status < 5) {
            c[res->checks[i].status]++;
        }
    }
}

static const char *
root_text(const struct verify_ctx *x, const struct snp_verify_result *res)
{
    return res->root_overridden ? x->root_path : "AMD ARK (pinned fingerprint)";
}

static void
human_full(const struct verify_ctx *x, const char *path, const struct snp_verify_result *res)
{
    enum verdict v = verdict_of(res);
    char at[40];
    size_t c[5];

    count(res, c);
    fmt_time(at, sizeof(at), x->opts.at);
    printf("%s  %s\n", verdict_text(v), path);
    printf("  %-12s %s\n", "product",
           res->product != SNP_PRODUCT_UNKNOWN ? snp_product_name(res->product) : "unknown");
    printf("  %-12s %s\n", "signing key", snp_signing_key_name(res->signing_key));
    printf("  %-12s %s%s\n", "root", res->root_overridden ? "OVERRIDDEN by --root " : "",
           root_text(x, res));
    printf("  %-12s %s%s\n", "at", at, x->at_text != NULL ? " (--at)" : " (now)");
    printf("  %-12s %zu pass, %zu FAIL, %zu warn, %zu skip, %zu ERROR\n", "checks", c[0], c[1],
           c[3], c[2], c[4]);
    for (size_t i = 0; i < res->n; i++) {
        const struct snp_check *k = &res->checks[i];
        printf("  %-5s %-36s ", snp_check_status_name(k->status), k->name);
        put_safe(stdout, k->detail);
        if (k->err != SNP_OK && (k->status == SNP_CHECK_FAIL || k->status == SNP_CHECK_ERROR)) {
            printf(" (%s)", snp_err_name(k->err));
        }
        fputc('\n', stdout);
    }
}

static void
human_line(const char *path, const struct snp_verify_result *res)
{
    enum verdict v = verdict_of(res);
    const struct snp_check *k = first_with(res, v == V_REJECTED ? SNP_CHECK_FAIL : SNP_CHECK_ERROR);

    printf("%-15s %s", verdict_text(v), path);
    if (v == V_VERIFIED) {
        printf("  (%s, %s, %zu checks)",
               res->product != SNP_PRODUCT_UNKNOWN ? snp_product_name(res->product) : "unknown",
               snp_signing_key_name(res->signing_key), res->n);
    } else if (k != NULL) {
        printf("  %s: ", k->name);
        put_safe(stdout, k->detail);
        printf(" (%s)", snp_err_name(k->err));
    }
    fputc('\n', stdout);
}

/* One snpkit.verify.v1 object; res NULL when the report could not even be read. */
static void
json_one(const struct verify_ctx *x, const char *path, const struct snp_verify_result *res, int rc,
         snp_err read_err, const char *ind)
{
    enum verdict v = res != NULL ? verdict_of(res) : (enum verdict)rc;
    snp_err e = res != NULL ? snp_verify_verdict(res) : read_err;
    char at[40];
    size_t c[5] = {0, 0, 0, 0, 0};

    if (res != NULL) {
        count(res, c);
    }
    fmt_time(at, sizeof(at), x->opts.at);
    printf("%s{\n%s  \"schema\": \"snpkit.verify.v1\",\n%s  \"file\": ", ind, ind, ind);
    json_safe(stdout, path);
    printf(",\n%s  \"verdict\": \"%s\",\n%s  \"exit_code\": %d,\n", ind, verdict_json(v), ind,
           (int)v);
    if (e == SNP_OK) {
        printf("%s  \"error\": null,\n", ind);
    } else {
        printf("%s  \"error\": {\"name\": \"%s\", \"message\": ", ind, snp_err_name(e));
        cli_json_str(stdout, snp_err_str(e));
        printf("},\n");
    }
    if (res != NULL && res->product != SNP_PRODUCT_UNKNOWN) {
        printf("%s  \"product\": \"%s\",\n", ind, snp_product_name(res->product));
    } else {
        printf("%s  \"product\": null,\n", ind);
    }
    if (res != NULL) {
        printf("%s  \"signing_key\": \"%s\",\n", ind, snp_signing_key_name(res->signing_key));
        printf("%s  \"root\": {\"overridden\": %s, \"source\": ", ind,
               res->root_overridden ? "true" : "false");
        json_safe(stdout, res->root_overridden ? x->root_path : "amd-pinned");
        printf("},\n");
    } else {
        printf("%s  \"signing_key\": null,\n%s  \"root\": null,\n", ind, ind);
    }
    printf("%s  \"verified_at\": \"%s\",\n", ind, at);
    printf("%s  \"counts\": {\"pass\": %zu, \"fail\": %zu, \"warn\": %zu, \"skip\": %zu, "
           "\"error\": %zu},\n",
           ind, c[0], c[1], c[3], c[2], c[4]);
    printf("%s  \"checks\": [", ind);
    for (size_t i = 0; res != NULL && i < res->n; i++) {
        const struct snp_check *k = &res->checks[i];
        printf("%s\n%s    {\"name\": ", i > 0 ? "," : "", ind);
        json_safe(stdout, k->name);
        printf(", \"status\": \"%s\", \"error\": ", status_json(k->status));
        if (k->err == SNP_OK) {
            printf("null");
        } else {
            printf("\"%s\"", snp_err_name(k->err));
        }
        printf(", \"detail\": ");
        json_safe(stdout, k->detail);
        printf("}");
    }
    printf("%s]\n%s}", res != NULL && res->n > 0 ? "\n" : "", ind);
}

/* ---- one report --------------------------------------------------------------------------- */

/*
 * Verify path into x->res. Returns 0/1/3; *read_err is set when the file could not be read or
 * is not report text (then x->res is not filled and the error line is already on stderr).
 */
static int
verify_one(struct verify_ctx *x, const char *path, snp_err *read_err)
{
    uint8_t *in = NULL;
    size_t in_len = 0;
    uint8_t bytes[2 * SNP_REPORT_SIZE];
    size_t n = 0;
    struct snp_collateral *bag = NULL;
    struct snp_kds_bundle kb;
    bool fetched = false;
    snp_err err;

    *read_err = cli_read_input(path, &in, &in_len);
    if (*read_err != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    *read_err = cli_report_bytes(path, x->in, in, in_len, bytes, sizeof(bytes), &n);
    free(in);
    if (*read_err != SNP_OK) {
        return CLI_EXIT_REJECTED;
    }
    if (n > sizeof(bytes)) {
        n = sizeof(bytes); /* still not 1184: the verifier's decode check says so */
    }
    err = bag_for_report(x, bytes, n, &bag, &kb, &fetched);
    if (err != SNP_OK) {
        cli_errorf(path, "%s (%s)", snp_err_str(err), snp_err_name(err));
        *read_err = err;
        if (bag != x->base) {
            snp_collateral_free(bag);
        }
        snp_kds_bundle_free(&kb);
        return CLI_EXIT_ENV;
    }
    memset(x->res, 0, sizeof(*x->res));
    (void)snp_verify_report(x->verifier, bytes, n, bag, &x->opts, &x->policy, x->res);
    if (fetched) {
        add_kds_notes(x->res, &kb);
    }
    for (size_t i = 0; i < x->n_coll; i++) {
        if (x->coll[i].err != SNP_OK) {
            /* Collateral is part of the evidence: a certificate that does not parse rejects. */
            snp_verify_add(x->res, "collateral.input", SNP_CHECK_FAIL, x->coll[i].err,
                           "%.160s: not a usable %s", x->coll[i].path,
                           x->coll[i].cert_table ? "certificate table" : "certificate or CRL");
        }
    }
    if (bag != x->base) {
        snp_collateral_free(bag);
    }
    snp_kds_bundle_free(&kb);
    return (int)verdict_of(x->res);
}

static int
run_files(struct verify_ctx *x, char **files, size_t nfiles)
{
    int worst = CLI_EXIT_OK;
    size_t tally[4] = {0, 0, 0, 0};
    bool many = nfiles > 1;

    if (x->json && many) {
        printf("{\n  \"schema\": \"snpkit.verify.batch.v1\",\n  \"results\": [\n");
    }
    for (size_t i = 0; i < nfiles; i++) {
        snp_err read_err = SNP_OK;
        int rc = verify_one(x, files[i], &read_err);
        bool have = read_err == SNP_OK;

        worst = rc > worst ? rc : worst;
        tally[rc == CLI_EXIT_OK ? 0 : rc == CLI_EXIT_REJECTED ? 1 : 2]++;
        if (x->json) {
            if (many || have) {
                json_one(x, files[i], have ? x->res : NULL, rc, read_err, many ? "    " : "");
                printf("%s\n", many && i + 1 < nfiles ? "," : "");
            }
        } else if (!many) {
            if (have) {
                human_full(x, files[i], x->res);
            }
        } else if (have && x->verbose) {
            human_full(x, files[i], x->res);
        } else if (have) {
            human_line(files[i], x->res);
        } else {
            printf("%-15s %s  (%s)\n", rc == CLI_EXIT_ENV ? "COULD NOT CHECK" : "REJECTED",
                   files[i], snp_err_name(read_err));
        }
    }
    if (x->json && many) {
        printf("  ],\n  \"summary\": {\"reports\": %zu, \"verified\": %zu, \"rejected\": %zu, "
               "\"could_not_check\": %zu, \"exit_code\": %d}\n}\n",
               nfiles, tally[0], tally[1], tally[2], worst);
    } else if (many) {
        printf("summary: %zu reports: %zu verified, %zu rejected, %zu could not check\n", nfiles,
               tally[0], tally[1], tally[2]);
    }
    return worst;
}

/* ---- options ------------------------------------------------------------------------------ */

enum {
    OPT_JSON = 256,
    OPT_BATCH,
    OPT_IN_FORMAT,
    OPT_AT,
    OPT_PRODUCT,
    OPT_ROOT,
    OPT_CERTS,
    OPT_CERT_TABLE,
    OPT_VCEK,
    OPT_CHAIN,
    OPT_CRL,
    OPT_CRL_MODE,
    OPT_POLICY,
    OPT_STORE,
    OPT_OFFLINE,
    OPT_KDS,
    OPT_STRICT_PI,
    OPT_ALLOW_UNSIGNED,
};

static const struct option base_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"verbose", no_argument, NULL, 'v'},
    {"json", no_argument, NULL, OPT_JSON},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"in-format", required_argument, NULL, OPT_IN_FORMAT},
    {"at", required_argument, NULL, OPT_AT},
    {"product", required_argument, NULL, OPT_PRODUCT},
    {"root", required_argument, NULL, OPT_ROOT},
    {"certs", required_argument, NULL, OPT_CERTS},
    {"cert-table", required_argument, NULL, OPT_CERT_TABLE},
    {"vcek", required_argument, NULL, OPT_VCEK},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"crl", required_argument, NULL, OPT_CRL},
    {"crl-mode", required_argument, NULL, OPT_CRL_MODE},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"store", required_argument, NULL, OPT_STORE},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"kds", required_argument, NULL, OPT_KDS},
    {"strict-platform-info", no_argument, NULL, OPT_STRICT_PI},
    {"allow-unsigned", no_argument, NULL, OPT_ALLOW_UNSIGNED},
};
#define N_BASE_OPTS (sizeof(base_opts) / sizeof(base_opts[0]))

/* A collateral option remembered until the bag exists. */
struct coll_arg {
    int opt;
    const char *val;
};

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
bad_usage(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "snpkit: verify: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'snpkit verify --help')\n");
    return CLI_EXIT_USAGE;
}

/* Parse the command line into x; collateral options into ca[], the batch dir into *batch. */
static int
parse_args(struct verify_ctx *x, int argc, char **argv, struct coll_arg *ca, size_t *nca,
           const char **batch)
{
    size_t nkeys = 0;
    struct option *lo;
    int c;

    while (snp_verify_policy_keys[nkeys].name != NULL) {
        nkeys++;
    }
    lo = calloc(N_BASE_OPTS + nkeys + 1, sizeof(*lo));
    if (lo == NULL) {
        cli_errorf(NULL, "out of memory");
        return CLI_EXIT_ENV;
    }
    memcpy(lo, base_opts, sizeof(base_opts));
    for (size_t i = 0; i < nkeys; i++) {
        lo[N_BASE_OPTS + i].name = snp_verify_policy_keys[i].name;
        lo[N_BASE_OPTS + i].has_arg =
            snp_verify_policy_keys[i].takes_value ? required_argument : optional_argument;
        lo[N_BASE_OPTS + i].val = OPT_KEY_BASE + (int)i;
    }
    int rc = CLI_EXIT_OK;
    optind = 1;
    opterr = 0;
    while (rc == CLI_EXIT_OK && (c = getopt_long(argc, argv, ":hv", lo, NULL)) != -1) {
        if (c >= OPT_KEY_BASE) {
            if (x->n_pflags >= MAX_PFLAGS) {
                rc = bad_usage("more than %d policy flags", MAX_PFLAGS);
                break;
            }
            x->pflag_key[x->n_pflags] = snp_verify_policy_keys[c - OPT_KEY_BASE].name;
            x->pflag_val[x->n_pflags++] = optarg;
            continue;
        }
        switch (c) {
        case 'h':
            verify_usage(stdout);
            free(lo);
            return -1;
        case 'v':
            x->verbose = true;
            break;
        case OPT_JSON:
            x->json = true;
            break;
        case OPT_BATCH:
            *batch = optarg;
            break;
        case OPT_IN_FORMAT:
            if (strcmp(optarg, "auto") == 0) {
                x->in = CLI_IN_AUTO;
            } else if (strcmp(optarg, "bin") == 0) {
                x->in = CLI_IN_BIN;
            } else if (strcmp(optarg, "hex") == 0) {
                x->in = CLI_IN_HEX;
            } else if (strcmp(optarg, "base64") == 0) {
                x->in = CLI_IN_B64;
            } else {
                rc = bad_usage("--in-format '%s': want auto, bin, hex or base64", optarg);
            }
            break;
        case OPT_AT:
            if (!parse_rfc3339(optarg, &x->opts.at)) {
                rc = bad_usage("--at '%s' is not an RFC 3339 time (2026-06-01T00:00:00Z)", optarg);
            }
            x->at_text = optarg;
            break;
        case OPT_PRODUCT:
            if (snp_product_parse(optarg, &x->opts.product) != SNP_OK) {
                rc = bad_usage("--product '%s': want milan, genoa (siena, bergamo) or turin",
                               optarg);
            }
            break;
        case OPT_ROOT:
            x->root_path = optarg;
            break;
        case OPT_CERTS:
        case OPT_CERT_TABLE:
        case OPT_VCEK:
        case OPT_CHAIN:
        case OPT_CRL:
            ca[*nca].opt = c;
            ca[(*nca)++].val = optarg;
            break;
        case OPT_CRL_MODE:
            if (strcmp(optarg, "warn") == 0) {
                x->opts.crl = SNP_CRL_WARN;
            } else if (strcmp(optarg, "require") == 0) {
                x->opts.crl = SNP_CRL_REQUIRE;
            } else if (strcmp(optarg, "skip") == 0) {
                x->opts.crl = SNP_CRL_SKIP;
            } else {
                rc = bad_usage("--crl-mode '%s': want require, warn or skip", optarg);
            }
            break;
        case OPT_POLICY:
            x->policy_path = optarg;
            break;
        case OPT_STORE:
            x->kds.store_dir = optarg;
            break;
        case OPT_OFFLINE:
            x->kds.offline = true;
            break;
        case OPT_KDS:
            x->kds.base_url = optarg;
            break;
        case OPT_STRICT_PI:
            x->opts.strict_platform_info = true;
            break;
        case OPT_ALLOW_UNSIGNED:
            x->opts.allow_unsigned = true;
            break;
        case ':':
            rc = bad_usage("%s needs a value", argv[optind - 1]);
            break;
        default:
            rc = bad_usage("unknown option '%s'", argv[optind - 1]);
            break;
        }
    }
    free(lo);
    return rc;
}

/* Policy: defaults, then the file, then the flags in command-line order. */
static int
build_policy(struct verify_ctx *x)
{
    char eb[256];
    uint8_t *buf = NULL;
    size_t len = 0;
    snp_err err;

    snp_verify_policy_default(&x->policy);
    if (x->policy_path != NULL) {
        if (cli_read_input(x->policy_path, &buf, &len) != SNP_OK) {
            return CLI_EXIT_ENV;
        }
        err = snp_verify_policy_parse_json(&x->policy, (const char *)buf, len, eb, sizeof(eb));
        free(buf);
        if (err != SNP_OK) {
            cli_errorf(x->policy_path, "%s (%s)", eb, snp_err_name(err));
            return err == SNP_E_NOMEM ? CLI_EXIT_ENV : CLI_EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < x->n_pflags; i++) {
        err = snp_verify_policy_set(&x->policy, x->pflag_key[i], x->pflag_val[i], eb, sizeof(eb));
        if (err != SNP_OK) {
            fprintf(stderr, "snpkit: verify: --%s (%s)\n", eb, snp_err_name(err));
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

static void
ctx_free(struct verify_ctx *x)
{
    for (size_t i = 0; i < x->n_coll; i++) {
        free(x->coll[i].path);
        free(x->coll[i].buf);
    }
    free(x->coll);
    free(x->root_buf);
    free(x->res);
    snp_collateral_free(x->base);
    snp_verifier_free(x->verifier);
}

int
cmd_verify(int argc, char **argv)
{
    struct verify_ctx *x = calloc(1, sizeof(*x));
    struct coll_arg *ca = calloc((size_t)argc + 1, sizeof(*ca));
    size_t nca = 0;
    const char *batch = NULL;
    char **files = NULL;
    size_t nfiles = 0;
    char **listed = NULL;
    int rc;

    if (x == NULL || ca == NULL) {
        cli_errorf(NULL, "out of memory");
        free(x);
        free(ca);
        return CLI_EXIT_ENV;
    }
    snp_verify_opts_init(&x->opts);
    rc = parse_args(x, argc, argv, ca, &nca, &batch);
    if (rc != CLI_EXIT_OK) {
        rc = rc < 0 ? CLI_EXIT_OK : rc; /* -1: --help */
        goto out;
    }
    if ((batch == NULL) == (optind >= argc)) {
        rc = bad_usage("%s", batch == NULL ? "no report FILE given"
                                           : "give FILE... or --batch DIR, not both");
        goto out;
    }
    rc = build_policy(x);
    if (rc != CLI_EXIT_OK) {
        goto out;
    }
    if (x->opts.at == 0) {
        x->opts.at = time(NULL); /* pinned once, so every report is judged at the same time */
    }
    if (x->root_path != NULL) {
        if (cli_read_input(x->root_path, &x->root_buf, &x->opts.root_len) != SNP_OK) {
            rc = CLI_EXIT_ENV;
            goto out;
        }
        x->opts.root = x->root_buf;
    }
    x->res = malloc(sizeof(*x->res));
    if (x->res == NULL || snp_collateral_new(&x->base) != SNP_OK ||
        snp_verifier_new(&x->verifier) != SNP_OK) {
        cli_errorf(NULL, "out of memory");
        rc = CLI_EXIT_ENV;
        goto out;
    }
    for (size_t i = 0; i < nca; i++) {
        rc = ca[i].opt == OPT_CERTS ? coll_dir(x, ca[i].val)
                                    : coll_push(x, ca[i].val, ca[i].opt == OPT_CERT_TABLE, false);
        if (rc != CLI_EXIT_OK) {
            goto out;
        }
    }
    if (batch != NULL) {
        rc = list_dir(batch, &listed, &nfiles);
        if (rc != CLI_EXIT_OK) {
            goto out;
        }
        if (nfiles == 0) {
            cli_errorf(batch, "no report files in the directory");
            rc = CLI_EXIT_ENV;
            goto out;
        }
        files = listed;
    } else {
        files = argv + optind;
        nfiles = (size_t)(argc - optind);
    }
    rc = run_files(x, files, nfiles);
out:
    free_list(listed, nfiles);
    ctx_free(x);
    free(x);
    free(ca);
    return rc;
}
