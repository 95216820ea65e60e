/*
 * crypto/x509.c - parse AMD certificates and CRLs, check their RSA-PSS signatures.
 *
 * Relies on OpenSSL's DER decoder for the X.509 structure, and reads the AMD extensions
 * (attestation.md §4.4) and the signature AlgorithmIdentifiers (§4.2) itself, byte-exact from the
 * received DER. Does no policy: which certificate may sign which, pins and times live in
 * verify/. Everything parsed is copied into plain data (struct snp_x509_info) once, so the
 * verifier's hot path never calls back into the ASN.1 layer.
 */
#include "crypto/x509.h"

#include "crypto/ossl_err.h"

#include "snpkit/util.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <limits.h>
#include <string.h>

struct snp_x509 {
    X509 *x;
    uint8_t *der;
    size_t der_len;
    struct snp_x509_info info;
    struct snp_eckey *ec; /* P-384 leaves only */
};

struct snp_x509_crl {
    X509_CRL *crl;
    uint8_t *der;
    size_t der_len;
    struct snp_x509_crl_info info;
};

/* §4.2: the two DER encodings of AMD's RSASSA-PSS AlgorithmIdentifier seen in real artifacts:
 * SHA-384, MGF1(SHA-384), salt 48, with trailerField 1 written out (ARK/ASK/ASVK, Milan/Genoa
 * VCEKs) or omitted as the DER default (Turin and later VCEKs, VLEKs, the AMD CRLs). */
