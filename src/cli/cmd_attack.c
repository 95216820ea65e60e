/*
 * cli/cmd_attack.c - `snpkit attack list | run ID|all`: the threat model (THREAT-MODEL.md) and
 * the published attacks (attacks.md) run by a hostile hypervisor against the simulated
 * platform (snpkit/attack.h, docs/attacks.md). Glue only: the scenarios observe, the runner
 * compares, this file prints. Exit codes: 0 every observed outcome was the expected one; 1 at
 * least one differed; 2 usage; 3 environment (vendor state for the verifier).
 *
 * The human tables fit the terminal (its width when stdout is one, 120 columns otherwise, so
 * piped output does not depend on the window): DEFENCE, and in `list` CLAIM/PAPER, are cut
 * with "..."; --wide prints them whole.
 */
#include "attack_verifier.h"
#include "cli.h"

#include "guest/app.h"
#include "snpkit/attack.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ATTACK_PIPE_WIDTH 120 /* columns of the table when stdout is not a terminal */
#define ATTACK_MIN_FLEX   10  /* a cut column keeps at least this many */
#define ATTACK_MISMATCH   "!" /* appended to a cell whose observed outcome was not expected */

struct attack_opts {
    bool json, trace, wide, have_profile;
    enum snp_atk_profile only;
    unsigned mutations; /* --without: SNP_MUT_* */
    char without[128];  /* "rmp-gpa-check, greq-seqno": the names, in the order given */
    int width;          /* columns of the human table; 0: unlimited (--wide) */
};

static void
attack_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit attack list [--json | --wide]\n"
            "       snpkit attack run ID|all [--profile plain|snp|snp-patched] [--json | --wide]\n"
            "                                [--trace] [--without PROTECTION]...\n"
            "\n"
            "list  the scenarios: id, claim or paper, attacker capability (H1-H7 of the threat\n"
            "      model), the expected outcome per profile and the defence\n"
            "run   stage each scenario on a fresh simulated machine per profile and compare what\n"
            "      it observed (bytes read, fault, firmware status, guest reaction, verifier\n"
            "      verdict) with what is expected\n"
            "  --profile P  only this profile (default: every profile a scenario declares). With\n"
            "               'all', a scenario that does not declare P is shown '-' (JSON:\n"
            "               \"declared\":false); a single ID with a profile it does not declare\n"
            "               is a usage error (exit 2), in the table and in JSON alike\n"
            "  --json       one JSON object per line and profile (id, profile, expected,\n"
            "               observed, match, evidence, declared); without --profile, a profile\n"
            "               the scenario does not declare: \"declared\":false, expected/observed/\n"
            "               match null\n"
            "  --trace      the steps: what the hypervisor did, what the hardware, firmware,\n"
            "               guest and verifier answered; with --json each step is a line of its\n"
            "               own, {\"trace\":..., \"actor\":..., \"id\":..., \"profile\":...}\n"
            "  --wide       print the table's DEFENCE and CLAIM/PAPER columns whole (default:\n"
            "               cut with \"...\" to the terminal's width, %d columns when stdout is\n"
            "               not a terminal)\n"
            "  --without PROTECTION\n"
            "               build every machine as a deliberately broken chip without this\n"
            "               protection (repeatable): rmp-gpa-check, vmsa-sealing,\n"
            "               host-write-rmp, memory-encryption, greq-seqno. The expected outcomes\n"
            "               stay the genuine chip's, so the scenarios that depend on it differ\n"
            "               (exit 1); the output says \"(broken chip: without ...)\"\n"
            "profiles: plain (SEV off), snp (SEV-SNP, default TCB), snp-patched (with the\n"
            "          CacheWarp microcode fix, ucode SPL %u: a placeholder, AMD's is not public)\n"
            "outcomes: SUCCEEDED BLOCKED_HW REJECTED_FW DETECTED_GUEST DETECTED_VERIFIER\n"
            "          ALLOWED_DOS BLOCKED_GUEST (the guest's own TLS left only ciphertext)\n"
            "          NOT_RUN (could not be staged; shown 'NOT RUN')\n"
            "cells:    an outcome ('succeeds', 'blocked:hw', ...); with '" ATTACK_MISMATCH
            "' appended: observed,\n"
            "          but not the expected one; '-' profile not declared by the scenario;\n"
            "          '.' profile not selected (--profile); 'n/a' not available in this build\n"
            "exit: 0 all as expected, 1 a scenario observed another outcome, 2 usage, 3 env\n",
            ATTACK_PIPE_WIDTH, (unsigned)SNP_ATK_FIX_CACHEWARP_UCODE_GENOA);
}

