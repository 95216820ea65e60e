/*
 * tests/unit/sim/test_sim_memctl.c - DRAM, memory controller and cache (hardware.md §3):
 * plaintext for host/shared accesses, ciphertext under a guest key with the §3.3 properties,
 * AES-256, write-back caching, coherence across keys, WBINVD, INVD with and without the
 * CacheWarp fix, the physical attacker's view (raw DRAM, aliasing, bus probe).
 */
#include "sim_fixture.h"

#define SPA_A UINT64_C(0x300000)
#define SPA_B UINT64_C(0x301000)

static void
test_host_plaintext(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    uint8_t in[64], out[64], raw[64];
    uint64_t err = 0;

    (void)state;
    t_fill(in, sizeof(in), 1);
    assert_int_equal(snp_host_write(m, SPA_A + 0xFF0, in, sizeof(in), &err), SNP_HW_OK);
    assert_int_equal(snp_host_read(m, SPA_A + 0xFF0, out, sizeof(out)), SNP_HW_OK);
    t_memeq(out, in, sizeof(in));
    T_OK(snp_host_wbinvd(m));
    T_OK(snp_phys_read(m, SPA_A + 0xFF0, raw, sizeof(raw)));
    t_memeq(raw, in, sizeof(in)); /* ASID 0, C=0: DRAM holds the plaintext */
    assert_int_equal(snp_host_read(m, UINT64_C(8) << 20, out, 1), SNP_HW_GP);
    fx_check(m);
    snp_machine_free(m);
}

static void
test_guest_key_ciphertext(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    uint8_t p[32], ca[32], cb[32], ca2[32], back[32];

    (void)state;
    memset(p, 0x5A, sizeof(p));
    T_OK(snp_keyslot_program(m, 1, fx_key, sizeof(fx_key)));
    T_OK(snp_fw_mem_write(m, SPA_A, 1, p, sizeof(p)));
    T_OK(snp_fw_mem_write(m, SPA_B, 1, p, sizeof(p)));
    T_OK(snp_host_wbinvd(m));
    T_OK(snp_phys_read(m, SPA_A, ca, sizeof(ca)));
    T_OK(snp_phys_read(m, SPA_B, cb, sizeof(cb)));
    assert_memory_not_equal(ca, p, sizeof(p));
    assert_memory_not_equal(ca, cb, sizeof(ca)); /* C1: equal plaintext, other SPA */
    /* Rewriting the same plaintext at the same SPA gives the same ciphertext (§3.3). */
    T_OK(snp_fw_mem_write(m, SPA_A, 1, p, sizeof(p)));
    T_OK(snp_host_wbinvd(m));
    T_OK(snp_phys_read(m, SPA_A, ca2, sizeof(ca2)));
    t_memeq(ca, ca2, sizeof(ca));
    /* The host view is the ciphertext; the key gives the plaintext back. */
    assert_int_equal(snp_host_read(m, SPA_A, back, sizeof(back)), SNP_HW_OK);
    t_memeq(back, ca, sizeof(ca));
    T_OK(snp_fw_mem_read(m, SPA_A, 1, back, sizeof(back)));
    t_memeq(back, p, sizeof(p));
    /* Another ASID's key reads garbage; an unkeyed ASID is refused. */
    T_ERR(snp_fw_mem_read(m, SPA_A, 2, back, sizeof(back)), SNP_E_STATE);
    fx_check(m);
    snp_machine_free(m);
}

static void
test_aes256_slot(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    uint8_t k256[64], p[16], c128[16], c256[16], back[16];

    (void)state;
    t_fill(k256, sizeof(k256), 5);
    memcpy(k256, fx_key, 32);
    memset(p, 1, sizeof(p));
    T_OK(snp_keyslot_program(m, 1, fx_key, 32));
    T_OK(snp_keyslot_program(m, 2, k256, 64)); /* policy bit 22: AES-256-XTS */
    T_OK(snp_fw_mem_write(m, SPA_A, 1, p, sizeof(p)));
    T_OK(snp_fw_mem_write(m, SPA_B, 2, p, sizeof(p)));
    T_OK(snp_host_wbinvd(m));
    T_OK(snp_phys_read(m, SPA_A, c128, 16));
    T_OK(snp_phys_read(m, SPA_B, c256, 16));
    assert_memory_not_equal(c128, c256, 16);
    T_OK(snp_fw_mem_read(m, SPA_B, 2, back, 16));
    t_memeq(back, p, 16);
    T_ERR(snp_keyslot_program(m, 3, k256, 48), SNP_E_ARG);
    T_ERR(snp_keyslot_program(m, 0, k256, 32), SNP_E_ARG);
    snp_machine_free(m);
}

static void
test_write_back_and_coherence(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    uint8_t p[16], raw[16], zero[16] = {0}, v[16];

    (void)state;
    memset(p, 0x77, sizeof(p));
    T_OK(snp_keyslot_program(m, 1, fx_key, sizeof(fx_key)));
    T_OK(snp_fw_mem_write(m, SPA_A, 1, p, sizeof(p)));
    /* Write-back: DRAM unchanged until the line leaves the cache. */
    T_OK(snp_phys_read(m, SPA_A, raw, 16));
    t_memeq(raw, zero, 16);
    /* Coherence across keys: a host (plain) read writes the guest line back first. */
    assert_int_equal(snp_host_read(m, SPA_A, v, 16), SNP_HW_OK);
    T_OK(snp_phys_read(m, SPA_A, raw, 16));
    t_memeq(v, raw, 16);
    assert_memory_not_equal(raw, zero, 16);
    T_OK(snp_fw_mem_read(m, SPA_A, 1, v, 16));
    t_memeq(v, p, 16);
    fx_check(m);
    snp_machine_free(m);
}

