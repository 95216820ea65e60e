/*
 * tests/unit/guest/test_guest_rt.c - the guest runtime (guest/runtime.c, mem.c, vc.c, cpuid.c,
 * gdev_sim.c) on a real simulated machine. The test plays the hypervisor through sim/host_if.h
 * (MSR protocol, GHCB page state change with RMPUPDATE, CPUID, and a fake PSP behind the guest
 * request NAE that decrypts with the VMPCK the test put in the secrets page).
 *
 * Covered: boot negotiation; CPUID answered from the CPUID page (the host's lie ignored), a
 * missing in-range leaf as zeros, a hypervisor leaf from the host; page state change both ways
 * (MSR protocol for one page, GHCB PSC for several) with PVALIDATE; double validation refused;
 * a page-not-validated #VC -> termination request (set 1, code 2); a hypervisor that fails a
 * PSC -> termination (set 1, code 1); the simulator attestation back end end to end (report,
 * sequence numbers in the secrets page, derived key).
 */
#include "unit/sim/sim_fixture.h"

#include "crypto/gcm.h"
#include "guest/gmsg.h"
#include "guest/runtime.h"
#include "snpkit/ghcb.h"
#include "snpkit/guest.h"
#include "snpkit/secrets.h"
#include "snpkit/util.h"

#define GHCB_GPA    UINT64_C(0xF000) /* frame 15: the fixture's shared page */
#define CPUID_GPA   UINT64_C(0x2000)
#define SECRETS_GPA UINT64_C(0x3000)
#define REQ_GPA     UINT64_C(0x16000) /* frames 22, 23, 24: shared */
#define RSP_GPA     UINT64_C(0x17000)
#define CERTS_GPA   UINT64_C(0x18000)
#define EXTRA_FIRST 16
#define EXTRA_LAST  31 /* frames 16..31 mapped, not assigned */

static const uint8_t vmpck0[32] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA,
                                   0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5,
                                   0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF};

struct note {
    snp_err boot, acc4, acc1, dbl, share, reacc, share_unvalidated, report, report2, key;
    uint32_t cpuid_page[4], cpuid_missing[4], cpuid_hv[4];
    uint64_t marker, secrets_seqno;
    bool validated16, validated16_after;
    uint8_t report_data_seen[64];
    bool key_ok;
    int phase;
};

struct host {
    struct snp_machine *m;
    uint32_t vm, cpu;
    bool terminated;
    uint8_t term_set, term_code;
    bool lie_psc;
    struct snp_gcm *gcm;
    uint64_t psp_counter;
};

static uint64_t
spa_of(uint64_t gpa)
{
    return FX_GUEST_SPA + gpa;
}

static void
cfg_init(struct snp_grt_config *c)
{
    memset(c, 0, sizeof(*c));
    c->mem_pages = 64;
    c->ghcb_gpa = GHCB_GPA;
    c->cpuid_gpa = CPUID_GPA;
    c->secrets_gpa = SECRETS_GPA;
    c->req_gpa = REQ_GPA;
    c->rsp_gpa = RSP_GPA;
    c->certs_gpa = CERTS_GPA;
    c->certs_pages = 1;
    c->prevalidated[0].gpa = 0;
    c->prevalidated[0].pages = 15; /* what the fixture's "launch" validated */
    c->n_prevalidated = 1;
}

/* ---- the hypervisor side ------------------------------------------------------------------- */

static void
host_rmp(struct host *h, uint64_t gfn, bool private_)
{
    struct snp_rmpupdate_desc d = {gfn << 12, private_, false, false, private_ ? FX_ASID : 0};
    if (!private_) {
        d.gpa = 0;
    }
    assert_int_equal(snp_host_rmpupdate(h->m, spa_of(gfn << 12), &d), SNP_RMP_SUCCESS);
}

