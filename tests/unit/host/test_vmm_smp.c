/*
 * tests/unit/host/test_vmm_smp.c - the honest VMM (host/) and the guest program
 * (guest/app_main.c) on a simulated machine, for what test_vmm.c does not cover:
 *
 * - page state changes both ways through snp_vmm_run(): `snpkit.app=psctest` accepts two pages
 *   (GHCB PSC to private + PVALIDATE), shares them (PVALIDATE rescind, PSC to shared: the
 *   host's RMPUPDATE makes them hypervisor-owned) and writes a value the host reads in
 *   plaintext, then takes them back (PSC to private, PVALIDATE) and writes a secret the host
 *   can no longer read (nor write);
 * - AP bring-up: with 2 and 4 vCPUs the BSP creates every AP with NAE AP_CREATION (the launch
 *   VMSA), the VMM runs them round-robin, each AP checks in; with 1 vCPU there is no AP.
 */
#include "helpers.h"

#include "guest/app.h"
#include "sim/host_if.h"
#include "snpkit/machine.h"
#include "vmm_fixture.h"
#include "snpkit/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED "vmm smp test chip"

static uint64_t rng_state = 0x0123456789abcdefull;

static struct snp_machine *
machine(void)
{
    return vmm_fx_machine(SEED, &rng_state, true);
}

/* The outside world: no requests, just SHUTDOWN after HELLO. */
static snp_err
chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    (void)ctx;
    (void)from;
    (void)len;
    assert_true(cap >= 4);
    memset(to, 0, 4);
    to[0] = SNP_CHAN_OP_SHUTDOWN;
    *to_len = 4;
    return SNP_OK;
}

struct watch {
    struct snp_machine *m;
    struct snp_vmm *v;
    char lines[32][64];
    int nlines;
    /* psctest observations, made by the host while the guest waits in its console OUT */
    int shared_seen, shared_unassigned, secret_seen, private_assigned, host_write_faults;
};

