/*
 * snpkit/err.h - the one error enum of the library.
 *
 * Names, numbers and messages live in one list so they cannot drift apart. Never renumber a
 * released value. "The evidence is bad" (30..59) is kept apart from "we could not check it"
 * (60..89): SNP_E_SIG means a forgery, SNP_E_CRYPTO means the crypto library failed.
 */
#ifndef SNPKIT_ERR_H
#define SNPKIT_ERR_H

#define SNP_ERRORS(X)                                                                              \
    X(SNP_OK, 0, "success")                                                                        \
    /* input format: 1..29 */                                                                      \
    X(SNP_E_TRUNCATED, 1, "input is shorter than the structure")                                   \
    X(SNP_E_TRAILING, 2, "unexpected bytes after the structure")                                   \
    X(SNP_E_RESERVED, 3, "reserved field is not zero")                                             \
    X(SNP_E_VERSION, 4, "unsupported structure version")                                           \
    X(SNP_E_RANGE, 5, "field value out of range")                                                  \
    X(SNP_E_FORMAT, 6, "input is not in a recognised format")                                      \
    X(SNP_E_UNSUPPORTED, 7, "valid but not supported by this implementation")                      \
    /* evidence rejected: 30..59 */                                                                \
    X(SNP_E_SIG, 30, "signature does not verify")                                                  \
    X(SNP_E_CHAIN, 31, "certificate chain does not lead to a trusted root")                        \
    X(SNP_E_POLICY, 32, "report violates the required policy")                                     \
    X(SNP_E_TCB, 33, "TCB is below the required minimum")                                          \
    X(SNP_E_BINDING, 34, "report is not bound to this key or nonce")                               \
    X(SNP_E_REPLAY, 35, "message is replayed or out of sequence")                                  \
    X(SNP_E_REVOKED, 36, "certificate is revoked")                                                 \
    X(SNP_E_EXPIRED, 37, "certificate or CRL is outside its validity period")                      \
    X(SNP_E_MISMATCH, 38, "value does not match the expected value")                               \
    X(SNP_E_AUTH, 39, "authentication tag does not verify")                                        \
    /* environment: 60..89 */                                                                      \
    X(SNP_E_NOMEM, 60, "out of memory")                                                            \
    X(SNP_E_CRYPTO, 61, "cryptographic library failure")                                           \
    X(SNP_E_IO, 62, "I/O error")                                                                   \
    X(SNP_E_NETWORK, 63, "network or key server error")                                            \
    X(SNP_E_NOTFOUND, 64, "not found")                                                             \
    /* caller misuse: 90.. */                                                                      \
    X(SNP_E_ARG, 90, "invalid argument")                                                           \
    X(SNP_E_STATE, 91, "operation not valid in the current state")                                 \
    X(SNP_E_SPACE, 92, "output buffer is too small")

#define SNP_ERR_ENUM_(name, val, msg) name = val,
typedef enum { SNP_ERRORS(SNP_ERR_ENUM_) } snp_err;
#undef SNP_ERR_ENUM_

/* "SNP_E_TRUNCATED"; "SNP_E_UNKNOWN" for a value outside the list. Never NULL. */
const char *snp_err_name(snp_err e);
/* "input is shorter than the structure"; "unknown error" outside the list. Never NULL. */
const char *snp_err_str(snp_err e);

#endif /* SNPKIT_ERR_H */
