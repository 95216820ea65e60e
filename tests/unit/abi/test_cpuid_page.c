/*
 * tests/unit/abi/test_cpuid_page.c - CPUID page codec (hardware.md §9.1): golden page by hand,
 * COUNT range, every reserved byte (header, each entry's qword, page tail) with exact err_off,
 * truncation, layout and placement of header and entries, lookup.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/cpuid_page.h"

#include <stdlib.h>
#include <string.h>

/* Two entries: leaf 0x8000001F and leaf 0xD.1 with xcr0_in 1 (QEMU's forced EBX 0x240). */
static void
golden(uint8_t p[SNP_CPUID_PAGE_SIZE])
{
    static const uint8_t head[16 + 2 * 0x30] = {
        0x02,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* COUNT 2 */
        /* entry 0: eax_in 0x8000001F, ecx_in 0, xcr0_in 0, xss_in 0 */
        0x1f,
        0x00,
        0x00,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        /* eax 0x1000FFFB ebx 0x00000073 ecx 0x1FD edx 0x80 */
        0xfb,
        0xff,
        0x00,
        0x10,
        0x73,
        0,
        0,
        0,
        0xfd,
        0x01,
        0,
        0,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* reserved */
        /* entry 1: eax_in 0xD, ecx_in 1, xcr0_in 1, xss_in 0 */
        0x0d,
        0,
        0,
        0,
        0x01,
        0,
        0,
        0,
        0x01,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        /* eax 0xF ebx 0x240 ecx 0 edx 0 */
        0x0f,
        0,
        0,
        0,
        0x40,
        0x02,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    };

    memset(p, 0, SNP_CPUID_PAGE_SIZE);
    memcpy(p, head, sizeof(head));
}

static void
test_golden(void **state)
{
    uint8_t *want = malloc(SNP_CPUID_PAGE_SIZE);
    uint8_t *out = malloc(SNP_CPUID_PAGE_SIZE);
    struct snp_cpuid_page p;

    (void)state;
    assert_non_null(want);
    assert_non_null(out);
    golden(want);
    memset(&p, 0, sizeof(p));
    p.count = 2;
    p.entries[0].eax_in = 0x8000001F;
    p.entries[0].eax = 0x1000FFFB;
    p.entries[0].ebx = 0x73;
    p.entries[0].ecx = 0x1FD;
    p.entries[0].edx = 0x80;
    p.entries[1].eax_in = 0xD;
    p.entries[1].ecx_in = 1;
    p.entries[1].xcr0_in = 1;
    p.entries[1].eax = 0xF;
    p.entries[1].ebx = 0x240;
    T_OK(snp_cpuid_page_encode(out, &p));
    t_memeq(out, want, SNP_CPUID_PAGE_SIZE);

    T_OK(snp_cpuid_page_decode(&p, want, SNP_CPUID_PAGE_SIZE, NULL));
    assert_int_equal(p.count, 2);
    const struct snp_cpuid_entry *e = snp_cpuid_page_find(&p, 0xD, 1);
    assert_non_null(e);
    assert_int_equal(e->ebx, 0x240);
    assert_int_equal(snp_cpuid_page_find(&p, 0x8000001F, 0)->ebx, 0x73);
    assert_null(snp_cpuid_page_find(&p, 0xD, 0));
    assert_null(snp_cpuid_page_find(&p, 0, 0)); /* the zero slots past COUNT are not searched */
    free(want);
    free(out);
}

static void
expect(const uint8_t *buf, snp_err err, size_t want_off)
{
    struct snp_cpuid_page p;
    size_t off = 99999;

    T_ERR(snp_cpuid_page_decode(&p, buf, SNP_CPUID_PAGE_SIZE, &off), err);
    assert_int_equal(off, want_off);
    assert_int_equal(p.count, 0);
}

static void
test_count_and_mbz(void **state)
{
    uint8_t *buf = malloc(SNP_CPUID_PAGE_SIZE);
    struct snp_cpuid_page p;
    size_t n = 0;

    (void)state;
    assert_non_null(buf);
    golden(buf);
    buf[0] = 64; /* the maximum */
    T_OK(snp_cpuid_page_decode(&p, buf, SNP_CPUID_PAGE_SIZE, NULL));
    buf[0] = 65;
    expect(buf, SNP_E_RANGE, 0);
    golden(buf);
    buf[3] = 0x80; /* COUNT 0x80000002 */
    expect(buf, SNP_E_RANGE, 0);

    /* every MBZ byte: header 0x4..0xF, each entry's +0x28..+0x2F, the tail 0xC10..0xFFF */
    for (size_t off = 4; off < SNP_CPUID_PAGE_SIZE; off++) {
        bool mbz = off < 16 || off >= SNP_CPUID_TABLE_SIZE || (off - 16) % 0x30 >= 0x28;
        if (!mbz) {
            continue;
        }
        golden(buf);
        buf[off] = 0x5A;
        expect(buf, SNP_E_RESERVED, off);
        n++;
    }
    assert_int_equal(n, 12 + 64 * 8 + (SNP_CPUID_PAGE_SIZE - SNP_CPUID_TABLE_SIZE));
    free(buf);
}

