/*
 * tests/unit/amd/test_vendor.c - the simulated vendor (snpkit/vendor.h) and the chip key
 * derivation (crypto/vcek_kdf.h): chains verify with the verify core under --root and fail
 * AMD's pins; AMD's certificate shape per product (Turin's 8-byte hwID, fmcSPL, PSS without
 * trailer); VCEK per-TCB key properties; VLEK chain; CRL revocation; persistence and file modes;
 * the key server's request grammar.
 */
#include "amd_fixture.h"

#include "crypto/gcm.h"
#include "crypto/kdf.h"
#include "crypto/x509.h"
#include "snpkit/util.h"

#include <sys/stat.h>

struct fixture {
    char dir[256];
    struct snp_vendor *v;
    struct snp_verifier *ver;
};

static struct fixture F;

static int
setup(void **state)
{
    struct snp_vendor_opts o;

    (void)state;
    t_state_new(F.dir);
    memset(&o, 0, sizeof(o));
    o.state_dir = F.dir;
    o.rsa_bits = 2048;
    T_OK(snp_vendor_open(&F.v, &o));
    T_OK(snp_verifier_new(&F.ver));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    snp_verifier_free(F.ver);
    snp_vendor_free(F.v);
    t_rm_tree(F.dir);
    return 0;
}

static bool
contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- key derivation ------------------------------------------------------------------------ */

static void
point_of(const struct snp_eckey *k, uint8_t xy[96])
{
    T_OK(snp_eckey_point(k, xy, xy + 48));
}

static void
test_kdf_properties(void **state)
{
    uint8_t s1[32], s2[32], id[64], id2[64], d[48], d2[48], xy[96], xy2[96];
    struct snp_eckey *k = NULL;
    uint64_t tcb = t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84);

    (void)state;
    T_OK(snp_chip_secret_from_seed(s1, (const uint8_t *)"chip-a", 6));
    T_OK(snp_chip_secret_from_seed(s2, (const uint8_t *)"chip-a", 6));
    t_memeq(s1, s2, 32); /* reproducible */
    T_OK(snp_chip_secret_from_seed(s2, (const uint8_t *)"chip-b", 6));
    assert_false(snp_ct_eq(s1, s2, 32));
    T_OK(snp_chip_secret_from_seed(s2, NULL, 0)); /* the empty seed is a seed too */

    T_OK(snp_chip_id_derive(id, s1, SNP_PRODUCT_GENOA));
    assert_false(snp_ct_is_zero(id + 56, 8));
    T_OK(snp_chip_id_derive(id2, s1, SNP_PRODUCT_TURIN));
    assert_false(snp_ct_is_zero(id2, 8));
    assert_true(snp_ct_is_zero(id2 + 8, 56)); /* Turin: 8 meaningful bytes */
    T_ERR(snp_chip_id_derive(id2, s1, SNP_PRODUCT_UNKNOWN), SNP_E_ARG);

    /* Same inputs, same key; the key pair matches its scalar. */
    T_OK(snp_vcek_derive_scalar(d, s1, SNP_PRODUCT_GENOA, tcb));
    T_OK(snp_vcek_derive_scalar(d2, s1, SNP_PRODUCT_GENOA, tcb));
    t_memeq(d, d2, 48);
    assert_false(snp_ct_is_zero(d, 48));
    T_OK(snp_vcek_derive(&k, s1, SNP_PRODUCT_GENOA, tcb));
    assert_true(snp_eckey_has_private(k));
    point_of(k, xy);
    snp_eckey_free(k);
    T_OK(snp_eckey_from_private(&k, d));
    point_of(k, xy2);
    t_memeq(xy, xy2, 96);
    snp_eckey_free(k);

    /* Any TCB byte, the product, the chip or the family changes the key. */
    for (unsigned i = 0; i < 64; i++) {
        T_OK(snp_vcek_derive_scalar(d2, s1, SNP_PRODUCT_GENOA, tcb ^ (UINT64_C(1) << i)));
        assert_false(snp_ct_eq(d, d2, 48));
    }
    T_OK(snp_vcek_derive_scalar(d2, s1, SNP_PRODUCT_MILAN, tcb));
    assert_false(snp_ct_eq(d, d2, 48));
    T_OK(snp_vcek_derive_scalar(d2, s2, SNP_PRODUCT_GENOA, tcb));
    assert_false(snp_ct_eq(d, d2, 48));
    T_OK(snp_vlek_derive_scalar(d2, s1, SNP_PRODUCT_GENOA, tcb));
    assert_false(snp_ct_eq(d, d2, 48));
    T_ERR(snp_vcek_derive_scalar(d2, s1, SNP_PRODUCT_UNKNOWN, tcb), SNP_E_ARG);
    assert_true(snp_ct_is_zero(d2, 48));

    /* Scalars out of [1, n-1] are refused. */
    memset(d2, 0, 48);
    T_ERR(snp_eckey_from_private(&k, d2), SNP_E_RANGE);
    memset(d2, 0xff, 48);
    T_ERR(snp_eckey_from_private(&k, d2), SNP_E_RANGE);
    assert_null(k);

    T_OK(snp_csp_secret_derive(s2, s1, "CN=a.example"));
    T_OK(snp_csp_secret_derive(id2, s1, "CN=b.example"));
    assert_false(snp_ct_eq(s2, id2, 32));
    T_ERR(snp_csp_secret_derive(s2, s1, ""), SNP_E_ARG);
    snp_wipe(d, sizeof(d));
}