static const uint8_t pss_amd[] = {
    0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39,
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
static const uint8_t pss_amd_notrl[] = {
    0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
    0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
    0x02, 0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30,
};
_Static_assert(sizeof(pss_amd) == 72 && sizeof(pss_amd_notrl) == 67, "attestation.md §4.2");

/* ---- a minimal DER walker (definite lengths, up to 4 length bytes) --------------------------- */

/* The element at p[0..len): its tag, header length and total length. False if it does not fit. */
static bool
der_elem(const uint8_t *p, size_t len, uint8_t *tag, size_t *hdr, size_t *total)
{
    size_t n, l = 0;

    if (len < 2) {
        return false;
    }
    *tag = p[0];
    if ((p[1] & 0x80) == 0) {
        l = p[1];
        n = 2;
    } else {
        size_t k = p[1] & 0x7fu;
        if (k == 0 || k > 4 || len - 2 < k) {
            return false;
        }
        for (size_t i = 0; i < k; i++) {
            l = (l << 8) | p[2 + i];
        }
        n = 2 + k;
    }
    if (l > len - n) {
        return false;
    }
    *hdr = n;
    *total = n + l;
    return true;
}

/*
 * The TBS and outer AlgorithmIdentifiers of a certificate or CRL, byte-exact from its DER:
 * SEQUENCE { tbs SEQUENCE { [0] version? | INTEGER version?, [INTEGER serial,] algid, ... },
 * algid, BIT STRING }. @is_cert: certificates carry a serial before the algorithm.
 */
static enum snp_x509_sigalg
der_sigalg(const uint8_t *der, size_t len, bool is_cert)
{
    uint8_t tag;
    size_t hdr, total, thdr, ttotal, off, ahdr, atotal, ohdr, ototal;
    const uint8_t *tbs, *inner, *outer;

    if (!der_elem(der, len, &tag, &hdr, &total) || tag != 0x30) {
        return SNP_X509_SIG_OTHER;
    }
    tbs = der + hdr;
    if (!der_elem(tbs, total - hdr, &tag, &thdr, &ttotal) || tag != 0x30) {
        return SNP_X509_SIG_OTHER;
    }
    off = thdr;
    /* The version: [0] EXPLICIT in a certificate, a bare INTEGER in a CRL; optional in both. */
    if (!der_elem(tbs + off, ttotal - off, &tag, &ahdr, &atotal)) {
        return SNP_X509_SIG_OTHER;
    }
    if (tag == (is_cert ? 0xa0 : 0x02)) {
        off += atotal;
    }
    /* A certificate's serialNumber comes before the algorithm. */
    if (is_cert) {
        if (!der_elem(tbs + off, ttotal - off, &tag, &ahdr, &atotal) || tag != 0x02) {
            return SNP_X509_SIG_OTHER;
        }
        off += atotal;
    }
    if (!der_elem(tbs + off, ttotal - off, &tag, &ahdr, &atotal) || tag != 0x30) {
        return SNP_X509_SIG_OTHER;
    }
    inner = tbs + off;
    outer = tbs + ttotal;
    if (!der_elem(outer, total - hdr - ttotal, &tag, &ohdr, &ototal) || ototal != atotal ||
        memcmp(inner, outer, atotal) != 0) {
        return SNP_X509_SIG_OTHER; /* RFC 5280 §4.1.1.2: the two MUST be identical */
    }
    if (atotal == sizeof(pss_amd) && memcmp(inner, pss_amd, atotal) == 0) {
        return SNP_X509_SIG_PSS_AMD;
    }
    if (atotal == sizeof(pss_amd_notrl) && memcmp(inner, pss_amd_notrl, atotal) == 0) {
        return SNP_X509_SIG_PSS_AMD_NOTRL;
    }
    return SNP_X509_SIG_OTHER;
}

/* ---- times ------------------------------------------------------------------------------------
 */

int64_t
snp_x509_epoch(int year, int mon, int mday, int hour, int min, int sec)
{
    /* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    int64_t y = (int64_t)year - (mon <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (mon + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;

    return days * 86400 + hour * 3600 + min * 60 + sec;
}

static bool
digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

snp_err
snp_x509_time_parse(const char *t, int64_t *out)
{
    int y, mo, d, h, mi, s;

    *out = 0;
    if (t == NULL || strlen(t) != 20 || t[4] != '-' || t[7] != '-' ||
        (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':' ||
        (t[19] != 'Z' && t[19] != 'z')) {
        return SNP_E_FORMAT;
    }
    if (!digits(t, 4, &y) || !digits(t + 5, 2, &mo) || !digits(t + 8, 2, &d) ||
        !digits(t + 11, 2, &h) || !digits(t + 14, 2, &mi) || !digits(t + 17, 2, &s) || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return SNP_E_FORMAT;
    }
    *out = snp_x509_epoch(y, mo, d, h, mi, s);
    return SNP_OK;
}

static bool
asn1_time_epoch(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return false;
    }
    *out = snp_x509_epoch(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec);
    return true;
}

/* ---- names, serials ---------------------------------------------------------------------------
 */

/* The one CN of a name, printable ASCII; "" when absent, repeated, too long or odd. */
static void
name_cn(const X509_NAME *name, char out[SNP_X509_CN_MAX])
{
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    const ASN1_STRING *s;
    const unsigned char *d;
    int n;

    out[0] = '\0';
    if (i < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0) {
        return;
    }
    s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    d = ASN1_STRING_get0_data(s);
    n = ASN1_STRING_length(s);
    if (d == NULL || n <= 0 || n >= SNP_X509_CN_MAX) {
        return;
    }
    for (int k = 0; k < n; k++) {
        if (d[k] < 0x20 || d[k] > 0x7e) {
            return;
        }
    }
    memcpy(out, d, (size_t)n);
    out[n] = '\0';
}

/* Big-endian magnitude without leading zeros. False when longer than 20 octets. */
static bool
int_magnitude(const ASN1_INTEGER *a, uint8_t out[SNP_X509_SERIAL_MAX], size_t *len, bool *neg)
{
    const unsigned char *d = ASN1_STRING_get0_data(a);
    int n = ASN1_STRING_length(a);
    size_t k = 0;

    *len = 0;
    *neg = ASN1_STRING_type(a) == V_ASN1_NEG_INTEGER;
    if (d == NULL || n < 0) {
        return n == 0;
    }
    while (k < (size_t)n && d[k] == 0) {
        k++;
    }
    if ((size_t)n - k > SNP_X509_SERIAL_MAX) {
        return false;
    }
    memcpy(out, d + k, (size_t)n - k);
    *len = (size_t)n - k;
    return true;
}

/* ---- AMD extensions (§4.4) --------------------------------------------------------------------
 */

/* DER INTEGER, non-negative, at most max; the whole of v. Never "last byte" (§4.4). */
static bool
amd_int(const uint8_t *v, size_t n, uint32_t max, uint32_t *out)
{
    uint8_t tag;
    size_t hdr, total;
    uint64_t x = 0;

    if (!der_elem(v, n, &tag, &hdr, &total) || tag != 0x02 || total != n || total == hdr ||
        total - hdr > 5 || (v[hdr] & 0x80) != 0) {
        return false;
    }
    for (size_t i = hdr; i < total; i++) {
        x = (x << 8) | v[i];
    }
    if (x > max) {
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

/* DER IA5String of printable ASCII, the whole of v. */
static bool
amd_ia5(const uint8_t *v, size_t n, char *out, size_t cap)
{
    uint8_t tag;
    size_t hdr, total;

    if (!der_elem(v, n, &tag, &hdr, &total) || tag != 0x16 || total != n || total - hdr >= cap) {
        return false;
    }
    for (size_t i = hdr; i < total; i++) {
        if (v[i] < 0x20 || v[i] > 0x7e) {
            return false;
        }
    }
    memcpy(out, v + hdr, total - hdr);
    out[total - hdr] = '\0';
    return true;
}

/*
 * hwID: AMD writes the 64 (Milan/Genoa) or 8 (Turin) bytes directly as extnValue; go-sev-guest
 * and virtee's fixtures also use an OCTET STRING around them. The lengths tell the two apart
 * without guessing: raw is 8 or 64 bytes, wrapped is 10 or 66 bytes starting 04 08 / 04 40.
 */
static bool
amd_hwid(struct snp_amd_ext *a, const uint8_t *v, size_t n)
{
    if (n == 8 || n == 64) {
        memcpy(a->hwid, v, n);
        a->hwid_len = n;
        return true;
    }
    if ((n == 10 || n == 66) && v[0] == 0x04 && v[1] == n - 2) {
        memcpy(a->hwid, v + 2, n - 2);
        a->hwid_len = n - 2;
        a->hwid_wrapped = true;
        return true;
    }
    return false;
}

#define AMD_ARC "1.3.6.1.4.1.3704.1."

static void
amd_ext(struct snp_amd_ext *a, const char *oid, const uint8_t *v, size_t n)
{
    const char *sub = oid + strlen(AMD_ARC);
    uint32_t x = 0;
    bool ok = false;
    bool dup = false;

    if (strcmp(sub, "1") == 0) {
        dup = a->has_struct_version;
        ok = amd_int(v, n, UINT32_MAX, &x);
        a->struct_version = x;
        a->has_struct_version = ok;
    } else if (strcmp(sub, "2") == 0) {
        dup = a->has_product_name;
        ok = amd_ia5(v, n, a->product_name, sizeof(a->product_name));
        a->has_product_name = ok;
    } else if (strncmp(sub, "3.", 2) == 0 && sub[2] >= '1' && sub[2] <= '9' && sub[3] == '\0') {
        int i = sub[2] - '0';
        dup = a->has_spl[i];
        ok = amd_int(v, n, 255, &x);
        a->spl[i] = (uint8_t)x;
        a->has_spl[i] = ok;
    } else if (strcmp(sub, "4") == 0) {
        dup = a->has_hwid;
        ok = amd_hwid(a, v, n);
        a->has_hwid = ok;
    } else if (strcmp(sub, "5") == 0) {
        dup = a->has_csp_id;
        ok = amd_ia5(v, n, a->csp_id, sizeof(a->csp_id));
        a->has_csp_id = ok;
    } else {
        a->n_unknown++;
        return;
    }
    if (!ok || dup) {
        a->n_bad++; /* a repeated extension is as bad as a broken one: which one counts? */
    }
}

static void
parse_extensions(X509 *x, struct snp_x509_info *info)
{
    char oid[80];
    int n = X509_get_ext_count(x);

    for (int i = 0; i < n; i++) {
        X509_EXTENSION *e = X509_get_ext(x, i);
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
        int olen = OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(e), 1);

        if (olen <= 0 || (size_t)olen >= sizeof(oid) || v == NULL) {
            info->amd.n_bad++;
            continue;
        }
        if (strncmp(oid, AMD_ARC, strlen(AMD_ARC)) == 0) {
            amd_ext(&info->amd, oid, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
        }
    }
}

/* ---- certificates -----------------------------------------------------------------------------
 */

/*
 * OpenSSL decodes a certificate's key and extensions while parsing and caches the result, but
 * it forgets why a decode failed: a key or extension it could not allocate looks the same as a
 * broken one. So every negative fact below (no key, no basicConstraints, a broken extension)
 * comes from our own calls, whose failures the error queue explains (ossl_err.h).
 */

/*
 * The modulus size of an RSAPublicKey of the shape OpenSSL decodes (SEQUENCE { INTEGER n,
 * INTEGER e }, both positive), counted from the DER as RSA_bits() would; 0 for any other shape.
 */
static unsigned
rsa_key_bits(const uint8_t *k, size_t len)
{
    uint8_t tag;
    size_t hdr, total, ihdr, itotal, off, bits = 0;

    if (!der_elem(k, len, &tag, &hdr, &total) || tag != 0x30 || total != len) {
        return 0;
    }
    off = hdr;
    for (int i = 0; i < 2; i++) {
        const uint8_t *v = k + off;
        if (!der_elem(v, total - off, &tag, &ihdr, &itotal) || tag != 0x02 || itotal == ihdr ||
            (v[ihdr] & 0x80) != 0) {
            return 0;
        }
        if (i == 0) {
            size_t z = ihdr;
            while (z < itotal && v[z] == 0) {
                z++;
            }
            if (z < itotal) {
                bits = (itotal - z) * 8;
                for (uint8_t top = v[z]; (top & 0x80) == 0; top = (uint8_t)(top << 1)) {
                    bits--;
                }
            }
        }
        off += itotal;
    }
    return off == total && bits > 0 && bits <= UINT_MAX ? (unsigned)bits : 0;
}

static snp_err
fill_key(struct snp_x509 *c)
{
    X509_PUBKEY *spki = X509_get_X509_PUBKEY(c->x);
    EVP_PKEY *pk = X509_get0_pubkey(c->x); /* NULL: not decoded, for whatever reason */
    ASN1_OBJECT *alg = NULL;
    const ASN1_OBJECT *param_obj = NULL;
    const void *param = NULL;
    const unsigned char *key = NULL;
    int klen = 0, ptype = V_ASN1_UNDEF;
    X509_ALGOR *pa = NULL;
    snp_err err;

    ERR_clear_error(); /* X509_get0_pubkey() notes a missing key; we judge it ourselves */
    if (pk != NULL) {
        c->info.key_bits = (unsigned)EVP_PKEY_get_bits(pk);
    }
    if (spki == NULL || X509_PUBKEY_get0_param(&alg, &key, &klen, &pa, spki) != 1 || key == NULL ||
        klen <= 0) {
        return SNP_OK; /* KEY_OTHER: the verifier refuses it by name */
    }
    if (OBJ_obj2nid(alg) == NID_rsaEncryption) {
        unsigned bits = rsa_key_bits(key, (size_t)klen);
        if (pk == NULL) {
            /* OpenSSL decodes every RSAPublicKey of this shape: it failed, not the key. */
            return bits != 0 ? SNP_E_CRYPTO : SNP_OK;
        }
        if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && bits != 0) {
            c->info.key_type = SNP_X509_KEY_RSA;
            c->info.key_bits = bits; /* EVP_PKEY_get_bits() may need memory, and say 0 */
        }
        return SNP_OK;
    }
    if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey) {
        return SNP_OK;
    }
    X509_ALGOR_get0(&param_obj, &ptype, &param, pa);
    if (ptype != V_ASN1_OBJECT || OBJ_obj2nid(param) != NID_secp384r1 || klen != 97 ||
        key[0] != 0x04) {
        return SNP_OK; /* another curve, compressed or odd: not AMD's shape (§4.3) */
    }
    /* The point from the certificate's bytes, checked on the curve by our own call. */
    err = snp_eckey_from_point(&c->ec, key + 1, key + 49);
    if (err == SNP_OK) {
        c->info.key_type = SNP_X509_KEY_P384;
        c->info.key_bits = 384;
        return SNP_OK;
    }
    if (err == SNP_E_RANGE) {
        /* Not on the curve, unless the library failed on the way: OpenSSL's own decode of
         * the same point succeeding, or a malloc failure in the queue, says it did. */
        err = snp_ossl_err(pk != NULL ? SNP_E_CRYPTO : SNP_OK);
        return err; /* SNP_OK: stays KEY_OTHER */
    }
    return snp_ossl_err(err == SNP_E_NOMEM ? SNP_E_NOMEM : SNP_E_CRYPTO);
}

/* Releases what X509_get_ext_d2i() returned for nid. */
static void
ext_free(int nid, void *d)
{
    const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);

    if (d != NULL && m != NULL && m->it != NULL) {
        ASN1_item_free(d, ASN1_ITEM_ptr(m->it));
    }
}

/*
 * The decoded standard extension nid of x: *d is NULL when absent, repeated or broken (the last
 * two count in *bad). Returns SNP_OK, or SNP_E_NOMEM when the decode ran out of memory.
 */
static snp_err
ext_get(X509 *x, int nid, void **d, unsigned *bad)
{
    int crit = -1;

    ERR_clear_error();
    *d = X509_get_ext_d2i(x, nid, &crit, NULL);
    if (*d == NULL && crit != -1) {
        if (snp_ossl_err(SNP_OK) == SNP_E_NOMEM) {
            return SNP_E_NOMEM;
        }
        (*bad)++; /* -2: repeated; otherwise does not decode */
    }
    ERR_clear_error();
    return SNP_OK;
}

/* Standard extensions that OpenSSL's verifier would refuse a certificate for when broken. */
static const int checked_exts[] = {
    NID_ext_key_usage,          NID_netscape_cert_type,
    NID_subject_key_identifier, NID_authority_key_identifier,
    NID_issuer_alt_name,        NID_name_constraints,
#ifndef OPENSSL_NO_RFC3779
    NID_sbgp_ipAddrBlock,       NID_sbgp_autonomousSysNum,
#endif
};

/* CA flags, key usage, and broken or unknown critical extensions (RFC 5280 §4.2). */
static snp_err
fill_ext_flags(struct snp_x509 *c)
{
    struct snp_x509_info *in = &c->info;
    BASIC_CONSTRAINTS *bc = NULL;
    ASN1_BIT_STRING *ku = NULL;
    PROXY_CERT_INFO_EXTENSION *pci = NULL;
    GENERAL_NAMES *san = NULL;
    STACK_OF(DIST_POINT) *dps = NULL;
    void *d = NULL;
    unsigned bad = 0;
    snp_err err;

    in->pathlen = -1;
    err = ext_get(c->x, NID_basic_constraints, (void **)&bc, &bad);
    if (err != SNP_OK) {
        goto out;
    }
    if (bc != NULL) {
        in->has_basic_constraints = true;
        in->is_ca = bc->ca != 0;
        if (bc->pathlen != NULL && ASN1_STRING_type(bc->pathlen) == V_ASN1_NEG_INTEGER) {
            bad++;
        } else if (bc->pathlen != NULL) {
            in->pathlen = ASN1_INTEGER_get(bc->pathlen);
        }
    }
    err = ext_get(c->x, NID_key_usage, (void **)&ku, &bad);
    if (err != SNP_OK) {
        goto out;
    }
    if (ku != NULL) {
        const unsigned char *b = ASN1_STRING_get0_data(ku);
        int n = ASN1_STRING_length(ku);
        in->has_key_usage = true;
        in->key_usage = (n > 0 ? b[0] : 0u) | (n > 1 ? (uint32_t)b[1] << 8 : 0u);
        if (in->key_usage == 0) {
            bad++; /* RFC 5280 §4.2.1.3: at least one bit */
        }
    }
    err = ext_get(c->x, NID_subject_alt_name, (void **)&san, &bad);
    if (err == SNP_OK) {
        err = ext_get(c->x, NID_proxyCertInfo, (void **)&pci, &bad);
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (pci != NULL &&
        (in->is_ca || san != NULL || X509_get_ext_by_NID(c->x, NID_issuer_alt_name, -1) >= 0)) {
        bad++; /* RFC 3820 §3.8 */
    }
    err = ext_get(c->x, NID_crl_distribution_points, (void **)&dps, &bad);
    if (err != SNP_OK) {
        goto out;
    }
    for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp->distpoint == NULL && sk_GENERAL_NAME_num(dp->CRLissuer) <= 0) {
            bad++; /* RFC 5280 §4.2.1.13: a name or an issuer */
        }
    }
    for (size_t i = 0; i < SNP_ARRAY_LEN(checked_exts); i++) {
        err = ext_get(c->x, checked_exts[i], &d, &bad);
        if (err != SNP_OK) {
            goto out;
        }
        ext_free(checked_exts[i], d);
        d = NULL;
    }
    if (bad != 0) {
        in->n_critical_unknown++; /* a malformed or repeated standard extension */
    }
    for (int i = 0; i < X509_get_ext_count(c->x); i++) {
        X509_EXTENSION *e = X509_get_ext(c->x, i);
        if (X509_EXTENSION_get_critical(e) && !X509_supported_extension(e)) {
            in->n_critical_unknown++;
            break;
        }
    }
    err = SNP_OK;
out:
    BASIC_CONSTRAINTS_free(bc);
    ASN1_BIT_STRING_free(ku);
    GENERAL_NAMES_free(san);
    PROXY_CERT_INFO_EXTENSION_free(pci);
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    ERR_clear_error();
    return err;
}

