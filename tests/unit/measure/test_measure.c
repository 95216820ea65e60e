/*
 * tests/unit/measure/test_measure.c - the launch digest (hardware.md §7, §8).
 *
 * Self-contained part (no vectors): the §8.5 known answers of the PAGE_INFO step, a synthetic
 * OVMF image through the parser and every refusal reason, threads vs single thread, the 2 MB
 * helper, resume from an OVMF hash, traces, and the "every input matters" properties.
 * Vector part (skips visibly without ../shared/vectors): every published SNP, SEV-ES and SEV
 * measurement of MANIFEST §4 with its exact parameters, the Debian OVMF table, and the
 * generated VMSA pages byte for byte.
 */
#include "helpers.h"
#include "snpkit/measure.h"
#include "synth_ovmf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSM         "sev-snp-measure/"
#define GV          SSM "generated-vmsa/"
#define SIG_EPYC_V4 0x00800F12u

/* ---- §8.5 known answers of the step --------------------------------------------------------- */

static void
test_step_known_answers(void **state)
{
    uint8_t want[48], got[48];
    uint8_t page[4096];
    struct snp_ld ld;

    (void)state;
    /* One NORMAL all-zero page at GPA 0 from LD=0 */
    memset(page, 0, sizeof(page));
    snp_ld_init(&ld, NULL);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_NORMAL, 0, page, NULL, false));
    snp_ld_final(&ld, got);
    t_unhex(want, 48,
            "9d13634b6014bb21cf059b2dc694e7bff01a8a7137041100cd2b695f3d10fb687267b978"
            "08b27f8f471d943bc6f53a20");
    t_memeq(got, want, 48);
    /* One ZERO page at GPA 0 from LD=0 */
    snp_ld_init(&ld, NULL);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_ZERO, 0, NULL, NULL, false));
    snp_ld_final(&ld, got);
    t_unhex(want, 48,
            "70c0ecaab9608f14ebf8ac6f0f07bcd8728f4e2ab30382b539b4de4de904ca9f8ebdf4b2"
            "cd3cd84dd996bd55dd794676");
    t_memeq(got, want, 48);
    /* PAGE_INFO example: LD=0, ZERO page, GPA 0x800000 */
    snp_ld_init(&ld, NULL);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_ZERO, 0x800000, NULL, NULL, false));
    t_unhex(want, 48,
            "4472405c6dbc65e5629805f2be1b3df74eb119841eff12466c24f43e67083c23df5e645b"
            "2742b6d9aa0f943e095cebaa");
    t_memeq(ld.digest, want, 48);
    assert_int_equal(ld.steps, 1);
}

static void
test_step_synthetic_chain(void **state)
{
    static const char *const want_hex[] = {
        "cd19cdd26c5795801d065afba77ad9efa6c71d17402b19ac8ab3850d8aca58ccef501995ccdb09b936d87c15"
        "cddb518f",
        "602100d9a8c08e0589361e74e4d7f4a49c7c468d1f03952765b73e10db5ac2fd608b1dd126f0da5c66f26ff7"
        "b9624aa0",
        "95d9f876fe3dc0e66db183d2cb4d2eea9deb283fe581f1384c795ca8457488ca29cbd2bcd301d10aa9de3394"
        "47cb07d8",
        "0ab54ac0d711db1662c19e4729e665a9a1ffa74ae450885fe23ba635382c7eb0a51047ad5ba942c19d3bf9ec"
        "5f9ef907",
        "3e6add546c7f9896453b98ac592f1a65ddd1cd6c7c46cbaff85aa648af098821feb5ba13df47a6aa82808f6b"
        "c78a62e6",
        "7fce5d46eec4682324029eca2e883b54c249d292990ad0f8cc48b13cb2f53437d88c14158f99c22073d815c4"
        "d0eaba48",
        "1030d0b4dfa36914cd22437437cd052dd6a8f97733fe258bd4b829c16b73b0b44b30e665d122629533ea05ef"
        "c8061823",
    };
    uint8_t p1[4096], p2[4096], vmsa[4096], want[48];
    struct snp_vmsa v;
    struct snp_ld ld;

    (void)state;
    for (size_t i = 0; i < 4096; i++) {
        p1[i] = (uint8_t)i;
    }
    memset(p2, 0xAA, sizeof(p2));
    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, SIG_EPYC_V4, 0x1));
    T_OK(snp_vmsa_encode(vmsa, &v));
    snp_ld_init(&ld, NULL);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_NORMAL, 0xFFFFE000, p1, NULL, false));
    t_unhex(want, 48, want_hex[0]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_NORMAL, 0xFFFFF000, p2, NULL, false));
    t_unhex(want, 48, want_hex[1]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_ZERO, 0x800000, NULL, NULL, false));
    t_unhex(want, 48, want_hex[2]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_UNMEASURED, 0x801000, NULL, NULL, false));
    t_unhex(want, 48, want_hex[3]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_SECRETS, 0x80D000, NULL, NULL, false));
    t_unhex(want, 48, want_hex[4]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_CPUID, 0x80E000, NULL, NULL, false));
    t_unhex(want, 48, want_hex[5]);
    t_memeq(ld.digest, want, 48);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_VMSA, SNP_PAGE_INFO_VMSA_GPA, vmsa, NULL, false));
    t_unhex(want, 48, want_hex[6]);
    t_memeq(ld.digest, want, 48);
}

