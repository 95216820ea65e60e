/*
 * crypto/aes_xts.c - AES-128/256-XTS with a physical-address tweak (hardware.md §3.2).
 *
 * XTS over 4 KiB data units, computed from ECB so that any 16-byte aligned run can start
 * mid-page: T_0 = E_K2(IV), T_j = T_{j-1} * alpha in GF(2^128) (IEEE 1619), and per block
 * C = E_K1(P ^ T_j) ^ T_j. For a page: one ECB call for T_0, one ECB call over the whole run,
 * and XOR loops; never an EVP call per block. Whole pages go through OpenSSL's own XTS with
 * IV = page SPA, which computes the same thing faster. Relies on OpenSSL's ECB; the caller's key
 * bytes are not kept, EVP contexts are cleansed on reset/free.
 */
#include "crypto/aes.h"

#include "snpkit/util.h"

#include <openssl/evp.h>

#include <string.h>

struct snp_aes_xts {
    EVP_CIPHER_CTX *enc1; /* E_K1 */
    EVP_CIPHER_CTX *dec1; /* D_K1 */
    EVP_CIPHER_CTX *enc2; /* E_K2, the tweak key */
    EVP_CIPHER_CTX *xenc; /* OpenSSL's own XTS, for whole pages (same result, faster) */
    EVP_CIPHER_CTX *xdec;
    bool keyed;
    bool native; /* xenc/xdec usable (OpenSSL refuses K1 == K2 in some builds) */
    uint8_t tweak[SNP_AES_XTS_UNIT]; /* scratch: one tweak per block of the current page */
};

snp_err
snp_aes_xts_new(struct snp_aes_xts **out)
{
    struct snp_aes_xts *c;

    *out = NULL;
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        return SNP_E_NOMEM;
    }
    c->enc1 = EVP_CIPHER_CTX_new();
    c->dec1 = EVP_CIPHER_CTX_new();
    c->enc2 = EVP_CIPHER_CTX_new();
    c->xenc = EVP_CIPHER_CTX_new();
    c->xdec = EVP_CIPHER_CTX_new();
    if (c->enc1 == NULL || c->dec1 == NULL || c->enc2 == NULL || c->xenc == NULL ||
        c->xdec == NULL) {
        snp_aes_xts_free(c);
        return SNP_E_NOMEM;
    }
    *out = c;
    return SNP_OK;
}

static bool
ecb_init(EVP_CIPHER_CTX *x, const EVP_CIPHER *ciph, const uint8_t *key, int enc)
{
    return EVP_CipherInit_ex(x, ciph, NULL, key, NULL, enc) == 1 &&
           EVP_CIPHER_CTX_set_padding(x, 0) == 1;
}

snp_err
snp_aes_xts_set_key(struct snp_aes_xts *c, const uint8_t *key, size_t key_len)
{
    const EVP_CIPHER *ciph;
    const EVP_CIPHER *xts;
    size_t half = key_len / 2;

    if (c == NULL || key == NULL) {
        return SNP_E_ARG;
    }
    if (key_len == SNP_AES_XTS_128_KEY_SIZE) {
        ciph = EVP_aes_128_ecb();
        xts = EVP_aes_128_xts();
    } else if (key_len == SNP_AES_XTS_256_KEY_SIZE) {
        ciph = EVP_aes_256_ecb();
        xts = EVP_aes_256_xts();
    } else {
        return SNP_E_ARG;
    }
    snp_aes_xts_clear_key(c);
    if (!ecb_init(c->enc1, ciph, key, 1) || !ecb_init(c->dec1, ciph, key, 0) ||
        !ecb_init(c->enc2, ciph, key + half, 1)) {
        snp_aes_xts_clear_key(c);
        return SNP_E_CRYPTO;
    }
    c->keyed = true;
    c->native = EVP_CipherInit_ex(c->xenc, xts, NULL, key, NULL, 1) == 1 &&
                EVP_CipherInit_ex(c->xdec, xts, NULL, key, NULL, 0) == 1;
    return SNP_OK;
}

void
snp_aes_xts_clear_key(struct snp_aes_xts *c)
{
    if (c == NULL) {
        return;
    }
    /* EVP_CIPHER_CTX_reset cleanses the key schedule. */
    EVP_CIPHER_CTX_reset(c->enc1);
    EVP_CIPHER_CTX_reset(c->dec1);
    EVP_CIPHER_CTX_reset(c->enc2);
    EVP_CIPHER_CTX_reset(c->xenc);
    EVP_CIPHER_CTX_reset(c->xdec);
    c->native = false;
    snp_wipe(c->tweak, sizeof(c->tweak));
    c->keyed = false;
}

