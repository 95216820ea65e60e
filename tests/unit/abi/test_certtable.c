/*
 * tests/unit/abi/test_certtable.c - the extended-report certificate table (attestation.md §6):
 * hand-built tables (good, empty, unterminated, offsets inside the entry array, OFFSET + LENGTH
 * past the buffer or past 2^32, mixed-endian and unknown GUIDs, trailing bytes), the builder,
 * lookups, and the GUID text codec. No real host table exists among the vectors (§6.2), so all
 * tables here are synthetic.
 */
#include "helpers.h"

#include "snpkit/certtable.h"
#include "snpkit/layout.h"

#include "base/rd.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static const struct snp_guid g_ark = SNP_GUID_ARK_INIT;
static const struct snp_guid g_ask = SNP_GUID_ASK_INIT;
static const struct snp_guid g_vcek = SNP_GUID_VCEK_INIT;
static const struct snp_guid g_vlek = SNP_GUID_VLEK_INIT;
static const struct snp_guid g_crl = SNP_GUID_CRL_INIT;
/* go-sev-guest's private "extra platform info" GUID (§6.2): not ours, must be tolerated. */
static const struct snp_guid g_other = {{0xec, 0xae, 0x0c, 0x0f, 0x95, 0x02, 0x43, 0xb1, 0xaf, 0xa2,
                                         0x0a, 0xe2, 0xe0, 0xd5, 0x65, 0xb6}};

/* Entry i of a table in buf, written by hand (independent of the builder). */
static void
put_entry(uint8_t *buf, size_t i, const struct snp_guid *g, uint32_t off, uint32_t len)
{
    uint8_t *e = buf + i * SNP_CERT_ENTRY_SIZE;

    if (g != NULL) {
        memcpy(e, g->b, SNP_GUID_SIZE);
    } else {
        memset(e, 0, SNP_GUID_SIZE);
    }
    snp_put_le32(e + 0x10, off);
    snp_put_le32(e + 0x14, len);
}

/*
 * A good page-padded table: VCEK, ASK, ARK (3 entries + terminator = 96 bytes), certificates of
 * 100, 200 and 300 bytes at 96, 196, 396, zero padding to 4096.
 */
#define GOOD_LEN      4096
#define GOOD_DATA_END (96 + 600)

static uint8_t *
good_table(void)
{
    uint8_t *buf = calloc(1, GOOD_LEN);

    assert_non_null(buf);
    put_entry(buf, 0, &g_vcek, 96, 100);
    put_entry(buf, 1, &g_ask, 196, 200);
    put_entry(buf, 2, &g_ark, 396, 300);
    put_entry(buf, 3, NULL, 0, 0);
    t_fill(buf + 96, 600, 42);
    return buf;
}

static snp_err
decode(const uint8_t *buf, size_t len, struct snp_cert_entry *e, size_t cap, size_t *count,
       size_t *off)
{
    return snp_cert_table_decode(e, cap, count, buf, len, off);
}

/* ---- GUIDs ---- */

