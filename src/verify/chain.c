/*
 * verify/chain.c - choose the certificates a report needs from the collateral, and check the
 * chain ARK -> ASK -> VCEK or ARK -> ASVK -> VLEK (attestation.md §4.5) and the ARK's CRL.
 *
 * Selection never trusts: it only picks the most plausible candidates so that the checks that
 * follow can name what is wrong (a VCEK of another chip, another product's ASK or ARK). Trust
 * comes from the ARK's pinned fingerprint (roots.c) or the caller's --root, and then from each
 * signature. RSA signature results are cached in the verifier by fingerprint pair.
 */
#include "verify/verify_int.h"

#include "snpkit/policy.h"
#include "snpkit/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How well a leaf candidate fits the report: kind, hwID, TCB, product (highest first). */
static int
leaf_score(const struct vctx *x, const struct coll_cert *cc, bool want_vlek)
{
    const struct snp_amd_ext *a = &snp_x509_info(cc->x)->amd;
    enum snp_product layout = a->struct_version == 1 ? SNP_PRODUCT_TURIN : SNP_PRODUCT_MILAN;
    int s = 0;

    if ((cc->role == SNP_COLL_VLEK) == want_vlek) {
        s += 8;
    }
    if (a->has_hwid && a->hwid_len <= sizeof(x->r.chip_id) &&
        memcmp(a->hwid, x->r.chip_id, a->hwid_len) == 0) {
        s += 4;
    }
    if (snp_vleaf_tcb(a, layout) == x->r.reported_tcb) {
        s += 2;
    }
    return s;
}

