/*
 * verify/verifier.c - snp_verify_report(): one report, end to end, as a list of named checks
 * (attestation.md §10; names documented in docs/verify-checks.md).
 *
 * Order: the report's own form, the signing key and product, the chain (chain.c), CRL, the
 * leaf's extensions against the report (leaf.c), the report signature, then the caller's policy.
 * Every check that cannot run says so (SKIP with the reason); nothing passes by omission.
 * "The evidence is bad" is a FAIL, "we could not check" is an ERROR (STYLE.md §5.1).
 *
 * The verifier's cache holds (subject, issuer) fingerprint pairs whose RSA-PSS signature
 * verified, so a warm batch pays one ECDSA verification per report. Thread-safe: the cache and
 * the parsed --root certificates are behind one mutex; everything else is per call.
 */
#include "verify/verify_int.h"

#include "snpkit/policy.h"
#include "snpkit/util.h"
#include "snpkit/verify_policy.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VCACHE_MAX (1u << 20) /* entries; beyond that the cache starts over */

snp_err
snp_verifier_new(struct snp_verifier **out)
{
    struct snp_verifier *v = calloc(1, sizeof(*v));

    *out = NULL;
    if (v == NULL) {
        return SNP_E_NOMEM;
    }
    if (pthread_mutex_init(&v->lock, NULL) != 0) {
        free(v);
        return SNP_E_NOMEM;
    }
    *out = v;
    return SNP_OK;
}

void
snp_verifier_free(struct snp_verifier *v)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < v->nroots; i++) {
        free(v->roots[i].bytes);
        snp_x509_free(v->roots[i].ark);
    }
    free(v->slots);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

void
snp_verify_opts_init(struct snp_verify_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->crl = SNP_CRL_WARN;
}

/* ---- the signature cache ----------------------------------------------------------------------
 */

static size_t
slot_of(const uint8_t *key, size_t cap)
{
    uint64_t h = 0;

    /* Fingerprints are SHA-256 outputs: any 8 bytes of them are a fine hash. */
    for (int i = 0; i < 8; i++) {
        h = (h << 8) | (uint64_t)(key[i] ^ key[SNP_X509_FP_SIZE + i]);
    }
    return (size_t)(h % cap);
}

static bool
slot_empty(const uint8_t *s)
{
    for (size_t i = 0; i < VCACHE_KEY; i++) {
        if (s[i] != 0) {
            return false;
        }
    }
    return true;
}

/* Linear probing; the caller holds the lock. */
static uint8_t *
probe(struct snp_verifier *v, const uint8_t *key)
{
    size_t i = slot_of(key, v->cap);

    for (;;) {
        uint8_t *s = v->slots + i * VCACHE_KEY;
        if (slot_empty(s) || memcmp(s, key, VCACHE_KEY) == 0) {
            return s;
        }
        i = (i + 1) % v->cap;
    }
}

bool
snp_vcache_has(struct snp_verifier *v, const uint8_t subj[SNP_X509_FP_SIZE],
               const uint8_t iss[SNP_X509_FP_SIZE])
{
    uint8_t key[VCACHE_KEY];
    bool hit = false;

    memcpy(key, subj, SNP_X509_FP_SIZE);
    memcpy(key + SNP_X509_FP_SIZE, iss, SNP_X509_FP_SIZE);
    pthread_mutex_lock(&v->lock);
    if (v->cap != 0) {
        hit = !slot_empty(probe(v, key));
    }
    if (hit) {
        v->hits++;
    } else {
        v->misses++;
    }
    pthread_mutex_unlock(&v->lock);
    return hit;
}

static void
rehash(struct snp_verifier *v, size_t ncap)
{
    uint8_t *old = v->slots;
    size_t ocap = v->cap;
    uint8_t *slots = calloc(ncap, VCACHE_KEY);

    if (slots == NULL) {
        return; /* a cache that does not grow is still correct */
    }
    v->slots = slots;
    v->cap = ncap;
    v->used = 0;
    for (size_t i = 0; ncap > ocap && i < ocap; i++) {
        if (!slot_empty(old + i * VCACHE_KEY)) {
            memcpy(probe(v, old + i * VCACHE_KEY), old + i * VCACHE_KEY, VCACHE_KEY);
            v->used++;
        }
    }
    free(old);
}

