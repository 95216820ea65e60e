/*
 * snpkit/verify.h - the relying party: verify an attestation report end to end.
 * @module verify
 *
 * A verification is a list of named checks, each pass / fail / skipped / warning with a reason,
 * so that nothing is checked silently and nothing is skipped silently. The verdict keeps
 * "the evidence is bad" (a failed check: exit 1) apart from "we could not check it" (an
 * environment error: exit 3).
 */
#ifndef SNPKIT_VERIFY_H
#define SNPKIT_VERIFY_H

#include "snpkit/err.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- results -------------------------------------------------------------------------------- */

enum snp_check_status {
    SNP_CHECK_PASS = 0,
    SNP_CHECK_FAIL = 1, /* the evidence violates this check */
    SNP_CHECK_SKIP = 2, /* not performed; detail says why (never silent) */
    SNP_CHECK_WARN = 3, /* performed or not, acceptable under the policy, but worth seeing */
    SNP_CHECK_ERROR = 4 /* could not be performed: environment failure (I/O, memory, crypto) */
};

#define SNP_CHECK_NAME_MAX    48
#define SNP_CHECK_DETAIL_MAX  240
#define SNP_VERIFY_MAX_CHECKS 96

struct snp_check {
    char name[SNP_CHECK_NAME_MAX]; /* stable dotted name, e.g. "chain.ask_signed_by_ark" */
    enum snp_check_status status;
    snp_err err;                       /* the specific error for FAIL / ERROR, else SNP_OK */
    char detail[SNP_CHECK_DETAIL_MAX]; /* human reason: expected vs actual */
};

struct snp_verify_result {
    size_t n;
    struct snp_check checks[SNP_VERIFY_MAX_CHECKS];
    enum snp_product product; /* the product line the report was verified as */
    unsigned signing_key;     /* 0 VCEK, 1 VLEK (from the report) */
    bool root_overridden;     /* --root: another ARK than AMD's pinned one was trusted */
};

