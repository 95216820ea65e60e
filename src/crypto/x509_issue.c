/*
 * crypto/x509_issue.c - make certificates and CRLs in AMD's exact shape (attestation.md §4.3,
 * §4.4): the simulated vendor's ARK/ASK/VCEK, test PKIs and benchmark collateral.
 *
 * Relies on OpenSSL to build and sign. OpenSSL writes RSASSA-PSS parameters without the
 * trailerField (the DER default), which is the 67-byte encoding; AMD's ARK/ASK and Milan/Genoa
 * VCEKs carry it explicitly (72 bytes), so for that form the TBS is re-encoded with the explicit
 * AlgorithmIdentifier and signed again here. Must never hold a production key: the keys it is
 * given are test or simulator keys.
 */
#include "crypto/x509.h"

#include "snpkit/util.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct snp_rsakey {
    EVP_PKEY *pkey;
};

/* The explicit-trailer AlgorithmIdentifier (§4.2), as in x509.c. */
static const uint8_t pss_amd[] = {
    0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39,
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
static const uint8_t pss_amd_notrl_head[] = {0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                             0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
#define PSS_NOTRL_LEN 67

snp_err
snp_rsakey_generate(struct snp_rsakey **out, unsigned bits)
{
    struct snp_rsakey *k;

    *out = NULL;
    if (bits < 2048 || bits > 8192) {
        return SNP_E_ARG;
    }
    k = OPENSSL_zalloc(sizeof(*k));
    if (k == NULL) {
        return SNP_E_NOMEM;
    }
    k->pkey = EVP_RSA_gen(bits);
    if (k->pkey == NULL) {
        OPENSSL_free(k);
        return SNP_E_CRYPTO;
    }
    *out = k;
    return SNP_OK;
}

snp_err
snp_rsakey_to_pem(const struct snp_rsakey *k, char **pem, size_t *pem_len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;

    *pem = NULL;
    *pem_len = 0;
    if (bio == NULL) {
        return SNP_E_NOMEM;
    }
    if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
        (n = BIO_get_mem_data(bio, &data)) <= 0) {
        BIO_free(bio);
        return SNP_E_CRYPTO;
    }
    *pem = malloc((size_t)n + 1);
    if (*pem != NULL) {
        memcpy(*pem, data, (size_t)n);
        (*pem)[n] = '\0';
        *pem_len = (size_t)n;
    }
    /* The memory BIO held the private key too: clear it before freeing. */
    OPENSSL_cleanse(data, (size_t)n);
    BIO_free(bio);
    return *pem != NULL ? SNP_OK : SNP_E_NOMEM;
}

snp_err
snp_rsakey_from_pem(struct snp_rsakey **out, const uint8_t *pem, size_t len)
{
    BIO *bio;
    EVP_PKEY *pkey;
    struct snp_rsakey *k;

    *out = NULL;
    if (pem == NULL || len == 0 || len > INT32_MAX) {
        return SNP_E_ARG;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        return SNP_E_NOMEM;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL) {
        return SNP_E_FORMAT;
    }
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pkey) < 2048) {
        EVP_PKEY_free(pkey);
        return SNP_E_UNSUPPORTED;
    }
    k = OPENSSL_zalloc(sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return SNP_E_NOMEM;
    }
    k->pkey = pkey;
    *out = k;
    return SNP_OK;
}

void
snp_rsakey_free(struct snp_rsakey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k);
}

/* §4.3: OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=<cn>;
 * C is a PrintableString, the others UTF8String. dn (optional) replaces the five fixed values
 * but keeps their order and string types: the simulated vendor names itself, never AMD. */
static X509_NAME *
amd_name(const struct snp_x509_dn *dn, const char *cn)
{
    struct {
        const char *field;
        int type;
        const char *value;
    } rdn[] = {
        {"OU", MBSTRING_UTF8, "Engineering"},
        {"C", V_ASN1_PRINTABLESTRING, "US"},
        {"L", MBSTRING_UTF8, "Santa Clara"},
        {"ST", MBSTRING_UTF8, "CA"},
        {"O", MBSTRING_UTF8, "Advanced Micro Devices"},
    };
    X509_NAME *n = X509_NAME_new();

    if (n == NULL) {
        return NULL;
    }
    if (dn != NULL) {
        const char *v[5] = {dn->ou, dn->c, dn->l, dn->st, dn->o};
        for (size_t i = 0; i < 5; i++) {
            if (v[i] != NULL) {
                rdn[i].value = v[i];
            }
        }
    }
    for (size_t i = 0; i < sizeof(rdn) / sizeof(rdn[0]); i++) {
        if (X509_NAME_add_entry_by_txt(n, rdn[i].field, rdn[i].type,
                                       (const unsigned char *)rdn[i].value, -1, -1, 0) != 1) {
            X509_NAME_free(n);
            return NULL;
        }
    }
    if (X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) !=
        1) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

