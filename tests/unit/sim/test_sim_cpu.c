/*
 * tests/unit/sim/test_sim_cpu.c - vCPUs: VMRUN/VMEXIT with guest code as coroutines, the
 * plain-VM baseline (save area visible and writable), VMSA sealing for SNP (hardware.md §4),
 * #NPF exits and retry, #VC delivery (0x404, NAE CPUID), the GHCB MSR, SEV_STATUS, the
 * preemption tick, VMRUN checks, the cycle counter and the three injection modes (§10.1).
 * The test struct passed as @arg is the observer's notebook, not a channel the model offers.
 */
#include "sim_fixture.h"

#define SECRET UINT64_C(0x5EC2E75EC2E75EC2)
#define SHARED ((uint64_t)(FX_PAGES - 1) * SNP_PAGE_SIZE) /* GPA of the shared page */

struct note {
    uint64_t v[8];
    unsigned vc_count;
    uint64_t vc_code;
    uint8_t vector;
    unsigned events;
};

static uint64_t
priv(struct snp_guest *g, uint64_t gpa)
{
    return gpa | snp_guest_cbit_mask(g);
}

/* ---- plain VM: everything visible ------------------------------------------------------ */

static void
g_plain_cpuid(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    uint32_t out[4];
    snp_guest_regs(g)->r15 = SECRET;
    snp_guest_cpuid(g, 0x1234, 0, out);
    n->v[0] = out[1];
    n->v[1] = snp_guest_pvalidate(g, 0, false, true).fault;
}

static void
test_plain_vm_baseline(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct note n = {0};
    struct snp_vmexit ex;
    struct snp_vmsa s;
    uint8_t page[4096];
    uint64_t err;
    uint32_t cpu = fx_vm(m, SNP_VM_PLAIN, 0, g_plain_cpuid, &n, NULL);

    (void)state;
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_CPUID);
    /* The host reads the guest's registers in the save area ... */
    assert_int_equal(snp_host_read(m, FX_VMSA_SPA, page, sizeof(page)), SNP_HW_OK);
    T_OK(snp_vmsa_decode(&s, page, sizeof(page), NULL));
    assert_int_equal(s.rax, 0x1234);
    assert_int_equal(s.r15, SECRET);
    /* ... and writes the answer there. */
    s.rbx = 0xBEEF;
    T_OK(snp_vmsa_encode(page, &s));
    assert_int_equal(snp_host_write(m, FX_VMSA_SPA, page, sizeof(page), &err), SNP_HW_OK);
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.v[0], 0xBEEF);
    assert_int_equal(n.v[1], SNP_HW_UD); /* PVALIDATE outside an SNP guest */
    T_ERR(snp_host_vmrun(m, cpu, &ex), SNP_E_STATE);
    fx_check(m);
    snp_machine_free(m);
}

/* ---- SNP: the VMSA is sealed ------------------------------------------------------------ */

static void
g_seal(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    uint64_t st = 0;
    snp_guest_regs(g)->rax = SECRET;
    snp_guest_regs(g)->r15 = SECRET;
    snp_guest_vmgexit(g);
    n->v[0] = snp_guest_regs(g)->rax;
    n->v[1] = snp_guest_regs(g)->r15;
    assert_int_equal(snp_guest_rdmsr(g, SNP_MSR_SEV_STATUS, &st), SNP_HW_OK);
    n->v[2] = st;
    n->v[3] = snp_guest_wrmsr(g, SNP_MSR_SEV_STATUS, 0);
}

static void
test_snp_vmsa_sealed(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct note n = {0};
    struct snp_vmexit ex;
    uint8_t page[4096], secret[8];
    uint64_t err;
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, 0, g_seal, &n, NULL);

    (void)state;
    for (int i = 0; i < 8; i++) {
        secret[i] = (uint8_t)(SECRET >> (8 * i));
    }
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_VMGEXIT);
    /* C2: the host's view of the VMSA page is ciphertext, and it cannot write it. */
    assert_int_equal(snp_host_read(m, FX_VMSA_SPA, page, sizeof(page)), SNP_HW_OK);
    assert_false(fx_contains(page, sizeof(page), secret, sizeof(secret)));
    assert_int_equal(snp_host_write(m, FX_VMSA_SPA + 0x1F8, secret, 8, &err), SNP_HW_PF);
    assert_true((err & SNP_PFERR_RMP) != 0);
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.v[0], SECRET); /* restored from the sealed VMSA */
    assert_int_equal(n.v[1], SECRET);
    assert_int_equal(n.v[2] & 0x7, 0x7); /* SEV, SEV-ES, SNP */
    assert_int_equal(n.v[3], SNP_HW_GP);
    fx_check(m);
    snp_machine_free(m);
}

/* ---- #NPF exit, RMPUPDATE, #VC 0x404, PVALIDATE ---------------------------------------- */