void
snp_vcache_put(struct snp_verifier *v, const uint8_t subj[SNP_X509_FP_SIZE],
               const uint8_t iss[SNP_X509_FP_SIZE])
{
    uint8_t key[VCACHE_KEY];
    uint8_t *s;

    memcpy(key, subj, SNP_X509_FP_SIZE);
    memcpy(key + SNP_X509_FP_SIZE, iss, SNP_X509_FP_SIZE);
    if (slot_empty(key)) {
        return; /* the all-zero key marks empty slots; SHA-256 never gives it in practice */
    }
    pthread_mutex_lock(&v->lock);
    if (v->used + 1 > v->cap / 2) {
        /* Keep the load under 1/2; past VCACHE_MAX start over rather than grow forever. */
        rehash(v, v->cap == 0 ? 64 : (v->cap >= VCACHE_MAX ? 64 : v->cap * 2));
    }
    if (v->used + 1 <= v->cap / 2) {
        s = probe(v, key);
        if (slot_empty(s)) {
            memcpy(s, key, VCACHE_KEY);
            v->used++;
        }
    }
    pthread_mutex_unlock(&v->lock);
}

snp_err
snp_vsig_cert(struct snp_verifier *v, const struct snp_x509 *subj, const struct snp_x509 *iss)
{
    const uint8_t *sfp = snp_x509_info(subj)->fp;
    const uint8_t *ifp = snp_x509_info(iss)->fp;
    snp_err err;

    if (snp_vcache_has(v, sfp, ifp)) {
        return SNP_OK;
    }
    err = snp_x509_verify_by(subj, iss);
    if (err == SNP_OK) {
        snp_vcache_put(v, sfp, ifp);
    }
    return err;
}

/* ---- the report's own checks ------------------------------------------------------------------
 */

static bool
check_decode(struct vctx *x, const uint8_t *report, size_t len)
{
    size_t off = 0;
    snp_err err = snp_report_decode(&x->r, report, len, &off);

    /* §1.1, §1.3: exactly 0x4A0 bytes, a version we understand (2, 3, 5; 4 is not public). */
    if (err != SNP_OK) {
        snp_verify_add(x->res, "report.decode", SNP_CHECK_FAIL, err,
                       "%zu bytes: %s (at offset 0x%zx)", len, snp_err_str(err), off);
        return false;
    }
    snp_verify_add(x->res, "report.decode", SNP_CHECK_PASS, SNP_OK, "version %u, %zu bytes",
                   x->r.version, len);
    return true;
}

static void
check_strict(struct vctx *x)
{
    size_t off = 0;
    snp_err err = snp_report_check_strict(&x->r, &off);
    uint64_t rsvd = x->r.platform_info & SNP_PLATFORM_RSVD_MASK;

    /* §1.8: reserved bytes zero, signer-info bits, POLICY bit 17 set and 63:26 clear, VMPL. */
    if (err != SNP_OK) {
        snp_verify_add(x->res, "report.strict", SNP_CHECK_FAIL, err, "%s at report offset 0x%03zx",
                       snp_err_str(err), off);
    } else {
        snp_verify_add(x->res, "report.strict", SNP_CHECK_PASS, SNP_OK,
                       "reserved fields zero, POLICY 0x%llx, VMPL %u",
                       (unsigned long long)x->r.policy, x->r.vmpl);
    }
    /* §1.8, §11: reserved PLATFORM_INFO bits are signed, and were seen set in the wild (the
     * real Turin report has bit 6 set): a WARN by default, a FAIL when asked to be strict. */
    if (rsvd == 0) {
        snp_verify_add(x->res, "report.platform_info", SNP_CHECK_PASS, SNP_OK,
                       "PLATFORM_INFO 0x%llx, no reserved bit set",
                       (unsigned long long)x->r.platform_info);
    } else {
        snp_verify_add(x->res, "report.platform_info",
                       x->o->strict_platform_info ? SNP_CHECK_FAIL : SNP_CHECK_WARN,
                       x->o->strict_platform_info ? SNP_E_RESERVED : SNP_OK,
                       "PLATFORM_INFO 0x%llx has reserved bits 0x%llx set",
                       (unsigned long long)x->r.platform_info, (unsigned long long)rsvd);
    }
}

/* §1.4, §10 item 5: SIGNING_KEY 0 = VCEK, 1 = VLEK, 7 = unsigned, 2..6 reserved. Returns false
 * when no signature check can follow (unsigned). */