/* Append a check (silently drops beyond SNP_VERIFY_MAX_CHECKS, counting it as an ERROR). */
void snp_verify_add(struct snp_verify_result *res, const char *name, enum snp_check_status st,
                    snp_err err, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The first FAIL's err; else the first ERROR's err; else SNP_OK. */
snp_err snp_verify_verdict(const struct snp_verify_result *res);

/* The check named name, or NULL. */
const struct snp_check *snp_verify_find(const struct snp_verify_result *res, const char *name);

const char *snp_check_status_name(enum snp_check_status st); /* "pass", "FAIL", "skip", ... */

/* ---- collateral: the certificates and CRLs a verification may use --------------------------- */

/*
 * A bag of certificates and CRLs from any source (files, a certificate table, the store, the
 * key server). Each certificate gets a role from its subject CN (attestation.md §4.3): "ARK-*"
 * ARK, "SEV-VLEK-*" ASVK, "SEV-VCEK" VCEK, "SEV-VLEK" VLEK, other "SEV-*" ASK; anything else is
 * kept as UNKNOWN and never used. Duplicates (same DER) are stored once. Nothing in the bag is
 * trusted by being there: trust comes from the pinned ARK fingerprints (or opts->root).
 * A bag is not modified by snp_verify_report(), so one bag may serve many threads at once as
 * long as nobody adds to it meanwhile.
 */
struct snp_collateral;

enum snp_collateral_role {
    SNP_COLL_UNKNOWN = 0,
    SNP_COLL_ARK = 1,
    SNP_COLL_ASK = 2,
    SNP_COLL_ASVK = 3,
    SNP_COLL_VCEK = 4,
    SNP_COLL_VLEK = 5,
    SNP_COLL_CRL = 6,
};

/* snp_collateral_new() - an empty bag. Returns SNP_OK or SNP_E_NOMEM. */
snp_err snp_collateral_new(struct snp_collateral **out);

/* snp_collateral_free() - free the bag and everything in it; NULL is a no-op. */
void snp_collateral_free(struct snp_collateral *c);

/*
 * snp_collateral_add() - add every certificate and CRL in buf: PEM (one or more CERTIFICATE /
 * X509 CRL blocks; the KDS cert_chain form) or DER (one or more concatenated objects).
 * buf is not retained. On failure nothing from buf is added.
 * Returns SNP_OK; SNP_E_FORMAT (not a certificate or CRL); SNP_E_SPACE (more than 64
 * certificates or 16 CRLs in one buffer); SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_collateral_add(struct snp_collateral *c, const uint8_t *buf, size_t len);

/*
 * snp_collateral_add_cert_table() - add the certificates of an extended-report certificate
 * table or configfs-tsm auxblob (attestation.md §6; snpkit/certtable.h). Entries with unknown
 * GUIDs are skipped; the role still comes from each certificate's CN, not from its GUID, so a
 * host cannot relabel a certificate.
 * Returns SNP_OK; the table decoder's errors (SNP_E_SPACE beyond 32 entries); those of
 * snp_collateral_add().
 */
snp_err snp_collateral_add_cert_table(struct snp_collateral *c, const uint8_t *buf, size_t len);

/* snp_collateral_count() - how many objects of a role the bag holds. */
size_t snp_collateral_count(const struct snp_collateral *c, enum snp_collateral_role role);

/* ---- options ----------------------------------------------------------------------------------
 */

enum snp_crl_mode {
    SNP_CRL_WARN = 0,    /* default: a missing CRL is a visible WARN (crl.present) */
    SNP_CRL_REQUIRE = 1, /* a missing CRL is a FAIL (SNP_E_NOTFOUND) */
    SNP_CRL_SKIP = 2,    /* do not look at CRLs at all (crl.present is SKIP, with the reason) */
};

/*
 * Options of one verification. Zero-initialised (or snp_verify_opts_init()) means: now, product
 * from the report/VCEK, AMD's pinned roots, CRL missing = WARN, reserved PLATFORM_INFO bits =
 * WARN, unsigned reports rejected.
 */
struct snp_verify_opts {
    time_t at;                /* verification time; 0 = the current time */
    enum snp_product product; /* product line hint: needed only for v2 reports without a VCEK
                                 productName; checked against the report when both exist */
    const uint8_t *root;      /* --root: PEM/DER of another ARK to trust instead of AMD's pins
                                 (a bundle's ARK-* or self-signed certificate); NULL = pins */
    size_t root_len;
    enum snp_crl_mode crl;
    bool strict_platform_info; /* reserved PLATFORM_INFO bits (6, 63:8) FAIL instead of WARN */
    bool allow_unsigned;       /* SIGNING_KEY 7 (no signature) accepted with a WARN */
};

/* snp_verify_opts_init() - the defaults above. */
void snp_verify_opts_init(struct snp_verify_opts *o);

/* ---- the verifier -----------------------------------------------------------------------------
 */

/*
 * A verifier caches the RSA work of chains it has verified, keyed by the SHA-256 fingerprints of
 * (ARK, ASK or ASVK, VCEK or VLEK) and of (ARK, CRL), so that verifying thousands of reports that
 * share collateral costs one ECDSA verification each. Only successful signature checks are
 * cached; names, times, extensions and revocation are re-checked on every report.
 * Thread-safe: one verifier may be shared by threads (its cache has a lock).
 */
struct snp_verifier;
struct snp_verify_policy; /* snpkit/verify_policy.h */

/* snp_verifier_new() - an empty verifier. Returns SNP_OK or SNP_E_NOMEM. */
snp_err snp_verifier_new(struct snp_verifier **out);

/* snp_verifier_free() - NULL is a no-op. */
void snp_verifier_free(struct snp_verifier *v);

/*
 * snp_verify_report() - verify one attestation report end to end (attestation.md §10): decode
 * and strict form, product, signing key vs leaf kind, the chain to a pinned (or overridden) ARK,
 * CRL, the leaf's AMD extensions against the report, and the report signature; then, when p is
 * not NULL, the relying party's policy (snp_verify_policy_check()).
 * @v:      the verifier (its cache); MUST NOT be NULL.
 * @report: the report bytes as received; len MUST be SNP_REPORT_SIZE (else report.decode FAILs).
 * @c:      the collateral; MUST NOT be NULL (may be empty: then the chain checks are ERRORs).
 * @o:      options; NULL = defaults.
 * @p:      policy; NULL = no policy checks (only what the evidence itself must satisfy).
 * @res:    out: overwritten with the list of named checks (docs/verify-checks.md), the product
 *          and signing key, and root_overridden.
 * Returns snp_verify_verdict(res): SNP_OK when no check FAILed or ERRORed; the first FAIL's
 * error (SNP_E_SIG, SNP_E_CHAIN, SNP_E_TCB, SNP_E_MISMATCH, SNP_E_EXPIRED, SNP_E_REVOKED, ...)
 * when the evidence is rejected; else the first ERROR's (SNP_E_NOMEM, SNP_E_CRYPTO,
 * SNP_E_NOTFOUND for missing collateral): could not check. SNP_E_ARG for NULL arguments.
 */
snp_err snp_verify_report(struct snp_verifier *v, const uint8_t *report, size_t len,
                          const struct snp_collateral *c, const struct snp_verify_opts *o,
                          const struct snp_verify_policy *p, struct snp_verify_result *res);

/* ---- AMD's roots ------------------------------------------------------------------------------
 */

/* The SHA-256 fingerprint of AMD's ARK (role SNP_COLL_ARK), ASK or ASVK for a product line
 * (attestation.md §4.3); NULL for another role or an unknown product. 32 bytes. */
const uint8_t *snp_verify_pin(enum snp_product product, enum snp_collateral_role role);

#endif /* SNPKIT_VERIFY_H */