/* ---- VCEK chains verify under --root, and fail AMD's pins ----------------------------------- */

struct issued {
    uint8_t chip_id[64];
    uint8_t *vcek, *ark, *crl;
    size_t vcek_len, ark_len, crl_len;
    char *chain;
    size_t chain_len;
    uint8_t report[SNP_REPORT_SIZE];
};

static void
issued_free(struct issued *is)
{
    free(is->vcek);
    free(is->ark);
    free(is->crl);
    free(is->chain);
    memset(is, 0, sizeof(*is));
}

/* Register a chip from seed, issue its VCEK at tcb, and sign a report with the derived key. */
static void
issue_vcek(struct issued *is, enum snp_product p, const char *seed, uint64_t tcb)
{
    uint8_t secret[32];
    struct snp_eckey *k = NULL;
    size_t hl = p == SNP_PRODUCT_TURIN ? 8 : 64;

    memset(is, 0, sizeof(*is));
    T_OK(snp_vendor_chip_add(F.v, p, (const uint8_t *)seed, strlen(seed), is->chip_id));
    T_OK(snp_vendor_vcek_cert(F.v, p, is->chip_id, hl, tcb, &is->vcek, &is->vcek_len));
    T_OK(snp_vendor_ca_cert(F.v, p, SNP_VENDOR_ARK, &is->ark, &is->ark_len));
    T_OK(snp_vendor_cert_chain(F.v, p, SNP_VENDOR_VCEK, &is->chain, &is->chain_len));
    T_OK(snp_vendor_crl(F.v, p, SNP_VENDOR_VCEK, &is->crl, &is->crl_len));
    /* The firmware side: the same seed and TCB give the key the vendor certified. */
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)seed, strlen(seed)));
    T_OK(snp_vcek_derive(&k, secret, p, tcb));
    t_report(is->report, p, k, is->chip_id, tcb, 0);
    snp_eckey_free(k);
    snp_wipe(secret, sizeof(secret));
}

static snp_err
verify(const struct issued *is, bool root, bool crl, const uint8_t *leaf, size_t leaf_len,
       struct snp_verify_result *res)
{
    struct snp_collateral *c = NULL;
    struct snp_verify_opts o;
    snp_err err;

