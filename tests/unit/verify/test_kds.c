/*
 * tests/unit/verify/test_kds.c - the KDS client and the collateral store (attestation.md §5):
 * URL known answers (Milan/Genoa 64-byte hwID, Turin 8-byte hwID + fmcSPL; real reports when
 * the vectors are present), content checks, and the HTTP client against a local
 * libmicrohttpd server on 127.0.0.1 (an ephemeral port, its own thread): 200, 404, 429 with
 * Retry-After, 429 forever, 5xx, other 4xx, HTML with 200, a cut-off body, a slow server;
 * then the store: atomic writes, store hits that avoid the network, offline mode, stale CRLs,
 * VLEK reports, masked CHIP_ID, and listing.
 *
 * Only 127.0.0.1 is ever contacted: every URL here is built from the local server's base, and
 * proxies are switched off in main(). Time and sleep are injected: nothing really waits,
 * except the slow-server case (a 200 ms client timeout).
 */
#include "helpers.h"

#include "kds_fixtures.h"
#include "kds_testsrv.h"
#include "snpkit/kds.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- responders ----------------------------------------------------------------------------- */

static void
ok_item(const char *uri, struct srv_resp *out)
{
    out->status = 200;
    if (strstr(uri, "/cert_chain") != NULL) {
        out->body = fix_chain_pem;
        out->len = strlen(fix_chain_pem);
        out->ctype = "application/x-pem-file";
    } else if (strstr(uri, "/crl") != NULL) {
        out->body = fix_crl_der;
        out->len = sizeof(fix_crl_der);
        out->ctype = "application/pkix-crl";
    } else {
        out->body = fix_vcek_der;
        out->len = sizeof(fix_vcek_der);
        out->ctype = "application/x-x509-ca-cert";
    }
}

static void
r_ok(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)n;
    ok_item(uri, out);
}

static const char html_404[] = "<html><head><title>404 Not Found</title></head><body>"
                               "<h1>Not Found</h1></body></html>\n";

static void
r_404(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)uri;
    (void)n;
    out->status = 404;
    out->body = html_404;
    out->len = strlen(html_404);
    out->ctype = "text/html";
}

static void
r_html200(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    r_404(s, uri, n, out);
    out->status = 200;
}

/* 429 with "Retry-After: 3" once, then the object. */
static void
r_429_then_ok(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    if (n == 0) {
        out->status = 429;
        out->retry_after = "3";
        out->body = "slow down";
        out->len = 9;
        out->ctype = "text/plain";
        return;
    }
    ok_item(uri, out);
}

/* 429 with an HTTP-date 7 s after the injected clock's time, then the object. */
static void
r_429_date_then_ok(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    struct fake *f = s->ctx;
    if (n == 0) {
        time_t when = (time_t)(f->now + 7);
        struct tm tm;
        gmtime_r(&when, &tm);
        strftime(s->date, sizeof(s->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        out->status = 429;
        out->retry_after = s->date;
        return;
    }
    ok_item(uri, out);
}

static void
r_429_forever(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)uri;
    (void)n;
    out->status = 429;
}

static void
r_429_ra30_forever(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    r_429_forever(s, uri, n, out);
    out->retry_after = "30";
}

static void
r_429_ra_hour(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    r_429_forever(s, uri, n, out);
    out->retry_after = "3600";
}

static void
r_500(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)uri;
    (void)n;
    out->status = 500;
    out->body = "internal error";
    out->len = 14;
}

static void
r_500_then_ok(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    if (n < 2) {
        r_500(s, uri, n, out);
        return;
    }
    ok_item(uri, out);
}

static void
r_403(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)uri;
    (void)n;
    out->status = 403;
    out->body = "forbidden";
    out->len = 9;
}

static void
r_truncated(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)n;
    ok_item(uri, out);
    out->declared_len = out->len;
    out->len = out->len / 2;
}

static void
r_slow(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    (void)s;
    (void)n;
    ok_item(uri, out);
    out->delay_ms = 700;
}

/* The CRL fails with 500; everything else is served. */
static void
r_crl_500(struct srv *s, const char *uri, unsigned n, struct srv_resp *out)
{
    if (strstr(uri, "/crl") != NULL) {
        r_500(s, uri, n, out);
        return;
    }
    ok_item(uri, out);
}

/* ---- fixtures -------------------------------------------------------------------------------- */

struct env {
    struct fake fake;
    struct snp_kds_hooks hooks;
    struct snp_kds_opts opts;
    struct srv srv;
    char dir[256];
};

static void
env_init(struct env *e, srv_fn fn)
{
    memset(e, 0, sizeof(*e));
    e->fake.now = FIX_CRL_THIS_UPDATE + 86400; /* inside the fixture CRL's window */
    e->hooks.ctx = &e->fake;
    e->hooks.now = fake_now;
    e->hooks.sleep_ms = fake_sleep;
    srv_start(&e->srv, fn, &e->fake);
    snprintf(e->dir, sizeof(e->dir), "/tmp/snpkit-test-kds.XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    e->opts.base_url = e->srv.base;
    e->opts.store_dir = e->dir;
    e->opts.hooks = &e->hooks;
    e->opts.timeout_ms = 5000;
    e->opts.connect_timeout_ms = 2000;
}

static void
rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            char sub[1024];
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            rm_rf(sub);
        }
        if (d != NULL) {
            closedir(d);
        }
        rmdir(path);
        return;
    }
    unlink(path);
}

static void
env_fini(struct env *e)
{
    srv_stop(&e->srv);
    rm_rf(e->dir);
}