static const char *
short_outcome(enum snp_atk_outcome o)
{
    switch (o) {
    case SNP_ATK_SUCCEEDED:
        return "succeeds";
    case SNP_ATK_BLOCKED_HW:
        return "blocked:hw";
    case SNP_ATK_REJECTED_FW:
        return "rejected:fw";
    case SNP_ATK_DETECTED_GUEST:
        return "detected:guest";
    case SNP_ATK_DETECTED_VERIFIER:
        return "detected:verifier";
    case SNP_ATK_ALLOWED_DOS:
        return "allowed:dos";
    case SNP_ATK_NOT_RUN:
        return "NOT RUN";
    case SNP_ATK_BLOCKED_GUEST:
        return "blocked:guest";
    }
    return "?";
}

static void
json_str(const char *s)
{
    cli_json_str(stdout, s);
}

static const char *
cell(const struct snp_atk_scenario *s, enum snp_atk_profile p)
{
    if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
        return "-";
    }
    return short_outcome(s->expect[p]);
}

/* ---- the human table -------------------------------------------------------------------- */

/* Widths of the human tables: the longest cell of each column, header included. */
struct widths {
    int id, cap, ref, cell;
};

static int
max_int(int a, int b)
{
    return a > b ? a : b;
}

/* Display columns of UTF-8 @s: its code points (every byte that does not continue one). */
static int
str_width(const char *s)
{
    int w = 0;

    for (; *s != '\0'; s++) {
        w += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return w;
}

/*
 * Print @s as a column of @w display columns followed by one space, or, for the @last column,
 * without padding and with the newline. Longer text is cut to w columns ending in "..." (at a
 * code point boundary); @w < 0: never cut.
 */
static void
put_col(const char *s, int w, bool last)
{
    int len = str_width(s);

    if (w >= 0 && len > w) {
        int keep = w > 3 ? w - 3 : 0, n = 0;
        const char *p = s;

        while (*p != '\0' && (n < keep || ((unsigned char)*p & 0xC0) == 0x80)) {
            n += ((unsigned char)*p & 0xC0) != 0x80;
            p++;
        }
        /* no blank before the dots */
        while (p > s && p[-1] == ' ') {
            p--;
        }
        printf("%.*s...", (int)(p - s), s);
        len = str_width(s) - str_width(p) + 3;
    } else {
        fputs(s, stdout);
    }
    if (last) {
        putchar('\n');
    } else {
        printf("%*s ", w > len ? w - len : 0, "");
    }
}

/* Every cell `run` may print: an outcome, with ATTACK_MISMATCH on a mismatch, '-', '.', "n/a". */
static int
run_cell_width(void)
{
    int w = max_int(str_width("n/a"), str_width("SNP PATCHED"));

    for (int o = 0; o < SNP_ATK_OUTCOMES; o++) {
        w = max_int(w,
                    str_width(short_outcome((enum snp_atk_outcome)o)) + str_width(ATTACK_MISMATCH));
    }
    return w;
}

/* The id and capability (and claim/paper) widths over the scenarios @which selects. */
static struct widths
scenario_widths(const struct snp_atk_scenario *const *s, size_t n, const char *which)
{
    struct widths w = {str_width("SCENARIO"), str_width("CAP"), str_width("CLAIM/PAPER"), 0};

    for (size_t i = 0; i < n; i++) {
        if (which != NULL && strcmp(which, "all") != 0 && strcmp(which, s[i]->id) != 0) {
            continue;
        }
        w.id = max_int(w.id, str_width(s[i]->id));
        w.cap = max_int(w.cap, str_width(s[i]->cap));
        w.ref = max_int(w.ref, str_width(s[i]->ref));
    }
    return w;
}

/*
 * The columns left for the last (DEFENCE) column after @fixed columns (separators included)
 * in a table @width wide; -1 (never cut) for --wide.
 */
static int
flex_width(int width, int fixed)
{
    return width == 0 ? -1 : max_int(ATTACK_MIN_FLEX, width - fixed);
}

/* The width the table is cut to: the terminal's, ATTACK_PIPE_WIDTH when stdout is none. */
static int
table_width(bool wide)
{
    struct winsize ws;

    if (wide) {
        return 0;
    }
    memset(&ws, 0, sizeof(ws));
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        return ws.ws_col;
    }
    return ATTACK_PIPE_WIDTH;
}

