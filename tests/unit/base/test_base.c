/*
 * tests/unit/base/test_base.c - the reader/writer cursors, error table, constant-time helpers
 * and text codecs of base/.
 */
#include "helpers.h"

#include "base/rd.h"
#include "base/wr.h"
#include "snpkit/layout.h"
#include "snpkit/util.h"

#include <string.h>

static void
test_err_table(void **state)
{
    (void)state;
    assert_string_equal(snp_err_name(SNP_E_TRUNCATED), "SNP_E_TRUNCATED");
    assert_string_equal(snp_err_str(SNP_E_TRUNCATED), "input is shorter than the structure");
    assert_int_equal(SNP_E_SIG, 30);
    assert_int_equal(SNP_E_CRYPTO, 61);
    assert_string_equal(snp_err_name((snp_err)777), "SNP_E_UNKNOWN");
    assert_string_equal(snp_err_str((snp_err)777), "unknown error");
}

static void
test_rd_values_and_done(void **state)
{
    const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                           0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x00, 0x00};
    struct snp_rd rd;
    uint8_t two[2];

    (void)state;
    snp_rd_init(&rd, buf, sizeof(buf));
    assert_int_equal(snp_rd_u8(&rd), 0x01);
    assert_int_equal(snp_rd_u16le(&rd), 0x0302);
    assert_int_equal(snp_rd_u32le(&rd), 0x07060504);
    assert_true(snp_rd_u64le(&rd) == UINT64_C(0x0f0e0d0c0b0a0908));
    snp_rd_bytes(&rd, two, 1);
    assert_int_equal(two[0], 0x10);
    snp_rd_mbz(&rd, 2);
    T_OK(snp_rd_done(&rd));
}

static void
test_rd_sticky_truncation(void **state)
{
    const uint8_t buf[3] = {1, 2, 3};
    struct snp_rd rd;

    (void)state;
    snp_rd_init(&rd, buf, sizeof(buf));
    assert_int_equal(snp_rd_u16le(&rd), 0x0201);
    assert_int_equal(snp_rd_u32le(&rd), 0); /* does not fit: 0, error at 2 */
    assert_int_equal(snp_rd_u8(&rd), 0);    /* sticky: even a fitting read returns 0 */
    T_ERR(snp_rd_done(&rd), SNP_E_TRUNCATED);
    assert_int_equal(rd.err_off, 2);
    assert_int_equal(rd.off, 2);
}

static void
test_rd_trailing_and_mbz(void **state)
{
    const uint8_t buf[4] = {0, 0, 7, 0};
    struct snp_rd rd;

    (void)state;
    snp_rd_init(&rd, buf, sizeof(buf));
    snp_rd_mbz(&rd, 4);
    T_ERR(snp_rd_done(&rd), SNP_E_RESERVED);
    assert_int_equal(rd.err_off, 2);

    snp_rd_init(&rd, buf, sizeof(buf));
    snp_rd_skip(&rd, 3);
    T_ERR(snp_rd_done(&rd), SNP_E_TRAILING);
    assert_int_equal(rd.err_off, 3);

    snp_rd_init(&rd, NULL, 10); /* NULL buffer reads as empty, never dereferenced */
    assert_int_equal(snp_rd_u8(&rd), 0);
    T_ERR(snp_rd_done(&rd), SNP_E_TRUNCATED);
}

static void
test_rd_huge_length_does_not_wrap(void **state)
{
    const uint8_t buf[8] = {0};
    struct snp_rd rd;
    uint8_t dst[1];

    (void)state;
    snp_rd_init(&rd, buf, sizeof(buf));
    snp_rd_skip(&rd, 4);
    snp_rd_skip(&rd, SIZE_MAX); /* off + n would wrap: must be refused, not wrapped */
    T_ERR(snp_rd_done(&rd), SNP_E_TRUNCATED);
    assert_int_equal(rd.off, 4);
    (void)dst;
}

static void
test_wr_round_trip(void **state)
{
    uint8_t buf[17];
    struct snp_wr wr;
    struct snp_rd rd;

    (void)state;
    snp_wr_init(&wr, buf, sizeof(buf));
    snp_wr_u8(&wr, 0xaa);
    snp_wr_u16le(&wr, 0xbbcc);
    snp_wr_u32le(&wr, 0x11223344);
    snp_wr_u64le(&wr, UINT64_C(0x0102030405060708));
    snp_wr_zero(&wr, 2);
    T_OK(snp_wr_done(&wr));
    assert_int_equal(buf[1], 0xcc);
    assert_int_equal(buf[3], 0x44);
    assert_int_equal(buf[7], 0x08);

    snp_rd_init(&rd, buf, sizeof(buf));
    assert_int_equal(snp_rd_u8(&rd), 0xaa);
    assert_int_equal(snp_rd_u16le(&rd), 0xbbcc);
    assert_int_equal(snp_rd_u32le(&rd), 0x11223344);
    assert_true(snp_rd_u64le(&rd) == UINT64_C(0x0102030405060708));
    snp_rd_mbz(&rd, 2);
    T_OK(snp_rd_done(&rd));
}

