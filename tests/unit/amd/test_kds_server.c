/*
 * tests/unit/amd/test_kds_server.c - the simulated key server (snp_kds_server_*) on 127.0.0.1,
 * an ephemeral port, in-process: the project's KDS client (snpkit/kds.h) fetches a simulated
 * chip's VCEK, cert_chain and CRL from it and the verifier accepts the report with the
 * simulated ARK as root (what `snpkit verify --kds URL --root ARK` does); 404 for an unknown
 * chip, 400 for bad parameters, 405 for other methods; 429 with Retry-After under the rate
 * limit, which the client honours; loopback-only binding.
 *
 * Only 127.0.0.1 is contacted; proxies are switched off in main(). The rate limiter's clock is
 * injected and moved by the client's injected sleep, so nothing really waits.
 */
#include "amd_fixture.h"

#include "snpkit/kds.h"
#include "snpkit/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct clock {
    int64_t ms;
};

struct fixture {
    char dir[256];
    struct snp_vendor *v;
    struct snp_kds_server *srv;
    char base[64];
    uint8_t genoa_chip[64], turin_chip[64];
    uint8_t *ark;
    size_t ark_len;
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
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_GENOA, (const uint8_t *)"genoa-1", 7, F.genoa_chip));
    T_OK(snp_vendor_chip_add(F.v, SNP_PRODUCT_TURIN, (const uint8_t *)"turin-1", 7, F.turin_chip));
    T_OK(snp_vendor_ca_cert(F.v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &F.ark, &F.ark_len));
    T_OK(snp_verifier_new(&F.ver));
    T_OK(snp_kds_server_start(&F.srv, F.v, NULL)); /* defaults: 127.0.0.1, ephemeral port */
    assert_int_not_equal(snp_kds_server_port(F.srv), 0);
    snprintf(F.base, sizeof(F.base), "http://127.0.0.1:%u", snp_kds_server_port(F.srv));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    snp_kds_server_stop(F.srv);
    snp_verifier_free(F.ver);
    snp_vendor_free(F.v);
    free(F.ark);
    t_rm_tree(F.dir);
    return 0;
}

/* ---- a raw HTTP/1.1 exchange, to see status lines and headers exactly ----------------------- */

static unsigned
http_raw(uint16_t port, const char *method, const char *target, char *resp, size_t resp_size)
{
    struct sockaddr_in sa;
    char req[1400];
    size_t got = 0;
    unsigned status = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int n;

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                 method, target);
    assert_int_equal(write(fd, req, (size_t)n), n);
    while (got + 1 < resp_size) {
        ssize_t r = read(fd, resp + got, resp_size - 1 - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    resp[got] = '\0';
    close(fd);
    assert_int_equal(sscanf(resp, "HTTP/1.1 %u", &status), 1);
    return status;
}

/* ---- fetch and verify ------------------------------------------------------------------------ */

static void
fetch_and_verify(enum snp_product p, const uint8_t chip[64], const char *seed, uint64_t tcb)
{
    uint8_t secret[32], report[SNP_REPORT_SIZE];
    struct snp_eckey *k = NULL;
    struct snp_report r;
    struct snp_kds_opts ko;
    struct snp_kds_bundle kb;
    struct snp_collateral *c = NULL;
    struct snp_verify_opts vo;
    struct snp_verify_result res;
    uint8_t *ark = NULL;
    size_t ark_len = 0;
    snp_err err;

    /* The firmware's side of the story, until sim/psp signs: the derived VCEK at tcb. */
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)seed, strlen(seed)));
    T_OK(snp_vcek_derive(&k, secret, p, tcb));
    snp_wipe(secret, sizeof(secret));
    t_report(report, p, k, chip, tcb, 0);
    snp_eckey_free(k);
    T_OK(snp_report_decode(&r, report, sizeof(report), NULL));

    memset(&ko, 0, sizeof(ko));
    ko.base_url = F.base;
    ko.no_store = true;
    ko.max_attempts = 1;
    err = snp_kds_fetch_for_report(&ko, &r, p, &kb);
    if (err != SNP_OK) {
        printf("vcek: %s\nchain: %s\ncrl: %s\n", kb.vcek.msg, kb.chain.msg, kb.crl.msg);
    }
    T_OK(err);
    assert_int_equal(kb.vcek.source, SNP_KDS_SRC_NETWORK);
    assert_int_equal(kb.chain.state, SNP_KDS_ST_OK);
    assert_int_equal(kb.crl.state, SNP_KDS_ST_OK);

    T_OK(snp_collateral_new(&c));
    T_OK(snp_collateral_add(c, kb.vcek.data, kb.vcek.len));
    T_OK(snp_collateral_add(c, kb.chain.data, kb.chain.len));
    T_OK(snp_collateral_add(c, kb.crl.data, kb.crl.len));
    T_OK(snp_vendor_ca_cert(F.v, p, SNP_VENDOR_ARK, &ark, &ark_len));
    snp_verify_opts_init(&vo);
    vo.root = ark;
    vo.root_len = ark_len;
    vo.crl = SNP_CRL_REQUIRE;
    err = snp_verify_report(F.ver, report, sizeof(report), c, &vo, NULL, &res);
    if (err != SNP_OK) {
        t_dump(&res);
    }
    T_OK(err);
    /* AMD's pins refuse the same evidence. */
    vo.root = NULL;
    vo.root_len = 0;
    T_ERR(snp_verify_report(F.ver, report, sizeof(report), c, &vo, NULL, &res), SNP_E_CHAIN);
    snp_collateral_free(c);
    snp_kds_bundle_free(&kb);
    free(ark);
}