static void
host_guest_request(struct host *h, struct snp_ghcb *g)
{
    uint8_t req[4096], rsp[4096], pt[4000], out[4000];
    struct snp_msg_hdr rq, rh;
    uint64_t err = 0;
    size_t out_len;

    assert_int_equal(snp_host_read(h->m, spa_of(g->sw_exitinfo1), req, sizeof(req)), SNP_HW_OK);
    T_OK(snp_gmsg_open_page(h->gcm, vmpck0, req, &rq, pt, sizeof(pt)));
    assert_int_equal(rq.msg_seqno, h->psp_counter + 1);
    memset(out, 0, sizeof(out));
    if (rq.msg_type == SNP_MSG_REPORT_REQ) {
        out_len = SNP_MSG_REPORT_RSP_SIZE;
        out[4] = 0xA0;
        out[5] = 0x04;
        memcpy(out + 0x20 + 0x50, pt, 64);
    } else {
        out_len = SNP_MSG_KEY_RSP_SIZE;
        memset(out + 0x20, 0x77, 32);
    }
    memset(&rh, 0, sizeof(rh));
    rh.msg_seqno = rq.msg_seqno + 1;
    rh.algo = 1;
    rh.hdr_version = 1;
    rh.hdr_size = 0x60;
    rh.msg_type = (uint8_t)(rq.msg_type + 1);
    rh.msg_version = rq.msg_version;
    rh.msg_size = (uint16_t)out_len;
    rh.msg_vmpck = rq.msg_vmpck;
    T_OK(snp_gmsg_seal(h->gcm, vmpck0, &rh, out, rsp));
    h->psp_counter += 2;
    assert_int_equal(snp_host_write(h->m, spa_of(g->sw_exitinfo2), rsp, sizeof(rsp), &err),
                     SNP_HW_OK);
    if (g->sw_exitcode == SNP_NAE_EXT_GUEST_REQUEST) {
        uint8_t certs[4096] = {0}; /* an empty table */
        assert_int_equal(snp_host_write(h->m, spa_of(g->rax), certs, sizeof(certs), &err),
                         SNP_HW_OK);
    }
    g->sw_exitinfo2 = 0;
}

static void
host_ghcb(struct host *h)
{
    uint8_t page[4096];
    struct snp_ghcb g;
    uint64_t err = 0;

    assert_int_equal(snp_host_read(h->m, spa_of(GHCB_GPA), page, sizeof(page)), SNP_HW_OK);
    T_OK(snp_ghcb_decode(&g, page, sizeof(page), NULL));
    snp_ghcb_clear_all_valid(&g);
    if (g.sw_exitcode == SNP_NAE_PSC) {
        struct snp_psc p;
        T_OK(snp_psc_decode(&p, g.shared_buffer, SNP_PSC_SIZE, NULL));
        for (unsigned i = p.cur_entry; i <= p.end_entry && !h->lie_psc; i++) {
            host_rmp(h, p.entries[i].gfn, p.entries[i].operation == SNP_PSC_OP_PRIVATE);
            p.entries[i].cur_page = 1;
        }
        if (!h->lie_psc) {
            p.cur_entry = (uint16_t)(p.end_entry + 1);
        }
        T_OK(snp_psc_encode(g.shared_buffer, &p));
        g.sw_exitinfo2 = h->lie_psc ? SNP_PSC_STATUS_GENERIC : 0;
    } else if (g.sw_exitcode == SNP_NAE_CPUID) {
        g.rax = 0xBAD;
        g.rbx = 0xBAD;
        g.rcx = 0xBAD;
        g.rdx = 0xBAD;
        T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RAX));
        T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RBX));
        T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RCX));
        T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RDX));
        g.sw_exitinfo2 = 0;
    } else if (g.sw_exitcode == SNP_NAE_GUEST_REQUEST ||
               g.sw_exitcode == SNP_NAE_EXT_GUEST_REQUEST) {
        host_guest_request(h, &g);
    } else {
        fail_msg("unexpected NAE 0x%llx", (unsigned long long)g.sw_exitcode);
    }
    g.sw_exitinfo1 = 0; /* §5.5: success */
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO1));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO2));
    T_OK(snp_ghcb_encode(page, &g));
    assert_int_equal(snp_host_write(h->m, spa_of(GHCB_GPA), page, sizeof(page), &err), SNP_HW_OK);
}