static void
check_invd(uint32_t mit, bool expect_lost)
{
    struct snp_machine *m = fx_machine(mit, 8);
    uint8_t old[16], new_[16], v[16];

    memset(old, 0x11, 16);
    memset(new_, 0x22, 16);
    T_OK(snp_keyslot_program(m, 1, fx_key, sizeof(fx_key)));
    T_OK(snp_fw_mem_write(m, SPA_A, 1, old, 16));
    T_OK(snp_host_wbinvd(m));
    T_OK(snp_fw_mem_write(m, SPA_A, 1, new_, 16)); /* dirty in the cache */
    T_OK(snp_host_invd(m));
    T_OK(snp_fw_mem_read(m, SPA_A, 1, v, 16));
    /* CacheWarp: without the fix INVD drops the dirty line and memory reverts. */
    t_memeq(v, expect_lost ? old : new_, 16);
    fx_check(m);
    snp_machine_free(m);
}

static void
test_invd_without_fix_drops_dirty(void **state)
{
    (void)state;
    check_invd(0, true);
}

static void
test_invd_with_fix_writes_back(void **state)
{
    (void)state;
    check_invd(SNP_MIT_INVD_FIX, false);
}

static void
test_eviction(void **state)
{
    struct snp_machine *m = fx_machine(0, 4); /* one set of 4 ways */
    uint8_t p[16], v[16];

    (void)state;
    T_OK(snp_keyslot_program(m, 1, fx_key, sizeof(fx_key)));
    for (uint64_t i = 0; i < 12; i++) {
        memset(p, (int)i, 16);
        T_OK(snp_fw_mem_write(m, SPA_A + i * SNP_PAGE_SIZE, 1, p, 16));
    }
    for (uint64_t i = 0; i < 12; i++) {
        T_OK(snp_fw_mem_read(m, SPA_A + i * SNP_PAGE_SIZE, 1, v, 16));
        assert_int_equal(v[0], i);
        assert_int_equal(v[15], i);
    }
    fx_check(m);
    snp_machine_free(m);
}

struct probe {
    unsigned writes;
    bool saw_plain;
};

static void
probe_fn(void *ctx, uint64_t spa, bool write, const uint8_t *data, size_t len)
{
    struct probe *p = ctx;
    uint8_t secret[16];
    (void)spa;
    memset(secret, 0x5E, sizeof(secret));
    p->writes += write ? 1u : 0u;
    if (fx_contains(data, len, secret, sizeof(secret))) {
        p->saw_plain = true;
    }
}

static void
test_bus_probe_and_alias(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct probe pr = {0, false};
    uint8_t secret[16], v[16], raw[16];

    (void)state;
    memset(secret, 0x5E, sizeof(secret));
    T_OK(snp_keyslot_program(m, 1, fx_key, sizeof(fx_key)));
    snp_phys_probe(m, probe_fn, &pr);
    T_OK(snp_fw_mem_write(m, SPA_A, 1, secret, 16));
    T_OK(snp_host_wbinvd(m));
    assert_true(pr.writes >= 1);
    assert_false(pr.saw_plain); /* the bus carries ciphertext only */
    snp_phys_probe(m, NULL, NULL);
    /* Aliasing: SPA_B now reaches SPA_A's cells; the tweak of SPA_B garbles the plaintext. */
    T_OK(snp_phys_alias(m, SPA_B, SPA_A));
    T_OK(snp_phys_read(m, SPA_B, raw, 16));
    T_OK(snp_phys_read(m, SPA_A, v, 16));
    t_memeq(raw, v, 16);
    T_OK(snp_fw_mem_read(m, SPA_B, 1, v, 16));
    assert_memory_not_equal(v, secret, 16);
    T_ERR(snp_phys_alias(m, SPA_B + 1, SPA_A), SNP_E_ARG);
    fx_check(m);
    snp_machine_free(m);
}

static void
test_two_machines(void **state)
{
    struct snp_machine *a = fx_machine(0, 8), *b = fx_machine(0, 8);
    uint8_t x = 1, y = 2, v = 0;
    uint64_t err = 0;

    (void)state;
    assert_int_equal(snp_host_write(a, SPA_A, &x, 1, &err), SNP_HW_OK);
    assert_int_equal(snp_host_write(b, SPA_A, &y, 1, &err), SNP_HW_OK);
    assert_int_equal(snp_host_read(a, SPA_A, &v, 1), SNP_HW_OK);
    assert_int_equal(v, 1);
    snp_machine_free(a);
    snp_machine_free(b);
    snp_machine_free(NULL);
}

static void
test_config_refused(void **state)
{
    struct snp_machine_config c;
    struct snp_machine *m = (struct snp_machine *)&c;

    (void)state;
    snp_machine_config_default(&c);
    c.dram_size = 3 << 20;
    T_ERR(snp_machine_new(&m, &c), SNP_E_ARG);
    assert_null(m);
    snp_machine_config_default(&c);
    c.cache_lines = 6;
    T_ERR(snp_machine_new(&m, &c), SNP_E_ARG);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_plaintext),
        cmocka_unit_test(test_guest_key_ciphertext),
        cmocka_unit_test(test_aes256_slot),
        cmocka_unit_test(test_write_back_and_coherence),
        cmocka_unit_test(test_invd_without_fix_drops_dirty),
        cmocka_unit_test(test_invd_with_fix_writes_back),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_bus_probe_and_alias),
        cmocka_unit_test(test_two_machines),
        cmocka_unit_test(test_config_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