static void
test_wr_overflow_and_underfill(void **state)
{
    uint8_t buf[4];
    struct snp_wr wr;

    (void)state;
    snp_wr_init(&wr, buf, sizeof(buf));
    snp_wr_u64le(&wr, 1);
    T_ERR(snp_wr_done(&wr), SNP_E_ARG);
    assert_int_equal(wr.err_off, 0);

    snp_wr_init(&wr, buf, sizeof(buf));
    snp_wr_u16le(&wr, 1);
    T_ERR(snp_wr_done(&wr), SNP_E_ARG); /* not filled exactly */
}

static void
test_ct(void **state)
{
    const uint8_t a[5] = {1, 2, 3, 4, 5};
    uint8_t b[5] = {1, 2, 3, 4, 5};
    uint8_t z[3] = {0};

    (void)state;
    assert_true(snp_ct_eq(a, b, sizeof(a)));
    for (size_t i = 0; i < sizeof(b); i++) {
        b[i] ^= 0x80;
        assert_false(snp_ct_eq(a, b, sizeof(a)));
        b[i] ^= 0x80;
    }
    assert_true(snp_ct_eq(a, b, 0));
    assert_true(snp_ct_is_zero(z, sizeof(z)));
    z[2] = 1;
    assert_false(snp_ct_is_zero(z, sizeof(z)));
    assert_int_equal(snp_ct_select_u32(1, 7, 9), 7);
    assert_int_equal(snp_ct_select_u32(0, 7, 9), 9);
    snp_wipe(b, sizeof(b));
    assert_true(snp_ct_is_zero(b, sizeof(b)));
    snp_wipe(NULL, 0);
    snp_free_secret(NULL, 10);
}

static void
test_hex(void **state)
{
    uint8_t out[8];
    size_t n = 0;
    size_t off = 0;
    char txt[17];
    const uint8_t want[4] = {0xde, 0xad, 0xbe, 0xef};

    (void)state;
    T_OK(snp_hex_decode(out, sizeof(out), &n, " 0xDEad be\nEF\n", 14, NULL));
    assert_int_equal(n, 4);
    t_memeq(out, want, 4);
    T_OK(snp_hex_encode(txt, sizeof(txt), want, 4));
    assert_string_equal(txt, "deadbeef");
    T_ERR(snp_hex_encode(txt, 8, want, 4), SNP_E_SPACE);
    T_ERR(snp_hex_decode(out, sizeof(out), &n, "abcg", 4, &off), SNP_E_FORMAT);
    assert_int_equal(off, 3);
    T_ERR(snp_hex_decode(out, sizeof(out), &n, "abc", 3, &off), SNP_E_FORMAT);
    T_ERR(snp_hex_decode(out, 1, &n, "abcd", 4, NULL), SNP_E_SPACE);
}

static void
test_b64(void **state)
{
    /* RFC 4648 §10 test vectors. */
    static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    const char *plain = "foobar";
    uint8_t out[16];
    char txt[16];
    size_t n;
    size_t off = 0;

    (void)state;
    for (size_t i = 0; i <= 6; i++) {
        T_OK(snp_b64_encode(txt, sizeof(txt), (const uint8_t *)plain, i));
        assert_string_equal(txt, enc[i]);
        T_OK(snp_b64_decode(out, sizeof(out), &n, enc[i], strlen(enc[i]), NULL));
        assert_int_equal(n, i);
        t_memeq(out, plain, i);
    }
    T_OK(snp_b64_decode(out, sizeof(out), &n, "Zm9v\nYmE", 8, NULL)); /* no padding, newline */
    assert_int_equal(n, 5);
    T_ERR(snp_b64_decode(out, sizeof(out), &n, "Zm9*", 4, &off), SNP_E_FORMAT);
    assert_int_equal(off, 3);
    T_ERR(snp_b64_decode(out, sizeof(out), &n, "Zm9vY", 5, NULL), SNP_E_FORMAT);
    T_ERR(snp_b64_decode(out, sizeof(out), &n, "Zg==Zg==", 8, NULL), SNP_E_FORMAT);
}

static void
test_layout_check(void **state)
{
    static const struct snp_field good[] = {{"A", 0, 4, SNP_F_LE},
                                            {"B", 4, 12, SNP_F_BYTES},
                                            {"reserved", 16, 4, SNP_F_MBZ},
                                            {NULL, 0, 0, SNP_F_LE}};
    static const struct snp_field gap[] = {
        {"A", 0, 4, SNP_F_LE}, {"B", 5, 15, SNP_F_BYTES}, {NULL, 0, 0, SNP_F_LE}};
    static const struct snp_field odd[] = {
        {"A", 0, 3, SNP_F_LE}, {"B", 3, 17, SNP_F_BYTES}, {NULL, 0, 0, SNP_F_LE}};

    (void)state;
    T_OK(snp_layout_check(good, 20));
    T_ERR(snp_layout_check(good, 21), SNP_E_RANGE);
    T_ERR(snp_layout_check(gap, 20), SNP_E_RANGE);
    T_ERR(snp_layout_check(odd, 20), SNP_E_RANGE);
    assert_non_null(snp_layout_find(good, "B"));
    assert_null(snp_layout_find(good, "C"));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_table),
        cmocka_unit_test(test_rd_values_and_done),
        cmocka_unit_test(test_rd_sticky_truncation),
        cmocka_unit_test(test_rd_trailing_and_mbz),
        cmocka_unit_test(test_rd_huge_length_does_not_wrap),
        cmocka_unit_test(test_wr_round_trip),
        cmocka_unit_test(test_wr_overflow_and_underfill),
        cmocka_unit_test(test_ct),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_layout_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