static void
test_guid_constants_text(void **state)
{
    static const struct {
        enum snp_cert_kind kind;
        const char *text;
        const char *name;
    } rows[] = {
        {SNP_CERT_ARK, "c0b406a4-a803-4952-9743-3fb6014cd0ae", "ARK"},
        {SNP_CERT_ASK, "4ab7b379-bbac-4fe4-a02f-05aef327c782", "ASK"},
        {SNP_CERT_VCEK, "63da758d-e664-4564-adc5-f4b93be8accd", "VCEK"},
        {SNP_CERT_VLEK, "a8074bc2-a25a-483e-aae6-39c045a0b8a1", "VLEK"},
        {SNP_CERT_CRL, "92f81bc3-5811-4d3d-97ff-d19f88dc67ea", "CRL"},
    };
    char text[SNP_GUID_TEXT_LEN + 1];

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct snp_guid *g = snp_cert_kind_guid(rows[i].kind);
        struct snp_guid parsed, mixed;
        enum snp_guid_form form = SNP_GUID_FORM_NONE;

        assert_non_null(g);
        snp_guid_format(text, g);
        assert_string_equal(text, rows[i].text);
        T_OK(snp_guid_parse(&parsed, rows[i].text, strlen(rows[i].text), NULL));
        assert_memory_equal(parsed.b, g->b, SNP_GUID_SIZE);
        assert_string_equal(snp_cert_kind_name(rows[i].kind), rows[i].name);

        assert_int_equal(snp_cert_kind_of(g, &form), rows[i].kind);
        assert_int_equal(form, SNP_GUID_FORM_TEXT);
        snp_guid_swap_mixed(&mixed, g);
        assert_int_equal(snp_cert_kind_of(&mixed, &form), rows[i].kind);
        assert_int_equal(form, SNP_GUID_FORM_MIXED);
    }
    /* §6.2's example of the mixed form: VCEK = 8d 75 da 63 64 e6 64 45 ... */
    struct snp_guid m;
    snp_guid_swap_mixed(&m, &g_vcek);
    assert_int_equal(m.b[0], 0x8d);
    assert_int_equal(m.b[3], 0x63);
    assert_int_equal(m.b[4], 0x64);
    assert_int_equal(m.b[5], 0xe6);
    assert_int_equal(m.b[6], 0x64);
    assert_int_equal(m.b[7], 0x45);
    assert_memory_equal(m.b + 8, g_vcek.b + 8, 8);
    snp_guid_swap_mixed(&m, &m); /* involution, in place */
    assert_memory_equal(m.b, g_vcek.b, SNP_GUID_SIZE);

    assert_null(snp_cert_kind_guid(SNP_CERT_UNKNOWN));
    assert_string_equal(snp_cert_kind_name(SNP_CERT_UNKNOWN), "unknown");
    assert_string_equal(snp_cert_kind_name((enum snp_cert_kind)99), "unknown");
    enum snp_guid_form form = SNP_GUID_FORM_TEXT;
    assert_int_equal(snp_cert_kind_of(&g_other, &form), SNP_CERT_UNKNOWN);
    assert_int_equal(form, SNP_GUID_FORM_NONE);
    (void)g_vlek;
    (void)g_crl;
}

static void
test_guid_parse_errors(void **state)
{
    struct snp_guid g;
    size_t off = 0;
    const char *good = "63DA758D-E664-4564-ADC5-F4B93BE8ACCD"; /* upper case is accepted */

    (void)state;
    T_OK(snp_guid_parse(&g, good, strlen(good), &off));
    assert_memory_equal(g.b, g_vcek.b, SNP_GUID_SIZE);

    T_ERR(snp_guid_parse(&g, good, 35, &off), SNP_E_FORMAT); /* too short */
    assert_int_equal(off, 35);
    T_ERR(snp_guid_parse(&g, "63da758d-e664-4564-adc5-f4b93be8accd0", 37, &off), SNP_E_FORMAT);
    assert_int_equal(off, 36);
    T_ERR(snp_guid_parse(&g, "63da758d-e664-4564-adc5-f4b93be8accx", 36, &off), SNP_E_FORMAT);
    assert_int_equal(off, 35);
    T_ERR(snp_guid_parse(&g, "63da758d_e664-4564-adc5-f4b93be8accd", 36, &off), SNP_E_FORMAT);
    assert_int_equal(off, 8);
    T_ERR(snp_guid_parse(&g, "63da758de-664-4564-adc5-f4b93be8accd", 36, &off), SNP_E_FORMAT);
    assert_int_equal(off, 8);
    T_ERR(snp_guid_parse(&g, "{63da758d-e664-4564-adc5-f4b93be8acc}", 37, &off), SNP_E_FORMAT);
    assert_int_equal(off, 0);
    T_ERR(snp_guid_parse(&g, "", 0, &off), SNP_E_FORMAT);
    assert_int_equal(off, 0);
    T_ERR(snp_guid_parse(&g, NULL, 36, &off), SNP_E_FORMAT);
    for (size_t i = 0; i < SNP_GUID_SIZE; i++) {
        assert_int_equal(g.b[i], 0); /* zeroed on failure */
    }
}

/* ---- decoding ---- */