static snp_err
fill_info(struct snp_x509 *c)
{
    struct snp_x509_info *in = &c->info;
    snp_err err;

    err = snp_sha256(in->fp, c->der, c->der_len);
    if (err != SNP_OK) {
        return err == SNP_E_NOMEM ? SNP_E_NOMEM : SNP_E_CRYPTO;
    }
    name_cn(X509_get_subject_name(c->x), in->subject_cn);
    name_cn(X509_get_issuer_name(c->x), in->issuer_cn);
    in->self_issued = X509_NAME_cmp(X509_get_subject_name(c->x), X509_get_issuer_name(c->x)) == 0;
    if (!int_magnitude(X509_get0_serialNumber(c->x), in->serial, &in->serial_len,
                       &in->serial_negative)) {
        return SNP_E_FORMAT;
    }
    in->version = X509_get_version(c->x);
    if (!asn1_time_epoch(X509_get0_notBefore(c->x), &in->not_before) ||
        !asn1_time_epoch(X509_get0_notAfter(c->x), &in->not_after)) {
        return snp_ossl_err(SNP_E_FORMAT);
    }
    in->sigalg = der_sigalg(c->der, c->der_len, true);
    err = fill_ext_flags(c);
    if (err != SNP_OK) {
        return err;
    }
    parse_extensions(c->x, in);
    return fill_key(c);
}

