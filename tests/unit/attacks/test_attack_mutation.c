/*
 * tests/unit/attacks/test_attack_mutation.c - the mutation check (issue 8): proof that the
 * attack scenarios OBSERVE rather than assert. For each protection the simulated chip has, a
 * deliberately broken chip without it (SNP_MUT_*, snpkit/machine.h, test-only) runs every
 * scenario on every profile it declares; the scenarios that depend on the protection must now
 * observe the attack succeed (a mismatch with the descriptor), and with no mutation every
 * scenario matches.
 *
 * The "depends on" sets below were derived by running the scenarios under each mutation and
 * are asserted as data: a scenario that stops observing (e.g. one whose outcome became a
 * constant) no longer flips and fails here. A scenario that mismatches under a mutation but is
 * not in the table is printed as a note, not failed: new scenarios may depend on a protection
 * too; add them to the table when they do.
 */
#include "helpers.h"

#include "atk_fixture.h"
#include "cli/attack_verifier.h"
#include "guest/app.h"
#include "snpkit/attack.h"
#include "snpkit/machine.h"

#include <stdio.h>
#include <string.h>

/* One scenario on one profile that must flip under a mutation, and what it then observes. */
struct dep {
    const char *id;
    enum snp_atk_profile profile;
    enum snp_atk_outcome observed;
};

struct mutation {
    uint32_t bit;
    const char *name;
    const struct dep *deps;
    size_t ndeps;
};

#define SUCC  SNP_ATK_SUCCEEDED
#define SNP   SNP_ATK_SNP
#define PATCH SNP_ATK_SNP_PATCHED
#define BOTH(id, o)                                                                                \
    {id, SNP, o}, { id, PATCH, o }

/* I4: the nested walk compares the RMP entry's GPA with the GPA walked (SEVered). */
static const struct dep dep_gpa[] = {
    BOTH("i4-remap-severed", SUCC),
};
/* C2: the CPU seals the register file under the guest key at every exit. */
static const struct dep dep_vmsa[] = {
    BOTH("c2-vmsa-regs", SUCC),
};
/* I1/I3: a host write to a guest-assigned page raises #PF (RMP). c2-vmsa-regs: the write of
 * the (still sealed) VMSA page plants the attacker's register value. */
static const struct dep dep_host_write[] = {
    BOTH("i1-write-private", SUCC),
    BOTH("i3-replay-page", SUCC),
    BOTH("c2-vmsa-regs", SUCC),
};
/* C1/C3 (and C2 through it): guest pages are ciphertext in DRAM. */
static const struct dep dep_encryption[] = {
    BOTH("c1-read-private", SUCC),
    BOTH("c2-vmsa-regs", SUCC),
    BOTH("c3-key-scan", SUCC),
};
/* I3: the firmware takes a guest request only with the next sequence number. */
static const struct dep dep_seqno[] = {
    BOTH("greq-replay-request", SUCC),
};

static const struct mutation g_mutations[] = {
    {SNP_MUT_NO_RMP_GPA_CHECK, "no RMP GPA check", dep_gpa, SNP_ARRAY_LEN(dep_gpa)},
    {SNP_MUT_NO_VMSA_SEAL, "no VMSA sealing", dep_vmsa, SNP_ARRAY_LEN(dep_vmsa)},
    {SNP_MUT_NO_HOST_WRITE_RMP, "no RMP check on host writes", dep_host_write,
     SNP_ARRAY_LEN(dep_host_write)},
    {SNP_MUT_NO_MEM_ENCRYPTION, "no memory encryption", dep_encryption,
     SNP_ARRAY_LEN(dep_encryption)},
    {SNP_MUT_NO_GREQ_SEQNO, "no guest-request seqno check", dep_seqno, SNP_ARRAY_LEN(dep_seqno)},
};

/* The results of one full run: [scenario][profile]; ran = declared and available. */
struct run {
    size_t n;
    struct snp_atk_result r[128][SNP_ATK_PROFILES];
    bool ran[128][SNP_ATK_PROFILES];
};

static struct run g_run;

static void
run_all(uint32_t mutations, struct run *out)
{
    struct snp_atk_env env;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&out->n);

    assert_true(out->n <= SNP_ARRAY_LEN(out->r));
    atk_env_init(&env, &g_ver);
    env.mutations = mutations; /* the broken chip */
    for (size_t i = 0; i < out->n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            out->ran[i][p] = (s[i]->profiles & SNP_ATK_PROFILE_BIT(p)) != 0 &&
                             snp_atk_profile_available((enum snp_atk_profile)p);
            if (out->ran[i][p]) {
                T_OK(snp_atk_run(s[i], (enum snp_atk_profile)p, &env, &out->r[i][p]));
            }
        }
    }
}