static const struct snp_x509 *
pick_leaf(struct vctx *x)
{
    unsigned key = (x->r.signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT;
    const struct coll_cert *best = NULL;
    int best_score = -1;

    for (size_t i = 0; i < x->c->n; i++) {
        const struct coll_cert *cc = &x->c->certs[i];
        int s;
        if (cc->role != SNP_COLL_VCEK && cc->role != SNP_COLL_VLEK) {
            continue;
        }
        s = leaf_score(x, cc, key == 1);
        if (s > best_score) {
            best = cc;
            best_score = s;
        }
    }
    if (best == NULL) {
        return NULL;
    }
    x->leaf_is_vlek = best->role == SNP_COLL_VLEK;
    return best->x;
}

/* A root given by the caller: its ARK-* certificate, or its only self-issued one. */
static snp_err
root_sink(void *ctx, struct snp_x509 *cert, struct snp_x509_crl *crl)
{
    struct snp_x509 **pick = ctx;

    snp_x509_crl_free(crl);
    if (cert == NULL) {
        return SNP_OK;
    }
    if (*pick == NULL && (snp_coll_role_of(snp_x509_info(cert)) == SNP_COLL_ARK ||
                          snp_x509_info(cert)->self_issued)) {
        *pick = cert;
        return SNP_OK;
    }
    snp_x509_free(cert);
    return SNP_OK;
}

/* The parsed --root, from the verifier's small cache of roots (kept until the verifier goes). */
static snp_err
root_ark(struct vctx *x, const struct snp_x509 **out)
{
    struct snp_verifier *v = x->v;
    struct snp_x509 *ark = NULL;
    uint8_t *copy = NULL;
    snp_err err;

    *out = NULL;
    pthread_mutex_lock(&v->lock);
    for (size_t i = 0; i < v->nroots; i++) {
        if (v->roots[i].len == x->o->root_len &&
            memcmp(v->roots[i].bytes, x->o->root, x->o->root_len) == 0) {
            *out = v->roots[i].ark;
        }
    }
    pthread_mutex_unlock(&v->lock);
    if (*out != NULL) {
        return SNP_OK;
    }
    err = snp_x509_load(x->o->root, x->o->root_len, root_sink, &ark);
    if (err != SNP_OK || ark == NULL) {
        snp_x509_free(ark);
        return err != SNP_OK ? err : SNP_E_NOTFOUND;
    }
    copy = malloc(x->o->root_len);
    pthread_mutex_lock(&v->lock);
    if (copy != NULL && v->nroots < VCACHE_ROOTS) {
        memcpy(copy, x->o->root, x->o->root_len);
        v->roots[v->nroots].bytes = copy;
        v->roots[v->nroots].len = x->o->root_len;
        v->roots[v->nroots].ark = ark;
        v->nroots++;
        copy = NULL; /* transferred */
        *out = ark;
        ark = NULL; /* transferred */
    }
    pthread_mutex_unlock(&v->lock);
    if (ark != NULL) {
        x->ark_owned = ark; /* cache full: this call owns it */
        *out = ark;
    }
    free(copy);
    return SNP_OK;
}

void
snp_vchain_select(struct vctx *x)
{
    x->leaf = pick_leaf(x);
}

/* The intermediate for the leaf: the issuer named by the leaf, else the product's, else any. */
static const struct snp_x509 *
pick_mid(const struct vctx *x, const char *want_cn)
{
    enum snp_collateral_role role = x->leaf_is_vlek ? SNP_COLL_ASVK : SNP_COLL_ASK;
    const char *leaf_issuer = x->leaf ? snp_x509_info(x->leaf)->issuer_cn : "";
    const struct snp_x509 *by_product = NULL, *any = NULL;

    for (size_t i = 0; i < x->c->n; i++) {
        const struct coll_cert *cc = &x->c->certs[i];
        const char *cn = snp_x509_info(cc->x)->subject_cn;
        if (cc->role != role) {
            continue;
        }
        if (strcmp(cn, leaf_issuer) == 0 && strcmp(cn, want_cn) == 0) {
            return cc->x;
        }
        if (by_product == NULL && strcmp(cn, want_cn) == 0) {
            by_product = cc->x;
        }
        if (any == NULL) {
            any = cc->x;
        }
    }
    return by_product != NULL ? by_product : any;
}

static const struct snp_x509 *
pick_ark(const struct vctx *x, const char *want_cn)
{
    const uint8_t *pin = snp_verify_pin(x->product, SNP_COLL_ARK);
    const struct snp_x509 *by_name = NULL, *any = NULL;

    for (size_t i = 0; i < x->c->n; i++) {
        const struct coll_cert *cc = &x->c->certs[i];
        const struct snp_x509_info *in = snp_x509_info(cc->x);
        if (cc->role != SNP_COLL_ARK) {
            continue;
        }
        if (pin != NULL && memcmp(in->fp, pin, SNP_X509_FP_SIZE) == 0) {
            return cc->x;
        }
        if (by_name == NULL && strcmp(in->subject_cn, want_cn) == 0) {
            by_name = cc->x;
        }
        if (any == NULL) {
            any = cc->x;
        }
    }
    return by_name != NULL ? by_name : any;
}

static void
fp_hex(char out[2 * SNP_X509_FP_SIZE + 1], const struct snp_x509 *c)
{
    if (snp_hex_encode(out, 2 * SNP_X509_FP_SIZE + 1, snp_x509_info(c)->fp, SNP_X509_FP_SIZE) !=
        SNP_OK) {
        out[0] = '\0';
    }
}

/* §4.5 item 1: the ARK is AMD's for this product line, by fingerprint, or the caller's root. */
static void
check_ark_pinned(struct vctx *x)
{
    char hex[2 * SNP_X509_FP_SIZE + 1];
    const uint8_t *pin = snp_verify_pin(x->product, SNP_COLL_ARK);

    fp_hex(hex, x->ark);
    if (x->res->root_overridden) {
        snp_verify_add(x->res, "chain.ark_pinned", SNP_CHECK_WARN, SNP_OK,
                       "trusting the caller's root %s (sha256 %s) instead of AMD's pin",
                       snp_x509_info(x->ark)->subject_cn, hex);
        return;
    }
    if (pin != NULL && memcmp(pin, snp_x509_info(x->ark)->fp, SNP_X509_FP_SIZE) == 0) {
        snp_verify_add(x->res, "chain.ark_pinned", SNP_CHECK_PASS, SNP_OK,
                       "AMD's ARK-%s (sha256 %.16s...)", snp_product_name(x->product), hex);
        return;
    }
    for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
        const uint8_t *other = snp_verify_pin((enum snp_product)p, SNP_COLL_ARK);
        if (other != NULL && memcmp(other, snp_x509_info(x->ark)->fp, SNP_X509_FP_SIZE) == 0) {
            snp_verify_add(x->res, "chain.ark_pinned", SNP_CHECK_FAIL, SNP_E_CHAIN,
                           "the ARK is AMD's ARK-%s but the report is %s",
                           snp_product_name((enum snp_product)p), snp_product_name(x->product));
            return;
        }
    }
    snp_verify_add(x->res, "chain.ark_pinned", SNP_CHECK_FAIL, SNP_E_CHAIN,
                   "%s (sha256 %s) is not AMD's pinned ARK-%s", snp_x509_info(x->ark)->subject_cn,
                   hex, snp_product_name(x->product));
}