/* "plain, snp" - the profiles @s declares. */
static void
declared_profiles(const struct snp_atk_scenario *s, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int p = 0; p < SNP_ATK_PROFILES && len < size; p++) {
        if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
            continue;
        }
        int k = snprintf(buf + len, size - len, "%s%s", len != 0 ? ", " : "",
                         snp_atk_profile_name((enum snp_atk_profile)p));
        if (k < 0) {
            break;
        }
        len += (size_t)k;
    }
    if (buf[0] == '\0') {
        snprintf(buf, size, "none");
    }
}

/* ---- list ------------------------------------------------------------------------------- */

static void
list_json(const struct snp_atk_scenario *s)
{
    printf("{\"id\":");
    json_str(s->id);
    printf(",\"title\":");
    json_str(s->title);
    printf(",\"ref\":");
    json_str(s->ref);
    printf(",\"capability\":");
    json_str(s->cap);
    printf(",\"condition\":");
    json_str(s->condition);
    printf(",\"defence\":");
    json_str(s->defence);
    printf(",\"expected\":{");
    for (int p = 0, first = 1; p < SNP_ATK_PROFILES; p++) {
        if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
            continue;
        }
        printf("%s\"%s\":\"%s\"", first ? "" : ",", snp_atk_profile_name((enum snp_atk_profile)p),
               snp_atk_outcome_name(s->expect[p]));
        first = 0;
    }
    printf("}}\n");
}

static int
attack_list(const struct attack_opts *o)
{
    size_t n = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);
    struct widths w = scenario_widths(s, n, NULL);
    int fixed, ref, def;

    if (o->json) {
        for (size_t i = 0; i < n; i++) {
            list_json(s[i]);
        }
        return 0;
    }
    w.cell = max_int(str_width("SNP PATCHED"), max_int(str_width("PLAIN VM"), str_width("-")));
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            w.cell = max_int(w.cell, str_width(cell(s[i], (enum snp_atk_profile)p)));
        }
    }
    /* CLAIM/PAPER and DEFENCE share what the fixed columns leave: the claim a third at most */
    fixed = w.id + 1 + w.cap + 1 + 3 * (w.cell + 1);
    ref = w.ref;
    if (o->width != 0) {
        ref = max_int(str_width("CLAIM/PAPER"), (o->width - fixed - 1) / 3);
        ref = ref < w.ref ? ref : w.ref;
    }
    def = flex_width(o->width, fixed + ref + 1);
    put_col("SCENARIO", w.id, false);
    put_col("CAP", w.cap, false);
    put_col("CLAIM/PAPER", ref, false);
    put_col("PLAIN VM", w.cell, false);
    put_col("SNP VM", w.cell, false);
    put_col("SNP PATCHED", w.cell, false);
    put_col("DEFENCE", def, true);
    for (size_t i = 0; i < n; i++) {
        put_col(s[i]->id, w.id, false);
        put_col(s[i]->cap, w.cap, false);
        put_col(s[i]->ref, ref, false);
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            put_col(cell(s[i], (enum snp_atk_profile)p), w.cell, false);
        }
        put_col(s[i]->defence, def, true);
    }
    return 0;
}

