/*
 * tests/unit/verify/test_policy.c - the relying party's policy (attestation.md §10 items
 * 12-24): every item's pass case and its specific failure on synthetic reports, the defaults
 * that always apply, and the JSON / command-line key surface: every key, unknown keys, wrong
 * types, bad hex lengths, ranges, and "a file and the same flags give the same policy".
 */
#include "helpers.h"

#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ------------------------------------------------------------------------------ */

static uint64_t
tcb(enum snp_product prod, unsigned fmc, unsigned bl, unsigned tee, unsigned snp, unsigned uc)
{
    struct snp_tcb t;

    memset(&t, 0, sizeof(t));
    t.product = prod;
    t.fmc = (uint8_t)fmc;
    t.boot_loader = (uint8_t)bl;
    t.tee = (uint8_t)tee;
    t.snp = (uint8_t)snp;
    t.microcode = (uint8_t)uc;
    return snp_tcb_encode(&t);
}

/* A plausible Genoa v3 report: ABI 1.51, SMT, FW 1.55 build 40, TCB bl=10 tee=0 snp=23 uc=84. */
static void
base_report(struct snp_report *r)
{
    memset(r, 0, sizeof(*r));
    r->version = 3;
    r->guest_svn = 7;
    r->policy = SNP_POLICY_RSVD_MBO | SNP_POLICY_SMT | (UINT64_C(1) << 8) | 51;
    t_fill(r->family_id, sizeof(r->family_id), 1);
    t_fill(r->image_id, sizeof(r->image_id), 2);
    r->vmpl = 0;
    r->signature_algo = 1;
    r->current_tcb = tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84);
    r->reported_tcb = r->current_tcb;
    r->committed_tcb = r->current_tcb;
    r->launch_tcb = r->current_tcb;
    r->platform_info = SNP_PLATFORM_SMT_EN | SNP_PLATFORM_ALIAS_CHECK_COMPLETE;
    t_fill(r->report_data, sizeof(r->report_data), 3);
    t_fill(r->measurement, sizeof(r->measurement), 4);
    t_fill(r->host_data, sizeof(r->host_data), 5);
    t_fill(r->id_key_digest, sizeof(r->id_key_digest), 6);
    t_fill(r->report_id, sizeof(r->report_id), 8);
    memset(r->report_id_ma, 0xff, sizeof(r->report_id_ma));
    r->cpuid_fam_id = 0x19;
    r->cpuid_mod_id = 0x11;
    r->cpuid_step = 1;
    t_fill(r->chip_id, sizeof(r->chip_id), 9);
    r->current_major = 1;
    r->current_minor = 55;
    r->current_build = 40;
    r->committed_major = 1;
    r->committed_minor = 55;
    r->committed_build = 40;
}

static struct snp_verify_result res;
static struct snp_verify_policy pol;
static struct snp_report rep;
static char eb[256];

static int
setup(void **state)
{
    (void)state;
    snp_verify_policy_default(&pol);
    base_report(&rep);
    memset(&res, 0, sizeof(res));
    eb[0] = '\0';
    return 0;
}

static void
run(enum snp_product prod)
{
    memset(&res, 0, sizeof(res));
    snp_verify_policy_check(&pol, &rep, prod, &res);
}

#define want(name, st, err) want_at((name), (st), (err), __FILE__, __LINE__)
static const struct snp_check *
want_at(const char *name, enum snp_check_status st, snp_err err, const char *file, int line)
{
    const struct snp_check *c = snp_verify_find(&res, name);

    if (c == NULL) {
        print_error("%s:%d: no check named %s (have %zu checks)\n", file, line, name, res.n);
        for (size_t i = 0; i < res.n; i++) {
            print_error("  %s %s\n", res.checks[i].name, res.checks[i].detail);
        }
        fail();
    }
    if (c->status != st || c->err != err) {
        print_error("%s:%d: %s: status %s err %s, want %s %s: %s\n", file, line, name,
                    snp_check_status_name(c->status), snp_err_name(c->err),
                    snp_check_status_name(st), snp_err_name(err), c->detail);
        fail();
    }
    return c;
}

#define detail_has(c, s) detail_has_at((c), (s), __FILE__, __LINE__)
static void
detail_has_at(const struct snp_check *c, const char *s, const char *file, int line)
{
    if (strstr(c->detail, s) == NULL) {
        print_error("%s:%d: %s detail lacks \"%s\": %s\n", file, line, c->name, s, c->detail);
        fail();
    }
}

static void
absent(const char *name)
{
    if (snp_verify_find(&res, name) != NULL) {
        print_error("unexpected check %s\n", name);
        fail();
    }
}

static void
set(const char *key, const char *val)
{
    snp_err err = snp_verify_policy_set(&pol, key, val, eb, sizeof(eb));
    if (err != SNP_OK) {
        print_error("set %s %s: %s\n", key, val != NULL ? val : "(null)", eb);
        fail();
    }
}

static void
hexof(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", p[i]);
    }
}

/* ---- defaults ------------------------------------------------------------------------------ */

static void
test_defaults(void **state)
{
    (void)state;
    run(SNP_PRODUCT_GENOA);
    /* Unconfigured items add nothing; the defaults that apply are listed. */
    assert_int_equal(res.n, 3);
    want("policy.debug", SNP_CHECK_PASS, SNP_OK);
    want("policy.migrate_ma", SNP_CHECK_PASS, SNP_OK);
    want("policy.reported_tcb_le_current", SNP_CHECK_PASS, SNP_OK);
    T_OK(snp_verify_verdict(&res));
    assert_true(pol.allow_smt);
    assert_true(pol.allow_cxl);
    assert_false(pol.allow_debug);
}

