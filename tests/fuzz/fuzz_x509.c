/*
 * tests/fuzz/fuzz_x509.c - certificate, AMD extension and CRL parsing from arbitrary bytes
 * (crypto/x509.c), and the collateral bag over the same bytes (verify/collateral.c).
 *
 * Properties: whatever parses has NUL-terminated names, a hwID no longer than 64 bytes, SPLs
 * only where flagged, a fingerprint equal to SHA-256 of the bytes it took, and "used" within the
 * input; a signature check against itself never crashes and never returns an environment error
 * other than NOMEM/CRYPTO; the bag accepts exactly what the loader accepts. Any violation
 * abort()s. Seed corpus: synthetic AMD-shaped certificates and CRLs (tests/fuzz/corpus/fuzz_x509).
 */
#include "crypto/x509.h"
#include "snpkit/verify.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void
check_cert(const struct snp_x509 *c, const uint8_t *data, size_t used)
{
    const struct snp_x509_info *in = snp_x509_info(c);
    uint8_t fp[32];
    size_t len = 0;
    snp_err e;

    check(memchr(in->subject_cn, 0, sizeof(in->subject_cn)) != NULL);
    check(memchr(in->issuer_cn, 0, sizeof(in->issuer_cn)) != NULL);
    check(memchr(in->amd.product_name, 0, sizeof(in->amd.product_name)) != NULL);
    check(memchr(in->amd.csp_id, 0, sizeof(in->amd.csp_id)) != NULL);
    check(in->amd.hwid_len <= SNP_AMD_HWID_MAX);
    check(!in->amd.has_hwid || in->amd.hwid_len == 8 || in->amd.hwid_len == 64);
    check(in->serial_len <= SNP_X509_SERIAL_MAX);
    check((in->key_type == SNP_X509_KEY_P384) == (snp_x509_eckey(c) != NULL));
    if (data != NULL) {
        check(snp_x509_der(c, &len) != NULL && len == used);
        check(snp_sha256(fp, data, used) == SNP_OK && memcmp(fp, in->fp, 32) == 0);
    }
    e = snp_x509_verify_by(c, c);
    check(e == SNP_OK || e == SNP_E_SIG || e == SNP_E_UNSUPPORTED || e == SNP_E_NOMEM ||
          e == SNP_E_CRYPTO);
}

static snp_err
sink(void *ctx, struct snp_x509 *cert, struct snp_x509_crl *crl)
{
    size_t *n = ctx;

    if (cert != NULL) {
        check_cert(cert, NULL, 0);
        snp_x509_free(cert);
    }
    if (crl != NULL) {
        const struct snp_x509_crl_info *ci = snp_x509_crl_info(crl);
        check(memchr(ci->issuer_cn, 0, sizeof(ci->issuer_cn)) != NULL);
        (void)snp_x509_crl_revoked(crl, (const uint8_t *)"\x02\x00\x01", 3, NULL);
        snp_x509_crl_free(crl);
    }
    (*n)++;
    return SNP_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_x509 *c = NULL;
    struct snp_x509_crl *crl = NULL;
    struct snp_collateral *bag = NULL;
    size_t used = 0, n = 0;
    snp_err load, add;

    if (snp_x509_from_der(&c, data, size, &used) == SNP_OK) {
        check(used <= size && used > 0);
        check_cert(c, data, used);
        snp_x509_free(c);
    } else {
        check(c == NULL);
    }
    if (snp_x509_crl_from_der(&crl, data, size, &used) == SNP_OK) {
        check(used <= size && used > 0);
        snp_x509_crl_free(crl);
    } else {
        check(crl == NULL);
    }
    load = snp_x509_load(data, size, sink, &n);
    check(load != SNP_OK || n > 0);
    if (snp_collateral_new(&bag) == SNP_OK) {
        add = snp_collateral_add(bag, data, size);
        check(add == load || add == SNP_E_NOMEM || add == SNP_E_SPACE || load == SNP_E_NOMEM);
        snp_collateral_free(bag);
    }
    return 0;
}
