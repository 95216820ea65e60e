/*
 * cli/cmd_attack.c - `snpkit attack list | run ID|all`: the threat model (THREAT-MODEL.md) and
 * the published attacks (attacks.md) run by a hostile hypervisor against the simulated
 * platform (snpkit/attack.h, docs/attacks.md). Glue only: the scenarios observe, the runner
 * compares, this file prints. Exit codes: 0 every observed outcome was the expected one; 1 at
 * least one differed; 2 usage; 3 environment (vendor state for the verifier).
 */
#include "attack_verifier.h"
#include "cli.h"

#include "guest/app.h"
#include "snpkit/attack.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void
attack_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit attack list [--json]\n"
            "       snpkit attack run ID|all [--profile plain|snp|snp-patched] [--json] [--trace]\n"
            "\n"
            "list  the scenarios: id, claim or paper, attacker capability (H1-H7 of the threat\n"
            "      model), the expected outcome per profile and the defence\n"
            "run   stage each scenario on a fresh simulated machine per profile and compare what\n"
            "      it observed (bytes read, fault, firmware status, guest reaction, verifier\n"
            "      verdict) with what is expected\n"
            "  --profile P  only this profile (default: every profile a scenario declares)\n"
            "  --json       one JSON object per line and profile (id, profile, expected,\n"
            "               observed, match, evidence, declared); a profile the scenario does\n"
            "               not declare: \"declared\":false, expected/observed/match null\n"
            "  --trace      the steps: what the hypervisor did, what the hardware, firmware,\n"
            "               guest and verifier answered\n"
            "profiles: plain (SEV off), snp (SEV-SNP, default TCB), snp-patched (with the\n"
            "          CacheWarp microcode fix, ucode SPL %u: a placeholder, AMD's is not public)\n"
            "outcomes: SUCCEEDED BLOCKED_HW REJECTED_FW DETECTED_GUEST DETECTED_VERIFIER\n"
            "          ALLOWED_DOS BLOCKED_GUEST (the guest's own TLS left only ciphertext)\n"
            "          NOT_RUN ('-': profile not declared; 'n/a': not available)\n"
            "exit: 0 all as expected, 1 a scenario observed another outcome, 2 usage, 3 env\n",
            (unsigned)SNP_ATK_FIX_CACHEWARP_UCODE_GENOA);
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
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20) {
            printf("\\u%04x", ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

static const char *
cell(const struct snp_atk_scenario *s, enum snp_atk_profile p)
{
    if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
        return "-";
    }
    return short_outcome(s->expect[p]);
}

/* Widths of the human tables: the longest cell of each column, header included. */
struct widths {
    int id, cap, ref, cell;
};

static int
max_int(int a, int b)
{
    return a > b ? a : b;
}

static int
str_width(const char *s)
{
    return (int)strlen(s);
}

/* Every cell `run` may print: an outcome, with " (!)" on a mismatch, '-', '.', "n/a". */
static int
run_cell_width(void)
{
    int w = str_width("n/a");

    for (int o = 0; o < SNP_ATK_OUTCOMES; o++) {
        w = max_int(w, str_width(short_outcome((enum snp_atk_outcome)o)) + str_width(" (!)"));
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

static int
attack_list(bool json)
{
    size_t n = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);
    struct widths w = scenario_widths(s, n, NULL);

    w.cell = max_int(str_width("SNP PATCHED"), max_int(str_width("PLAIN VM"), str_width("-")));
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            w.cell = max_int(w.cell, str_width(cell(s[i], (enum snp_atk_profile)p)));
        }
    }
    if (!json) {
        printf("%-*s %-*s %-*s %-*s %-*s %-*s %s\n", w.id, "SCENARIO", w.cap, "CAP", w.ref,
               "CLAIM/PAPER", w.cell, "PLAIN VM", w.cell, "SNP VM", w.cell, "SNP PATCHED",
               "DEFENCE");
    }
    for (size_t i = 0; i < n; i++) {
        if (json) {
            printf("{\"id\":");
            json_str(s[i]->id);
            printf(",\"title\":");
            json_str(s[i]->title);
            printf(",\"ref\":");
            json_str(s[i]->ref);
            printf(",\"capability\":");
            json_str(s[i]->cap);
            printf(",\"condition\":");
            json_str(s[i]->condition);
            printf(",\"defence\":");
            json_str(s[i]->defence);
            printf(",\"expected\":{");
            for (int p = 0, first = 1; p < SNP_ATK_PROFILES; p++) {
                if ((s[i]->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
                    continue;
                }
                printf("%s\"%s\":\"%s\"", first ? "" : ",",
                       snp_atk_profile_name((enum snp_atk_profile)p),
                       snp_atk_outcome_name(s[i]->expect[p]));
                first = 0;
            }
            printf("}}\n");
        } else {
            printf("%-*s %-*s %-*s %-*s %-*s %-*s %s\n", w.id, s[i]->id, w.cap, s[i]->cap, w.ref,
                   s[i]->ref, w.cell, cell(s[i], SNP_ATK_PLAIN), w.cell, cell(s[i], SNP_ATK_SNP),
                   w.cell, cell(s[i], SNP_ATK_SNP_PATCHED), s[i]->defence);
        }
    }
    return 0;
}

static void
on_trace(void *ctx, enum snp_atk_actor who, const char *line)
{
    (void)ctx;
    printf("  %-10s %s\n", snp_atk_actor_name(who), line);
}

/*
 * The JSON line of a profile that was not run: the scenario does not declare it ("declared":
 * false) or this build cannot stage it ("available": false). expected/observed/match are null,
 * so no consumer mistakes the line for a result.
 */
static void
json_not_run(const struct snp_atk_scenario *s, enum snp_atk_profile p, bool declared)
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
    printf(",\"declared\":%s%s}\n", declared ? "true" : "false",
           declared ? ",\"available\":false" : "");
}