static void
test_truncation(void **state)
{
    uint8_t *buf = calloc(1, SNP_CPUID_PAGE_SIZE + 1);
    struct snp_cpuid_page p;
    size_t off = 0;

    (void)state;
    assert_non_null(buf);
    golden(buf);
    for (size_t n = 0; n < SNP_CPUID_PAGE_SIZE; n++) {
        T_ERR(snp_cpuid_page_decode(&p, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_cpuid_page_decode(&p, buf, SNP_CPUID_PAGE_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_CPUID_PAGE_SIZE);
    p.count = 65;
    T_ERR(snp_cpuid_page_encode(buf, &p), SNP_E_RANGE);
    free(buf);
}

static const struct t_map page_map[] = {
    T_MAP("COUNT", struct snp_cpuid_page, count),
    T_MAP_NONE("reserved", 4),
    T_MAP_NONE("reserved", 8),
    T_MAP_NONE("ENTRIES", 64 * 0x30), /* per entry below */
    T_MAP_NONE("reserved", SNP_CPUID_PAGE_SIZE - SNP_CPUID_TABLE_SIZE),
    T_MAP_END,
};

static const struct t_map entry_map[] = {
    T_MAP("EAX_IN", struct snp_cpuid_entry, eax_in),
    T_MAP("ECX_IN", struct snp_cpuid_entry, ecx_in),
    T_MAP("XCR0_IN", struct snp_cpuid_entry, xcr0_in),
    T_MAP("XSS_IN", struct snp_cpuid_entry, xss_in),
    T_MAP("EAX", struct snp_cpuid_entry, eax),
    T_MAP("EBX", struct snp_cpuid_entry, ebx),
    T_MAP("ECX", struct snp_cpuid_entry, ecx),
    T_MAP("EDX", struct snp_cpuid_entry, edx),
    T_MAP_NONE("reserved", 8),
    T_MAP_END,
};

static void
test_layout_and_placement(void **state)
{
    uint8_t *buf = malloc(SNP_CPUID_PAGE_SIZE);
    uint8_t *out = malloc(SNP_CPUID_PAGE_SIZE);
    struct snp_cpuid_page p;
    const struct snp_field *t = snp_cpuid_page_layout();
    const struct snp_field *et = snp_cpuid_entry_layout();

    (void)state;
    assert_non_null(buf);
    assert_non_null(out);
    T_OK(snp_layout_check(t, SNP_CPUID_PAGE_SIZE));
    T_OK(snp_layout_check(et, SNP_CPUID_ENTRY_SIZE));
    assert_int_equal(SNP_CPUID_TABLE_SIZE, 3088); /* §9.1: 16 + 64 x 48 */
    assert_int_equal(snp_layout_find(et, "EAX")->off, 0x18);

    t_fill(buf, SNP_CPUID_PAGE_SIZE, 3);
    memset(buf, 0, 4);
    buf[0] = 17; /* COUNT */
    t_zero_mbz(t, buf);
    for (size_t i = 0; i < SNP_CPUID_MAX_ENTRIES; i++) {
        t_zero_mbz(et, buf + 16 + i * 0x30);
    }
    T_OK(snp_cpuid_page_decode(&p, buf, SNP_CPUID_PAGE_SIZE, NULL));
    t_check_placement(t, page_map, &p, buf);
    for (size_t i = 0; i < SNP_CPUID_MAX_ENTRIES; i++) { /* all 64 slots, used or not */
        t_check_placement(et, entry_map, &p.entries[i], buf + 16 + i * 0x30);
    }
    T_OK(snp_cpuid_page_encode(out, &p));
    t_memeq(out, buf, SNP_CPUID_PAGE_SIZE);
    free(buf);
    free(out);
}

static snp_err
enc_entry5(uint8_t *out, const void *s)
{
    struct snp_cpuid_page p;
    static uint8_t page[SNP_CPUID_PAGE_SIZE];

    memset(&p, 0, sizeof(p));
    memcpy(&p.entries[5], s, sizeof(p.entries[5])); /* slot 5: offset 16 + 5 * 0x30 */
    snp_err err = snp_cpuid_page_encode(page, &p);
    if (err != SNP_OK) {
        return err;
    }
    memcpy(out, page + 16 + 5 * 0x30, SNP_CPUID_ENTRY_SIZE);
    return SNP_OK;
}

static void
test_encode_placement(void **state)
{
    struct snp_cpuid_entry e;

    (void)state;
    memset(&e, 0, sizeof(e));
    t_check_encode_placement(snp_cpuid_entry_layout(), entry_map, &e, sizeof(e),
                             SNP_CPUID_ENTRY_SIZE, enc_entry5);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),           cmocka_unit_test(test_count_and_mbz),
        cmocka_unit_test(test_truncation),       cmocka_unit_test(test_layout_and_placement),
        cmocka_unit_test(test_encode_placement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
