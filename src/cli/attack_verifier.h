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
 *
 * The forger (snp_atk_forge_fn) plays the attacker who holds the leaked ASK private key (N10):
 * it reads the key from the vendor's key store, certifies a fresh P-384 key in the shape of the
 * chip's genuine VCEK and hands the verifier a certificate table, which atk_verifier_certs_cb
 * takes instead of fetching the VCEK from the vendor.
 *
 * The aTLS client (snp_atk_tls_fn, THREAT-MODEL.md N4) is the relying party of a guest that
 * terminates TLS itself: a client pipe (snpkit/atls.h) trusting the simulated ARK, fetching the
 * chip's VCEK at the platform's REPORTED_TCB from the vendor, requiring the expected
 * MEASUREMENT and a fresh nonce; its TLS records travel over the scenario's wire.
 *
 * The plug-ins are SNP_UNUSED: a translation unit may use only some of them.
 */
#ifndef SNP_CLI_ATTACK_VERIFIER_H
#define SNP_CLI_ATTACK_VERIFIER_H

#include "amd/amd_int.h"
#include "base/compiler.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "crypto/vcek_kdf.h"
#include "guest/app.h"
#include "snpkit/atls.h"
#include "snpkit/attack.h"
#include "snpkit/certtable.h"
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

/* Add the vendor's certificate and CRL of one kind to @coll. */
static snp_err
atk_verifier_add(struct snp_collateral *coll, uint8_t *der, size_t len, snp_err err)
{
    if (err == SNP_OK) {
        err = snp_collateral_add(coll, der, len);
    }
    free(der);
    return err;
}

/*
 * The check both verifier callbacks share: the default policy plus @policy, the simulated ARK
 * as the trusted root, the vendor's CRL, and either the chip's VCEK, ASK and ARK as the vendor
 * serves them (@certs NULL) or the certificates of the host's table @certs.
 */
static snp_err
atk_verifier_check(struct atk_verifier *a, const uint8_t *report, size_t len, const uint8_t *certs,
                   size_t certs_len, const char *const *policy, bool *accepted, char *why,
                   size_t why_size)
{
    struct snp_report r;
    struct snp_collateral *coll = NULL;
    struct snp_verify_opts o;
    struct snp_verify_policy pol;
    struct snp_verify_result *res = calloc(1, sizeof(*res));
    uint8_t *der = NULL, *ark = NULL;
    size_t dl = 0, rl = 0;
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
    if (err == SNP_OK) {
        err = snp_collateral_new(&coll);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &ark, &rl);
    }
    if (err == SNP_OK && certs != NULL) {
        err = snp_collateral_add_cert_table(coll, certs, certs_len);
    } else if (err == SNP_OK) {
        err = snp_vendor_vcek_cert(a->vendor, SNP_PRODUCT_GENOA, r.chip_id, 64, r.reported_tcb,
                                   &der, &dl);
        err = atk_verifier_add(coll, der, dl, err);
        if (err == SNP_OK) {
            err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &der, &dl);
            err = atk_verifier_add(coll, der, dl, err);
        }
        if (err == SNP_OK) {
            err = snp_collateral_add(coll, ark, rl);
        }
    }
    if (err == SNP_OK) {
        err = snp_vendor_crl(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_VCEK, &der, &dl);
        err = atk_verifier_add(coll, der, dl, err);
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
    free(ark);
    free(res);
    return err;
}

/* snp_atk_verify_fn: the chip's collateral as the vendor serves it (the KDS path). */
static SNP_UNUSED snp_err
atk_verifier_cb(void *ctx, const uint8_t *report, size_t len, const char *const *policy,
                bool *accepted, char *why, size_t why_size)
{
    return atk_verifier_check(ctx, report, len, NULL, 0, policy, accepted, why, why_size);
}

/* snp_atk_verify_certs_fn: the certificates the host stapled (extended report). */
static SNP_UNUSED snp_err
atk_verifier_certs_cb(void *ctx, const uint8_t *report, size_t len, const uint8_t *certs,
                      size_t certs_len, const char *const *policy, bool *accepted, char *why,
                      size_t why_size)
{
    SNP_ENSURE(certs != NULL, SNP_E_ARG);
    return atk_verifier_check(ctx, report, len, certs, certs_len, policy, accepted, why, why_size);
}

