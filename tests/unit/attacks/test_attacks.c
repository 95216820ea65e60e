/*
 * tests/unit/attacks/test_attacks.c - every scenario of snpkit attack (THREAT-MODEL.md,
 * attacks.md, STYLE.md §9.3) on every profile it declares and this build can stage: the
 * observed outcome must equal the expected one; a mismatch fails with the evidence printed.
 * The victim is the real guest program (guest/app_main.c) and the verifier the real one
 * (verify/ with the simulated vendor), as `snpkit attack run all` uses them.
 */
#include "helpers.h"

#include "atk_fixture.h"
#include "cli/attack_verifier.h"
#include "guest/app.h"
#include "snpkit/attack.h"

#include <stdio.h>
#include <string.h>

static void
test_every_scenario(void **state)
{
    struct snp_atk_env env;
    size_t n = 0, runs = 0, bad = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);

    (void)state;
    atk_env_init(&env, &g_ver);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < SNP_ATK_PROFILES; p++) {
            struct snp_atk_result r;
            if ((s[i]->profiles & SNP_ATK_PROFILE_BIT(p)) == 0 ||
                !snp_atk_profile_available((enum snp_atk_profile)p)) {
                continue;
            }
            T_OK(snp_atk_run(s[i], (enum snp_atk_profile)p, &env, &r));
            runs++;
            if (!r.match) {
                print_message("MISMATCH %s on %s: expected %s, observed %s: %s\n", s[i]->id,
                              snp_atk_profile_name((enum snp_atk_profile)p),
                              snp_atk_outcome_name(r.expected),
                              snp_atk_outcome_name(r.observed.outcome), r.observed.evidence);
                bad++;
            }
        }
    }
    assert_true(runs >= n);
    assert_int_equal(bad, 0);
}

/* Without a guest program or a verifier, scenarios say they could not be staged. */
static void
test_not_run_without_env(void **state)
{
    struct snp_atk_env env;
    struct snp_atk_result r;
    const struct snp_atk_scenario *s = snp_atk_find("report-relay");

    (void)state;
    assert_non_null(s);
    memset(&env, 0, sizeof(env));
    env.guest = snp_guest_app_main;
    T_OK(snp_atk_run(s, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
    assert_false(r.match);
    /* a forged-evidence scenario without a signer */
    env.verify = atk_verifier_cb;
    env.verify_ctx = &g_ver;
    T_OK(snp_atk_run(snp_atk_find("n10-leaked-vcek"), SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
    /* the leaked-ASK forgery without a forger and a certificate-taking verifier */
    T_OK(snp_atk_run(snp_atk_find("n10-leaked-ask"), SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
    /* a profile the scenario does not declare (a plain VM has no report to relay) */
    T_ERR(snp_atk_run(snp_atk_find("report-relay"), SNP_ATK_PLAIN, &env, &r), SNP_E_ARG);
    assert_null(snp_atk_find("no-such-scenario"));
}

/* A "TLS" client that sends its plaintext as it is: the scenario must see it (it observes). */
static snp_err
cleartext_tls(void *ctx, struct snp_atk_tls *t)
{
    uint8_t in[4096];
    size_t n = 0;

    (void)ctx;
    t->verified = false;
    t->verdict = SNP_E_IO;
    t->echo_len = 0;
    snprintf(t->why, sizeof(t->why), "no TLS at all");
    /* the guest's TLS server takes it for a broken ClientHello and closes: an error, ignored */
    (void)t->wire(t->wire_ctx, t->msg, t->msg_len, in, sizeof(in), &n);
    return SNP_OK;
}

/* N4: the evidence of both halves, and what changes when the guest's protection is missing. */
static void
test_n4_io(void **state)
{
    struct snp_atk_env env;
    struct snp_atk_result r;
    const struct snp_atk_scenario *plain = snp_atk_find("n4-io-plain");
    const struct snp_atk_scenario *atls = snp_atk_find("n4-io-atls");

    (void)state;
    assert_non_null(plain);
    assert_non_null(atls);
    atk_env_init(&env, &g_ver);
    for (int p = 0; p < SNP_ATK_PROFILES; p++) {
        T_OK(snp_atk_run(plain, (enum snp_atk_profile)p, &env, &r));
        assert_int_equal(r.observed.outcome, SNP_ATK_SUCCEEDED);
        assert_non_null(strstr(r.observed.evidence, "KV_GET answer in the tx buffer"));
    }
    T_ERR(snp_atk_run(atls, SNP_ATK_PLAIN, &env, &r), SNP_E_ARG); /* not declared */
    T_OK(snp_atk_run(atls, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_BLOCKED_GUEST);
    assert_string_equal(snp_atk_outcome_name(r.observed.outcome), "BLOCKED_GUEST");
    assert_non_null(strstr(r.observed.evidence, "the client verified the guest"));
    assert_non_null(strstr(r.observed.evidence, "the guest echoed it"));
    assert_non_null(strstr(r.observed.evidence, "application_data, 17 03 03"));
    /* the same scenario with a client that skips TLS: the hypervisor reads the secret */
    env.tls = cleartext_tls;
    T_OK(snp_atk_run(atls, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_SUCCEEDED);
    assert_false(r.match);
    assert_non_null(strstr(r.observed.evidence, "in plaintext"));
    /* no client, or no aTLS guest: could not be staged */
    env.tls = NULL;
    T_OK(snp_atk_run(atls, SNP_ATK_SNP_PATCHED, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
    atk_env_init(&env, &g_ver);
    env.guest_atls = NULL;
    T_OK(snp_atk_run(atls, SNP_ATK_SNP, &env, &r));
    assert_int_equal(r.observed.outcome, SNP_ATK_NOT_RUN);
}

static void
test_names(void **state)
{
    enum snp_atk_profile p;
    size_t n = 0;
    const struct snp_atk_scenario *const *s = snp_atk_scenarios(&n);

    (void)state;
    T_OK(snp_atk_profile_parse("snp-patched", &p));
    assert_int_equal(p, SNP_ATK_SNP_PATCHED);
    T_ERR(snp_atk_profile_parse("sev", &p), SNP_E_ARG);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(s[i]->run);
        assert_non_null(s[i]->defence);
        assert_ptr_equal(snp_atk_find(s[i]->id), s[i]); /* ids are unique */
        assert_true(s[i]->profiles != 0);
    }
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_not_run_without_env),
        cmocka_unit_test(test_n4_io),
        cmocka_unit_test(test_every_scenario),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