snp_err
snp_x509_from_der(struct snp_x509 **out, const uint8_t *der, size_t len, size_t *used)
{
    struct snp_x509 *c = NULL;
    const unsigned char *p = der;
    snp_err err = SNP_E_FORMAT;
    uint8_t tag;
    size_t hdr, total;

    *out = NULL;
    *used = 0;
    if (der == NULL || len == 0 || len > LONG_MAX) {
        return SNP_E_FORMAT;
    }
    /* The outer element's own length says where this object ends (OpenSSL agrees below). */
    if (!der_elem(der, len, &tag, &hdr, &total) || tag != 0x30) {
        return SNP_E_FORMAT;
    }
    ERR_clear_error(); /* only this parse's entries may explain its failure */
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        return SNP_E_NOMEM;
    }
    c->x = d2i_X509(NULL, &p, (long)total);
    if (c->x == NULL || (size_t)(p - der) != total) {
        err = snp_ossl_err(SNP_E_FORMAT);
        goto out;
    }
    c->der = OPENSSL_memdup(der, total);
    if (c->der == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    c->der_len = total;
    err = fill_info(c);
    if (err != SNP_OK) {
        goto out;
    }
    *out = c;
    *used = total;
    c = NULL; /* transferred */
out:
    ERR_clear_error();
    snp_x509_free(c);
    return err;
}

