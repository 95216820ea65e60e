/*
 * crypto/ecdsa.c - P-384 keys and ECDSA with SHA-384, in the SEV-SNP signature format.
 *
 * Byte-order conversion between the SEV-SNP format (little-endian R, S) and OpenSSL's DER
 * lives in abi/ (snp_sig_to_der / snp_sig_from_der), with its own known-answer tests.
 */
#include "crypto/crypto.h"

#include "snpkit/util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string.h>

struct snp_eckey {
    EVP_PKEY *pkey;
};

/* SEC 2, secp384r1: the group order n, big-endian. */
static const uint8_t p384_order[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
};

static snp_err
wrap(struct snp_eckey **out, EVP_PKEY *pkey)
{
    char group[32];
    size_t glen = 0;
    struct snp_eckey *k;

    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &glen) != 1 ||
        strcmp(group, "secp384r1") != 0) {
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

snp_err
snp_eckey_from_pem(struct snp_eckey **out, const uint8_t *buf, size_t len)
{
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    BIO *bio;
    const unsigned char *p;

    *out = NULL;
    if (buf == NULL || len == 0 || len > INT32_MAX) {
        return SNP_E_ARG;
    }
    /* PEM forms first: private key, public key, certificate. */
    for (int form = 0; form < 3 && pkey == NULL; form++) {
        bio = BIO_new_mem_buf(buf, (int)len);
        if (bio == NULL) {
            return SNP_E_NOMEM;
        }
        if (form == 0) {
            pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        } else if (form == 1) {
            pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        } else if ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            pkey = X509_get_pubkey(cert);
            X509_free(cert);
        }
        BIO_free(bio);
    }
    /* Then DER: private key, SubjectPublicKeyInfo, certificate. */
    if (pkey == NULL) {
        p = buf;
        pkey = d2i_AutoPrivateKey(NULL, &p, (long)len);
    }
    if (pkey == NULL) {
        p = buf;
        pkey = d2i_PUBKEY(NULL, &p, (long)len);
    }
    if (pkey == NULL) {
        p = buf;
        cert = d2i_X509(NULL, &p, (long)len);
        if (cert != NULL) {
            pkey = X509_get_pubkey(cert);
            X509_free(cert);
        }
    }
    if (pkey == NULL) {
        return SNP_E_FORMAT;
    }
    return wrap(out, pkey);
}

snp_err
snp_eckey_from_point(struct snp_eckey **out, const uint8_t x[48], const uint8_t y[48])
{
    uint8_t pub[97];
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    snp_err err = SNP_E_CRYPTO;

    *out = NULL;
    pub[0] = 0x04; /* SEC 1 uncompressed point */
    memcpy(pub + 1, x, 48);
    memcpy(pub + 49, y, 48);
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) != 1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        goto out;
    }
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1) {
        goto out;
    }
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        err = SNP_E_RANGE; /* OpenSSL refuses points that are not on the curve */
        goto out;
    }
    EVP_PKEY_CTX_free(ctx);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL || EVP_PKEY_public_check(ctx) != 1) {
        err = SNP_E_RANGE;
        goto out;
    }
    err = wrap(out, pkey);
    pkey = NULL; /* transferred (wrap frees it on failure) */
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return err;
}

/* d < n for a secret big-endian d, branch-free: the borrow out of d - n is 1 exactly when
 * d < n (schoolbook subtraction from the least significant byte). */
static bool
ct_below_order(const uint8_t d[48])
{
    uint32_t borrow = 0;

    for (size_t i = 48; i-- > 0;) {
        uint32_t t = (uint32_t)d[i] - (uint32_t)p384_order[i] - borrow;
        borrow = (t >> 8) & 1u;
    }
    return borrow == 1;
}

/*
 * A key pair from a private scalar (the simulated chip's derived VCEK/VLEK, crypto/vcek_kdf.c).
 * The public point d*G is computed here so the pair is always consistent.
 */
snp_err
snp_eckey_from_private(struct snp_eckey **out, const uint8_t d[48])
{
    uint8_t pub[97];
    BIGNUM *bn = NULL;
    EC_GROUP *group = NULL;
    EC_POINT *pt = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    snp_err err = SNP_E_CRYPTO;

    *out = NULL;
    /* SEC 1 §3.2.1: a private key is an integer in [1, n-1]. */
    if (snp_ct_is_zero(d, 48) || !ct_below_order(d)) {
        return SNP_E_RANGE;
    }
    bn = BN_secure_new();
    group = EC_GROUP_new_by_curve_name(NID_secp384r1);
    pt = group == NULL ? NULL : EC_POINT_new(group);
    if (bn == NULL || pt == NULL || BN_bin2bn(d, 48, bn) == NULL ||
        EC_POINT_mul(group, pt, bn, NULL, NULL, NULL) != 1 ||
        EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) !=
            sizeof(pub)) {
        goto out;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) != 1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        goto out;
    }
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
        goto out;
    }
    err = wrap(out, pkey);
    pkey = NULL; /* transferred (wrap frees it on failure) */
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    /* bn is a secure BIGNUM, so its copy in params lives on the secure heap, which
     * OSSL_PARAM_free() clears (OpenSSL 3.0 has no OSSL_PARAM_clear_free()). */
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pt);
    EC_GROUP_free(group);
    BN_clear_free(bn);
    return err;
}