static void
test_good_table(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[8];
    size_t n = 99, off = 99, idx = 99;

    (void)state;
    T_OK(decode(buf, GOOD_LEN, e, 8, &n, &off));
    assert_int_equal(n, 3);
    assert_int_equal(e[0].kind, SNP_CERT_VCEK);
    assert_int_equal(e[0].form, SNP_GUID_FORM_TEXT);
    assert_int_equal(e[0].offset, 96);
    assert_int_equal(e[0].length, 100);
    assert_int_equal(e[1].kind, SNP_CERT_ASK);
    assert_int_equal(e[2].kind, SNP_CERT_ARK);
    assert_int_equal(e[2].offset, 396);
    assert_int_equal(e[2].length, 300);
    assert_memory_equal(e[0].guid.b, g_vcek.b, SNP_GUID_SIZE);
    for (size_t i = 3; i < 8; i++) {
        assert_int_equal(e[i].offset, 0); /* past the count: zeroed */
        assert_int_equal(e[i].kind, SNP_CERT_UNKNOWN);
    }
    T_OK(snp_cert_table_find(e, n, SNP_CERT_ARK, 0, &idx));
    assert_int_equal(idx, 2);
    T_OK(snp_cert_table_find(e, n, SNP_CERT_VCEK, 0, &idx));
    assert_int_equal(idx, 0);
    T_ERR(snp_cert_table_find(e, n, SNP_CERT_VCEK, 1, &idx), SNP_E_NOTFOUND);
    T_ERR(snp_cert_table_find(e, n, SNP_CERT_VLEK, 0, &idx), SNP_E_NOTFOUND);
    T_ERR(snp_cert_table_find(e, n, SNP_CERT_UNKNOWN, 0, &idx), SNP_E_ARG);
    assert_int_equal(snp_cert_table_data_end(e, n), GOOD_DATA_END);

    /* Exactly the data, no padding (the configfs-tsm auxblob form, §6.3). */
    T_OK(decode(buf, GOOD_DATA_END, e, 8, &n, &off));
    assert_int_equal(n, 3);
    /* Entries in any order: the same table with entries 0 and 2 swapped. */
    put_entry(buf, 0, &g_ark, 396, 300);
    put_entry(buf, 2, &g_vcek, 96, 100);
    T_OK(decode(buf, GOOD_LEN, e, 8, &n, &off));
    assert_int_equal(e[0].kind, SNP_CERT_ARK);
    free(buf);
}

static void
test_empty_tables(void **state)
{
    uint8_t page[4096] = {0};
    struct snp_cert_entry e[2];
    size_t n = 99, off = 99;

    (void)state;
    T_OK(decode(NULL, 0, e, 2, &n, &off)); /* §6.1: empty buffer = no certificates */
    assert_int_equal(n, 0);
    T_OK(decode(page, 0, NULL, 0, &n, &off));
    assert_int_equal(n, 0);
    T_OK(decode(page, SNP_CERT_ENTRY_SIZE, e, 2, &n, &off)); /* terminator alone */
    assert_int_equal(n, 0);
    T_OK(decode(page, sizeof(page), e, 2, &n, &off)); /* a zero page */
    assert_int_equal(n, 0);
    assert_int_equal(snp_cert_table_data_end(e, 0), 0);
    T_ERR(decode(NULL, 5, e, 2, &n, &off), SNP_E_ARG);
}

static void
test_unterminated(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    size_t n = 99, off = 0;

    (void)state;
    /* Too short for even one entry. */
    for (size_t len = 1; len < SNP_CERT_ENTRY_SIZE; len++) {
        T_ERR(decode(buf, len, e, 4, &n, &off), SNP_E_TRUNCATED);
        assert_int_equal(off, 0);
        assert_int_equal(n, 0);
    }
    /* Cut inside the array or inside the terminator. */
    for (size_t len = SNP_CERT_ENTRY_SIZE; len < 96; len++) {
        T_ERR(decode(buf, len, e, 4, &n, &off), SNP_E_TRUNCATED);
        assert_int_equal(off, (len / SNP_CERT_ENTRY_SIZE) * SNP_CERT_ENTRY_SIZE);
    }
    /* No terminator at all: entries run to the end of the buffer. */
    uint8_t arr[3 * SNP_CERT_ENTRY_SIZE];
    put_entry(arr, 0, &g_vcek, 72, 0);
    put_entry(arr, 1, &g_ask, 72, 0);
    put_entry(arr, 2, &g_ark, 72, 0);
    T_ERR(decode(arr, sizeof(arr), e, 4, &n, &off), SNP_E_TRUNCATED);
    assert_int_equal(off, sizeof(arr));
    free(buf);
}