/* A synthetic report: only SIGNING_KEY, CHIP_ID and REPORTED_TCB matter to the KDS. */
static void
synth_report(struct snp_report *r, unsigned signing_key, uint8_t chip_seed, uint64_t tcb)
{
    memset(r, 0, sizeof(*r));
    r->version = 3;
    r->signer_info = (uint32_t)signing_key << SNP_SIGNER_SIGNING_KEY_SHIFT;
    for (unsigned i = 0; i < 64; i++) {
        r->chip_id[i] = (uint8_t)(chip_seed + i);
    }
    r->reported_tcb = tcb;
}

static bool
file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---- URL known answers ------------------------------------------------------------------------
 */

/* TCB bytes in report order b0..b7 as the u64 the codec gives. */
static uint64_t
tcb_bytes(uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint8_t b4, uint8_t b5, uint8_t b6,
          uint8_t b7)
{
    const uint8_t b[8] = {b0, b1, b2, b3, b4, b5, b6, b7};
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static void
test_url_synthetic(void **state)
{
    char url[SNP_KDS_URL_MAX];
    uint8_t chip[64];
    char want[SNP_KDS_URL_MAX];
    char hex[129];

    (void)state;
    for (unsigned i = 0; i < 64; i++) {
        chip[i] = (uint8_t)(0xc0 + i);
    }
    T_OK(snp_hex_encode(hex, sizeof(hex), chip, 64));

    /* Milan: BL byte 0, TEE 1, SNP 6, UCODE 7 (attestation.md §2). */
    T_OK(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_MILAN, chip,
                          tcb_bytes(3, 0, 0, 0, 0, 0, 8, 0x73)));
    snprintf(want, sizeof(want),
             "https://kdsintf.amd.com/vcek/v1/Milan/%s?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115",
             hex);
    assert_string_equal(url, want);

    /* Genoa, values >= 100 and a non-zero TEE, custom base with trailing slashes. */
    T_OK(snp_kds_url_vcek(url, sizeof(url), "http://127.0.0.1:9//", SNP_PRODUCT_GENOA, chip,
                          tcb_bytes(10, 2, 0, 0, 0, 0, 23, 0xd9)));
    snprintf(want, sizeof(want),
             "http://127.0.0.1:9/vcek/v1/Genoa/%s?blSPL=10&teeSPL=2&snpSPL=23&ucodeSPL=217", hex);
    assert_string_equal(url, want);

    /* Turin: the spec's worked example (hwID 1e550a8ee5cf9f4d, TCB 00..00 09), 8-byte hwID,
     * fmcSPL first; CHIP_ID bytes 8..63 are not part of the URL. */
    t_unhex(chip, 8, "1e550a8ee5cf9f4d");
    T_OK(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_TURIN, chip,
                          tcb_bytes(0, 0, 0, 0, 0, 0, 0, 9)));
    assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Turin/1e550a8ee5cf9f4d"
                             "?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9");
    /* Turin layout: FMC 0, BL 1, TEE 2, SNP 3, UCODE 7. */
    T_OK(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_TURIN, chip,
                          tcb_bytes(1, 2, 3, 4, 0, 0, 0, 5)));
    assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Turin/1e550a8ee5cf9f4d"
                             "?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5");

    /* Chains and CRLs, VCEK and VLEK. */
    T_OK(snp_kds_url_chain(url, sizeof(url), NULL, SNP_PRODUCT_MILAN, SNP_KDS_KEY_VCEK));
    assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain");
    T_OK(snp_kds_url_chain(url, sizeof(url), NULL, SNP_PRODUCT_GENOA, SNP_KDS_KEY_VLEK));
    assert_string_equal(url, "https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain");
    T_OK(snp_kds_url_crl(url, sizeof(url), NULL, SNP_PRODUCT_TURIN, SNP_KDS_KEY_VCEK));
    assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Turin/crl");
    T_OK(snp_kds_url_crl(url, sizeof(url), "https://kds.example/", SNP_PRODUCT_MILAN,
                         SNP_KDS_KEY_VLEK));
    assert_string_equal(url, "https://kds.example/vlek/v1/Milan/crl");

    /* Errors: masked CHIP_ID, unknown product, bad base, small buffer. */
    memset(chip, 0, sizeof(chip));
    T_ERR(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_MILAN, chip, 0), SNP_E_UNSUPPORTED);
    assert_string_equal(url, "");
    chip[9] = 1; /* Turin looks at bytes 0..7 only: still masked there */
    T_ERR(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_TURIN, chip, 0), SNP_E_UNSUPPORTED);
    chip[0] = 1;
    T_ERR(snp_kds_url_vcek(url, sizeof(url), NULL, SNP_PRODUCT_UNKNOWN, chip, 0), SNP_E_ARG);
    T_ERR(snp_kds_url_chain(url, sizeof(url), "ftp://x", SNP_PRODUCT_MILAN, SNP_KDS_KEY_VCEK),
          SNP_E_ARG);
    T_ERR(snp_kds_url_chain(url, sizeof(url), "https://", SNP_PRODUCT_MILAN, SNP_KDS_KEY_VCEK),
          SNP_E_ARG);
    T_ERR(snp_kds_url_chain(url, sizeof(url), "https://a?b", SNP_PRODUCT_MILAN, SNP_KDS_KEY_VCEK),
          SNP_E_ARG);
    T_ERR(snp_kds_url_vcek(url, 40, NULL, SNP_PRODUCT_MILAN, chip, 0), SNP_E_SPACE);
    assert_string_equal(url, "");
    assert_int_equal(snp_kds_hwid_len(SNP_PRODUCT_MILAN), 64);
    assert_int_equal(snp_kds_hwid_len(SNP_PRODUCT_GENOA), 64);
    assert_int_equal(snp_kds_hwid_len(SNP_PRODUCT_TURIN), 8);
    assert_int_equal(snp_kds_hwid_len(SNP_PRODUCT_UNKNOWN), 0);
}