/* snp_atk_sign_fn: sign report bytes 0x000..0x29F with a leaked VCEK or an uncertified key. */
static SNP_UNUSED snp_err
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

/* ---- N10 with a leaked ASK ---------------------------------------------------------------- */

/* The SPL extensions in the order the vendor writes them on Milan/Genoa VCEKs (attestation.md
 * §4.4): public knowledge, visible in every certificate. */
static const uint8_t atk_spl_order_legacy[] = {SNP_AMD_SPL_BL,  SNP_AMD_SPL_TEE,  SNP_AMD_SPL_4,
                                               SNP_AMD_SPL_5,   SNP_AMD_SPL_6,    SNP_AMD_SPL_7,
                                               SNP_AMD_SPL_SNP, SNP_AMD_SPL_UCODE};

/* The leak: the ASK private key file of the vendor's key store (PKCS#8 PEM, docs/vendor.md). */
static snp_err
atk_leaked_ask(struct atk_verifier *a, struct snp_rsakey **out)
{
    char path[SNP_VENDOR_PATH_MAX];
    uint8_t *pem = malloc(16384);
    size_t n = 0, plen;
    FILE *f = NULL;
    snp_err err;

    *out = NULL;
    SNP_ENSURE(pem != NULL, SNP_E_NOMEM);
    err = snp_vendor_ca_path(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, path, sizeof(path));
    plen = strlen(path);
    if (err == SNP_OK && (plen < 4 || strcmp(path + plen - 4, ".pem") != 0)) {
        err = SNP_E_STATE;
    }
    if (err == SNP_OK) {
        memcpy(path + plen - 4, ".key", 4);
        f = fopen(path, "rb");
        err = f != NULL ? SNP_OK : SNP_E_IO;
    }
    if (err == SNP_OK) {
        n = fread(pem, 1, 16384, f);
        err = n > 0 && n < 16384 ? SNP_OK : SNP_E_IO;
    }
    if (err == SNP_OK) {
        err = snp_rsakey_from_pem(out, pem, n);
    }
    if (f != NULL) {
        fclose(f);
    }
    snp_wipe(pem, 16384);
    free(pem);
    return err;
}

/* snp_atk_forge_fn (see snpkit/attack.h). */
static SNP_UNUSED snp_err
atk_forge_cb(void *ctx, uint8_t *report, size_t len, uint8_t *certs, size_t certs_size,
             size_t *certs_len)
{
    static const struct snp_guid g_vcek = SNP_GUID_VCEK_INIT, g_ask = SNP_GUID_ASK_INIT,
                                 g_ark = SNP_GUID_ARK_INIT;
    struct atk_verifier *a = ctx;
    struct snp_report r;
    struct snp_rsakey *ask_key = NULL;
    struct snp_eckey *k = NULL;
    struct snp_x509 *genuine = NULL;
    struct snp_x509_spec spec;
    struct snp_amd_ext ext;
    struct snp_signature sig;
    struct snp_cert_blob blob[3];
    uint8_t *gder = NULL, *fder = NULL, *ask = NULL, *ark = NULL;
    size_t gl = 0, fl = 0, al = 0, rl = 0, used = 0;
    snp_err err;

    *certs_len = 0;
    SNP_ENSURE(report != NULL && len == SNP_REPORT_SIZE, SNP_E_ARG);
    memset(&spec, 0, sizeof(spec));
    err = snp_report_decode(&r, report, len, NULL);
    /* The shape to copy: the chip's genuine VCEK, as the KDS serves it to anyone. */
    if (err == SNP_OK) {
        err = snp_vendor_vcek_cert(a->vendor, SNP_PRODUCT_GENOA, r.chip_id, 64, r.reported_tcb,
                                   &gder, &gl);
    }
    if (err == SNP_OK) {
        err = snp_x509_from_der(&genuine, gder, gl, &used);
    }
    if (err == SNP_OK) {
        err = atk_leaked_ask(a, &ask_key);
    }
    if (err == SNP_OK) {
        err = snp_eckey_generate(&k);
    }
    if (err == SNP_OK) {
        const struct snp_x509_info *gi = snp_x509_info(genuine);

        ext = gi->amd;
        spec.role = SNP_X509_ROLE_LEAF;
        spec.subject_cn = gi->subject_cn;
        spec.issuer_cn = gi->issuer_cn;
        spec.serial = 0;
        spec.not_before = gi->not_before;
        spec.not_after = gi->not_after;
        spec.amd = &ext;
        spec.dn = &amd_sim_dn;
        spec.spl_order = atk_spl_order_legacy;
        spec.n_spl_order = sizeof(atk_spl_order_legacy);
        err = snp_x509_issue(&fder, &fl, &spec, NULL, k, ask_key);
    }
    memset(&sig, 0, sizeof(sig));
    if (err == SNP_OK) {
        err = snp_ecdsa_p384_sign(k, report, SNP_REPORT_SIGNED_LEN, &sig);
    }
    if (err == SNP_OK) {
        err = snp_signature_encode(report + SNP_REPORT_SIGNED_LEN, &sig);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &ask, &al);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &ark, &rl);
    }
    if (err == SNP_OK) {
        blob[0] = (struct snp_cert_blob){g_vcek, fder, fl};
        blob[1] = (struct snp_cert_blob){g_ask, ask, al};
        blob[2] = (struct snp_cert_blob){g_ark, ark, rl};
        err = snp_cert_table_encode(certs, certs_size, certs_len, blob, 3);
    }
    snp_x509_free(genuine);
    snp_rsakey_free(ask_key);
    snp_eckey_free(k);
    free(gder);
    free(fder);
    free(ask);
    free(ark);
    return err;
}

