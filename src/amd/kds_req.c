/*
 * amd/kds_req.c - the key server's request grammar: AMD's KDS URL layout (attestation.md §5)
 * parsed from the raw request target.
 *
 * Pure: bytes in, a struct out, no allocation, no I/O (tests/fuzz/fuzz_kds_request.c feeds it
 * arbitrary bytes). The answers mirror AMD's: a resource that does not exist is 404
 * (SNP_E_NOTFOUND), a resource that exists asked for with bad parameters is 400 (SNP_E_FORMAT).
 */
#include "snpkit/util.h"
#include "snpkit/vendor.h"

#include "base/compiler.h"

#include <ctype.h>
#include <string.h>

/* One '/'-separated path segment: [*pos, end) up to the next '/' or the end. */
static bool
next_seg(const char *s, size_t len, size_t *pos, const char **seg, size_t *seg_len)
{
    size_t start = *pos;

    if (start > len) {
        return false;
    }
    while (*pos < len && s[*pos] != '/') {
        (*pos)++;
    }
    *seg = s + start;
    *seg_len = *pos - start;
    (*pos)++; /* past the '/' (or one past the end: no more segments) */
    return true;
}

static bool
seg_is(const char *seg, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(seg, want, n) == 0;
}

/* §5: the hwID as hex: its length names the product's form (404 otherwise), digits 400. */
static snp_err
parse_hwid(struct snp_kds_req *r, const char *seg, size_t n)
{
    size_t want = r->product == SNP_PRODUCT_TURIN ? 8 : 64;

    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        SNP_ENSURE(isxdigit((unsigned char)seg[i]), SNP_E_FORMAT); /* digits only: 400 */
    }
    /* The 64-byte form on Turin gets a 404 at AMD (CCF PR 7499), as does any other length. */
    SNP_ENSURE(n == 2 * want, SNP_E_NOTFOUND);
    SNP_TRY(snp_hex_decode(r->hwid, want, &len, seg, n, NULL));
    r->hwid_len = len;
    return SNP_OK;
}

enum { P_FMC, P_BL, P_TEE, P_SNP, P_UCODE, P_COUNT };

static int
param_index(const char *k, size_t n)
{
    static const char *const names[P_COUNT] = {"fmcSPL", "blSPL", "teeSPL", "snpSPL", "ucodeSPL"};

    for (int i = 0; i < P_COUNT; i++) {
        if (seg_is(k, n, names[i])) {
            return i;
        }
    }
    return -1;
}