void
snp_x509_free(struct snp_x509 *c)
{
    if (c == NULL) {
        return;
    }
    X509_free(c->x);
    OPENSSL_free(c->der);
    snp_eckey_free(c->ec);
    OPENSSL_free(c);
}

const struct snp_x509_info *
snp_x509_info(const struct snp_x509 *c)
{
    return &c->info;
}

const uint8_t *
snp_x509_der(const struct snp_x509 *c, size_t *len)
{
    *len = c->der_len;
    return c->der;
}

const struct snp_eckey *
snp_x509_eckey(const struct snp_x509 *c)
{
    return c->ec;
}

/* 1 verifies; anything else is judged by the error queue: one mapping for certificates and
 * CRLs. The parameters were pinned before (der_sigalg), so a failure that names no reason about
 * the signature is the library's, not the evidence's. */
static snp_err
verify_rc(int rc)
{
    if (rc == 1) {
        ERR_clear_error();
        return SNP_OK;
    }
    return snp_ossl_err_sig();
}

snp_err
snp_x509_verify_by(const struct snp_x509 *c, const struct snp_x509 *issuer)
{
    EVP_PKEY *pk = X509_get0_pubkey(issuer->x);

    if (c->info.sigalg == SNP_X509_SIG_OTHER || issuer->info.key_type != SNP_X509_KEY_RSA ||
        pk == NULL) {
        return SNP_E_UNSUPPORTED;
    }
    ERR_clear_error(); /* only this call's entries may judge it */
    return verify_rc(X509_verify(c->x, pk));
}

