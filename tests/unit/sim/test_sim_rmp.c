/*
 * tests/unit/sim/test_sim_rmp.c - one test per rule of hardware.md §1.6 (access kind x page
 * state -> fault) and per return code of the RMP instructions of §2, on the pure functions
 * of sim/rmp.h, with the invariant checker after each step.
 */
#include "helpers.h"

#include "sim/rmp.h"

#include <stdlib.h>
#include <string.h>

#define NPAGES 2048 /* four 2M regions */
#define P(pfn) ((uint64_t)(pfn) << SNP_PAGE_SHIFT)

static struct snp_rmp_entry ents[NPAGES];
static uint64_t counts[16];
static struct snp_rmp R;

static int
setup(void **state)
{
    (void)state;
    memset(ents, 0, sizeof(ents));
    memset(counts, 0, sizeof(counts));
    snp_rmp_init(&R, ents, counts, NPAGES, 15);
    return 0;
}

static void
inv(void)
{
    char why[128];
    if (snp_rmp_check_invariants(&R, why, sizeof(why)) != SNP_OK) {
        fail_msg("%s", why);
    }
}

static enum snp_rmp_ret
upd(uint64_t pfn, bool assigned, bool p2m, bool imm, uint32_t asid, uint64_t gpa)
{
    struct snp_rmpupdate_desc d = {gpa, assigned, p2m, imm, asid};
    enum snp_rmp_ret r = snp_rmp_update(&R, P(pfn), &d);
    inv();
    return r;
}

/* Make pfn a GUEST_VALID page of asid 1 at gpa (RMPUPDATE + PVALIDATE). */
static void
guest_valid(uint64_t pfn, uint64_t gpa)
{
    assert_int_equal(upd(pfn, true, false, false, 1, gpa), SNP_RMP_SUCCESS);
    assert_int_equal(snp_rmp_pvalidate(&R, P(pfn), gpa, 1, 0, false, true).rax, 0);
}

/* ---- §1.6.1 host accesses ---------------------------------------------------------- */

static void
test_host_read_any_state(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(10, 0x1000);
    assert_int_equal(upd(11, true, false, true, 0, 0), SNP_RMP_SUCCESS); /* FIRMWARE */
    for (uint64_t pfn = 9; pfn <= 11; pfn++) {
        assert_int_equal(snp_rmp_check_host(&R, P(pfn), SNP_ACC_READ, false, &err), SNP_HW_OK);
    }
}

static void
test_host_write_hypervisor_ok(void **state)
{
    uint64_t err;
    (void)state;
    assert_int_equal(snp_rmp_check_host(&R, P(9), SNP_ACC_WRITE, false, &err), SNP_HW_OK);
    assert_int_equal(err, 0);
}

static void
test_host_write_assigned_pf_rmp(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(10, 0x1000);                                     /* GUEST_VALID */
    assert_int_equal(upd(12, true, false, false, 2, 0x5000), 0); /* GUEST_INVALID */
    assert_int_equal(upd(13, true, false, true, 3, 0x6000), 0);  /* PRE_GUEST */
    assert_int_equal(upd(14, true, false, true, 0, 0), 0);       /* FIRMWARE */
    assert_int_equal(upd(15, true, false, false, 0, 0), 0);      /* RECLAIM */
    for (uint64_t pfn = 10; pfn <= 15; pfn++) {
        if (pfn == 11) {
            continue;
        }
        assert_int_equal(snp_rmp_check_host(&R, P(pfn), SNP_ACC_WRITE, false, &err), SNP_HW_PF);
        assert_int_equal(err, SNP_PFERR_PRESENT | SNP_PFERR_WRITE | SNP_PFERR_RMP);
    }
}

