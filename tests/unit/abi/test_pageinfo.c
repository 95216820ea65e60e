/*
 * tests/unit/abi/test_pageinfo.c - PAGE_INFO codec (hardware.md §8.1): known answer built by
 * hand (firmware VMPL-permission order), truncation, layout and placement, MBZ byte and IMI
 * reserved bits with exact err_off, LENGTH and PAGE_TYPE range.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/pageinfo.h"

#include <string.h>

/* Bool and range-constrained rows are checked by the known-answer tests instead. */
static const struct t_map page_info_map[] = {
    T_MAP("DIGEST_CUR", struct snp_page_info, digest_cur),
    T_MAP("CONTENTS", struct snp_page_info, contents),
    T_MAP_NONE("LENGTH", 2),
    T_MAP_NONE("PAGE_TYPE", 1),
    T_MAP_NONE("IMI_PAGE", 1),
    T_MAP_NONE("reserved", 1),
    T_MAP("VMPL1_PERMS", struct snp_page_info, vmpl1_perms),
    T_MAP("VMPL2_PERMS", struct snp_page_info, vmpl2_perms),
    T_MAP("VMPL3_PERMS", struct snp_page_info, vmpl3_perms),
    T_MAP("GPA", struct snp_page_info, gpa),
    T_MAP_END,
};

/*
 * The first VMSA page of a launch under KVM: DIGEST_CUR = 0x01.., CONTENTS = 0xC0..,
 * type VMSA, not IMI, VMPL1/2/3 perms 0x0F/0x0E/0x0A (so the order shows), GPA 0xFFFFFFFFF000.
 * Bytes 0x60.. by hand: 70 00 | 02 | 00 | 00 | 0f 0e 0a | 00 f0 ff ff ff ff 00 00.
 */
static void
golden(uint8_t out[SNP_PAGE_INFO_SIZE])
{
    static const uint8_t tail[16] = {0x70, 0x00, 0x02, 0x00, 0x00, 0x0f, 0x0e, 0x0a,
                                     0x00, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};

    for (size_t i = 0; i < 48; i++) {
        out[i] = (uint8_t)(0x01 + i);
        out[0x30 + i] = (uint8_t)(0xC0 + i);
    }
    memcpy(out + 0x60, tail, sizeof(tail));
}

static void
test_known_answer(void **state)
{
    uint8_t dig[48];
    uint8_t con[48];
    const uint8_t perms[3] = {0x0F, 0x0E, 0x0A};
    uint8_t want[SNP_PAGE_INFO_SIZE];
    uint8_t out[SNP_PAGE_INFO_SIZE];
    struct snp_page_info pi;

    (void)state;
    golden(want);
    memcpy(dig, want, 48);
    memcpy(con, want + 0x30, 48);
    T_OK(snp_page_info_init(&pi, dig, con, SNP_PAGE_TYPE_VMSA, false, perms,
                            SNP_PAGE_INFO_VMSA_GPA));
    T_OK(snp_page_info_encode(out, &pi));
    t_memeq(out, want, SNP_PAGE_INFO_SIZE);

    T_OK(snp_page_info_decode(&pi, want, sizeof(want), NULL));
    assert_int_equal(pi.length, 0x70);
    assert_int_equal(pi.page_type, SNP_PAGE_TYPE_VMSA);
    assert_false(pi.imi_page);
    assert_int_equal(pi.vmpl1_perms, 0x0F);
    assert_int_equal(pi.vmpl3_perms, 0x0A);
    assert_int_equal(pi.gpa, UINT64_C(0xFFFFFFFFF000));

    /* An IMI NORMAL page at GPA 0x1000 with all permissions zero */
    const uint8_t none[3] = {0, 0, 0};
    T_OK(snp_page_info_init(&pi, dig, con, SNP_PAGE_TYPE_NORMAL, true, none, 0x1000));
    T_OK(snp_page_info_encode(out, &pi));
    static const uint8_t tail2[16] = {0x70, 0, 0x01, 0x01, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0};
    t_memeq(out + 0x60, tail2, sizeof(tail2));
    T_ERR(snp_page_info_init(&pi, dig, con, (enum snp_page_type)7, false, none, 0), SNP_E_RANGE);
    T_ERR(snp_page_info_init(&pi, dig, con, (enum snp_page_type)0, false, none, 0), SNP_E_RANGE);
    T_ERR(snp_page_info_init(&pi, NULL, con, SNP_PAGE_TYPE_ZERO, false, none, 0), SNP_E_ARG);
}

