/*
 * crypto/der_check.c - "is this a certificate / CRL / PEM chain?" checks on key-server
 * responses (see der_check.h). Structure only: nothing here trusts, verifies or prints.
 *
 * The outer DER header is read by hand first, so that a cut-off body is named
 * SNP_E_TRUNCATED and extra bytes SNP_E_TRAILING, instead of one opaque OpenSSL failure.
 * OpenSSL then decodes the whole object and must consume exactly the same bytes.
 */
#include "crypto/der_check.h"

#include "crypto/ossl_err.h"

#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define PEM_BEGIN_CERT "-----BEGIN CERTIFICATE-----"
#define PEM_END_CERT   "-----END CERTIFICATE-----"
#define PEM_MAX_BLOCKS 8

/* The outer TLV must be one SEQUENCE spanning exactly len bytes (X.690 §8.1.3). */
static snp_err
der_outer(const uint8_t *buf, size_t len)
{
    size_t hdr;
    size_t body = 0;

    if (len == 0 || len > SNP_DER_CHECK_MAX) {
        return SNP_E_RANGE;
    }
    if (buf[0] != 0x30) {
        return SNP_E_FORMAT;
    }
    if (len < 2) {
        return SNP_E_TRUNCATED;
    }
    if (buf[1] < 0x80) {
        hdr = 2;
        body = buf[1];
    } else {
        size_t nb = buf[1] & 0x7fu;
        /* 0x80 is the indefinite form, which DER forbids; more than 4 length bytes is absurd
         * for anything under SNP_DER_CHECK_MAX. */
        if (nb == 0 || nb > 4) {
            return SNP_E_FORMAT;
        }
        if (nb > len - 2) {
            return SNP_E_TRUNCATED;
        }
        for (size_t i = 0; i < nb; i++) {
            body = body << 8 | buf[2 + i];
        }
        hdr = 2 + nb;
    }
    if (body > len - hdr) {
        return SNP_E_TRUNCATED;
    }
    if (body < len - hdr) {
        return SNP_E_TRAILING;
    }
    return SNP_OK;
}

snp_err
snp_der_check_cert(const uint8_t *buf, size_t len)
{
    const unsigned char *p = buf;
    X509 *x;

    SNP_TRY(der_outer(buf, len));
    ERR_clear_error(); /* only this parse's entries may explain its failure */
    x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        return snp_ossl_err(SNP_E_FORMAT); /* not a certificate, or no memory to tell */
    }
    X509_free(x);
    /* The outer length matched, so OpenSSL stopping early means inner garbage. */
    return p == buf + len ? SNP_OK : SNP_E_FORMAT;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the usual era computation). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2 ? 1 : 0;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static snp_err
asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return snp_ossl_err(SNP_E_FORMAT);
    }
    *out = days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1, tm.tm_mday) * 86400 +
           (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
    return SNP_OK;
}

snp_err
snp_der_check_crl(const uint8_t *buf, size_t len, struct snp_crl_times *t)
{
    snp_err err;
    const unsigned char *p = buf;
    X509_CRL *crl = NULL;
    struct snp_crl_times tt;

    memset(&tt, 0, sizeof(tt));
    if (t != NULL) {
        memset(t, 0, sizeof(*t));
    }
    err = der_outer(buf, len);
    if (err != SNP_OK) {
        goto out;
    }
    ERR_clear_error();
    crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (crl == NULL || p != buf + len) {
        err = snp_ossl_err(SNP_E_FORMAT);
        goto out;
    }
    err = asn1_time_unix(X509_CRL_get0_lastUpdate(crl), &tt.this_update);
    if (err != SNP_OK) {
        goto out;
    }
    if (X509_CRL_get0_nextUpdate(crl) != NULL) {
        err = asn1_time_unix(X509_CRL_get0_nextUpdate(crl), &tt.next_update);
        if (err != SNP_OK) {
            goto out;
        }
        tt.has_next = true;
    }
    if (t != NULL) {
        *t = tt;
    }
    err = SNP_OK;
out:
    X509_CRL_free(crl);
    return err;
}

/* First occurrence of needle in hay[0..n), or NULL (memmem is not C11/POSIX). */
static const uint8_t *
find(const uint8_t *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    if (m > n) {
        return NULL;
    }
    for (size_t i = 0; i <= n - m; i++) {
        if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, m) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

static bool
is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One BEGIN..END block (exactly those bytes) must decode to one certificate. */
static snp_err
pem_block_cert(const uint8_t *blk, size_t n)
{
    BIO *bio;
    X509 *x;

    if (n > INT_MAX) {
        return SNP_E_RANGE;
    }
    ERR_clear_error();
    bio = BIO_new_mem_buf(blk, (int)n);
    if (bio == NULL) {
        return snp_ossl_err(SNP_E_NOMEM);
    }
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (x == NULL) {
        return snp_ossl_err(SNP_E_FORMAT);
    }
    X509_free(x);
    return SNP_OK;
}

snp_err
snp_pem_check_certs(const uint8_t *buf, size_t len, size_t *count)
{
    size_t off = 0;
    size_t n = 0;
    const size_t blen = strlen(PEM_BEGIN_CERT);
    const size_t elen = strlen(PEM_END_CERT);

    *count = 0;
    if (len == 0 || len > SNP_DER_CHECK_MAX) {
        return SNP_E_RANGE;
    }
    for (;;) {
        while (off < len && is_space(buf[off])) {
            off++;
        }
        if (off == len) {
            break;
        }
        /* Anything but a certificate block here (an HTML page, a key, a stray byte) fails. */
        if (len - off < blen) {
            return memcmp(buf + off, PEM_BEGIN_CERT, len - off) == 0 ? SNP_E_TRUNCATED
                                                                     : SNP_E_FORMAT;
        }
        if (memcmp(buf + off, PEM_BEGIN_CERT, blen) != 0) {
            return SNP_E_FORMAT;
        }
        if (n == PEM_MAX_BLOCKS) {
            return SNP_E_FORMAT;
        }
        const uint8_t *end = find(buf + off + blen, len - off - blen, PEM_END_CERT);
        if (end == NULL) {
            return SNP_E_TRUNCATED;
        }
        size_t blk_len = (size_t)(end - (buf + off)) + elen;
        /* A BEGIN inside the block means the previous block was cut short. */
        if (find(buf + off + blen, blk_len - blen, "-----BEGIN") != NULL) {
            return SNP_E_FORMAT;
        }
        SNP_TRY(pem_block_cert(buf + off, blk_len));
        n++;
        off += blk_len;
        *count = n;
    }
    return n > 0 ? SNP_OK : SNP_E_FORMAT;
}