static void
test_host_write_hv_fixed_pf_rmp(void **state)
{
    struct snp_rmp_entry e = {0};
    uint64_t err;
    (void)state;
    e.immutable = true; /* HV_FIXED: Assigned=0, Immutable=1 (only the PSP makes it) */
    T_OK(snp_rmp_fw_set(&R, 20, &e));
    inv();
    assert_int_equal(snp_rmp_check_host(&R, P(20), SNP_ACC_WRITE, false, &err), SNP_HW_PF);
    assert_true((err & SNP_PFERR_RMP) != 0);
    /* HV_FIXED can never be assigned by RMPUPDATE. */
    assert_int_equal(upd(20, true, false, false, 1, 0), SNP_RMP_FAIL_PERMISSION);
}

static void
test_host_write_large_mapping(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(600, 0x2000); /* region 1 has one assigned page */
    assert_int_equal(snp_rmp_check_host(&R, P(700), SNP_ACC_WRITE, false, &err), SNP_HW_OK);
    assert_int_equal(snp_rmp_check_host(&R, P(700), SNP_ACC_WRITE, true, &err), SNP_HW_PF);
    assert_int_equal(snp_rmp_check_host(&R, P(100), SNP_ACC_WRITE, true, &err), SNP_HW_OK);
}

/* ---- §1.6.2 guest accesses ---------------------------------------------------------- */

static enum snp_hw_fault
gacc(uint64_t pfn, uint64_t gpa, uint32_t asid, uint8_t vmpl, enum snp_access acc, bool c,
     bool npt2m, uint64_t *err)
{
    struct snp_guest_access a = {P(pfn), gpa, asid, vmpl, acc, c, npt2m};
    return snp_rmp_check_guest(&R, &a, err);
}

static void
test_guest_rows(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(10, 0x1000);
    /* Row 1: shared access to a hypervisor page. */
    assert_int_equal(gacc(9, 0x9000, 1, 0, SNP_ACC_WRITE, false, false, &err), SNP_HW_OK);
    /* Row 2: shared access to an assigned page: #NPF RMP, ENC clear. */
    assert_int_equal(gacc(10, 0x1000, 1, 0, SNP_ACC_READ, false, false, &err), SNP_HW_NPF);
    assert_true((err & SNP_PFERR_RMP) != 0 && (err & SNP_NPF_ENC) == 0);
    /* Row 3: private access, unassigned / wrong ASID / wrong GPA: #NPF RMP+ENC. */
    assert_int_equal(gacc(9, 0x9000, 1, 0, SNP_ACC_READ, true, false, &err), SNP_HW_NPF);
    assert_true((err & (SNP_PFERR_RMP | SNP_NPF_ENC)) == (SNP_PFERR_RMP | SNP_NPF_ENC));
    assert_int_equal(gacc(10, 0x1000, 2, 0, SNP_ACC_READ, true, false, &err), SNP_HW_NPF);
    assert_int_equal(gacc(10, 0x3000, 1, 0, SNP_ACC_READ, true, false, &err), SNP_HW_NPF);
    /* Row 4: NPT 2M over RMP 4K: #NPF RMP (+SIZEM in this model). */
    assert_int_equal(gacc(10, 0x1000, 1, 0, SNP_ACC_READ, true, true, &err), SNP_HW_NPF);
    assert_true((err & SNP_NPF_SIZEM) != 0);
    /* Row 8: all good. */
    assert_int_equal(gacc(10, 0x1010, 1, 0, SNP_ACC_WRITE, true, false, &err), SNP_HW_OK);
}

static void
test_guest_unvalidated_vc(void **state)
{
    uint64_t err;
    (void)state;
    assert_int_equal(upd(10, true, false, false, 1, 0x1000), 0); /* GUEST_INVALID */
    assert_int_equal(gacc(10, 0x1000, 1, 0, SNP_ACC_READ, true, false, &err), SNP_HW_VC);
    assert_int_equal(err, SNP_VC_PAGE_NOT_VALIDATED);
}