    T_OK(snp_collateral_new(&c));
    T_OK(snp_collateral_add(c, leaf, leaf_len));
    T_OK(snp_collateral_add(c, (const uint8_t *)is->chain, is->chain_len));
    if (crl) {
        T_OK(snp_collateral_add(c, is->crl, is->crl_len));
    }
    snp_verify_opts_init(&o);
    o.crl = crl ? SNP_CRL_REQUIRE : SNP_CRL_WARN;
    if (root) {
        o.root = is->ark;
        o.root_len = is->ark_len;
    }
    err = snp_verify_report(F.ver, is->report, SNP_REPORT_SIZE, c, &o, NULL, res);
    snp_collateral_free(c);
    return err;
}

static void
check_line(enum snp_product p, uint64_t tcb)
{
    struct issued is;
    struct snp_verify_result res;
    const struct snp_check *ck;
    snp_err err;

    issue_vcek(&is, p, "test-chip-1", tcb);
    err = verify(&is, true, true, is.vcek, is.vcek_len, &res);
    if (err != SNP_OK) {
        t_dump(&res);
    }
    T_OK(err);
    ck = snp_verify_find(&res, "chain.ark_pinned");
    assert_non_null(ck);
    assert_int_equal(ck->status, SNP_CHECK_WARN); /* trusted only because we said so */
    assert_true(res.root_overridden);
    assert_int_equal(res.product, p);
    assert_int_equal(snp_verify_find(&res, "vcek.hwid")->status, SNP_CHECK_PASS);

    /* Without --root: AMD's pins, which the simulated ARK is not. */
    T_ERR(verify(&is, false, true, is.vcek, is.vcek_len, &res), SNP_E_CHAIN);
    ck = snp_verify_find(&res, "chain.ark_pinned");
    assert_non_null(ck);
    assert_int_equal(ck->status, SNP_CHECK_FAIL);
    issued_free(&is);
}

static void
test_vcek_milan(void **state)
{
    (void)state;
    check_line(SNP_PRODUCT_MILAN, t_tcb(SNP_PRODUCT_MILAN, 0, 3, 0, 8, 115));
}

static void
test_vcek_genoa(void **state)
{
    (void)state;
    check_line(SNP_PRODUCT_GENOA, t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84));
}

static void
test_vcek_turin(void **state)
{
    (void)state;
    check_line(SNP_PRODUCT_TURIN, t_tcb(SNP_PRODUCT_TURIN, 1, 2, 3, 4, 217));
}

/* ---- AMD's shape ---------------------------------------------------------------------------- */