/* A real report's URL, product from CPUID (v3+) or the hint (v2). */
static void
url_of_vector(const char *rel, enum snp_product hint, const char *want)
{
    size_t len = 0;
    uint8_t *buf = t_vector(rel, &len);
    struct snp_report r;
    enum snp_product p;
    char url[SNP_KDS_URL_MAX];

    T_OK(snp_report_decode(&r, buf, len, NULL));
    free(buf);
    T_OK(snp_report_product(&r, hint, &p));
    T_OK(snp_kds_url_vcek(url, sizeof(url), NULL, p, r.chip_id, r.reported_tcb));
    assert_string_equal(url, want);
}

static void
test_url_real_reports(void **state)
{
    (void)state;
    /* attestation.md §5 worked example. */
    url_of_vector("virtee-sev/report_milan.hex.bin", SNP_PRODUCT_MILAN,
                  "https://kdsintf.amd.com/vcek/v1/Milan/"
                  "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc"
                  "15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6"
                  "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115");
    /* Genoa v3 (CPUID 19 11 01), TCB 0a 00 00 00 00 00 17 54 (attestation.md §2 example). */
    url_of_vector("tinfoil-verifier/sev-snp-guest-v2.report.bin", SNP_PRODUCT_UNKNOWN,
                  "https://kdsintf.amd.com/vcek/v1/Genoa/"
                  "1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f053218c437f33ba183"
                  "e4e415b039b37f8205250ad15f8b88a0a3add9f4c081c0779a48ed2214378e44"
                  "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84");
    /* Siena (CPUID 19 A0 02) uses the Genoa line. */
    url_of_vector("trustee/evidence.json.report.bin", SNP_PRODUCT_UNKNOWN,
                  "https://kdsintf.amd.com/vcek/v1/Genoa/"
                  "371c55d6d15cb50f16dc31d39a24e300caaabff4431e841111429b73ec45ad67"
                  "ea6e687ffae7bf84b54a5d0e6d79b3ef6ff0bd8b4cff94c2163af5c5de8718e8"
                  "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=25");
}

/* ---- content checks -------------------------------------------------------------------------- */

static void
test_content_checks(void **state)
{
    uint8_t buf[1024];
    int64_t next = 0;
    const char *pem = fix_chain_pem;
    size_t plen = strlen(pem);
    char crlf[2048];
    size_t n = 0;

    (void)state;
    T_OK(snp_kds_check_content(SNP_KDS_ITEM_VCEK, fix_vcek_der, sizeof(fix_vcek_der), &next));
    assert_int_equal(next, -1);
    T_OK(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)pem, plen, NULL));
    T_OK(snp_kds_check_content(SNP_KDS_ITEM_CRL, fix_crl_der, sizeof(fix_crl_der), &next));
    assert_int_equal(next, FIX_CRL_NEXT_UPDATE);

    /* The HTML 404 page of user-needs.md item 8, as each kind. */
    T_ERR(
        snp_kds_check_content(SNP_KDS_ITEM_VCEK, (const uint8_t *)html_404, strlen(html_404), NULL),
        SNP_E_FORMAT);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)html_404, strlen(html_404),
                                NULL),
          SNP_E_FORMAT);
    T_ERR(
        snp_kds_check_content(SNP_KDS_ITEM_CRL, (const uint8_t *)html_404, strlen(html_404), NULL),
        SNP_E_FORMAT);
    /* Every cut of the certificate and the CRL is refused, most as truncated. */
    for (size_t cut = 1; cut < sizeof(fix_vcek_der); cut++) {
        snp_err err = snp_kds_check_content(SNP_KDS_ITEM_VCEK, fix_vcek_der, cut, NULL);
        assert_int_not_equal(err, SNP_OK);
        if (cut >= 4) {
            T_ERR(err, SNP_E_TRUNCATED);
        }
    }
    for (size_t cut = 1; cut < sizeof(fix_crl_der); cut++) {
        assert_int_not_equal(snp_kds_check_content(SNP_KDS_ITEM_CRL, fix_crl_der, cut, NULL),
                             SNP_OK);
    }
    /* Trailing bytes, the wrong kind, empty input. */
    memcpy(buf, fix_vcek_der, sizeof(fix_vcek_der));
    buf[sizeof(fix_vcek_der)] = 0;
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_VCEK, buf, sizeof(fix_vcek_der) + 1, NULL),
          SNP_E_TRAILING);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_VCEK, fix_crl_der, sizeof(fix_crl_der), NULL),
          SNP_E_FORMAT);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CRL, fix_vcek_der, sizeof(fix_vcek_der), NULL),
          SNP_E_FORMAT);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_VCEK, NULL, 0, NULL), SNP_E_RANGE);
    /* A chain of one certificate, of three, cut in the middle, with text after it. */
    const char *end1 = strstr(pem, "-----END CERTIFICATE-----");
    assert_non_null(end1);
    size_t one = (size_t)(end1 - pem) + strlen("-----END CERTIFICATE-----\n");
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)pem, one, NULL), SNP_E_FORMAT);
    char three[4096];
    snprintf(three, sizeof(three), "%s%.*s", pem, (int)one, pem);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)three, strlen(three), NULL),
          SNP_E_FORMAT);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)pem, plen - 30, NULL),
          SNP_E_TRUNCATED);
    snprintf(three, sizeof(three), "%s<html>", pem);
    T_ERR(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)three, strlen(three), NULL),
          SNP_E_FORMAT);
    /* CRLF line ends (the real Turin cert_chain has them) are fine. */
    for (size_t i = 0; i < plen && n + 2 < sizeof(crlf); i++) {
        if (pem[i] == '\n') {
            crlf[n++] = '\r';
        }
        crlf[n++] = pem[i];
    }
    T_OK(snp_kds_check_content(SNP_KDS_ITEM_CHAIN, (const uint8_t *)crlf, n, NULL));
}

