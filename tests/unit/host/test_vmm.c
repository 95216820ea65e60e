/*
 * tests/unit/host/test_vmm.c - the honest VMM (host/) launching the snpkit guest program
 * (guest/app_main.c) on a simulated machine: the report's MEASUREMENT equals snp_measure() of
 * the same launch description and verifies against the simulated vendor's root with the
 * expected-measurement policy; extended report certificates verify; derived keys are stable
 * across reboots and change with the image; the kv app's sealed values survive a reboot and a
 * tampered blob is refused.
 *
 * Page state changes through this VMM and AP bring-up: test_vmm_smp.c. Not covered yet: a
 * host that lies about the command line.
 */
#include "helpers.h"

#include "guest/app.h"
#include "guest/runtime.h"
#include "sim/guest_if.h"
#include "sim/host_if.h"
#include "snpkit/certtable.h"
#include "snpkit/guestmsg.h"
#include "snpkit/machine.h"
#include "vmm_fixture.h"
#include "snpkit/measure.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"
#include "snpkit/vmm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEED "vmm test chip"

static uint64_t rng_state = 0x1234567887654321ull;

static struct snp_machine *
machine(void)
{
    return vmm_fx_machine(SEED, &rng_state, true);
}

/* A scripted outside world: after HELLO, send each request in turn, keep the answers. */
struct script {
    int step, nreq;
    uint8_t req[4][128];
    size_t req_len[4];
    uint8_t *rsp[4];
    size_t rsp_len[4];
    char hello[32];
    int console_lines;
};

static snp_err
chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct script *s = ctx;

    assert_true(len >= 4);
    if (s->step == 0) {
        assert_int_equal(from[0], SNP_CHAN_OP_HELLO);
        memcpy(s->hello, from + 4, len - 4 < sizeof(s->hello) - 1 ? len - 4 : sizeof(s->hello) - 1);
    } else {
        s->rsp[s->step - 1] = malloc(len);
        memcpy(s->rsp[s->step - 1], from, len);
        s->rsp_len[s->step - 1] = len;
    }
    if (s->step < s->nreq) {
        assert_true(s->req_len[s->step] <= cap);
        memcpy(to, s->req[s->step], s->req_len[s->step]);
        *to_len = s->req_len[s->step];
    } else {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    s->step++;
    return SNP_OK;
}

static void
on_console(void *ctx, const char *line)
{
    struct script *s = ctx;
    (void)line;
    s->console_lines++;
}

static void
add_report_req(struct script *s, uint8_t op, uint8_t fill)
{
    uint8_t *r = s->req[s->nreq];
    memset(r, 0, 4 + 68);
    r[0] = op;
    memset(r + 4, fill, 64);
    s->req_len[s->nreq++] = 4 + 68;
}

static void
add_key_req(struct script *s)
{
    struct snp_msg_key_req k;
    size_t n = 0;
    uint8_t *r = s->req[s->nreq];

    memset(&k, 0, sizeof(k));
    k.msg_version = 1;
    k.guest_field_select = SNP_GFS_MEASUREMENT;
    memset(r, 0, 4);
    r[0] = SNP_CHAN_OP_KEY;
    T_OK(snp_msg_key_req_encode(r + 4, 40, &n, &k));
    s->req_len[s->nreq++] = 4 + n;
}

static void
script_free(struct script *s)
{
    for (int i = 0; i < 4; i++) {
        free(s->rsp[i]);
    }
}