static void
test_guest_vmpl_permissions(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(10, 0x1000);
    /* VMPL1 has no permission after RMPUPDATE+PVALIDATE. */
    assert_int_equal(gacc(10, 0x1000, 1, 1, SNP_ACC_READ, true, false, &err), SNP_HW_NPF);
    assert_true((err & SNP_NPF_VMPL) != 0);
    /* VMPL0 grants VMPL1 read only. */
    assert_int_equal(snp_rmp_adjust(&R, P(10), 0x1000, 1, 0, false, 1 | (SNP_VMPL_PERM_R << 8)).rax,
                     0);
    inv();
    assert_int_equal(gacc(10, 0x1000, 1, 1, SNP_ACC_READ, true, false, &err), SNP_HW_OK);
    assert_int_equal(gacc(10, 0x1000, 1, 1, SNP_ACC_WRITE, true, false, &err), SNP_HW_NPF);
    assert_int_equal(gacc(10, 0x1000, 1, 1, SNP_ACC_EXEC_SUP, true, false, &err), SNP_HW_NPF);
    assert_true((err & (SNP_NPF_VMPL | SNP_PFERR_FETCH)) == (SNP_NPF_VMPL | SNP_PFERR_FETCH));
    /* VMPL0 always has full access. */
    assert_int_equal(gacc(10, 0x1000, 1, 0, SNP_ACC_EXEC_USER, true, false, &err), SNP_HW_OK);
}

static void
test_guest_vmsa_page(void **state)
{
    uint64_t err;
    (void)state;
    guest_valid(10, 0x1000);
    assert_int_equal(
        snp_rmp_adjust(&R, P(10), 0x1000, 1, 0, false, 1 | SNP_RMPADJUST_VMSA | (1u << 8)).rax, 0);
    assert_int_equal(gacc(10, 0x1000, 1, 0, SNP_ACC_READ, true, false, &err), SNP_HW_NPF);
}

/* ---- §2.1 RMPUPDATE ---------------------------------------------------------------- */

static void
test_rmpupdate_codes(void **state)
{
    struct snp_rmpupdate_desc d = {0, true, false, false, 1};
    (void)state;
    /* FAIL_INPUT: misaligned SPA, out of range, ASID too big, 2M misaligned. */
    assert_int_equal(snp_rmp_update(&R, P(1) + 8, &d), SNP_RMP_FAIL_INPUT);
    assert_int_equal(snp_rmp_update(&R, P(NPAGES), &d), SNP_RMP_FAIL_INPUT);
    assert_int_equal(upd(1, true, false, false, 16, 0), SNP_RMP_FAIL_INPUT);
    assert_int_equal(upd(1, true, true, false, 1, 0), SNP_RMP_FAIL_INPUT);
    assert_int_equal(upd(512, true, true, false, 1, 0x1000), SNP_RMP_FAIL_INPUT);
    /* SUCCESS, then clears Validated. */
    guest_valid(10, 0x1000);
    assert_true(ents[10].validated);
    assert_int_equal(upd(10, true, false, false, 1, 0x1000), SNP_RMP_SUCCESS);
    assert_false(ents[10].validated);
    /* FAIL_OVERLAP: 2M over assigned 4K pages, and 4K inside an assigned 2M page. */
    assert_int_equal(upd(0, true, true, false, 1, 0x200000), SNP_RMP_FAIL_OVERLAP);
    /* FAIL_PERMISSION on an immutable entry (PRE_GUEST). */
    assert_int_equal(upd(11, true, false, true, 1, 0x2000), SNP_RMP_SUCCESS);
    assert_int_equal(upd(11, false, false, false, 0, 0), SNP_RMP_FAIL_PERMISSION);
    assert_int_equal(upd(512, true, true, false, 2, 0x400000), SNP_RMP_SUCCESS);
    assert_int_equal(upd(513, true, false, false, 2, 0x1000), SNP_RMP_FAIL_OVERLAP);
    assert_int_equal(upd(512, true, false, false, 2, 0x1000), SNP_RMP_FAIL_OVERLAP);
    assert_int_equal(counts[2], 512);
    /* Unassigning as 2M gives the region back. */
    assert_int_equal(upd(512, false, true, false, 0, 0), SNP_RMP_SUCCESS);
    assert_int_equal(counts[2], 0);
}

