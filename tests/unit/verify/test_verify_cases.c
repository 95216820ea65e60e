/*
 * tests/unit/verify/test_verify_cases.c - the generic runner of the verifier's data-driven cases
 * (STYLE.md §11.2): every row of ../shared/vectors/cases.tsv at its verification time, plus the
 * cases of cases.txt next to this file (negative cases of the manifest, CRLs, synthetic roots).
 *
 * Each case names its expected verdict and the named checks that must FAIL (or PASS, WARN,
 * SKIP), so a case that fails for the wrong reason fails the test.
 */
#include "helpers.h"

#include "crypto/x509.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES 256
#define MAX_MUT   8
#define VAL_MAX   512

struct mutation {
    char target[8]; /* report, vek, crl */
    long off;       /* negative: from the end */
    char op[4];     /* xor, add, set */
    unsigned val;
};

struct vcase {
    char name[64];
    char like[64];
    char report[VAL_MAX], vek[VAL_MAX], chain[VAL_MAX], crl[VAL_MAX], root[VAL_MAX];
    char at[32];
    char expected_tsv[16]; /* VALID / INVALID, from cases.tsv */
    char expect[32];
    char fail[VAL_MAX], pass[VAL_MAX], warn[VAL_MAX], skip[VAL_MAX];
    char add_err[32];
    char product[16];
    char crl_mode[16];
    bool policy, strict_platform, from_tsv, ran;
    struct mutation mut[MAX_MUT];
    size_t nmut;
};

static struct vcase cases[MAX_CASES];
static size_t ncases;

static struct vcase *
find_case(const char *name)
{
    for (size_t i = 0; i < ncases; i++) {
        if (strcmp(cases[i].name, name) == 0) {
            return &cases[i];
        }
    }
    return NULL;
}

static void
copy(char *dst, size_t cap, const char *src)
{
    assert_true(strlen(src) < cap);
    memcpy(dst, src, strlen(src) + 1);
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

static void
load_tsv(const char *dir)
{
    char path[1024], line[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/cases.tsv", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *fields[7] = {0};
        char *p = line;
        int n = 0;
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        while (n < 7 && p != NULL) {
            fields[n++] = p;
            p = strchr(p, '\t');
            if (p != NULL) {
                *p++ = '\0';
            }
        }
        assert_int_equal(n, 7);
        assert_true(ncases < MAX_CASES);
        struct vcase *c = &cases[ncases++];
        memset(c, 0, sizeof(*c));
        copy(c->name, sizeof(c->name), fields[0]);
        copy(c->report, sizeof(c->report), fields[1]);
        copy(c->vek, sizeof(c->vek), fields[2]);
        copy(c->chain, sizeof(c->chain), fields[3]);
        copy(c->at, sizeof(c->at), fields[4]);
        copy(c->expected_tsv, sizeof(c->expected_tsv), fields[5]);
        c->from_tsv = true;
    }
    fclose(f);
}

static void
set_key(struct vcase *c, const char *k, const char *v)
{
    if (strcmp(k, "like") == 0) {
        struct vcase *base = find_case(v);
        assert_non_null(base);
        copy(c->like, sizeof(c->like), v);
        memcpy(c->report, base->report, sizeof(c->report));
        memcpy(c->vek, base->vek, sizeof(c->vek));
        memcpy(c->chain, base->chain, sizeof(c->chain));
        memcpy(c->at, base->at, sizeof(c->at));
        memcpy(c->root, base->root, sizeof(c->root));
    } else if (strcmp(k, "report") == 0) {
        copy(c->report, sizeof(c->report), v);
    } else if (strcmp(k, "vek") == 0) {
        copy(c->vek, sizeof(c->vek), v);
    } else if (strcmp(k, "chain") == 0) {
        copy(c->chain, sizeof(c->chain), v);
    } else if (strcmp(k, "crl") == 0) {
        copy(c->crl, sizeof(c->crl), v);
    } else if (strcmp(k, "root") == 0) {
        copy(c->root, sizeof(c->root), strcmp(v, "none") == 0 ? "" : v);
    } else if (strcmp(k, "at") == 0) {
        copy(c->at, sizeof(c->at), v);
    } else if (strcmp(k, "expect") == 0) {
        copy(c->expect, sizeof(c->expect), v);
    } else if (strcmp(k, "fail") == 0) {
        copy(c->fail, sizeof(c->fail), v);
    } else if (strcmp(k, "pass") == 0) {
        copy(c->pass, sizeof(c->pass), v);
    } else if (strcmp(k, "warn") == 0) {
        copy(c->warn, sizeof(c->warn), v);
    } else if (strcmp(k, "skip") == 0) {
        copy(c->skip, sizeof(c->skip), v);
    } else if (strcmp(k, "add_err") == 0) {
        copy(c->add_err, sizeof(c->add_err), v);
    } else if (strcmp(k, "product") == 0) {
        copy(c->product, sizeof(c->product), v);
    } else if (strcmp(k, "crl_mode") == 0) {
        copy(c->crl_mode, sizeof(c->crl_mode), v);
    } else if (strcmp(k, "policy") == 0) {
        c->policy = strcmp(v, "default") == 0;
    } else if (strcmp(k, "strict_platform") == 0) {
        c->strict_platform = strcmp(v, "yes") == 0;
    } else if (strcmp(k, "mutate") == 0) {
        struct mutation *m = &c->mut[c->nmut];
        char off[32], val[32];
        assert_true(c->nmut < MAX_MUT);
        assert_int_equal(sscanf(v, "%7s %31s %3s %31s", m->target, off, m->op, val), 4);
        m->off = strtol(off, NULL, 0);
        m->val = (unsigned)strtoul(val, NULL, 0);
        c->nmut++;
    } else {
        print_error("cases.txt: unknown key '%s'\n", k);
        fail();
    }
}

static void
load_txt(void)
{
    char path[1024], line[1024];
    const char *me = __FILE__;
    const char *slash = strrchr(me, '/');
    struct vcase *c = NULL;
    FILE *f;

    /* CMake compiles with the absolute source path: cases.txt sits next to this file. */
    snprintf(path, sizeof(path), "%.*s/cases.txt", slash ? (int)(slash - me) : 1, slash ? me : ".");
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *s = trim(line), *eq;
        if (s[0] == '#' || s[0] == '\0') {
            continue;
        }
        if (strcmp(s, "[case]") == 0) {
            c = NULL;
            continue;
        }
        eq = strchr(s, '=');
        assert_non_null(eq);
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (strcmp(k, "name") == 0) {
            c = find_case(v);
            if (c == NULL) {
                assert_true(ncases < MAX_CASES);
                c = &cases[ncases++];
                memset(c, 0, sizeof(*c));
                copy(c->name, sizeof(c->name), v);
            }
            continue;
        }
        assert_non_null(c); /* name first */
        set_key(c, k, v);
    }
    fclose(f);
}