/* One signature link, with the cache: PASS, FAIL (SNP_E_CHAIN) or ERROR. */
static void
check_link(struct vctx *x, const char *name, const struct snp_x509 *subj,
           const struct snp_x509 *iss)
{
    snp_err err = snp_vsig_cert(x->v, subj, iss);
    const char *s = snp_x509_info(subj)->subject_cn, *i = snp_x509_info(iss)->subject_cn;

    if (err == SNP_OK) {
        snp_verify_add(x->res, name, SNP_CHECK_PASS, SNP_OK,
                       "%s is signed by %s (RSASSA-PSS SHA-384, salt 48)", s, i);
    } else if (err == SNP_E_UNSUPPORTED) {
        snp_verify_add(x->res, name, SNP_CHECK_FAIL, SNP_E_CHAIN,
                       "%s: signature algorithm is not AMD's RSASSA-PSS (SHA-384, MGF1-SHA-384, "
                       "salt 48), or %s's key is not RSA",
                       s, i);
    } else if (err == SNP_E_SIG) {
        snp_verify_add(x->res, name, SNP_CHECK_FAIL, SNP_E_CHAIN,
                       "%s's signature does not verify with %s's key", s, i);
    } else {
        snp_verify_add(x->res, name, SNP_CHECK_ERROR, err, "could not check %s: %s", s,
                       snp_err_str(err));
    }
}

/* §4.3, §4.5 items 1-3: subject and issuer names along the chain. */
static void
check_names(struct vctx *x, const char *ark_cn, const char *mid_cn)
{
    const struct snp_x509_info *a = snp_x509_info(x->ark), *m = snp_x509_info(x->mid),
                               *l = snp_x509_info(x->leaf);
    const char *leaf_cn = x->leaf_is_vlek ? "SEV-VLEK" : "SEV-VCEK";
    char why[512] = ""; /* names are bounded (SNP_X509_CN_MAX); the detail truncates */

    if (strcmp(a->subject_cn, ark_cn) != 0 || !a->self_issued) {
        snprintf(why, sizeof(why), "ARK is \"%s\"%s, want \"%s\", self-issued", a->subject_cn,
                 a->self_issued ? "" : " (not self-issued)", ark_cn);
    } else if (strcmp(m->subject_cn, mid_cn) != 0 || strcmp(m->issuer_cn, a->subject_cn) != 0) {
        snprintf(why, sizeof(why), "intermediate is \"%s\" issued by \"%s\", want \"%s\" by \"%s\"",
                 m->subject_cn, m->issuer_cn, mid_cn, ark_cn);
    } else if (strcmp(l->subject_cn, leaf_cn) != 0 || strcmp(l->issuer_cn, m->subject_cn) != 0) {
        snprintf(why, sizeof(why), "leaf is \"%s\" issued by \"%s\", want \"%s\" by \"%s\"",
                 l->subject_cn, l->issuer_cn, leaf_cn, mid_cn);
    }
    if (why[0] != '\0') {
        snp_verify_add(x->res, "chain.names", SNP_CHECK_FAIL, SNP_E_CHAIN, "%s", why);
    } else {
        snp_verify_add(x->res, "chain.names", SNP_CHECK_PASS, SNP_OK, "%s -> %s -> %s", ark_cn,
                       mid_cn, leaf_cn);
    }
}

