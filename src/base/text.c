/*
 * base/text.c - hex and base64 text codecs (libc only), for the forms users paste.
 */
#include "snpkit/util.h"

#include <stddef.h>

static int
hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

snp_err
snp_hex_encode(char *out, size_t out_size, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    if (out_size == 0 || n > (out_size - 1) / 2) {
        return SNP_E_SPACE;
    }
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
    return SNP_OK;
}

snp_err
snp_hex_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in, size_t in_len,
               size_t *err_off)
{
    size_t n = 0;
    int hi = -1;
    size_t i = 0;

    *out_len = 0;
    while (i < in_len && is_space(in[i])) {
        i++;
    }
    if (in_len - i >= 2 && in[i] == '0' && (in[i + 1] == 'x' || in[i + 1] == 'X')) {
        i += 2;
    }
    for (; i < in_len; i++) {
        int v;
        if (is_space(in[i])) {
            continue;
        }
        v = hex_val(in[i]);
        if (v < 0) {
            if (err_off != NULL) {
                *err_off = i;
            }
            return SNP_E_FORMAT;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= out_size) {
            return SNP_E_SPACE;
        }
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0) {
        if (err_off != NULL) {
            *err_off = in_len;
        }
        return SNP_E_FORMAT;
    }
    *out_len = n;
    return SNP_OK;
}

static const char b64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

snp_err
snp_b64_encode(char *out, size_t out_size, const uint8_t *in, size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);
    size_t o = 0;

    if (groups > (out_size - (out_size > 0)) / 4 || out_size == 0) {
        return SNP_E_SPACE;
    }
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t rem = n - i;
        if (rem > 1) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (rem > 2) {
            v |= in[i + 2];
        }
        out[o++] = b64_digits[(v >> 18) & 63];
        out[o++] = b64_digits[(v >> 12) & 63];
        out[o++] = rem > 1 ? b64_digits[(v >> 6) & 63] : '=';
        out[o++] = rem > 2 ? b64_digits[v & 63] : '=';
    }
    out[o] = '\0';
    return SNP_OK;
}

static int
b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

snp_err
snp_b64_decode(uint8_t *out, size_t out_size, size_t *out_len, const char *in, size_t in_len,
               size_t *err_off)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    size_t digits = 0;
    bool padding = false;

    *out_len = 0;
    for (size_t i = 0; i < in_len; i++) {
        int v;
        if (is_space(in[i])) {
            continue;
        }
        if (in[i] == '=') {
            padding = true;
            continue;
        }
        v = b64_val(in[i]);
        if (v < 0 || padding) {
            if (err_off != NULL) {
                *err_off = i;
            }
            return SNP_E_FORMAT;
        }
        digits++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= out_size) {
                return SNP_E_SPACE;
            }
            out[n++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (digits % 4 == 1) {
        if (err_off != NULL) {
            *err_off = in_len;
        }
        return SNP_E_FORMAT;
    }
    *out_len = n;
    return SNP_OK;
}