static void
test_debug(void **state)
{
    (void)state;
    rep.policy |= SNP_POLICY_DEBUG;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.debug", SNP_CHECK_FAIL, SNP_E_POLICY), "DEBUG");
    T_ERR(snp_verify_verdict(&res), SNP_E_POLICY);
    set("allow-debug", NULL);
    run(SNP_PRODUCT_GENOA);
    absent("policy.debug");
    T_OK(snp_verify_verdict(&res));
}

static void
test_migrate_smt_cxl(void **state)
{
    (void)state;
    rep.policy |= SNP_POLICY_MIGRATE_MA | SNP_POLICY_CXL_ALLOW;
    run(SNP_PRODUCT_GENOA);
    want("policy.migrate_ma", SNP_CHECK_FAIL, SNP_E_POLICY);
    absent("policy.smt");
    absent("policy.cxl_allow");
    set("allow-migrate-ma", "true");
    set("allow-smt", "false");
    set("allow-cxl", "no");
    run(SNP_PRODUCT_GENOA);
    absent("policy.migrate_ma");
    want("policy.smt", SNP_CHECK_FAIL, SNP_E_POLICY);
    want("policy.cxl_allow", SNP_CHECK_FAIL, SNP_E_POLICY);
    rep.policy &= ~(SNP_POLICY_SMT | SNP_POLICY_CXL_ALLOW);
    run(SNP_PRODUCT_GENOA);
    want("policy.smt", SNP_CHECK_PASS, SNP_OK);
    want("policy.cxl_allow", SNP_CHECK_PASS, SNP_OK);
}

/* ---- expected values ----------------------------------------------------------------------- */