static void
test_step_errors_and_vmsa_tsc(void **state)
{
    uint8_t page[4096], before[48];
    uint8_t perms[3] = {1, 0, 0};
    struct snp_ld a, b;

    (void)state;
    memset(page, 0x5A, sizeof(page));
    snp_ld_init(&a, NULL);
    memcpy(before, a.digest, 48);
    T_ERR(snp_ld_update_page(&a, (enum snp_page_type)0, 0, page, NULL, false), SNP_E_RANGE);
    T_ERR(snp_ld_update_page(&a, (enum snp_page_type)7, 0, page, NULL, false), SNP_E_RANGE);
    T_ERR(snp_ld_update_page(&a, SNP_PAGE_TYPE_NORMAL, 0, NULL, NULL, false), SNP_E_ARG);
    T_ERR(snp_ld_update_page(NULL, SNP_PAGE_TYPE_ZERO, 0, NULL, NULL, false), SNP_E_ARG);
    T_ERR(snp_ld_update_range(&a, SNP_PAGE_TYPE_ZERO, 0, NULL, 100, NULL, false), SNP_E_ARG);
    T_ERR(snp_ld_update_2m(&a, SNP_PAGE_TYPE_ZERO, 0x1000, NULL, NULL, false), SNP_E_ARG);
    t_memeq(a.digest, before, 48); /* refused steps leave the chain alone */
    assert_int_equal(a.steps, 0);

    /* §8.2: GUEST_TSC_SCALE/OFFSET do not enter a VMSA's CONTENTS. */
    snp_ld_init(&a, NULL);
    snp_ld_init(&b, NULL);
    T_OK(snp_ld_update_page(&a, SNP_PAGE_TYPE_VMSA, SNP_PAGE_INFO_VMSA_GPA, page, NULL, false));
    memset(page + 0x2F0, 0, 16);
    T_OK(snp_ld_update_page(&b, SNP_PAGE_TYPE_VMSA, SNP_PAGE_INFO_VMSA_GPA, page, NULL, false));
    t_memeq(a.digest, b.digest, 48);
    /* ...but they do for NORMAL pages, and IMI and permissions enter PAGE_INFO. */
    snp_ld_init(&a, NULL);
    snp_ld_init(&b, NULL);
    T_OK(snp_ld_update_page(&a, SNP_PAGE_TYPE_ZERO, 0, NULL, perms, false));
    T_OK(snp_ld_update_page(&b, SNP_PAGE_TYPE_ZERO, 0, NULL, NULL, true));
    assert_memory_not_equal(a.digest, b.digest, 48);
}

/* The 2 MB helper is 512 single steps; the threaded range equals the single-threaded one. */
static void
test_range_2m_and_threads(void **state)
{
    size_t len = 9u << 20; /* 9 MiB: several 2 MB pages and an odd chunk count */
    uint8_t *buf = malloc(len);
    struct snp_ld a, b, c;

    (void)state;
    assert_non_null(buf);
    t_fill(buf, len, 42);
    snp_ld_init(&a, NULL);
    snp_ld_init(&b, NULL);
    T_OK(snp_ld_update_2m(&a, SNP_PAGE_TYPE_NORMAL, 0x200000, buf, NULL, false));
    for (size_t i = 0; i < 512; i++) {
        T_OK(snp_ld_update_page(&b, SNP_PAGE_TYPE_NORMAL, 0x200000 + i * 4096, buf + i * 4096, NULL,
                                false));
    }
    t_memeq(a.digest, b.digest, 48);
    assert_int_equal(a.steps, 512);

    for (unsigned t = 2; t <= 5; t++) {
        snp_ld_init(&a, NULL);
        snp_ld_init(&c, NULL);
        c.threads = t;
        T_OK(snp_ld_update_range(&a, SNP_PAGE_TYPE_NORMAL, 0x100000, buf, len, NULL, false));
        T_OK(snp_ld_update_range(&c, SNP_PAGE_TYPE_NORMAL, 0x100000, buf, len, NULL, false));
        t_memeq(a.digest, c.digest, 48);
        assert_int_equal(a.steps, c.steps);
    }
    /* VMSA pages through the threaded path too (TSC fields zeroed on each). */
    snp_ld_init(&a, NULL);
    snp_ld_init(&c, NULL);
    c.threads = 2;
    T_OK(snp_ld_update_range(&a, SNP_PAGE_TYPE_VMSA, 0, buf, 2u << 20, NULL, false));
    T_OK(snp_ld_update_range(&c, SNP_PAGE_TYPE_VMSA, 0, buf, 2u << 20, NULL, false));
    t_memeq(a.digest, c.digest, 48);
    free(buf);
}

/* ---- the parser on a synthetic image ------------------------------------------------------- */

#define SYN_LEN (16u * 4096)

static void
test_parse_synthetic(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    struct synth s;
    struct snp_ovmf o;
    struct snp_measure_diag d;
    size_t meta;

    (void)state;
    synth_amdsev(&s);
    meta = synth_build(img, SYN_LEN, &s);
    T_OK(snp_ovmf_parse(&o, img, SYN_LEN, &d));
    assert_true(o.has_reset_block);
    assert_int_equal(o.reset_eip, 0x0080B004);
    assert_true(o.has_metadata);
    assert_int_equal(o.metadata_off, meta);
    assert_true(o.has_hashes_block);
    assert_int_equal(o.hashes_gpa, 0x810C00);
    assert_int_equal(o.hashes_size, 0x400);
    assert_false(o.has_svsm_info);
    assert_int_equal(o.nsections, 7);
    assert_int_equal(o.sections[5].type, SNP_OVMF_SEC_SNP_KERNEL_HASHES);
    assert_int_equal(o.sections[6].gpa, 0x811000);
    assert_int_equal(o.sections[6].size, 0xF000);
    assert_string_equal(snp_ovmf_section_name(o.sections[3].type), "CPUID");
    free(img);
}

/* Mutate a good synthetic image and expect the named refusal at the named offset. */
static void
expect_parse(const uint8_t *img, size_t len, snp_err err, enum snp_measure_why why, size_t off)
{
    struct snp_ovmf o;
    struct snp_measure_diag d;

    T_ERR(snp_ovmf_parse(&o, img, len, &d), err);
    assert_int_equal(d.why, why);
    assert_int_equal(d.off, off);
    assert_int_equal(o.nsections, 0); /* nothing half-parsed */
}

