/*
 * bench/bench_verify.c - how fast snp_verify_report() is, against this machine's own limit
 * measured in the same run: raw OpenSSL ECDSA P-384/SHA-384 verification of the same 672 bytes
 * with the same key (the work a verification cannot avoid). Prints, per core:
 *   - warm: verified reports per second with the chain cached (a fleet audit), the raw ECDSA
 *     rate, and their ratio (goal >= 0.85);
 *   - cold: the time per report when nothing is cached and the collateral is parsed from bytes
 *     (one RSA-PSS self-signature, two RSA-PSS links, one ECDSA).
 * Uses a synthetic AMD-shaped PKI made at start-up (RSA-4096 ARK/ASK like AMD's, so the cold
 * path pays what it pays with real chains), so it runs without the vectors. Asserts nothing.
 */
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "snpkit/policy.h"
#include "snpkit/verify.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NREPORTS 64
#define NOW      INT64_C(1780272000) /* 2026-06-01 */

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run body until at least secs have passed; ops per second. */
#define MEASURE(ops_per_s, secs, body)                                                             \
    do {                                                                                           \
        unsigned long n_ = 0;                                                                      \
        double t0_ = now(), t_;                                                                    \
        do {                                                                                       \
            for (int k_ = 0; k_ < 16; k_++) {                                                      \
                body;                                                                              \
                n_++;                                                                              \
            }                                                                                      \
            t_ = now() - t0_;                                                                      \
        } while (t_ < (secs));                                                                     \
        (ops_per_s) = (double)n_ / t_;                                                             \
    } while (0)

static int failures;

static void
must(snp_err e, const char *what)
{
    if (e != SNP_OK) {
        fprintf(stderr, "bench_verify: %s: %s\n", what, snp_err_name(e));
        exit(1);
    }
}

struct pki {
    uint8_t *ark, *ask, *vcek;
    size_t ark_len, ask_len, vcek_len;
    uint8_t reports[NREPORTS][SNP_REPORT_SIZE];
};

static void
make_pki(struct pki *p, struct snp_eckey *vk)
{
    struct snp_rsakey *ark = NULL, *ask = NULL;
    struct snp_x509_spec s;
    struct snp_amd_ext a;
    struct snp_report r;
    struct snp_signature sig;
    const uint64_t tcb = UINT64_C(0x541700000000000a);

    must(snp_rsakey_generate(&ark, 4096), "ARK key");
    must(snp_rsakey_generate(&ask, 4096), "ASK key");
    memset(&s, 0, sizeof(s));
    s.not_before = NOW - 86400 * 365;
    s.not_after = NOW + 86400 * 365 * 20;
    s.role = SNP_X509_ROLE_ARK;
    s.subject_cn = s.issuer_cn = "ARK-Genoa";
    s.serial = 0x20000;
    must(snp_x509_issue(&p->ark, &p->ark_len, &s, ark, NULL, ark), "ARK");
    s.role = SNP_X509_ROLE_ASK;
    s.subject_cn = "SEV-Genoa";
    s.serial = 0x20002;
    must(snp_x509_issue(&p->ask, &p->ask_len, &s, ask, NULL, ark), "ASK");
    memset(&a, 0, sizeof(a));
    a.has_struct_version = a.has_product_name = a.has_hwid = true;
    snprintf(a.product_name, sizeof(a.product_name), "Genoa");
    for (int i = SNP_AMD_SPL_BL; i <= SNP_AMD_SPL_UCODE; i++) {
        a.has_spl[i] = true;
    }
    a.spl[SNP_AMD_SPL_BL] = 10;
    a.spl[SNP_AMD_SPL_SNP] = 23;
    a.spl[SNP_AMD_SPL_UCODE] = 84;
    a.hwid_len = 64;
    memset(a.hwid, 0x5a, 64);
    s.role = SNP_X509_ROLE_LEAF;
    s.subject_cn = "SEV-VCEK";
    s.issuer_cn = "SEV-Genoa";
    s.serial = 0;
    s.amd = &a;
    must(snp_x509_issue(&p->vcek, &p->vcek_len, &s, NULL, vk, ask), "VCEK");
    for (int i = 0; i < NREPORTS; i++) {
        memset(&r, 0, sizeof(r));
        r.version = 3;
        r.policy = SNP_POLICY_SMT | SNP_POLICY_RSVD_MBO;
        r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
        r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = tcb;
        r.cpuid_fam_id = 0x19;
        r.cpuid_mod_id = 0x11;
        r.cpuid_step = 1;
        memset(r.chip_id, 0x5a, 64);
        memset(r.report_id_ma, 0xff, 32);
        r.report_data[0] = (uint8_t)i;
        must(snp_report_encode(p->reports[i], &r), "report");
        must(snp_ecdsa_p384_sign(vk, p->reports[i], SNP_REPORT_SIGNED_LEN, &sig), "sign");
        must(snp_signature_encode(p->reports[i] + SNP_REPORT_SIGNED_LEN, &sig), "sig");
    }
    snp_rsakey_free(ark);
    snp_rsakey_free(ask);
}