static const struct dep *
find_dep(const struct mutation *mu, const char *id, int p)
{
    for (size_t k = 0; k < mu->ndeps; k++) {
        if (strcmp(mu->deps[k].id, id) == 0 && (int)mu->deps[k].profile == p) {
            return &mu->deps[k];
        }
    }
    return NULL;
}

static void
check_mutation(const struct mutation *mu)
{
    size_t n = 0, bad = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);

    /* The table names real scenarios on profiles they declare. */
    for (size_t k = 0; k < mu->ndeps; k++) {
        const struct snp_atk_scenario *d = snp_atk_find(mu->deps[k].id);
        assert_non_null(d);
        assert_true((d->profiles & SNP_ATK_PROFILE_BIT(mu->deps[k].profile)) != 0);
    }
    run_all(mu->bit, &g_run);
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            const struct snp_atk_result *r = &g_run.r[i][p];
            const struct dep *d = find_dep(mu, s[i]->id, p);
            const char *pn = snp_atk_profile_name((enum snp_atk_profile)p);

            if (!g_run.ran[i][p]) {
                assert_null(d); /* a dependency on a profile this build cannot stage */
                continue;
            }
            if (d != NULL && (r->match || r->observed.outcome != d->observed)) {
                print_message("%s: %s on %s should observe %s (expected %s), observed %s: %s\n",
                              mu->name, s[i]->id, pn, snp_atk_outcome_name(d->observed),
                              snp_atk_outcome_name(r->expected),
                              snp_atk_outcome_name(r->observed.outcome), r->observed.evidence);
                bad++;
            } else if (d == NULL && !r->match) {
                print_message("note: %s: %s on %s also differs (observed %s, expected %s): %s\n",
                              mu->name, s[i]->id, pn, snp_atk_outcome_name(r->observed.outcome),
                              snp_atk_outcome_name(r->expected), r->observed.evidence);
            }
        }
    }
    assert_int_equal(bad, 0);
}

/* The chip as specified: every scenario observes the expected outcome. */
static void
test_no_mutation_all_match(void **state)
{
    size_t n = 0, bad = 0, runs = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);

    (void)state;
    run_all(0, &g_run);
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            if (!g_run.ran[i][p]) {
                continue;
            }
            runs++;
            if (!g_run.r[i][p].match) {
                print_message("MISMATCH without mutation: %s on %s: %s\n", s[i]->id,
                              snp_atk_profile_name((enum snp_atk_profile)p),
                              g_run.r[i][p].observed.evidence);
                bad++;
            }
        }
    }
    assert_true(runs >= n);
    assert_int_equal(bad, 0);
}

static void
test_no_rmp_gpa_check(void **state)
{
    (void)state;
    check_mutation(&g_mutations[0]);
}

static void
test_no_vmsa_seal(void **state)
{
    (void)state;
    check_mutation(&g_mutations[1]);
}

static void
test_no_host_write_rmp(void **state)
{
    (void)state;
    check_mutation(&g_mutations[2]);
}

static void
test_no_mem_encryption(void **state)
{
    (void)state;
    check_mutation(&g_mutations[3]);
}

static void
test_no_greq_seqno(void **state)
{
    (void)state;
    check_mutation(&g_mutations[4]);
}

/* Every SNP_MUT_* bit has a row; a bit the model does not know is refused. */
static void
test_mutation_bits(void **state)
{
    struct snp_machine_config cfg;
    struct snp_machine *m = NULL;
    uint32_t all = 0;

    (void)state;
    for (size_t k = 0; k < SNP_ARRAY_LEN(g_mutations); k++) {
        assert_int_equal(all & g_mutations[k].bit, 0);
        all |= g_mutations[k].bit;
        assert_true(g_mutations[k].ndeps > 0);
    }
    assert_int_equal(all, SNP_MUT_ALL);
    snp_machine_config_default(&cfg);
    cfg.dram_size = (size_t)8 << 20;
    cfg.psp = false;
    cfg.mutations = SNP_MUT_ALL + 1;
    T_ERR(snp_machine_new(&m, &cfg), SNP_E_ARG);
    assert_null(m);
    cfg.mutations = SNP_MUT_ALL;
    T_OK(snp_machine_new(&m, &cfg));
    snp_machine_free(m);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutation_bits),     cmocka_unit_test(test_no_mutation_all_match),
        cmocka_unit_test(test_no_rmp_gpa_check),  cmocka_unit_test(test_no_vmsa_seal),
        cmocka_unit_test(test_no_host_write_rmp), cmocka_unit_test(test_no_mem_encryption),
        cmocka_unit_test(test_no_greq_seqno),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