/* One scenario on one profile; the printed cell; *bad on a mismatch. */
static snp_err
run_one(const struct snp_atk_scenario *s, enum snp_atk_profile p, const struct snp_atk_env *env,
        bool json, char *cellbuf, size_t size, bool *bad)
{
    struct snp_atk_result r;
    snp_err err;

    if ((s->profiles & SNP_ATK_PROFILE_BIT(p)) == 0) {
        snprintf(cellbuf, size, "-");
        if (json) {
            json_not_run(s, p, false);
        }
        return SNP_OK;
    }
    err = snp_atk_run(s, p, env, &r);
    if (err == SNP_E_UNSUPPORTED) {
        snprintf(cellbuf, size, "n/a");
        if (json) {
            json_not_run(s, p, true);
        }
        return SNP_OK;
    }
    SNP_TRY(err);
    if (!r.match) {
        *bad = true;
    }
    snprintf(cellbuf, size, "%s%s", short_outcome(r.observed.outcome), r.match ? "" : " (!)");
    if (json) {
        printf("{\"id\":");
        json_str(s->id);
        printf(",\"profile\":\"%s\",\"expected\":\"%s\",\"observed\":\"%s\",\"match\":%s,"
               "\"evidence\":",
               snp_atk_profile_name(p), snp_atk_outcome_name(r.expected),
               snp_atk_outcome_name(r.observed.outcome), r.match ? "true" : "false");
        json_str(r.observed.evidence);
        printf(",\"declared\":true}\n");
    } else if (!r.match || env->trace != NULL) {
        printf("  %s on %s: expected %s, observed %s: %s\n", s->id, snp_atk_profile_name(p),
               snp_atk_outcome_name(r.expected), snp_atk_outcome_name(r.observed.outcome),
               r.observed.evidence);
    }
    return SNP_OK;
}