/* A signing context with AMD's PSS parameters (§4.2). */
static EVP_MD_CTX *
pss_ctx(const struct snp_rsakey *k)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    if (md == NULL) {
        return NULL;
    }
    if (EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, k->pkey) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    return md;
}

static bool
add_std_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;
    bool ok;

    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static bool
add_raw_ext(X509 *x, const char *oid, const uint8_t *v, size_t n)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    bool ok = false;

    if (obj != NULL && os != NULL && ASN1_OCTET_STRING_set(os, v, (int)n) == 1) {
        e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
        ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    }
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok;
}

static bool
add_amd_int(X509 *x, const char *oid, uint32_t v)
{
    uint8_t der[7];
    size_t n = 0;
    uint8_t be[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    size_t k = 0;

    /* Minimal DER INTEGER: drop leading zeros but keep one if the next byte has bit 7 set. */
    while (k < 4 && be[k] == 0 && (be[k + 1] & 0x80) == 0) {
        k++;
    }
    der[n++] = 0x02;
    der[n++] = (uint8_t)(5 - k);
    memcpy(der + n, be + k, 5 - k);
    n += 5 - k;
    return add_raw_ext(x, oid, der, n);
}

static bool
add_amd_ia5(X509 *x, const char *oid, const char *s)
{
    uint8_t der[2 + SNP_AMD_CSP_ID_MAX];
    size_t n = strlen(s);

    if (n >= SNP_AMD_CSP_ID_MAX) {
        return false;
    }
    der[0] = 0x16;
    der[1] = (uint8_t)n;
    memcpy(der + 2, s, n);
    return add_raw_ext(x, oid, der, n + 2);
}

static bool
add_amd_exts(X509 *x, const struct snp_amd_ext *a, const uint8_t *order, size_t n_order)
{
    static const uint8_t by_index[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    char oid[40];
    uint8_t wrapped[2 + SNP_AMD_HWID_MAX];
    bool ok = true;

    if (a->has_struct_version) {
        ok = ok && add_amd_int(x, "1.3.6.1.4.1.3704.1.1", a->struct_version);
    }
    if (a->has_product_name) {
        ok = ok && add_amd_ia5(x, "1.3.6.1.4.1.3704.1.2", a->product_name);
    }
    if (order == NULL) {
        order = by_index;
        n_order = sizeof(by_index);
    }
    for (size_t k = 0; k < n_order; k++) {
        unsigned i = order[k];
        if (i > 0 && i < SNP_AMD_SPL_COUNT && a->has_spl[i]) {
            snprintf(oid, sizeof(oid), "1.3.6.1.4.1.3704.1.3.%u", i);
            ok = ok && add_amd_int(x, oid, a->spl[i]);
        }
    }
    if (a->has_hwid && a->hwid_len <= SNP_AMD_HWID_MAX) {
        if (a->hwid_wrapped) {
            wrapped[0] = 0x04;
            wrapped[1] = (uint8_t)a->hwid_len;
            memcpy(wrapped + 2, a->hwid, a->hwid_len);
            ok = ok && add_raw_ext(x, "1.3.6.1.4.1.3704.1.4", wrapped, a->hwid_len + 2);
        } else {
            ok = ok && add_raw_ext(x, "1.3.6.1.4.1.3704.1.4", a->hwid, a->hwid_len);
        }
    }
    if (a->has_csp_id) {
        ok = ok && add_amd_ia5(x, "1.3.6.1.4.1.3704.1.5", a->csp_id);
    }
    return ok;
}

static bool
set_time(ASN1_TIME *t, int64_t when)
{
    return ASN1_TIME_adj(t, 0, (int)(when / 86400), (long)(when % 86400)) != NULL;
}

/* authorityKeyIdentifier = the issuer's subjectKeyIdentifier: SHA-1 of its public key bits
 * (RFC 5280 §4.2.1.2 method 1, which is what "hash" computes for the SKI). */
static bool
add_aki(X509 *x, const struct snp_rsakey *issuer)
{
    X509_PUBKEY *xp = NULL;
    const unsigned char *pk = NULL;
    int pklen = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    bool ok = false;

    if (akid != NULL && X509_PUBKEY_set(&xp, issuer->pkey) == 1 &&
        X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xp) == 1 &&
        EVP_Digest(pk, (size_t)pklen, md, &mdlen, EVP_sha1(), NULL) == 1 &&
        (akid->keyid = ASN1_OCTET_STRING_new()) != NULL &&
        ASN1_OCTET_STRING_set(akid->keyid, md, (int)mdlen) == 1) {
        ok = X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) == 1;
    }
    AUTHORITY_KEYID_free(akid);
    X509_PUBKEY_free(xp);
    return ok;
}