/* ---- CRLs -------------------------------------------------------------------------------------
 */

snp_err
snp_x509_crl_from_der(struct snp_x509_crl **out, const uint8_t *der, size_t len, size_t *used)
{
    struct snp_x509_crl *c = NULL;
    const unsigned char *p = der;
    snp_err err = SNP_E_FORMAT;
    uint8_t tag;
    size_t hdr, total;
    const STACK_OF(X509_REVOKED) * rev;

    *out = NULL;
    *used = 0;
    if (der == NULL || len == 0 || len > LONG_MAX || !der_elem(der, len, &tag, &hdr, &total) ||
        tag != 0x30) {
        return SNP_E_FORMAT;
    }
    ERR_clear_error();
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        return SNP_E_NOMEM;
    }
    c->crl = d2i_X509_CRL(NULL, &p, (long)total);
    if (c->crl == NULL || (size_t)(p - der) != total) {
        err = snp_ossl_err(SNP_E_FORMAT);
        goto out;
    }
    c->der = OPENSSL_memdup(der, total);
    if (c->der == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    c->der_len = total;
    err = snp_sha256(c->info.fp, c->der, c->der_len);
    if (err != SNP_OK) {
        err = err == SNP_E_NOMEM ? SNP_E_NOMEM : SNP_E_CRYPTO;
        goto out;
    }
    name_cn(X509_CRL_get_issuer(c->crl), c->info.issuer_cn);
    if (!asn1_time_epoch(X509_CRL_get0_lastUpdate(c->crl), &c->info.this_update)) {
        err = snp_ossl_err(SNP_E_FORMAT);
        goto out;
    }
    c->info.has_next_update =
        asn1_time_epoch(X509_CRL_get0_nextUpdate(c->crl), &c->info.next_update);
    c->info.sigalg = der_sigalg(c->der, c->der_len, false);
    rev = X509_CRL_get_REVOKED(c->crl);
    c->info.n_revoked = rev == NULL ? 0 : (size_t)sk_X509_REVOKED_num(rev);
    *out = c;
    *used = total;
    c = NULL; /* transferred */
    err = SNP_OK;
out:
    ERR_clear_error();
    snp_x509_crl_free(c);
    return err;
}

