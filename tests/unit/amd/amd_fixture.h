/*
 * tests/unit/amd/amd_fixture.h - shared by the amd/ tests: a throw-away vendor state directory
 * (RSA-2048 CAs: generated once per test binary, verifiers accept them under --root only), and
 * a synthetic attestation report signed with a derived VCEK or VLEK, standing in for the
 * simulated firmware until it exists. Header-only: each test binary is one .c file.
 */
#ifndef SNP_TESTS_AMD_FIXTURE_H
#define SNP_TESTS_AMD_FIXTURE_H

#include "helpers.h"

#include "crypto/crypto.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh state directory under $TMPDIR (removed by t_rm_tree). */
static void
t_state_new(char dir[256])
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 256, "%s/snpkit-amd-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
}

/* CPUID family/model of each line (attestation.md §1.7), for v3 reports. */
static void
t_cpuid(enum snp_product p, uint8_t *fam, uint8_t *mod)
{
    *fam = p == SNP_PRODUCT_TURIN ? 0x1a : 0x19;
    *mod = p == SNP_PRODUCT_MILAN ? 0x01 : p == SNP_PRODUCT_GENOA ? 0x11 : 0x02;
}

/* A v3 report of product p for chip_id at tcb, signing key kind (0 VCEK, 1 VLEK), signed by k. */
static void
t_report(uint8_t out[SNP_REPORT_SIZE], enum snp_product p, const struct snp_eckey *k,
         const uint8_t chip_id[64], uint64_t tcb, unsigned signing_key)
{
    struct snp_report r;
    struct snp_signature sig;

    memset(&r, 0, sizeof(r));
    r.version = 3;
    r.policy = SNP_POLICY_SMT | SNP_POLICY_RSVD_MBO;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = tcb;
    r.platform_info = SNP_PLATFORM_SMT_EN;
    r.signer_info = signing_key << SNP_SIGNER_SIGNING_KEY_SHIFT;
    t_cpuid(p, &r.cpuid_fam_id, &r.cpuid_mod_id);
    r.cpuid_step = 1;
    memset(r.report_id_ma, 0xff, sizeof(r.report_id_ma));
    t_fill(r.measurement, sizeof(r.measurement), 7);
    t_fill(r.report_data, sizeof(r.report_data), 8);
    if (signing_key == 0) {
        memcpy(r.chip_id, chip_id, 64);
    }
    T_OK(snp_report_encode(out, &r));
    T_OK(snp_ecdsa_p384_sign(k, out, SNP_REPORT_SIGNED_LEN, &sig));
    T_OK(snp_signature_encode(out + SNP_REPORT_SIGNED_LEN, &sig));
}

/* A TCB of product p from its components (Turin also fmc). */
static uint64_t
t_tcb(enum snp_product p, uint8_t fmc, uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
    struct snp_tcb t;

    memset(&t, 0, sizeof(t));
    t.product = p;
    t.fmc = p == SNP_PRODUCT_TURIN ? fmc : 0;
    t.boot_loader = bl;
    t.tee = tee;
    t.snp = snp;
    t.microcode = ucode;
    return snp_tcb_encode(&t);
}

/* Print the failing checks of a result (to see why, when a test fails). */
static void
t_dump(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct snp_check *c = &res->checks[i];
        if (c->status == SNP_CHECK_FAIL || c->status == SNP_CHECK_ERROR) {
            printf("  %s %s: %s\n", snp_check_status_name(c->status), c->name, c->detail);
        }
    }
}

#endif /* SNP_TESTS_AMD_FIXTURE_H */
