/*
 * verify/result.c - the list of named checks a verification produces.
 */
#include "snpkit/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
snp_verify_add(struct snp_verify_result *res, const char *name, enum snp_check_status st,
               snp_err err, const char *fmt, ...)
{
    struct snp_check *c;
    va_list ap;

    if (res->n >= SNP_VERIFY_MAX_CHECKS) {
        /* Never lose a failure silently: overwrite the last slot with an error saying so. */
        c = &res->checks[SNP_VERIFY_MAX_CHECKS - 1];
        snprintf(c->name, sizeof(c->name), "verify.too_many_checks");
        c->status = SNP_CHECK_ERROR;
        c->err = SNP_E_SPACE;
        snprintf(c->detail, sizeof(c->detail), "more than %d checks; later ones were dropped",
                 SNP_VERIFY_MAX_CHECKS);
        return;
    }
    c = &res->checks[res->n++];
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->status = st;
    c->err = err;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
}

snp_err
snp_verify_verdict(const struct snp_verify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == SNP_CHECK_FAIL) {
            return res->checks[i].err != SNP_OK ? res->checks[i].err : SNP_E_POLICY;
        }
    }
    for (size_t i = 0; i < res->n; i++) {
        if (res->checks[i].status == SNP_CHECK_ERROR) {
            return res->checks[i].err != SNP_OK ? res->checks[i].err : SNP_E_CRYPTO;
        }
    }
    return SNP_OK;
}

const struct snp_check *
snp_verify_find(const struct snp_verify_result *res, const char *name)
{
    for (size_t i = 0; i < res->n; i++) {
        if (strcmp(res->checks[i].name, name) == 0) {
            return &res->checks[i];
        }
    }
    return NULL;
}

const char *
snp_check_status_name(enum snp_check_status st)
{
    switch (st) {
    case SNP_CHECK_PASS:
        return "pass";
    case SNP_CHECK_FAIL:
        return "FAIL";
    case SNP_CHECK_SKIP:
        return "skip";
    case SNP_CHECK_WARN:
        return "warn";
    case SNP_CHECK_ERROR:
        return "ERROR";
    }
    return "?";
}
