/*
 * tests/unit/abi/test_secrets.c - secrets page codec (hardware.md §6.12, attestation.md §8.1):
 * golden page built by hand, truncation, layout and placement both ways, KEEP round trip of
 * arbitrary pages, 64-bit sequence numbers, masking for a lower VMPL, wiping.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/secrets.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

static const struct t_map secrets_map[] = {
    T_MAP("VERSION", struct snp_secrets, version),
    T_MAP("IMI_EN", struct snp_secrets, imi_en),
    T_MAP("FMS", struct snp_secrets, fms),
    T_MAP("reserved", struct snp_secrets, rsvd_0x00c),
    T_MAP("GOSVW", struct snp_secrets, gosvw),
    T_MAP("VMPCK0", struct snp_secrets, vmpck[0]),
    T_MAP("VMPCK1", struct snp_secrets, vmpck[1]),
    T_MAP("VMPCK2", struct snp_secrets, vmpck[2]),
    T_MAP("VMPCK3", struct snp_secrets, vmpck[3]),
    T_MAP("MSG_SEQNO_0", struct snp_secrets, msg_seqno_lo[0]),
    T_MAP("MSG_SEQNO_1", struct snp_secrets, msg_seqno_lo[1]),
    T_MAP("MSG_SEQNO_2", struct snp_secrets, msg_seqno_lo[2]),
    T_MAP("MSG_SEQNO_3", struct snp_secrets, msg_seqno_lo[3]),
    T_MAP("AP_JUMP_TABLE_PA", struct snp_secrets, ap_jump_table_pa),
    T_MAP("MSG_SEQNO_0_HI", struct snp_secrets, msg_seqno_hi[0]),
    T_MAP("MSG_SEQNO_1_HI", struct snp_secrets, msg_seqno_hi[1]),
    T_MAP("MSG_SEQNO_2_HI", struct snp_secrets, msg_seqno_hi[2]),
    T_MAP("MSG_SEQNO_3_HI", struct snp_secrets, msg_seqno_hi[3]),
    T_MAP("reserved", struct snp_secrets, rsvd_0x0c8),
    T_MAP("OS_AREA_VERSION", struct snp_secrets, os_area_version),
    T_MAP("GUEST_USAGE", struct snp_secrets, guest_usage),
    T_MAP("VMSA_TWEAK_BITMAP", struct snp_secrets, vmsa_tweak_bitmap),
    T_MAP("SVSM_BASE", struct snp_secrets, svsm_base),
    T_MAP("SVSM_SIZE", struct snp_secrets, svsm_size),
    T_MAP("SVSM_CAA", struct snp_secrets, svsm_caa),
    T_MAP("SVSM_MAX_VERSION", struct snp_secrets, svsm_max_version),
    T_MAP("SVSM_GUEST_VMPL", struct snp_secrets, svsm_guest_vmpl),
    T_MAP("reserved", struct snp_secrets, rsvd_0x15d),
    T_MAP("TSC_FACTOR", struct snp_secrets, tsc_factor),
    T_MAP("reserved", struct snp_secrets, rsvd_0x164),
    T_MAP("LAUNCH_MIT_VECTOR", struct snp_secrets, launch_mit_vector),
    T_MAP("reserved", struct snp_secrets, rsvd_0x170),
    T_MAP_END,
};

/* A page as a FW-3 platform with an SVSM would leave it, written byte by byte. */
static void
golden_page(uint8_t p[SNP_SECRETS_SIZE])
{
    memset(p, 0, SNP_SECRETS_SIZE);
    p[0x000] = 0x03; /* VERSION 3 */
    p[0x008] = 0x11; /* FMS 0x00A00F11 (Milan B1) */
    p[0x009] = 0x0F;
    p[0x00A] = 0xA0;
    for (size_t i = 0; i < 16; i++) {
        p[0x010 + i] = (uint8_t)(0xE0 + i); /* GOSVW */
    }
    for (size_t k = 0; k < 4; k++) {
        memset(p + 0x020 + 0x20 * k, 0x11 * (int)(k + 1), 32); /* VMPCK0..3 */
    }
    p[0x0A0] = 0x05; /* msg_seqno_0 low = 5 */
    p[0x0B8] = 0x01; /* msg_seqno_0 high = 1 */
    p[0x0B1] = 0x90; /* AP jump table PA 0x9000 */
    p[0x0DE] = 0x01; /* guest-OS area version 1 */
    memcpy(p + 0x100, snp_secrets_default_tweak_bitmap, 64);
    p[0x143] = 0x40; /* SVSM_BASE 0x40000000 */
    p[0x14A] = 0x40; /* SVSM_SIZE 0x400000 */
    p[0x151] = 0x70; /* SVSM_CAA 0x7000 */
    p[0x158] = 0x01; /* SVSM_MAX_VERSION 1 */
    p[0x15C] = 0x02; /* SVSM_GUEST_VMPL 2 */
    p[0x160] = 0x64; /* TSC_FACTOR 100 */
    p[0x168] = 0x0B; /* LAUNCH_MIT_VECTOR 0xB */
}