/* Real KDS responses from the vectors, when present. */
static void
test_content_real_vectors(void **state)
{
    static const struct {
        const char *rel;
        enum snp_kds_item item;
    } cases[] = {
        {"virtee-sev/vcek_milan.der", SNP_KDS_ITEM_VCEK},
        {"virtee-sev/vcek_turin.der", SNP_KDS_ITEM_VCEK},
        {"virtee-sev/cert_chain_milan", SNP_KDS_ITEM_CHAIN},
        {"virtee-sev/cert_chain_turin", SNP_KDS_ITEM_CHAIN},
        {"go-sev-guest/ask_ark_milan_vlek.pem", SNP_KDS_ITEM_CHAIN},
        {"amd-crl/milan_crl_11.der", SNP_KDS_ITEM_CRL},
        {"amd-crl/genoa_crl_10.der", SNP_KDS_ITEM_CRL},
        {"amd-crl/turin_crl_7.der", SNP_KDS_ITEM_CRL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        int64_t next = 0;
        uint8_t *buf = t_vector(cases[i].rel, &len);
        T_OK(snp_kds_check_content(cases[i].item, buf, len, &next));
        if (cases[i].item == SNP_KDS_ITEM_CRL) {
            /* MANIFEST: nextUpdate 2026-10-04 for the #11/#10/#7 CRLs. */
            assert_int_equal(next, INT64_C(1791072000));
        }
        free(buf);
    }
}

/* ---- the HTTP client ------------------------------------------------------------------------- */

static void
get_url(struct env *e, char *url, size_t n)
{
    snprintf(url, n, "%s/vcek/v1/Milan/00ff?blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=3", e->srv.base);
}

static void
test_http_200(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_ok);
    get_url(&e, url, sizeof(url));
    T_OK(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st));
    assert_int_equal(len, sizeof(fix_vcek_der));
    t_memeq(body, fix_vcek_der, len);
    assert_int_equal(st.attempts, 1);
    assert_int_equal(st.http_status, 200);
    assert_int_equal(st.fail, SNP_KDS_FAIL_NONE);
    assert_int_equal(srv_count(&e.srv), 1);
    /* The server saw exactly the URL's path and query. */
    assert_string_equal(e.srv.last_uri, url + strlen(e.srv.base));
    free(body);
    env_fini(&e);
}

static void
test_http_404(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = (uint8_t *)1;
    size_t len = 1;

    (void)state;
    env_init(&e, r_404);
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NOTFOUND);
    assert_null(body);
    assert_int_equal(len, 0);
    assert_int_equal(st.attempts, 1); /* never retried */
    assert_int_equal(e.fake.nsleeps, 0);
    assert_int_equal(st.http_status, 404);
    assert_int_equal(st.fail, SNP_KDS_FAIL_HTTP);
    assert_non_null(strstr(st.msg, "HTTP 404"));
    assert_non_null(strstr(st.msg, "no VCEK for this chip"));
    env_fini(&e);
}

static void
test_http_429_retry_after(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_429_then_ok);
    get_url(&e, url, sizeof(url));
    T_OK(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st));
    assert_int_equal(st.attempts, 2);
    assert_int_equal(e.fake.nsleeps, 1);
    assert_int_equal(e.fake.sleeps[0], 3000); /* exactly what Retry-After asked */
    assert_int_equal(st.waited_ms, 3000);
    assert_int_equal(srv_count(&e.srv), 2);
    t_memeq(body, fix_vcek_der, sizeof(fix_vcek_der));
    free(body);
    env_fini(&e);

    /* The HTTP-date form, read against the injected clock. */
    env_init(&e, r_429_date_then_ok);
    get_url(&e, url, sizeof(url));
    T_OK(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st));
    assert_int_equal(e.fake.nsleeps, 1);
    assert_int_equal(e.fake.sleeps[0], 7000);
    free(body);
    env_fini(&e);
}

static void
test_http_429_forever(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    /* Without Retry-After: exponential backoff, max_attempts (default 5) requests. */
    env_init(&e, r_429_forever);
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_null(body);
    assert_int_equal(st.fail, SNP_KDS_FAIL_THROTTLED);
    assert_int_equal(st.http_status, 429);
    assert_int_equal(st.attempts, 5);
    assert_int_equal(srv_count(&e.srv), 5);
    assert_int_equal(e.fake.nsleeps, 4);
    assert_int_equal(e.fake.sleeps[0], 1000);
    assert_int_equal(e.fake.sleeps[1], 2000);
    assert_int_equal(e.fake.sleeps[2], 4000);
    assert_int_equal(e.fake.sleeps[3], 8000);
    assert_non_null(strstr(st.msg, "gave up after 5 attempts"));
    env_fini(&e);

    /* With Retry-After 30 and a 50 s wait budget: one wait, then the budget ends it. */
    env_init(&e, r_429_ra30_forever);
    e.opts.total_wait_max_ms = 50000;
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_int_equal(st.fail, SNP_KDS_FAIL_THROTTLED);
    assert_int_equal(st.attempts, 2);
    assert_int_equal(e.fake.nsleeps, 1);
    assert_int_equal(e.fake.sleeps[0], 30000);
    assert_non_null(strstr(st.msg, "wait budget"));
    env_fini(&e);

    /* A Retry-After above the cap is not retried early: no wait, one request. */
    env_init(&e, r_429_ra_hour);
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_int_equal(st.attempts, 1);
    assert_int_equal(e.fake.nsleeps, 0);
    assert_non_null(strstr(st.msg, "Retry-After 3600 s"));
    env_fini(&e);
}

