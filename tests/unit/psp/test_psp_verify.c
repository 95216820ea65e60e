/*
 * tests/unit/psp/test_psp_verify.c - reports from the simulated firmware against the relying
 * party: the simulated vendor (snpkit/vendor.h) certifies the chip the firmware was built from
 * (same seed), and snp_verify_report() accepts the firmware's report under the simulated ARK
 * (opts.root) with an expected-measurement policy, and rejects it in every negative case of the
 * verify issue, each with its named check and error: AMD's pins (chain.ark_pinned), a flipped
 * bit (report.signature), a VCEK of another TCB (vcek.tcb) or chip (vcek.hwid), a revoked ASK
 * (crl.revoked), an expired VCEK (chain.validity), a VLEK chain for a VCEK report
 * (report.signing_key), the wrong measurement (policy.measurement).
 *
 * SNP_VLEK_LOAD end to end: the vendor wraps a VLEK for the chip (snp_vendor_vlek_wrapped()),
 * the host loads it through the mailbox, a KEY_SEL=VLEK report is signed with it and verifies
 * against the vendor's VLEK certificate and ASVK chain; a hashstick for another chip, or with
 * its TCB changed, is refused.
 */
#include "psp_fixture.h"

#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define CSP_ID       "CN=sim-csp.example"
#define PX_VLEK_SPA  UINT64_C(0x18000) /* host page holding the wrapped VLEK */
#define KEY_SEL_VCEK 1
#define KEY_SEL_VLEK 2

/* ---- fixture: a vendor state directory (RSA-2048), a launched guest ------------------------ */

struct fx {
    char dir[256];
    struct snp_vendor *v;
    struct snp_verifier *ver;
    struct snp_machine *m;
    struct snp_secrets s;
    uint8_t ld[48];
    uint64_t seq;
    uint8_t chip_id[64];
    uint8_t *ark;
    size_t ark_len;
};

static struct fx F;

static int
setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    struct snp_vendor_opts o;

    (void)state;
    memset(&F, 0, sizeof(F));
    snprintf(F.dir, sizeof(F.dir), "%s/snpkit-pspv-XXXXXX",
             tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
    assert_non_null(mkdtemp(F.dir));
    memset(&o, 0, sizeof(o));
    o.state_dir = F.dir;
    o.rsa_bits = 2048;
    T_OK(snp_vendor_open(&F.v, &o));
    T_OK(snp_verifier_new(&F.ver));
    /* The vendor registers the chip the firmware is made from: the same seed. */
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)PX_SEED, sizeof(PX_SEED) - 1,
                             F.chip_id));
    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &F.ark, &F.ark_len));
    F.m = px_machine();
    px_init(F.m);
    px_guest(F.m, F.ld);
    px_secrets(F.m, &F.s);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    px_inv(F.m);
    snp_secrets_wipe(&F.s);
    snp_machine_free(F.m);
    free(F.ark);
    snp_verifier_free(F.ver);
    snp_vendor_free(F.v);
    t_rm_tree(F.dir);
    return 0;
}

/* MSG_REPORT_REQ on VMPCK0 with @key_sel: the report bytes (and the response status). */
static uint32_t
fw_report(uint8_t key_sel, uint8_t out[SNP_REPORT_SIZE])
{
    static uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
    struct snp_msg_report_req q;
    struct snp_msg_hdr rh;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE];
    size_t n = 0;
    uint32_t status;

    memset(&q, 0, sizeof(q));
    t_fill(q.report_data, sizeof(q.report_data), 77);
    q.key_sel = key_sel;
    T_OK(snp_msg_report_req_encode(req, &q));
    T_FW(px_guest_msg(F.m, &F.s, 0, F.seq + 1, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, &n,
                      &rh),
         SNP_FW_SUCCESS);
    assert_int_equal(rh.msg_seqno, F.seq + 2);
    F.seq += 2;
    assert_int_equal(n, SNP_MSG_REPORT_RSP_SIZE);
    status = (uint32_t)px_get64(rsp, 0);
    if (status == SNP_FW_SUCCESS) {
        memcpy(out, rsp + 0x20, SNP_REPORT_SIZE);
    }
    return status;
}

static uint64_t
reported_tcb(const uint8_t report[SNP_REPORT_SIZE])
{
    struct snp_report r;

    T_OK(snp_report_decode(&r, report, SNP_REPORT_SIZE, NULL));
    return r.reported_tcb;
}

