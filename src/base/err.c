/*
 * base/err.c - names and messages of the error enum (include/snpkit/err.h).
 */
#include "snpkit/err.h"

#include <stddef.h>

struct err_row {
    snp_err e;
    const char *name;
    const char *msg;
};

#define SNP_ERR_ROW_(name, val, msg) {name, #name, msg},
static const struct err_row err_rows[] = {SNP_ERRORS(SNP_ERR_ROW_)};
#undef SNP_ERR_ROW_

static const struct err_row *
err_find(snp_err e)
{
    for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
        if (err_rows[i].e == e) {
            return &err_rows[i];
        }
    }
    return NULL;
}

const char *
snp_err_name(snp_err e)
{
    const struct err_row *r = err_find(e);
    return r != NULL ? r->name : "SNP_E_UNKNOWN";
}

const char *
snp_err_str(snp_err e)
{
    const struct err_row *r = err_find(e);
    return r != NULL ? r->msg : "unknown error";
}