/* ---- run -------------------------------------------------------------------------------- */

/* What the trace callback needs: the output form and the run it is in. */
struct trace_ctx {
    bool json;
    const char *id;
    enum snp_atk_profile profile;
};

static void
on_trace(void *ctx, enum snp_atk_actor who, const char *line)
{
    const struct trace_ctx *t = ctx;

    if (!t->json) {
        printf("  %-10s %s\n", snp_atk_actor_name(who), line);
        return;
    }
    printf("{\"trace\":");
    json_str(line);
    printf(",\"actor\":\"%s\",\"id\":", snp_atk_actor_name(who));
    json_str(t->id);
    printf(",\"profile\":\"%s\"}\n", snp_atk_profile_name(t->profile));
}

/* ,"chip":"broken chip: without ..." on every JSON line of a run with --without. */
static void
json_chip(const struct attack_opts *o)
{
    char buf[160];

    if (o->mutations == 0) {
        return;
    }
    snprintf(buf, sizeof(buf), "broken chip: without %s", o->without);
    printf(",\"chip\":");
    json_str(buf);
}

/*
 * The JSON line of a profile that was not run: the scenario does not declare it ("declared":
 * false) or this build cannot stage it ("available": false). expected/observed/match are null,
 * so no consumer mistakes the line for a result.
 */
static void
json_not_run(const struct attack_opts *o, const struct snp_atk_scenario *s, enum snp_atk_profile p,
             bool declared)
{
    char decl[64], why[96];

    printf("{\"id\":");
    json_str(s->id);
    printf(",\"profile\":\"%s\",\"expected\":", snp_atk_profile_name(p));
    if (declared) {
        printf("\"%s\"", snp_atk_outcome_name(s->expect[p]));
        snprintf(why, sizeof(why), "not available in this build");
    } else {
        printf("null");
        declared_profiles(s, decl, sizeof(decl));
        snprintf(why, sizeof(why), "not declared (declared: %s)", decl);
    }
    printf(",\"observed\":null,\"match\":null,\"evidence\":");
    json_str(why);
    printf(",\"declared\":%s%s", declared ? "true" : "false",
           declared ? ",\"available\":false" : "");
    json_chip(o);
    printf("}\n");
}

/* One scenario on one profile; the printed cell; *bad on a mismatch. */
static snp_err
run_one(const struct attack_opts *o, const struct snp_atk_scenario *s, enum snp_atk_profile p,
        struct snp_atk_env *env, char *cellbuf, size_t size, bool *bad)
{
    struct trace_ctx *t = env->trace_ctx;
    struct snp_atk_result r;
    snp_err err;

    if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
        snprintf(cellbuf, size, "-");
        if (o->json) {
            json_not_run(o, s, p, false);
        }
        return SNP_OK;
    }
    t->id = s->id;
    t->profile = p;
    err = snp_atk_run(s, p, env, &r);
    if (err == SNP_E_UNSUPPORTED) {
        snprintf(cellbuf, size, "n/a");
        if (o->json) {
            json_not_run(o, s, p, true);
        }
        return SNP_OK;
    }
    SNP_TRY(err);
    if (!r.match) {
        *bad = true;
    }
    snprintf(cellbuf, size, "%s%s", short_outcome(r.observed.outcome),
             r.match ? "" : ATTACK_MISMATCH);
    if (o->json) {
        printf("{\"id\":");
        json_str(s->id);
        printf(",\"profile\":\"%s\",\"expected\":\"%s\",\"observed\":\"%s\",\"match\":%s,"
               "\"evidence\":",
               snp_atk_profile_name(p), snp_atk_outcome_name(r.expected),
               snp_atk_outcome_name(r.observed.outcome), r.match ? "true" : "false");
        json_str(r.observed.evidence);
        printf(",\"declared\":true");
        json_chip(o);
        printf("}\n");
    } else if (!r.match || o->trace) {
        printf("  %s on %s: expected %s, observed %s: %s\n", s->id, snp_atk_profile_name(p),
               snp_atk_outcome_name(r.expected), snp_atk_outcome_name(r.observed.outcome),
               r.observed.evidence);
    }
    return SNP_OK;
}