/* ---- §2.2 PSMASH ------------------------------------------------------------------- */

static void
test_psmash(void **state)
{
    (void)state;
    assert_int_equal(snp_rmp_psmash(&R, P(512)), SNP_RMP_FAIL_INPUT); /* not a 2M page */
    assert_int_equal(upd(512, true, true, false, 2, 0x400000), SNP_RMP_SUCCESS);
    assert_int_equal(snp_rmp_pvalidate(&R, P(512), 0x400000, 2, 0, true, true).rax, 0);
    assert_int_equal(snp_rmp_psmash(&R, P(513)), SNP_RMP_FAIL_INPUT); /* not 2M aligned */
    assert_int_equal(snp_rmp_psmash(&R, P(512)), SNP_RMP_SUCCESS);
    inv();
    /* Validated preserved, GPA = base + i*4K. */
    assert_true(ents[700].validated && ents[700].assigned && !ents[700].page_2m);
    assert_int_equal(ents[700].gpa, 0x400000 + (700 - 512) * 4096);
    assert_int_equal(counts[2], 512);
}

/* ---- §1.3 RMPREAD ------------------------------------------------------------------ */

static void
test_rmpread(void **state)
{
    struct snp_rmpread out;
    (void)state;
    guest_valid(10, 0x1000);
    assert_int_equal(snp_rmp_read(&R, P(10), &out), SNP_RMP_SUCCESS);
    assert_true(out.assigned && !out.page_2m && !out.immutable && out.region_2m_assigned);
    assert_int_equal(out.asid, 1);
    assert_int_equal(out.gpa, 0x1000);
    assert_int_equal(snp_rmp_read(&R, P(NPAGES), &out), SNP_RMP_FAIL_INPUT);
}

/* ---- §2.3 PVALIDATE ---------------------------------------------------------------- */

static void
test_pvalidate_codes(void **state)
{
    struct snp_hw_result r;
    (void)state;
    assert_int_equal(upd(10, true, false, false, 1, 0x1000), 0);
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 1, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_OK);
    assert_int_equal(r.rax, SNP_RMP_SUCCESS);
    assert_false(r.cf); /* changed */
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 1, 0, false, true);
    assert_true(r.cf); /* double validation: CF=1 */
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 1, 0, false, false);
    assert_false(r.cf);
    assert_false(ents[10].validated);
    /* Wrong ASID / GPA / unassigned: #NPF RMP. */
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 2, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_NPF);
    r = snp_rmp_pvalidate(&R, P(10), 0x2000, 1, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_NPF);
    r = snp_rmp_pvalidate(&R, P(30), 0x1000, 1, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_NPF);
    /* 2M on 4K entries: FAIL_SIZEMISMATCH; misaligned 2M: FAIL_INPUT. */
    assert_int_equal(upd(0, true, false, false, 1, 0), 0);
    r = snp_rmp_pvalidate(&R, P(0), 0, 1, 0, true, true);
    assert_int_equal(r.rax, SNP_RMP_FAIL_SIZEMISMATCH);
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 1, 0, true, true);
    assert_int_equal(r.rax, SNP_RMP_FAIL_INPUT);
    /* 4K on a 2M entry: #NPF RMP+SIZEM. */
    assert_int_equal(upd(512, true, true, false, 1, 0x400000), 0);
    r = snp_rmp_pvalidate(&R, P(513), 0x401000, 1, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_NPF);
    assert_true((r.error_code & SNP_NPF_SIZEM) != 0);
    /* VMPL > 0: FAIL_PERMISSION (§11.5 assumption). */
    r = snp_rmp_pvalidate(&R, P(10), 0x1000, 1, 1, false, true);
    assert_int_equal(r.rax, SNP_RMP_FAIL_PERMISSION);
    /* Immutable (PRE_GUEST) page: the CPU cannot change it. */
    assert_int_equal(upd(11, true, false, true, 1, 0x2000), 0);
    r = snp_rmp_pvalidate(&R, P(11), 0x2000, 1, 0, false, true);
    assert_int_equal(r.fault, SNP_HW_NPF);
    inv();
}

