/*
 * crypto/der_check.h - shape checks for what a key server returns: "is this a DER X.509
 * certificate", "is this a DER X.509 CRL, and when does it expire", "is this PEM made only of
 * certificates". No trust decision is made here (no signature, no chain, no names): these
 * checks only stop a 404 page, an HTML error or a cut-off body from being stored or passed on
 * as a certificate (user-needs.md item 8). Chain verification lives in verify/.
 */
#ifndef SNP_CRYPTO_DER_CHECK_H
#define SNP_CRYPTO_DER_CHECK_H

#include "base/compiler.h"
#include "snpkit/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Anything larger is refused before parsing: AMD certificates and CRLs are a few KiB. */
#define SNP_DER_CHECK_MAX (256u * 1024u)

/*
 * snp_der_check_cert() - buf is exactly one DER X.509 certificate.
 * Returns SNP_OK; SNP_E_TRUNCATED when the outer DER length runs past len (a cut-off body);
 * SNP_E_TRAILING when bytes follow the certificate; SNP_E_FORMAT when it is not a DER
 * SEQUENCE or not a certificate; SNP_E_RANGE when len is 0 or above SNP_DER_CHECK_MAX;
 * SNP_E_NOMEM when OpenSSL ran out of memory before it could tell.
 */
SNP_MUST_CHECK snp_err snp_der_check_cert(const uint8_t *buf, size_t len);

/* Times of a CRL, in UNIX seconds (UTC). has_next is false when nextUpdate is absent. */
struct snp_crl_times {
    int64_t this_update;
    int64_t next_update;
    bool has_next;
};

/*
 * snp_der_check_crl() - buf is exactly one DER X.509 CRL; its thisUpdate/nextUpdate go to *t
 * (optional, zeroed on failure). The CRL's signature is NOT checked.
 * Returns as snp_der_check_cert().
 */
SNP_MUST_CHECK snp_err snp_der_check_crl(const uint8_t *buf, size_t len, struct snp_crl_times *t);

/*
 * snp_pem_check_certs() - buf is PEM text consisting only of CERTIFICATE blocks (whitespace
 * between them allowed, CRLF line ends allowed, nothing else), each decoding to one DER
 * certificate. *count receives the number of blocks (at most 8 are looked at).
 * Returns SNP_OK; SNP_E_TRUNCATED when the last block has no END line; SNP_E_FORMAT for any
 * other text, another block type, or a block that is not a certificate; SNP_E_RANGE for an
 * empty or oversized input; SNP_E_NOMEM.
 */
SNP_MUST_CHECK snp_err snp_pem_check_certs(const uint8_t *buf, size_t len, size_t *count);

#endif /* SNP_CRYPTO_DER_CHECK_H */