static void
test_http_5xx_and_4xx(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_500);
    e.opts.max_attempts = 3;
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_int_equal(st.fail, SNP_KDS_FAIL_HTTP);
    assert_int_equal(st.http_status, 500);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(e.fake.nsleeps, 2);
    assert_int_equal(e.fake.sleeps[0], 1000);
    assert_int_equal(e.fake.sleeps[1], 2000);
    env_fini(&e);

    env_init(&e, r_500_then_ok); /* an outage that ends */
    get_url(&e, url, sizeof(url));
    T_OK(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st));
    assert_int_equal(st.attempts, 3);
    free(body);
    body = NULL;
    env_fini(&e);

    env_init(&e, r_403); /* other 4xx: never retried, the body quoted */
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_int_equal(st.attempts, 1);
    assert_int_equal(st.http_status, 403);
    assert_int_equal(e.fake.nsleeps, 0);
    assert_non_null(strstr(st.msg, "forbidden"));
    env_fini(&e);
}

static void
test_http_html_200(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_html200);
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_null(body);
    assert_int_equal(st.fail, SNP_KDS_FAIL_CONTENT);
    assert_int_equal(st.content_err, SNP_E_FORMAT);
    assert_int_equal(st.attempts, 1);
    assert_non_null(strstr(st.msg, "text/html"));
    assert_non_null(strstr(st.msg, "nothing stored"));
    env_fini(&e);
}

static void
test_http_truncated(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_truncated);
    e.opts.max_attempts = 2;
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_null(body);
    assert_int_equal(st.fail, SNP_KDS_FAIL_TRUNCATED);
    assert_int_equal(st.attempts, 2); /* a transport failure: retried once */
    env_fini(&e);
}

static void
test_http_slow(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_slow);
    e.opts.timeout_ms = 200;
    e.opts.max_attempts = 1;
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NETWORK);
    assert_null(body);
    assert_int_equal(st.fail, SNP_KDS_FAIL_TIMEOUT);
    assert_non_null(strstr(st.msg, "timed out"));
    env_fini(&e);
}