/* ---- §2.4 RMPADJUST, §2.5 RMPQUERY ------------------------------------------------- */

static void
test_rmpadjust_codes(void **state)
{
    struct snp_hw_result r;
    uint8_t perms;
    bool p2m;
    (void)state;
    guest_valid(10, 0x1000);
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 0, false, 2 | (0x3u << 8));
    assert_int_equal(r.rax, SNP_RMP_SUCCESS);
    assert_int_equal(ents[10].vmpl_perms[2], 3);
    /* Target <= executing VMPL. */
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 2, false, 2 | (0x1u << 8));
    assert_int_equal(r.rax, SNP_RMP_FAIL_PERMISSION);
    /* VMPL2 granting VMPL3 more than it has (X). */
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 2, false, 3 | (SNP_VMPL_PERM_XS << 8));
    assert_int_equal(r.rax, SNP_RMP_FAIL_PERMISSION);
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 2, false, 3 | (SNP_VMPL_PERM_R << 8));
    assert_int_equal(r.rax, SNP_RMP_SUCCESS);
    /* Reserved bits / VMPL 4: FAIL_INPUT. */
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 0, false, 1 | (UINT64_C(1) << 20));
    assert_int_equal(r.rax, SNP_RMP_FAIL_INPUT);
    r = snp_rmp_adjust(&R, P(10), 0x1000, 1, 0, false, 4);
    assert_int_equal(r.rax, SNP_RMP_FAIL_INPUT);
    /* 2M on 4K: FAIL_SIZEMISMATCH; not owned: #NPF. */
    assert_int_equal(upd(0, true, false, false, 1, 0), 0);
    r = snp_rmp_adjust(&R, P(0), 0, 1, 0, true, 1);
    assert_int_equal(r.rax, SNP_RMP_FAIL_SIZEMISMATCH);
    r = snp_rmp_adjust(&R, P(10), 0x1000, 3, 0, false, 1);
    assert_int_equal(r.fault, SNP_HW_NPF);
    /* RMPQUERY reads it back. */
    r = snp_rmp_query(&R, P(10), 0x1000, 1, 0, 2, &perms, &p2m);
    assert_int_equal(r.rax, SNP_RMP_SUCCESS);
    assert_int_equal(perms, 3);
    assert_false(p2m);
    r = snp_rmp_query(&R, P(10), 0x1000, 1, 2, 1, &perms, &p2m);
    assert_int_equal(r.rax, SNP_RMP_FAIL_PERMISSION);
    inv();
}

static void
test_invariant_checker_catches(void **state)
{
    char why[128];
    (void)state;
    guest_valid(10, 0x1000);
    ents[10].asid = 0; /* validated but unowned: impossible state */
    T_ERR(snp_rmp_check_invariants(&R, why, sizeof(why)), SNP_E_STATE);
    assert_non_null(strstr(why, "I2"));
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        T(test_host_read_any_state),
        T(test_host_write_hypervisor_ok),
        T(test_host_write_assigned_pf_rmp),
        T(test_host_write_hv_fixed_pf_rmp),
        T(test_host_write_large_mapping),
        T(test_guest_rows),
        T(test_guest_unvalidated_vc),
        T(test_guest_vmpl_permissions),
        T(test_guest_vmsa_page),
        T(test_rmpupdate_codes),
        T(test_psmash),
        T(test_rmpread),
        T(test_pvalidate_codes),
        T(test_rmpadjust_codes),
        T(test_invariant_checker_catches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