static void
test_golden(void **state)
{
    uint8_t want[SNP_SECRETS_SIZE];
    uint8_t out[SNP_SECRETS_SIZE];
    struct snp_secrets s;

    (void)state;
    golden_page(want);
    memset(&s, 0, sizeof(s));
    s.version = SNP_SECRETS_VERSION_FW;
    s.fms = 0x00A00F11;
    for (size_t i = 0; i < 16; i++) {
        s.gosvw[i] = (uint8_t)(0xE0 + i);
    }
    for (size_t k = 0; k < SNP_VMPCK_COUNT; k++) {
        memset(s.vmpck[k], 0x11 * (int)(k + 1), SNP_VMPCK_SIZE);
    }
    snp_secrets_set_msg_seqno(&s, 0, (UINT64_C(1) << 32) | 5);
    s.ap_jump_table_pa = 0x9000;
    s.os_area_version = SNP_SECRETS_OS_AREA_VERSION;
    memcpy(s.vmsa_tweak_bitmap, snp_secrets_default_tweak_bitmap, SNP_VMSA_TWEAK_BITMAP_SIZE);
    s.svsm_base = 0x40000000;
    s.svsm_size = 0x400000;
    s.svsm_caa = 0x7000;
    s.svsm_max_version = 1;
    s.svsm_guest_vmpl = 2;
    s.tsc_factor = 100;
    s.launch_mit_vector = 0xB;
    T_OK(snp_secrets_encode(out, &s));
    t_memeq(out, want, SNP_SECRETS_SIZE);

    snp_secrets_wipe(&s);
    T_OK(snp_secrets_decode(&s, want, sizeof(want), NULL));
    assert_int_equal(s.version, 3);
    assert_int_equal(s.fms, 0x00A00F11);
    assert_int_equal(s.vmpck[3][31], 0x44);
    assert_int_equal(snp_secrets_msg_seqno(&s, 0), (UINT64_C(1) << 32) | 5);
    assert_int_equal(snp_secrets_msg_seqno(&s, 1), 0);
    assert_int_equal(snp_secrets_msg_seqno(&s, 4), 0); /* out of range */
    assert_int_equal(s.svsm_caa, 0x7000);
    assert_int_equal(s.svsm_guest_vmpl, 2);
    assert_int_equal(s.tsc_factor, 100);
    assert_int_equal(s.launch_mit_vector, 0xB);
    assert_int_equal(s.imi_en & SNP_SECRETS_IMI_EN, 0);
    snp_secrets_wipe(&s);
    snp_wipe(out, sizeof(out));
}