/* ---- N4: the aTLS client ----------------------------------------------------------------- */

#define ATK_TLS_ROUNDS 64u           /* wire round trips before the client gives up */
#define ATK_TLS_BUF    (64u * 1024u) /* TLS bytes moved at once, either way */

/* The chip's collateral as the vendor serves it for @tcb: VCEK, ASK, ARK, the VCEK CRL. */
static snp_err
atk_tls_collateral(struct atk_verifier *a, uint64_t tcb, struct snp_collateral **out)
{
    uint8_t *der = NULL;
    size_t dl = 0;
    snp_err err;

    err = snp_collateral_new(out);
    if (err == SNP_OK) {
        err = snp_vendor_vcek_cert(a->vendor, SNP_PRODUCT_GENOA, a->chip, 64, tcb, &der, &dl);
        err = atk_verifier_add(*out, der, dl, err);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &der, &dl);
        err = atk_verifier_add(*out, der, dl, err);
    }
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &der, &dl);
        err = atk_verifier_add(*out, der, dl, err);
    }
    if (err == SNP_OK) {
        err = snp_vendor_crl(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_VCEK, &der, &dl);
        err = atk_verifier_add(*out, der, dl, err);
    }
    return err;
}

/* Send what the pipe has for the wire, feed what comes back. */
static snp_err
atk_tls_round(struct snp_atk_tls *t, struct snp_atls_pipe *p, uint8_t *out, uint8_t *in)
{
    size_t n = 0, m = 0;

    SNP_TRY(snp_atls_pipe_take(p, out, ATK_TLS_BUF, &n));
    SNP_TRY(t->wire(t->wire_ctx, out, n, in, ATK_TLS_BUF, &m));
    return m > 0 ? snp_atls_pipe_feed(p, in, m) : SNP_OK;
}

/* Drive the handshake, send t->msg once verified, read the echo. */
static snp_err
atk_tls_run(struct snp_atk_tls *t, struct snp_atls_pipe *p, uint8_t *out, uint8_t *in)
{
    bool sent = false;
    size_t n = 0;

    for (unsigned r = 0; r < ATK_TLS_ROUNDS && t->echo_len < t->msg_len; r++) {
        enum snp_atls_pipe_state st;

        SNP_TRY(atk_tls_round(t, p, out, in));
        st = snp_atls_pipe_state(p);
        if (st == SNP_ATLS_PIPE_FAILED) {
            /* the client's alert to the guest, best effort: the guest may close at once */
            if (snp_atls_pipe_take(p, out, ATK_TLS_BUF, &n) == SNP_OK && n > 0) {
                (void)t->wire(t->wire_ctx, out, n, in, ATK_TLS_BUF, &n);
            }
            return SNP_OK;
        }
        if (st == SNP_ATLS_PIPE_OPEN && !sent) {
            SNP_TRY(snp_atls_pipe_write(p, t->msg, t->msg_len));
            sent = true; /* OPEN: the evidence verified */
            t->verified = true;
        }
        do {
            SNP_TRY(
                snp_atls_pipe_read(p, t->echo + t->echo_len, sizeof(t->echo) - t->echo_len, &n));
            t->echo_len += n;
        } while (n > 0 && t->echo_len < sizeof(t->echo));
        if (st == SNP_ATLS_PIPE_CLOSED) {
            return SNP_OK;
        }
    }
    if (snp_atls_pipe_state(p) == SNP_ATLS_PIPE_OPEN) {
        /* close_notify, best effort */
        if (snp_atls_pipe_close(p) == SNP_OK &&
            snp_atls_pipe_take(p, out, ATK_TLS_BUF, &n) == SNP_OK && n > 0) {
            (void)t->wire(t->wire_ctx, out, n, in, ATK_TLS_BUF, &n);
        }
    }
    return SNP_OK;
}