static void
host_msr(struct host *h, uint64_t v)
{
    struct snp_ghcb_msr q, r;
    uint64_t out = 0;
    uint32_t cpuid[4];

    T_OK(snp_ghcb_msr_decode(&q, v, NULL));
    memset(&r, 0, sizeof(r));
    switch (q.info) {
    case SNP_GHCB_MSR_SEV_INFO_REQ:
        snp_host_cpuid(h->m, 0x8000001F, 0, cpuid);
        r.info = SNP_GHCB_MSR_SEV_INFO_RESP;
        r.max_proto = 2;
        r.min_proto = 1;
        r.cbit = (uint8_t)(cpuid[1] & 0x3F);
        break;
    case SNP_GHCB_MSR_HV_FEATURES_REQ:
        r.info = SNP_GHCB_MSR_HV_FEATURES_RESP;
        r.data = SNP_GHCB_HV_FT_SNP | SNP_GHCB_HV_FT_SNP_AP_CREATION;
        break;
    case SNP_GHCB_MSR_REG_GPA_REQ:
        r.info = SNP_GHCB_MSR_REG_GPA_RESP;
        r.gfn = q.gfn;
        break;
    case SNP_GHCB_MSR_PSC_REQ:
        if (!h->lie_psc) {
            host_rmp(h, q.gfn, q.psc_op == SNP_PSC_OP_PRIVATE);
        }
        r.info = SNP_GHCB_MSR_PSC_RESP;
        break;
    case SNP_GHCB_MSR_TERM_REQ:
        h->terminated = true;
        h->term_set = q.reason_set;
        h->term_code = q.reason_code;
        return;
    default:
        fail_msg("unexpected MSR request 0x%llx", (unsigned long long)v);
    }
    T_OK(snp_ghcb_msr_encode(&r, &out));
    T_OK(snp_host_ghcb_msr_set(h->m, h->cpu, out));
}

/* Run until the guest returns or asks to terminate. */
static void
host_run(struct host *h)
{
    for (int i = 0; i < 10000 && !h->terminated; i++) {
        struct snp_vmexit ex;
        uint64_t v = 0;
        T_OK(snp_host_vmrun(h->m, h->cpu, &ex));
        if (ex.code == SNP_EXIT_SHUTDOWN) {
            return;
        }
        assert_int_equal(ex.code, SNP_EXIT_VMGEXIT);
        T_OK(snp_host_ghcb_msr_get(h->m, h->cpu, &v));
        if ((v & 0xFFF) != 0) {
            host_msr(h, v);
        } else {
            assert_int_equal(v, GHCB_GPA);
            host_ghcb(h);
        }
    }
}

static void
cpuid_entry(uint8_t *page, unsigned i, uint32_t leaf, uint32_t a, uint32_t b)
{
    uint8_t *e = page + 0x10 + 0x30 * i;
    memcpy(e, &leaf, 4); /* the test host is little-endian, as the model's DRAM */
    memcpy(e + 0x18, &a, 4);
    memcpy(e + 0x1C, &b, 4);
}

static void
host_setup(struct host *h, snp_guest_entry_fn fn, struct note *n)
{
    uint8_t page[4096];
    struct snp_secrets s;

    memset(h, 0, sizeof(*h));
    h->m = fx_machine(0, 8);
    h->cpu = fx_vm(h->m, SNP_VM_SNP, 0, fn, n, &h->vm);
    for (uint64_t gfn = EXTRA_FIRST; gfn <= EXTRA_LAST; gfn++) {
        T_OK(snp_host_npt_set(h->m, h->vm, gfn,
                              spa_of(gfn << 12) | SNP_NPT_PRESENT | SNP_NPT_WRITE));
    }
    /* The "PSP" writes the CPUID page and the secrets page at launch. */
    memset(page, 0, sizeof(page));
    page[0] = 2; /* COUNT */
    cpuid_entry(page, 0, 0x80000000, 0x80000021, 0x68747541);
    cpuid_entry(page, 1, 0x1, 0x00A10F11, 0x00800800);
    T_OK(snp_fw_mem_write(h->m, spa_of(CPUID_GPA), FX_ASID, page, sizeof(page)));
    memset(&s, 0, sizeof(s));
    s.version = 3;
    memcpy(s.vmpck[0], vmpck0, 32);
    memset(s.vmpck[1], 0x11, 32);
    T_OK(snp_secrets_encode(page, &s));
    T_OK(snp_fw_mem_write(h->m, spa_of(SECRETS_GPA), FX_ASID, page, sizeof(page)));
    snp_wipe(page, sizeof(page));
    T_OK(snp_gcm_new(&h->gcm));
}