/* Variable-size analogue of the truncation sweep: every prefix of the good table. */
static void
test_prefix_sweep(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    size_t n = 0, off = 0;

    (void)state;
    for (size_t len = 1; len < GOOD_DATA_END; len++) {
        snp_err err = decode(buf, len, e, 4, &n, &off);
        if (len < 96) {
            T_ERR(err, SNP_E_TRUNCATED); /* the terminator is not all there */
        } else {
            T_ERR(err, SNP_E_RANGE); /* a certificate runs past the end */
            assert_int_equal(off % SNP_CERT_ENTRY_SIZE, SNP_CERT_ENTRY_OFF_LENGTH);
        }
    }
    T_OK(decode(buf, GOOD_DATA_END, e, 4, &n, &off));
    T_OK(decode(buf, GOOD_DATA_END + 1, e, 4, &n, &off)); /* one zero byte of padding */
    buf[GOOD_DATA_END] = 0x01;
    T_ERR(decode(buf, GOOD_DATA_END + 1, e, 4, &n, &off), SNP_E_TRAILING);
    assert_int_equal(off, GOOD_DATA_END);
    free(buf);
}

static void
test_offset_bounds(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    size_t n = 0, off = 0;
    /* OFFSET below the end of the terminator (96): inside the entry array. */
    static const uint32_t inside[] = {0, 1, 24, 72, 95};

    (void)state;
    for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
        put_entry(buf, 1, &g_ask, inside[i], 0);
        T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
        assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_OFFSET);
        assert_int_equal(n, 0);
        assert_int_equal(e[0].kind, SNP_CERT_UNKNOWN); /* all zeroed on failure */
    }
    put_entry(buf, 1, &g_ask, 96, 0); /* exactly at the end of the terminator, empty: fine */
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off));

    /* OFFSET past the buffer. */
    put_entry(buf, 1, &g_ask, GOOD_LEN + 1, 0);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_OFFSET);
    put_entry(buf, 1, &g_ask, GOOD_LEN, 0); /* empty certificate at the very end: fine */
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off));

    /* OFFSET + LENGTH past the buffer by one, and exactly at its end. */
    put_entry(buf, 1, &g_ask, 196, GOOD_LEN - 196 + 1);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_LENGTH);
    put_entry(buf, 1, &g_ask, 196, GOOD_LEN - 196);
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off)); /* overlaps the ARK: tolerated */

    /* OFFSET + LENGTH overflowing u32 (a naive 32-bit sum would wrap to a small number). */
    put_entry(buf, 1, &g_ask, 196, 0xFFFFFFFFu - 100);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_LENGTH);
    put_entry(buf, 1, &g_ask, 0xFFFFFFF0u, 0x20);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_OFFSET);
    put_entry(buf, 1, &g_ask, 0xFFFFFFFFu, 0xFFFFFFFFu);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    /* Length alone beyond the buffer. */
    put_entry(buf, 1, &g_ask, 196, 0xFFFFFFFFu);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE + SNP_CERT_ENTRY_OFF_LENGTH);
    free(buf);
}

static void
test_guid_forms_and_unknown(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    struct snp_guid mixed;
    size_t n = 0, off = 0, idx = 0;

    (void)state;
    snp_guid_swap_mixed(&mixed, &g_vcek);
    put_entry(buf, 0, &mixed, 96, 100); /* UEFI byte order */
    put_entry(buf, 1, &g_other, 196, 200);
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off));
    assert_int_equal(n, 3);
    assert_int_equal(e[0].kind, SNP_CERT_VCEK);
    assert_int_equal(e[0].form, SNP_GUID_FORM_MIXED);
    assert_memory_equal(e[0].guid.b, mixed.b, SNP_GUID_SIZE); /* kept as found */
    assert_int_equal(e[1].kind, SNP_CERT_UNKNOWN);
    assert_int_equal(e[1].form, SNP_GUID_FORM_NONE);
    assert_int_equal(e[2].form, SNP_GUID_FORM_TEXT);
    T_OK(snp_cert_table_find(e, n, SNP_CERT_VCEK, 0, &idx));
    assert_int_equal(idx, 0);
    T_ERR(snp_cert_table_find(e, n, SNP_CERT_ASK, 0, &idx), SNP_E_NOTFOUND);
    free(buf);
}