static bool
check_signing_key(struct vctx *x)
{
    unsigned key = (x->r.signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT;
    const char *want = key == 0 ? "VCEK" : "VLEK";

    x->res->signing_key = key;
    if (key == 7) {
        if (x->o->allow_unsigned) {
            snp_verify_add(x->res, "report.signing_key", SNP_CHECK_WARN, SNP_OK,
                           "SIGNING_KEY 7: the report is not signed (accepted by option)");
        } else {
            snp_verify_add(x->res, "report.signing_key", SNP_CHECK_FAIL, SNP_E_SIG,
                           "SIGNING_KEY 7: the report is not signed");
        }
        return false;
    }
    if (key > 1) {
        snp_verify_add(x->res, "report.signing_key", SNP_CHECK_FAIL, SNP_E_RANGE,
                       "SIGNING_KEY %u is reserved", key);
        return true;
    }
    if (x->leaf == NULL) {
        snp_verify_add(x->res, "report.signing_key", SNP_CHECK_PASS, SNP_OK,
                       "SIGNING_KEY %u (%s); no leaf certificate to compare", key, want);
    } else if ((key == 1) != x->leaf_is_vlek) {
        /* A VLEK in the VCEK slot or the reverse: the certificate kind must follow the report. */
        snp_verify_add(x->res, "report.signing_key", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "report says SIGNING_KEY %u (%s) but the leaf certificate is a %s", key,
                       want, x->leaf_is_vlek ? "VLEK" : "VCEK");
    } else {
        snp_verify_add(x->res, "report.signing_key", SNP_CHECK_PASS, SNP_OK,
                       "SIGNING_KEY %u (%s) matches the leaf certificate", key, want);
    }
    return true;
}

/* The product line of the leaf's productName: the text before '-' (§4.4). */
static enum snp_product
leaf_product(const struct snp_x509 *leaf)
{
    const struct snp_amd_ext *a;
    char line[SNP_AMD_PRODUCT_MAX];
    enum snp_product p = SNP_PRODUCT_UNKNOWN;

    if (leaf == NULL) {
        return SNP_PRODUCT_UNKNOWN;
    }
    a = &snp_x509_info(leaf)->amd;
    if (!a->has_product_name) {
        return SNP_PRODUCT_UNKNOWN;
    }
    memcpy(line, a->product_name, sizeof(line));
    line[strcspn(line, "-")] = '\0';
    if (snp_product_parse(line, &p) != SNP_OK) {
        return SNP_PRODUCT_UNKNOWN;
    }
    return p;
}

/* §1.7, §10 item 4: product from CPUID (v3+), else the hint, else the VCEK's productName. */
static bool
check_product(struct vctx *x)
{
    enum snp_product hint = x->o->product;
    enum snp_product lp = leaf_product(x->leaf);
    snp_err err;

    if (x->r.version >= 3) {
        err = snp_report_product(&x->r, hint, &x->product);
        if (err != SNP_OK) {
            snp_verify_add(x->res, "report.product", SNP_CHECK_FAIL, err,
                           "CPUID family 0x%02x model 0x%02x%s%s: %s", x->r.cpuid_fam_id,
                           x->r.cpuid_mod_id, hint ? ", hint " : "",
                           hint ? snp_product_name(hint) : "", snp_err_str(err));
            return false;
        }
        snp_verify_add(
            x->res, "report.product", SNP_CHECK_PASS, SNP_OK,
            "%s from CPUID family 0x%02x model 0x%02x stepping %u%s", snp_product_name(x->product),
            x->r.cpuid_fam_id, x->r.cpuid_mod_id, x->r.cpuid_step,
            x->r.cpuid_mod_id >= 0xA0 && x->r.cpuid_mod_id <= 0xAF ? " (Siena/Bergamo: Genoa line)"
                                                                   : "");
        return true;
    }
    if (hint != SNP_PRODUCT_UNKNOWN) {
        x->product = hint;
        snp_verify_add(x->res, "report.product", SNP_CHECK_PASS, SNP_OK,
                       "%s as given (a version 2 report carries no CPUID)", snp_product_name(hint));
        return true;
    }
    if (lp != SNP_PRODUCT_UNKNOWN) {
        x->product = lp;
        snp_verify_add(x->res, "report.product", SNP_CHECK_PASS, SNP_OK,
                       "%s from the leaf's productName \"%s\" (a version 2 report carries no "
                       "CPUID; the chain to that line's ARK confirms it)",
                       snp_product_name(lp), snp_x509_info(x->leaf)->amd.product_name);
        return true;
    }
    snp_verify_add(x->res, "report.product", SNP_CHECK_ERROR, SNP_E_ARG,
                   "version 2 report without CPUID and no productName to go by: name the product");
    return false;
}

/* §1.6, §10 item 10: ECDSA P-384 over the raw bytes 0x000..0x29F with the leaf's key. */
static void
check_signature(struct vctx *x)
{
    const struct snp_eckey *k = x->leaf == NULL ? NULL : snp_x509_eckey(x->leaf);
    snp_err err;

    if (k == NULL) {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_SKIP, SNP_OK,
                       x->leaf == NULL ? "no leaf certificate" : "the leaf has no P-384 key");
        return;
    }
    if (x->r.signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384) {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_FAIL, SNP_E_SIG,
                       "SIGNATURE_ALGO %u is not ECDSA P-384 with SHA-384", x->r.signature_algo);
        return;
    }
    err = snp_ecdsa_p384_verify(k, x->r.raw, SNP_REPORT_SIGNED_LEN, &x->r.signature);
    if (err == SNP_E_SIG) {
        /* OpenSSL 3.0's ECDSA may answer "does not verify" with an empty error queue when an
         * allocation fails inside it (allocation-failure injection finds such points), so
         * "forged" and "could not check" look alike. No failure of the library can make a
         * wrong signature verify, so a second run is a sound tie-breaker: a genuine report
         * verifies, a forged one fails again. */
        err = snp_ecdsa_p384_verify(k, x->r.raw, SNP_REPORT_SIGNED_LEN, &x->r.signature);
    }
    if (err == SNP_OK) {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_PASS, SNP_OK,
                       "ECDSA P-384/SHA-384 over bytes 0x000..0x29F verifies with the %s key",
                       x->leaf_is_vlek ? "VLEK" : "VCEK");
    } else if (err == SNP_E_RANGE) {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_FAIL, SNP_E_SIG,
                       "R or S is zero, not below the group order, or longer than 48 bytes");
    } else if (err == SNP_E_SIG) {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_FAIL, SNP_E_SIG,
                       "the signature does not verify with the %s key",
                       x->leaf_is_vlek ? "VLEK" : "VCEK");
    } else {
        snp_verify_add(x->res, "report.signature", SNP_CHECK_ERROR, err,
                       "could not check the signature: %s", snp_err_str(err));
    }
}