static void
test_truncation(void **state)
{
    uint8_t *buf = malloc(SNP_SECRETS_SIZE + 1);
    struct snp_secrets s;
    size_t off = 0;

    (void)state;
    assert_non_null(buf);
    t_fill(buf, SNP_SECRETS_SIZE + 1, 5);
    for (size_t n = 0; n < SNP_SECRETS_SIZE; n++) {
        T_ERR(snp_secrets_decode(&s, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_secrets_decode(&s, buf, SNP_SECRETS_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_SECRETS_SIZE);
    assert_true(snp_ct_is_zero(&s, sizeof(s))); /* the keys read so far were wiped */
    T_ERR(snp_secrets_decode(NULL, buf, SNP_SECRETS_SIZE, NULL), SNP_E_ARG);
    free(buf);
}

static void
test_layout_and_placement(void **state)
{
    uint8_t *buf = malloc(SNP_SECRETS_SIZE);
    uint8_t out[SNP_SECRETS_SIZE];
    struct snp_secrets s;
    const struct snp_field *t = snp_secrets_layout();

    (void)state;
    assert_non_null(buf);
    T_OK(snp_layout_check(t, SNP_SECRETS_SIZE));
    assert_int_equal(snp_layout_find(t, "VMPCK0")->off, SNP_SECRETS_OFF_VMPCK0);
    assert_int_equal(snp_layout_find(t, "MSG_SEQNO_0")->off, SNP_SECRETS_OFF_OS_AREA);
    assert_int_equal(snp_layout_find(t, "VMSA_TWEAK_BITMAP")->off, SNP_SECRETS_OFF_TWEAK);
    assert_int_equal(snp_layout_find(t, "SVSM_BASE")->off, SNP_SECRETS_OFF_SVSM_BASE);
    assert_int_equal(snp_layout_find(t, "TSC_FACTOR")->off, SNP_SECRETS_OFF_TSC_FACTOR);
    assert_int_equal(snp_layout_find(t, "AP_JUMP_TABLE_PA")->off, 0x0B0);
    assert_int_equal(snp_layout_find(t, "OS_AREA_VERSION")->off, 0x0DE);
    assert_int_equal(snp_layout_find(t, "LAUNCH_MIT_VECTOR")->off, 0x168);
    for (const struct snp_field *f = t; f->name != NULL; f++) {
        assert_int_not_equal(f->kind, SNP_F_MBZ); /* observed page: KEEP only */
    }
    for (uint64_t seed = 1; seed <= 3; seed++) {
        t_fill(buf, SNP_SECRETS_SIZE, seed);
        T_OK(snp_secrets_decode(&s, buf, SNP_SECRETS_SIZE, NULL));
        t_check_placement(t, secrets_map, &s, buf);
        T_OK(snp_secrets_encode(out, &s));
        t_memeq(out, buf, SNP_SECRETS_SIZE);
    }
    snp_secrets_wipe(&s);
    free(buf);
}

static snp_err
enc_secrets(uint8_t *out, const void *s)
{
    return snp_secrets_encode(out, s);
}

static void
test_encode_placement(void **state)
{
    struct snp_secrets s;

    (void)state;
    memset(&s, 0, sizeof(s));
    t_check_encode_placement(snp_secrets_layout(), secrets_map, &s, sizeof(s), SNP_SECRETS_SIZE,
                             enc_secrets);
}

static void
test_mask_and_wipe(void **state)
{
    uint8_t page[SNP_SECRETS_SIZE];
    struct snp_secrets s;
    uint8_t zero[SNP_VMPCK_SIZE] = {0};

    (void)state;
    golden_page(page);
    T_OK(snp_secrets_decode(&s, page, sizeof(page), NULL));
    T_OK(snp_secrets_mask_for_vmpl(&s, 2));
    t_memeq(s.vmpck[0], zero, SNP_VMPCK_SIZE);
    t_memeq(s.vmpck[1], zero, SNP_VMPCK_SIZE);
    assert_int_equal(s.vmpck[2][0], 0x33);
    assert_int_equal(s.vmpck[3][0], 0x44);
    T_OK(snp_secrets_mask_for_vmpl(&s, 0)); /* VMPL0 keeps everything */
    assert_int_equal(s.vmpck[2][0], 0x33);
    T_ERR(snp_secrets_mask_for_vmpl(&s, 4), SNP_E_RANGE);
    snp_secrets_wipe(&s);
    assert_true(snp_ct_is_zero(&s, sizeof(s)));
    snp_secrets_wipe(NULL);
    snp_wipe(page, sizeof(page));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_layout_and_placement),
        cmocka_unit_test(test_encode_placement),
        cmocka_unit_test(test_mask_and_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