/* Boot the default CVM (with @cmdline), run @s, return the stop status. */
static struct snp_vmm_status
boot(struct snp_machine *m, const char *cmdline, struct script *s, const uint8_t *certs,
     size_t certs_len, uint8_t measurement[48])
{
    struct snp_vmm_launch l;
    struct snp_vmm *v = NULL;
    struct snp_vmm_status st;
    uint32_t fw = 0;

    snp_vmm_launch_default(&l);
    l.cmdline = cmdline;
    l.entry = snp_guest_app_main;
    T_OK(snp_vmm_new(&v, m, &l, &fw));
    if (measurement != NULL) {
        memcpy(measurement, snp_vmm_info(v)->measurement, 48);
    }
    snp_vmm_set_channel(v, chan, s);
    snp_vmm_set_console(v, on_console, s);
    if (certs != NULL) {
        T_OK(snp_vmm_set_certs(v, certs, certs_len));
    }
    T_OK(snp_vmm_run(v, 100000, &st));
    if (st.stop != SNP_VMM_STOP_SHUTDOWN) {
        print_message("stop %d term %u/%u last 0x%llx exits %llu\n", (int)st.stop, st.term_set,
                      st.term_code, (unsigned long long)st.last_exit, (unsigned long long)st.exits);
    }
    snp_vmm_free(v);
    return st;
}

static void
test_launch_measurement_report(void **state)
{
    struct snp_machine *m = machine();
    struct script s;
    struct snp_vmm_status st;
    struct snp_vmm_launch l;
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    struct snp_report r;
    uint8_t fw[SNP_VMM_FW_SIZE], want[48], ld[48], rd[64];
    size_t n = 0;

    (void)state;
    memset(&s, 0, sizeof(s));
    add_report_req(&s, SNP_CHAN_OP_REPORT, 0x5A);
    st = boot(m, NULL, &s, NULL, 0, ld);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_string_equal(s.hello, "agent");
    assert_true(s.console_lines >= 1);
    assert_int_equal(s.rsp[0][0], SNP_CHAN_OP_REPORT | SNP_CHAN_OP_RESPONSE);
    assert_int_equal(s.rsp[0][1], SNP_OK);
    assert_int_equal(s.rsp_len[0], 4 + SNP_REPORT_SIZE);
    T_OK(snp_report_decode(&r, s.rsp[0] + 4, SNP_REPORT_SIZE, NULL));
    memset(rd, 0x5A, sizeof(rd));
    t_memeq(r.report_data, rd, 64);

    /* MEASUREMENT == snp_measure() of the same launch description */
    snp_vmm_launch_default(&l);
    T_OK(snp_vmm_measure_params(&l, fw, &h, &p));
    T_OK(snp_measure(&p, want, &n, NULL));
    assert_int_equal(n, 48);
    t_memeq(r.measurement, want, 48);
    t_memeq(ld, want, 48);
    assert_int_equal(r.policy, UINT64_C(0x30000));
    script_free(&s);
    snp_machine_free(m);
}

/* Collateral for a report of our chip: VCEK at its REPORTED_TCB, ASK, ARK, CRL. */
static struct snp_vendor *
vendor(char *dir, size_t dir_size)
{
    struct snp_vendor_opts o;
    struct snp_vendor *v = NULL;
    uint8_t chip[64];

    snprintf(dir, dir_size, "/tmp/snpkit-test-vmm-XXXXXX");
    assert_non_null(mkdtemp(dir));
    memset(&o, 0, sizeof(o));
    o.state_dir = dir;
    o.rsa_bits = 2048;
    T_OK(snp_vendor_open(&v, &o));
    T_OK(snp_vendor_chip_add(v, SNP_PRODUCT_GENOA, (const uint8_t *)SEED, sizeof(SEED) - 1, chip));
    return v;
}

