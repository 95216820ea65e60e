/*
 * tests/unit/sim/test_sim_leak.c - C1/C2/C3 as a scan: after an SNP guest has written a
 * secret into private memory and held it in registers across exits, every byte the host can
 * read (all of DRAM through host_if.h) is searched for the secret and for the memory key.
 * The plain VM baseline must leak the same secret (the scan would find it).
 */
#include "sim_fixture.h"

static const uint8_t secret[24] = "TOP-SECRET-guest-data!!";

static void
g_hold_secret(struct snp_guest *g, void *arg)
{
    uint64_t c = snp_guest_cbit_mask(g);
    (void)arg;
    for (uint64_t p = 0; p + 1 < FX_PAGES; p++) {
        snp_guest_write(g, (p * SNP_PAGE_SIZE + 0x100) | c, secret, sizeof(secret));
    }
    memcpy(&snp_guest_regs(g)->rax, secret, 8);
    memcpy(&snp_guest_regs(g)->rbx, secret + 8, 8);
    for (int i = 0; i < 3; i++) {
        snp_guest_vmgexit(g);
    }
    snp_guest_hlt(g);
}

/* Scan all of DRAM as the host sees it for @needle. */
static bool
host_scan(struct snp_machine *m, const uint8_t *needle, size_t k)
{
    static uint8_t buf[1 << 16];
    for (uint64_t spa = 0; spa < (UINT64_C(8) << 20); spa += sizeof(buf)) {
        assert_int_equal(snp_host_read(m, spa, buf, sizeof(buf)), SNP_HW_OK);
        if (fx_contains(buf, sizeof(buf), needle, k)) {
            return true;
        }
    }
    return false;
}

static bool
run_and_scan(enum snp_vm_type type, const uint8_t *needle, size_t k)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct snp_vmexit ex;
    uint32_t cpu = fx_vm(m, type, 0, g_hold_secret, NULL, NULL);
    bool found = false;

    do {
        T_OK(snp_host_vmrun(m, cpu, &ex));
        found = found || host_scan(m, needle, k);
    } while (ex.code != SNP_EXIT_HLT);
    T_OK(snp_host_wbinvd(m));
    found = found || host_scan(m, needle, k);
    fx_check(m);
    snp_machine_free(m);
    return found;
}

static void
test_snp_host_never_sees_secret(void **state)
{
    (void)state;
    assert_false(run_and_scan(SNP_VM_SNP, secret, 8));     /* memory and RAX */
    assert_false(run_and_scan(SNP_VM_SNP, secret + 8, 8)); /* RBX */
}

static void
test_snp_host_never_sees_key(void **state)
{
    (void)state;
    assert_false(run_and_scan(SNP_VM_SNP, fx_key, 8));
    assert_false(run_and_scan(SNP_VM_SNP, fx_key + 16, 8)); /* the tweak half */
}

static void
test_sev_es_host_never_sees_secret(void **state)
{
    (void)state;
    assert_false(run_and_scan(SNP_VM_SEV_ES, secret, 8));
}

static void
test_plain_vm_leaks(void **state)
{
    (void)state;
    /* The scan works: against a plain VM it finds the secret. */
    assert_true(run_and_scan(SNP_VM_PLAIN, secret, sizeof(secret)));
    assert_true(run_and_scan(SNP_VM_PLAIN, secret + 8, 8));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snp_host_never_sees_secret),
        cmocka_unit_test(test_snp_host_never_sees_key),
        cmocka_unit_test(test_sev_es_host_never_sees_secret),
        cmocka_unit_test(test_plain_vm_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