static int
attack_run(const char *which, bool have_profile, enum snp_atk_profile only, bool json, bool trace)
{
    struct atk_verifier ver;
    struct snp_atk_env env;
    size_t n = 0, mism = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);
    snp_err err;
    int rc = 0;

    const struct snp_atk_scenario *one = NULL;
    struct widths w = scenario_widths(s, n, which);

    w.cell = max_int(run_cell_width(), str_width("SNP PATCHED"));
    if (strcmp(which, "all") != 0) {
        one = snp_atk_find(which);
        if (one == NULL) {
            cli_errorf(NULL, "unknown scenario '%s' (see 'snpkit attack list')", which);
            return 2;
        }
        if (have_profile && (one->profiles & SNP_ATK_PROFILE_BIT(only)) == 0) {
            char decl[64];

            declared_profiles(one, decl, sizeof(decl));
            cli_errorf(NULL, "%s does not run on profile %s (declared: %s)", one->id,
                       snp_atk_profile_name(only), decl);
            return 2;
        }
    }
    err = atk_verifier_open(&ver);
    if (err != SNP_OK) {
        cli_errorf(NULL, "the verifier's vendor state: %s", snp_err_str(err));
        atk_verifier_close(&ver);
        return 3;
    }
    memset(&env, 0, sizeof(env));
    env.guest = snp_guest_app_main;
    env.verify = atk_verifier_cb;
    env.verify_ctx = &ver;
    env.sign = atk_sign_cb;
    env.sign_ctx = &ver;
    env.verify_certs = atk_verifier_certs_cb;
    env.forge = atk_forge_cb;
    env.forge_ctx = &ver;
    env.guest_atls = snp_atls_guest_main;
    env.tls = atk_tls_cb;
    env.tls_ctx = &ver;
    env.trace = trace && !json ? on_trace : NULL;
    if (!json) {
        printf("%-*s %-*s %-*s %-*s %-*s %s\n", w.id, "SCENARIO", w.cap, "CAP", w.cell, "PLAIN VM",
               w.cell, "SNP VM", w.cell, "SNP PATCHED", "DEFENCE");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c[SNP_ATK_PROFILES][40];
        bool bad = false;

        if (strcmp(which, "all") != 0 && strcmp(which, s[i]->id) != 0) {
            continue;
        }
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            snprintf(c[p], sizeof(c[p]), "%s", have_profile && p != (int)only ? "." : "-");
            if (have_profile && p != (int)only) {
                continue;
            }
            err = run_one(s[i], (enum snp_atk_profile)p, &env, json, c[p], sizeof(c[p]), &bad);
            if (err != SNP_OK) {
                cli_errorf(NULL, "%s: %s", s[i]->id, snp_err_str(err));
                rc = 3;
                break;
            }
        }
        mism += bad;
        if (!json) {
            printf("%-*s %-*s %-*s %-*s %-*s %s\n", w.id, s[i]->id, w.cap, s[i]->cap, w.cell,
                   c[SNP_ATK_PLAIN], w.cell, c[SNP_ATK_SNP], w.cell, c[SNP_ATK_SNP_PATCHED],
                   s[i]->defence);
        }
    }
    atk_verifier_close(&ver);
    if (rc != 0) {
        return rc;
    }
    if (!json) {
        printf("%zu scenario(s) differed from the expected outcome%s\n", mism,
               mism != 0 ? " (marked (!))" : "");
    }
    return mism != 0 ? 1 : 0;
}

int
cmd_attack(int argc, char **argv)
{
    enum { O_HELP = 'h', O_JSON = 0x100, O_TRACE, O_PROFILE };
    static const struct option opts[] = {
        {"help", no_argument, NULL, O_HELP},
        {"json", no_argument, NULL, O_JSON},
        {"trace", no_argument, NULL, O_TRACE},
        {"profile", required_argument, NULL, O_PROFILE},
        {NULL, 0, NULL, 0},
    };
    enum snp_atk_profile prof = SNP_ATK_SNP;
    bool json = false, trace = false, have_profile = false;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_HELP:
            attack_usage(stdout);
            return 0;
        case O_JSON:
            json = true;
            break;
        case O_TRACE:
            trace = true;
            break;
        case O_PROFILE:
            if (snp_atk_profile_parse(optarg, &prof) != SNP_OK) {
                cli_errorf(NULL, "--profile: unknown profile '%s' (plain, snp, snp-patched)",
                           optarg);
                return 2;
            }
            have_profile = true;
            break;
        default:
            fprintf(stderr, "see 'snpkit attack --help'\n");
            return 2;
        }
    }
    if (optind < argc && strcmp(argv[optind], "list") == 0 && optind + 1 == argc) {
        return attack_list(json);
    }
    if (optind + 2 == argc && strcmp(argv[optind], "run") == 0) {
        return attack_run(argv[optind + 1], have_profile, prof, json, trace);
    }
    attack_usage(stderr);
    return 2;
}
