/*
 * tests/unit/sim/test_sim_rmp_diff.c - the RMP against a deliberately naive twin (STYLE.md
 * §9.1, WireGuard's horrible_allowedips idea): a flat array where every question is answered
 * by scanning, written straight from hardware.md §1.4-§2.4 without SubPageCount or counters.
 * Random operation sequences must give the same return codes, faults and architectural view,
 * with the invariant checker after every step.
 */
#include "helpers.h"

#include "sim/rmp.h"

#include <string.h>

#define NP  1024
#define R2M 512u

struct nv {
    bool assigned, p2m, imm, val, vmsa;
    uint32_t asid;
    uint64_t gpa;
    uint8_t perms[4];
};

static struct nv tw[NP];

/* §1.4 by scanning: an assigned 2M entry covering pfn governs it. */
static struct nv *
n_gov(uint64_t pfn, uint64_t *gpa)
{
    for (uint64_t j = 0; j < NP; j++) {
        if (tw[j].assigned && tw[j].p2m && j <= pfn && pfn < j + R2M) {
            *gpa = tw[j].gpa + ((pfn - j) << 12);
            return &tw[j];
        }
    }
    *gpa = tw[pfn].gpa;
    return &tw[pfn];
}

static bool
n_any4k(uint64_t base)
{
    for (uint64_t j = base; j < base + R2M; j++) {
        if (tw[j].assigned && !tw[j].p2m) {
            return true;
        }
    }
    return false;
}

static bool
n_any_imm(uint64_t base)
{
    for (uint64_t j = base; j < base + R2M; j++) {
        if (tw[j].imm) {
            return true;
        }
    }
    return false;
}

static enum snp_rmp_ret
n_update(uint64_t pfn, const struct snp_rmpupdate_desc *d)
{
    uint64_t g;
    struct nv *gv;
    struct nv n;

    if (pfn >= NP || d->asid > 15 || (d->gpa & 0xFFF) != 0 ||
        (d->page_2m && (pfn % R2M != 0 || d->gpa % (R2M << 12) != 0)) ||
        (!d->assigned && (d->asid != 0 || d->gpa != 0))) {
        return SNP_RMP_FAIL_INPUT;
    }
    memset(&n, 0, sizeof(n));
    n.assigned = d->assigned;
    n.imm = d->assigned && d->immutable;
    n.asid = d->asid;
    n.gpa = d->gpa;
    if (d->page_2m) {
        if (n_any_imm(pfn)) {
            return SNP_RMP_FAIL_PERMISSION;
        }
        if (!(tw[pfn].assigned && tw[pfn].p2m) && n_any4k(pfn)) {
            return SNP_RMP_FAIL_OVERLAP;
        }
        n.p2m = d->assigned;
        tw[pfn] = n;
        return SNP_RMP_SUCCESS;
    }
    gv = n_gov(pfn, &g);
    if (gv->imm || tw[pfn].imm) {
        return SNP_RMP_FAIL_PERMISSION;
    }
    if (gv->assigned && gv->p2m) {
        return SNP_RMP_FAIL_OVERLAP;
    }
    tw[pfn] = n;
    return SNP_RMP_SUCCESS;
}

static enum snp_rmp_ret
n_psmash(uint64_t pfn)
{
    struct nv e;
    if (pfn >= NP || pfn % R2M != 0 || !(tw[pfn].assigned && tw[pfn].p2m)) {
        return SNP_RMP_FAIL_INPUT;
    }
    if (tw[pfn].imm) {
        return SNP_RMP_FAIL_PERMISSION;
    }
    e = tw[pfn];
    for (uint64_t i = 0; i < R2M; i++) {
        tw[pfn + i] = e;
        tw[pfn + i].p2m = false;
        tw[pfn + i].gpa = e.gpa + (i << 12);
    }
    return SNP_RMP_SUCCESS;
}

/* PVALIDATE (§2.3) written as the spec's numbered steps. */
static struct snp_hw_result
n_pvalidate(uint64_t pfn, uint64_t gpa, uint32_t asid, uint8_t vmpl, bool p2m, bool val)
{
    struct snp_hw_result r = {SNP_HW_OK, 0, 0, false};
    uint64_t g;
    struct nv *gv;

    if (p2m && ((pfn % R2M) != 0 || (gpa % (R2M << 12)) != 0)) {
        r.rax = SNP_RMP_FAIL_INPUT;
        return r;
    }
    gv = n_gov(pfn, &g);
    if (!gv->assigned || asid == 0 || gv->asid != asid || g != gpa || gv->imm) {
        r.fault = SNP_HW_NPF;
        return r;
    }
    if (!p2m && gv->p2m) {
        r.fault = SNP_HW_NPF;
        return r;
    }
    if (p2m && !gv->p2m) {
        r.rax = SNP_RMP_FAIL_SIZEMISMATCH;
        return r;
    }
    if (vmpl != 0) {
        r.rax = SNP_RMP_FAIL_PERMISSION;
        return r;
    }
    r.cf = gv->val == val;
    gv->val = val;
    return r;
}

