/*
 * crypto/ossl_err.c - OpenSSL's error queue to snp_err, in one place (see ossl_err.h).
 */
#include "crypto/ossl_err.h"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <stdbool.h>

static bool
is_nomem(unsigned long e)
{
    /* System errors carry errno where other entries carry a reason. */
    return !ERR_SYSTEM_ERROR(e) && ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE;
}

/* An entry that judges the signature: a library's own reason about the data, not a common
 * "the call below failed" (ERR_R_*_LIB) nor a fatal one (ERR_R_INTERNAL_ERROR, ...). */
static bool
is_verdict(unsigned long e)
{
    int lib = ERR_GET_LIB(e);

    if (ERR_SYSTEM_ERROR(e) || ERR_GET_RFLAGS(e) != 0) {
        return false;
    }
    if (lib == ERR_LIB_RSA || lib == ERR_LIB_EC) {
        return true;
    }
    return lib == ERR_LIB_ASN1 && ERR_GET_REASON(e) == ASN1_R_INVALID_BIT_STRING_BITS_LEFT;
}

snp_err
snp_ossl_err(snp_err otherwise)
{
    unsigned long e;
    bool nomem = false;

    /* Every entry, not just the newest: a malloc failure deep in a decoder sits under the
     * "nested asn1 error" entries each enclosing level adds on its way out. */
    while ((e = ERR_get_error()) != 0) {
        nomem = nomem || is_nomem(e);
    }
    return nomem ? SNP_E_NOMEM : otherwise;
}

snp_err
snp_ossl_err_sig(void)
{
    unsigned long e;
    bool nomem = false, any = false, verdict = false;

    while ((e = ERR_get_error()) != 0) {
        any = true;
        nomem = nomem || is_nomem(e);
        verdict = verdict || is_verdict(e);
    }
    if (nomem) {
        return SNP_E_NOMEM;
    }
    return !any || verdict ? SNP_E_SIG : SNP_E_CRYPTO;
}
