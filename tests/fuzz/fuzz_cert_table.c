/*
 * tests/fuzz/fuzz_cert_table.c - the certificate table decoder, builder and GUID text codec
 * (snpkit/certtable.h).
 *
 * Properties: an accepted table has every certificate inside the buffer and after the entry
 * array; rebuilding it with the builder and decoding the result gives the same entries (GUID as
 * found, LENGTH, certificate bytes, kind, form) in the same order; lookups agree with the kinds.
 * The first 36 bytes as GUID text: parse succeeds => format gives the same text lower-cased;
 * the first 16 bytes as a GUID: format then parse is the identity. Any violation abort()s.
 */
#include "snpkit/certtable.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 64

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void
rebuild(const uint8_t *buf, size_t len, const struct snp_cert_entry *e, size_t n)
{
    struct snp_cert_blob blobs[CAP];
    struct snp_cert_entry back[CAP];
    size_t need = 0, got = 0, m = 0;
    uint8_t *out;

    for (size_t i = 0; i < n; i++) {
        blobs[i].guid = e[i].guid;
        blobs[i].data = buf + e[i].offset;
        blobs[i].len = e[i].length;
    }
    check(snp_cert_table_encode(NULL, 0, &need, blobs, n) == SNP_E_SPACE);
    check(need >= (n + 1) * SNP_CERT_ENTRY_SIZE);
    out = malloc(need);
    check(out != NULL);
    check(snp_cert_table_encode(out, need, &got, blobs, n) == SNP_OK && got == need);
    check(snp_cert_table_decode(back, CAP, &m, out, got, NULL) == SNP_OK && m == n);
    for (size_t i = 0; i < n; i++) {
        check(memcmp(back[i].guid.b, e[i].guid.b, SNP_GUID_SIZE) == 0);
        check(back[i].length == e[i].length && back[i].kind == e[i].kind &&
              back[i].form == e[i].form);
        check(memcmp(out + back[i].offset, buf + e[i].offset, e[i].length) == 0 ||
              e[i].length == 0);
    }
    /* Built tables are exactly their data: no padding. */
    check(n == 0 || snp_cert_table_data_end(back, m) == got);
    free(out);
    (void)len;
}

static void
table(const uint8_t *buf, size_t len)
{
    struct snp_cert_entry e[CAP];
    size_t n = 0, off = 0, idx = 0;
    snp_err err = snp_cert_table_decode(e, CAP, &n, buf, len, &off);

    if (err == SNP_E_SPACE) {
        check(n > CAP);
        return;
    }
    if (err != SNP_OK) {
        check(n == 0 && off <= len);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        check(e[i].offset >= (n + 1) * SNP_CERT_ENTRY_SIZE);
        check(e[i].offset <= len && e[i].length <= len - e[i].offset);
        check(!snp_guid_is_zero(&e[i].guid));
        check(snp_cert_kind_of(&e[i].guid, NULL) == e[i].kind);
        check((e[i].kind == SNP_CERT_UNKNOWN) == (e[i].form == SNP_GUID_FORM_NONE));
    }
    check(snp_cert_table_data_end(e, n) <= len);
    for (int k = SNP_CERT_ARK; k <= SNP_CERT_CRL; k++) {
        if (snp_cert_table_find(e, n, (enum snp_cert_kind)k, 0, &idx) == SNP_OK) {
            check(idx < n && e[idx].kind == (enum snp_cert_kind)k);
        }
    }
    rebuild(buf, len, e, n);
}

static void
guid_text(const uint8_t *data, size_t size)
{
    struct snp_guid g, g2;
    char text[SNP_GUID_TEXT_LEN + 1];
    size_t off = 0;

    if (size >= SNP_GUID_TEXT_LEN &&
        snp_guid_parse(&g, (const char *)data, SNP_GUID_TEXT_LEN, &off) == SNP_OK) {
        snp_guid_format(text, &g);
        for (size_t i = 0; i < SNP_GUID_TEXT_LEN; i++) {
            check(text[i] == (char)tolower(data[i]));
        }
    }
    if (size >= SNP_GUID_SIZE) {
        memcpy(g.b, data, SNP_GUID_SIZE);
        snp_guid_format(text, &g);
        check(snp_guid_parse(&g2, text, SNP_GUID_TEXT_LEN, NULL) == SNP_OK);
        check(memcmp(g.b, g2.b, SNP_GUID_SIZE) == 0);
        snp_guid_swap_mixed(&g2, &g);
        snp_guid_swap_mixed(&g2, &g2);
        check(memcmp(g.b, g2.b, SNP_GUID_SIZE) == 0);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    table(data, size);
    guid_text(data, size);
    return 0;
}