static void
check_shape(enum snp_product p, uint64_t tcb)
{
    struct issued is;
    struct snp_x509 *x = NULL, *ark = NULL;
    const struct snp_x509_info *in;
    struct snp_tcb t;
    size_t used = 0;
    bool turin = p == SNP_PRODUCT_TURIN;
    char want[32];

    issue_vcek(&is, p, "shape-chip", tcb);
    T_OK(snp_tcb_decode(&t, tcb, p));
    T_OK(snp_x509_from_der(&x, is.vcek, is.vcek_len, &used));
    assert_int_equal(used, is.vcek_len);
    in = snp_x509_info(x);
    assert_string_equal(in->subject_cn, "SEV-VCEK");
    snprintf(want, sizeof(want), "SEV-%s", snp_product_name(p));
    assert_string_equal(in->issuer_cn, want);
    assert_int_equal(in->serial_len, 0); /* AMD's leaves: serial 0 */
    assert_int_equal(in->version, 2);
    assert_int_equal(in->key_type, SNP_X509_KEY_P384);
    assert_false(in->has_basic_constraints);
    assert_false(in->has_key_usage);
    /* §4.2: Turin VCEKs omit the PSS trailer field, the others write it. */
    assert_int_equal(in->sigalg, turin ? SNP_X509_SIG_PSS_AMD_NOTRL : SNP_X509_SIG_PSS_AMD);
    assert_int_equal(in->not_after - in->not_before, (7 * 365 + 2) * 86400);
    assert_true(in->amd.has_struct_version);
    assert_int_equal(in->amd.struct_version, turin ? 1 : 0);
    assert_string_equal(in->amd.product_name, p == SNP_PRODUCT_MILAN ? "Milan-B0"
                                              : turin                ? "Turin"
                                                                     : "Genoa");
    assert_int_equal(in->amd.spl[SNP_AMD_SPL_BL], t.boot_loader);
    assert_int_equal(in->amd.spl[SNP_AMD_SPL_TEE], t.tee);
    assert_int_equal(in->amd.spl[SNP_AMD_SPL_SNP], t.snp);
    assert_int_equal(in->amd.spl[SNP_AMD_SPL_UCODE], t.microcode);
    assert_int_equal(in->amd.has_spl[SNP_AMD_SPL_FMC], turin);
    assert_int_equal(in->amd.has_spl[SNP_AMD_SPL_4], !turin);
    if (turin) {
        assert_int_equal(in->amd.spl[SNP_AMD_SPL_FMC], t.fmc);
    }
    assert_true(in->amd.has_hwid);
    assert_false(in->amd.hwid_wrapped); /* raw bytes, as AMD writes them */
    assert_int_equal(in->amd.hwid_len, turin ? 8 : 64);
    t_memeq(in->amd.hwid, is.chip_id, in->amd.hwid_len);
    assert_false(in->amd.has_csp_id);
    assert_int_equal(in->amd.n_bad + in->amd.n_unknown, 0);
    /* The names say simulation, never AMD. */
    assert_true(contains(is.vcek, is.vcek_len, "snpkit simulation"));
    assert_false(contains(is.vcek, is.vcek_len, "Advanced Micro Devices"));
    assert_false(contains(is.ark, is.ark_len, "Advanced Micro Devices"));
    assert_false(contains(is.ark, is.ark_len, "Santa Clara"));

    T_OK(snp_x509_from_der(&ark, is.ark, is.ark_len, &used));
    in = snp_x509_info(ark);
    snprintf(want, sizeof(want), "ARK-%s", snp_product_name(p));
    assert_string_equal(in->subject_cn, want);
    assert_true(in->self_issued);
    assert_true(in->is_ca);
    assert_int_equal(in->key_type, SNP_X509_KEY_RSA);
    assert_int_equal(in->key_bits, 2048);
    assert_int_equal(in->sigalg, SNP_X509_SIG_PSS_AMD);
    assert_true(contains(is.ark, is.ark_len, "kds.snpkit.invalid")); /* CRL DP, never AMD's */
    T_OK(snp_x509_verify_by(x, ark) == SNP_OK ? SNP_E_ARG : SNP_OK); /* VCEK is by the ASK */
    snp_x509_free(x);
    snp_x509_free(ark);
    issued_free(&is);
}

static void
test_shape(void **state)
{
    (void)state;
    check_shape(SNP_PRODUCT_MILAN, t_tcb(SNP_PRODUCT_MILAN, 0, 3, 0, 8, 115));
    check_shape(SNP_PRODUCT_GENOA, t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 200));
    check_shape(SNP_PRODUCT_TURIN, t_tcb(SNP_PRODUCT_TURIN, 7, 0, 0, 0, 9));
}

/* ---- VCEK per TCB ---------------------------------------------------------------------------- */

