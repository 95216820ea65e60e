/*
 * verify/verify_int.h - what the files of verify/ share: the collateral bag's insides, the
 * verifier's signature cache, and one verification's working state.
 */
#ifndef SNP_VERIFY_INT_H
#define SNP_VERIFY_INT_H

#include "snpkit/verify.h"

#include "base/compiler.h"
#include "crypto/x509.h"

#include <pthread.h>

struct coll_cert {
    struct snp_x509 *x;
    enum snp_collateral_role role;
};

struct snp_collateral {
    struct coll_cert *certs;
    size_t n, cap;
    struct snp_x509_crl **crls;
    size_t ncrl, crlcap;
};

/* enum snp_collateral_role of a certificate, from its subject CN (attestation.md §4.3). */
enum snp_collateral_role snp_coll_role_of(const struct snp_x509_info *in);

/* The signature cache: a set of (subject fingerprint, issuer fingerprint) pairs whose
 * signature verified. A pair's result is a pure function of the two DER encodings. */
#define VCACHE_KEY   (2 * SNP_X509_FP_SIZE)
#define VCACHE_ROOTS 8

struct vcache_root {
    uint8_t *bytes;
    size_t len;
    struct snp_x509 *ark; /* never freed before the verifier: other threads may hold it */
};

struct snp_verifier {
    pthread_mutex_t lock;
    uint8_t *slots; /* cap entries of VCACHE_KEY bytes; all-zero = empty */
    size_t cap, used;
    struct vcache_root roots[VCACHE_ROOTS];
    size_t nroots;
    unsigned long hits, misses; /* for tests and the benchmark */
};

bool snp_vcache_has(struct snp_verifier *v, const uint8_t subj[SNP_X509_FP_SIZE],
                    const uint8_t iss[SNP_X509_FP_SIZE]);
void snp_vcache_put(struct snp_verifier *v, const uint8_t subj[SNP_X509_FP_SIZE],
                    const uint8_t iss[SNP_X509_FP_SIZE]);

/* One verification's state. */
struct vctx {
    struct snp_verifier *v;
    const struct snp_collateral *c;
    const struct snp_verify_opts *o;
    struct snp_verify_result *res;
    struct snp_report r;
    int64_t now;
    enum snp_product product;
    const struct snp_x509 *ark, *mid, *leaf; /* mid: the ASK or ASVK */
    struct snp_x509 *ark_owned;              /* a --root parsed for this call only */
    bool leaf_is_vlek;
};

/* chain.c: the chain checks and CRL checks (attestation.md §4.5). */
void snp_vchain_select(struct vctx *x);
void snp_vchain_check(struct vctx *x);
void snp_vcrl_check(struct vctx *x);

/* leaf.c: the leaf's AMD extensions against the report (§4.4, §4.5 items 5-7). */
void snp_vleaf_check(struct vctx *x);
/* The 8-byte TCB_VERSION the leaf's SPL extensions describe, in product's layout (§2). */
uint64_t snp_vleaf_tcb(const struct snp_amd_ext *a, enum snp_product product);

/* A signature check through the cache: SNP_OK, or snp_x509_verify_by()'s error. */
snp_err snp_vsig_cert(struct snp_verifier *v, const struct snp_x509 *subj,
                      const struct snp_x509 *iss);

#endif /* SNP_VERIFY_INT_H */