/* The env of a run: the real guest programs, the verifier, signer, forger and TLS client. */
static void
run_env(struct snp_atk_env *env, struct atk_verifier *ver, const struct attack_opts *o,
        struct trace_ctx *t)
{
    atk_env_init(env, ver);
    env->trace = o->trace ? on_trace : NULL;
    env->trace_ctx = t;
    env->mutations = o->mutations;
}

static int
attack_run(const char *which, const struct attack_opts *o)
{
    struct atk_verifier ver;
    struct snp_atk_env env;
    struct trace_ctx t = {o->json, "", SNP_ATK_SNP};
    size_t n = 0, mism = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);
    const struct snp_atk_scenario *one = NULL;
    struct widths w = scenario_widths(s, n, which);
    snp_err err;
    int rc = 0, def;

    w.cell = run_cell_width();
    def = flex_width(o->width, w.id + 1 + w.cap + 1 + 3 * (w.cell + 1));
    if (strcmp(which, "all") != 0) {
        one = snp_atk_find(which);
        if (one == NULL) {
            cli_errorf(NULL, "unknown scenario '%s' (see 'snpkit attack list')", which);
            return 2;
        }
        if (o->have_profile && (one->profiles & SNP_ATK_PROFILE_BIT(o->only)) == 0) {
            char decl[64];

            declared_profiles(one, decl, sizeof(decl));
            cli_errorf(NULL, "%s does not run on profile %s (declared: %s)", one->id,
                       snp_atk_profile_name(o->only), decl);
            return 2;
        }
    }
    err = atk_verifier_open(&ver);
    if (err != SNP_OK) {
        cli_errorf(NULL, "the verifier's vendor state: %s", snp_err_str(err));
        atk_verifier_close(&ver);
        return 3;
    }
    run_env(&env, &ver, o, &t);
    if (!o->json) {
        if (o->mutations != 0) {
            printf("(broken chip: without %s; expected outcomes are the genuine chip's)\n",
                   o->without);
        }
        put_col("SCENARIO", w.id, false);
        put_col("CAP", w.cap, false);
        put_col("PLAIN VM", w.cell, false);
        put_col("SNP VM", w.cell, false);
        put_col("SNP PATCHED", w.cell, false);
        put_col("DEFENCE", def, true);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c[SNP_ATK_PROFILES][40];
        bool bad = false;

        if (strcmp(which, "all") != 0 && strcmp(which, s[i]->id) != 0) {
            continue;
        }
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            snprintf(c[p], sizeof(c[p]), "%s", o->have_profile && p != (int)o->only ? "." : "-");
            if (o->have_profile && p != (int)o->only) {
                continue;
            }
            err = run_one(o, s[i], (enum snp_atk_profile)p, &env, c[p], sizeof(c[p]), &bad);
            if (err != SNP_OK) {
                cli_errorf(NULL, "%s: %s", s[i]->id, snp_err_str(err));
                rc = 3;
                break;
            }
        }
        mism += bad;
        if (!o->json && rc == 0) {
            put_col(s[i]->id, w.id, false);
            put_col(s[i]->cap, w.cap, false);
            for (int p = 0; p < SNP_ATK_PROFILES; p++) {
                put_col(c[p], w.cell, false);
            }
            put_col(s[i]->defence, def, true);
        }
    }
    atk_verifier_close(&ver);
    if (rc != 0) {
        return rc;
    }
    if (!o->json) {
        printf("%zu scenario(s) differed from the expected outcome%s", mism,
               mism != 0 ? " (marked " ATTACK_MISMATCH ")" : "");
        if (o->mutations != 0) {
            printf(" (broken chip: without %s)", o->without);
        }
        putchar('\n');
    }
    return mism != 0 ? 1 : 0;
}