static void
test_fetch_genoa(void **state)
{
    (void)state;
    fetch_and_verify(SNP_PRODUCT_GENOA, F.genoa_chip, "genoa-1",
                     t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84));
}

static void
test_fetch_turin(void **state)
{
    (void)state;
    fetch_and_verify(SNP_PRODUCT_TURIN, F.turin_chip, "turin-1",
                     t_tcb(SNP_PRODUCT_TURIN, 1, 2, 0, 5, 9));
}

static void
test_vlek_chain_and_crl(void **state)
{
    char url[SNP_KDS_URL_MAX];
    struct snp_kds_opts ko;
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    memset(&ko, 0, sizeof(ko));
    ko.max_attempts = 1;
    T_OK(snp_kds_url_chain(url, sizeof(url), F.base, SNP_PRODUCT_MILAN, SNP_KDS_KEY_VLEK));
    T_OK(snp_kds_get(&ko, url, SNP_KDS_ITEM_CHAIN, &body, &len, &st));
    assert_non_null(strstr((const char *)body, "-----BEGIN CERTIFICATE-----"));
    free(body);
    T_OK(snp_kds_url_crl(url, sizeof(url), F.base, SNP_PRODUCT_MILAN, SNP_KDS_KEY_VLEK));
    T_OK(snp_kds_get(&ko, url, SNP_KDS_ITEM_CRL, &body, &len, &st));
    free(body);
}

/* ---- errors like AMD's --------------------------------------------------------------------- */

