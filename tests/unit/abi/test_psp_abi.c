/*
 * tests/unit/abi/test_psp_abi.c - PSP command ids (hardware.md §6.1), SNP_PLATFORM_STATUS
 * output (attestation.md §7.9) and SNP_CONFIG input (attestation.md §1.5): golden bytes,
 * truncation, layout and placement, KEEP of status flag bits, MBZ of every SNP_CONFIG reserved
 * byte and mask bit with exact err_off.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/psp_abi.h"

#include <string.h>

static void
test_cmd_ids(void **state)
{
    (void)state;
    assert_int_equal(SNP_CMD_SNP_INIT, 0x81);
    assert_int_equal(SNP_CMD_SNP_LAUNCH_START, 0xA0);
    assert_int_equal(SNP_CMD_SNP_CONFIG, 0xC9);
    assert_string_equal(snp_cmd_name(0x83), "SNP_PLATFORM_STATUS");
    assert_string_equal(snp_cmd_name(0xA1), "SNP_LAUNCH_UPDATE");
    assert_string_equal(snp_cmd_name(0x94), "SNP_GUEST_REQUEST");
    assert_string_equal(snp_cmd_name(0xCE), "SNP_FEATURE_INFO");
    assert_null(snp_cmd_name(0xCC)); /* a hole in §6.1 */
    assert_null(snp_cmd_name(0x01)); /* legacy SEV */
}

/* Genoa 1.55 build 37, INIT, RMP initialised, VLEK enabled, 3 guests. */
static const uint8_t status_golden[SNP_PLATFORM_STATUS_SIZE] = {
    0x01, 0x37, 0x01, 0x01,                         /* 1.55, INIT, IS_RMP_INIT */
    0x25, 0x00, 0x00, 0x00,                         /* BUILD_ID 37 */
    0x04, 0x00, 0x00, 0x00,                         /* VLEK_EN */
    0x03, 0x00, 0x00, 0x00,                         /* GUEST_COUNT 3 */
    0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17, 0x54, /* CURRENT_TCB */
    0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17, 0x54, /* REPORTED_TCB */
};

static void
test_status_golden(void **state)
{
    struct snp_platform_status st;
    uint8_t out[SNP_PLATFORM_STATUS_SIZE];

    (void)state;
    memset(&st, 0, sizeof(st));
    st.api_major = 1;
    st.api_minor = 55;
    st.state = SNP_PLATFORM_STATE_INIT;
    st.status_flags = SNP_PLATFORM_STATUS_IS_RMP_INIT;
    st.build_id = 37;
    st.config_flags = SNP_PLATFORM_CFG_VLEK_EN;
    st.guest_count = 3;
    st.current_tcb = UINT64_C(0x541700000000000a);
    st.reported_tcb = UINT64_C(0x5417000000000009);
    T_OK(snp_platform_status_encode(out, &st));
    t_memeq(out, status_golden, sizeof(out));

    T_OK(snp_platform_status_decode(&st, status_golden, sizeof(status_golden), NULL));
    assert_int_equal(st.api_minor, 55);
    assert_int_equal(st.build_id, 37);
    assert_int_equal(st.reported_tcb, UINT64_C(0x5417000000000009));
}

static const struct t_map status_map[] = {
    T_MAP("API_MAJOR", struct snp_platform_status, api_major),
    T_MAP("API_MINOR", struct snp_platform_status, api_minor),
    T_MAP("STATE", struct snp_platform_status, state),
    T_MAP("IS_RMP_INIT", struct snp_platform_status, status_flags),
    T_MAP("BUILD_ID", struct snp_platform_status, build_id),
    T_MAP("CONFIG_FLAGS", struct snp_platform_status, config_flags),
    T_MAP("GUEST_COUNT", struct snp_platform_status, guest_count),
    T_MAP("CURRENT_TCB", struct snp_platform_status, current_tcb),
    T_MAP("REPORTED_TCB", struct snp_platform_status, reported_tcb),
    T_MAP_END,
};

static snp_err
enc_status(uint8_t *out, const void *s)
{
    return snp_platform_status_encode(out, s);
}