static void
host_fini(struct host *h)
{
    fx_check(h->m);
    snp_gcm_free(h->gcm);
    snp_machine_free(h->m);
}

/* ---- guest programs ----------------------------------------------------------------------- */

static void
g_main(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    struct snp_grt_config c;
    struct snp_grt *rt = NULL;
    uint64_t x = 0x1122334455667788u, y = 0;

    cfg_init(&c);
    if (snp_grt_new(&rt, g, &c) != SNP_OK) {
        return;
    }
    n->boot = snp_grt_boot(rt);
    snp_guest_cpuid(g, 0x80000000, 0, n->cpuid_page);
    snp_guest_cpuid(g, 0x1234, 0, n->cpuid_missing);
    snp_guest_cpuid(g, 0x40000000, 0, n->cpuid_hv);
    n->acc4 = snp_grt_accept(rt, 16 << 12, 4); /* GHCB PSC */
    snp_guest_write(g, (UINT64_C(17) << 12) | snp_guest_cbit_mask(g), &x, sizeof(x));
    snp_guest_read(g, (UINT64_C(17) << 12) | snp_guest_cbit_mask(g), &y, sizeof(y));
    n->marker = y;
    n->acc1 = snp_grt_accept(rt, 20 << 12, 1); /* MSR protocol */
    n->dbl = snp_grt_accept(rt, 16 << 12, 1);
    n->validated16 = snp_grt_is_validated(rt, 16 << 12);
    n->share = snp_grt_share(rt, 16 << 12, 2);
    n->validated16_after = snp_grt_is_validated(rt, 16 << 12);
    n->share_unvalidated = snp_grt_share(rt, 16 << 12, 1);
    n->reacc = snp_grt_accept(rt, 16 << 12, 1);
    snp_grt_free(rt);
}

static void
test_boot_cpuid_psc(void **state)
{
    struct host h;
    struct note n;

    (void)state;
    memset(&n, 0, sizeof(n));
    host_setup(&h, g_main, &n);
    host_run(&h);
    assert_false(h.terminated);
    T_OK(n.boot);
    assert_int_equal(n.cpuid_page[0], 0x80000021); /* from the page, not the host's 0xBAD */
    assert_int_equal(n.cpuid_page[1], 0x68747541);
    assert_int_equal(n.cpuid_missing[0], 0); /* in range, not in the table: zeros */
    assert_int_equal(n.cpuid_hv[0], 0xBAD);  /* hypervisor leaf: the host answers */
    T_OK(n.acc4);
    assert_int_equal(n.marker, 0x1122334455667788u);
    T_OK(n.acc1);
    T_ERR(n.dbl, SNP_E_STATE); /* never validate a GPA twice */
    assert_true(n.validated16);
    T_OK(n.share);
    assert_false(n.validated16_after);
    T_ERR(n.share_unvalidated, SNP_E_STATE);
    T_OK(n.reacc);
    host_fini(&h);
}

static void
g_touch_unvalidated(struct snp_guest *g, void *arg)
{
    struct snp_grt_config c;
    struct snp_grt *rt = NULL;
    uint64_t y = 0;

    (void)arg;
    cfg_init(&c);
    if (snp_grt_new(&rt, g, &c) != SNP_OK || snp_grt_boot(rt) != SNP_OK) {
        return;
    }
    /* frame 21 was assigned by the host behind our back, never validated by us */
    snp_guest_read(g, (UINT64_C(21) << 12) | snp_guest_cbit_mask(g), &y, sizeof(y));
    snp_grt_free(rt);
}