static void
test_parse_refusals(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    uint8_t *bad = malloc(SYN_LEN);
    size_t end = SYN_LEN - 32;
    struct synth s;
    size_t meta;

    (void)state;
    synth_amdsev(&s);
    meta = synth_build(img, SYN_LEN, &s);

    expect_parse(img, 40, SNP_E_FORMAT, SNP_MW_NO_FOOTER, 0);
    memcpy(bad, img, SYN_LEN);
    bad[end - 1] ^= 1; /* footer GUID */
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_NO_FOOTER, end - 16);
    memcpy(bad, img, SYN_LEN);
    bad[end - 18] = 5; /* table length below one entry */
    bad[end - 17] = 0;
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_TABLE_LEN, end - 18);
    memcpy(bad, img, SYN_LEN);
    bad[end - 18] = 0xFF; /* table length above the image */
    bad[end - 17] = 0xFF;
    expect_parse(bad, 0xFF00, SNP_E_FORMAT, SNP_MW_NO_FOOTER, 0xFF00 - 32 - 16);
    memcpy(bad, img, SYN_LEN);
    bad[end - 36] = 0xF0; /* first entry's length beyond the table */
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_ENTRY_LEN, end - 36);
    memcpy(bad, img, SYN_LEN);
    bad[end - 36] = 3; /* entry length below its header */
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_ENTRY_LEN, end - 36);

    memcpy(bad, img, SYN_LEN);
    bad[meta] = 'X';
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_METADATA_SIG, meta);
    memcpy(bad, img, SYN_LEN);
    bad[meta + 8] = 2;
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_METADATA_VERSION, meta + 8);
    memcpy(bad, img, SYN_LEN);
    bad[meta + 4]++;
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_METADATA_LEN, meta + 4);
    memcpy(bad, img, SYN_LEN);
    bad[meta + 12] = 33;
    expect_parse(bad, SYN_LEN, SNP_E_FORMAT, SNP_MW_TOO_MANY_SECTIONS, meta + 12);

    /* section checks: one descriptor changed at a time */
    {
        struct synth t;
        size_t m;

        t = s;
        t.sec[2].type = 5;
        m = synth_build(bad, SYN_LEN, &t);
        expect_parse(bad, SYN_LEN, SNP_E_RANGE, SNP_MW_SECTION_TYPE, m + 16 + 2 * 12 + 8);
        t = s;
        t.sec[1].gpa = 0x80A800;
        m = synth_build(bad, SYN_LEN, &t);
        expect_parse(bad, SYN_LEN, SNP_E_RANGE, SNP_MW_SECTION_ALIGN, m + 16 + 12);
        t = s;
        t.sec[0].size = 0;
        m = synth_build(bad, SYN_LEN, &t);
        expect_parse(bad, SYN_LEN, SNP_E_RANGE, SNP_MW_SECTION_ALIGN, m + 16);
        t = s;
        t.sec[6].gpa = 0xFFFFF000;
        t.sec[6].size = 0x2000;
        m = synth_build(bad, SYN_LEN, &t);
        expect_parse(bad, SYN_LEN, SNP_E_RANGE, SNP_MW_SECTION_RANGE, m + 16 + 6 * 12);
        t = s;
        t.sec[6].gpa = 0x808000; /* inside the first SEC_MEM */
        m = synth_build(bad, SYN_LEN, &t);
        expect_parse(bad, SYN_LEN, SNP_E_RANGE, SNP_MW_SECTION_OVERLAP, m + 16 + 6 * 12);
    }
    /* metadata offset outside the image */
    {
        struct snp_ovmf o;
        struct snp_measure_diag d;

        memcpy(bad, img, SYN_LEN);
        synth_put32(bad + end - 18 - 22 - 18 - 4, SYN_LEN + 1); /* the metadata entry's u32 */
        T_ERR(snp_ovmf_parse(&o, bad, SYN_LEN, &d), SNP_E_FORMAT);
        assert_int_equal(d.why, SNP_MW_METADATA_OFF);
    }
    free(img);
    free(bad);
}

/* ---- whole launches on the synthetic image (no vectors) ------------------------------------ */

static void
base_params(struct snp_measure_params *p, const uint8_t *img, size_t len)
{
    memset(p, 0, sizeof(*p));
    p->mode = SNP_MEASURE_MODE_SNP;
    p->vmm = SNP_VMM_QEMU;
    p->ovmf = img;
    p->ovmf_len = len;
    p->vcpus = 2;
    p->vcpu_sig = SIG_EPYC_V4;
    p->guest_features = 0x1;
}

static void
expect_refusal(const struct snp_measure_params *p, snp_err err, enum snp_measure_why why)
{
    uint8_t out[48];
    size_t n = 99;
    struct snp_measure_diag d;

    T_ERR(snp_measure(p, out, &n, &d), err);
    assert_int_equal(d.why, why);
    assert_int_equal(n, 0);
}

static void
test_measure_refusals(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    uint8_t *x64 = malloc(SYN_LEN);
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    struct synth s, t;

    (void)state;
    synth_amdsev(&s);
    synth_build(img, SYN_LEN, &s);
    T_OK(snp_sev_hashes_compute(&h, NULL, 0, NULL, 0, ""));

    base_params(&p, img, SYN_LEN);
    p.vcpus = 0;
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_VCPUS);
    p.vcpus = SNP_MEASURE_MAX_VCPUS + 1;
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_VCPUS);
    base_params(&p, img, SYN_LEN - 100);
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_IMAGE_SIZE);
    base_params(&p, img, SYN_LEN);
    p.guest_features = 0x20;
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_FEATURES);

    /* OvmfX64-like: no KERNEL_HASHES section, zero hashes block (the published fixture's shape) */
    t = s;
    t.sec[5].type = 1;
    t.hashes_gpa = 0;
    t.hashes_size = 0;
    synth_build(x64, SYN_LEN, &t);
    base_params(&p, x64, SYN_LEN);
    p.hashes = &h;
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_KERNEL_HASHES);
    p.mode = SNP_MEASURE_MODE_SEV;
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK);
    p.mode = SNP_MEASURE_MODE_SEV_ES;
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK);

    t = s;
    t.hashes_size = 0xA8; /* the table without its padding */
    synth_build(x64, SYN_LEN, &t);
    base_params(&p, x64, SYN_LEN);
    p.hashes = &h;
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_HASHES_TOO_SMALL);
    t = s;
    t.hashes_gpa = 0x810F80; /* 176 bytes do not fit in the page */
    synth_build(x64, SYN_LEN, &t);
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_HASHES_OUTSIDE);
    t = s;
    t.no_hashes = true;
    synth_build(x64, SYN_LEN, &t);
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK);
    t = s;
    t.sec[5].size = 0x2000;
    t.sec[6].gpa = 0x812000;
    t.sec[6].size = 0xE000;
    synth_build(x64, SYN_LEN, &t);
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_KERNEL_HASHES_SIZE);

    t = s;
    t.no_metadata = true;
    synth_build(x64, SYN_LEN, &t);
    base_params(&p, x64, SYN_LEN);
    expect_refusal(&p, SNP_E_FORMAT, SNP_MW_NO_METADATA);
    t = s;
    t.no_reset = true;
    synth_build(x64, SYN_LEN, &t);
    expect_refusal(&p, SNP_E_FORMAT, SNP_MW_NO_RESET_BLOCK);
    p.vcpus = 1; /* a single vCPU needs no AP start address */
    {
        uint8_t out[48];
        size_t n;
        T_OK(snp_measure(&p, out, &n, NULL));
        assert_int_equal(n, 48);
    }
    t = s;
    t.sec[6].gpa = 0xFFFF0000; /* a section on top of the firmware image itself */
    t.sec[6].size = 0x1000;
    synth_build(x64, SYN_LEN, &t);
    base_params(&p, x64, SYN_LEN);
    expect_refusal(&p, SNP_E_RANGE, SNP_MW_SECTION_IN_IMAGE);

    base_params(&p, img, SYN_LEN);
    p.ovmf_hash = img;
    p.mode = SNP_MEASURE_MODE_SEV;
    expect_refusal(&p, SNP_E_ARG, SNP_MW_OVMF_HASH_MODE);
    assert_string_equal(snp_measure_why_str(SNP_MW_SECTION_OVERLAP),
                        "SEV metadata sections overlap");
    free(img);
    free(x64);
}