static void
test_type_names(void **state)
{
    static const char *const names[] = {NULL,         "NORMAL",  "VMSA", "ZERO",
                                        "UNMEASURED", "SECRETS", "CPUID"};

    (void)state;
    for (uint8_t t = 1; t <= 6; t++) {
        assert_string_equal(snp_page_type_name(t), names[t]);
    }
    assert_null(snp_page_type_name(0));
    assert_null(snp_page_type_name(7));
}

static void
expect(const uint8_t *buf, snp_err err, size_t want_off)
{
    struct snp_page_info pi;
    size_t off = 999;

    T_ERR(snp_page_info_decode(&pi, buf, SNP_PAGE_INFO_SIZE, &off), err);
    assert_int_equal(off, want_off);
    assert_int_equal(pi.length, 0); /* zeroed on failure */
}

static void
test_mbz_and_range(void **state)
{
    uint8_t buf[SNP_PAGE_INFO_SIZE];

    (void)state;
    golden(buf);
    buf[0x64] = 0x01; /* the reserved byte */
    expect(buf, SNP_E_RESERVED, 0x64);
    for (int bit = 1; bit < 8; bit++) { /* IMI_PAGE bits 7:1 */
        golden(buf);
        buf[0x63] = (uint8_t)(1u << bit);
        expect(buf, SNP_E_RESERVED, 0x63);
    }
    golden(buf);
    buf[0x60] = 0x71; /* LENGTH */
    expect(buf, SNP_E_RANGE, 0x60);
    golden(buf);
    buf[0x62] = 0; /* PAGE_TYPE 0 */
    expect(buf, SNP_E_RANGE, 0x62);
    golden(buf);
    buf[0x62] = 7;
    expect(buf, SNP_E_RANGE, 0x62);
    for (uint8_t t = 1; t <= 6; t++) {
        struct snp_page_info pi;
        golden(buf);
        buf[0x62] = t;
        buf[0x63] = 1;
        T_OK(snp_page_info_decode(&pi, buf, sizeof(buf), NULL));
        assert_true(pi.imi_page);
    }
}

static void
test_truncation_layout_placement(void **state)
{
    uint8_t buf[SNP_PAGE_INFO_SIZE + 1];
    uint8_t out[SNP_PAGE_INFO_SIZE];
    struct snp_page_info pi;
    size_t off = 0;
    const struct snp_field *t = snp_page_info_layout();

    (void)state;
    golden(buf);
    buf[SNP_PAGE_INFO_SIZE] = 0;
    for (size_t n = 0; n < SNP_PAGE_INFO_SIZE; n++) {
        T_ERR(snp_page_info_decode(&pi, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_page_info_decode(&pi, buf, SNP_PAGE_INFO_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_PAGE_INFO_SIZE);

    T_OK(snp_layout_check(t, SNP_PAGE_INFO_SIZE));
    assert_int_equal(snp_layout_find(t, "reserved")->off, 0x64);
    assert_int_equal(snp_layout_find(t, "reserved")->kind, SNP_F_MBZ);
    assert_int_equal(snp_layout_find(t, "VMPL1_PERMS")->off, 0x65); /* firmware order */
    assert_int_equal(snp_layout_find(t, "VMPL3_PERMS")->off, 0x67);
    assert_int_equal(snp_layout_find(t, "GPA")->off, 0x68);

    t_fill(buf, SNP_PAGE_INFO_SIZE, 9);
    buf[0x60] = 0x70;
    buf[0x61] = 0;
    buf[0x62] = SNP_PAGE_TYPE_CPUID;
    buf[0x63] = 0;
    t_zero_mbz(t, buf);
    T_OK(snp_page_info_decode(&pi, buf, SNP_PAGE_INFO_SIZE, NULL));
    t_check_placement(t, page_info_map, &pi, buf);
    T_OK(snp_page_info_encode(out, &pi));
    t_memeq(out, buf, SNP_PAGE_INFO_SIZE);

    pi.length = 0x71;
    T_ERR(snp_page_info_encode(out, &pi), SNP_E_RANGE);
}

static snp_err
enc_pi(uint8_t *out, const void *s)
{
    return snp_page_info_encode(out, s);
}

static void
test_encode_placement(void **state)
{
    uint8_t buf[SNP_PAGE_INFO_SIZE];
    struct snp_page_info pi;

    (void)state;
    golden(buf);
    T_OK(snp_page_info_decode(&pi, buf, sizeof(buf), NULL));
    t_check_encode_placement(snp_page_info_layout(), page_info_map, &pi, sizeof(pi),
                             SNP_PAGE_INFO_SIZE, enc_pi);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),     cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_mbz_and_range),    cmocka_unit_test(test_truncation_layout_placement),
        cmocka_unit_test(test_encode_placement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