static void
test_vcek_per_tcb(void **state)
{
    struct issued a, b;
    struct snp_verify_result res;
    uint64_t t1 = t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84);
    uint64_t t2 = t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 24, 84);
    struct snp_x509 *x1 = NULL, *x2 = NULL;
    uint8_t xy1[96], xy2[96];
    uint8_t *again = NULL, none[64];
    size_t again_len = 0, used;

    (void)state;
    issue_vcek(&a, SNP_PRODUCT_GENOA, "tcb-chip", t1);
    issue_vcek(&b, SNP_PRODUCT_GENOA, "tcb-chip", t2);
    T_OK(snp_x509_from_der(&x1, a.vcek, a.vcek_len, &used));
    T_OK(snp_x509_from_der(&x2, b.vcek, b.vcek_len, &used));
    point_of(snp_x509_eckey(x1), xy1);
    point_of(snp_x509_eckey(x2), xy2);
    assert_false(snp_ct_eq(xy1, xy2, 96)); /* another TCB, another key */
    snp_x509_free(x1);
    snp_x509_free(x2);

    /* A report signed at TCB 2 with TCB 1's VCEK: the signature does not verify. */
    T_ERR(verify(&b, true, false, a.vcek, a.vcek_len, &res), SNP_E_MISMATCH);
    /* The same chip and TCB is served the same bytes (issued once, then from the state). */
    T_OK(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, a.chip_id, 64, t1, &again, &again_len));
    assert_int_equal(again_len, a.vcek_len);
    t_memeq(again, a.vcek, a.vcek_len);
    free(again);

    /* Unknown chip, wrong hwID length, reserved TCB bytes. */
    memset(none, 0x5a, sizeof(none));
    T_ERR(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, none, 64, t1, &again, &again_len),
          SNP_E_NOTFOUND);
    assert_null(again);
    T_ERR(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, a.chip_id, 8, t1, &again, &again_len),
          SNP_E_ARG);
    T_ERR(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_GENOA, a.chip_id, 64, t1 | (UINT64_C(1) << 16),
                               &again, &again_len),
          SNP_E_RANGE);
    /* A Genoa chip is no Milan chip. */
    T_ERR(snp_vendor_vcek_cert(F.v, SNP_PRODUCT_MILAN, a.chip_id, 64, t1, &again, &again_len),
          SNP_E_NOTFOUND);
    issued_free(&a);
    issued_free(&b);
}

/* ---- VLEK -------------------------------------------------------------------------------- */

static void
test_vlek(void **state)
{
    struct issued is;
    struct snp_verify_result res;
    uint8_t d[48], xy[96], xy2[96];
    struct snp_eckey *k = NULL;
    struct snp_x509 *x = NULL;
    size_t used;
    uint64_t tcb = t_tcb(SNP_PRODUCT_MILAN, 0, 4, 0, 24, 217);
    snp_err err;

    (void)state;
    memset(&is, 0, sizeof(is));
    T_OK(snp_vendor_vlek_cert(F.v, SNP_PRODUCT_MILAN, "CN=cc-test.example", tcb, &is.vcek,
                              &is.vcek_len));
    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_MILAN, SNP_VENDOR_ARK, &is.ark, &is.ark_len));
    T_OK(snp_vendor_cert_chain(F.v, SNP_PRODUCT_MILAN, SNP_VENDOR_VLEK, &is.chain, &is.chain_len));
    T_OK(snp_vendor_crl(F.v, SNP_PRODUCT_MILAN, SNP_VENDOR_VLEK, &is.crl, &is.crl_len));
    T_OK(snp_vendor_vlek_private(F.v, SNP_PRODUCT_MILAN, "CN=cc-test.example", tcb, d));
    T_OK(snp_eckey_from_private(&k, d));
    snp_wipe(d, sizeof(d));
    T_OK(snp_x509_from_der(&x, is.vcek, is.vcek_len, &used));
    assert_string_equal(snp_x509_info(x)->subject_cn, "SEV-VLEK");
    assert_string_equal(snp_x509_info(x)->issuer_cn, "SEV-VLEK-Milan");
    assert_string_equal(snp_x509_info(x)->amd.csp_id, "CN=cc-test.example");
    assert_false(snp_x509_info(x)->amd.has_hwid);
    point_of(snp_x509_eckey(x), xy);
    point_of(k, xy2);
    t_memeq(xy, xy2, 96); /* the private key handed over is the certified one */
    snp_x509_free(x);
    t_report(is.report, SNP_PRODUCT_MILAN, k, NULL, tcb, 1);
    snp_eckey_free(k);
    err = verify(&is, true, true, is.vcek, is.vcek_len, &res);
    if (err != SNP_OK) {
        t_dump(&res);
    }
    T_OK(err);
    assert_int_equal(res.signing_key, 1);
    T_ERR(verify(&is, false, true, is.vcek, is.vcek_len, &res), SNP_E_CHAIN);
    issued_free(&is);
    T_ERR(snp_vendor_vlek_cert(F.v, SNP_PRODUCT_MILAN, "", tcb, &is.vcek, &is.vcek_len), SNP_E_ARG);
    assert_null(is.vcek);
}