/* Collateral: a leaf (DER), the KDS cert_chain of @fam, and that family's CRL. */
static struct snp_collateral *
coll(const uint8_t *leaf, size_t leaf_len, enum snp_vendor_family fam)
{
    struct snp_collateral *c = NULL;
    char *chain = NULL;
    uint8_t *crl = NULL;
    size_t chain_len = 0, crl_len = 0;

    T_OK(snp_collateral_new(&c));
    T_OK(snp_collateral_add(c, leaf, leaf_len));
    T_OK(snp_vendor_cert_chain(F.v, SNP_PRODUCT_GENOA, fam, &chain, &chain_len));
    T_OK(snp_collateral_add(c, (const uint8_t *)chain, chain_len));
    T_OK(snp_vendor_crl(F.v, SNP_PRODUCT_GENOA, fam, &crl, &crl_len));
    T_OK(snp_collateral_add(c, crl, crl_len));
    free(chain);
    free(crl);
    return c;
}

static void
dump(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct snp_check *c = &res->checks[i];
        if (c->status == SNP_CHECK_FAIL || c->status == SNP_CHECK_ERROR) {
            printf("  %s %s: %s\n", snp_check_status_name(c->status), c->name, c->detail);
        }
    }
}

/*
 * Verify @report with collateral @c; root = the simulated ARK unless @pins; CRL required;
 * expected MEASUREMENT @meas (NULL: no policy); at @at (0 = now).
 */
static snp_err
verify(const uint8_t *report, const struct snp_collateral *c, bool pins, const uint8_t *meas,
       time_t at, struct snp_verify_result *res)
{
    struct snp_verify_opts o;
    struct snp_verify_policy pol;

    snp_verify_opts_init(&o);
    o.crl = SNP_CRL_REQUIRE;
    o.at = at;
    if (!pins) {
        o.root = F.ark;
        o.root_len = F.ark_len;
    }
    snp_verify_policy_default(&pol);
    if (meas != NULL) {
        pol.measurement.len = 48;
        memcpy(pol.measurement.v, meas, 48);
    }
    return snp_verify_report(F.ver, report, SNP_REPORT_SIZE, c, &o, &pol, res);
}

/* The named check FAILed with @err, and the verdict is a rejection. */
static void
expect_fail(const struct snp_verify_result *res, snp_err verdict, const char *name, snp_err err)
{
    const struct snp_check *ck = snp_verify_find(res, name);

    if (ck == NULL || ck->status != SNP_CHECK_FAIL || ck->err != err) {
        print_error("expected %s to FAIL with %s\n", name, snp_err_name(err));
        dump(res);
    }
    assert_non_null(ck);
    assert_int_equal(ck->status, SNP_CHECK_FAIL);
    assert_int_equal(ck->err, err);
    assert_int_not_equal(verdict, SNP_OK);
    assert_int_equal(verdict, snp_verify_verdict(res));
}

static uint64_t
tcb_lower(uint64_t tcb)
{
    struct snp_tcb t;

    T_OK(snp_tcb_decode(&t, tcb, SNP_PRODUCT_GENOA));
    assert_true(t.snp > 0);
    t.snp--;
    return snp_tcb_encode(&t);
}

/* ---- VCEK-signed reports ------------------------------------------------------------------- */

static void
test_vcek_report_verifies(void **state)
{
    static struct snp_verify_result res;
    uint8_t rep[SNP_REPORT_SIZE];
    uint8_t *vcek = NULL;
    size_t vcek_len = 0;
    struct snp_collateral *c;
    snp_err err;

    (void)state;
    T_FW(fw_report(KEY_SEL_VCEK, rep), SNP_FW_SUCCESS);
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, reported_tcb(rep), &vcek,
                              &vcek_len));
    c = coll(vcek, vcek_len, SNP_VENDOR_VCEK);
    err = verify(rep, c, false, F.ld, 0, &res);
    if (err != SNP_OK) {
        dump(&res);
    }
    T_OK(err);
    assert_true(res.root_overridden);
    assert_int_equal(res.product, SNP_PRODUCT_GENOA);
    assert_int_equal(res.signing_key, 0);
    assert_int_equal(snp_verify_find(&res, "chain.ark_pinned")->status, SNP_CHECK_WARN);
    assert_int_equal(snp_verify_find(&res, "report.signature")->status, SNP_CHECK_PASS);
    assert_int_equal(snp_verify_find(&res, "vcek.hwid")->status, SNP_CHECK_PASS);
    assert_int_equal(snp_verify_find(&res, "vcek.tcb")->status, SNP_CHECK_PASS);
    assert_int_equal(snp_verify_find(&res, "crl.revoked")->status, SNP_CHECK_PASS);
    assert_int_equal(snp_verify_find(&res, "policy.measurement")->status, SNP_CHECK_PASS);

    /* AMD's pins: the simulator is never taken for real hardware. */
    expect_fail(&res, verify(rep, c, true, F.ld, 0, &res), "chain.ark_pinned", SNP_E_CHAIN);
    snp_collateral_free(c);
    free(vcek);
}