static uint8_t *
read_vec(const char *dir, const char *rel, size_t *len)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    uint8_t *b = t_read_file(path, len);
    if (b == NULL) {
        print_error("cannot read %s\n", path);
        fail();
    }
    return b;
}

static void
mutate(const struct vcase *c, const char *target, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < c->nmut; i++) {
        const struct mutation *m = &c->mut[i];
        size_t off;
        if (strcmp(m->target, target) != 0) {
            continue;
        }
        off = m->off < 0 ? len - (size_t)(-m->off) : (size_t)m->off;
        assert_true(off < len);
        if (strcmp(m->op, "xor") == 0) {
            buf[off] ^= (uint8_t)m->val;
        } else if (strcmp(m->op, "add") == 0) {
            buf[off] = (uint8_t)(buf[off] + m->val);
        } else {
            buf[off] = (uint8_t)m->val;
        }
    }
}

/* Add each '+'-joined file to the bag; the vek's add error may be expected. */
static snp_err
add_files(struct snp_collateral *coll, const char *dir, const char *list, const struct vcase *c,
          const char *target)
{
    char tmp[VAL_MAX];
    char *save = NULL;
    snp_err last = SNP_OK;

    copy(tmp, sizeof(tmp), list);
    for (char *f = strtok_r(tmp, "+", &save); f != NULL; f = strtok_r(NULL, "+", &save)) {
        size_t len = 0;
        uint8_t *b = read_vec(dir, f, &len);
        mutate(c, target, b, len);
        snp_err err = snp_collateral_add(coll, b, len);
        free(b);
        if (err != SNP_OK) {
            last = err;
        }
    }
    return last;
}

static bool
name_matches(const char *pattern, const char *name)
{
    size_t n = strlen(pattern);

    if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0) {
        return strncmp(name, pattern, n - 1) == 0;
    }
    return strcmp(pattern, name) == 0;
}

static void
expect_status(const struct vcase *c, const struct snp_verify_result *res, const char *list,
              enum snp_check_status want)
{
    char tmp[VAL_MAX];
    char *save = NULL;

