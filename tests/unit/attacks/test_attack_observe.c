/*
 * tests/unit/attacks/test_attack_observe.c - what the harness and dos-withhold observe, and the
 * protection names `snpkit attack run --without` takes (snpkit/attack.h, docs/attacks.md):
 * dos-withhold's ALLOWED_DOS rests on steps that are traced (the guest did not move while
 * withheld, DECOMMISSION's status, VMRUN refused after the kill); a #NPF the VMM stops on is
 * named by a hardware line with the RMP's reason, and is gone on a chip without the GPA check.
 */
#include "helpers.h"

#include "guest/app.h"
#include "snpkit/attack.h"
#include "snpkit/machine.h"

#include <stdio.h>
#include <string.h>

/* The trace of one run, "actor: line" joined by newlines. */
struct trace_buf {
    char text[16384];
    size_t len;
};

static void
collect(void *ctx, enum snp_atk_actor who, const char *line)
{
    struct trace_buf *t = ctx;
    int k = snprintf(t->text + t->len, sizeof(t->text) - t->len, "%s: %s\n",
                     snp_atk_actor_name(who), line);

    if (k > 0 && (size_t)k < sizeof(t->text) - t->len) {
        t->len += (size_t)k;
    }
}

static void
env_trace(struct snp_atk_env *env, struct trace_buf *t)
{
    memset(env, 0, sizeof(*env));
    memset(t, 0, sizeof(*t));
    env->guest = snp_guest_app_main;
    env->trace = collect;
    env->trace_ctx = t;
}

/* Every SNP_MUT_* bit has one name that parses back to it; nothing else parses. */
static void
test_mutation_names(void **state)
{
    unsigned all = 0, bit = 0;
    const char *name = NULL;
    size_t i = 0;

    (void)state;
    for (; snp_atk_mutation_at(i, &name, &bit) == SNP_OK; i++) {
        unsigned back = 0;

        assert_int_equal(bit & (bit - 1), 0); /* one bit each */
        assert_int_equal(all & bit, 0);       /* none twice */
        all |= bit;
        T_OK(snp_atk_mutation_parse(name, &back));
        assert_int_equal(back, bit);
        assert_string_equal(snp_atk_mutation_name(bit), name);
    }
    assert_int_equal(i, 5);
    assert_int_equal(all, SNP_MUT_ALL);
    T_OK(snp_atk_mutation_parse("rmp-gpa-check", &bit));
    assert_int_equal(bit, SNP_MUT_NO_RMP_GPA_CHECK);
    T_OK(snp_atk_mutation_parse("greq-seqno", &bit));
    assert_int_equal(bit, SNP_MUT_NO_GREQ_SEQNO);
    bit = 77;
    T_ERR(snp_atk_mutation_parse("RMP-GPA-CHECK", &bit), SNP_E_ARG);
    T_ERR(snp_atk_mutation_parse("", &bit), SNP_E_ARG);
    T_ERR(snp_atk_mutation_parse("rmp-gpa-check ", &bit), SNP_E_ARG);
    T_ERR(snp_atk_mutation_parse(NULL, &bit), SNP_E_ARG);
    assert_int_equal(bit, 77); /* untouched */
    assert_null(snp_atk_mutation_name(0));
    assert_null(snp_atk_mutation_name(SNP_MUT_ALL));
    T_ERR(snp_atk_mutation_at(i, &name, &bit), SNP_E_RANGE);
}

/* dos-withhold: ALLOWED_DOS with every observation in the trace, on each profile. */
static void
test_dos_withhold_observes(void **state)
{
    const struct snp_atk_scenario *s = snp_atk_find("dos-withhold");
    struct snp_atk_env env;
    struct snp_atk_result r;
    struct trace_buf t;

    (void)state;
    assert_non_null(s);
    for (int p = 0; p < SNP_ATK_PROFILES; p++) {
        env_trace(&env, &t);
        T_OK(snp_atk_run(s, (enum snp_atk_profile)p, &env, &r));
        assert_int_equal(r.observed.outcome, SNP_ATK_ALLOWED_DOS);
        assert_non_null(strstr(t.text, "save area unchanged"));
        assert_non_null(strstr(r.observed.evidence, "never answered"));
        if (p == SNP_ATK_PLAIN) {
            assert_null(strstr(t.text, "DECOMMISSION"));
        } else {
            assert_non_null(strstr(t.text, "firmware: DECOMMISSION: status 0x0 SUCCESS"));
            assert_non_null(strstr(t.text, "refused (VMEXIT_INVALID)"));
        }
        /* after the teardown the vCPU is gone: VMRUN is refused outright */
        assert_non_null(strstr(t.text, "refused (invalid argument)"));
    }
    /* without a guest there is nothing to withhold: not staged, not a DoS */
    env_trace(&env, &t);
    env.guest = NULL;
    T_OK(snp_atk_run(s, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
}

/* The harness names the #NPF the VMM stops on; a chip without the GPA check has none. */
static void
test_npf_hardware_line(void **state)
{
    const struct snp_atk_scenario *s = snp_atk_find("i4-remap-severed");
    struct snp_atk_env env;
    struct snp_atk_result r;
    struct trace_buf t;
    const char *hw;

    (void)state;
    assert_non_null(s);
    env_trace(&env, &t);
    T_OK(snp_atk_run(s, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_BLOCKED_HW);
    hw = strstr(t.text, "hardware: #NPF at GPA 0x14");
    assert_non_null(hw);
    assert_non_null(strstr(hw, "RMP violation"));
    assert_non_null(strstr(hw, "assigned to this guest at GPA 0x15000, not GPA 0x14000"));
    /* the probe does not change the run: the guest is still stuck on the same fault */
    assert_non_null(strstr(hw, "guest: stopped: stopped on exit 0x400"));

    env_trace(&env, &t);
    env.mutations = SNP_MUT_NO_RMP_GPA_CHECK;
    T_OK(snp_atk_run(s, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_SUCCEEDED);
    assert_false(r.match);
    assert_null(strstr(t.text, "#NPF at GPA"));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutation_names),
        cmocka_unit_test(test_dos_withhold_observes),
        cmocka_unit_test(test_npf_hardware_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