void
snp_x509_crl_free(struct snp_x509_crl *crl)
{
    if (crl == NULL) {
        return;
    }
    X509_CRL_free(crl->crl);
    OPENSSL_free(crl->der);
    OPENSSL_free(crl);
}

const struct snp_x509_crl_info *
snp_x509_crl_info(const struct snp_x509_crl *crl)
{
    return &crl->info;
}

snp_err
snp_x509_crl_verify_by(const struct snp_x509_crl *crl, const struct snp_x509 *issuer)
{
    EVP_PKEY *pk = X509_get0_pubkey(issuer->x);

    if (crl->info.sigalg == SNP_X509_SIG_OTHER || issuer->info.key_type != SNP_X509_KEY_RSA ||
        pk == NULL) {
        return SNP_E_UNSUPPORTED;
    }
    ERR_clear_error();
    return verify_rc(X509_CRL_verify(crl->crl, pk));
}

bool
snp_x509_crl_revoked(const struct snp_x509_crl *crl, const uint8_t *serial, size_t len,
                     int64_t *when)
{
    const STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl->crl);
    uint8_t mag[SNP_X509_SERIAL_MAX];
    size_t mlen;
    bool neg;

    for (int i = 0; rev != NULL && i < sk_X509_REVOKED_num(rev); i++) {
        const X509_REVOKED *r = sk_X509_REVOKED_value(rev, i);
        if (!int_magnitude(X509_REVOKED_get0_serialNumber(r), mag, &mlen, &neg) || neg ||
            mlen != len || memcmp(mag, serial, len) != 0) {
            continue;
        }
        if (when != NULL && !asn1_time_epoch(X509_REVOKED_get0_revocationDate(r), when)) {
            *when = 0;
        }
        return true;
    }
    return false;
}

