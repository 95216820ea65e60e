/*
 * snpkit/verify_policy.h - what the relying party requires of a report beyond its signature:
 * expected values, trusted ID/author keys, minimum TCBs and versions, guest-policy and
 * platform bits (attestation.md §10, checklist items 12-24).
 * @module verify
 *
 * A policy is plain data: fill it with snp_verify_policy_default(), then from a JSON file
 * (snp_verify_policy_parse_json()) and/or from command-line style key/value pairs
 * (snp_verify_policy_set()). Keys are the same in both (docs/verify-policy.md). Checking adds
 * one named check per configured item to a struct snp_verify_result, plus the defaults that
 * always apply (debug forbidden, MIGRATE_MA forbidden, REPORTED_TCB <= CURRENT_TCB).
 */
#ifndef SNPKIT_VERIFY_POLICY_H
#define SNPKIT_VERIFY_POLICY_H

#include "snpkit/err.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"
#include "snpkit/verify.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_VP_MAX_DIGESTS 16 /* capacity of each key-digest allow-list */
#define SNP_VP_DIGEST_SIZE 48 /* SHA-384 of an ID or author public key (attestation.md §9.4) */

/*
 * An expected byte string. len == 0: not configured. prefix == false: len is the whole field
 * and the field must equal v; prefix == true: the first len bytes of the field must equal v.
 */
struct snp_vp_bytes {
    size_t len;
    bool prefix;
    uint8_t v[64];
};

/* Which of the report's four TCB_VERSION fields a minimum applies to. */
enum snp_vp_tcb_which {
    SNP_VP_TCB_REPORTED = 0,  /* 0x180 REPORTED_TCB: what the VCEK was derived for */
    SNP_VP_TCB_CURRENT = 1,   /* 0x038 CURRENT_TCB */
    SNP_VP_TCB_COMMITTED = 2, /* 0x1E0 COMMITTED_TCB */
    SNP_VP_TCB_LAUNCH = 3,    /* 0x1F0 LAUNCH_TCB */
    SNP_VP_TCB_COUNT = 4
};

/* A minimum TCB, by component name (decoded per product, attestation.md §2). */
struct snp_vp_tcb_min {
    bool set;
    uint8_t fmc; /* Turin only; a non-zero value is noted and ignored on Milan/Genoa */
    uint8_t boot_loader;
    uint8_t tee;
    uint8_t snp;
    uint8_t microcode;
};

/* An optional (major, minor) pair. */
struct snp_vp_version {
    bool set;
    uint8_t major;
    uint8_t minor;
};

struct snp_verify_policy {
    /* §10 item 22: expected values (constant-time compare). */
    struct snp_vp_bytes measurement;  /* 48 bytes, or a prefix */
    struct snp_vp_bytes host_data;    /* 32 bytes, or a prefix */
    struct snp_vp_bytes report_data;  /* 64 bytes, or a prefix (nonce binding) */
    struct snp_vp_bytes family_id;    /* 16 bytes, exact */
    struct snp_vp_bytes image_id;     /* 16 bytes, exact */
    struct snp_vp_bytes report_id;    /* 32 bytes, exact */
    struct snp_vp_bytes report_id_ma; /* 32 bytes, exact */
    struct snp_vp_bytes chip_id;      /* 64 bytes exact; or 8 (Turin hwID: bytes 8..63 zero) */

    /* §10 item 23: ID block trust. */
    size_t n_id_key_digests;
    uint8_t id_key_digests[SNP_VP_MAX_DIGESTS][SNP_VP_DIGEST_SIZE];
    size_t n_author_key_digests;
    uint8_t author_key_digests[SNP_VP_MAX_DIGESTS][SNP_VP_DIGEST_SIZE];
    bool require_author_key; /* AUTHOR_KEY_EN = 1 (and digest trusted, when a list is given) */

    /* §10 items 12-15, 18, 20: TCB and versions. */
    struct snp_vp_tcb_min min_tcb[SNP_VP_TCB_COUNT];
    bool has_min_guest_svn;
    uint32_t min_guest_svn;
    bool has_min_build;
    uint8_t min_build;                  /* CURRENT_BUILD >= */
    struct snp_vp_version min_firmware; /* (CURRENT_MAJOR, CURRENT_MINOR) >= */
    struct snp_vp_version min_abi;      /* POLICY (ABI_MAJOR, ABI_MINOR) >= */
    bool require_committed_current;     /* COMMITTED == CURRENT (TCB and firmware version) */
    bool allow_provisional_firmware;    /* with the above: COMMITTED <= CURRENT suffices */