static void
test_http_offline_and_args(void **state)
{
    struct env e;
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    env_init(&e, r_ok);
    e.opts.offline = true;
    get_url(&e, url, sizeof(url));
    T_ERR(snp_kds_get(&e.opts, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_STATE);
    assert_int_equal(st.fail, SNP_KDS_FAIL_OFFLINE);
    assert_int_equal(srv_count(&e.srv), 0);
    T_ERR(snp_kds_get(&e.opts, "file:///etc/passwd", SNP_KDS_ITEM_VCEK, &body, &len, &st),
          SNP_E_ARG);
    env_fini(&e);
}

/* ---- the store ------------------------------------------------------------------------------- */

static unsigned
count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned n = 0;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void
test_store_write_read(void **state)
{
    char dir[] = "/tmp/snpkit-test-store.XXXXXX";
    char path[512];
    char sub[512];
    uint8_t *buf = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a/b/c.der", dir);
    T_ERR(snp_kds_store_read(path, &buf, &len), SNP_E_NOTFOUND);
    T_OK(snp_kds_store_write(path, fix_vcek_der, sizeof(fix_vcek_der)));
    T_OK(snp_kds_store_read(path, &buf, &len));
    assert_int_equal(len, sizeof(fix_vcek_der));
    t_memeq(buf, fix_vcek_der, len);
    free(buf);
    /* Overwrite replaces whole; no temporary file is left beside it. */
    T_OK(snp_kds_store_write(path, fix_crl_der, sizeof(fix_crl_der)));
    T_OK(snp_kds_store_read(path, &buf, &len));
    assert_int_equal(len, sizeof(fix_crl_der));
    free(buf);
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    assert_int_equal(count_files(sub), 1);
    /* A parent that is a file: SNP_E_IO, nothing created. */
    snprintf(path, sizeof(path), "%s/a/b/c.der/x.der", dir);
    T_ERR(snp_kds_store_write(path, fix_vcek_der, sizeof(fix_vcek_der)), SNP_E_IO);
    assert_int_equal(count_files(sub), 1);
    rm_rf(dir);
}

static void
test_store_paths_and_default(void **state)
{
    char p[SNP_KDS_PATH_MAX];
    uint8_t chip[64];
    char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    (void)state;
    for (unsigned i = 0; i < 64; i++) {
        chip[i] = (uint8_t)i;
    }
    T_OK(snp_kds_store_path(p, sizeof(p), "/s", SNP_KDS_ITEM_VCEK, SNP_KDS_KEY_VCEK,
                            SNP_PRODUCT_TURIN, chip, tcb_bytes(1, 2, 3, 4, 0, 0, 0, 5)));
    assert_string_equal(p, "/s/vcek/Turin/0001020304050607/0102030400000005.der");
    T_OK(snp_kds_store_path(p, sizeof(p), "/s", SNP_KDS_ITEM_CHAIN, SNP_KDS_KEY_VLEK,
                            SNP_PRODUCT_GENOA, NULL, 0));
    assert_string_equal(p, "/s/chain/Genoa/vlek.pem");
    T_OK(snp_kds_store_path(p, sizeof(p), "/s", SNP_KDS_ITEM_CRL, SNP_KDS_KEY_VCEK,
                            SNP_PRODUCT_MILAN, NULL, 0));
    assert_string_equal(p, "/s/crl/Milan/vcek.der");
    T_ERR(snp_kds_store_path(p, sizeof(p), "/s", SNP_KDS_ITEM_VCEK, SNP_KDS_KEY_VLEK,
                             SNP_PRODUCT_MILAN, chip, 0),
          SNP_E_ARG);

    setenv("XDG_CACHE_HOME", "/xdg", 1);
    T_OK(snp_kds_store_default(p, sizeof(p)));
    assert_string_equal(p, "/xdg/snpkit");
    setenv("XDG_CACHE_HOME", "relative", 1); /* ignored, per the XDG spec */
    setenv("HOME", "/home/u", 1);
    T_OK(snp_kds_store_default(p, sizeof(p)));
    assert_string_equal(p, "/home/u/.cache/snpkit");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    T_ERR(snp_kds_store_default(p, sizeof(p)), SNP_E_NOTFOUND);
    if (old_xdg != NULL) {
        setenv("XDG_CACHE_HOME", old_xdg, 1);
    }
    if (old_home != NULL) {
        setenv("HOME", old_home, 1);
    }
    free(old_xdg);
    free(old_home);
}

static void
test_fetch_store_then_hit(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;
    char p[SNP_KDS_PATH_MAX];

    (void)state;
    env_init(&e, r_ok);
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x10, tcb_bytes(3, 0, 0, 0, 0, 0, 8, 0x73));
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), 3);
    assert_int_equal(b.key, SNP_KDS_KEY_VCEK);
    assert_int_equal(b.vcek.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(b.chain.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(b.crl.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(b.vcek.state, SNP_KDS_ST_OK);
    assert_int_equal(b.crl.state, SNP_KDS_ST_OK);
    assert_int_equal(b.crl.crl_next_update, FIX_CRL_NEXT_UPDATE);
    t_memeq(b.vcek.data, fix_vcek_der, sizeof(fix_vcek_der));
    assert_int_equal(b.chain.len, strlen(fix_chain_pem));
    assert_int_equal(b.crl.len, sizeof(fix_crl_der));
    T_OK(snp_kds_store_path(p, sizeof(p), e.dir, SNP_KDS_ITEM_VCEK, SNP_KDS_KEY_VCEK,
                            SNP_PRODUCT_MILAN, r.chip_id, r.reported_tcb));
    assert_string_equal(b.vcek.path, p);
    assert_true(file_exists(p));
    assert_true(file_exists(b.chain.path));
    assert_true(file_exists(b.crl.path));
    assert_non_null(strstr(b.vcek.url, "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"));
    snp_kds_bundle_free(&b);

    /* Second time: all from the store, no request. */
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), 3);
    assert_int_equal(b.vcek.source, SNP_KDS_SRC_STORE);
    assert_int_equal(b.chain.source, SNP_KDS_SRC_STORE);
    assert_int_equal(b.crl.source, SNP_KDS_SRC_STORE);
    snp_kds_bundle_free(&b);

    /* A firmware update (new REPORTED_TCB): only the new VCEK is fetched, the old stays. */
    r.reported_tcb = tcb_bytes(3, 0, 0, 0, 0, 0, 9, 0x74);
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), 4);
    assert_int_equal(b.vcek.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(b.chain.source, SNP_KDS_SRC_STORE);
    assert_true(file_exists(p));
    snp_kds_bundle_free(&b);

    /* Offline now finds everything stored. */
    e.opts.offline = true;
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), 4);
    snp_kds_bundle_free(&b);
    env_fini(&e);
}

static void
test_fetch_offline_empty(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;

    (void)state;
    env_init(&e, r_ok);
    e.opts.offline = true;
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x20, tcb_bytes(10, 0, 0, 0, 0, 0, 23, 84));
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_GENOA, &b), SNP_E_NOTFOUND);
    assert_int_equal(srv_count(&e.srv), 0);
    assert_int_equal(b.vcek.state, SNP_KDS_ST_MISSING);
    assert_int_equal(b.chain.state, SNP_KDS_ST_MISSING);
    assert_int_equal(b.crl.state, SNP_KDS_ST_MISSING);
    assert_int_equal(b.vcek.err, SNP_E_NOTFOUND);
    assert_null(b.vcek.data);
    /* The message names what is missing and where it was looked for. */
    assert_non_null(strstr(b.vcek.msg, "vcek not in the store"));
    assert_non_null(strstr(b.vcek.msg, b.vcek.path));
    assert_non_null(strstr(b.chain.msg, "/chain/Genoa/vcek.pem"));
    assert_non_null(strstr(b.crl.msg, "/crl/Genoa/vcek.der"));
    assert_non_null(strstr(b.crl.msg, "offline"));
    snp_kds_bundle_free(&b);
    env_fini(&e);
}