/* ---- bundles ----------------------------------------------------------------------------------
 */

static snp_err
load_der_one(const uint8_t *buf, size_t len, size_t *used, snp_x509_sink sink, void *ctx)
{
    struct snp_x509 *cert = NULL;
    struct snp_x509_crl *crl = NULL;
    snp_err err = snp_x509_from_der(&cert, buf, len, used);

    if (err == SNP_E_FORMAT) {
        err = snp_x509_crl_from_der(&crl, buf, len, used);
    }
    if (err != SNP_OK) {
        return err;
    }
    return sink(ctx, cert, crl); /* ownership moves to the sink */
}

static snp_err
load_pem(const uint8_t *buf, size_t len, snp_x509_sink sink, void *ctx)
{
    BIO *bio;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    size_t used = 0;
    unsigned n = 0;
    snp_err err = SNP_OK;

    ERR_clear_error(); /* the end of the text is told by the last entry: ours only */
    bio = BIO_new_mem_buf(buf, (int)len);
    if (bio == NULL) {
        return snp_ossl_err(SNP_E_NOMEM);
    }
    while (err == SNP_OK && PEM_read_bio(bio, &name, &header, &data, &dlen) == 1) {
        if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CRL") == 0) {
            err = load_der_one(data, (size_t)dlen, &used, sink, ctx);
            if (err == SNP_OK && used != (size_t)dlen) {
                err = SNP_E_FORMAT; /* a PEM block is exactly one object */
            }
            n++;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
    }
    if (err == SNP_OK) {
        /* PEM_read_bio() ends with "no start line" at the end of the text; anything else
         * stopped inside a block (or ran out of memory, which the queue tells). */
        bool at_end = ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE;
        err = snp_ossl_err(at_end && n > 0 ? SNP_OK : SNP_E_FORMAT);
    }
    ERR_clear_error();
    BIO_free(bio);
    return err;
}

static bool
has_pem(const uint8_t *buf, size_t len)
{
    static const char tag[] = "-----BEGIN ";

    for (size_t i = 0; i + sizeof(tag) - 1 <= len; i++) {
        if (memcmp(buf + i, tag, sizeof(tag) - 1) == 0) {
            return true;
        }
    }
    return false;
}

snp_err
snp_x509_load(const uint8_t *buf, size_t len, snp_x509_sink sink, void *ctx)
{
    size_t off = 0, used = 0;
    snp_err err;

    if (buf == NULL || len == 0 || len > INT_MAX) {
        return SNP_E_FORMAT;
    }
    if (has_pem(buf, len)) {
        return load_pem(buf, len, sink, ctx);
    }
    while (off < len) {
        err = load_der_one(buf + off, len - off, &used, sink, ctx);
        if (err != SNP_OK) {
            return err;
        }
        off += used;
    }
    return SNP_OK;
}
