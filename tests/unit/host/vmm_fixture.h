/*
 * tests/unit/host/vmm_fixture.h - the small simulated machine the VMM tests launch guests on:
 * 32 MiB of DRAM, two VM slots, a chip from a fixed seed and a deterministic RNG, so every run
 * is the same chip with the same VMPCKs and REPORT_IDs.
 */
#ifndef SNP_TESTS_VMM_FIXTURE_H
#define SNP_TESTS_VMM_FIXTURE_H

#include "helpers.h"

#include "snpkit/machine.h"

#include <stdbool.h>
#include <string.h>

/* xorshift64 over *ctx: reproducible "randomness" for the firmware. */
static snp_err
vmm_fx_rng(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        out[i] = (uint8_t)(*s >> 24);
    }
    return SNP_OK;
}

/* A machine with the chip of seed (a string), RNG state *rng_state, SEV on or off. */
static struct snp_machine *
vmm_fx_machine(const char *seed, uint64_t *rng_state, bool sev)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;
    size_t n = strlen(seed);

    snp_machine_config_default(&c);
    c.dram_size = (size_t)32 << 20;
    c.guest_max_pages = 0x100000;
    c.max_vms = 2;
    c.cache_lines = 16;
    c.sev_enabled = sev;
    assert_true(n <= sizeof(c.chip_seed));
    memcpy(c.chip_seed, seed, n);
    c.chip_seed_len = n;
    c.rng = vmm_fx_rng;
    c.rng_ctx = rng_state;
    T_OK(snp_machine_new(&m, &c));
    return m;
}

#endif /* SNP_TESTS_VMM_FIXTURE_H */