static void
skip_all(struct snp_verify_result *res, const char *why)
{
    static const char *const names[] = {
        "chain.ark_pinned",
        "chain.ark_self_signed",
        "chain.ask_signed_by_ark",
        "chain.leaf_signed_by_ask",
        "chain.names",
        "chain.ca_flags",
        "chain.validity",
        "crl.present",
        "vcek.extensions",
        "vcek.product_name",
        "vcek.tcb",
        "vcek.hwid",
        "report.signature",
    };
    for (size_t i = 0; i < SNP_ARRAY_LEN(names); i++) {
        snp_verify_add(res, names[i], SNP_CHECK_SKIP, SNP_OK, "%s", why);
    }
}

snp_err
snp_verify_report(struct snp_verifier *v, const uint8_t *report, size_t len,
                  const struct snp_collateral *c, const struct snp_verify_opts *o,
                  const struct snp_verify_policy *p, struct snp_verify_result *res)
{
    struct snp_verify_opts defaults;
    struct vctx *x;
    bool signed_report, product_ok;

    if (res == NULL) {
        return SNP_E_ARG;
    }
    memset(res, 0, sizeof(*res));
    if (v == NULL || c == NULL || (report == NULL && len != 0)) {
        return SNP_E_ARG;
    }
    if (o == NULL) {
        snp_verify_opts_init(&defaults);
        o = &defaults;
    }
    /* The working state holds a decoded report (2.5 KiB): on the heap, not the stack. */
    x = calloc(1, sizeof(*x));
    if (x == NULL) {
        snp_verify_add(res, "verify.memory", SNP_CHECK_ERROR, SNP_E_NOMEM, "out of memory");
        return snp_verify_verdict(res);
    }
    x->v = v;
    x->c = c;
    x->o = o;
    x->res = res;
    x->now = o->at != 0 ? (int64_t)o->at : (int64_t)time(NULL);

    if (!check_decode(x, report == NULL ? (const uint8_t *)"" : report, len)) {
        goto out;
    }
    check_strict(x);
    snp_vchain_select(x);
    signed_report = check_signing_key(x);
    product_ok = check_product(x);
    res->product = x->product;
    if (!signed_report) {
        skip_all(res, "the report is not signed");
    } else if (!product_ok) {
        skip_all(res, "the product line is not known");
    } else {
        snp_vchain_check(x);
        snp_vcrl_check(x);
        snp_vleaf_check(x);
        check_signature(x);
    }
    if (p != NULL) {
        snp_verify_policy_check(p, &x->r, product_ok ? x->product : SNP_PRODUCT_UNKNOWN, res);
    }
out:
    snp_x509_free(x->ark_owned);
    free(x);
    return snp_verify_verdict(res);
}