/* ---- CRL ----------------------------------------------------------------------------------- */

static void
test_crl_revokes_ask(void **state)
{
    struct issued is;
    struct snp_verify_result res;
    uint64_t tcb = t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84);
    uint64_t ask = snp_vendor_ca_serial(SNP_PRODUCT_GENOA, SNP_VENDOR_ASK);

    (void)state;
    assert_int_equal(ask, 0x020002);
    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, 0x1234, true));
    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, ask, true));
    issue_vcek(&is, SNP_PRODUCT_GENOA, "crl-chip", tcb);
    T_ERR(verify(&is, true, true, is.vcek, is.vcek_len, &res), SNP_E_REVOKED);
    assert_int_equal(snp_verify_find(&res, "crl.revoked")->status, SNP_CHECK_FAIL);
    assert_int_equal(snp_verify_find(&res, "crl.signature")->status, SNP_CHECK_PASS);
    issued_free(&is);

    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, ask, false));
    issue_vcek(&is, SNP_PRODUCT_GENOA, "crl-chip", tcb);
    T_OK(verify(&is, true, true, is.vcek, is.vcek_len, &res));
    assert_int_equal(snp_verify_find(&res, "crl.revoked")->status, SNP_CHECK_PASS);
    issued_free(&is);
    T_OK(snp_vendor_revoke(F.v, SNP_PRODUCT_GENOA, 0x1234, false));
}

/* ---- persistence -------------------------------------------------------------------------- */

static void
test_persistence(void **state)
{
    struct snp_vendor *v2 = NULL;
    struct snp_vendor_opts o;
    uint8_t *a = NULL, *b = NULL, id[64];
    size_t al = 0, bl = 0;
    char path[1200], hex[129];
    struct stat st;

    (void)state;
    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &a, &al));
    memset(&o, 0, sizeof(o));
    o.state_dir = F.dir;
    o.rsa_bits = 2048;
    T_OK(snp_vendor_open(&v2, &o));
    T_OK(snp_vendor_ca_cert(v2, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &b, &bl));
    assert_int_equal(al, bl);
    t_memeq(a, b, al); /* loaded, not generated again */
    T_OK(snp_vendor_ca_path(v2, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, path, sizeof(path)));
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/vendor/Genoa/ark.key", F.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    T_OK(snp_vendor_chip_add(v2, SNP_PRODUCT_GENOA, (const uint8_t *)"x", 1, id));
    T_OK(snp_hex_encode(hex, sizeof(hex), id, 64));
    snprintf(path, sizeof(path), "%s/chips/Genoa/%s.secret", F.dir, hex);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof(path), "%s/vendor/vlek-master.secret", F.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_string_equal(snp_vendor_state_dir(v2), F.dir);
    free(a);
    free(b);
    snp_vendor_free(v2);

    o.rsa_bits = 1024;
    T_ERR(snp_vendor_open(&v2, &o), SNP_E_ARG);
    assert_null(v2);
}

/* ---- the request grammar ------------------------------------------------------------------ */

static const char hw64[] = "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc"
                           "15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6";