static void
test_fetch_html_never_stored(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;

    (void)state;
    env_init(&e, r_html200);
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x30, tcb_bytes(3, 0, 0, 0, 0, 0, 8, 0x73));
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b), SNP_E_NETWORK);
    assert_int_equal(b.vcek.state, SNP_KDS_ST_MISSING);
    assert_int_equal(b.chain.state, SNP_KDS_ST_MISSING);
    assert_int_equal(b.crl.state, SNP_KDS_ST_MISSING);
    assert_false(file_exists(b.vcek.path));
    assert_false(file_exists(b.chain.path));
    assert_false(file_exists(b.crl.path));
    assert_non_null(strstr(b.vcek.msg, "nothing stored"));
    snp_kds_bundle_free(&b);
    env_fini(&e);
}

static void
test_fetch_stale_crl(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;
    unsigned before;

    (void)state;
    env_init(&e, r_ok);
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x40, tcb_bytes(3, 0, 0, 0, 0, 0, 8, 0x73));
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b)); /* fills the store */
    snp_kds_bundle_free(&b);
    before = srv_count(&e.srv);

    /* Past nextUpdate, offline: the stored CRL is returned as STALE, no request. */
    e.fake.now = FIX_CRL_NEXT_UPDATE + 1;
    e.opts.offline = true;
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), before);
    assert_int_equal(b.crl.state, SNP_KDS_ST_STALE);
    assert_int_equal(b.crl.source, SNP_KDS_SRC_STORE);
    assert_int_equal(b.crl.err, SNP_E_EXPIRED);
    assert_non_null(b.crl.data);
    assert_non_null(strstr(b.crl.msg, "2026-10-04T00:00:00Z"));
    assert_int_equal(b.vcek.state, SNP_KDS_ST_OK);
    snp_kds_bundle_free(&b);

    /* Online: only the CRL is re-fetched (the server's copy is the same, so still stale). */
    e.opts.offline = false;
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), before + 1);
    assert_non_null(strstr(e.srv.last_uri, "/vcek/v1/Milan/crl"));
    assert_int_equal(b.crl.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(b.crl.state, SNP_KDS_ST_STALE);
    assert_non_null(strstr(b.crl.msg, "itself past its nextUpdate"));
    snp_kds_bundle_free(&b);

    /* Before nextUpdate the stored CRL is used as is. */
    e.fake.now = FIX_CRL_NEXT_UPDATE - 1;
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(srv_count(&e.srv), before + 1);
    assert_int_equal(b.crl.state, SNP_KDS_ST_OK);
    assert_int_equal(b.crl.source, SNP_KDS_SRC_STORE);
    snp_kds_bundle_free(&b);
    env_fini(&e);

    /* Past nextUpdate with the refresh failing: the stored copy, STALE, and why. */
    env_init(&e, r_crl_500);
    e.opts.max_attempts = 2;
    T_OK(snp_kds_store_path(b.crl.path, sizeof(b.crl.path), e.dir, SNP_KDS_ITEM_CRL,
                            SNP_KDS_KEY_VCEK, SNP_PRODUCT_MILAN, NULL, 0));
    T_OK(snp_kds_store_write(b.crl.path, fix_crl_der, sizeof(fix_crl_der)));
    e.fake.now = FIX_CRL_NEXT_UPDATE + 100;
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(b.crl.state, SNP_KDS_ST_STALE);
    assert_int_equal(b.crl.source, SNP_KDS_SRC_STORE);
    assert_non_null(strstr(b.crl.msg, "refresh failed"));
    assert_non_null(strstr(b.crl.msg, "HTTP 500"));
    snp_kds_bundle_free(&b);
    env_fini(&e);
}

static void
test_fetch_vlek_and_masked(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;

    (void)state;
    env_init(&e, r_ok);
    synth_report(&r, SNP_SIGNING_KEY_VLEK, 0, tcb_bytes(4, 0, 0, 0, 0, 0, 24, 0xd9));
    memset(r.chip_id, 0, sizeof(r.chip_id)); /* as real AWS VLEK reports */
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b));
    assert_int_equal(b.key, SNP_KDS_KEY_VLEK);
    assert_int_equal(b.vcek.state, SNP_KDS_ST_NOT_APPLICABLE);
    assert_null(b.vcek.data);
    assert_non_null(strstr(b.vcek.msg, "certificate table"));
    assert_non_null(strstr(b.chain.url, "/vlek/v1/Milan/cert_chain"));
    assert_non_null(strstr(b.crl.url, "/vlek/v1/Milan/crl"));
    assert_non_null(strstr(b.chain.path, "/chain/Milan/vlek.pem"));
    assert_int_equal(srv_count(&e.srv), 2);
    snp_kds_bundle_free(&b);

    /* VCEK-signed with MASK_CHIP_ID: no VCEK, but chain and CRL still come. */
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0, 0);
    memset(r.chip_id, 0, sizeof(r.chip_id));
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_GENOA, &b), SNP_E_UNSUPPORTED);
    assert_int_equal(b.vcek.state, SNP_KDS_ST_MISSING);
    assert_non_null(strstr(b.vcek.msg, "MASK_CHIP_ID"));
    assert_int_equal(b.chain.state, SNP_KDS_ST_OK);
    assert_int_equal(b.crl.state, SNP_KDS_ST_OK);
    snp_kds_bundle_free(&b);

    /* Unsigned report and unknown product: misuse. */
    synth_report(&r, SNP_SIGNING_KEY_NONE, 1, 0);
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b), SNP_E_ARG);
    snp_kds_bundle_free(&b);
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 1, 0);
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_UNKNOWN, &b), SNP_E_ARG);
    snp_kds_bundle_free(&b);
    env_fini(&e);
}