static void
test_vcek_report_negatives(void **state)
{
    static struct snp_verify_result res;
    uint8_t rep[SNP_REPORT_SIZE], bad[SNP_REPORT_SIZE], meas[48], other_id[64];
    uint8_t *vcek = NULL, *leaf = NULL;
    size_t vcek_len = 0, leaf_len = 0;
    struct snp_collateral *c, *c2;
    uint64_t tcb, ask = snp_vendor_ca_serial(SNP_PRODUCT_GENOA, SNP_VENDOR_ASK);
    time_t later = time(NULL) + (time_t)8 * 365 * 86400;

    (void)state;
    T_FW(fw_report(KEY_SEL_VCEK, rep), SNP_FW_SUCCESS);
    tcb = reported_tcb(rep);
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, tcb, &vcek, &vcek_len));
    c = coll(vcek, vcek_len, SNP_VENDOR_VCEK);
    T_OK(verify(rep, c, false, F.ld, 0, &res));

    /* One flipped bit of the signed bytes (REPORT_DATA, so no policy check sees it). */
    memcpy(bad, rep, sizeof(bad));
    bad[0x050] ^= 0x01; /* REPORT_DATA */
    expect_fail(&res, verify(bad, c, false, F.ld, 0, &res), "report.signature", SNP_E_SIG);

    /* The wrong expected measurement. */
    memcpy(meas, F.ld, 48);
    meas[47] ^= 0x80;
    expect_fail(&res, verify(rep, c, false, meas, 0, &res), "policy.measurement", SNP_E_MISMATCH);

    /* An expired VCEK (7 years): verified 8 years from now. */
    expect_fail(&res, verify(rep, c, false, F.ld, later, &res), "chain.validity", SNP_E_EXPIRED);

    /* A revoked ASK, then reinstated. */
    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, ask, true));
    c2 = coll(vcek, vcek_len, SNP_VENDOR_VCEK);
    expect_fail(&res, verify(rep, c2, false, F.ld, 0, &res), "crl.revoked", SNP_E_REVOKED);
    snp_collateral_free(c2);
    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, ask, false));

    /* The VCEK of another TCB of the same chip. */
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, tcb_lower(tcb), &leaf,
                              &leaf_len));
    c2 = coll(leaf, leaf_len, SNP_VENDOR_VCEK);
    expect_fail(&res, verify(rep, c2, false, F.ld, 0, &res), "vcek.tcb", SNP_E_MISMATCH);
    snp_collateral_free(c2);
    free(leaf);

    /* The VCEK of another chip at the same TCB. */
    T_OK(
        snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)"another chip", 12, other_id));
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, other_id, 64, tcb, &leaf, &leaf_len));
    c2 = coll(leaf, leaf_len, SNP_VENDOR_VCEK);
    expect_fail(&res, verify(rep, c2, false, F.ld, 0, &res), "vcek.hwid", SNP_E_MISMATCH);
    snp_collateral_free(c2);
    free(leaf);

    /* A VLEK chain (VLEK + ASVK) for a report that says VCEK. */
    T_OK(snp_vendor_vlek_cert(F.v, SNP_PRODUCT_GENOA, CSP_ID, tcb, &leaf, &leaf_len));
    c2 = coll(leaf, leaf_len, SNP_VENDOR_VLEK);
    expect_fail(&res, verify(rep, c2, false, F.ld, 0, &res), "report.signing_key", SNP_E_MISMATCH);
    snp_collateral_free(c2);
    free(leaf);

    /* Still good with the right collateral after all that (nothing was left revoked). */
    T_OK(verify(rep, c, false, F.ld, 0, &res));
    snp_collateral_free(c);
    free(vcek);
}

/* ---- SNP_VLEK_LOAD end to end -------------------------------------------------------------- */