static void
digest_of(const struct snp_measure_params *p, uint8_t out[48])
{
    size_t n;

    T_OK(snp_measure(p, out, &n, NULL));
}

/* Every input matters; the same inputs give the same digest; threads change nothing. */
static void
test_properties(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    uint8_t ref[48], again[48], got[48];
    uint8_t kernel[300], initrd[200];
    struct snp_sev_hashes h, h2;
    struct snp_measure_params p, q;
    struct synth s;

    (void)state;
    synth_amdsev(&s);
    synth_build(img, SYN_LEN, &s);
    t_fill(kernel, sizeof(kernel), 1);
    t_fill(initrd, sizeof(initrd), 2);
    T_OK(snp_sev_hashes_compute(&h, kernel, sizeof(kernel), initrd, sizeof(initrd), "ro quiet"));
    base_params(&p, img, SYN_LEN);
    p.hashes = &h;
    digest_of(&p, ref);
    digest_of(&p, again);
    t_memeq(ref, again, 48);
    q = p;
    q.threads = 2;
    digest_of(&q, again);
    t_memeq(ref, again, 48);

    img[5] ^= 1; /* one byte of OVMF */
    digest_of(&p, got);
    assert_memory_not_equal(ref, got, 48);
    img[5] ^= 1;
    kernel[299] ^= 1;
    T_OK(snp_sev_hashes_compute(&h2, kernel, sizeof(kernel), initrd, sizeof(initrd), "ro quiet"));
    q = p;
    q.hashes = &h2;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    kernel[299] ^= 1;
    initrd[0] ^= 1;
    T_OK(snp_sev_hashes_compute(&h2, kernel, sizeof(kernel), initrd, sizeof(initrd), "ro quiet"));
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    initrd[0] ^= 1;
    T_OK(snp_sev_hashes_compute(&h2, kernel, sizeof(kernel), initrd, sizeof(initrd), "ro quieT"));
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.hashes = NULL;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.vcpus = 3;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.vcpu_sig = 0x00A00F11;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.guest_features = 0x21;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.vmm = SNP_VMM_EC2;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    q = p;
    q.vmm = SNP_VMM_GCE;
    digest_of(&q, got);
    assert_memory_not_equal(ref, got, 48);
    digest_of(&p, again);
    t_memeq(ref, again, 48);
    free(img);
}

/* Resuming from the OVMF hash gives the full digest; the trace sees every step in order. */
struct trace_log {
    uint64_t n;
    uint64_t bad_order;
    uint8_t last[48];
    unsigned vmsa, normal;
};

static void
trace_cb(void *arg, const struct snp_ld_step *st)
{
    struct trace_log *t = arg;

    if (st->index != t->n) {
        t->bad_order++;
    }
    t->n++;
    memcpy(t->last, st->digest, 48);
    if (st->page_type == SNP_PAGE_TYPE_VMSA) {
        t->vmsa++;
        assert_string_equal(st->what, "VMSA");
    }
    if (st->page_type == SNP_PAGE_TYPE_NORMAL) {
        t->normal++;
    }
}

static void
test_ovmf_hash_and_trace(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    uint8_t full[48], oh[48], resumed[48];
    struct snp_measure_params p;
    struct trace_log log;
    struct synth s;

    (void)state;
    synth_amdsev(&s);
    synth_build(img, SYN_LEN, &s);
    base_params(&p, img, SYN_LEN);
    memset(&log, 0, sizeof(log));
    p.trace = trace_cb;
    p.trace_arg = &log;
    digest_of(&p, full);
    /* 16 OVMF pages + 9+3+1+1+1+1+15 section pages + 2 VMSAs */
    assert_int_equal(log.n, 16 + 31 + 2);
    assert_int_equal(log.bad_order, 0);
    assert_int_equal(log.vmsa, 2);
    assert_int_equal(log.normal, 16);
    t_memeq(log.last, full, 48);

    T_OK(snp_measure_ovmf_hash(img, SYN_LEN, 1, oh, NULL));
    p.trace = NULL;
    p.ovmf_hash = oh;
    digest_of(&p, resumed);
    t_memeq(resumed, full, 48);
    free(img);
}

/* ---- the page list (snp_measure_pages) ------------------------------------------------------ */

struct page_log {
    size_t runs, pages, precomputed;
    struct snp_ld ld; /* folded from the runs, as a host's firmware would */
    char what[64][24];
    uint64_t gpa[64];
    size_t fail_at; /* return SNP_E_IO at this run (0: never) */
};