static void
test_zero_guid_and_trailing(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    size_t n = 0, off = 0;

    (void)state;
    /* A zero GUID with a non-zero OFFSET or LENGTH is neither a terminator nor a certificate. */
    put_entry(buf, 1, NULL, 196, 200);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_FORMAT);
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE);
    put_entry(buf, 1, NULL, 0, 1);
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_FORMAT);
    free(buf);

    /* Non-zero bytes after the last certificate; zero padding is fine (checked above). */
    buf = good_table();
    buf[GOOD_LEN - 1] = 0xAA;
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_TRAILING);
    assert_int_equal(off, GOOD_LEN - 1);
    buf[GOOD_LEN - 1] = 0;
    buf[GOOD_DATA_END] = 0x01;
    T_ERR(decode(buf, GOOD_LEN, e, 4, &n, &off), SNP_E_TRAILING);
    assert_int_equal(off, GOOD_DATA_END);
    buf[GOOD_DATA_END] = 0;
    /* Bytes after the terminator of a table without certificates. */
    uint8_t small[64] = {0};
    small[30] = 1;
    T_ERR(decode(small, sizeof(small), e, 4, &n, &off), SNP_E_TRAILING);
    assert_int_equal(off, 30);
    /* A gap between certificates is not checked (documented). */
    put_entry(buf, 1, &g_ask, 200, 196);
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off));
    free(buf);
}

static void
test_capacity_and_duplicates(void **state)
{
    uint8_t *buf = good_table();
    struct snp_cert_entry e[4];
    size_t n = 0, off = 0, idx = 0;

    (void)state;
    T_ERR(decode(buf, GOOD_LEN, e, 1, &n, &off), SNP_E_SPACE);
    assert_int_equal(n, 3); /* what is needed */
    assert_int_equal(off, SNP_CERT_ENTRY_SIZE);
    assert_int_equal(e[0].kind, SNP_CERT_VCEK); /* the first cap entries are filled */
    T_ERR(decode(buf, GOOD_LEN, NULL, 0, &n, &off), SNP_E_SPACE);
    assert_int_equal(n, 3);
    /* Checks still run past the capacity. */
    put_entry(buf, 2, &g_ark, 10, 1);
    T_ERR(decode(buf, GOOD_LEN, e, 1, &n, &off), SNP_E_RANGE);
    assert_int_equal(n, 0);

    /* The ASK GUID twice (ASK and ASVK): find walks them with start. */
    put_entry(buf, 2, &g_ask, 396, 300);
    T_OK(decode(buf, GOOD_LEN, e, 4, &n, &off));
    T_OK(snp_cert_table_find(e, n, SNP_CERT_ASK, 0, &idx));
    assert_int_equal(idx, 1);
    T_OK(snp_cert_table_find(e, n, SNP_CERT_ASK, idx + 1, &idx));
    assert_int_equal(idx, 2);
    T_ERR(snp_cert_table_find(e, n, SNP_CERT_ASK, idx + 1, &idx), SNP_E_NOTFOUND);
    free(buf);
}

/* ---- building ---- */