/* The baseline: what OpenSSL alone does for one report, with the key already loaded. */
static int
raw_verify(EVP_PKEY *pk, const uint8_t *report)
{
    struct snp_signature sig;
    uint8_t der[SNP_SIG_DER_MAX];
    size_t der_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;

    if (md != NULL &&
        snp_signature_decode(&sig, report + SNP_REPORT_SIGNED_LEN, SNP_SIG_SIZE, NULL) == SNP_OK &&
        snp_sig_to_der(der, sizeof(der), &der_len, &sig) == SNP_OK &&
        EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) == 1) {
        rc = EVP_DigestVerify(md, der, der_len, report, SNP_REPORT_SIGNED_LEN);
    }
    EVP_MD_CTX_free(md);
    return rc;
}

int
main(void)
{
    static struct pki p;
    static struct snp_verify_result res;
    struct snp_eckey *vk = NULL;
    struct snp_verifier *v = NULL;
    struct snp_collateral *c = NULL;
    struct snp_verify_opts o;
    const unsigned char *q;
    X509 *x;
    EVP_PKEY *pk;
    double warm, raw, cold;
    unsigned idx = 0;

    must(snp_eckey_generate(&vk), "VCEK key");
    make_pki(&p, vk);
    q = p.vcek;
    x = d2i_X509(NULL, &q, (long)p.vcek_len);
    pk = x == NULL ? NULL : X509_get0_pubkey(x);
    if (pk == NULL) {
        fprintf(stderr, "bench_verify: cannot load the VCEK key\n");
        return 1;
    }
    must(snp_verifier_new(&v), "verifier");
    must(snp_collateral_new(&c), "collateral");
    must(snp_collateral_add(c, p.ask, p.ask_len), "add ASK");
    must(snp_collateral_add(c, p.vcek, p.vcek_len), "add VCEK");
    snp_verify_opts_init(&o);
    o.at = (time_t)NOW;
    o.root = p.ark;
    o.root_len = p.ark_len;
    must(snp_verify_report(v, p.reports[0], SNP_REPORT_SIZE, c, &o, NULL, &res), "first verify");

    MEASURE(raw, 1.0, { failures += raw_verify(pk, p.reports[idx++ % NREPORTS]) != 1; });
    MEASURE(warm, 1.0, {
        failures += snp_verify_report(v, p.reports[idx++ % NREPORTS], SNP_REPORT_SIZE, c, &o, NULL,
                                      &res) != SNP_OK;
    });
    MEASURE(cold, 1.0, {
        struct snp_verifier *v2 = NULL;
        struct snp_collateral *c2 = NULL;
        must(snp_verifier_new(&v2), "verifier");
        must(snp_collateral_new(&c2), "collateral");
        must(snp_collateral_add(c2, p.ask, p.ask_len), "add ASK");
        must(snp_collateral_add(c2, p.vcek, p.vcek_len), "add VCEK");
        failures += snp_verify_report(v2, p.reports[idx++ % NREPORTS], SNP_REPORT_SIZE, c2, &o,
                                      NULL, &res) != SNP_OK;
        snp_collateral_free(c2);
        snp_verifier_free(v2);
    });
    printf("bench_verify (one core, synthetic RSA-4096 ARK/ASK, P-384 VCEK)\n");
    printf("  raw OpenSSL ECDSA P-384 verify: %10.0f /s\n", raw);
    printf("  snp_verify_report, warm chain:  %10.0f /s   ratio %.3f (goal >= 0.85)\n", warm,
           warm / raw);
    printf("  snp_verify_report, cold:        %10.3f ms/report (collateral parsed, chain "
           "verified)\n",
           1000.0 / cold);
    if (failures != 0) {
        printf("  %d verifications FAILED\n", failures);
    }
    X509_free(x);
    snp_collateral_free(c);
    snp_verifier_free(v);
    snp_eckey_free(vk);
    free(p.ark);
    free(p.ask);
    free(p.vcek);
    return failures != 0;
}