static void
cert_table(struct snp_vendor *vd, uint64_t tcb, const uint8_t chip[64], uint8_t **table,
           size_t *len)
{
    uint8_t *vcek = NULL, *ask = NULL, *ark = NULL, *crl = NULL;
    size_t vl = 0, al = 0, rl = 0, cl = 0;
    struct snp_cert_blob b[4] = {{SNP_GUID_VCEK_INIT, NULL, 0},
                                 {SNP_GUID_ASK_INIT, NULL, 0},
                                 {SNP_GUID_ARK_INIT, NULL, 0},
                                 {SNP_GUID_CRL_INIT, NULL, 0}};

    T_OK(snp_vendor_vcek_cert(vd, SNP_PRODUCT_GENOA, chip, 64, tcb, &vcek, &vl));
    T_OK(snp_vendor_ca_cert(vd, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &ask, &al));
    T_OK(snp_vendor_ca_cert(vd, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &ark, &rl));
    T_OK(snp_vendor_crl(vd, SNP_PRODUCT_GENOA, SNP_VENDOR_VCEK, &crl, &cl));
    b[0].data = vcek, b[0].len = vl;
    b[1].data = ask, b[1].len = al;
    b[2].data = ark, b[2].len = rl;
    b[3].data = crl, b[3].len = cl;
    *table = malloc(vl + al + rl + cl + 5 * 24);
    T_OK(snp_cert_table_encode(*table, vl + al + rl + cl + 5 * 24, len, b, 4));
    free(vcek);
    free(ask);
    free(ark);
    free(crl);
}

static void
test_ext_report_verifies(void **state)
{
    struct snp_machine *m = machine();
    struct snp_vendor *vd;
    struct script s;
    struct snp_vmm_status st;
    struct snp_report r;
    struct snp_collateral *coll = NULL;
    struct snp_verifier *ver = NULL;
    struct snp_verify_opts o;
    struct snp_verify_policy pol;
    struct snp_verify_result *res = calloc(1, sizeof(*res));
    char dir[64], hex[97], root_path[1100];
    uint8_t *table = NULL, *root = NULL, ld[48], chip[64];
    size_t tlen = 0, root_len = 0, clen;
    uint8_t rep[SNP_REPORT_SIZE];
    FILE *f;

    (void)state;
    vd = vendor(dir, sizeof(dir));
    /* first boot: learn the chip's REPORTED_TCB and CHIP_ID from a plain report */
    memset(&s, 0, sizeof(s));
    add_report_req(&s, SNP_CHAN_OP_REPORT, 1);
    st = boot(m, NULL, &s, NULL, 0, NULL);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    T_OK(snp_report_decode(&r, s.rsp[0] + 4, SNP_REPORT_SIZE, NULL));
    memcpy(chip, r.chip_id, 64);
    cert_table(vd, r.reported_tcb, chip, &table, &tlen);
    script_free(&s);
    snp_machine_free(m);

    /* reboot with the certificates stapled; the table needs 2+ pages: INVALID_LEN rule is
     * exercised by the guest driver when its buffer is small (here it is large enough). */
    m = machine();
    memset(&s, 0, sizeof(s));
    add_report_req(&s, SNP_CHAN_OP_EXT_REPORT, 2);
    st = boot(m, NULL, &s, table, tlen, ld);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_int_equal(s.rsp[0][1], SNP_OK);
    memcpy(rep, s.rsp[0] + 4, SNP_REPORT_SIZE);
    clen = (size_t)s.rsp[0][4 + SNP_REPORT_SIZE] | (size_t)s.rsp[0][5 + SNP_REPORT_SIZE] << 8;
    assert_true(clen > 0 && clen <= tlen);
    T_OK(snp_collateral_new(&coll));
    T_OK(snp_collateral_add_cert_table(coll, s.rsp[0] + 8 + SNP_REPORT_SIZE, clen));
    T_OK(snp_vendor_ca_path(vd, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, root_path, sizeof(root_path)));
    f = fopen(root_path, "rb");
    assert_non_null(f);
    root = malloc(65536);
    root_len = fread(root, 1, 65536, f);
    fclose(f);
    snp_verify_opts_init(&o);
    o.root = root;
    o.root_len = root_len;
    snp_verify_policy_default(&pol);
    T_OK(snp_hex_encode(hex, sizeof(hex), ld, 48));
    T_OK(snp_verify_policy_set(&pol, "expect-measurement", hex, NULL, 0));
    T_OK(snp_verifier_new(&ver));
    T_OK(snp_verify_report(ver, rep, sizeof(rep), coll, &o, &pol, res));
    /* and a policy expecting another measurement rejects it */
    ld[0] ^= 1;
    T_OK(snp_hex_encode(hex, sizeof(hex), ld, 48));
    snp_verify_policy_default(&pol);
    T_OK(snp_verify_policy_set(&pol, "expect-measurement", hex, NULL, 0));
    T_ERR(snp_verify_report(ver, rep, sizeof(rep), coll, &o, &pol, res), SNP_E_MISMATCH);
    snp_verifier_free(ver);
    snp_collateral_free(coll);
    free(root);
    free(table);
    free(res);
    script_free(&s);
    snp_vendor_free(vd);
    snp_machine_free(m);
}