static void
test_unknown_chip_404(void **state)
{
    char url[SNP_KDS_URL_MAX];
    uint8_t chip[64];
    struct snp_kds_opts ko;
    struct snp_kds_status st;
    uint8_t *body = NULL;
    size_t len = 0;

    (void)state;
    t_fill(chip, sizeof(chip), 99);
    memset(&ko, 0, sizeof(ko));
    ko.max_attempts = 1;
    T_OK(snp_kds_url_vcek(url, sizeof(url), F.base, SNP_PRODUCT_GENOA, chip,
                          t_tcb(SNP_PRODUCT_GENOA, 0, 1, 0, 1, 1)));
    T_ERR(snp_kds_get(&ko, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NOTFOUND);
    assert_int_equal(st.http_status, 404);
    assert_null(body);
    /* The registered Genoa chip asked for as a Milan one is unknown too. */
    T_OK(snp_kds_url_vcek(url, sizeof(url), F.base, SNP_PRODUCT_MILAN, F.genoa_chip,
                          t_tcb(SNP_PRODUCT_MILAN, 0, 1, 0, 1, 1)));
    T_ERR(snp_kds_get(&ko, url, SNP_KDS_ITEM_VCEK, &body, &len, &st), SNP_E_NOTFOUND);
}

static void
test_http_statuses(void **state)
{
    char resp[16384], target[512], hex[129];
    uint16_t port = snp_kds_server_port(F.srv);

    (void)state;
    T_OK(snp_hex_encode(hex, sizeof(hex), F.genoa_chip, 64));
    snprintf(target, sizeof(target), "/vcek/v1/Genoa/%s?blSPL=1&teeSPL=0&snpSPL=x&ucodeSPL=1", hex);
    assert_int_equal(http_raw(port, "GET", target, resp, sizeof(resp)), 400);
    snprintf(target, sizeof(target), "/vcek/v1/Genoa/%s", hex);
    assert_int_equal(http_raw(port, "GET", target, resp, sizeof(resp)), 400);
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Venice/crl", resp, sizeof(resp)), 404);
    assert_int_equal(http_raw(port, "GET", "/", resp, sizeof(resp)), 404);
    assert_int_equal(http_raw(port, "POST", "/vcek/v1/Genoa/crl", resp, sizeof(resp)), 405);
    assert_non_null(strstr(resp, "Allow: GET, HEAD"));
    assert_int_equal(http_raw(port, "HEAD", "/vcek/v1/Genoa/cert_chain", resp, sizeof(resp)), 200);
    assert_null(strstr(resp, "BEGIN CERTIFICATE")); /* HEAD: no body */
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Genoa/cert_chain", resp, sizeof(resp)), 200);
    assert_non_null(strstr(resp, "Content-Type: application/x-pem-file"));
}

/* ---- rate limit --------------------------------------------------------------------------- */

static int64_t
clock_ms(void *ctx)
{
    return ((struct clock *)ctx)->ms;
}

static int64_t
clock_s(void *ctx)
{
    return ((struct clock *)ctx)->ms / 1000;
}

static void
clock_sleep(void *ctx, uint64_t ms)
{
    ((struct clock *)ctx)->ms += (int64_t)ms;
}

static void
test_rate_limit_429(void **state)
{
    struct clock clk = {1000000};
    struct snp_kds_server_opts so;
    struct snp_kds_server *s = NULL;
    struct snp_kds_hooks hooks;
    struct snp_kds_opts ko;
    struct snp_kds_status st;
    char resp[16384], base[64], url[SNP_KDS_URL_MAX];
    uint8_t *body = NULL;
    size_t len = 0;
    uint16_t port;

    (void)state;
    memset(&so, 0, sizeof(so));
    so.rate_per_s = 1;
    so.ctx = &clk;
    so.now_ms = clock_ms;
    T_OK(snp_kds_server_start(&s, F.v, &so));
    port = snp_kds_server_port(s);
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Genoa/crl", resp, sizeof(resp)), 200);
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Genoa/crl", resp, sizeof(resp)), 429);
    assert_non_null(strstr(resp, "Retry-After: 1\r\n"));
    clk.ms += 400;
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Genoa/crl", resp, sizeof(resp)), 429);
    assert_non_null(strstr(resp, "Retry-After: 1\r\n")); /* 600 ms left: rounded up */
    clk.ms += 600;
    assert_int_equal(http_raw(port, "GET", "/vcek/v1/Genoa/crl", resp, sizeof(resp)), 200);

    /* The project's client waits as told (on the injected clock) and then gets the body. */
    memset(&hooks, 0, sizeof(hooks));
    hooks.ctx = &clk;
    hooks.now = clock_s;
    hooks.sleep_ms = clock_sleep;
    memset(&ko, 0, sizeof(ko));
    ko.hooks = &hooks;
    ko.max_attempts = 3;
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
    T_OK(snp_kds_url_chain(url, sizeof(url), base, SNP_PRODUCT_GENOA, SNP_KDS_KEY_VCEK));
    T_OK(snp_kds_get(&ko, url, SNP_KDS_ITEM_CHAIN, &body, &len, &st));
    assert_int_equal(st.attempts, 2);
    assert_int_equal(st.waited_ms, 1000);
    free(body);
    snp_kds_server_stop(s);
}

/* ---- binding ------------------------------------------------------------------------------- */

static void
test_loopback_only(void **state)
{
    struct snp_kds_server_opts so;
    struct snp_kds_server *s = NULL;
    static const char *const bad[] = {"0.0.0.0:0",     "10.1.2.3:0", "127.0.0.1",
                                      "127.0.0.1:x",   ":80",        "127.0.0.1:70000",
                                      "example.com:80"};

    (void)state;
    memset(&so, 0, sizeof(so));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        so.listen = bad[i];
        T_ERR(snp_kds_server_start(&s, F.v, &so), SNP_E_ARG);
        assert_null(s);
    }
    so.listen = "localhost:0";
    T_OK(snp_kds_server_start(&s, F.v, &so));
    snp_kds_server_stop(s);
    snp_kds_server_stop(NULL);
}