/* snp_atk_tls_fn (see snpkit/attack.h). */
static SNP_UNUSED snp_err
atk_tls_cb(void *ctx, struct snp_atk_tls *t)
{
    struct atk_verifier *a = ctx;
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_verify_result *res = NULL;
    struct snp_collateral *coll = NULL;
    struct snp_atls_client *cl = NULL;
    struct snp_atls_pipe *p = NULL;
    uint8_t *out = NULL, *in = NULL, *ark = NULL;
    size_t rl = 0;
    snp_err err;

    SNP_ENSURE(t != NULL && t->wire != NULL && t->measurement != NULL &&
                   t->msg_len <= sizeof(t->echo),
               SNP_E_ARG);
    t->verified = false;
    t->verdict = SNP_OK;
    t->why[0] = '\0';
    t->echo_len = 0;
    res = calloc(1, sizeof(*res));
    out = malloc(ATK_TLS_BUF);
    in = malloc(ATK_TLS_BUF);
    err = res != NULL && out != NULL && in != NULL ? SNP_OK : SNP_E_NOMEM;
    snp_verify_policy_default(&pol);
    pol.measurement.len = 48;
    memcpy(pol.measurement.v, t->measurement, 48);
    if (err == SNP_OK) {
        err = snp_vendor_ca_cert(a->vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ARK, &ark, &rl);
    }
    if (err == SNP_OK) {
        err = atk_tls_collateral(a, t->reported_tcb, &coll);
    }
    if (err == SNP_OK) {
        snp_atls_client_opts_init(&o);
        o.root = ark;
        o.root_len = rl;
        o.policy = &pol;
        o.collateral = coll;
        o.fresh = true; /* evidence bound to this handshake's nonce */
        err = snp_atls_client_new(&cl, &o);
    }
    if (err == SNP_OK) {
        err = snp_atls_pipe_client_new(cl, &p);
    }
    if (err == SNP_OK) {
        err = atk_tls_run(t, p, out, in);
    }
    if (err == SNP_OK) {
        t->verdict = snp_atls_pipe_verdict(p, res);
        t->verified = t->verified && t->verdict == SNP_OK;
        for (size_t i = 0; t->verdict != SNP_OK && i < res->n; i++) {
            if (res->checks[i].status == SNP_CHECK_FAIL ||
                res->checks[i].status == SNP_CHECK_ERROR) {
                if (snprintf(t->why, sizeof(t->why), "%s: %s", res->checks[i].name,
                             res->checks[i].detail) < 0) {
                    t->why[0] = '\0';
                } /* a long detail is cut: one line */
                break;
            }
        }
    }
    snp_atls_pipe_free(p);
    snp_atls_client_free(cl);
    snp_collateral_free(coll);
    free(ark);
    free(res);
    free(out);
    free(in);
    return err;
}

/* ---- the env of a run ---------------------------------------------------------------------- */

/* @env with the real guest programs and @ver as verifier, signer, forger and aTLS client; no
 * trace, no mutations (the caller sets those). */
static SNP_UNUSED void
atk_env_init(struct snp_atk_env *env, struct atk_verifier *ver)
{
    memset(env, 0, sizeof(*env));
    env->guest = snp_guest_app_main;
    env->verify = atk_verifier_cb;
    env->verify_ctx = ver;
    env->sign = atk_sign_cb;
    env->sign_ctx = ver;
    env->verify_certs = atk_verifier_certs_cb;
    env->forge = atk_forge_cb;
    env->forge_ctx = ver;
    env->guest_atls = snp_atls_guest_main;
    env->tls = atk_tls_cb;
    env->tls_ctx = ver;
}

#endif /* SNP_CLI_ATTACK_VERIFIER_H */