static bool
page_has(struct snp_machine *m, const struct snp_vmm *v, uint64_t gpa, const char *needle)
{
    static uint8_t page[4096];
    uint64_t spa = 0;
    size_t n = strlen(needle);

    T_OK(snp_vmm_gpa_spa(v, gpa, &spa));
    assert_int_equal(snp_host_read(m, spa, page, sizeof(page)), SNP_HW_OK);
    for (size_t i = 0; i + n <= sizeof(page); i++) {
        if (memcmp(page + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Is the RMP entry of the page at @gpa assigned (guest-owned)? */
static bool
assigned(struct snp_machine *m, const struct snp_vmm *v, uint64_t gpa)
{
    struct snp_rmpread r;
    uint64_t spa = 0;

    T_OK(snp_vmm_gpa_spa(v, gpa, &spa));
    assert_int_equal(snp_host_rmpread(m, spa, &r), SNP_RMP_SUCCESS);
    return r.assigned;
}

static void
on_console(void *ctx, const char *line)
{
    struct watch *w = ctx;
    const uint64_t gpa = SNP_APP_PSC_GPA;

    if (w->nlines < 32) {
        snprintf(w->lines[w->nlines++], sizeof(w->lines[0]), "%s", line);
    }
    if (strcmp(line, "psctest: shared") == 0) {
        w->shared_seen = page_has(w->m, w->v, gpa, SNP_APP_PSC_SHARED);
        w->shared_unassigned = 1;
        for (uint64_t i = 0; i < SNP_APP_PSC_PAGES; i++) {
            w->shared_unassigned &= !assigned(w->m, w->v, gpa + i * 4096);
        }
    } else if (strcmp(line, "psctest: private") == 0) {
        uint64_t spa = 0, pf = 0;
        static const uint8_t junk[16] = {0};
        w->secret_seen = 0;
        for (uint64_t g = 0; g < (uint64_t)SNP_VMM_MEM_PAGES * 4096; g += 4096) {
            w->secret_seen |= page_has(w->m, w->v, g, SNP_APP_PSC_SECRET);
        }
        w->private_assigned = 1;
        for (uint64_t i = 0; i < SNP_APP_PSC_PAGES; i++) {
            w->private_assigned &= assigned(w->m, w->v, gpa + i * 4096);
        }
        T_OK(snp_vmm_gpa_spa(w->v, gpa, &spa));
        w->host_write_faults =
            snp_host_write(w->m, spa, junk, sizeof(junk), &pf) == SNP_HW_PF ? 1 : 0;
    }
}

static bool
has_line(const struct watch *w, const char *line)
{
    for (int i = 0; i < w->nlines; i++) {
        if (strcmp(w->lines[i], line) == 0) {
            return true;
        }
    }
    return false;
}

static struct snp_vmm_status
run(struct watch *w, const char *cmdline, uint32_t vcpus)
{
    struct snp_vmm_launch l;
    struct snp_vmm_status st;

    memset(w, 0, sizeof(*w));
    w->m = machine();
    snp_vmm_launch_default(&l);
    l.cmdline = cmdline;
    l.vcpus = vcpus;
    l.entry = snp_guest_app_main;
    T_OK(snp_vmm_new(&w->v, w->m, &l, NULL));
    snp_vmm_set_channel(w->v, chan, w);
    snp_vmm_set_console(w->v, on_console, w);
    T_OK(snp_vmm_run(w->v, 200000, &st));
    if (st.stop != SNP_VMM_STOP_SHUTDOWN) {
        print_message("stop %d term %u/%u last 0x%llx exits %llu\n", (int)st.stop, st.term_set,
                      st.term_code, (unsigned long long)st.last_exit, (unsigned long long)st.exits);
    }
    return st;
}

static void
done(struct watch *w)
{
    snp_vmm_free(w->v);
    snp_machine_free(w->m);
}

static void
test_psc_both_ways(void **state)
{
    struct watch *w = calloc(1, sizeof(*w));
    struct snp_vmm_status st;

    (void)state;
    st = run(w, "console=ttyS0 snpkit.app=psctest", 1);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_true(has_line(w, "psctest: shared"));
    assert_true(has_line(w, "psctest: private"));
    assert_true(w->shared_seen);       /* shared: the host reads the guest's value */
    assert_true(w->shared_unassigned); /* RMPUPDATE made both pages hypervisor-owned */
    assert_false(w->secret_seen);      /* private again: ciphertext to the host */
    assert_true(w->private_assigned);
    assert_true(w->host_write_faults); /* and the host can no longer write it */
    /* the PSC pages are private at the end too */
    assert_false(page_has(w->m, w->v, SNP_APP_PSC_GPA, SNP_APP_PSC_SECRET));
    done(w);
    free(w);
}

static void
smp(uint32_t vcpus)
{
    struct watch *w = calloc(1, sizeof(*w));
    struct snp_vmm_status st;
    char want[40];

    st = run(w, NULL, vcpus);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    for (uint32_t id = 1; id < SNP_APP_MAX_VCPUS; id++) {
        snprintf(want, sizeof(want), "snpkit guest: AP %u up", id);
        assert_int_equal(has_line(w, want), id < vcpus);
    }
    snprintf(want, sizeof(want), "snpkit guest: %u vCPUs running", vcpus);
    assert_int_equal(has_line(w, want), vcpus > 1);
    assert_false(has_line(w, "snpkit guest: an AP did not start"));
    assert_true(has_line(w, "snpkit guest: app=agent")); /* the BSP went on to its app */
    done(w);
    free(w);
}

static void
test_ap_bringup_2(void **state)
{
    (void)state;
    smp(2);
}

static void
test_ap_bringup_4(void **state)
{
    (void)state;
    smp(4);
}

static void
test_ap_bringup_1(void **state)
{
    (void)state;
    smp(1); /* the hypervisor refuses APIC ID 1: no AP, the guest carries on */
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psc_both_ways),
        cmocka_unit_test(test_ap_bringup_1),
        cmocka_unit_test(test_ap_bringup_2),
        cmocka_unit_test(test_ap_bringup_4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