static snp_err
page_cb(void *ctx, const struct snp_measure_page *pg)
{
    struct page_log *l = ctx;

    l->runs++;
    if (l->fail_at != 0 && l->runs == l->fail_at) {
        return SNP_E_IO;
    }
    assert_true(pg->npages > 0);
    assert_int_equal(pg->contents != NULL,
                     pg->type == SNP_PAGE_TYPE_NORMAL || pg->type == SNP_PAGE_TYPE_VMSA);
    if (l->runs <= 64) {
        snprintf(l->what[l->runs - 1], sizeof(l->what[0]), "%s", pg->what);
        l->gpa[l->runs - 1] = pg->gpa;
    }
    l->pages += pg->npages;
    if (pg->precomputed) {
        l->precomputed += pg->npages;
    }
    for (size_t i = 0; i < pg->npages; i++) {
        T_OK(snp_ld_update_page(&l->ld, pg->type, pg->gpa + i * SNP_MEASURE_PAGE,
                                pg->contents != NULL ? pg->contents + i * SNP_MEASURE_PAGE : NULL,
                                NULL, false));
    }
    return SNP_OK;
}

static void
test_page_list(void **state)
{
    static const char *const want_qemu[] = {
        "OVMF",     "SNP_SEC_MEM",       "SNP_SEC_MEM", "SNP_SECRETS", "CPUID",
        "SVSM_CAA", "SNP_KERNEL_HASHES", "SNP_SEC_MEM", "VMSA",        "VMSA"};
    uint8_t *img = malloc(SYN_LEN);
    uint8_t want[48], got[48], oh[48];
    struct snp_measure_params p;
    struct snp_sev_hashes h;
    struct page_log l;
    struct synth s;
    size_t n = 0;

    (void)state;
    synth_amdsev(&s);
    synth_build(img, SYN_LEN, &s);
    T_OK(snp_sev_hashes_compute(&h, (const uint8_t *)"k", 1, NULL, 0, "x"));
    base_params(&p, img, SYN_LEN);
    p.hashes = &h;
    T_OK(snp_measure(&p, want, &n, NULL));

    /* Folding the list page by page gives snp_measure()'s digest: it is the same walk. */
    memset(&l, 0, sizeof(l));
    snp_ld_init(&l.ld, NULL);
    T_OK(snp_measure_pages(&p, page_cb, &l, NULL));
    snp_ld_final(&l.ld, got);
    t_memeq(got, want, 48);
    assert_int_equal(l.runs, 10);
    assert_int_equal(l.pages, 16 + 31 + 2);
    assert_int_equal(l.precomputed, 0);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(l.what[i], want_qemu[i]);
    }
    assert_int_equal(l.gpa[0], SNP_MEASURE_GPA_4G - SYN_LEN);
    assert_int_equal(l.gpa[6], 0x810000);
    assert_int_equal(l.gpa[9], SNP_PAGE_INFO_VMSA_GPA);

    /* EC2: CPUID last of the sections. */
    p.vmm = SNP_VMM_EC2;
    memset(&l, 0, sizeof(l));
    T_OK(snp_measure_pages(&p, page_cb, &l, NULL));
    assert_string_equal(l.what[7], "CPUID");

    /* A precomputed OVMF hash: the pages are still listed, flagged. */
    p.vmm = SNP_VMM_QEMU;
    T_OK(snp_measure_ovmf_hash(img, SYN_LEN, 1, oh, NULL));
    p.ovmf_hash = oh;
    memset(&l, 0, sizeof(l));
    T_OK(snp_measure_pages(&p, page_cb, &l, NULL));
    assert_int_equal(l.precomputed, 16);
    assert_int_equal(l.pages, 16 + 31 + 2);

    /* The consumer's error stops the walk and comes back as is. */
    memset(&l, 0, sizeof(l));
    l.fail_at = 3;
    T_ERR(snp_measure_pages(&p, page_cb, &l, NULL), SNP_E_IO);
    assert_int_equal(l.runs, 3);

    /* Refusals are those of snp_measure(), before any page; SEV modes have no page list. */
    memset(&l, 0, sizeof(l));
    p.vcpus = 0;
    T_ERR(snp_measure_pages(&p, page_cb, &l, NULL), SNP_E_RANGE);
    assert_int_equal(l.runs, 0);
    p.vcpus = 1;
    p.ovmf_hash = NULL;
    p.mode = SNP_MEASURE_MODE_SEV_ES;
    T_ERR(snp_measure_pages(&p, page_cb, &l, NULL), SNP_E_ARG);
    p.mode = SNP_MEASURE_MODE_SNP;
    T_ERR(snp_measure_pages(&p, NULL, &l, NULL), SNP_E_ARG);
    T_ERR(snp_measure_pages(NULL, page_cb, &l, NULL), SNP_E_ARG);
    free(img);
}

static void
test_vcpu_sigs(void **state)
{
    static const struct {
        const char *name;
        uint32_t sig;
    } want[] = {
        {"EPYC", 0x00800F12},          {"EPYC-v4", 0x00800F12},      {"EPYC-IBPB", 0x00800F12},
        {"EPYC-Rome", 0x00830F10},     {"EPYC-Rome-v3", 0x00830F10}, {"EPYC-Milan", 0x00A00F11},
        {"EPYC-Milan-v2", 0x00A00F11}, {"EPYC-Genoa", 0x00A10F10},   {"EPYC-Turin", 0x00B00F00},
    };
    uint32_t sig = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        T_OK(snp_vcpu_sig_lookup(want[i].name, &sig));
        assert_int_equal(sig, want[i].sig);
    }
    T_ERR(snp_vcpu_sig_lookup("epyc-v4", &sig), SNP_E_NOTFOUND);
    T_ERR(snp_vcpu_sig_lookup("EPYC-v5", &sig), SNP_E_NOTFOUND);
    assert_int_equal(snp_vcpu_sig(23, 1, 2), 0x00800F12);
    assert_int_equal(snp_vcpu_sig(25, 17, 0), 0x00A10F10);
    assert_int_equal(snp_vcpu_sig(6, 0x55, 7), 0x00050657); /* family <= 0xF: no ext family */
    assert_non_null(snp_vcpu_type_name(0));
    assert_null(snp_vcpu_type_name(1000));
}