bool
snp_aes_xts_has_key(const struct snp_aes_xts *c)
{
    return c != NULL && c->keyed;
}

static inline uint64_t
ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline void
st64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/*
 * The tweaks of blocks first..first+n-1 of the page at @page_spa into c->tweak[0..16n).
 * alpha-multiplication on the little-endian 128-bit value: shift left one bit, and fold the
 * carry out of bit 127 back as x^7 + x^2 + x + 1 (0x87), IEEE 1619 §5.2. The uint64 loads are
 * little-endian on the hosts we build for (x86-64, aarch64); _Static_assert-free because XTS
 * results are checked against OpenSSL's own XTS in the tests.
 */
static bool
page_tweaks(struct snp_aes_xts *c, uint64_t page_spa, size_t first, size_t n)
{
    uint8_t iv[16] = {0};
    uint8_t t[16];
    uint64_t lo, hi, carry;
    int outl = 0;

    for (size_t i = 0; i < 8; i++) {
        iv[i] = (uint8_t)(page_spa >> (8 * i));
    }
    if (EVP_EncryptUpdate(c->enc2, t, &outl, iv, 16) != 1 || outl != 16) {
        return false;
    }
    lo = ld64(t);
    hi = ld64(t + 8);
    for (size_t j = 0; j < first + n; j++) {
        if (j >= first) {
            st64(c->tweak + 16 * (j - first), lo);
            st64(c->tweak + 16 * (j - first) + 8, hi);
        }
        carry = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo = (lo << 1) ^ (carry * UINT64_C(0x87));
    }
    snp_wipe(t, sizeof(t));
    return true;
}

static void
xor_tweak(uint8_t *dst, const uint8_t *src, const uint8_t *tw, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        st64(dst + i, ld64(src + i) ^ ld64(tw + i));
    }
}

/* A whole page through OpenSSL's XTS with IV = page SPA: bit-identical to the ECB
 * construction above (the tests check it), and as fast as raw XTS. */
static bool
native_page(struct snp_aes_xts *c, bool enc, uint64_t page, const uint8_t *in, uint8_t *out)
{
    EVP_CIPHER_CTX *x = enc ? c->xenc : c->xdec;
    uint8_t iv[16] = {0};
    int outl = 0;

    for (size_t i = 0; i < 8; i++) {
        iv[i] = (uint8_t)(page >> (8 * i));
    }
    return EVP_CipherInit_ex(x, NULL, NULL, NULL, iv, enc ? 1 : 0) == 1 &&
           EVP_CipherUpdate(x, out, &outl, in, SNP_AES_XTS_UNIT) == 1 && outl == SNP_AES_XTS_UNIT;
}

snp_err
snp_aes_xts_crypt(struct snp_aes_xts *c, bool enc, uint64_t spa, const uint8_t *in, uint8_t *out,
                  size_t len)
{
    EVP_CIPHER_CTX *core;

    if (c == NULL || !c->keyed || (spa % SNP_AES_BLOCK) != 0 || (len % SNP_AES_BLOCK) != 0) {
        return SNP_E_ARG;
    }
    core = enc ? c->enc1 : c->dec1;
    while (len > 0) {
        uint64_t page = spa & ~(uint64_t)(SNP_AES_XTS_UNIT - 1);
        size_t off = (size_t)(spa - page);
        size_t n = SNP_AES_XTS_UNIT - off;
        int outl = 0;

        if (n > len) {
            n = len;
        }
        if (off == 0 && n == SNP_AES_XTS_UNIT && c->native) {
            if (!native_page(c, enc, page, in, out)) {
                return SNP_E_CRYPTO;
            }
            goto next;
        }
        if (!page_tweaks(c, page, off / SNP_AES_BLOCK, n / SNP_AES_BLOCK)) {
            return SNP_E_CRYPTO;
        }
        xor_tweak(out, in, c->tweak, n);
        if (EVP_CipherUpdate(core, out, &outl, out, (int)n) != 1 || (size_t)outl != n) {
            return SNP_E_CRYPTO;
        }
        xor_tweak(out, out, c->tweak, n);
    next:
        spa += n;
        in += n;
        out += n;
        len -= n;
    }
    return SNP_OK;
}

void
snp_aes_xts_free(struct snp_aes_xts *c)
{
    if (c == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(c->enc1);
    EVP_CIPHER_CTX_free(c->dec1);
    EVP_CIPHER_CTX_free(c->enc2);
    EVP_CIPHER_CTX_free(c->xenc);
    EVP_CIPHER_CTX_free(c->xdec);
    OPENSSL_clear_free(c, sizeof(*c));
}
