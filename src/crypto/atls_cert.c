/*
 * crypto/atls_cert.c - the TLS key, SHA-512 and the evidence-carrying self-signed certificate of
 * attested TLS (docs/atls.md §2, §3), over OpenSSL's EVP and X509 interfaces.
 *
 * Builds bytes only: what goes into the extension and what REPORT_DATA binds is decided by
 * atls/ (evidence.c). Private key bytes leave this file only through snp_tlskey_private_der(),
 * whose caller wipes them.
 */
#include "crypto/atls_cert.h"

#include "crypto/ossl_err.h"
#include "snpkit/util.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct snp_tlskey {
    EVP_PKEY *pkey;
};

snp_err
snp_sha512_parts(uint8_t out[SNP_SHA512_SIZE], const struct snp_iov *parts, size_t n)
{
    snp_err err = SNP_E_CRYPTO;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned got = 0;

    if (md == NULL) {
        return snp_ossl_err(SNP_E_NOMEM);
    }
    if (EVP_DigestInit_ex(md, EVP_sha512(), NULL) != 1) {
        err = snp_ossl_err(SNP_E_CRYPTO);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len > 0 && EVP_DigestUpdate(md, parts[i].p, parts[i].len) != 1) {
            err = snp_ossl_err(SNP_E_CRYPTO);
            goto out;
        }
    }
    if (EVP_DigestFinal_ex(md, out, &got) != 1 || got != SNP_SHA512_SIZE) {
        err = snp_ossl_err(SNP_E_CRYPTO);
        goto out;
    }
    err = SNP_OK;
out:
    EVP_MD_CTX_free(md);
    return err;
}

snp_err
snp_tlskey_generate(struct snp_tlskey **out)
{
    struct snp_tlskey *k;

    *out = NULL;
    k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return SNP_E_NOMEM;
    }
    k->pkey = EVP_EC_gen("P-256");
    if (k->pkey == NULL) {
        free(k);
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    *out = k;
    return SNP_OK;
}

void
snp_tlskey_free(struct snp_tlskey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey); /* OpenSSL clears the private scalar when freeing it */
    free(k);
}

/* i2d into a malloc'd buffer (OpenSSL's allocation is moved into ours so callers use free()). */
static snp_err
i2d_copy(unsigned char *tmp, int n, uint8_t **der, size_t *len, bool secret)
{
    if (n <= 0 || tmp == NULL) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    *der = malloc((size_t)n);
    if (*der == NULL) {
        if (secret) {
            OPENSSL_clear_free(tmp, (size_t)n);
        } else {
            OPENSSL_free(tmp);
        }
        return SNP_E_NOMEM;
    }
    memcpy(*der, tmp, (size_t)n);
    *len = (size_t)n;
    if (secret) {
        OPENSSL_clear_free(tmp, (size_t)n);
    } else {
        OPENSSL_free(tmp);
    }
    return SNP_OK;
}

snp_err
snp_tlskey_spki(const struct snp_tlskey *k, uint8_t **der, size_t *len)
{
    unsigned char *tmp = NULL;
    int n;

    *der = NULL;
    *len = 0;
    n = i2d_PUBKEY(k->pkey, &tmp);
    return i2d_copy(tmp, n, der, len, false);
}

snp_err
snp_tlskey_private_der(const struct snp_tlskey *k, uint8_t **der, size_t *len)
{
    unsigned char *tmp = NULL;
    int n;

    *der = NULL;
    *len = 0;
    n = i2d_PrivateKey(k->pkey, &tmp);
    return i2d_copy(tmp, n, der, len, true);
}

/* A random positive 127-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
static snp_err
set_serial(X509 *x)
{
    unsigned char b[16];
    BIGNUM *bn = NULL;
    snp_err err = SNP_E_CRYPTO;

    if (RAND_bytes(b, sizeof(b)) != 1) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    b[0] = (unsigned char)((b[0] & 0x7F) | 0x01);
    bn = BN_bin2bn(b, sizeof(b), NULL);
    if (bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL) {
        err = SNP_OK;
    } else {
        err = snp_ossl_err(SNP_E_CRYPTO);
    }
    BN_free(bn);
    return err;
}

static snp_err
set_name_validity(X509 *x, const char *cn, time_t not_before, long lifetime)
{
    X509_NAME *name = X509_get_subject_name(x);

    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(x, name) != 1) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    if (ASN1_TIME_set(X509_getm_notBefore(x), not_before) == NULL ||
        ASN1_TIME_adj(X509_getm_notAfter(x), not_before, 0, lifetime) == NULL) {
        return snp_ossl_err(SNP_E_CRYPTO);
    }
    return SNP_OK;
}

static snp_err
add_extensions(X509 *x, const char *oid, const uint8_t *ext, size_t ext_len)
{
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    ASN1_OBJECT *obj = NULL;
    ASN1_OCTET_STRING *os = NULL;
    X509_EXTENSION *e = NULL;
    snp_err err = SNP_E_CRYPTO;

    if (bc == NULL || X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0) != 1) {
        err = snp_ossl_err(SNP_E_NOMEM);
        goto out;
    }
    if (ext_len == 0) {
        err = SNP_OK;
        goto out;
    }
    if (ext_len > INT_MAX) {
        err = SNP_E_RANGE;
        goto out;
    }
    obj = OBJ_txt2obj(oid, 1);
    if (obj == NULL) {
        err = snp_ossl_err(SNP_E_ARG);
        goto out;
    }
    os = ASN1_OCTET_STRING_new();
    if (os == NULL || ASN1_OCTET_STRING_set(os, ext, (int)ext_len) != 1) {
        err = snp_ossl_err(SNP_E_NOMEM);
        goto out;
    }
    /* Non-critical: tools that do not know the OID still accept the certificate (RA-TLS). */
    e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    if (e == NULL || X509_add_ext(x, e, -1) != 1) {
        err = snp_ossl_err(SNP_E_CRYPTO);
        goto out;
    }
    err = SNP_OK;
out:
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    BASIC_CONSTRAINTS_free(bc);
    return err;
}

snp_err
snp_tls_cert_build(const struct snp_tlskey *k, const char *cn, const char *oid, const uint8_t *ext,
                   size_t ext_len, time_t not_before, long lifetime, uint8_t **der, size_t *der_len)
{
    X509 *x = NULL;
    unsigned char *tmp = NULL;
    snp_err err = SNP_E_ARG;
    int n;

    *der = NULL;
    *der_len = 0;
    if (k == NULL || cn == NULL || (ext_len > 0 && (ext == NULL || oid == NULL))) {
        goto out;
    }
    x = X509_new();
    if (x == NULL || X509_set_version(x, 2) != 1) {
        err = snp_ossl_err(SNP_E_NOMEM);
        goto out;
    }
    err = set_serial(x);
    if (err != SNP_OK) {
        goto out;
    }
    err = set_name_validity(x, cn, not_before, lifetime);
    if (err != SNP_OK) {
        goto out;
    }
    if (X509_set_pubkey(x, k->pkey) != 1) {
        err = snp_ossl_err(SNP_E_CRYPTO);
        goto out;
    }
    err = add_extensions(x, oid, ext, ext_len);
    if (err != SNP_OK) {
        goto out;
    }
    if (X509_sign(x, k->pkey, EVP_sha256()) <= 0) {
        err = snp_ossl_err(SNP_E_CRYPTO);
        goto out;
    }
    n = i2d_X509(x, &tmp);
    err = i2d_copy(tmp, n, der, der_len, false);
out:
    X509_free(x);
    return err;
}