static void
test_hashes_table_layout(void **state)
{
    uint8_t t[SNP_SEV_HASHES_PADDED];
    uint8_t want[32];
    struct snp_sev_hashes h;

    (void)state;
    T_OK(snp_sev_hashes_compute(&h, NULL, 0, NULL, 0, NULL));
    /* SHA-256("\0") and SHA-256("") */
    t_unhex(want, 32, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    t_memeq(h.cmdline, want, 32);
    t_unhex(want, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    t_memeq(h.initrd, want, 32);
    t_memeq(h.kernel, want, 32);
    snp_sev_hashes_encode(t, &h);
    assert_int_equal(t[0], 0x06);
    assert_int_equal(t[16], 0xA8);
    assert_int_equal(t[18], 0xd8); /* cmdline GUID first */
    assert_int_equal(t[18 + 16], 50);
    assert_int_equal(t[68], 0x31);  /* initrd */
    assert_int_equal(t[118], 0x37); /* kernel */
    t_memeq(t + 118 + 18, h.kernel, 32);
    for (size_t i = 0xA8; i < sizeof(t); i++) {
        assert_int_equal(t[i], 0);
    }
}

/* ---- the published vectors (MANIFEST §4) ---------------------------------------------------- */

enum kmode { K_NONE, K_EMPTY_APPEND_EMPTY, K_EMPTY_APPEND_CONSOLE, K_EMPTY_NO_INITRD_APPEND };

struct vcase {
    const char *name;
    enum snp_measure_mode mode;
    enum snp_vmm_type vmm;
    const char *ovmf;
    uint32_t vcpus;
    uint64_t features;
    enum kmode kernel;
    const char *want;
};

static const struct vcase vcases[] = {
    {"test_snp_default", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x21,
     K_EMPTY_APPEND_CONSOLE,
     "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228"
     "977"},
    {"test_snp_guest_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 1, 0x1, K_EMPTY_APPEND_CONSOLE,
     "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b0"
     "8fa"},
    {"test_snp_ovmf_hash_gen_default", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin",
     1, 0x21, K_EMPTY_APPEND_EMPTY,
     "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef"
     "198"},
    {"test_snp_ovmf_hash_gen_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 1, 0x1, K_EMPTY_APPEND_EMPTY,
     "ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa385281"
     "9b5"},
    {"test_snp_ec2_default", SNP_MEASURE_MODE_SNP, SNP_VMM_EC2, "ovmf_AmdSev_suffix.bin", 1, 0x21,
     K_EMPTY_APPEND_EMPTY,
     "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d6"
     "7fb"},
    {"test_snp_ec2_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_EC2, "ovmf_AmdSev_suffix.bin",
     1, 0x1, K_EMPTY_APPEND_EMPTY,
     "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5"
     "056"},
    {"test_snp_gce_default", SNP_MEASURE_MODE_SNP, SNP_VMM_GCE, "ovmf_AmdSev_suffix.bin", 1, 0x1,
     K_EMPTY_APPEND_EMPTY,
     "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d07"
     "22e"},
    {"test_snp_gce_with_multiple_vcpus_default", SNP_MEASURE_MODE_SNP, SNP_VMM_GCE,
     "ovmf_AmdSev_suffix.bin", 4, 0x1, K_EMPTY_APPEND_EMPTY,
     "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e"
     "29d"},
    {"test_snp_without_kernel_default", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 1, 0x21, K_NONE,
     "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0"
     "e2b"},
    {"test_snp_without_kernel_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 1, 0x1, K_NONE,
     "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df6"
     "32d"},
    {"test_snp_with_multiple_vcpus_default", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 4, 0x21, K_EMPTY_APPEND_EMPTY,
     "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631"
     "942"},
    {"test_snp_with_multiple_vcpus_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 4, 0x1, K_EMPTY_APPEND_EMPTY,
     "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046"
     "ad5"},
    {"test_snp_with_ovmfx64_without_default", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_OvmfX64_suffix.bin", 1, 0x21, K_NONE,
     "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c"
     "385"},
    {"test_snp_with_ovmfx64_without_kernel_feature_snp_only", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU,
     "ovmf_OvmfX64_suffix.bin", 1, 0x1, K_NONE,
     "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4"
     "005"},
    {"test_seves", SNP_MEASURE_MODE_SEV_ES, SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0,
     K_EMPTY_APPEND_EMPTY, "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c"},
    {"test_seves_with_multiple_vcpus", SNP_MEASURE_MODE_SEV_ES, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 4, 0, K_EMPTY_APPEND_EMPTY,
     "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91"},
    {"test_sev", SNP_MEASURE_MODE_SEV, SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0,
     K_EMPTY_APPEND_CONSOLE, "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff"},
    {"test_sev_with_kernel_without_initrd_and_append", SNP_MEASURE_MODE_SEV, SNP_VMM_QEMU,
     "ovmf_AmdSev_suffix.bin", 1, 0, K_EMPTY_NO_INITRD_APPEND,
     "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898"},
    {"test_sev_with_ovmfx64_without_kernel", SNP_MEASURE_MODE_SEV, SNP_VMM_QEMU,
     "ovmf_OvmfX64_suffix.bin", 1, 0, K_NONE,
     "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da"},
};

static void
set_kernel(struct snp_sev_hashes *h, enum kmode k)
{
    static const uint8_t empty[1];

    switch (k) {
    case K_NONE:
        break;
    case K_EMPTY_APPEND_EMPTY:
        T_OK(snp_sev_hashes_compute(h, empty, 0, empty, 0, ""));
        break;
    case K_EMPTY_APPEND_CONSOLE:
        T_OK(snp_sev_hashes_compute(h, empty, 0, empty, 0, "console=ttyS0 loglevel=7"));
        break;
    case K_EMPTY_NO_INITRD_APPEND:
        T_OK(snp_sev_hashes_compute(h, empty, 0, NULL, 0, NULL));
        break;
    }
}

static void
test_published_measurements(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
        const struct vcase *c = &vcases[i];
        char rel[256];
        size_t len, n;
        uint8_t *ovmf;
        uint8_t want[48], got[48];
        struct snp_sev_hashes h;
        struct snp_measure_params p;

        snprintf(rel, sizeof(rel), SSM "%s", c->ovmf);
        ovmf = t_vector(rel, &len);
        base_params(&p, ovmf, len);
        p.mode = c->mode;
        p.vmm = c->vmm;
        p.vcpus = c->vcpus;
        p.guest_features = c->features;
        set_kernel(&h, c->kernel);
        p.hashes = c->kernel == K_NONE ? NULL : &h;
        for (unsigned threads = 1; threads <= 2; threads++) {
            p.threads = threads;
            T_OK(snp_measure(&p, got, &n, NULL));
            t_unhex(want, strlen(c->want) / 2, c->want);
            if (n != strlen(c->want) / 2 || memcmp(got, want, n) != 0) {
                print_error("vector %s differs\n", c->name);
            }
            assert_int_equal(n, strlen(c->want) / 2);
            t_memeq(got, want, n);
        }
        free(ovmf);
    }
}

/* The same vectors through the virtee/sev copies of the fixtures (identical files). */
static void
test_virtee_fixture_copies(void **state)
{
    uint8_t *a, *b;
    size_t alen, blen;

    (void)state;
    a = t_vector("virtee-sev/ovmf_AmdSev_suffix.bin", &alen);
    b = t_vector(SSM "ovmf_AmdSev_suffix.bin", &blen);
    assert_int_equal(alen, blen);
    t_memeq(a, b, alen);
    free(a);
    free(b);
}

static void
test_published_refusals(void **state)
{
    static const uint8_t empty[1];
    size_t len;
    uint8_t *ovmf = t_vector(SSM "ovmf_OvmfX64_suffix.bin", &len);
    struct snp_sev_hashes h;
    struct snp_measure_params p;

    (void)state;
    T_OK(snp_sev_hashes_compute(&h, empty, 0, empty, 0, ""));
    base_params(&p, ovmf, len);
    p.vcpus = 1;
    p.guest_features = 0x21;
    p.hashes = &h;
    /* "Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section" */
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_KERNEL_HASHES);
    /* "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement" */
    p.mode = SNP_MEASURE_MODE_SEV;
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK);
    p.mode = SNP_MEASURE_MODE_SEV_ES;
    expect_refusal(&p, SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK);
    free(ovmf);
}