static void
test_builder_golden(void **state)
{
    uint8_t *want = good_table();
    uint8_t *got = calloc(1, GOOD_LEN);
    struct snp_cert_blob certs[3] = {
        {SNP_GUID_VCEK_INIT, want + 96, 100},
        {SNP_GUID_ASK_INIT, want + 196, 200},
        {SNP_GUID_ARK_INIT, want + 396, 300},
    };
    const struct snp_field *t = snp_cert_entry_layout();
    struct snp_cert_entry e[4];
    size_t out_len = 0, n = 0;

    (void)state;
    assert_non_null(got);
    T_OK(snp_layout_check(t, SNP_CERT_ENTRY_SIZE));
    assert_int_equal(snp_layout_find(t, "GUID")->off, SNP_CERT_ENTRY_OFF_GUID);
    assert_int_equal(snp_layout_find(t, "OFFSET")->off, SNP_CERT_ENTRY_OFF_OFFSET);
    assert_int_equal(snp_layout_find(t, "LENGTH")->off, SNP_CERT_ENTRY_OFF_LENGTH);

    T_OK(snp_cert_table_encode(got, GOOD_LEN, &out_len, certs, 3));
    assert_int_equal(out_len, GOOD_DATA_END);
    t_memeq(got, want, GOOD_LEN); /* identical to the hand-built table, padding included */
    /* Field placement of entry 1 through the layout table. */
    t_memeq(got + 24 + snp_layout_find(t, "GUID")->off, g_ask.b, 16);
    assert_int_equal(snp_le32(got + 24 + snp_layout_find(t, "OFFSET")->off), 196);
    assert_int_equal(snp_le32(got + 24 + snp_layout_find(t, "LENGTH")->off), 200);
    T_OK(decode(got, out_len, e, 4, &n, NULL));
    assert_int_equal(n, 3);

    /* Too small: SNP_E_SPACE with the size needed, nothing written past out_size. */
    memset(got, 0xEE, GOOD_LEN);
    T_ERR(snp_cert_table_encode(got, GOOD_DATA_END - 1, &out_len, certs, 3), SNP_E_SPACE);
    assert_int_equal(out_len, GOOD_DATA_END);
    T_ERR(snp_cert_table_encode(NULL, 0, &out_len, certs, 3), SNP_E_SPACE);
    assert_int_equal(out_len, GOOD_DATA_END);
    free(want);
    free(got);
}

static void
test_builder_errors(void **state)
{
    uint8_t out[256];
    size_t out_len = 99;
    static const uint8_t data[4] = {1, 2, 3, 4};
    struct snp_cert_blob c[2] = {
        {SNP_GUID_VLEK_INIT, data, sizeof(data)},
        {SNP_GUID_CRL_INIT, NULL, 0}, /* an empty certificate is representable */
    };
    struct snp_cert_entry e[2];
    size_t n = 0;

    (void)state;
    T_OK(snp_cert_table_encode(out, sizeof(out), &out_len, NULL, 0));
    assert_int_equal(out_len, SNP_CERT_ENTRY_SIZE); /* the terminator alone */
    T_OK(decode(out, out_len, e, 2, &n, NULL));
    assert_int_equal(n, 0);

    T_OK(snp_cert_table_encode(out, sizeof(out), &out_len, c, 2));
    assert_int_equal(out_len, 3 * 24 + 4);
    T_OK(decode(out, out_len, e, 2, &n, NULL));
    assert_int_equal(n, 2);
    assert_int_equal(e[1].kind, SNP_CERT_CRL);
    assert_int_equal(e[1].offset, 76);
    assert_int_equal(e[1].length, 0);

    memset(c[1].guid.b, 0, SNP_GUID_SIZE); /* would read back as the terminator */
    T_ERR(snp_cert_table_encode(out, sizeof(out), &out_len, c, 2), SNP_E_ARG);
    c[1].guid = g_crl;
    c[1].len = 5; /* data NULL */
    T_ERR(snp_cert_table_encode(out, sizeof(out), &out_len, c, 2), SNP_E_ARG);
    c[1].data = data;
    c[1].len = (size_t)UINT32_MAX + 1; /* does not fit LENGTH (the data is never read) */
    T_ERR(snp_cert_table_encode(out, sizeof(out), &out_len, c, 2), SNP_E_RANGE);
    T_ERR(snp_cert_table_encode(out, sizeof(out), &out_len, NULL, 1), SNP_E_ARG);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guid_constants_text),
        cmocka_unit_test(test_guid_parse_errors),
        cmocka_unit_test(test_good_table),
        cmocka_unit_test(test_empty_tables),
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_prefix_sweep),
        cmocka_unit_test(test_offset_bounds),
        cmocka_unit_test(test_guid_forms_and_unknown),
        cmocka_unit_test(test_zero_guid_and_trailing),
        cmocka_unit_test(test_capacity_and_duplicates),
        cmocka_unit_test(test_builder_golden),
        cmocka_unit_test(test_builder_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