/* ---- options ---------------------------------------------------------------------------- */

/* --without NAME: its bit into o->mutations, its name onto o->without. Prints the error. */
static bool
add_without(struct attack_opts *o, const char *name)
{
    unsigned bit = 0;
    size_t len = strlen(o->without);

    if (snp_atk_mutation_parse(name, &bit) != SNP_OK) {
        char all[128] = "";
        const char *nm = NULL;
        unsigned b = 0;

        for (size_t i = 0; snp_atk_mutation_at(i, &nm, &b) == SNP_OK; i++) {
            size_t k = strlen(all);
            snprintf(all + k, sizeof(all) - k, "%s%s", k != 0 ? ", " : "", nm);
        }
        cli_errorf(NULL, "--without: unknown protection '%s' (%s)", name, all);
        return false;
    }
    if ((o->mutations & bit) != 0) {
        return true;
    }
    o->mutations |= bit;
    snprintf(o->without + len, sizeof(o->without) - len, "%s%s", len != 0 ? ", " : "", name);
    return true;
}

int
cmd_attack(int argc, char **argv)
{
    enum { O_HELP = 'h', O_JSON = 0x100, O_TRACE, O_PROFILE, O_WIDE, O_WITHOUT };
    static const struct option opts[] = {
        {"help", no_argument, NULL, O_HELP},
        {"json", no_argument, NULL, O_JSON},
        {"trace", no_argument, NULL, O_TRACE},
        {"profile", required_argument, NULL, O_PROFILE},
        {"wide", no_argument, NULL, O_WIDE},
        {"without", required_argument, NULL, O_WITHOUT},
        {NULL, 0, NULL, 0},
    };
    struct attack_opts o;
    int c;

    memset(&o, 0, sizeof(o));
    o.only = SNP_ATK_SNP;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_HELP:
            attack_usage(stdout);
            return 0;
        case O_JSON:
            o.json = true;
            break;
        case O_TRACE:
            o.trace = true;
            break;
        case O_WIDE:
            o.wide = true;
            break;
        case O_PROFILE:
            if (snp_atk_profile_parse(optarg, &o.only) != SNP_OK) {
                cli_errorf(NULL, "--profile: unknown profile '%s' (plain, snp, snp-patched)",
                           optarg);
                return 2;
            }
            o.have_profile = true;
            break;
        case O_WITHOUT:
            if (!add_without(&o, optarg)) {
                return 2;
            }
            break;
        default:
            fprintf(stderr, "see 'snpkit attack --help'\n");
            return 2;
        }
    }
    if (o.json && o.wide) {
        cli_errorf(NULL, "--wide is for the table; --json lines are never cut");
        return 2;
    }
    o.width = table_width(o.wide);
    if (optind < argc && strcmp(argv[optind], "list") == 0 && optind + 1 == argc) {
        if (o.trace || o.have_profile || o.mutations != 0) {
            cli_errorf(NULL, "attack list: %s applies to 'attack run' only",
                       o.trace          ? "--trace"
                       : o.have_profile ? "--profile"
                                        : "--without");
            return 2;
        }
        return attack_list(&o);
    }
    if (optind + 2 == argc && strcmp(argv[optind], "run") == 0) {
        return attack_run(argv[optind + 1], &o);
    }
    attack_usage(stderr);
    return 2;
}
