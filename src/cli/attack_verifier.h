/*
 * cli/attack_verifier.h - the verifier `snpkit attack` plugs into the scenarios
 * (snp_atk_verify_fn, snpkit/attack.h): the simulated vendor (amd/) issues the chip's VCEK at
 * the report's REPORTED_TCB, and snpkit verify checks the report with the default policy plus
 * the scenario's keys, trusting the simulated ARK (--root). Header-only so the unit test of the
 * scenarios uses the very same verifier (tests/unit/attacks/test_attacks.c).
 *
 * The signer (snp_atk_sign_fn) plays the attacker who holds a leaked chip key (THREAT-MODEL.md
 * N10): the chip secret of SNP_ATK_CHIP_SEED and the VCEK derivation (crypto/vcek_kdf.h) give
 * the VCEK at any TCB; or a fresh key the vendor never certified (A1).
 */
#ifndef SNP_CLI_ATTACK_VERIFIER_H
#define SNP_CLI_ATTACK_VERIFIER_H

#include "base/compiler.h"
#include "crypto/crypto.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/attack.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct atk_verifier {
    char dir[64];
    struct snp_vendor *vendor;
    struct snp_verifier *ver;
    uint8_t chip[64];
};

static snp_err
atk_verifier_open(struct atk_verifier *a)
{
    struct snp_vendor_opts o;

    memset(a, 0, sizeof(*a));
    snprintf(a->dir, sizeof(a->dir), "/tmp/snpkit-attack-XXXXXX");
    if (mkdtemp(a->dir) == NULL) {
        return SNP_E_IO;
    }
    memset(&o, 0, sizeof(o));
    o.state_dir = a->dir;
    o.rsa_bits = 2048;
    SNP_TRY(snp_vendor_open(&a->vendor, &o));
    SNP_TRY(snp_vendor_chip_add(a->vendor, SNP_PRODUCT_GENOA, (const uint8_t *)SNP_ATK_CHIP_SEED,
                                sizeof(SNP_ATK_CHIP_SEED) - 1, a->chip));
    return snp_verifier_new(&a->ver);
}

static void
atk_verifier_rmdir(const char *dir)
{
    char cmd[128];

    /* the vendor state directory we created: a few files, no subdirectories */
    if (strncmp(dir, "/tmp/snpkit-attack-", 19) == 0 && strchr(dir, '\'') == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            return;
        }
    }
}

static void
atk_verifier_close(struct atk_verifier *a)
{
    snp_verifier_free(a->ver);
    snp_vendor_free(a->vendor);
    if (a->dir[0] != '\0') {
        atk_verifier_rmdir(a->dir);
    }
    memset(a, 0, sizeof(*a));
}

static snp_err
atk_verifier_cb(void *ctx, const uint8_t *report, size_t len, const char *const *policy,
                bool *accepted, char *why, size_t why_size)
{
    struct atk_verifier *a = ctx;
    struct snp_report r;
    struct snp_collateral *coll = NULL;
    struct snp_verify_opts o;
    struct snp_verify_policy pol;
    struct snp_verify_result *res = calloc(1, sizeof(*res));
    uint8_t *vcek = NULL, *ask = NULL, *ark = NULL, *crl = NULL;
    size_t vl = 0, al = 0, rl = 0, cl = 0;
    char perr[128];
    snp_err err = SNP_E_NOMEM, v;

    *accepted = false;
    why[0] = '\0';
    if (res == NULL) {
        goto out;
    }
    snp_verify_policy_default(&pol);
    for (size_t i = 0; policy != NULL && policy[i] != NULL; i += 2) {
        err = snp_verify_policy_set(&pol, policy[i], policy[i + 1], perr, sizeof(perr));
        if (err != SNP_OK) {
            snprintf(why, why_size, "policy: %s", perr);
            goto out;
        }
    }
    err = snp_report_decode(&r, report, len, NULL);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_vendor_vcek_cert(a->vendor, SNP_PRODUCT_GENOA, r.chip_id, 64, r.reported_tcb, &vcek,
                               &vl);
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &ask, &al);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &ark, &rl);
    }
    if (err == SNP_OK) {
        err = snp_vendor_crl(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_VCEK, &crl, &cl);
    }
    if (err == SNP_OK) {
        err = snp_collateral_new(&coll);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(coll, vcek, vl);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(coll, ask, al);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(coll, ark, rl);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(coll, crl, cl);
    }
    if (err != SNP_OK) {
        goto out;
    }
    snp_verify_opts_init(&o);
    o.root = ark;
    o.root_len = rl;
    v = snp_verify_report(a->ver, report, len, coll, &o, &pol, res);
    err = SNP_OK;
    *accepted = v == SNP_OK;
    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == SNP_CHECK_FAIL || res->checks[i].status == SNP_CHECK_ERROR) {
            snprintf(why, why_size, "%s (%s): %s", res->checks[i].name,
                     snp_err_name(res->checks[i].err), res->checks[i].detail);
            if (res->checks[i].status == SNP_CHECK_ERROR) {
                err = res->checks[i].err; /* could not check */
            }
            break;
        }
    }
out:
    snp_collateral_free(coll);
    free(vcek);
    free(ask);
    free(ark);
    free(crl);
    free(res);
    return err;
}

/* snp_atk_sign_fn: sign report bytes 0x000..0x29F with a leaked VCEK or an uncertified key. */
static snp_err
atk_sign_cb(void *ctx, enum snp_atk_key key, uint64_t tcb, uint8_t *report, size_t len)
{
    uint8_t secret[SNP_CHIP_SECRET_SIZE];
    struct snp_eckey *k = NULL;
    struct snp_signature sig;
    snp_err err;

    (void)ctx;
    SNP_ENSURE(report != NULL && len == SNP_REPORT_SIZE, SNP_E_ARG);
    if (key == SNP_ATK_KEY_LEAKED_VCEK) {
        err = snp_chip_secret_from_seed(secret, (const uint8_t *)SNP_ATK_CHIP_SEED,
                                        sizeof(SNP_ATK_CHIP_SEED) - 1);
        if (err == SNP_OK) {
            err = snp_vcek_derive(&k, secret, SNP_PRODUCT_GENOA, tcb);
        }
        snp_wipe(secret, sizeof(secret));
    } else if (key == SNP_ATK_KEY_UNCERTIFIED) {
        err = snp_eckey_generate(&k);
    } else {
        err = SNP_E_ARG;
    }
    memset(&sig, 0, sizeof(sig));
    if (err == SNP_OK) {
        err = snp_ecdsa_p384_sign(k, report, SNP_REPORT_SIGNED_LEN, &sig);
    }
    if (err == SNP_OK) {
        err = snp_signature_encode(report + SNP_REPORT_SIGNED_LEN, &sig);
    }
    snp_eckey_free(k);
    return err;
}

#endif /* SNP_CLI_ATTACK_VERIFIER_H */