static struct note *vc_note;

static void
vc_validate(struct snp_guest *g, uint64_t code, uint64_t info)
{
    vc_note->vc_count++;
    vc_note->vc_code = code;
    if (code == SNP_VC_PAGE_NOT_VALIDATED) {
        struct snp_hw_result r = snp_guest_pvalidate(g, info, false, true);
        vc_note->v[5] = r.rax;
        vc_note->v[6] = r.cf;
    } else if (code == SNP_EXIT_CPUID) {
        /* GHCB MSR protocol (§5.3): CPUID request, VMGEXIT, read the answer. */
        uint64_t msr = 0;
        (void)snp_guest_wrmsr(g, SNP_MSR_GHCB, ((uint64_t)snp_guest_regs(g)->rax << 32) | 0x4);
        snp_guest_vmgexit(g);
        (void)snp_guest_rdmsr(g, SNP_MSR_GHCB, &msr);
        snp_guest_regs(g)->rax = msr >> 32;
    }
}

static void
g_touch_new_page(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    uint64_t x = 0;
    snp_guest_set_vc_handler(g, vc_validate);
    snp_guest_read(g, priv(g, 0x20000), &x, sizeof(x));
    n->v[0] = x;
}

static void
test_npf_then_vc_404(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct note n = {0};
    struct snp_vmexit ex;
    uint32_t vm = 0;
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, 0, g_touch_new_page, &n, &vm);
    struct snp_rmpupdate_desc d = {0x20000, true, false, false, FX_ASID};
    uint64_t spa = UINT64_C(0x400000);

    (void)state;
    vc_note = &n;
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_NPF); /* GPA 0x20000 not mapped */
    assert_int_equal(ex.info2, 0x20000);
    assert_true((ex.info1 & SNP_NPF_GPA) != 0);
    /* Map it without assigning: private access to a hypervisor page -> #NPF RMP. */
    T_OK(snp_host_npt_set(m, vm, 0x20, spa | SNP_NPT_PRESENT | SNP_NPT_WRITE));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_NPF);
    assert_true((ex.info1 & (SNP_PFERR_RMP | SNP_NPF_ENC)) == (SNP_PFERR_RMP | SNP_NPF_ENC));
    /* Assign it: the guest now takes #VC 0x404, validates, and retries. */
    assert_int_equal(snp_host_rmpupdate(m, spa, &d), SNP_RMP_SUCCESS);
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.vc_count, 1);
    assert_int_equal(n.vc_code, SNP_VC_PAGE_NOT_VALIDATED);
    assert_int_equal(n.v[5], SNP_RMP_SUCCESS);
    assert_int_equal(n.v[6], 0); /* CF=0: it changed */
    fx_check(m);
    snp_machine_free(m);
}

static void
g_cpuid_vc(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    uint32_t out[4];
    snp_guest_set_vc_handler(g, vc_validate);
    snp_guest_cpuid(g, 0x8000001F, 0, out);
    n->v[0] = out[0];
}

static void
test_snp_cpuid_is_vc_with_ghcb_msr(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct note n = {0};
    struct snp_vmexit ex;
    uint64_t msr = 0;
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, 0, g_cpuid_vc, &n, NULL);

    (void)state;
    vc_note = &n;
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_VMGEXIT); /* no CPUID exit: a #VC, then the GHCB */
    T_OK(snp_host_ghcb_msr_get(m, cpu, &msr));
    assert_int_equal(msr, (UINT64_C(0x8000001F) << 32) | 0x4);
    T_OK(snp_host_ghcb_msr_set(m, cpu, (UINT64_C(0x1234567) << 32) | 0x5));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.vc_code, SNP_EXIT_CPUID);
    assert_int_equal(n.v[0], 0x1234567);
    snp_machine_free(m);
}

/* ---- preemption tick and cycles --------------------------------------------------------- */

static void
g_spin(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    uint64_t c0 = snp_guest_cycles(g);
    for (uint64_t i = 0; i < 100; i++) {
        snp_guest_write(g, priv(g, 0x1000), &i, sizeof(i));
    }
    n->v[0] = snp_guest_cycles(g) - c0;
}

static void
test_preemption_tick(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct note n = {0};
    struct snp_vmexit ex;
    unsigned intr = 0;
    uint64_t c0 = snp_host_cycles(m);
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, 0, g_spin, &n, NULL);

    (void)state;
    T_OK(snp_host_vcpu_set_tick(m, cpu, 10));
    do {
        T_OK(snp_host_vmrun(m, cpu, &ex));
        intr += ex.code == SNP_EXIT_INTR;
        fx_check(m);
    } while (ex.code == SNP_EXIT_INTR);
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    assert_int_equal(intr, 10);
    assert_true(n.v[0] >= 100);
    assert_true(snp_host_cycles(m) > c0);
    snp_machine_free(m);
}