static void
test_fetch_throttled_stops(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;

    (void)state;
    env_init(&e, r_429_forever);
    e.opts.max_attempts = 3;
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x50, tcb_bytes(3, 0, 0, 0, 0, 0, 8, 0x73));
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b), SNP_E_NETWORK);
    assert_int_equal(srv_count(&e.srv), 3); /* the VCEK's attempts only */
    assert_non_null(strstr(b.vcek.msg, "HTTP 429"));
    assert_non_null(strstr(b.chain.msg, "not requested"));
    assert_non_null(strstr(b.crl.msg, "not requested"));
    snp_kds_bundle_free(&b);
    env_fini(&e);

    /* A server that cannot be reached: the same, after the first item's retries. */
    env_init(&e, r_ok);
    srv_stop(&e.srv); /* the port is closed now: connections are refused */
    e.opts.max_attempts = 2;
    T_ERR(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_MILAN, &b), SNP_E_NETWORK);
    assert_int_equal(e.fake.nsleeps, 1);
    assert_non_null(strstr(b.chain.msg, "could not be reached"));
    assert_non_null(strstr(b.crl.msg, "could not be reached"));
    snp_kds_bundle_free(&b);
    rm_rf(e.dir);
}

struct listing {
    unsigned n;
    unsigned vceks;
    unsigned bad;
    char first[SNP_KDS_PATH_MAX];
};

static snp_err
on_entry(void *ctx, const struct snp_kds_entry *en)
{
    struct listing *l = ctx;
    if (l->n == 0) {
        snprintf(l->first, sizeof(l->first), "%s", en->path);
    }
    l->n++;
    l->vceks += en->item == SNP_KDS_ITEM_VCEK;
    l->bad += en->content_err != SNP_OK;
    if (en->item == SNP_KDS_ITEM_CRL) {
        assert_int_equal(en->crl_next_update,
                         en->content_err == SNP_OK ? FIX_CRL_NEXT_UPDATE : INT64_C(-1));
    }
    return SNP_OK;
}

static void
test_store_list(void **state)
{
    struct env e;
    struct snp_report r;
    struct snp_kds_bundle b;
    struct listing l;
    char junk[SNP_KDS_PATH_MAX + 16];

    (void)state;
    env_init(&e, r_ok);
    memset(&l, 0, sizeof(l));
    T_OK(snp_kds_store_list(e.dir, on_entry, &l)); /* empty */
    assert_int_equal(l.n, 0);
    synth_report(&r, SNP_SIGNING_KEY_VCEK, 0x60, tcb_bytes(1, 0, 0, 0, 0, 0, 2, 3));
    T_OK(snp_kds_fetch_for_report(&e.opts, &r, SNP_PRODUCT_TURIN, &b));
    /* Junk beside the VCEK: a temp file and a foreign name are skipped. */
    snprintf(junk, sizeof(junk), "%s.tmp.1.0", b.vcek.path);
    T_OK(snp_kds_store_write(junk, (const uint8_t *)"x", 1));
    snprintf(junk, sizeof(junk), "%s/vcek/Turin/README", e.dir);
    T_OK(snp_kds_store_write(junk, (const uint8_t *)"x", 1));
    snp_kds_bundle_free(&b);
    memset(&l, 0, sizeof(l));
    T_OK(snp_kds_store_list(e.dir, on_entry, &l));
    assert_int_equal(l.n, 3);
    assert_int_equal(l.vceks, 1);
    assert_int_equal(l.bad, 0);
    assert_non_null(strstr(l.first, "/chain/Turin/vcek.pem"));
    /* A corrupted stored file is listed as unusable. */
    T_OK(snp_kds_store_path(junk, sizeof(junk), e.dir, SNP_KDS_ITEM_CRL, SNP_KDS_KEY_VLEK,
                            SNP_PRODUCT_MILAN, NULL, 0));
    T_OK(snp_kds_store_write(junk, (const uint8_t *)html_404, strlen(html_404)));
    memset(&l, 0, sizeof(l));
    T_OK(snp_kds_store_list(e.dir, on_entry, &l));
    assert_int_equal(l.n, 4);
    assert_int_equal(l.bad, 1);
    env_fini(&e);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_synthetic),
        cmocka_unit_test(test_url_real_reports),
        cmocka_unit_test(test_content_checks),
        cmocka_unit_test(test_content_real_vectors),
        cmocka_unit_test(test_http_200),
        cmocka_unit_test(test_http_404),
        cmocka_unit_test(test_http_429_retry_after),
        cmocka_unit_test(test_http_429_forever),
        cmocka_unit_test(test_http_5xx_and_4xx),
        cmocka_unit_test(test_http_html_200),
        cmocka_unit_test(test_http_truncated),
        cmocka_unit_test(test_http_slow),
        cmocka_unit_test(test_http_offline_and_args),
        cmocka_unit_test(test_store_write_read),
        cmocka_unit_test(test_store_paths_and_default),
        cmocka_unit_test(test_fetch_store_then_hit),
        cmocka_unit_test(test_fetch_offline_empty),
        cmocka_unit_test(test_fetch_html_never_stored),
        cmocka_unit_test(test_fetch_stale_crl),
        cmocka_unit_test(test_fetch_vlek_and_masked),
        cmocka_unit_test(test_fetch_throttled_stops),
        cmocka_unit_test(test_store_list),
    };
    /* Loopback only: no proxy may see (or answer for) the test server. */
    static const char *proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                    "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
        unsetenv(proxies[i]);
    }
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