/* A decimal SPL 0..255: 1 to 3 digits (snpguest zero-pads to two, go-sev-guest does not). */
static snp_err
parse_spl(const char *s, size_t n, uint8_t *out)
{
    unsigned v = 0;

    SNP_ENSURE(n >= 1 && n <= 3, SNP_E_FORMAT);
    for (size_t i = 0; i < n; i++) {
        SNP_ENSURE(s[i] >= '0' && s[i] <= '9', SNP_E_FORMAT);
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    SNP_ENSURE(v <= 255, SNP_E_FORMAT);
    *out = (uint8_t)v;
    return SNP_OK;
}

/* The VCEK query: each SPL of the product exactly once, nothing else. */
static snp_err
parse_query(struct snp_kds_req *r, const char *q, size_t n)
{
    uint8_t val[P_COUNT] = {0};
    bool seen[P_COUNT] = {false};
    size_t pos = 0;
    struct snp_tcb t;

    while (pos < n) {
        size_t start = pos, eq = 0;
        bool has_eq = false;
        int idx;
        while (pos < n && q[pos] != '&') {
            if (q[pos] == '=' && !has_eq) {
                has_eq = true;
                eq = pos;
            }
            pos++;
        }
        SNP_ENSURE(has_eq, SNP_E_FORMAT);
        idx = param_index(q + start, eq - start);
        SNP_ENSURE(idx >= 0 && !seen[idx], SNP_E_FORMAT);
        SNP_TRY(parse_spl(q + eq + 1, pos - eq - 1, &val[idx]));
        seen[idx] = true;
        pos++; /* past '&' */
    }
    SNP_ENSURE(seen[P_BL] && seen[P_TEE] && seen[P_SNP] && seen[P_UCODE], SNP_E_FORMAT);
    /* fmcSPL exists on Turin only (attestation.md §2, §5). */
    SNP_ENSURE(seen[P_FMC] == (r->product == SNP_PRODUCT_TURIN), SNP_E_FORMAT);
    memset(&t, 0, sizeof(t));
    t.product = r->product;
    t.fmc = val[P_FMC];
    t.boot_loader = val[P_BL];
    t.tee = val[P_TEE];
    t.snp = val[P_SNP];
    t.microcode = val[P_UCODE];
    r->tcb = snp_tcb_encode(&t);
    return SNP_OK;
}

static snp_err
parse(struct snp_kds_req *out, const char *target, size_t len)
{
    const char *seg, *q = NULL;
    size_t n, pos = 1, plen = len, qlen = 0;
    static const char *const lines[4] = {NULL, "Milan", "Genoa", "Turin"};

    for (size_t i = 0; i < len; i++) {
        if (target[i] == '?' && q == NULL) {
            q = target + i + 1;
            qlen = len - i - 1;
            plen = i;
        }
        /* Request-target characters only (RFC 9112 §3.2): no controls, spaces or fragments. */
        SNP_ENSURE(target[i] > 0x20 && target[i] < 0x7f && target[i] != '#', SNP_E_FORMAT);
    }
    SNP_ENSURE(plen > 0 && target[0] == '/', SNP_E_NOTFOUND);
    /* {vcek|vlek} / v1 / {Line} / {hwid|cert_chain|crl}, and nothing after. */
    if (!next_seg(target, plen, &pos, &seg, &n)) {
        return SNP_E_NOTFOUND;
    }
    if (seg_is(seg, n, "vcek")) {
        out->family = SNP_VENDOR_VCEK;
    } else if (seg_is(seg, n, "vlek")) {
        out->family = SNP_VENDOR_VLEK;
    } else {
        return SNP_E_NOTFOUND;
    }
    if (!next_seg(target, plen, &pos, &seg, &n) || !seg_is(seg, n, "v1") ||
        !next_seg(target, plen, &pos, &seg, &n)) {
        return SNP_E_NOTFOUND;
    }
    for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
        if (seg_is(seg, n, lines[p])) {
            out->product = (enum snp_product)p;
        }
    }
    if (out->product == SNP_PRODUCT_UNKNOWN || !next_seg(target, plen, &pos, &seg, &n) ||
        pos <= plen) {
        return SNP_E_NOTFOUND; /* unknown line, too few or too many segments */
    }
    if (seg_is(seg, n, "cert_chain")) {
        out->kind = SNP_KDS_REQ_CHAIN;
        return SNP_OK;
    }
    if (seg_is(seg, n, "crl")) {
        out->kind = SNP_KDS_REQ_CRL;
        return SNP_OK;
    }
    /* A chip: VCEKs only (VLEKs are issued to providers, never looked up by chip). */
    out->kind = SNP_KDS_REQ_VCEK;
    SNP_ENSURE(out->family == SNP_VENDOR_VCEK && n > 0, SNP_E_NOTFOUND);
    SNP_TRY(parse_hwid(out, seg, n));
    return parse_query(out, q != NULL ? q : "", qlen);
}

snp_err
snp_kds_req_parse(struct snp_kds_req *out, const char *target, size_t len)
{
    snp_err err;

    SNP_ENSURE(out != NULL, SNP_E_ARG);
    memset(out, 0, sizeof(*out));
    SNP_ENSURE(target != NULL || len == 0, SNP_E_ARG);
    err = parse(out, target, len);
    if (err != SNP_OK) {
        memset(out, 0, sizeof(*out)); /* no half-parsed request */
    }
    return err;
}