/* §4.3: CA flags, key usage, key types and sizes, X.509 v3, no unknown critical extension. */
static void
check_ca_flags(struct vctx *x)
{
    const struct snp_x509_info *a = snp_x509_info(x->ark), *m = snp_x509_info(x->mid),
                               *l = snp_x509_info(x->leaf);
    /* AMD's intermediates are RSA-4096 (§4.3); a caller's test root may use smaller keys. */
    unsigned min_bits = x->res->root_overridden ? 2048 : 4096;
    char why[512] = ""; /* names are bounded (SNP_X509_CN_MAX); the detail truncates */

    if (a->version != 2 || m->version != 2 || l->version != 2) {
        snprintf(why, sizeof(why), "not all certificates are X.509 v3");
    } else if (!a->is_ca || (a->has_key_usage && !(a->key_usage & SNP_X509_KU_KEY_CERT_SIGN))) {
        snprintf(why, sizeof(why), "ARK is not a CA with keyCertSign");
    } else if (!m->is_ca || m->pathlen > 0 ||
               (m->has_key_usage && !(m->key_usage & SNP_X509_KU_KEY_CERT_SIGN))) {
        /* AMD writes pathlen 0; absent is accepted (some test PKIs omit it): the chain has a
         * fixed length of three and the leaf must not be a CA, so no path can grow anyway. */
        snprintf(why, sizeof(why), "%s is not a CA with pathlen 0 (or none) and keyCertSign",
                 m->subject_cn);
    } else if (l->is_ca) {
        snprintf(why, sizeof(why), "the leaf claims to be a CA");
    } else if (a->key_type != SNP_X509_KEY_RSA || m->key_type != SNP_X509_KEY_RSA ||
               a->key_bits < min_bits || m->key_bits < min_bits) {
        snprintf(why, sizeof(why), "ARK/intermediate keys must be RSA-%u or larger (%u, %u bits)",
                 min_bits, a->key_bits, m->key_bits);
    } else if (l->key_type != SNP_X509_KEY_P384) {
        snprintf(why, sizeof(why), "the leaf's key is not an uncompressed EC P-384 point");
    } else if (a->n_critical_unknown + m->n_critical_unknown + l->n_critical_unknown != 0) {
        snprintf(why, sizeof(why), "a certificate has an unknown critical or malformed extension");
    }
    if (why[0] != '\0') {
        snp_verify_add(x->res, "chain.ca_flags", SNP_CHECK_FAIL, SNP_E_CHAIN, "%s", why);
    } else {
        snp_verify_add(x->res, "chain.ca_flags", SNP_CHECK_PASS, SNP_OK,
                       "CA flags, key usage and key types as AMD issues them");
    }
}

static void
fmt_time(char out[24], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 24, "%lld", (long long)t);
    }
}

/* §4.5 item 4: each certificate valid at the verification time (bounds inclusive, RFC 5280). */
static void
check_validity(struct vctx *x)
{
    const struct snp_x509 *chain[3] = {x->ark, x->mid, x->leaf};
    char at[24], nb[24], na[24];

    fmt_time(at, x->now);
    for (int i = 0; i < 3; i++) {
        const struct snp_x509_info *in = snp_x509_info(chain[i]);
        if (x->now < in->not_before || x->now > in->not_after) {
            fmt_time(nb, in->not_before);
            fmt_time(na, in->not_after);
            snp_verify_add(x->res, "chain.validity", SNP_CHECK_FAIL, SNP_E_EXPIRED,
                           "%s is valid %s..%s, not at %s", in->subject_cn, nb, na, at);
            return;
        }
    }
    snp_verify_add(x->res, "chain.validity", SNP_CHECK_PASS, SNP_OK, "ARK, %s and %s valid at %s",
                   snp_x509_info(x->mid)->subject_cn, snp_x509_info(x->leaf)->subject_cn, at);
}