static bool
add_crl_dp(X509 *x, const char *url)
{
    char v[256];
    int n;

    if (url == NULL) {
        return true;
    }
    n = snprintf(v, sizeof(v), "URI:%s", url);
    return n > 0 && (size_t)n < sizeof(v) && add_std_ext(x, NID_crl_distribution_points, v);
}

static bool
add_role_exts(X509 *x, const struct snp_x509_spec *spec, const struct snp_rsakey *issuer)
{
    switch (spec->role) {
    case SNP_X509_ROLE_ARK:
        return add_std_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
               add_std_ext(x, NID_basic_constraints, "critical,CA:TRUE") &&
               add_std_ext(x, NID_subject_key_identifier, "hash") && add_crl_dp(x, spec->crl_dp);
    case SNP_X509_ROLE_ASK:
        /* §4.3: the ASK/ASVK carry AKI = the ARK's SKI and the line's CRL DP. */
        return add_std_ext(x, NID_key_usage, "critical,keyCertSign") &&
               add_std_ext(x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
               add_std_ext(x, NID_subject_key_identifier, "hash") && add_aki(x, issuer) &&
               add_crl_dp(x, spec->crl_dp);
    case SNP_X509_ROLE_LEAF:
        return spec->amd == NULL || add_amd_exts(x, spec->amd, spec->spl_order, spec->n_spl_order);
    }
    return false;
}

/* DER length octets of n into out (up to 5 bytes); returns their count. */
static size_t
der_len(uint8_t *out, size_t n)
{
    if (n < 0x80) {
        out[0] = (uint8_t)n;
        return 1;
    }
    size_t k = 0;
    for (size_t t = n; t != 0; t >>= 8) {
        k++;
    }
    out[0] = (uint8_t)(0x80 | k);
    for (size_t i = 0; i < k; i++) {
        out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    }
    return 1 + k;
}

/* Header length of the DER element at p (definite form); 0 on nonsense. */
static size_t
der_hdr(const uint8_t *p, size_t len, size_t *content)
{
    size_t k, l = 0;

    if (len < 2) {
        return 0;
    }
    if ((p[1] & 0x80) == 0) {
        *content = p[1];
        return 2;
    }
    k = p[1] & 0x7fu;
    if (k == 0 || k > 4 || len < 2 + k) {
        return 0;
    }
    for (size_t i = 0; i < k; i++) {
        l = (l << 8) | p[2 + i];
    }
    *content = l;
    return 2 + k;
}

/*
 * Re-encode an OpenSSL-made certificate with the explicit-trailer algorithm in the TBS and the
 * outer field, and sign the new TBS. der is replaced.
 */
static snp_err
explicit_trailer(uint8_t **der, size_t *der_len_io, const struct snp_rsakey *issuer)
{
    uint8_t *in = *der, *tbs = NULL, *out = NULL, *sig = NULL;
    size_t len = *der_len_io, c, h, th, tc, tl, pos, tbs_len, slen = 0, n;
    uint8_t lb[6];
    EVP_MD_CTX *md = NULL;
    snp_err err = SNP_E_CRYPTO;

    h = der_hdr(in, len, &c);
    th = h == 0 ? 0 : der_hdr(in + h, len - h, &tc);
    if (th == 0) {
        goto out;
    }
    tl = th + tc;
    /* Find the 67-byte algorithm inside the TBS (after version and serial). */
    for (pos = h + th; pos + PSS_NOTRL_LEN <= h + tl; pos++) {
        if (memcmp(in + pos, pss_amd_notrl_head, sizeof(pss_amd_notrl_head)) == 0) {
            break;
        }
    }
    if (pos + PSS_NOTRL_LEN > h + tl) {
        goto out;
    }
    tc += sizeof(pss_amd) - PSS_NOTRL_LEN;
    tbs = malloc(tc + 8);
    if (tbs == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    tbs[0] = 0x30;
    n = 1 + der_len(tbs + 1, tc);
    memcpy(tbs + n, in + h + th, pos - (h + th));
    n += pos - (h + th);
    memcpy(tbs + n, pss_amd, sizeof(pss_amd));
    n += sizeof(pss_amd);
    memcpy(tbs + n, in + pos + PSS_NOTRL_LEN, h + tl - (pos + PSS_NOTRL_LEN));
    n += h + tl - (pos + PSS_NOTRL_LEN);
    tbs_len = n;

    md = pss_ctx(issuer);
    if (md == NULL || EVP_DigestSign(md, NULL, &slen, tbs, tbs_len) != 1) {
        goto out;
    }
    sig = malloc(slen);
    if (sig == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    if (EVP_DigestSign(md, sig, &slen, tbs, tbs_len) != 1) {
        goto out;
    }
    /* SEQUENCE { tbs, algid, BIT STRING { 0 unused bits, sig } } */
    size_t bl = der_len(lb, slen + 1);
    size_t body = tbs_len + sizeof(pss_amd) + 1 + bl + 1 + slen;
    out = malloc(body + 8);
    if (out == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    out[0] = 0x30;
    n = 1 + der_len(out + 1, body);
    memcpy(out + n, tbs, tbs_len);
    n += tbs_len;
    memcpy(out + n, pss_amd, sizeof(pss_amd));
    n += sizeof(pss_amd);
    out[n++] = 0x03;
    memcpy(out + n, lb, bl);
    n += bl;
    out[n++] = 0x00;
    memcpy(out + n, sig, slen);
    n += slen;
    free(*der);
    *der = out;
    *der_len_io = n;
    out = NULL; /* transferred */
    err = SNP_OK;
out:
    EVP_MD_CTX_free(md);
    free(tbs);
    free(sig);
    free(out);
    return err;
}

/* i2d into a malloc'd buffer (OpenSSL's own allocator is not free()-compatible in general). */
static snp_err
to_der(uint8_t **der, size_t *len, int n, unsigned char *ossl)
{
    if (n <= 0 || ossl == NULL) {
        return SNP_E_CRYPTO;
    }
    *der = malloc((size_t)n);
    if (*der == NULL) {
        OPENSSL_free(ossl);
        return SNP_E_NOMEM;
    }
    memcpy(*der, ossl, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(ossl);
    return SNP_OK;
}

snp_err
snp_x509_issue(uint8_t **der, size_t *der_len_out, const struct snp_x509_spec *spec,
               const struct snp_rsakey *subject_rsa, const struct snp_eckey *subject_ec,
               const struct snp_rsakey *issuer_key)
{
    X509 *x = NULL;
    X509_NAME *subj = NULL, *iss = NULL;
    EVP_PKEY *pub = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *ossl = NULL;
    char *pem = NULL;
    size_t pem_len = 0;
    snp_err err = SNP_E_CRYPTO;
    int n;

    *der = NULL;
    *der_len_out = 0;
    if (spec == NULL || issuer_key == NULL || spec->subject_cn == NULL || spec->issuer_cn == NULL ||
        (spec->role == SNP_X509_ROLE_LEAF ? subject_ec == NULL : subject_rsa == NULL)) {
        return SNP_E_ARG;
    }
    if (spec->role == SNP_X509_ROLE_LEAF) {
        /* The public half, through its PEM: the EC key type is private to ecdsa.c. */
        BIO *b;
        err = snp_eckey_to_pem(subject_ec, false, &pem, &pem_len);
        if (err != SNP_OK) {
            goto out;
        }
        err = SNP_E_CRYPTO;
        b = BIO_new_mem_buf(pem, (int)pem_len);
        pub = b == NULL ? NULL : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
        BIO_free(b);
    } else {
        pub = subject_rsa->pkey;
        EVP_PKEY_up_ref(pub);
    }
    x = X509_new();
    subj = amd_name(spec->dn, spec->subject_cn);
    iss = amd_name(spec->dn, spec->issuer_cn);
    md = pss_ctx(issuer_key);
    if (pub == NULL || x == NULL || subj == NULL || iss == NULL || md == NULL ||
        X509_set_version(x, 2) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), spec->serial) != 1 ||
        X509_set_subject_name(x, subj) != 1 || X509_set_issuer_name(x, iss) != 1 ||
        !set_time(X509_getm_notBefore(x), spec->not_before) ||
        !set_time(X509_getm_notAfter(x), spec->not_after) || X509_set_pubkey(x, pub) != 1 ||
        !add_role_exts(x, spec, issuer_key) || X509_sign_ctx(x, md) <= 0) {
        goto out;
    }
    n = i2d_X509(x, &ossl);
    err = to_der(der, der_len_out, n, ossl);
    if (err == SNP_OK && !spec->pss_no_trailer) {
        err = explicit_trailer(der, der_len_out, issuer_key);
    }
    if (err != SNP_OK) {
        free(*der);
        *der = NULL;
        *der_len_out = 0;
    }
out:
    free(pem);
    EVP_MD_CTX_free(md);
    X509_NAME_free(subj);
    X509_NAME_free(iss);
    EVP_PKEY_free(pub);
    X509_free(x);
    ERR_clear_error();
    return err;
}

snp_err
snp_x509_issue_crl(uint8_t **der, size_t *der_len_out, const char *issuer_cn, int64_t this_update,
                   int64_t next_update, const uint64_t *revoked, size_t n_revoked,
                   const struct snp_rsakey *issuer_key)
{
    return snp_x509_issue_crl_dn(der, der_len_out, NULL, issuer_cn, this_update, next_update,
                                 revoked, n_revoked, issuer_key);
}

snp_err
snp_x509_issue_crl_dn(uint8_t **der, size_t *der_len_out, const struct snp_x509_dn *dn,
                      const char *issuer_cn, int64_t this_update, int64_t next_update,
                      const uint64_t *revoked, size_t n_revoked,
                      const struct snp_rsakey *issuer_key)
{
    X509_CRL *crl = X509_CRL_new();
    X509_NAME *iss = amd_name(dn, issuer_cn);
    ASN1_TIME *t1 = ASN1_TIME_new(), *t2 = ASN1_TIME_new();
    EVP_MD_CTX *md = pss_ctx(issuer_key);
    unsigned char *ossl = NULL;
    snp_err err = SNP_E_CRYPTO;
    int n;

    *der = NULL;
    *der_len_out = 0;
    if (crl == NULL || iss == NULL || t1 == NULL || t2 == NULL || md == NULL ||
        X509_CRL_set_version(crl, 1) != 1 || X509_CRL_set_issuer_name(crl, iss) != 1 ||
        !set_time(t1, this_update) || !set_time(t2, next_update) ||
        X509_CRL_set1_lastUpdate(crl, t1) != 1 || X509_CRL_set1_nextUpdate(crl, t2) != 1) {
        goto out;
    }
    for (size_t i = 0; i < n_revoked; i++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *s = ASN1_INTEGER_new();
        bool ok = r != NULL && s != NULL && ASN1_INTEGER_set_uint64(s, revoked[i]) == 1 &&
                  X509_REVOKED_set_serialNumber(r, s) == 1 &&
                  X509_REVOKED_set_revocationDate(r, t1) == 1 && X509_CRL_add0_revoked(crl, r);
        ASN1_INTEGER_free(s);
        if (!ok) {
            X509_REVOKED_free(r);
            goto out;
        }
    }
    if (X509_CRL_sort(crl) != 1 || X509_CRL_sign_ctx(crl, md) <= 0) {
        goto out;
    }
    n = i2d_X509_CRL(crl, &ossl);
    err = to_der(der, der_len_out, n, ossl);
out:
    EVP_MD_CTX_free(md);
    ASN1_TIME_free(t1);
    ASN1_TIME_free(t2);
    X509_NAME_free(iss);
    X509_CRL_free(crl);
    ERR_clear_error();
    return err;
}
