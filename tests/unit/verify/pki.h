/*
 * tests/unit/verify/pki.h - a synthetic AMD-shaped PKI for the verifier tests: test ARK/ASK/ASVK
 * (RSA-2048: 4096-bit keys take seconds each to generate), VCEKs/VLEKs with AMD extensions, CRLs,
 * and reports signed by the leaves. The verifier trusts these only through opts.root.
 */
#ifndef SNP_TESTS_VERIFY_PKI_H
#define SNP_TESTS_VERIFY_PKI_H

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "snpkit/report.h"
#include "snpkit/verify.h"

#include <stdint.h>

/* 2026-06-01T00:00:00Z: the tests' verification time. */
#define PKI_NOW INT64_C(1780272000)
#define PKI_DAY INT64_C(86400)

struct pki_blob {
    uint8_t *der;
    size_t len;
};

struct pki {
    struct snp_rsakey *ark_key, *ask_key, *asvk_key;
    struct pki_blob ark, ask, asvk;
    const char *line; /* "Genoa", ... */
};

/* A product line's test ARK, ASK and ASVK. */
void pki_init(struct pki *p, const char *line);
void pki_fini(struct pki *p);

struct leaf_opts {
    bool vlek;
    uint8_t chip[64]; /* hwID (64 bytes; 8 on Turin) */
    uint64_t tcb;     /* REPORTED_TCB the leaf is for (Milan/Genoa layout) */
    int64_t not_before, not_after;
    bool no_trailer;
};

/* A leaf certificate for key k, issued by p's ASK (or ASVK). */
struct pki_blob pki_leaf(const struct pki *p, const struct snp_eckey *k, const struct leaf_opts *o);

/* A CRL of p's ARK revoking the given serials. */
struct pki_blob pki_crl(const struct pki *p, int64_t this_update, int64_t next_update,
                        const uint64_t *serials, size_t n);

/* A v3 Genoa report for chip/tcb, signing key kind (0 VCEK / 1 VLEK), signed with k. */
void pki_report(uint8_t out[SNP_REPORT_SIZE], const struct snp_eckey *k, const uint8_t chip[64],
                uint64_t tcb, unsigned signing_key);

void pki_blob_free(struct pki_blob *b);

#endif /* SNP_TESTS_VERIFY_PKI_H */