static const char *const chain_checks[] = {
    "chain.ark_pinned",         "chain.ark_self_signed", "chain.ask_signed_by_ark",
    "chain.leaf_signed_by_ask", "chain.names",           "chain.ca_flags",
    "chain.validity",
};

void
snp_vchain_check(struct vctx *x)
{
    char ark_cn[SNP_X509_CN_MAX], mid_cn[SNP_X509_CN_MAX];
    const char *line = snp_product_name(x->product);
    snp_err err = SNP_OK;

    snprintf(ark_cn, sizeof(ark_cn), "ARK-%s", line);
    snprintf(mid_cn, sizeof(mid_cn), x->leaf_is_vlek ? "SEV-VLEK-%s" : "SEV-%s", line);
    if (x->o->root != NULL) {
        x->res->root_overridden = true;
        err = root_ark(x, &x->ark);
    } else {
        x->ark = pick_ark(x, ark_cn);
    }
    x->mid = pick_mid(x, mid_cn);
    if (x->ark == NULL || x->mid == NULL || x->leaf == NULL) {
        /* Missing collateral: we could not check, which is not the same as a forgery. */
        snp_verify_add(
            x->res, "chain.collateral", SNP_CHECK_ERROR,
            err != SNP_OK && x->o->root != NULL ? err : SNP_E_NOTFOUND, "missing:%s%s%s",
            x->ark == NULL
                ? (x->o->root ? " the --root ARK (none for this product in the file)" : " ARK")
                : "",
            x->mid == NULL ? (x->leaf_is_vlek ? " ASVK" : " ASK") : "",
            x->leaf == NULL ? " VCEK/VLEK" : "");
        for (size_t i = 0; i < SNP_ARRAY_LEN(chain_checks); i++) {
            snp_verify_add(x->res, chain_checks[i], SNP_CHECK_SKIP, SNP_OK,
                           "incomplete collateral");
        }
        return;
    }
    snp_verify_add(x->res, "chain.collateral", SNP_CHECK_PASS, SNP_OK, "%s, %s, %s",
                   snp_x509_info(x->ark)->subject_cn, snp_x509_info(x->mid)->subject_cn,
                   snp_x509_info(x->leaf)->subject_cn);
    check_ark_pinned(x);
    check_link(x, "chain.ark_self_signed", x->ark, x->ark);
    check_link(x, "chain.ask_signed_by_ark", x->mid, x->ark);
    check_link(x, "chain.leaf_signed_by_ask", x->leaf, x->mid);
    check_names(x, ark_cn, mid_cn);
    check_ca_flags(x);
    check_validity(x);
}

/* ---- CRL (§4.5 item 8, §10 item 11) -----------------------------------------------------------
 */

static snp_err
crl_sig(struct snp_verifier *v, const struct snp_x509_crl *crl, const struct snp_x509 *ark)
{
    const uint8_t *cfp = snp_x509_crl_info(crl)->fp, *afp = snp_x509_info(ark)->fp;
    snp_err err;

    if (snp_vcache_has(v, cfp, afp)) {
        return SNP_OK;
    }
    err = snp_x509_crl_verify_by(crl, ark);
    if (err == SNP_OK) {
        snp_vcache_put(v, cfp, afp);
    }
    return err;
}