    /* §10 items 16-17: guest POLICY bits. */
    bool allow_debug;        /* default false: DEBUG set is rejected */
    bool allow_migrate_ma;   /* default false: MIGRATE_MA set is rejected */
    bool allow_smt;          /* default true */
    bool allow_cxl;          /* default true */
    uint64_t require_policy; /* SNP_POLICY_* bits that must be set */

    /* §10 item 19: PLATFORM_INFO bits. */
    uint64_t require_platform; /* SNP_PLATFORM_* bits that must be set */
    uint64_t forbid_platform;  /* SNP_PLATFORM_* bits that must be clear */

    /* §10 item 21. */
    bool has_vmpl;
    uint32_t vmpl;

    /* §10 item 24 (report v5+): (vector & required) == required. */
    uint64_t require_launch_mit_vector;
    uint64_t require_current_mit_vector;
};

/*
 * snp_verify_policy_default() - the policy with nothing expected: debug and MIGRATE_MA
 * forbidden, SMT and CXL allowed, no minimums. Always overwrites all of *p.
 */
void snp_verify_policy_default(struct snp_verify_policy *p);

/*
 * snp_verify_policy_set() - apply one key in its text form, as given on the command line
 * (`--KEY VALUE`). Keys and value syntax: docs/verify-policy.md. Boolean keys take NULL
 * (meaning true) or true/false/yes/no/1/0/on/off. List keys (digests, bit names) add to the
 * list; min-tcb replaces the minimum of the TCB field it names. On failure *p is unchanged and
 * errbuf (if non-NULL) holds one line naming the key and the problem.
 * Returns SNP_OK; SNP_E_ARG (unknown key, a missing value, a bit both required and
 * forbidden); SNP_E_FORMAT (bad hex, number, name); SNP_E_RANGE (a number or length out of
 * range); SNP_E_SPACE (an allow-list is full).
 */
snp_err snp_verify_policy_set(struct snp_verify_policy *p, const char *key, const char *value,
                              char *errbuf, size_t errlen);

/*
 * snp_verify_policy_parse_json() - apply a JSON policy file: one object whose keys are the
 * command-line keys (and "comment", ignored). Applied on top of *p (so call
 * snp_verify_policy_default() first); on failure *p is unchanged.
 * @json: the text, len bytes, need not be NUL-terminated; not retained.
 * @errbuf: out, optional: one line (JSON line/column, or the key and the problem).
 * Returns SNP_OK; SNP_E_FORMAT (not JSON, not an object, unknown key, wrong type, bad hex);
 * SNP_E_RANGE; SNP_E_SPACE; SNP_E_NOMEM.
 */
snp_err snp_verify_policy_parse_json(struct snp_verify_policy *p, const char *json, size_t len,
                                     char *errbuf, size_t errlen);

/*
 * snp_verify_policy_check() - add one named check ("policy.*") per configured item of p, and
 * the defaults that apply, to res: PASS or FAIL with expected and actual in the detail.
 * @product: the layout of the report's TCB fields; with SNP_PRODUCT_UNKNOWN each TCB check is
 *           an ERROR (SNP_E_ARG: the product must be named), never a silent pass.
 * Only decoded fields are read (r->raw is not); signatures are not checked here.
 */
void snp_verify_policy_check(const struct snp_verify_policy *p, const struct snp_report *r,
                             enum snp_product product, struct snp_verify_result *res);

/* The keys, in documentation order, ending with a NULL name (for option tables and --help). */
struct snp_vp_key {
    const char *name; /* "expect-measurement" */
    bool takes_value; /* false: a switch (boolean; CLI may still say --KEY=false) */
    const char *arg;  /* "HEX", "N", ... for help text */
    const char *help; /* one line */
};
extern const struct snp_vp_key snp_verify_policy_keys[];

#endif /* SNPKIT_VERIFY_POLICY_H */