static uint32_t
vlek_load(const uint8_t wrapped[SNP_VENDOR_VLEK_WRAPPED_SIZE])
{
    uint8_t b[0x10];
    uint64_t pf = 0;

    assert_int_equal(snp_host_write(F.m, PX_VLEK_SPA, wrapped, SNP_VENDOR_VLEK_WRAPPED_SIZE, &pf),
                     SNP_HW_OK);
    memset(b, 0, sizeof(b));
    px_put32(b, 0, 0x10); /* len */
    px_put64(b, 8, PX_VLEK_SPA);
    return px_cmd(F.m, SNP_CMD_SNP_VLEK_LOAD, b, sizeof(b));
}

static void
test_vlek_load_and_verify(void **state)
{
    static struct snp_verify_result res;
    uint8_t rep[SNP_REPORT_SIZE], w[SNP_VENDOR_VLEK_WRAPPED_SIZE], other_id[64];
    uint8_t *vlek = NULL, *vcek = NULL;
    size_t vlek_len = 0, vcek_len = 0;
    struct snp_collateral *c;
    struct snp_report r;
    uint64_t tcb;
    snp_err err;

    (void)state;
    /* No VLEK yet: KEY_SEL=VLEK is INVALID_KEY (att §1.5). */
    T_FW(fw_report(KEY_SEL_VLEK, rep), SNP_FW_INVALID_KEY);
    T_FW(fw_report(KEY_SEL_VCEK, rep), SNP_FW_SUCCESS);
    tcb = reported_tcb(rep);

    /* A hashstick for another chip does not unwrap here; nor one whose TCB was edited. */
    T_OK(
        snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)"another chip", 12, other_id));
    T_OK(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, other_id, 64, CSP_ID, tcb, w));
    T_FW(vlek_load(w), SNP_FW_BAD_SIGNATURE);
    T_OK(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, CSP_ID, tcb, w));
    w[0x190 + 7] ^= 1; /* the TCB is additional data */
    T_FW(vlek_load(w), SNP_FW_BAD_SIGNATURE);
    T_FW(fw_report(KEY_SEL_VLEK, rep), SNP_FW_INVALID_KEY); /* nothing was loaded */
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, F.chip_id, 8, CSP_ID, tcb, w), SNP_E_ARG);
    assert_true(snp_ct_is_zero(w, sizeof(w)));

    /* The real one. */
    T_OK(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, CSP_ID, tcb, w));
    T_FW(vlek_load(w), SNP_FW_SUCCESS);
    T_FW(fw_report(KEY_SEL_VLEK, rep), SNP_FW_SUCCESS);
    T_OK(snp_report_decode(&r, rep, sizeof(rep), NULL));
    assert_int_equal((r.signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT,
                     SNP_SIGNING_KEY_VLEK);
    T_OK(snp_vendor_vlek_cert(F.v, SNP_PRODUCT_GENOA, CSP_ID, tcb, &vlek, &vlek_len));
    c = coll(vlek, vlek_len, SNP_VENDOR_VLEK);
    err = verify(rep, c, false, F.ld, 0, &res);
    if (err != SNP_OK) {
        dump(&res);
    }
    T_OK(err);
    assert_int_equal(res.signing_key, 1);
    assert_int_equal(snp_verify_find(&res, "report.signature")->status, SNP_CHECK_PASS);
    /* ... not under AMD's pins, and not with the chip's VCEK chain. */
    expect_fail(&res, verify(rep, c, true, F.ld, 0, &res), "chain.ark_pinned", SNP_E_CHAIN);
    snp_collateral_free(c);
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, F.chip_id, 64, tcb, &vcek, &vcek_len));
    c = coll(vcek, vcek_len, SNP_VENDOR_VCEK);
    expect_fail(&res, verify(rep, c, false, F.ld, 0, &res), "report.signing_key", SNP_E_MISMATCH);
    snp_collateral_free(c);

    /* The VLEK survives a save/restore of the chip's NV state (it is in the blob). */
    {
        uint8_t blob[SNP_PSP_STATE_MAX];
        size_t n = 0;
        T_OK(snp_machine_psp_save(F.m, blob, sizeof(blob), &n));
        assert_true((blob[0x56] & 4u) != 0); /* VLEK loaded (psp_state.c layout) */
        snp_wipe(blob, sizeof(blob));
    }
    free(vlek);
    free(vcek);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcek_report_verifies),
        cmocka_unit_test(test_vcek_report_negatives),
        cmocka_unit_test(test_vlek_load_and_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