    copy(tmp, sizeof(tmp), list);
    for (char *w = strtok_r(tmp, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        bool found = false;
        for (size_t i = 0; i < res->n && !found; i++) {
            found = name_matches(w, res->checks[i].name) && res->checks[i].status == want;
        }
        if (!found) {
            print_error("case %s: no check %s with status %s\n", c->name, w,
                        snp_check_status_name(want));
            for (size_t i = 0; i < res->n; i++) {
                print_error("  %-26s %-5s %s %s\n", res->checks[i].name,
                            snp_check_status_name(res->checks[i].status),
                            snp_err_name(res->checks[i].err), res->checks[i].detail);
            }
            fail();
        }
    }
}

static snp_err
err_by_name(const char *name)
{
    for (int e = 0; e < 100; e++) {
        if (strcmp(snp_err_name((snp_err)e), name) == 0) {
            return (snp_err)e;
        }
    }
    print_error("unknown error name %s\n", name);
    fail();
    return SNP_E_ARG;
}

static void
run_case(struct snp_verifier *v, const char *dir, struct vcase *c)
{
    struct snp_collateral *coll = NULL;
    struct snp_verify_opts o;
    struct snp_verify_policy pol;
    struct snp_verify_result res;
    uint8_t *report, *root = NULL;
    size_t rlen = 0, root_len = 0;
    int64_t at = 0;
    snp_err verdict, add;

    report = read_vec(dir, c->report, &rlen);
    mutate(c, "report", report, rlen);
    T_OK(snp_collateral_new(&coll));
    add = add_files(coll, dir, c->vek, c, "vek");
    T_ERR(add, c->add_err[0] ? err_by_name(c->add_err) : SNP_OK);
    T_OK(add_files(coll, dir, c->chain, c, "chain"));
    if (c->crl[0] != '\0') {
        T_OK(add_files(coll, dir, c->crl, c, "crl"));
    }
    snp_verify_opts_init(&o);
    T_OK(snp_x509_time_parse(c->at, &at));
    o.at = (time_t)at;
    if (c->root[0] != '\0') {
        root = read_vec(dir, c->root, &root_len);
        o.root = root;
        o.root_len = root_len;
    }
    if (c->product[0] != '\0') {
        T_OK(snp_product_parse(c->product, &o.product));
    }
    if (strcmp(c->crl_mode, "require") == 0) {
        o.crl = SNP_CRL_REQUIRE;
    } else if (strcmp(c->crl_mode, "skip") == 0) {
        o.crl = SNP_CRL_SKIP;
    }
    o.strict_platform_info = c->strict_platform;
    snp_verify_policy_default(&pol);
    verdict = snp_verify_report(v, report, rlen, coll, &o, c->policy ? &pol : NULL, &res);

    if (c->expect[0] != '\0') {
        snp_err want = strcmp(c->expect, "OK") == 0 ? SNP_OK : err_by_name(c->expect);
        if (verdict != want) {
            print_error("case %s: verdict %s, want %s\n", c->name, snp_err_name(verdict),
                        c->expect);
            expect_status(c, &res, "(dump)", SNP_CHECK_PASS);
        }
    } else if (strcmp(c->expected_tsv, "VALID") == 0 || (!c->from_tsv && c->fail[0] == '\0')) {
        if (verdict != SNP_OK) {
            print_error("case %s: expected VALID, verdict %s\n", c->name, snp_err_name(verdict));
            expect_status(c, &res, "(dump)", SNP_CHECK_PASS);
        }
    } else {
        /* INVALID: rejected evidence (input format or evidence range), never "could not check". */
        if (!(verdict > SNP_OK && verdict < SNP_E_NOMEM)) {
            print_error("case %s: expected rejection, verdict %s\n", c->name,
                        snp_err_name(verdict));
            expect_status(c, &res, "(dump)", SNP_CHECK_PASS);
        }
    }
    expect_status(c, &res, c->fail, SNP_CHECK_FAIL);
    expect_status(c, &res, c->pass, SNP_CHECK_PASS);
    expect_status(c, &res, c->warn, SNP_CHECK_WARN);
    expect_status(c, &res, c->skip, SNP_CHECK_SKIP);
    c->ran = true;
    free(report);
    free(root);
    snp_collateral_free(coll);
}

static void
test_cases(void **state)
{
    const char *dir = t_vectors_dir();
    struct snp_verifier *v = NULL;
    size_t ntsv = 0;

    (void)state;
    if (dir == NULL) {
        print_message("SKIP: no vectors directory (../shared/vectors or $SNPKIT_VECTORS)\n");
        skip();
    }
    ncases = 0;
    load_tsv(dir);
    load_txt();
    T_OK(snp_verifier_new(&v));
    /* Twice: the second round runs with a warm cache and must give the same answers. */
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < ncases; i++) {
            run_case(v, dir, &cases[i]);
        }
    }
    for (size_t i = 0; i < ncases; i++) {
        assert_true(cases[i].ran);
        ntsv += cases[i].from_tsv;
    }
    print_message("verify cases: %zu (%zu from cases.tsv, %zu from cases.txt), x2 rounds\n", ncases,
                  ntsv, ncases - ntsv);
    assert_true(ntsv >= 36); /* the rows of cases.tsv when this was written */
    snp_verifier_free(v);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