void
snp_vcrl_check(struct vctx *x)
{
    const struct snp_x509_crl *best = NULL;
    const struct snp_x509_crl_info *ci;
    snp_err err = SNP_OK, first_err = SNP_OK;
    const struct snp_x509_info *m;
    char a[24], b[24], at[24];
    int64_t when = 0;
    size_t seen = 0;

    if (x->o->crl == SNP_CRL_SKIP) {
        snp_verify_add(x->res, "crl.present", SNP_CHECK_SKIP, SNP_OK,
                       "revocation not checked: CRL checks disabled by option");
        return;
    }
    if (x->ark == NULL || x->mid == NULL) {
        snp_verify_add(x->res, "crl.present", SNP_CHECK_SKIP, SNP_OK, "no chain to check");
        return;
    }
    /* The ARK's CRLs: by issuer name; the newest one whose signature verifies. */
    for (size_t i = 0; i < x->c->ncrl; i++) {
        ci = snp_x509_crl_info(x->c->crls[i]);
        if (strcmp(ci->issuer_cn, snp_x509_info(x->ark)->subject_cn) != 0) {
            continue;
        }
        seen++;
        err = crl_sig(x->v, x->c->crls[i], x->ark);
        if (err != SNP_OK) {
            first_err = first_err == SNP_OK ? err : first_err;
            continue;
        }
        if (best == NULL || ci->this_update > snp_x509_crl_info(best)->this_update) {
            best = x->c->crls[i];
        }
    }
    if (seen == 0) {
        bool req = x->o->crl == SNP_CRL_REQUIRE;
        snp_verify_add(x->res, "crl.present", req ? SNP_CHECK_FAIL : SNP_CHECK_WARN,
                       req ? SNP_E_NOTFOUND : SNP_OK,
                       "no CRL of %s in the collateral: revocation of %s not checked",
                       snp_x509_info(x->ark)->subject_cn, snp_x509_info(x->mid)->subject_cn);
        return;
    }
    snp_verify_add(x->res, "crl.present", SNP_CHECK_PASS, SNP_OK, "%zu CRL(s) of %s", seen,
                   snp_x509_info(x->ark)->subject_cn);
    if (best == NULL) {
        bool lib = first_err == SNP_E_NOMEM || first_err == SNP_E_CRYPTO;
        snp_verify_add(x->res, "crl.signature", lib ? SNP_CHECK_ERROR : SNP_CHECK_FAIL,
                       lib ? first_err : SNP_E_SIG,
                       "no CRL of %s verifies with its key (RSASSA-PSS, AMD parameters)",
                       snp_x509_info(x->ark)->subject_cn);
        snp_verify_add(x->res, "crl.window", SNP_CHECK_SKIP, SNP_OK, "no verified CRL");
        snp_verify_add(x->res, "crl.revoked", SNP_CHECK_SKIP, SNP_OK, "no verified CRL");
        return;
    }
    ci = snp_x509_crl_info(best);
    snp_verify_add(x->res, "crl.signature", SNP_CHECK_PASS, SNP_OK, "signed by %s",
                   snp_x509_info(x->ark)->subject_cn);
    fmt_time(a, ci->this_update);
    fmt_time(b, ci->has_next_update ? ci->next_update : 0);
    fmt_time(at, x->now);
    if (!ci->has_next_update || x->now < ci->this_update || x->now >= ci->next_update) {
        snp_verify_add(x->res, "crl.window", SNP_CHECK_FAIL, SNP_E_EXPIRED,
                       "CRL is for [%s, %s), not %s", a, ci->has_next_update ? b : "(none)", at);
    } else {
        snp_verify_add(x->res, "crl.window", SNP_CHECK_PASS, SNP_OK, "CRL is for [%s, %s)", a, b);
    }
    m = snp_x509_info(x->mid);
    if (snp_x509_crl_revoked(best, m->serial, m->serial_len, &when)) {
        fmt_time(a, when);
        snp_verify_add(x->res, "crl.revoked", SNP_CHECK_FAIL, SNP_E_REVOKED,
                       "%s (serial of %zu bytes) was revoked on %s", m->subject_cn, m->serial_len,
                       a);
    } else {
        snp_verify_add(x->res, "crl.revoked", SNP_CHECK_PASS, SNP_OK, "%s is not revoked",
                       m->subject_cn);
    }
}
