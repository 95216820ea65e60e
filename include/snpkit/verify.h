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

#endif /* SNPKIT_VERIFY_H */