snp_err
snp_eckey_generate(struct snp_eckey **out)
{
    EVP_PKEY *pkey;

    *out = NULL;
    pkey = EVP_EC_gen("secp384r1");
    if (pkey == NULL) {
        return SNP_E_CRYPTO;
    }
    return wrap(out, pkey);
}

snp_err
snp_eckey_point(const struct snp_eckey *k, uint8_t x[48], uint8_t y[48])
{
    BIGNUM *bx = NULL;
    BIGNUM *by = NULL;
    snp_err err = SNP_E_CRYPTO;

    if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 &&
        EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1 &&
        BN_bn2binpad(bx, x, 48) == 48 && BN_bn2binpad(by, y, 48) == 48) {
        err = SNP_OK;
    }
    BN_free(bx);
    BN_free(by);
    return err;
}

bool
snp_eckey_has_private(const struct snp_eckey *k)
{
    BIGNUM *d = NULL;
    bool has = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;

    BN_clear_free(d);
    return has;
}

snp_err
snp_eckey_to_pem(const struct snp_eckey *k, bool private_part, char **pem, size_t *pem_len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    int ok;

    *pem = NULL;
    *pem_len = 0;
    if (bio == NULL) {
        return SNP_E_NOMEM;
    }
    ok = private_part ? PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)
                      : PEM_write_bio_PUBKEY(bio, k->pkey);
    n = BIO_get_mem_data(bio, &data);
    if (ok != 1 || n <= 0) {
        BIO_free(bio);
        return SNP_E_CRYPTO;
    }
    *pem = malloc((size_t)n + 1);
    if (*pem == NULL) {
        BIO_free(bio);
        return SNP_E_NOMEM;
    }
    memcpy(*pem, data, (size_t)n);
    (*pem)[n] = '\0';
    *pem_len = (size_t)n;
    /* The memory BIO held the private PEM too: clear it before freeing. */
    OPENSSL_cleanse(data, (size_t)n);
    BIO_free(bio);
    return SNP_OK;
}

void
snp_eckey_free(struct snp_eckey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k);
}

snp_err
snp_ecdsa_p384_sign(const struct snp_eckey *k, const uint8_t *msg, size_t len,
                    struct snp_signature *sig)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[SNP_SIG_DER_MAX + 32];
    size_t der_len = sizeof(der);
    snp_err err = SNP_E_CRYPTO;

    memset(sig, 0, sizeof(*sig));
    if (md == NULL) {
        return SNP_E_NOMEM;
    }
    if (EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, k->pkey) == 1 &&
        EVP_DigestSign(md, der, &der_len, msg, len) == 1) {
        err = snp_sig_from_der(sig, der, der_len);
        if (err != SNP_OK) {
            err = SNP_E_CRYPTO; /* OpenSSL produced something we cannot read: its failure */
        }
    }
    EVP_MD_CTX_free(md);
    return err;
}

/* R and S must be in [1, n-1] (zero is refused by snp_sig_to_der). */
static bool
below_order(const uint8_t le[SNP_SIG_COMP_SIZE])
{
    for (size_t i = 0; i < 48; i++) {
        uint8_t b = le[47 - i]; /* big-endian walk */
        if (b != p384_order[i]) {
            return b < p384_order[i];
        }
    }
    return false; /* equal to n */
}

snp_err
snp_ecdsa_p384_verify(const struct snp_eckey *k, const uint8_t *msg, size_t len,
                      const struct snp_signature *sig)
{
    uint8_t der[SNP_SIG_DER_MAX];
    size_t der_len = 0;
    EVP_MD_CTX *md;
    snp_err err;
    int rc;

    err = snp_sig_to_der(der, sizeof(der), &der_len, sig);
    if (err != SNP_OK) {
        return err == SNP_E_SPACE ? SNP_E_CRYPTO : SNP_E_RANGE;
    }
    if (!below_order(sig->r) || !below_order(sig->s)) {
        return SNP_E_RANGE;
    }
    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return SNP_E_NOMEM;
    }
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, k->pkey) != 1) {
        EVP_MD_CTX_free(md);
        return SNP_E_CRYPTO;
    }
    rc = EVP_DigestVerify(md, der, der_len, msg, len);
    EVP_MD_CTX_free(md);
    if (rc == 1) {
        return SNP_OK;
    }
    return rc == 0 ? SNP_E_SIG : SNP_E_CRYPTO;
}