static void
derived_key(const char *cmdline, uint8_t key[32])
{
    struct snp_machine *m = machine();
    struct script s;
    struct snp_vmm_status st;

    memset(&s, 0, sizeof(s));
    add_key_req(&s);
    st = boot(m, cmdline, &s, NULL, 0, NULL);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_int_equal(s.rsp[0][1], SNP_OK);
    assert_int_equal(s.rsp_len[0], 36);
    memcpy(key, s.rsp[0] + 4, 32);
    script_free(&s);
    snp_machine_free(m);
}

static void
test_derived_key_reboots(void **state)
{
    uint8_t a[32], b[32], c[32];

    (void)state;
    derived_key(NULL, a);
    derived_key(NULL, b); /* a reboot of the same image on the same chip */
    t_memeq(a, b, 32);
    derived_key("console=ttyS0 snpkit.app=agent quiet", c); /* another measured cmdline */
    assert_false(memcmp(a, c, 32) == 0);
}

static void
test_kv_sealed(void **state)
{
    struct snp_machine *m = machine();
    struct script s;
    struct snp_vmm_status st;
    uint8_t *r;

    (void)state;
    memset(&s, 0, sizeof(s));
    r = s.req[0];
    memset(r, 0, 4);
    r[0] = SNP_CHAN_OP_KV_PUT;
    r[4] = 4;
    r[5] = 0;
    memcpy(r + 6, "name", 4);
    memcpy(r + 10, "secret value", 12);
    s.req_len[0] = 22;
    s.nreq = 1;
    st = boot(m, "snpkit.app=kv", &s, NULL, 0, NULL);
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_string_equal(s.hello, "kv");
    assert_int_equal(s.rsp[0][1], SNP_OK);
    assert_int_equal(s.rsp_len[0], 4 + 28 + 12);
    for (size_t i = 0; i + 6 <= s.rsp_len[0]; i++) {
        assert_false(memcmp(s.rsp[0] + i, "secret", 6) == 0); /* sealed */
    }
    snp_machine_free(m);

    /* reboot: GET with the sealed blob gives the value back; a tampered blob is refused */
    m = machine();
    {
        struct script t;
        memset(&t, 0, sizeof(t));
        for (int i = 0; i < 2; i++) {
            uint8_t *q = t.req[i];
            memset(q, 0, 4);
            q[0] = SNP_CHAN_OP_KV_GET;
            q[4] = 4;
            memcpy(q + 6, "name", 4);
            memcpy(q + 10, s.rsp[0] + 4, 40);
            t.req_len[i] = 50;
        }
        t.req[1][20] ^= 1;
        t.nreq = 2;
        st = boot(m, "snpkit.app=kv", &t, NULL, 0, NULL);
        assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
        assert_int_equal(t.rsp[0][1], SNP_OK);
        assert_int_equal(t.rsp_len[0], 16);
        assert_memory_equal(t.rsp[0] + 4, "secret value", 12);
        assert_int_equal(t.rsp[1][1], SNP_E_AUTH);
        script_free(&t);
    }
    script_free(&s);
    snp_machine_free(m);
}

/* ---- plain VM (SEV off) and what the host can read ------------------------------------------ */

static struct snp_machine *
machine_sev(bool sev)
{
    return vmm_fx_machine(SEED, &rng_state, sev);
}

