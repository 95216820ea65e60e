/*
 * tests/unit/attacks/atk_fixture.h - the verifier the scenario tests share: one simulated
 * vendor with the chip of SNP_ATK_CHIP_SEED for the whole group (cmocka group setup and
 * teardown), plugged into a run's env by atk_env_init(&env, &g_ver) (cli/attack_verifier.h).
 */
#ifndef SNP_TESTS_ATK_FIXTURE_H
#define SNP_TESTS_ATK_FIXTURE_H

#include "helpers.h"

#include "cli/attack_verifier.h"

static struct atk_verifier g_ver;

static int
setup(void **state)
{
    (void)state;
    return atk_verifier_open(&g_ver) == SNP_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    atk_verifier_close(&g_ver);
    return 0;
}

#endif /* SNP_TESTS_ATK_FIXTURE_H */