static void
test_published_ovmf_hash(void **state)
{
    static const uint8_t empty[1];
    size_t len, n;
    uint8_t *ovmf = t_vector(SSM "ovmf_AmdSev_suffix.bin", &len);
    uint8_t oh[48], want[48], got[48];
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    struct snp_ovmf o;

    (void)state;
    T_OK(snp_measure_ovmf_hash(ovmf, len, 1, oh, NULL));
    t_unhex(want, 48,
            "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c3"
            "74c2a55c467a50da6d466b74");
    t_memeq(oh, want, 48);
    /* test_snp_ovmf_hash_gen_default: start from the precomputed hash */
    T_OK(snp_sev_hashes_compute(&h, empty, 0, empty, 0, ""));
    base_params(&p, ovmf, len);
    p.vcpus = 1;
    p.guest_features = 0x21;
    p.hashes = &h;
    p.ovmf_hash = oh;
    T_OK(snp_measure(&p, got, &n, NULL));
    t_unhex(want, 48,
            "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50"
            "e4e1d7fa41179ef98a7ef198");
    t_memeq(got, want, 48);
    /* §8.7: the parsed content of the fixture */
    T_OK(snp_ovmf_parse(&o, ovmf, len, NULL));
    assert_int_equal(o.reset_eip, 0x0080B004);
    assert_int_equal(o.metadata_off, len - 0x554);
    assert_int_equal(o.hashes_gpa, 0x810C00);
    assert_int_equal(o.hashes_size, 0x400);
    assert_int_equal(o.secret_gpa, 0x810000);
    assert_int_equal(o.secret_size, 0xC00);
    assert_int_equal(o.nsections, 7);
    free(ovmf);
}

static void
test_published_svsm(void **state)
{
    static const struct {
        uint32_t vcpus;
        const char *want;
    } cases[] = {
        {4, "27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb"
            "79277a44b2"},
        {2, "9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3bfcb715d6019b9167ee2517"
            "b11b0d9be7"},
    };
    size_t olen, slen, n;
    uint8_t *ovmf = t_vector(SSM "svsm_ovmf.fd", &olen);
    uint8_t *svsm = t_vector(SSM "svsm.bin", &slen);
    uint8_t want[48], got[48];
    struct snp_measure_params p;

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        base_params(&p, ovmf, olen);
        p.svsm = svsm;
        p.svsm_len = slen;
        p.vars_size = 540672;
        p.vcpus = cases[i].vcpus;
        p.guest_features = 0x21;
        p.threads = (unsigned)i + 1;
        T_OK(snp_measure(&p, got, &n, NULL));
        t_unhex(want, 48, cases[i].want);
        t_memeq(got, want, 48);
    }
    free(ovmf);
    free(svsm);
}

/* generated-vmsa/<case>: the VMSA pages byte for byte and the case's measurement. */
static const struct gcase {
    const char *dir;
    enum snp_measure_mode mode;
    enum snp_vmm_type vmm;
    uint32_t vcpus, sig;
    uint64_t features;
    enum kmode kernel;
    bool svsm;
} gcases[] = {
    {"snp-qemu-epycv4-1vcpu-gf0x21-kernel", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 1, 0x00800F12, 0x21,
     K_EMPTY_APPEND_CONSOLE, false},
    {"snp-qemu-epycv4-4vcpu-gf0x1-nokernel", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 4, 0x00800F12, 0x1,
     K_NONE, false},
    {"snp-qemu-epycmilan-2vcpu-gf0x1-nokernel", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 2, 0x00A00F11,
     0x1, K_NONE, false},
    {"snp-qemu-epycgenoa-2vcpu-gf0x1-nokernel", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 2, 0x00A10F10,
     0x1, K_NONE, false},
    {"snp-qemu-epycturin-2vcpu-gf0x1-nokernel", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 2, 0x00B00F00,
     0x1, K_NONE, false},
    {"snp-ec2-epycv4-1vcpu-gf0x21-kernel", SNP_MEASURE_MODE_SNP, SNP_VMM_EC2, 1, 0x00800F12, 0x21,
     K_EMPTY_APPEND_EMPTY, false},
    {"snp-gce-4vcpu-gf0x1-kernel", SNP_MEASURE_MODE_SNP, SNP_VMM_GCE, 4, 0, 0x1,
     K_EMPTY_APPEND_EMPTY, false},
    {"snp-svsm-qemu-epycv4-2vcpu-gf0x21", SNP_MEASURE_MODE_SNP, SNP_VMM_QEMU, 2, 0x00800F12, 0x21,
     K_NONE, true},
    {"seves-qemu-epycv4-2vcpu", SNP_MEASURE_MODE_SEV_ES, SNP_VMM_QEMU, 2, 0x00800F12, 0,
     K_EMPTY_APPEND_EMPTY, false},
};

