/*
 * tests/unit/atls/atls_fixture.h - shared by the atls/ tests: a throw-away simulated vendor
 * (RSA-2048 CAs in a temporary state directory), the certificate table (VCEK, ASK, ARK) a host
 * staples for a chip, and the client options of a verifier that expects one measurement.
 * Header-only: each test binary is one .c file.
 */
#ifndef SNP_TESTS_ATLS_FIXTURE_H
#define SNP_TESTS_ATLS_FIXTURE_H

#include "helpers.h"

#include "snpkit/atls.h"
#include "snpkit/certtable.h"
#include "snpkit/vendor.h"
#include "snpkit/verify_policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A simulated vendor in a fresh directory $TMPDIR/<prefix>-XXXXXX (removed by t_rm_tree). */
static void
atls_fx_vendor(char dir[256], const char *prefix, struct snp_vendor **v)
{
    const char *tmp = getenv("TMPDIR");
    struct snp_vendor_opts o;

    snprintf(dir, 256, "%s/%s-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", prefix);
    assert_non_null(mkdtemp(dir));
    memset(&o, 0, sizeof(o));
    o.state_dir = dir;
    o.rsa_bits = 2048;
    T_OK(snp_vendor_open(v, &o));
}

/* The table a host staples for Genoa chip @chip_id at @tcb: its VCEK, the ASK and @ark. */
static void
atls_fx_cert_table(struct snp_vendor *v, const uint8_t chip_id[64], uint64_t tcb,
                   const uint8_t *ark, size_t ark_len, uint8_t *table, size_t cap, size_t *len)
{
    struct snp_cert_blob b[3] = {
        {SNP_GUID_VCEK_INIT, NULL, 0}, {SNP_GUID_ASK_INIT, NULL, 0}, {SNP_GUID_ARK_INIT, NULL, 0}};
    uint8_t *vcek = NULL, *ask = NULL;
    size_t vcek_len = 0, ask_len = 0;

    T_OK(snp_vendor_vcek_cert(v, SNP_PRODUCT_GENOA, chip_id, 64, tcb, &vcek, &vcek_len));
    T_OK(snp_vendor_ca_cert(v, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &ask, &ask_len));
    b[0].data = vcek;
    b[0].len = vcek_len;
    b[1].data = ask;
    b[1].len = ask_len;
    b[2].data = ark;
    b[2].len = ark_len;
    T_OK(snp_cert_table_encode(table, cap, len, b, 3));
    free(vcek);
    free(ask);
}

/* A verifier expecting measurement @meas, trusting @root (NULL: AMD's pinned roots). */
static void
atls_fx_client_opts(struct snp_atls_client_opts *o, struct snp_verify_policy *pol,
                    const uint8_t meas[48], const uint8_t *root, size_t root_len, bool fresh)
{
    snp_atls_client_opts_init(o);
    snp_verify_policy_default(pol);
    pol->measurement.len = 48;
    memcpy(pol->measurement.v, meas, 48);
    o->policy = pol;
    o->fresh = fresh;
    if (root != NULL) {
        o->root = root;
        o->root_len = root_len;
    }
}

#endif