/* ---- VMRUN checks ------------------------------------------------------------------------ */

static void
g_nop(struct snp_guest *g, void *arg)
{
    (void)g;
    (void)arg;
}

static void
test_vmrun_checks_vmsa(void **state)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct snp_vmexit ex;
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, 0, g_nop, NULL, NULL);

    (void)state;
    /* A guest data page is not a VMSA: VMRUN refuses (the host cannot substitute one). */
    T_OK(snp_host_vcpu_set_vmsa(m, cpu, FX_GUEST_SPA));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_INVALID);
    T_OK(snp_host_vcpu_set_vmsa(m, cpu, FX_VMSA_SPA));
    /* No key: VMRUN refuses. */
    T_OK(snp_keyslot_clear(m, FX_ASID));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_INVALID);
    T_OK(snp_keyslot_program(m, FX_ASID, fx_key, sizeof(fx_key)));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_SHUTDOWN);
    T_ERR(snp_host_vmrun(m, 99, &ex), SNP_E_ARG);
    snp_machine_free(m);
}

/* ---- injection modes (§10.1) -------------------------------------------------------------- */

static void
ev_handler(struct snp_guest *g, uint8_t vector, uint8_t type, uint32_t code)
{
    (void)g;
    (void)type;
    (void)code;
    vc_note->events++;
    vc_note->vector = vector;
}

static void
g_wait(struct snp_guest *g, void *arg)
{
    (void)arg;
    snp_guest_set_event_handler(g, ev_handler);
    snp_guest_set_vc_handler(g, vc_validate);
    snp_guest_hlt(g);
}

#define EV(vec, type) (SNP_VMSA_EVENTINJ_VALID | ((uint64_t)(type) << 8) | (vec))

static uint64_t
run_injected(uint64_t features, uint64_t ev, struct note *n)
{
    struct snp_machine *m = fx_machine(0, 8);
    struct snp_vmexit ex;
    uint32_t cpu = fx_vm(m, SNP_VM_SNP, features, g_wait, n, NULL);

    vc_note = n;
    T_OK(snp_host_vmrun(m, cpu, &ex));
    assert_int_equal(ex.code, SNP_EXIT_HLT);
    T_OK(snp_host_inject(m, cpu, ev));
    T_OK(snp_host_vmrun(m, cpu, &ex));
    snp_machine_free(m);
    return ex.code;
}

static void
test_injection_default(void **state)
{
    struct note n = {0};
    (void)state;
    assert_int_equal(run_injected(0, EV(0x20, 0), &n), SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.events, 1);
    assert_int_equal(n.vector, 0x20);
    /* A malicious host can also fake a #VC with any error code (WeSee-style). */
    memset(&n, 0, sizeof(n));
    assert_int_equal(run_injected(0, EV(29, 3) | SNP_VMSA_EVENTINJ_EV | (UINT64_C(0x7B) << 32), &n),
                     SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.vc_count, 1);
    assert_int_equal(n.vc_code, 0x7B);
}

static void
test_injection_restricted(void **state)
{
    struct note n = {0};
    (void)state;
    /* Only #HV (28) gets in; anything else fails the VMRUN. */
    assert_int_equal(run_injected(SNP_VMSA_FEAT_RESTRICTED_INJECTION, EV(0x20, 0), &n),
                     SNP_EXIT_INVALID);
    assert_int_equal(n.events, 0);
    assert_int_equal(run_injected(SNP_VMSA_FEAT_RESTRICTED_INJECTION, EV(29, 3), &n),
                     SNP_EXIT_INVALID);
    assert_int_equal(n.vc_count, 0);
    assert_int_equal(run_injected(SNP_VMSA_FEAT_RESTRICTED_INJECTION, EV(SNP_VECTOR_HV, 3), &n),
                     SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.events, 1);
    assert_int_equal(n.vector, SNP_VECTOR_HV);
}

static void
test_injection_alternate(void **state)
{
    struct note n = {0};
    (void)state;
    /* The VMCB's EVENTINJ is ignored: nothing reaches the guest. */
    assert_int_equal(run_injected(SNP_VMSA_FEAT_ALTERNATE_INJECTION, EV(0x20, 0), &n),
                     SNP_EXIT_SHUTDOWN);
    assert_int_equal(n.events, 0);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_vm_baseline),
        cmocka_unit_test(test_snp_vmsa_sealed),
        cmocka_unit_test(test_npf_then_vc_404),
        cmocka_unit_test(test_snp_cpuid_is_vc_with_ghcb_msr),
        cmocka_unit_test(test_preemption_tick),
        cmocka_unit_test(test_vmrun_checks_vmsa),
        cmocka_unit_test(test_injection_default),
        cmocka_unit_test(test_injection_restricted),
        cmocka_unit_test(test_injection_alternate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