static void
test_measurement(void **state)
{
    char hex[200];
    const struct snp_check *c;

    (void)state;
    hexof(hex, rep.measurement, 48);
    set("expect-measurement", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.measurement", SNP_CHECK_PASS, SNP_OK);
    rep.measurement[5] ^= 1;
    run(SNP_PRODUCT_GENOA);
    c = want("policy.measurement", SNP_CHECK_FAIL, SNP_E_MISMATCH);
    detail_has(c, "differs from byte 5");
    detail_has(c, "expected ");
    T_ERR(snp_verify_verdict(&res), SNP_E_MISMATCH);
    /* Prefix: only the first bytes count. */
    hex[8] = '\0';
    set("expect-measurement-prefix", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.measurement", SNP_CHECK_PASS, SNP_OK);
    rep.measurement[1] ^= 0x80;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.measurement", SNP_CHECK_FAIL, SNP_E_MISMATCH), "prefix");
}

static void
test_host_data(void **state)
{
    char hex[200];

    (void)state;
    hexof(hex, rep.host_data, 32);
    set("expect-host-data", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.host_data", SNP_CHECK_PASS, SNP_OK);
    rep.host_data[31] ^= 1;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.host_data", SNP_CHECK_FAIL, SNP_E_MISMATCH), "byte 31");
    set("expect-host-data-prefix", "00");
    rep.host_data[0] = 0;
    run(SNP_PRODUCT_GENOA);
    want("policy.host_data", SNP_CHECK_PASS, SNP_OK);
}

static void
test_report_data(void **state)
{
    char hex[200];

    (void)state;
    hexof(hex, rep.report_data, 64);
    set("expect-report-data", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.report_data", SNP_CHECK_PASS, SNP_OK);
    rep.report_data[63] ^= 1;
    run(SNP_PRODUCT_GENOA);
    /* A nonce mismatch is a binding failure, not a generic mismatch. */
    want("policy.report_data", SNP_CHECK_FAIL, SNP_E_BINDING);
    T_ERR(snp_verify_verdict(&res), SNP_E_BINDING);
    hex[64] = '\0'; /* 32-byte prefix: the usual "hash of nonce, zero padding" binding */
    set("expect-report-data-prefix", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.report_data", SNP_CHECK_PASS, SNP_OK);
    rep.report_data[31] ^= 1;
    run(SNP_PRODUCT_GENOA);
    want("policy.report_data", SNP_CHECK_FAIL, SNP_E_BINDING);
}

static void
test_ids(void **state)
{
    static const struct {
        const char *key;
        const char *check;
        size_t off;
        size_t len;
    } ids[] = {
        {"expect-family-id", "policy.family_id", offsetof(struct snp_report, family_id), 16},
        {"expect-image-id", "policy.image_id", offsetof(struct snp_report, image_id), 16},
        {"expect-report-id", "policy.report_id", offsetof(struct snp_report, report_id), 32},
        {"expect-report-id-ma", "policy.report_id_ma", offsetof(struct snp_report, report_id_ma),
         32},
        {"expect-chip-id", "policy.chip_id", offsetof(struct snp_report, chip_id), 64},
    };
    char hex[200];

    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        uint8_t *f = (uint8_t *)&rep + ids[i].off;
        setup(NULL);
        hexof(hex, f, ids[i].len);
        set(ids[i].key, hex);
        run(SNP_PRODUCT_GENOA);
        want(ids[i].check, SNP_CHECK_PASS, SNP_OK);
        f[ids[i].len - 1] ^= 0x10;
        run(SNP_PRODUCT_GENOA);
        want(ids[i].check, SNP_CHECK_FAIL, SNP_E_MISMATCH);
    }
}

static void
test_chip_id_turin(void **state)
{
    (void)state;
    memset(rep.chip_id, 0, sizeof(rep.chip_id));
    t_unhex(rep.chip_id, 8, "59790fb1c39f35c1");
    set("expect-chip-id", "59790fb1c39f35c1");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.chip_id", SNP_CHECK_PASS, SNP_OK), "rest zero");
    rep.chip_id[40] = 1; /* an 8-byte hwID does not match a 64-byte CHIP_ID */
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.chip_id", SNP_CHECK_FAIL, SNP_E_MISMATCH), "not zero");
}

/* ---- ID block keys (item 23) -------------------------------------------------------------- */

static void
test_id_key(void **state)
{
    char hex[200];
    uint8_t other[48];

    (void)state;
    t_fill(other, sizeof(other), 77);
    hexof(hex, other, 48);
    set("trusted-id-key-digest", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.id_key", SNP_CHECK_FAIL, SNP_E_POLICY);
    hexof(hex, rep.id_key_digest, 48);
    set("trusted-id-key-digest", hex);
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.id_key", SNP_CHECK_PASS, SNP_OK), "entry 2");
    absent("policy.author_key");
}

static void
test_author_key_path(void **state)
{
    char hex[200];

    (void)state;
    /* An ID key not listed, but signed by a trusted author key. */
    t_fill(rep.author_key_digest, sizeof(rep.author_key_digest), 10);
    hexof(hex, rep.author_key_digest, 48);
    set("trusted-author-key-digest", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.id_key", SNP_CHECK_FAIL, SNP_E_POLICY); /* AUTHOR_KEY_EN is 0 */
    rep.signer_info |= SNP_SIGNER_AUTHOR_KEY_EN;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.id_key", SNP_CHECK_PASS, SNP_OK), "author");
}

static void
test_require_author_key(void **state)
{
    char hex[200];
    uint8_t other[48];

    (void)state;
    set("require-author-key", NULL);
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.author_key", SNP_CHECK_FAIL, SNP_E_POLICY), "AUTHOR_KEY_EN is 0");
    rep.signer_info |= SNP_SIGNER_AUTHOR_KEY_EN;
    t_fill(rep.author_key_digest, sizeof(rep.author_key_digest), 10);
    run(SNP_PRODUCT_GENOA);
    want("policy.author_key", SNP_CHECK_PASS, SNP_OK);
    t_fill(other, sizeof(other), 11);
    hexof(hex, other, 48);
    set("trusted-author-key-digest", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.author_key", SNP_CHECK_FAIL, SNP_E_POLICY);
    hexof(hex, rep.author_key_digest, 48);
    set("trusted-author-key-digest", hex);
    run(SNP_PRODUCT_GENOA);
    want("policy.author_key", SNP_CHECK_PASS, SNP_OK);
    /* With require-author-key, a trusted ID key alone is not enough. */
    absent("policy.id_key");
}

/* ---- TCB and versions (items 12-15) -------------------------------------------------------- */

static void
test_min_tcb_each(void **state)
{
    static const struct {
        const char *which;
        const char *check;
        size_t off;
    } w[] = {
        {"reported", "policy.min_tcb.reported", offsetof(struct snp_report, reported_tcb)},
        {"current", "policy.min_tcb.current", offsetof(struct snp_report, current_tcb)},
        {"committed", "policy.min_tcb.committed", offsetof(struct snp_report, committed_tcb)},
        {"launch", "policy.min_tcb.launch", offsetof(struct snp_report, launch_tcb)},
    };
    char spec[64];

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        setup(NULL);
        snprintf(spec, sizeof(spec), "%s:bl=10,tee=0,snp=23,ucode=84", w[i].which);
        set("min-tcb", spec);
        run(SNP_PRODUCT_GENOA);
        want(w[i].check, SNP_CHECK_PASS, SNP_OK);
        /* Only this field goes down: only this check fails, naming the component. */
        uint64_t low = tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 22, 84);
        memcpy((uint8_t *)&rep + w[i].off, &low, sizeof(low));
        run(SNP_PRODUCT_GENOA);
        detail_has(want(w[i].check, SNP_CHECK_FAIL, SNP_E_TCB), "snp 23 > 22");
        for (size_t j = 0; j < 4; j++) {
            if (j != i) {
                absent(w[j].check);
            }
        }
    }
}

static void
test_min_tcb_components(void **state)
{
    (void)state;
    set("min-tcb", "reported:bl=11");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.min_tcb.reported", SNP_CHECK_FAIL, SNP_E_TCB), "bl 11 > 10");
    set("min-tcb", "reported:tee=1");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.min_tcb.reported", SNP_CHECK_FAIL, SNP_E_TCB), "tee 1 > 0");
    set("min-tcb", "reported:microcode=85");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.min_tcb.reported", SNP_CHECK_FAIL, SNP_E_TCB), "ucode 85 > 84");
    /* A higher ucode does not make up for a lower snp: component-wise, not lexicographic. */
    set("min-tcb", "reported:snp=22,ucode=84");
    run(SNP_PRODUCT_GENOA);
    want("policy.min_tcb.reported", SNP_CHECK_PASS, SNP_OK);
    set("min-tcb", "reported:bl=9,snp=24,ucode=1");
    run(SNP_PRODUCT_GENOA);
    want("policy.min_tcb.reported", SNP_CHECK_FAIL, SNP_E_TCB);
}

static void
test_min_tcb_turin_and_unknown(void **state)
{
    (void)state;
    rep.reported_tcb = tcb(SNP_PRODUCT_TURIN, 1, 1, 1, 4, 81);
    rep.current_tcb = rep.reported_tcb;
    set("min-tcb", "reported:fmc=1,bl=1,tee=1,snp=4,ucode=81");
    run(SNP_PRODUCT_TURIN);
    want("policy.min_tcb.reported", SNP_CHECK_PASS, SNP_OK);
    set("min-tcb", "reported:fmc=2");
    run(SNP_PRODUCT_TURIN);
    detail_has(want("policy.min_tcb.reported", SNP_CHECK_FAIL, SNP_E_TCB), "fmc 2 > 1");
    /* Without a product the layout is unknown: an error, never a silent pass. */
    run(SNP_PRODUCT_UNKNOWN);
    want("policy.min_tcb.reported", SNP_CHECK_ERROR, SNP_E_ARG);
    want("policy.reported_tcb_le_current", SNP_CHECK_ERROR, SNP_E_ARG);
}

static void
test_reported_le_current(void **state)
{
    (void)state;
    rep.reported_tcb = tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 24, 84);
    run(SNP_PRODUCT_GENOA);
    want("policy.reported_tcb_le_current", SNP_CHECK_FAIL, SNP_E_TCB);
    /* REPORTED < COMMITTED < CURRENT is real (VLEK vectors) and fine. */
    rep.reported_tcb = tcb(SNP_PRODUCT_MILAN, 0, 4, 0, 24, 217);
    rep.committed_tcb = tcb(SNP_PRODUCT_MILAN, 0, 4, 0, 24, 219);
    rep.current_tcb = tcb(SNP_PRODUCT_MILAN, 0, 4, 0, 24, 220);
    run(SNP_PRODUCT_MILAN);
    want("policy.reported_tcb_le_current", SNP_CHECK_PASS, SNP_OK);
}

static void
test_committed_current(void **state)
{
    (void)state;
    set("require-committed-current", NULL);
    run(SNP_PRODUCT_GENOA);
    want("policy.committed_tcb", SNP_CHECK_PASS, SNP_OK);
    want("policy.committed_firmware", SNP_CHECK_PASS, SNP_OK);
    /* Provisional firmware: current above committed. */
    rep.current_tcb = tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 24, 84);
    rep.current_build = 41;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.committed_tcb", SNP_CHECK_FAIL, SNP_E_TCB), "provisional");
    want("policy.committed_firmware", SNP_CHECK_FAIL, SNP_E_TCB);
    set("allow-provisional-firmware", NULL);
    run(SNP_PRODUCT_GENOA);
    want("policy.committed_tcb", SNP_CHECK_PASS, SNP_OK);
    want("policy.committed_firmware", SNP_CHECK_PASS, SNP_OK);
    /* Committed above current is never right. */
    rep.committed_tcb = tcb(SNP_PRODUCT_GENOA, 0, 11, 0, 23, 84);
    rep.committed_minor = 56;
    run(SNP_PRODUCT_GENOA);
    want("policy.committed_tcb", SNP_CHECK_FAIL, SNP_E_TCB);
    want("policy.committed_firmware", SNP_CHECK_FAIL, SNP_E_TCB);
}

static void
test_versions_svn(void **state)
{
    (void)state;
    set("min-build", "40");
    set("min-firmware", "1.55");
    set("min-abi", "1.51");
    set("min-guest-svn", "7");
    run(SNP_PRODUCT_GENOA);
    want("policy.min_build", SNP_CHECK_PASS, SNP_OK);
    want("policy.min_firmware", SNP_CHECK_PASS, SNP_OK);
    want("policy.min_abi", SNP_CHECK_PASS, SNP_OK);
    want("policy.min_guest_svn", SNP_CHECK_PASS, SNP_OK);
    set("min-build", "41");
    set("min-firmware", "1.56");
    set("min-abi", "1.52");
    set("min-guest-svn", "8");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.min_build", SNP_CHECK_FAIL, SNP_E_TCB), "CURRENT_BUILD 40");
    detail_has(want("policy.min_firmware", SNP_CHECK_FAIL, SNP_E_TCB), "1.55 is below");
    detail_has(want("policy.min_abi", SNP_CHECK_FAIL, SNP_E_POLICY), "ABI 1.51");
    detail_has(want("policy.min_guest_svn", SNP_CHECK_FAIL, SNP_E_POLICY), "GUEST_SVN 7");
    /* (major, minor) compare as a pair: 2.0 > 1.55. */
    set("min-firmware", "0.99");
    rep.current_major = 1;
    rep.current_minor = 0;
    run(SNP_PRODUCT_GENOA);
    want("policy.min_firmware", SNP_CHECK_PASS, SNP_OK);
}

/* ---- bits (items 16, 17, 19), VMPL (21), mitigation vectors (24) --------------------------- */

static void
test_require_policy_bits(void **state)
{
    static const struct {
        const char *name;
        const char *check;
        uint64_t bit;
    } b[] = {
        {"SINGLE_SOCKET", "policy.guest_policy.single_socket", SNP_POLICY_SINGLE_SOCKET},
        {"MEM_AES_256_XTS", "policy.guest_policy.mem_aes_256_xts", SNP_POLICY_MEM_AES_256_XTS},
        {"RAPL_DIS", "policy.guest_policy.rapl_dis", SNP_POLICY_RAPL_DIS},
        {"CIPHERTEXT_HIDING", "policy.guest_policy.ciphertext_hiding",
         SNP_POLICY_CIPHERTEXT_HIDING},
        {"page_swap_disable", "policy.guest_policy.page_swap_disable",
         SNP_POLICY_PAGE_SWAP_DISABLE},
    };

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        setup(NULL);
        set("require-policy", b[i].name);
        run(SNP_PRODUCT_GENOA);
        want(b[i].check, SNP_CHECK_FAIL, SNP_E_POLICY);
        rep.policy |= b[i].bit;
        run(SNP_PRODUCT_GENOA);
        want(b[i].check, SNP_CHECK_PASS, SNP_OK);
    }
}

static void
test_platform_bits(void **state)
{
    (void)state;
    set("require-platform", "ALIAS_CHECK_COMPLETE,ECC_EN");
    set("forbid-platform", "SMT_EN");
    set("forbid-platform", "TSME_EN,TIO_EN");
    run(SNP_PRODUCT_GENOA);
    want("policy.platform.alias_check_complete", SNP_CHECK_PASS, SNP_OK);
    detail_has(want("policy.platform.ecc_en", SNP_CHECK_FAIL, SNP_E_POLICY), "required");
    detail_has(want("policy.platform.smt_en", SNP_CHECK_FAIL, SNP_E_POLICY), "forbidden");
    want("policy.platform.tsme_en", SNP_CHECK_PASS, SNP_OK);
    want("policy.platform.tio_en", SNP_CHECK_PASS, SNP_OK);
    rep.platform_info = SNP_PLATFORM_TIO_EN | SNP_PLATFORM_ECC_EN;
    run(SNP_PRODUCT_GENOA);
    want("policy.platform.alias_check_complete", SNP_CHECK_FAIL, SNP_E_POLICY);
    want("policy.platform.ecc_en", SNP_CHECK_PASS, SNP_OK);
    want("policy.platform.smt_en", SNP_CHECK_PASS, SNP_OK);
    want("policy.platform.tio_en", SNP_CHECK_FAIL, SNP_E_POLICY);
}

static void
test_vmpl(void **state)
{
    (void)state;
    set("require-vmpl", "0");
    run(SNP_PRODUCT_GENOA);
    want("policy.vmpl", SNP_CHECK_PASS, SNP_OK);
    rep.vmpl = 1;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.vmpl", SNP_CHECK_FAIL, SNP_E_POLICY), "VMPL 1, required 0");
}

static void
test_mit_vectors(void **state)
{
    (void)state;
    set("require-launch-mit-vector", "0x3");
    set("require-current-mit-vector", "8");
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.mit_vector.launch", SNP_CHECK_FAIL, SNP_E_POLICY), "version 3");
    want("policy.mit_vector.current", SNP_CHECK_FAIL, SNP_E_POLICY);
    rep.version = 5;
    rep.launch_mit_vector = 0x0b;
    rep.current_mit_vector = 0x0b;
    run(SNP_PRODUCT_GENOA);
    want("policy.mit_vector.launch", SNP_CHECK_PASS, SNP_OK);
    want("policy.mit_vector.current", SNP_CHECK_PASS, SNP_OK);
    rep.current_mit_vector = 0x03;
    run(SNP_PRODUCT_GENOA);
    detail_has(want("policy.mit_vector.current", SNP_CHECK_FAIL, SNP_E_POLICY), "missing 0x8");
}

/* ---- set(): the command-line surface ------------------------------------------------------- */

static void
test_set_errors(void **state)
{
    struct snp_verify_policy before;

    (void)state;
    before = pol;
    T_ERR(snp_verify_policy_set(&pol, "expect-measurment", "00", eb, sizeof(eb)), SNP_E_ARG);
    assert_non_null(strstr(eb, "unknown policy key 'expect-measurment'"));
    T_ERR(snp_verify_policy_set(&pol, "min-guest-svn", NULL, eb, sizeof(eb)), SNP_E_ARG);
    assert_non_null(strstr(eb, "needs a value"));
    T_ERR(snp_verify_policy_set(&pol, "allow-debug", "maybe", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-guest-svn", "12x", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-guest-svn", "-1", eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "min-guest-svn", "4294967296", eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "min-build", "256", eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "require-vmpl", "4", eb, sizeof(eb)), SNP_E_RANGE);
    assert_non_null(strstr(eb, "require-vmpl"));
    T_ERR(snp_verify_policy_set(&pol, "min-firmware", "1", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-firmware", "1.256", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-abi", "1.2.3", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "require-policy", "DEBUG", eb, sizeof(eb)), SNP_E_FORMAT);
    assert_non_null(strstr(eb, "unknown bit name 'DEBUG'"));
    T_ERR(snp_verify_policy_set(&pol, "require-policy", "SINGLE_SOCKET,", eb, sizeof(eb)),
          SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "forbid-platform", "NOPE", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-tcb", "bl=3", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-tcb", "reported:", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-tcb", "reported:xx=1", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "min-tcb", "reported:bl=256", eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "min-tcb", "reported:bl=", eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "require-launch-mit-vector", "0x1g", eb, sizeof(eb)),
          SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "require-launch-mit-vector", "0x10000000000000000", eb,
                                sizeof(eb)),
          SNP_E_RANGE);
    /* A failed call changes nothing. */
    assert_true(memcmp(&before, &pol, sizeof(pol)) == 0);

    set("require-platform", "SMT_EN");
    before = pol;
    T_ERR(snp_verify_policy_set(&pol, "forbid-platform", "smt_en", eb, sizeof(eb)), SNP_E_ARG);
    assert_non_null(strstr(eb, "both required and forbidden"));
    assert_true(memcmp(&before, &pol, sizeof(pol)) == 0);
}

/* hex of n bytes of 0xaa (in a static buffer) */
static const char *
aa(size_t n)
{
    static char hex[300];

    memset(hex, 'a', 2 * n);
    hex[2 * n] = '\0';
    return hex;
}

static void
test_set_hex_lengths(void **state)
{
    (void)state;
    T_ERR(snp_verify_policy_set(&pol, "expect-measurement", aa(47), eb, sizeof(eb)), SNP_E_RANGE);
    assert_non_null(strstr(eb, "47 bytes, want 48"));
    T_ERR(snp_verify_policy_set(&pol, "expect-measurement", aa(49), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-measurement-prefix", aa(49), eb, sizeof(eb)),
          SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-measurement-prefix", "", eb, sizeof(eb)),
          SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-host-data", "abc", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "expect-host-data", "zz", eb, sizeof(eb)), SNP_E_FORMAT);
    T_ERR(snp_verify_policy_set(&pol, "expect-host-data", aa(33), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-report-data-prefix", aa(65), eb, sizeof(eb)),
          SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-report-data", aa(63), eb, sizeof(eb)), SNP_E_RANGE);
    set("expect-report-data", aa(64));
    assert_int_equal(pol.report_data.len, 64);
    assert_false(pol.report_data.prefix);
    T_ERR(snp_verify_policy_set(&pol, "expect-chip-id", aa(9), eb, sizeof(eb)), SNP_E_RANGE);
    assert_non_null(strstr(eb, "or 8"));
    T_ERR(snp_verify_policy_set(&pol, "expect-chip-id", aa(65), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-family-id", aa(9), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-image-id", aa(17), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-report-id", aa(31), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "expect-report-id-ma", aa(16), eb, sizeof(eb)), SNP_E_RANGE);
    T_ERR(snp_verify_policy_set(&pol, "trusted-author-key-digest", aa(32), eb, sizeof(eb)),
          SNP_E_RANGE);
    for (int i = 0; i < SNP_VP_MAX_DIGESTS; i++) {
        set("trusted-id-key-digest", aa(48));
    }
    T_ERR(snp_verify_policy_set(&pol, "trusted-id-key-digest", aa(48), eb, sizeof(eb)),
          SNP_E_SPACE);
    /* Whitespace and 0x are accepted, as everywhere in snpkit's hex. */
    set("expect-family-id", "0x00112233 44556677 8899aabb ccddeeff");
    assert_int_equal(pol.family_id.v[15], 0xff);
}

static void
test_keys_table(void **state)
{
    size_t n = 0;

    (void)state;
    for (const struct snp_vp_key *k = snp_verify_policy_keys; k->name != NULL; k++, n++) {
        assert_non_null(k->help);
        assert_true(k->takes_value == (k->arg != NULL));
        /* Every key is known to set(); value-less keys are switches. */
        snp_err err = snp_verify_policy_set(&pol, k->name, NULL, eb, sizeof(eb));
        if (k->takes_value) {
            T_ERR(err, SNP_E_ARG);
        } else {
            T_OK(err);
        }
    }
    assert_int_equal(n, 31);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static const char every_key_json[] =
    "{\n"
    "  \"comment\": \"every key\",\n"
    "  \"expect-measurement\": \"" /* 48 bytes */
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f\",\n"
    "  \"expect-host-data-prefix\": \"aabb\",\n"
    "  \"expect-report-data-prefix\": \"cafe\",\n"
    "  \"expect-family-id\": \"00000000000000000000000000000001\",\n"
    "  \"expect-image-id\": \"00000000000000000000000000000002\",\n"
    "  \"expect-report-id\": \"" /* 32 */
    "1111111111111111111111111111111111111111111111111111111111111111\",\n"
    "  \"expect-report-id-ma\": \""
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\",\n"
    "  \"expect-chip-id\": \"59790fb1c39f35c1\",\n"
    "  \"trusted-id-key-digest\": [\""
    "5757575757575757575757575757575757575757575757575757575757575757575757575757575757575757575757"
    "57"
    "\"],\n"
    "  \"trusted-author-key-digest\": \""
    "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
    "a1"
    "\",\n"
    "  \"require-author-key\": true,\n"
    "  \"min-tcb\": {\"reported\": {\"bl\": 3, \"snp\": 8, \"ucode\": 115},\n"
    "              \"launch\": {\"fmc\": 1, \"tee\": 2}},\n"
    "  \"min-guest-svn\": 2,\n"
    "  \"min-build\": 21,\n"
    "  \"min-firmware\": \"1.55\",\n"
    "  \"min-abi\": \"0.31\",\n"
    "  \"require-committed-current\": true,\n"
    "  \"allow-provisional-firmware\": true,\n"
    "  \"allow-debug\": false,\n"
    "  \"allow-migrate-ma\": true,\n"
    "  \"allow-smt\": false,\n"
    "  \"allow-cxl\": false,\n"
    "  \"require-policy\": [\"SINGLE_SOCKET\", \"RAPL_DIS\"],\n"
    "  \"require-platform\": \"ALIAS_CHECK_COMPLETE\",\n"
    "  \"forbid-platform\": [\"SMT_EN\", \"TSME_EN,TIO_EN\"],\n"
    "  \"require-vmpl\": 1,\n"
    "  \"require-launch-mit-vector\": \"0x0b\",\n"
    "  \"require-current-mit-vector\": 8,\n"
    "  \"expect-measurement-prefix\": \"0001\",\n"
    "  \"expect-host-data\": \"" /* exact after the prefix: the last one wins */
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\n"
    "  \"expect-report-data\": \""
    "cafe0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000\"\n"
    "}\n";

static void
test_json_every_key(void **state)
{
    (void)state;
    T_OK(
        snp_verify_policy_parse_json(&pol, every_key_json, strlen(every_key_json), eb, sizeof(eb)));
    assert_int_equal(pol.measurement.len, 2);
    assert_true(pol.measurement.prefix);
    assert_int_equal(pol.host_data.len, 32);
    assert_false(pol.host_data.prefix);
    assert_int_equal(pol.report_data.len, 64);
    assert_int_equal(pol.family_id.v[15], 1);
    assert_int_equal(pol.image_id.v[15], 2);
    assert_int_equal(pol.report_id.len, 32);
    assert_int_equal(pol.report_id_ma.v[0], 0xff);
    assert_int_equal(pol.chip_id.len, 8);
    assert_int_equal(pol.n_id_key_digests, 1);
    assert_int_equal(pol.id_key_digests[0][47], 0x57);
    assert_int_equal(pol.n_author_key_digests, 1);
    assert_true(pol.require_author_key);
    assert_true(pol.min_tcb[SNP_VP_TCB_REPORTED].set);
    assert_int_equal(pol.min_tcb[SNP_VP_TCB_REPORTED].boot_loader, 3);
    assert_int_equal(pol.min_tcb[SNP_VP_TCB_REPORTED].snp, 8);
    assert_int_equal(pol.min_tcb[SNP_VP_TCB_REPORTED].microcode, 115);
    assert_true(pol.min_tcb[SNP_VP_TCB_LAUNCH].set);
    assert_int_equal(pol.min_tcb[SNP_VP_TCB_LAUNCH].fmc, 1);
    assert_int_equal(pol.min_tcb[SNP_VP_TCB_LAUNCH].tee, 2);
    assert_false(pol.min_tcb[SNP_VP_TCB_CURRENT].set);
    assert_true(pol.has_min_guest_svn && pol.min_guest_svn == 2);
    assert_true(pol.has_min_build && pol.min_build == 21);
    assert_true(pol.min_firmware.set && pol.min_firmware.major == 1 &&
                pol.min_firmware.minor == 55);
    assert_true(pol.min_abi.set && pol.min_abi.major == 0 && pol.min_abi.minor == 31);
    assert_true(pol.require_committed_current);
    assert_true(pol.allow_provisional_firmware);
    assert_false(pol.allow_debug);
    assert_true(pol.allow_migrate_ma);
    assert_false(pol.allow_smt);
    assert_false(pol.allow_cxl);
    assert_true(pol.require_policy == (SNP_POLICY_SINGLE_SOCKET | SNP_POLICY_RAPL_DIS));
    assert_true(pol.require_platform == SNP_PLATFORM_ALIAS_CHECK_COMPLETE);
    assert_true(pol.forbid_platform ==
                (SNP_PLATFORM_SMT_EN | SNP_PLATFORM_TSME_EN | SNP_PLATFORM_TIO_EN));
    assert_true(pol.has_vmpl && pol.vmpl == 1);
    assert_true(pol.require_launch_mit_vector == 0x0b);
    assert_true(pol.require_current_mit_vector == 8);
}

/* The same policy through set() calls, key by key as the command line gives them. */
static void
test_json_equals_flags(void **state)
{
    struct snp_verify_policy a;
    struct snp_verify_policy b;
    static const char json[] = "{\"expect-measurement-prefix\": \"0001\", \"min-tcb\": "
                               "{\"reported\": {\"bl\": 3, \"snp\": 8}}, \"allow-smt\": false, "
                               "\"require-policy\": [\"SINGLE_SOCKET\"], \"require-vmpl\": 0, "
                               "\"trusted-id-key-digest\": [\"" /* 48 bytes */
                               "5757575757575757575757575757575757575757575757575757575757575757"
                               "57575757575757575757575757575757\"], "
                               "\"min-firmware\": \"1.55\", \"require-current-mit-vector\": 3}";

    (void)state;
    snp_verify_policy_default(&a);
    snp_verify_policy_default(&b);
    T_OK(snp_verify_policy_parse_json(&a, json, strlen(json), eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "expect-measurement-prefix", "0001", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "min-tcb", "reported:bl=3,snp=8", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "allow-smt", "false", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "require-policy", "SINGLE_SOCKET", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "require-vmpl", "0", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "trusted-id-key-digest",
                               "5757575757575757575757575757575757575757575757575757575757575757"
                               "57575757575757575757575757575757",
                               eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "min-firmware", "1.55", eb, sizeof(eb)));
    T_OK(snp_verify_policy_set(&b, "require-current-mit-vector", "3", eb, sizeof(eb)));
    /* Both built from a memset default by whole-struct copies: bytes compare equal. */
    t_memeq(&a, &b, sizeof(a));

    /* And the checks they produce are the same. */
    struct snp_verify_result ra;
    struct snp_verify_result rb;
    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    snp_verify_policy_check(&a, &rep, SNP_PRODUCT_GENOA, &ra);
    snp_verify_policy_check(&b, &rep, SNP_PRODUCT_GENOA, &rb);
    assert_int_equal(ra.n, rb.n);
    t_memeq(&ra, &rb, sizeof(ra));
}

static void
json_err(const char *json, snp_err want_err, const char *want_msg)
{
    struct snp_verify_policy before = pol;
    snp_err err = snp_verify_policy_parse_json(&pol, json, strlen(json), eb, sizeof(eb));

    if (err != want_err || strstr(eb, want_msg) == NULL) {
        print_error("json %s: got %s \"%s\", want %s \"%s\"\n", json, snp_err_name(err), eb,
                    snp_err_name(want_err), want_msg);
        fail();
    }
    /* A failed parse changes nothing. */
    assert_true(memcmp(&before, &pol, sizeof(pol)) == 0);
}

static void
test_json_unknown_and_syntax(void **state)
{
    (void)state;
    json_err("{\"expect-measurment\": \"00\"}", SNP_E_FORMAT,
             "unknown key \"expect-measurment\" (keys are the command-line option names");
    json_err("{\"min-guest-svn\": 1, \"--allow-debug\": true}", SNP_E_FORMAT,
             "unknown key \"--allow-debug\"");
    json_err("", SNP_E_FORMAT, "not valid JSON");
    json_err("{\"allow-debug\": true", SNP_E_FORMAT, "not valid JSON: line 1");
    json_err("{} {}", SNP_E_FORMAT, "not valid JSON");
    json_err("[]", SNP_E_FORMAT, "must be a JSON object, got an array");
    json_err("\"allow-debug\"", SNP_E_FORMAT, "not valid JSON"); /* jansson: no bare strings */
    json_err("{\"allow-debug\": true, \"allow-debug\": false}", SNP_E_FORMAT, "duplicate");
    json_err("{\"comment\": 5}", SNP_E_FORMAT, "comment: want a string");
    /* A good key after a bad one still leaves the policy untouched (checked in json_err). */
    json_err("{\"allow-debug\": true, \"bogus\": 1}", SNP_E_FORMAT, "unknown key \"bogus\"");
    T_OK(snp_verify_policy_parse_json(&pol, "{}", 2, eb, sizeof(eb)));
    T_ERR(snp_verify_policy_parse_json(&pol, NULL, 5, eb, sizeof(eb)), SNP_E_ARG);
}

static void
test_json_wrong_types(void **state)
{
    (void)state;
    json_err("{\"expect-measurement\": 5}", SNP_E_FORMAT,
             "expect-measurement: want a string, got an integer");
    json_err("{\"min-firmware\": 1.55}", SNP_E_FORMAT, "min-firmware: want a string, got a real");
    json_err("{\"min-guest-svn\": \"5\"}", SNP_E_FORMAT,
             "min-guest-svn: want an integer, got a string");
    json_err("{\"require-vmpl\": null}", SNP_E_FORMAT, "require-vmpl: want an integer, got null");
    json_err("{\"allow-debug\": \"true\"}", SNP_E_FORMAT,
             "allow-debug: want true or false, got a string");
    json_err("{\"allow-smt\": 0}", SNP_E_FORMAT, "allow-smt: want true or false, got an integer");
    json_err("{\"require-policy\": {}}", SNP_E_FORMAT,
             "require-policy: want a string or an array of strings, got an object");
    json_err("{\"trusted-id-key-digest\": [1]}", SNP_E_FORMAT,
             "trusted-id-key-digest[0]: want a string, got an integer");
    json_err("{\"min-tcb\": 3}", SNP_E_FORMAT, "min-tcb: want an object");
    json_err("{\"min-tcb\": {\"reported\": 3}}", SNP_E_FORMAT, "min-tcb.reported: want an object");
    json_err("{\"min-tcb\": {\"reported\": {}}}", SNP_E_FORMAT, "min-tcb.reported: no components");
    json_err("{\"min-tcb\": {\"reported\": {\"bl\": \"3\"}}}", SNP_E_FORMAT,
             "min-tcb.reported.bl: want an integer");
    json_err("{\"min-tcb\": {\"newest\": {\"bl\": 3}}}", SNP_E_FORMAT, "does not start with");
    json_err("{\"min-tcb\": {\"reported\": {\"xx\": 3}}}", SNP_E_FORMAT, "unknown component");
    json_err("{\"require-launch-mit-vector\": true}", SNP_E_FORMAT,
             "require-launch-mit-vector: want an integer or");
}

static void
test_json_values(void **state)
{
    (void)state;
    json_err("{\"expect-measurement\": \"abcd\"}", SNP_E_RANGE,
             "expect-measurement: 2 bytes, want 48 (use expect-measurement-prefix for a prefix)");
    json_err("{\"expect-report-data\": \"xyz\"}", SNP_E_FORMAT, "expect-report-data: not hex");
    json_err("{\"expect-host-data\": \"abc\"}", SNP_E_FORMAT, "odd length");
    json_err("{\"min-guest-svn\": -1}", SNP_E_RANGE, "min-guest-svn: -1 is negative");
    json_err("{\"min-guest-svn\": 4294967296}", SNP_E_RANGE, "out of range");
    json_err("{\"require-vmpl\": 4}", SNP_E_RANGE, "require-vmpl: '4' is out of range (0-3)");
    json_err("{\"min-tcb\": {\"reported\": {\"snp\": 256}}}", SNP_E_RANGE, "256 is not 0-255");
    json_err("{\"require-policy\": [\"SMT\"]}", SNP_E_FORMAT, "unknown bit name 'SMT'");
    json_err("{\"require-platform\": \"SMT_EN\", \"forbid-platform\": \"SMT_EN\"}", SNP_E_ARG,
             "both required and forbidden");
    json_err("{\"min-guest-svn\": 99999999999999999999999}", SNP_E_FORMAT, "not valid JSON");
}

/* docs/examples/policy.json parses (the documented example stays valid). */
static void
test_json_example_file(void **state)
{
    char path[4096];
    const char *tail = "tests/unit/verify/test_policy.c";
    size_t flen = strlen(__FILE__);
    size_t n = 0;
    uint8_t *buf;

    (void)state;
    if (flen < strlen(tail) || __FILE__[0] != '/') {
        skip();
    }
    snprintf(path, sizeof(path), "%.*sdocs/examples/policy.json", (int)(flen - strlen(tail)),
             __FILE__);
    buf = t_read_file(path, &n);
    assert_non_null(buf);
    if (snp_verify_policy_parse_json(&pol, (const char *)buf, n, eb, sizeof(eb)) != SNP_OK) {
        print_error("%s: %s\n", path, eb);
        fail();
    }
    free(buf);
    assert_true(pol.measurement.len > 0);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_debug, setup),
        cmocka_unit_test_setup(test_migrate_smt_cxl, setup),
        cmocka_unit_test_setup(test_measurement, setup),
        cmocka_unit_test_setup(test_host_data, setup),
        cmocka_unit_test_setup(test_report_data, setup),
        cmocka_unit_test_setup(test_ids, setup),
        cmocka_unit_test_setup(test_chip_id_turin, setup),
        cmocka_unit_test_setup(test_id_key, setup),
        cmocka_unit_test_setup(test_author_key_path, setup),
        cmocka_unit_test_setup(test_require_author_key, setup),
        cmocka_unit_test_setup(test_min_tcb_each, setup),
        cmocka_unit_test_setup(test_min_tcb_components, setup),
        cmocka_unit_test_setup(test_min_tcb_turin_and_unknown, setup),
        cmocka_unit_test_setup(test_reported_le_current, setup),
        cmocka_unit_test_setup(test_committed_current, setup),
        cmocka_unit_test_setup(test_versions_svn, setup),
        cmocka_unit_test_setup(test_require_policy_bits, setup),
        cmocka_unit_test_setup(test_platform_bits, setup),
        cmocka_unit_test_setup(test_vmpl, setup),
        cmocka_unit_test_setup(test_mit_vectors, setup),
        cmocka_unit_test_setup(test_set_errors, setup),
        cmocka_unit_test_setup(test_set_hex_lengths, setup),
        cmocka_unit_test_setup(test_keys_table, setup),
        cmocka_unit_test_setup(test_json_every_key, setup),
        cmocka_unit_test_setup(test_json_equals_flags, setup),
        cmocka_unit_test_setup(test_json_unknown_and_syntax, setup),
        cmocka_unit_test_setup(test_json_wrong_types, setup),
        cmocka_unit_test_setup(test_json_values, setup),
        cmocka_unit_test_setup(test_json_example_file, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