/*
 * For tests/e2e/kds_serve.sh: with SNPKIT_AMD_EXPORT=DIR, make DIR/state (RSA-2048 CAs, the
 * Genoa chip of seed "e2e-genoa") and DIR/report.bin signed by that chip's VCEK at DIR/tcb's
 * TCB, then exit, so the shell test can run `snpkit kds serve` and `snpkit verify --kds`.
 */
static int
export_artifacts(const char *dir)
{
    char path[512];
    uint8_t chip[64], secret[32], report[SNP_REPORT_SIZE];
    uint64_t tcb = t_tcb(SNP_PRODUCT_GENOA, 0, 10, 0, 23, 84);
    struct snp_vendor_opts o;
    struct snp_vendor *v = NULL;
    struct snp_eckey *k = NULL;
    FILE *f;
    bool ok;

    snprintf(path, sizeof(path), "%s/state", dir);
    memset(&o, 0, sizeof(o));
    o.state_dir = path;
    o.rsa_bits = 2048;
    ok = snp_vendor_open(&v, &o) == SNP_OK &&
         snp_vendor_chip_add(v, SNP_PRODUCT_GENOA, (const uint8_t *)"e2e-genoa", 9, chip) ==
             SNP_OK &&
         snp_vendor_ca_path(v, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, path, sizeof(path)) == SNP_OK &&
         snp_chip_secret_from_seed(secret, (const uint8_t *)"e2e-genoa", 9) == SNP_OK &&
         snp_vcek_derive(&k, secret, SNP_PRODUCT_GENOA, tcb) == SNP_OK;
    snp_wipe(secret, sizeof(secret));
    snp_vendor_free(v);
    if (!ok) {
        snp_eckey_free(k);
        return 1;
    }
    t_report(report, SNP_PRODUCT_GENOA, k, chip, tcb, 0);
    snp_eckey_free(k);
    snprintf(path, sizeof(path), "%s/report.bin", dir);
    f = fopen(path, "wb");
    ok = f != NULL && fwrite(report, 1, sizeof(report), f) == sizeof(report);
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    return ok ? 0 : 1;
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_genoa),        cmocka_unit_test(test_fetch_turin),
        cmocka_unit_test(test_vlek_chain_and_crl), cmocka_unit_test(test_unknown_chip_404),
        cmocka_unit_test(test_http_statuses),      cmocka_unit_test(test_rate_limit_429),
        cmocka_unit_test(test_loopback_only),
    };
    const char *export_dir = getenv("SNPKIT_AMD_EXPORT");

    if (export_dir != NULL) {
        return export_artifacts(export_dir);
    }
    /* Loopback only: no proxy may see (or answer for) the test server. */
    static const char *proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                    "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
        unsetenv(proxies[i]);
    }
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    return cmocka_run_group_tests(tests, setup, teardown);
}
