/*
 * verify/collateral.c - the bag of certificates and CRLs a verification may draw from.
 *
 * Accepts PEM or DER, single objects or bundles (snp_x509_load), and certificate tables
 * (attestation.md §6). Classifies certificates by subject CN, never by where they came from: a
 * certificate table's GUID is the host's claim, the CN is AMD's signed statement. Trusts nothing:
 * trust is decided by the verifier (pins, signatures).
 */
#include "verify/verify_int.h"

#include "snpkit/certtable.h"

#include <stdlib.h>
#include <string.h>

/* Objects parsed from one buffer, added to the bag only when the whole buffer parsed. */
struct pending {
    struct snp_x509 *certs[64];
    size_t n;
    struct snp_x509_crl *crls[16];
    size_t ncrl;
};

static snp_err
pending_sink(void *ctx, struct snp_x509 *cert, struct snp_x509_crl *crl)
{
    struct pending *p = ctx;

    if (cert != NULL) {
        if (p->n == SNP_ARRAY_LEN(p->certs)) {
            snp_x509_free(cert);
            return SNP_E_SPACE;
        }
        p->certs[p->n++] = cert;
    }
    if (crl != NULL) {
        if (p->ncrl == SNP_ARRAY_LEN(p->crls)) {
            snp_x509_crl_free(crl);
            return SNP_E_SPACE;
        }
        p->crls[p->ncrl++] = crl;
    }
    return SNP_OK;
}

static void
pending_free(struct pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        snp_x509_free(p->certs[i]);
    }
    for (size_t i = 0; i < p->ncrl; i++) {
        snp_x509_crl_free(p->crls[i]);
    }
    p->n = p->ncrl = 0;
}

snp_err
snp_collateral_new(struct snp_collateral **out)
{
    *out = calloc(1, sizeof(**out));
    return *out == NULL ? SNP_E_NOMEM : SNP_OK;
}

void
snp_collateral_free(struct snp_collateral *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        snp_x509_free(c->certs[i].x);
    }
    for (size_t i = 0; i < c->ncrl; i++) {
        snp_x509_crl_free(c->crls[i]);
    }
    free(c->certs);
    free(c->crls);
    free(c);
}

static bool
has_cert(const struct snp_collateral *c, const struct snp_x509 *x)
{
    for (size_t i = 0; i < c->n; i++) {
        if (memcmp(snp_x509_info(c->certs[i].x)->fp, snp_x509_info(x)->fp, SNP_X509_FP_SIZE) == 0) {
            return true;
        }
    }
    return false;
}

static bool
has_crl(const struct snp_collateral *c, const struct snp_x509_crl *x)
{
    for (size_t i = 0; i < c->ncrl; i++) {
        if (memcmp(snp_x509_crl_info(c->crls[i])->fp, snp_x509_crl_info(x)->fp, SNP_X509_FP_SIZE) ==
            0) {
            return true;
        }
    }
    return false;
}

/* Make room for the pending objects first, so that adding them cannot fail half-way. */
static snp_err
reserve(struct snp_collateral *c, const struct pending *p)
{
    if (c->cap - c->n < p->n) {
        size_t ncap = c->cap * 2 + p->n + 8;
        struct coll_cert *nc = realloc(c->certs, ncap * sizeof(*nc));
        if (nc == NULL) {
            return SNP_E_NOMEM;
        }
        c->certs = nc;
        c->cap = ncap;
    }
    if (c->crlcap - c->ncrl < p->ncrl) {
        size_t ncap = c->crlcap * 2 + p->ncrl + 4;
        struct snp_x509_crl **nc = realloc(c->crls, ncap * sizeof(*nc));
        if (nc == NULL) {
            return SNP_E_NOMEM;
        }
        c->crls = nc;
        c->crlcap = ncap;
    }
    return SNP_OK;
}

snp_err
snp_collateral_add(struct snp_collateral *c, const uint8_t *buf, size_t len)
{
    struct pending p;
    snp_err err;

    if (c == NULL || buf == NULL) {
        return SNP_E_ARG;
    }
    memset(&p, 0, sizeof(p));
    err = snp_x509_load(buf, len, pending_sink, &p);
    if (err == SNP_OK) {
        err = reserve(c, &p);
    }
    if (err != SNP_OK) {
        goto out;
    }
    for (size_t i = 0; i < p.n; i++) {
        if (has_cert(c, p.certs[i])) {
            continue; /* freed below */
        }
        c->certs[c->n].x = p.certs[i];
        c->certs[c->n].role = snp_coll_role_of(snp_x509_info(p.certs[i]));
        c->n++;
        p.certs[i] = NULL; /* transferred */
    }
    for (size_t i = 0; i < p.ncrl; i++) {
        if (!has_crl(c, p.crls[i])) {
            c->crls[c->ncrl++] = p.crls[i];
            p.crls[i] = NULL; /* transferred */
        }
    }
out:
    pending_free(&p); /* NULL entries are no-ops */
    return err;
}

snp_err
snp_collateral_add_cert_table(struct snp_collateral *c, const uint8_t *buf, size_t len)
{
    struct snp_cert_entry e[32];
    size_t n = 0;
    snp_err err;

    if (c == NULL || (buf == NULL && len != 0)) {
        return SNP_E_ARG;
    }
    err = snp_cert_table_decode(e, SNP_ARRAY_LEN(e), &n, buf, len, NULL);
    if (err != SNP_OK) {
        return err;
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == SNP_CERT_UNKNOWN || e[i].length == 0) {
            continue;
        }
        err = snp_collateral_add(c, buf + e[i].offset, e[i].length);
        if (err != SNP_OK) {
            return err;
        }
    }
    return SNP_OK;
}

size_t
snp_collateral_count(const struct snp_collateral *c, enum snp_collateral_role role)
{
    size_t k = 0;

    if (c == NULL) {
        return 0;
    }
    if (role == SNP_COLL_CRL) {
        return c->ncrl;
    }
    for (size_t i = 0; i < c->n; i++) {
        k += c->certs[i].role == role;
    }
    return k;
}