static void
test_unvalidated_vc_terminates(void **state)
{
    struct host h;
    struct note n;

    (void)state;
    memset(&n, 0, sizeof(n));
    host_setup(&h, g_touch_unvalidated, &n);
    host_rmp(&h, 21, true);
    host_run(&h);
    assert_true(h.terminated);
    assert_int_equal(h.term_set, SNP_TERM_SET_LINUX);
    assert_int_equal(h.term_code, SNP_TERM_LINUX_PVALIDATE);
    snp_gcm_free(h.gcm);
    snp_machine_free(h.m);
}

static void
g_accept_only(struct snp_guest *g, void *arg)
{
    struct snp_grt_config c;
    struct snp_grt *rt = NULL;

    (void)arg;
    cfg_init(&c);
    if (snp_grt_new(&rt, g, &c) != SNP_OK || snp_grt_boot(rt) != SNP_OK) {
        return;
    }
    if (snp_grt_accept(rt, 16 << 12, 2) != SNP_OK) {
        return;
    }
    snp_grt_free(rt);
}

static void
test_psc_lie_terminates(void **state)
{
    struct host h;
    struct note n;

    (void)state;
    memset(&n, 0, sizeof(n));
    host_setup(&h, g_accept_only, &n);
    h.lie_psc = true; /* the host fails the page state change */
    host_run(&h);
    assert_true(h.terminated);
    assert_int_equal(h.term_set, SNP_TERM_SET_LINUX);
    assert_int_equal(h.term_code, SNP_TERM_LINUX_PSC);
    snp_gcm_free(h.gcm);
    snp_machine_free(h.m);
}

static void
g_attest(struct snp_guest *g, void *arg)
{
    struct note *n = arg;
    struct snp_grt_config c;
    struct snp_grt *rt = NULL;
    struct snp_guest_dev *d = NULL;
    uint8_t rd[64], report[SNP_REPORT_SIZE], certs[4096];
    size_t certs_len = 0;
    struct snp_msg_key_req k;
    struct snp_derived_key key;
    uint8_t want[32];
    uint8_t sec[8];

    cfg_init(&c);
    if (snp_grt_new(&rt, g, &c) != SNP_OK || snp_grt_boot(rt) != SNP_OK) {
        return;
    }
    n->boot = snp_grt_open_dev(rt, &d);
    if (n->boot != SNP_OK) {
        snp_grt_free(rt);
        return;
    }
    memset(rd, 0x3C, sizeof(rd));
    n->report = snp_guest_dev_get_report(d, rd, 0, report, NULL);
    memcpy(n->report_data_seen, report + 0x50, 64);
    n->report2 =
        snp_guest_dev_get_ext_report(d, rd, 0, report, certs, sizeof(certs), &certs_len, NULL);
    memset(&k, 0, sizeof(k));
    k.msg_version = 1;
    k.guest_field_select = SNP_GFS_MEASUREMENT;
    n->key = snp_guest_dev_get_derived_key(d, &k, &key, NULL);
    memset(want, 0x77, sizeof(want));
    n->key_ok = memcmp(key.key, want, 32) == 0;
    snp_wipe(&key, sizeof(key));
    snp_guest_read(g, (SECRETS_GPA + 0xA0) | snp_guest_cbit_mask(g), sec, 4);
    n->secrets_seqno = sec[0];
    snp_guest_dev_close(d);
    snp_grt_free(rt);
}

static void
test_sim_backend_end_to_end(void **state)
{
    struct host h;
    struct note n;
    uint8_t rd[64];

    (void)state;
    memset(&n, 0, sizeof(n));
    host_setup(&h, g_attest, &n);
    host_run(&h);
    assert_false(h.terminated);
    T_OK(n.boot);
    T_OK(n.report);
    memset(rd, 0x3C, sizeof(rd));
    t_memeq(n.report_data_seen, rd, 64);
    T_OK(n.report2);
    T_OK(n.key);
    assert_true(n.key_ok);
    assert_int_equal(h.psp_counter, 6);   /* three exchanges: 1/2, 3/4, 5/6 */
    assert_int_equal(n.secrets_seqno, 6); /* kept in the secrets page OS area */
    host_fini(&h);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_cpuid_psc),
        cmocka_unit_test(test_unvalidated_vc_terminates),
        cmocka_unit_test(test_psc_lie_terminates),
        cmocka_unit_test(test_sim_backend_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