static void
test_req_parse(void **state)
{
    static const struct {
        const char *path, *query;
        snp_err want;
    } cases[] = {
        {"/vcek/v1/Milan/cert_chain", "", SNP_OK},
        {"/vlek/v1/Turin/crl", "", SNP_OK},
        {"/vcek/v1/Milan/crl", "?x=1", SNP_OK}, /* queries on fixed resources are ignored */
        {"/vcek/v1/Milan/", "", SNP_E_NOTFOUND},
        {"/vcek/v1/Milan/crl/", "", SNP_E_NOTFOUND},
        {"/vcek/v1/Milan", "", SNP_E_NOTFOUND},
        {"/vcek/v1/milan/crl", "", SNP_E_NOTFOUND},
        {"/vcek/v2/Milan/crl", "", SNP_E_NOTFOUND},
        {"/vxek/v1/Milan/crl", "", SNP_E_NOTFOUND},
        {"", "", SNP_E_NOTFOUND},
        {"vcek/v1/Milan/crl", "", SNP_E_NOTFOUND},
        {"/vcek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", SNP_OK},
        {"/vcek/v1/Milan/H", "?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115", SNP_OK},
        {"/vlek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", SNP_E_NOTFOUND},
        {"/vcek/v1/Milan/H", "", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=256", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1&ucodeSPL=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1&x=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?fmcSPL=0&blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=-1&teeSPL=0&snpSPL=8&ucodeSPL=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL=&teeSPL=0&snpSPL=8&ucodeSPL=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/H", "?blSPL&teeSPL=0&snpSPL=8&ucodeSPL=1", SNP_E_FORMAT},
        {"/vcek/v1/Milan/1e550a8ee5cf9f4d", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115",
         SNP_E_NOTFOUND},
        {"/vcek/v1/Milan/zz", "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", SNP_E_FORMAT},
        {"/vcek/v1/Turin/1e550a8ee5cf9f4d", "?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9",
         SNP_OK},
        {"/vcek/v1/Turin/1e550a8ee5cf9f4d", "?blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9", SNP_E_FORMAT},
        {"/vcek/v1/Turin/H", "?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9", SNP_E_NOTFOUND},
        {"/vcek/v1/Milan/cert chain", "", SNP_E_FORMAT},
    };
    struct snp_kds_req r;
    char target[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h = strstr(cases[i].path, "/H");
        if (h != NULL) {
            snprintf(target, sizeof(target), "%.*s/%s%s", (int)(h - cases[i].path), cases[i].path,
                     hw64, cases[i].query);
        } else {
            snprintf(target, sizeof(target), "%s%s", cases[i].path, cases[i].query);
        }
        if (snp_kds_req_parse(&r, target, strlen(target)) != cases[i].want) {
            printf("case %zu: %s\n", i, target);
        }
        T_ERR(snp_kds_req_parse(&r, target, strlen(target)), cases[i].want);
    }
    /* The worked examples of attestation.md §5. */
    snprintf(target, sizeof(target), "/vcek/v1/Milan/%s?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115",
             hw64);
    T_OK(snp_kds_req_parse(&r, target, strlen(target)));
    assert_int_equal(r.kind, SNP_KDS_REQ_VCEK);
    assert_int_equal(r.product, SNP_PRODUCT_MILAN);
    assert_int_equal(r.hwid_len, 64);
    assert_int_equal(r.hwid[0], 0xd4);
    assert_int_equal(r.hwid[63], 0xb6);
    assert_true(r.tcb == UINT64_C(0x7308000000000003)); /* 03 00 00 00 00 00 08 73 */
    snprintf(target, sizeof(target),
             "/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9");
    T_OK(snp_kds_req_parse(&r, target, strlen(target)));
    assert_int_equal(r.hwid_len, 8);
    assert_true(r.tcb == UINT64_C(0x0900000000000000));
    T_OK(snp_kds_req_parse(&r, "/vlek/v1/Genoa/cert_chain", 25));
    assert_int_equal(r.kind, SNP_KDS_REQ_CHAIN);
    assert_int_equal(r.family, SNP_VENDOR_VLEK);
    assert_int_equal(r.product, SNP_PRODUCT_GENOA);
    T_ERR(snp_kds_req_parse(NULL, "/", 1), SNP_E_ARG);
}

/* snp_vendor_vlek_wrapped(): the hashstick unwraps with the chip's key to the CSP secret whose
 * VLEK the certificate carries; the TCB is the additional data; misuse is refused. (Loading it
 * into the firmware: tests/unit/psp/test_psp_verify.c.) */
