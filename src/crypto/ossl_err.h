/*
 * crypto/ossl_err.h - the one place where OpenSSL's error queue becomes an snp_err
 * (STYLE.md §5.1: keep "the evidence is bad" apart from "we could not check it").
 *
 * Internal to crypto/: nothing outside it sees OpenSSL's queue. When an OpenSSL call fails,
 * the call site knows what the failure means when the library had all it needed (SNP_E_FORMAT
 * for a parse, SNP_E_SIG for a signature). Only the queue can tell that the library ran out of
 * memory on the way, in which case the input was never judged and the answer is SNP_E_NOMEM.
 */
#ifndef SNP_CRYPTO_OSSL_ERR_H
#define SNP_CRYPTO_OSSL_ERR_H

#include "base/compiler.h"
#include "snpkit/err.h"

/*
 * snp_ossl_err() - the meaning of a failed OpenSSL call; empties the thread's error queue.
 * @otherwise: what the failure means when the library was not short of memory.
 * Returns SNP_E_NOMEM when any entry of the queue is a malloc failure (raised by any OpenSSL
 * library), else otherwise.
 */
SNP_MUST_CHECK snp_err snp_ossl_err(snp_err otherwise);

/*
 * snp_ossl_err_sig() - the meaning of a signature check that did not return 1; empties the
 * thread's error queue. Returns SNP_E_NOMEM when the queue holds a malloc failure; SNP_E_SIG when
 * the library judged the signature: it said nothing (ECDSA's plain "no"), or named what is wrong
 * with it (an RSA or EC reason of its own, unused bits in the signature BIT STRING); else
 * SNP_E_CRYPTO: the library failed without judging (a fetch, an init or a copy that failed, an
 * internal error).
 */
SNP_MUST_CHECK snp_err snp_ossl_err_sig(void);

#endif /* SNP_CRYPTO_OSSL_ERR_H */