/* The guest access table (§1.6.2) as one if-chain. */
static enum snp_hw_fault
n_guest(uint64_t pfn, uint64_t gpa, uint32_t asid, uint8_t vmpl, bool write, bool c, bool npt2m)
{
    uint64_t g;
    struct nv *gv = n_gov(pfn, &g);
    uint8_t need = write ? SNP_VMPL_PERM_W : SNP_VMPL_PERM_R;

    if (!c) {
        return gv->assigned ? SNP_HW_NPF : SNP_HW_OK;
    }
    if (!gv->assigned || asid == 0 || gv->asid != asid || g != gpa || npt2m != gv->p2m) {
        return SNP_HW_NPF;
    }
    if (!gv->val) {
        return SNP_HW_VC;
    }
    if (vmpl > 0 && (gv->perms[vmpl] & need) == 0) {
        return SNP_HW_NPF;
    }
    return gv->vmsa ? SNP_HW_NPF : SNP_HW_OK;
}

static uint64_t rng;

static uint64_t
rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

static uint64_t
pick_pfn(void)
{
    static const uint64_t hot[] = {0, 1, 2, 511, 512, 513, 700, 1023};
    return rnd(4) == 0 ? rnd(NP) : hot[rnd(8)];
}

static uint64_t
pick_gpa(uint64_t pfn, bool p2m)
{
    uint64_t base = p2m ? (pfn & ~(uint64_t)(R2M - 1)) : pfn;
    return rnd(3) == 0 ? (rnd(4) << 21) : (base << 12) + (rnd(2) << 21);
}

static void
compare_state(const struct snp_rmp *r, unsigned step)
{
    char why[128];
    if (snp_rmp_check_invariants(r, why, sizeof(why)) != SNP_OK) {
        fail_msg("step %u: %s", step, why);
    }
    for (uint64_t pfn = 0; pfn < NP; pfn++) {
        uint64_t ga = 0, gb = 0;
        const struct snp_rmp_entry *a = snp_rmp_governing(r, pfn, &ga);
        const struct nv *b = n_gov(pfn, &gb);
        if (a->assigned != b->assigned || a->asid != b->asid || ga != gb ||
            a->validated != b->val || a->immutable != b->imm || a->page_2m != b->p2m ||
            a->vmsa != b->vmsa || memcmp(&a->vmpl_perms[1], &b->perms[1], 3) != 0) {
            fail_msg("step %u: pfn %llu differs", step, (unsigned long long)pfn);
        }
    }
}

static void
test_differential(void **state)
{
    static struct snp_rmp_entry ents[NP];
    static uint64_t counts[16];
    struct snp_rmp r;

    (void)state;
    memset(ents, 0, sizeof(ents));
    memset(tw, 0, sizeof(tw));
    snp_rmp_init(&r, ents, counts, NP, 15);
    rng = 0x9E3779B97F4A7C15u;
    for (unsigned step = 0; step < 6000; step++) {
        uint64_t pfn = pick_pfn();
        unsigned op = (unsigned)rnd(6);
        bool p2m = rnd(5) == 0;
        uint32_t asid = (uint32_t)rnd(3);
        uint64_t gpa = pick_gpa(pfn, p2m);

        if (op == 0) {
            struct snp_rmpupdate_desc d = {gpa, rnd(3) != 0, p2m, rnd(8) == 0, asid};
            if (!d.assigned && rnd(2) == 0) {
                d.asid = 0;
                d.gpa = 0;
            }
            assert_int_equal(snp_rmp_update(&r, pfn << 12, &d), n_update(pfn, &d));
        } else if (op == 1) {
            assert_int_equal(snp_rmp_psmash(&r, pfn << 12), n_psmash(pfn));
        } else if (op == 2 || op == 3) {
            bool val = rnd(4) != 0;
            uint8_t vmpl = rnd(8) == 0 ? 1 : 0;
            struct snp_hw_result a = snp_rmp_pvalidate(&r, pfn << 12, gpa, asid, vmpl, p2m, val);
            struct snp_hw_result b = n_pvalidate(pfn, gpa, asid, vmpl, p2m, val);
            assert_int_equal(a.fault, b.fault);
            if (a.fault == SNP_HW_OK) {
                assert_int_equal(a.rax, b.rax);
                assert_int_equal(a.cf, b.cf);
            }
        } else {
            bool write = rnd(2) == 0, c = rnd(4) != 0;
            uint8_t vmpl = (uint8_t)rnd(2);
            uint64_t err = 0;
            struct snp_guest_access ga = {
                pfn << 12, gpa, asid, vmpl, write ? SNP_ACC_WRITE : SNP_ACC_READ, c, p2m};
            assert_int_equal(snp_rmp_check_guest(&r, &ga, &err),
                             n_guest(pfn, gpa, asid, vmpl, write, c, p2m));
        }
        if (step % 50 == 0 || op <= 1) {
            compare_state(&r, step);
        }
    }
    compare_state(&r, 6000);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
