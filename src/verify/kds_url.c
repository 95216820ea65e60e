/*
 * verify/kds_url.c - AMD KDS URL layout (attestation.md §5) and the names used by the KDS
 * client and the store.
 *
 * VCEK URLs carry the REPORTED_TCB components (never CURRENT or COMMITTED: user-needs.md
 * item 10), split by the product's TCB layout (attestation.md §2) in decimal without padding,
 * in AMD's parameter order; Turin adds fmcSPL first and names the chip by CHIP_ID[0..8].
 */
#include "snpkit/kds.h"

#include "verify/kds_int.h"

#include "snpkit/util.h"

#include <stdio.h>
#include <string.h>

const char *
snp_kds_key_name(enum snp_kds_key k)
{
    return k == SNP_KDS_KEY_VLEK ? "vlek" : "vcek";
}

const char *
snp_kds_item_name(enum snp_kds_item i)
{
    switch (i) {
    case SNP_KDS_ITEM_VCEK:
        return "vcek";
    case SNP_KDS_ITEM_CHAIN:
        return "cert_chain";
    case SNP_KDS_ITEM_CRL:
        return "crl";
    }
    return "unknown";
}

const char *
snp_kds_source_name(enum snp_kds_source s)
{
    switch (s) {
    case SNP_KDS_SRC_NONE:
        return "none";
    case SNP_KDS_SRC_STORE:
        return "store";
    case SNP_KDS_SRC_NETWORK:
        return "network";
    }
    return "unknown";
}

const char *
snp_kds_state_name(enum snp_kds_state s)
{
    switch (s) {
    case SNP_KDS_ST_OK:
        return "ok";
    case SNP_KDS_ST_MISSING:
        return "missing";
    case SNP_KDS_ST_STALE:
        return "stale";
    case SNP_KDS_ST_NOT_APPLICABLE:
        return "n/a";
    }
    return "unknown";
}

snp_err
kds_vfmt(char *out, size_t out_size, const char *fmt, va_list ap)
{
    int n;

    if (out_size == 0) {
        return SNP_E_SPACE;
    }
    n = vsnprintf(out, out_size, fmt, ap);
    if (n < 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return SNP_E_SPACE;
    }
    return SNP_OK;
}

snp_err
kds_fmt(char *out, size_t out_size, const char *fmt, ...)
{
    va_list ap;
    snp_err err;

    va_start(ap, fmt);
    err = kds_vfmt(out, out_size, fmt, ap);
    va_end(ap);
    return err;
}

size_t
snp_kds_hwid_len(enum snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN:
    case SNP_PRODUCT_GENOA:
        return 64;
    case SNP_PRODUCT_TURIN:
        return 8; /* attestation.md §4.4 hwID, §5: the 64-byte form gets a 404 */
    case SNP_PRODUCT_UNKNOWN:
        break;
    }
    return 0;
}

snp_err
kds_hwid_hex(char out[2 * SNP_KDS_HWID_MAX + 1], enum snp_product p, const uint8_t chip_id[64])
{
    size_t n = snp_kds_hwid_len(p);

    out[0] = '\0';
    SNP_ENSURE(n != 0 && chip_id != NULL, SNP_E_ARG);
    /* MASK_CHIP_ID leaves CHIP_ID zero (attestation.md §1.5): no chip to name. */
    SNP_ENSURE(!snp_ct_is_zero(chip_id, n), SNP_E_UNSUPPORTED);
    return snp_hex_encode(out, 2 * SNP_KDS_HWID_MAX + 1, chip_id, n);
}

void
kds_tcb_hex(char out[17], uint64_t tcb)
{
    static const char hex[] = "0123456789abcdef";

    for (unsigned i = 0; i < 8; i++) {
        uint8_t b = (uint8_t)(tcb >> (8 * i));
        out[2 * i] = hex[b >> 4];
        out[2 * i + 1] = hex[b & 15];
    }
    out[16] = '\0';
}

/* base without trailing '/', checked to be an http(s) URL; *n gets the kept length. */
static snp_err
base_url(const char *base, size_t *n)
{
    size_t len;

    if (base == NULL) {
        base = SNP_KDS_DEFAULT_BASE;
    }
    SNP_ENSURE(strncmp(base, "https://", 8) == 0 || strncmp(base, "http://", 7) == 0, SNP_E_ARG);
    len = strlen(base);
    while (len > 0 && base[len - 1] == '/') {
        len--;
    }
    SNP_ENSURE(len > 8 || (len > 7 && base[4] == ':'), SNP_E_ARG); /* a host follows "//" */
    for (size_t i = 0; i < len; i++) {
        /* No spaces, controls, query or fragment in the base: they would change the URL. */
        SNP_ENSURE(base[i] > 0x20 && base[i] < 0x7f && base[i] != '?' && base[i] != '#', SNP_E_ARG);
    }
    *n = len;
    return SNP_OK;
}

snp_err
snp_kds_url_vcek(char *out, size_t out_size, const char *base, enum snp_product product,
                 const uint8_t chip_id[64], uint64_t reported_tcb)
{
    struct snp_tcb t;
    char hwid[2 * SNP_KDS_HWID_MAX + 1];
    size_t blen = 0;
    const char *b = base != NULL ? base : SNP_KDS_DEFAULT_BASE;

    if (out_size > 0) {
        out[0] = '\0';
    }
    SNP_TRY(base_url(base, &blen));
    SNP_TRY(snp_tcb_decode(&t, reported_tcb, product));
    SNP_TRY(kds_hwid_hex(hwid, product, chip_id));
    if (product == SNP_PRODUCT_TURIN) {
        return kds_fmt(out, out_size,
                       "%.*s/vcek/v1/%s/%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
                       (int)blen, b, snp_product_name(product), hwid, t.fmc, t.boot_loader, t.tee,
                       t.snp, t.microcode);
    }
    return kds_fmt(out, out_size, "%.*s/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
                   (int)blen, b, snp_product_name(product), hwid, t.boot_loader, t.tee, t.snp,
                   t.microcode);
}

static snp_err
url_line(char *out, size_t out_size, const char *base, enum snp_product product,
         enum snp_kds_key key, const char *leaf)
{
    size_t blen = 0;
    const char *b = base != NULL ? base : SNP_KDS_DEFAULT_BASE;

    if (out_size > 0) {
        out[0] = '\0';
    }
    SNP_TRY(base_url(base, &blen));
    SNP_ENSURE(snp_kds_hwid_len(product) != 0, SNP_E_ARG);
    SNP_ENSURE(key == SNP_KDS_KEY_VCEK || key == SNP_KDS_KEY_VLEK, SNP_E_ARG);
    return kds_fmt(out, out_size, "%.*s/%s/v1/%s/%s", (int)blen, b, snp_kds_key_name(key),
                   snp_product_name(product), leaf);
}

snp_err
snp_kds_url_chain(char *out, size_t out_size, const char *base, enum snp_product product,
                  enum snp_kds_key key)
{
    return url_line(out, out_size, base, product, key, "cert_chain");
}

snp_err
snp_kds_url_crl(char *out, size_t out_size, const char *base, enum snp_product product,
                enum snp_kds_key key)
{
    return url_line(out, out_size, base, product, key, "crl");
}