static void
add_kv_put(struct script *s, const char *val)
{
    uint8_t *r = s->req[s->nreq];
    size_t n = strlen(val);

    memset(r, 0, 4);
    r[0] = SNP_CHAN_OP_KV_PUT;
    r[4] = 4;
    r[5] = 0;
    memcpy(r + 6, "name", 4);
    memcpy(r + 10, val, n);
    s->req_len[s->nreq++] = 10 + n;
}

/*
 * The host scans the guest's RAM (as the host sees it) for @needle, skipping the device
 * channel buffers: those are shared by design and hold what the host itself sent.
 */
static bool
host_finds(struct snp_machine *m, const struct snp_vmm *v, const char *needle)
{
    static uint8_t page[4096 + 64];
    size_t n = strlen(needle);

    for (uint64_t gpa = 0; gpa < (uint64_t)SNP_VMM_MEM_PAGES * 4096; gpa += 4096) {
        uint64_t spa = 0;
        if (gpa >= SNP_VMM_CHAN_TX_GPA && gpa < SNP_VMM_CHAN_RX_GPA + SNP_VMM_CHAN_PAGES * 4096) {
            continue;
        }
        T_OK(snp_vmm_gpa_spa(v, gpa, &spa));
        assert_int_equal(snp_host_read(m, spa, page, 4096), SNP_HW_OK);
        for (size_t i = 0; i + n <= 4096; i++) {
            if (memcmp(page + i, needle, n) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Boot the kv app (plain or SNP), store a value, then let the host look for it. */
static void
kv_scan(bool plain, bool *found, struct script *s)
{
    struct snp_machine *m = machine_sev(!plain);
    struct snp_vmm_launch l;
    struct snp_vmm *v = NULL;
    struct snp_vmm_status st;

    memset(s, 0, sizeof(*s));
    add_kv_put(s, "the launch codes 0000");
    add_report_req(s, SNP_CHAN_OP_REPORT, 0x5A);
    add_key_req(s);
    snp_vmm_launch_default(&l);
    l.cmdline = "snpkit.app=kv";
    l.entry = snp_guest_app_main;
    l.plain = plain;
    T_OK(snp_vmm_new(&v, m, &l, NULL));
    assert_int_equal(snp_vmm_is_plain(v), plain);
    snp_vmm_set_channel(v, chan, s);
    snp_vmm_set_console(v, on_console, s);
    T_OK(snp_vmm_run(v, 100000, &st));
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    *found = host_finds(m, v, "the launch codes");
    snp_vmm_free(v);
    snp_machine_free(m);
}

static void
test_plain_vm_kv(void **state)
{
    struct script s;
    bool found = false;

    (void)state;
    kv_scan(true, &found, &s);
    assert_string_equal(s.hello, "kv");
    assert_int_equal(s.rsp[0][1], SNP_OK); /* the store works, sealed under a guest key */
    assert_int_equal(s.rsp_len[0], 4 + 28 + 21);
    /* no PSP attestation in a plain VM: a clean, named failure */
    assert_int_equal(s.rsp[1][1], SNP_E_UNSUPPORTED);
    assert_int_equal(s.rsp_len[1], 4);
    assert_int_equal(s.rsp[2][1], SNP_E_UNSUPPORTED);
    assert_true(found); /* the baseline: the host reads the guest's data in plaintext */
    script_free(&s);
}

static void
test_snp_vm_scan(void **state)
{
    struct script s;
    bool found = true;

    (void)state;
    kv_scan(false, &found, &s);
    assert_int_equal(s.rsp[0][1], SNP_OK);
    assert_int_equal(s.rsp[1][1], SNP_OK);
    assert_false(found); /* private pages are ciphertext to the host */
    script_free(&s);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_launch_measurement_report),
        cmocka_unit_test(test_ext_report_verifies),
        cmocka_unit_test(test_derived_key_reboots),
        cmocka_unit_test(test_kv_sealed),
        cmocka_unit_test(test_plain_vm_kv),
        cmocka_unit_test(test_snp_vm_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