static void
test_generated_vmsas(void **state)
{
    size_t alen, olen, slen = 0;
    uint8_t *amdsev = t_vector(SSM "ovmf_AmdSev_suffix.bin", &alen);
    uint8_t *svsm_ovmf = t_vector(SSM "svsm_ovmf.fd", &olen);
    uint8_t *svsm = t_vector(SSM "svsm.bin", &slen);

    (void)state;
    for (size_t c = 0; c < sizeof(gcases) / sizeof(gcases[0]); c++) {
        const struct gcase *g = &gcases[c];
        struct snp_sev_hashes h;
        struct snp_measure_params p;
        char rel[256];
        uint8_t page[4096], want[48], got[48];
        size_t n, hexlen;
        char *hex;

        base_params(&p, g->svsm ? svsm_ovmf : amdsev, g->svsm ? olen : alen);
        p.mode = g->mode;
        p.vmm = g->vmm;
        p.vcpus = g->vcpus;
        p.vcpu_sig = g->sig;
        p.guest_features = g->features;
        set_kernel(&h, g->kernel);
        p.hashes = g->kernel == K_NONE ? NULL : &h;
        if (g->svsm) {
            p.svsm = svsm;
            p.svsm_len = slen;
            p.vars_size = 540672;
        }
        for (uint32_t i = 0; i < g->vcpus; i++) {
            uint8_t *vec;
            size_t vlen;

            snprintf(rel, sizeof(rel), GV "%s/vmsa%u.bin", g->dir, i);
            vec = t_vector(rel, &vlen);
            assert_int_equal(vlen, 4096);
            T_OK(snp_measure_vmsa(&p, i, page, NULL));
            t_memeq(page, vec, 4096);
            free(vec);
        }
        snprintf(rel, sizeof(rel), GV "%s/measurement.hex", g->dir);
        hex = (char *)t_vector(rel, &hexlen);
        while (hexlen > 0 && (hex[hexlen - 1] == '\n' || hex[hexlen - 1] == '\r')) {
            hexlen--;
        }
        hex[hexlen] = '\0';
        t_unhex(want, hexlen / 2, hex);
        T_OK(snp_measure(&p, got, &n, NULL));
        assert_int_equal(n, hexlen / 2);
        t_memeq(got, want, n);
        free(hex);
    }
    free(amdsev);
    free(svsm_ovmf);
    free(svsm);
}

/* debian-ovmf/expected_measurements.tsv: every row, parsed from the file itself. */
static bool
tsv_param(const char *line, const char *key, char *out, size_t outsz)
{
    const char *p = strstr(line, key);
    size_t n = 0;

    if (p == NULL) {
        return false;
    }
    p += strlen(key);
    while (p[n] != '\0' && p[n] != ' ' && p[n] != '\t' && n + 1 < outsz) {
        n++;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

static void
test_debian_ovmf_table(void **state)
{
    size_t olen, tlen;
    uint8_t *ovmf = t_vector("debian-ovmf/OVMF.fd", &olen);
    char *tsv = (char *)t_vector("debian-ovmf/expected_measurements.tsv", &tlen);
    unsigned rows = 0;
    char *save = NULL;

    (void)state;
    tsv = realloc(tsv, tlen + 1);
    tsv[tlen] = '\0';
    for (char *line = strtok_r(tsv, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        char v[64];
        uint8_t want[48], got[48];
        size_t n;
        struct snp_measure_params p;

        if (line[0] == '#' || tab == NULL) {
            continue;
        }
        *tab = '\0';
        t_unhex(want, strlen(tab + 1) / 2, tab + 1);
        if (strcmp(line, "snp:ovmf-hash") == 0) {
            T_OK(snp_measure_ovmf_hash(ovmf, olen, 2, got, NULL));
            t_memeq(got, want, 48);
            rows++;
            continue;
        }
        base_params(&p, ovmf, olen);
        p.threads = 2;
        if (strncmp(line, "seves", 5) == 0) {
            p.mode = SNP_MEASURE_MODE_SEV_ES;
        } else if (strncmp(line, "sev", 3) == 0 && (line[3] == '\0' || line[3] == ' ')) {
            p.mode = SNP_MEASURE_MODE_SEV;
        }
        if (tsv_param(line, "vcpus=", v, sizeof(v))) {
            p.vcpus = (uint32_t)strtoul(v, NULL, 10);
        }
        if (tsv_param(line, "vcpu-type=", v, sizeof(v))) {
            T_OK(snp_vcpu_sig_lookup(v, &p.vcpu_sig));
        }
        if (tsv_param(line, "guest-features=", v, sizeof(v))) {
            p.guest_features = strtoull(v, NULL, 16);
        }
        if (tsv_param(line, "vmm=", v, sizeof(v))) {
            p.vmm = strcmp(v, "gce") == 0   ? SNP_VMM_GCE
                    : strcmp(v, "ec2") == 0 ? SNP_VMM_EC2
                                            : SNP_VMM_QEMU;
        }
        T_OK(snp_measure(&p, got, &n, NULL));
        if (memcmp(got, want, n) != 0) {
            print_error("debian row '%s' differs\n", line);
        }
        t_memeq(got, want, n);
        rows++;
    }
    assert_int_equal(rows, 23); /* every row of the file ran */
    free(ovmf);
    free(tsv);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_known_answers),
        cmocka_unit_test(test_step_synthetic_chain),
        cmocka_unit_test(test_step_errors_and_vmsa_tsc),
        cmocka_unit_test(test_range_2m_and_threads),
        cmocka_unit_test(test_parse_synthetic),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_measure_refusals),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_ovmf_hash_and_trace),
        cmocka_unit_test(test_vcpu_sigs),
        cmocka_unit_test(test_hashes_table_layout),
        cmocka_unit_test(test_published_measurements),
        cmocka_unit_test(test_virtee_fixture_copies),
        cmocka_unit_test(test_page_list),
        cmocka_unit_test(test_published_refusals),
        cmocka_unit_test(test_published_ovmf_hash),
        cmocka_unit_test(test_published_svsm),
        cmocka_unit_test(test_generated_vmsas),
        cmocka_unit_test(test_debian_ovmf_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