static void
test_vlek_wrapped(void **state)
{
    static const char *csp = "CN=cc-wrap.example";
    uint8_t id[64], secret[32], key[32], w[SNP_VENDOR_VLEK_WRAPPED_SIZE], w2[sizeof(w)];
    uint8_t plain[0x180], d[48], d2[48], xy[96], xy2[96];
    struct snp_gcm *g = NULL;
    struct snp_eckey *k = NULL;
    uint64_t tcb = t_tcb(SNP_PRODUCT_GENOA, 0, 9, 0, 21, 80);

    (void)state;
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)"wrap-chip", 9, id));
    T_OK(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 64, csp, tcb, w));
    T_OK(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 64, csp, tcb, w2));
    assert_false(memcmp(w, w2, 12) == 0); /* a fresh IV each time */
    assert_true(snp_ct_is_zero(w + 0x0C, 4) && snp_ct_is_zero(w + 0x198, 8));
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(w[0x190 + i], (uint8_t)(tcb >> (8 * i)));
    }
    /* The firmware's side of it, by hand. */
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)"wrap-chip", 9));
    T_OK(snp_vlek_wrap_key(key, secret));
    T_OK(snp_gcm_new(&g));
    T_OK(snp_gcm_open(g, key, w, w + 0x190, 16, w + 0x10, plain, sizeof(plain), w + 0x1A0));
    assert_true(snp_ct_is_zero(plain + 32, sizeof(plain) - 32));
    T_OK(snp_vlek_derive_scalar(d, plain, SNP_PRODUCT_GENOA, tcb));
    T_OK(snp_vendor_vlek_private(F.v, SNP_PRODUCT_GENOA, csp, tcb, d2));
    t_memeq(d, d2, 48);
    T_OK(snp_eckey_from_private(&k, d));
    T_OK(snp_eckey_point(k, xy, xy + 48));
    snp_eckey_free(k);
    k = NULL;
    T_OK(snp_vlek_derive(&k, plain, SNP_PRODUCT_GENOA, tcb));
    T_OK(snp_eckey_point(k, xy2, xy2 + 48));
    t_memeq(xy, xy2, 96);
    snp_eckey_free(k);
    w[0x190] ^= 1; /* the TCB is authenticated */
    T_ERR(snp_gcm_open(g, key, w, w + 0x190, 16, w + 0x10, plain, sizeof(plain), w + 0x1A0),
          SNP_E_AUTH);
    snp_gcm_free(g);
    snp_wipe(plain, sizeof(plain));
    snp_wipe(key, sizeof(key));
    snp_wipe(secret, sizeof(secret));
    snp_wipe(d, sizeof(d));
    snp_wipe(d2, sizeof(d2));

    /* Refusals: an unregistered chip, a wrong hwID length, a bad csp_id, reserved TCB bytes. */
    memset(id, 0x5A, sizeof(id));
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 64, csp, tcb, w), SNP_E_NOTFOUND);
    assert_true(snp_ct_is_zero(w, sizeof(w)));
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 8, csp, tcb, w), SNP_E_ARG);
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)"wrap-chip", 9, id));
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 64, "", tcb, w), SNP_E_ARG);
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_GENOA, id, 64, csp, tcb | UINT64_C(1) << 16, w),
          SNP_E_RANGE);
    T_ERR(snp_vendor_vlek_wrapped(F.v, SNP_PRODUCT_UNKNOWN, id, 64, csp, tcb, w), SNP_E_ARG);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf_properties),  cmocka_unit_test(test_req_parse),
        cmocka_unit_test(test_vcek_milan),      cmocka_unit_test(test_vcek_genoa),
        cmocka_unit_test(test_vcek_turin),      cmocka_unit_test(test_shape),
        cmocka_unit_test(test_vcek_per_tcb),    cmocka_unit_test(test_vlek),
        cmocka_unit_test(test_crl_revokes_ask), cmocka_unit_test(test_persistence),
        cmocka_unit_test(test_vlek_wrapped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