static void
test_status_truncation_layout(void **state)
{
    uint8_t buf[SNP_PLATFORM_STATUS_SIZE + 1];
    uint8_t out[SNP_PLATFORM_STATUS_SIZE];
    struct snp_platform_status st;
    size_t off = 0;

    (void)state;
    t_fill(buf, sizeof(buf), 4);
    for (size_t n = 0; n < SNP_PLATFORM_STATUS_SIZE; n++) {
        T_ERR(snp_platform_status_decode(&st, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_platform_status_decode(&st, buf, sizeof(buf), &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_PLATFORM_STATUS_SIZE);

    T_OK(snp_layout_check(snp_platform_status_layout(), SNP_PLATFORM_STATUS_SIZE));
    T_OK(snp_platform_status_decode(&st, buf, SNP_PLATFORM_STATUS_SIZE, NULL));
    t_check_placement(snp_platform_status_layout(), status_map, &st, buf);
    T_OK(snp_platform_status_encode(out, &st));
    t_memeq(out, buf, SNP_PLATFORM_STATUS_SIZE); /* unknown flag bits kept */
    memset(&st, 0, sizeof(st));
    t_check_encode_placement(snp_platform_status_layout(), status_map, &st, sizeof(st),
                             SNP_PLATFORM_STATUS_SIZE, enc_status);
}

static void
config_golden(uint8_t buf[SNP_CONFIG_SIZE])
{
    static const uint8_t head[12] = {
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x48, /* REPORTED_TCB 0x4815000000000008 */
        0x03, 0x00, 0x00, 0x00,                         /* MASK_CHIP_ID | MASK_CHIP_KEY */
    };

    memset(buf, 0, SNP_CONFIG_SIZE);
    memcpy(buf, head, sizeof(head));
}

static void
test_config_golden(void **state)
{
    uint8_t want[SNP_CONFIG_SIZE];
    uint8_t out[SNP_CONFIG_SIZE];
    struct snp_config c;

    (void)state;
    config_golden(want);
    memset(&c, 0, sizeof(c));
    c.reported_tcb = UINT64_C(0x4815000000000008);
    c.mask_chip_id = true;
    c.mask_chip_key = true;
    T_OK(snp_config_encode(out, &c));
    t_memeq(out, want, SNP_CONFIG_SIZE);

    T_OK(snp_config_decode(&c, want, sizeof(want), NULL));
    assert_int_equal(c.reported_tcb, UINT64_C(0x4815000000000008));
    assert_true(c.mask_chip_id);
    assert_true(c.mask_chip_key);
    want[8] = 0x02;
    T_OK(snp_config_decode(&c, want, sizeof(want), NULL));
    assert_false(c.mask_chip_id);
    assert_true(c.mask_chip_key);
}

static void
test_config_mbz(void **state)
{
    uint8_t buf[SNP_CONFIG_SIZE];
    struct snp_config c;

    (void)state;
    for (size_t off = 0x0C; off < SNP_CONFIG_SIZE; off++) {
        size_t got = 0;
        config_golden(buf);
        buf[off] = 0x80;
        T_ERR(snp_config_decode(&c, buf, sizeof(buf), &got), SNP_E_RESERVED);
        assert_int_equal(got, off);
        assert_int_equal(c.reported_tcb, 0);
    }
    for (int bit = 2; bit < 32; bit++) { /* mask word bits 31:2 */
        size_t got = 0;
        config_golden(buf);
        buf[8 + bit / 8] |= (uint8_t)(1u << (bit % 8));
        T_ERR(snp_config_decode(&c, buf, sizeof(buf), &got), SNP_E_RESERVED);
        assert_int_equal(got, 8 + (size_t)bit / 8);
    }
}

static void
test_config_truncation_layout(void **state)
{
    uint8_t buf[SNP_CONFIG_SIZE + 1];
    struct snp_config c;
    size_t off = 0;
    const struct snp_field *t = snp_config_layout();

    (void)state;
    config_golden(buf);
    buf[SNP_CONFIG_SIZE] = 0;
    for (size_t n = 0; n < SNP_CONFIG_SIZE; n++) {
        T_ERR(snp_config_decode(&c, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_config_decode(&c, buf, SNP_CONFIG_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_CONFIG_SIZE);

    T_OK(snp_layout_check(t, SNP_CONFIG_SIZE));
    assert_int_equal(snp_layout_find(t, "MASK")->off, 0x08);
    assert_int_equal(snp_layout_find(t, "reserved")->kind, SNP_F_MBZ);
    assert_int_equal(snp_layout_find(t, "reserved")->off, 0x0C);
    /* placement: REPORTED_TCB from random bytes, the rest golden */
    t_fill(buf, 8, 12);
    T_OK(snp_config_decode(&c, buf, SNP_CONFIG_SIZE, NULL));
    {
        static const struct t_map map[] = {
            T_MAP("REPORTED_TCB", struct snp_config, reported_tcb),
            T_MAP_NONE("MASK", 4), /* two bools, checked in test_config_golden */
            T_MAP_NONE("reserved", 0x34),
            T_MAP_END,
        };
        t_check_placement(t, map, &c, buf);
    }
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmd_ids),
        cmocka_unit_test(test_status_golden),
        cmocka_unit_test(test_status_truncation_layout),
        cmocka_unit_test(test_config_golden),
        cmocka_unit_test(test_config_mbz),
        cmocka_unit_test(test_config_truncation_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
