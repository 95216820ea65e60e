/*
 * tests/unit/abi/test_tcb_policy.c - products and CPUID (attestation.md §1.7), TCB_VERSION per
 * product (§2), guest POLICY and signer info (§3.1, §1.4), bit-name tables, and the signature
 * DER <-> little-endian conversion (§1.6) with known answers, malformed DER, OpenSSL as an
 * independent oracle, and one real report whose signature must verify through our DER.
 */
#include "helpers.h"

#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdlib.h>
#include <string.h>

/* ---- TCB_VERSION ---- */

static uint64_t
tcb_from_hex(const char *hex)
{
    uint8_t b[8];
    uint64_t v = 0;

    t_unhex(b, sizeof(b), hex);
    for (int i = 0; i < 8; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

static void
test_tcb_worked_examples(void **state)
{
    struct snp_tcb t;
    uint64_t raw;

    (void)state;
    /* §2: "0a 00 00 00 00 00 17 54 (Genoa) = BL 10, TEE 0, SNP 23, UCODE 84". */
    raw = tcb_from_hex("0a00000000001754");
    assert_true(raw == UINT64_C(0x541700000000000a));
    T_OK(snp_tcb_decode(&t, raw, SNP_PRODUCT_GENOA));
    assert_int_equal(t.product, SNP_PRODUCT_GENOA);
    assert_int_equal(t.fmc, 0);
    assert_int_equal(t.boot_loader, 10);
    assert_int_equal(t.tee, 0);
    assert_int_equal(t.snp, 23);
    assert_int_equal(t.microcode, 84);
    assert_true(snp_tcb_reserved_zero(&t));
    assert_true(snp_tcb_encode(&t) == raw);

    /* §2: "04 00 00 00 00 00 18 d9 (Milan VLEK) = BL 4, TEE 0, SNP 24, UCODE 217". */
    raw = tcb_from_hex("04000000000018d9");
    T_OK(snp_tcb_decode(&t, raw, SNP_PRODUCT_MILAN));
    assert_int_equal(t.boot_loader, 4);
    assert_int_equal(t.tee, 0);
    assert_int_equal(t.snp, 24);
    assert_int_equal(t.microcode, 217);
    assert_true(snp_tcb_encode(&t) == raw);

    /* Turin (MANIFEST: the ms Turin v5 report): FMC 1, BL 1, TEE 1, SNP 4, UCODE 81. */
    raw = tcb_from_hex("0101010400000051");
    T_OK(snp_tcb_decode(&t, raw, SNP_PRODUCT_TURIN));
    assert_int_equal(t.fmc, 1);
    assert_int_equal(t.boot_loader, 1);
    assert_int_equal(t.tee, 1);
    assert_int_equal(t.snp, 4);
    assert_int_equal(t.microcode, 81);
    assert_true(snp_tcb_reserved_zero(&t));
    assert_true(snp_tcb_encode(&t) == raw);

    /* The product decides the meaning: the Genoa bytes read as Turin put SNP 23 in a reserved
     * byte and 10 in FMC. */
    T_OK(snp_tcb_decode(&t, tcb_from_hex("0a00000000001754"), SNP_PRODUCT_TURIN));
    assert_int_equal(t.fmc, 10);
    assert_int_equal(t.boot_loader, 0);
    assert_int_equal(t.snp, 0);
    assert_int_equal(t.rsvd[2], 0x17);
    assert_int_equal(t.microcode, 84);
    assert_false(snp_tcb_reserved_zero(&t));
    /* And the Turin bytes read as Milan have non-zero reserved bytes 2..3. */
    T_OK(snp_tcb_decode(&t, tcb_from_hex("0101010400000051"), SNP_PRODUCT_MILAN));
    assert_int_equal(t.rsvd[0], 1);
    assert_int_equal(t.rsvd[1], 4);
    assert_false(snp_tcb_reserved_zero(&t));
}

static void
test_tcb_round_trip(void **state)
{
    static const enum snp_product products[] = {SNP_PRODUCT_MILAN, SNP_PRODUCT_GENOA,
                                                SNP_PRODUCT_TURIN};
    struct snp_tcb t;

    (void)state;
    /* Every byte of the u64 is either a component or a kept reserved byte, in every layout. */
    for (uint64_t seed = 1; seed <= 200; seed++) {
        uint8_t b[8];
        uint64_t raw = 0;
        t_fill(b, sizeof(b), seed);
        for (int i = 0; i < 8; i++) {
            raw |= (uint64_t)b[i] << (8 * i);
        }
        for (size_t p = 0; p < 3; p++) {
            T_OK(snp_tcb_decode(&t, raw, products[p]));
            assert_true(snp_tcb_encode(&t) == raw);
        }
    }
    /* One byte per position to pin the positions of each layout. */
    T_OK(snp_tcb_decode(&t, UINT64_C(0x0807060504030201), SNP_PRODUCT_MILAN));
    assert_int_equal(t.boot_loader, 1);
    assert_int_equal(t.tee, 2);
    assert_memory_equal(t.rsvd, "\x03\x04\x05\x06", 4);
    assert_int_equal(t.snp, 7);
    assert_int_equal(t.microcode, 8);
    T_OK(snp_tcb_decode(&t, UINT64_C(0x0807060504030201), SNP_PRODUCT_TURIN));
    assert_int_equal(t.fmc, 1);
    assert_int_equal(t.boot_loader, 2);
    assert_int_equal(t.tee, 3);
    assert_int_equal(t.snp, 4);
    assert_memory_equal(t.rsvd, "\x05\x06\x07\x00", 4);
    assert_int_equal(t.microcode, 8);

    /* UNKNOWN cannot be decoded (SNP_E_ARG, output zeroed) but encodes the legacy layout. */
    T_ERR(snp_tcb_decode(&t, UINT64_C(0x0807060504030201), SNP_PRODUCT_UNKNOWN), SNP_E_ARG);
    assert_int_equal(t.product, SNP_PRODUCT_UNKNOWN);
    assert_int_equal(t.boot_loader, 0);
    assert_int_equal(t.microcode, 0);
    T_ERR(snp_tcb_decode(&t, 0, (enum snp_product)42), SNP_E_ARG);
    memset(&t, 0, sizeof(t));
    t.boot_loader = 4;
    t.snp = 24;
    t.microcode = 0xd9;
    t.fmc = 9; /* not part of the legacy layout: dropped */
    assert_true(snp_tcb_encode(&t) == tcb_from_hex("04000000000018d9"));
}

static void
test_tcb_compare(void **state)
{
    struct snp_tcb a;
    struct snp_tcb b;

    (void)state;
    T_OK(snp_tcb_decode(&a, tcb_from_hex("04000000000018d9"), SNP_PRODUCT_MILAN)); /* REPORTED */
    T_OK(snp_tcb_decode(&b, tcb_from_hex("04000000000018dc"), SNP_PRODUCT_MILAN)); /* CURRENT */
    assert_true(snp_tcb_le(&a, &b));
    assert_false(snp_tcb_le(&b, &a));
    assert_true(snp_tcb_le(&a, &a));
    /* Component-wise, not lexicographic: higher SNP but lower microcode is not <=. */
    T_OK(snp_tcb_decode(&b, tcb_from_hex("04000000000019d8"), SNP_PRODUCT_MILAN));
    assert_false(snp_tcb_le(&a, &b));
    assert_false(snp_tcb_le(&b, &a));
    /* Reserved bytes are not components. */
    T_OK(snp_tcb_decode(&b, tcb_from_hex("04000000ff0018d9"), SNP_PRODUCT_MILAN));
    assert_true(snp_tcb_le(&b, &a));
    /* Turin: FMC counts. */
    T_OK(snp_tcb_decode(&a, tcb_from_hex("0101010400000051"), SNP_PRODUCT_TURIN));
    T_OK(snp_tcb_decode(&b, tcb_from_hex("0201010400000051"), SNP_PRODUCT_TURIN));
    assert_true(snp_tcb_le(&a, &b));
    assert_false(snp_tcb_le(&b, &a));
    /* Different layouts are never comparable. */
    T_OK(snp_tcb_decode(&b, tcb_from_hex("0101010400000051"), SNP_PRODUCT_GENOA));
    assert_false(snp_tcb_le(&a, &b));
    assert_false(snp_tcb_le(&b, &a));
}

/* ---- products and CPUID ---- */

static void
test_product_names(void **state)
{
    static const struct {
        const char *name;
        snp_err want;
        enum snp_product p;
    } cases[] = {
        {"milan", SNP_OK, SNP_PRODUCT_MILAN},         {"Milan", SNP_OK, SNP_PRODUCT_MILAN},
        {"MILAN", SNP_OK, SNP_PRODUCT_MILAN},         {"genoa", SNP_OK, SNP_PRODUCT_GENOA},
        {"Siena", SNP_OK, SNP_PRODUCT_GENOA},         {"bErGaMo", SNP_OK, SNP_PRODUCT_GENOA},
        {"Turin", SNP_OK, SNP_PRODUCT_TURIN},         {"venice", SNP_E_ARG, SNP_PRODUCT_UNKNOWN},
        {"Milan-B0", SNP_E_ARG, SNP_PRODUCT_UNKNOWN}, {"mila", SNP_E_ARG, SNP_PRODUCT_UNKNOWN},
        {"milann", SNP_E_ARG, SNP_PRODUCT_UNKNOWN},   {"", SNP_E_ARG, SNP_PRODUCT_UNKNOWN},
        {"unknown", SNP_E_ARG, SNP_PRODUCT_UNKNOWN},
    };
    enum snp_product p;

    (void)state;
    assert_string_equal(snp_product_name(SNP_PRODUCT_MILAN), "Milan");
    assert_string_equal(snp_product_name(SNP_PRODUCT_GENOA), "Genoa");
    assert_string_equal(snp_product_name(SNP_PRODUCT_TURIN), "Turin");
    assert_string_equal(snp_product_name(SNP_PRODUCT_UNKNOWN), "unknown");
    assert_string_equal(snp_product_name((enum snp_product)77), "unknown");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p = SNP_PRODUCT_TURIN;
        T_ERR(snp_product_parse(cases[i].name, &p), cases[i].want);
        assert_int_equal(p, cases[i].p);
    }
    T_ERR(snp_product_parse(NULL, &p), SNP_E_ARG);
    /* parse(name(p)) == p */
    T_OK(snp_product_parse(snp_product_name(SNP_PRODUCT_GENOA), &p));
    assert_int_equal(p, SNP_PRODUCT_GENOA);
}

static void
test_product_cpuid_edges(void **state)
{
    static const struct {
        uint8_t family;
        uint8_t model;
        enum snp_product p; /* UNKNOWN: SNP_E_UNSUPPORTED */
    } cases[] = {
        {0x19, 0x00, SNP_PRODUCT_MILAN},   {0x19, 0x01, SNP_PRODUCT_MILAN},
        {0x19, 0x0F, SNP_PRODUCT_MILAN},   {0x19, 0x10, SNP_PRODUCT_GENOA},
        {0x19, 0x11, SNP_PRODUCT_GENOA},   {0x19, 0x1F, SNP_PRODUCT_GENOA},
        {0x19, 0x20, SNP_PRODUCT_UNKNOWN}, {0x19, 0x9F, SNP_PRODUCT_UNKNOWN},
        {0x19, 0xA0, SNP_PRODUCT_GENOA}, /* Siena / Bergamo */
        {0x19, 0xAF, SNP_PRODUCT_GENOA},   {0x19, 0xB0, SNP_PRODUCT_UNKNOWN},
        {0x19, 0xFF, SNP_PRODUCT_UNKNOWN}, {0x1A, 0x00, SNP_PRODUCT_TURIN},
        {0x1A, 0x02, SNP_PRODUCT_TURIN},   {0x1A, 0x11, SNP_PRODUCT_TURIN},
        {0x1A, 0x12, SNP_PRODUCT_UNKNOWN}, {0x1A, 0x50, SNP_PRODUCT_UNKNOWN}, /* Venice */
        {0x1A, 0x57, SNP_PRODUCT_UNKNOWN}, {0x1A, 0x90, SNP_PRODUCT_UNKNOWN},
        {0x1A, 0xAF, SNP_PRODUCT_UNKNOWN}, {0x1A, 0xC0, SNP_PRODUCT_UNKNOWN},
        {0x1A, 0xC7, SNP_PRODUCT_UNKNOWN}, {0x17, 0x31, SNP_PRODUCT_UNKNOWN}, /* Rome */
        {0x18, 0x01, SNP_PRODUCT_UNKNOWN}, {0x00, 0x00, SNP_PRODUCT_UNKNOWN},
        {0x1B, 0x00, SNP_PRODUCT_UNKNOWN},
    };
    enum snp_product p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p = SNP_PRODUCT_MILAN;
        T_ERR(snp_product_from_cpuid(cases[i].family, cases[i].model, &p),
              cases[i].p == SNP_PRODUCT_UNKNOWN ? SNP_E_UNSUPPORTED : SNP_OK);
        assert_int_equal(p, cases[i].p);
    }
    /* Exhaustive against the §1.7 table. */
    for (unsigned f = 0; f < 256; f++) {
        for (unsigned m = 0; m < 256; m++) {
            enum snp_product want = SNP_PRODUCT_UNKNOWN;
            if (f == 0x19 && m <= 0x0F) {
                want = SNP_PRODUCT_MILAN;
            } else if (f == 0x19 && ((m >= 0x10 && m <= 0x1F) || (m >= 0xA0 && m <= 0xAF))) {
                want = SNP_PRODUCT_GENOA;
            } else if (f == 0x1A && m <= 0x11) {
                want = SNP_PRODUCT_TURIN;
            }
            (void)snp_product_from_cpuid((uint8_t)f, (uint8_t)m, &p);
            assert_int_equal(p, want);
        }
    }
}

static void
test_product_fms(void **state)
{
    static const struct {
        uint32_t eax;
        enum snp_product p;
    } cases[] = {
        /* §1.7 column "CPUID 1 EAX, stepping 0". */
        {0x00A00F10, SNP_PRODUCT_MILAN},
        {0x00A10F10, SNP_PRODUCT_GENOA},
        {0x00AA0F00, SNP_PRODUCT_GENOA},
        {0x00B00F20, SNP_PRODUCT_TURIN},
        /* Steppings, and the dense Turin model 0x11. */
        {0x00A00F11, SNP_PRODUCT_MILAN},
        {0x00A10F11, SNP_PRODUCT_GENOA},
        {0x00AA0F02, SNP_PRODUCT_GENOA},
        {0x00B10F10, SNP_PRODUCT_TURIN},
        /* Reserved bits 31:28 and 15:12 are ignored (go-sev-guest masks 0x0FFF0FFF). */
        {0xF0A0FF10, SNP_PRODUCT_MILAN},
        /* Venice family 0x1A model 0x50. */
        {0x00B50F00, SNP_PRODUCT_UNKNOWN},
        /* Base family 0xF without extension: family 0xF. */
        {0x00000F10, SNP_PRODUCT_UNKNOWN},
        /* Base family 6 ignores the extended fields: family 6. */
        {0x00A106A0, SNP_PRODUCT_UNKNOWN},
        /* 0xF + 0xFF overflows a byte: no such part. */
        {0x0FF00F10, SNP_PRODUCT_UNKNOWN},
        {0x00000000, SNP_PRODUCT_UNKNOWN},
    };
    enum snp_product p;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p = SNP_PRODUCT_MILAN;
        T_ERR(snp_product_from_fms(cases[i].eax, &p),
              cases[i].p == SNP_PRODUCT_UNKNOWN ? SNP_E_UNSUPPORTED : SNP_OK);
        assert_int_equal(p, cases[i].p);
    }
}

/* ---- POLICY, signer info, bit names ---- */

static void
test_policy_check(void **state)
{
    unsigned bad = 1000;

    (void)state;
    /* §3.1 common real values. */
    T_OK(snp_policy_check(0x30000, &bad));
    T_OK(snp_policy_check(0x3001F, &bad));
    T_OK(snp_policy_check(0xB0000, &bad));
    assert_int_equal(bad, 1000); /* untouched on success */
    /* Every defined bit (0..25) set at once is fine. */
    T_OK(snp_policy_check((SNP_POLICY_PAGE_SWAP_DISABLE << 1) - 1, NULL));
    /* Bit 17 clear. */
    T_ERR(snp_policy_check(0x10000, &bad), SNP_E_RESERVED);
    assert_int_equal(bad, 17);
    T_ERR(snp_policy_check(0, &bad), SNP_E_RESERVED);
    assert_int_equal(bad, 17);
    /* Every bit of 63:26. */
    for (unsigned bit = 26; bit < 64; bit++) {
        T_ERR(snp_policy_check(0x30000 | UINT64_C(1) << bit, &bad), SNP_E_RESERVED);
        assert_int_equal(bad, bit);
    }
    /* The lowest offending bit is named. */
    T_ERR(snp_policy_check(UINT64_C(0xC000000000000000), &bad), SNP_E_RESERVED);
    assert_int_equal(bad, 17);
    T_ERR(snp_policy_check(0x30000 | UINT64_C(0xC000000004000000), &bad), SNP_E_RESERVED);
    assert_int_equal(bad, 26);
    T_ERR(snp_policy_check(~UINT64_C(0), NULL), SNP_E_RESERVED);

    /* Accessors. */
    assert_int_equal(snp_policy_abi_major(0x3051F), 5);
    assert_int_equal(snp_policy_abi_minor(0x3051F), 0x1F);
    assert_true(snp_policy_debug(0xB0000));
    assert_false(snp_policy_debug(0x30000));
}

static void
test_signer_info(void **state)
{
    struct snp_signer_info si;

    (void)state;
    T_OK(snp_signer_info_decode(&si, 0)); /* observed VCEK */
    assert_false(si.author_key_en);
    assert_false(si.mask_chip_key);
    assert_int_equal(si.signing_key, SNP_SIGNING_KEY_VCEK);
    T_OK(snp_signer_info_decode(&si, 4)); /* observed VLEK (AWS) */
    assert_int_equal(si.signing_key, SNP_SIGNING_KEY_VLEK);
    T_OK(snp_signer_info_decode(&si, 0x1C));
    assert_int_equal(si.signing_key, SNP_SIGNING_KEY_NONE);
    T_OK(snp_signer_info_decode(&si, 0x3));
    assert_true(si.author_key_en);
    assert_true(si.mask_chip_key);
    assert_int_equal(si.signing_key, SNP_SIGNING_KEY_VCEK);

    /* Every 5-bit word: keys 2..6 reserved; the rest round-trips. */
    for (uint32_t w = 0; w < 32; w++) {
        unsigned key = (w >> 2) & 7;
        if (key >= 2 && key <= 6) {
            T_ERR(snp_signer_info_decode(&si, w), SNP_E_RESERVED);
            assert_false(si.author_key_en); /* zeroed on failure */
            assert_int_equal(si.signing_key, 0);
            continue;
        }
        T_OK(snp_signer_info_decode(&si, w));
        assert_int_equal(snp_signer_info_encode(&si), w);
    }
    /* Bits 31:5 MBZ. */
    for (unsigned bit = 5; bit < 32; bit++) {
        T_ERR(snp_signer_info_decode(&si, UINT32_C(1) << bit), SNP_E_RESERVED);
    }
    /* encode keeps to bits 4:0. */
    si.author_key_en = false;
    si.mask_chip_key = false;
    si.signing_key = 0xFF;
    assert_int_equal(snp_signer_info_encode(&si), 0x1C);

    assert_string_equal(snp_signing_key_name(0), "VCEK");
    assert_string_equal(snp_signing_key_name(1), "VLEK");
    assert_string_equal(snp_signing_key_name(7), "none");
    for (unsigned k = 2; k <= 6; k++) {
        assert_string_equal(snp_signing_key_name(k), "reserved");
    }
    assert_string_equal(snp_signing_key_name(100), "reserved");
}

static unsigned
bit_of(uint64_t mask)
{
    unsigned b = 0;

    while ((mask & 1) == 0) {
        mask >>= 1;
        b++;
    }
    return b;
}

static unsigned
named_bit(const struct snp_bit_name *t, const char *name)
{
    for (; t->name != NULL; t++) {
        if (strcmp(t->name, name) == 0) {
            return t->bit;
        }
    }
    fail_msg("bit name %s missing", name);
    return 999;
}

static void
test_bit_names(void **state)
{
    uint64_t seen = 0;
    size_t n = 0;

    (void)state;
    assert_int_equal(named_bit(snp_policy_bit_names, "SMT"), bit_of(SNP_POLICY_SMT));
    assert_int_equal(named_bit(snp_policy_bit_names, "MIGRATE_MA"), bit_of(SNP_POLICY_MIGRATE_MA));
    assert_int_equal(named_bit(snp_policy_bit_names, "DEBUG"), bit_of(SNP_POLICY_DEBUG));
    assert_int_equal(named_bit(snp_policy_bit_names, "SINGLE_SOCKET"),
                     bit_of(SNP_POLICY_SINGLE_SOCKET));
    assert_int_equal(named_bit(snp_policy_bit_names, "CXL_ALLOW"), bit_of(SNP_POLICY_CXL_ALLOW));
    assert_int_equal(named_bit(snp_policy_bit_names, "MEM_AES_256_XTS"),
                     bit_of(SNP_POLICY_MEM_AES_256_XTS));
    assert_int_equal(named_bit(snp_policy_bit_names, "RAPL_DIS"), bit_of(SNP_POLICY_RAPL_DIS));
    assert_int_equal(named_bit(snp_policy_bit_names, "CIPHERTEXT_HIDING"),
                     bit_of(SNP_POLICY_CIPHERTEXT_HIDING));
    assert_int_equal(named_bit(snp_policy_bit_names, "PAGE_SWAP_DISABLE"),
                     bit_of(SNP_POLICY_PAGE_SWAP_DISABLE));
    /* Policy names: unique, ascending, none reserved (17, 63:26). */
    for (const struct snp_bit_name *b = snp_policy_bit_names; b->name != NULL; b++, n++) {
        assert_true(b->bit < 64);
        assert_true((seen >> b->bit) == 0); /* strictly ascending */
        seen |= UINT64_C(1) << b->bit;
    }
    assert_int_equal(n, 9);
    assert_true((seen & (SNP_POLICY_RSVD_MBO | SNP_POLICY_RSVD_MBZ_MASK)) == 0);

    assert_int_equal(named_bit(snp_platform_bit_names, "SMT_EN"), bit_of(SNP_PLATFORM_SMT_EN));
    assert_int_equal(named_bit(snp_platform_bit_names, "TSME_EN"), bit_of(SNP_PLATFORM_TSME_EN));
    assert_int_equal(named_bit(snp_platform_bit_names, "ECC_EN"), bit_of(SNP_PLATFORM_ECC_EN));
    assert_int_equal(named_bit(snp_platform_bit_names, "RAPL_DIS"), bit_of(SNP_PLATFORM_RAPL_DIS));
    assert_int_equal(named_bit(snp_platform_bit_names, "CIPHERTEXT_HIDING_EN"),
                     bit_of(SNP_PLATFORM_CIPHERTEXT_HIDING_EN));
    assert_int_equal(named_bit(snp_platform_bit_names, "ALIAS_CHECK_COMPLETE"),
                     bit_of(SNP_PLATFORM_ALIAS_CHECK_COMPLETE));
    assert_int_equal(named_bit(snp_platform_bit_names, "TIO_EN"), bit_of(SNP_PLATFORM_TIO_EN));
    seen = 0;
    n = 0;
    for (const struct snp_bit_name *b = snp_platform_bit_names; b->name != NULL; b++, n++) {
        assert_true((seen >> b->bit) == 0);
        seen |= UINT64_C(1) << b->bit;
    }
    assert_int_equal(n, 7);
    /* The named bits and the reserved mask partition the word. */
    assert_true((seen & SNP_PLATFORM_RSVD_MASK) == 0);
    assert_true((seen | SNP_PLATFORM_RSVD_MASK) == ~UINT64_C(0));
}

/* ---- signature DER <-> little-endian ---- */

/* A 72-byte LE component from big-endian hex (the way one writes an integer). */
static void
comp_from_be_hex(uint8_t le[SNP_SIG_COMP_SIZE], const char *hex)
{
    uint8_t be[SNP_SIG_COMP_SIZE];
    size_t n = strlen(hex) / 2;

    memset(le, 0, SNP_SIG_COMP_SIZE);
    t_unhex(be, n, hex);
    for (size_t i = 0; i < n; i++) {
        le[i] = be[n - 1 - i];
    }
}

static void
der_round(const char *r_be, const char *s_be, const char *der_hex)
{
    struct snp_signature sig;
    struct snp_signature back;
    uint8_t der[SNP_SIG_DER_MAX];
    uint8_t want[SNP_SIG_DER_MAX];
    size_t len = 0;
    size_t wlen = strlen(der_hex) / 2;

    memset(&sig, 0xAA, sizeof(sig)); /* reserved tail: not part of the DER */
    comp_from_be_hex(sig.r, r_be);
    comp_from_be_hex(sig.s, s_be);
    T_OK(snp_sig_to_der(der, sizeof(der), &len, &sig));
    t_unhex(want, wlen, der_hex);
    assert_int_equal(len, wlen);
    t_memeq(der, want, wlen);
    T_OK(snp_sig_from_der(&back, want, wlen));
    t_memeq(back.r, sig.r, SNP_SIG_COMP_SIZE);
    t_memeq(back.s, sig.s, SNP_SIG_COMP_SIZE);
    for (size_t i = 0; i < sizeof(back.rsvd_0x090); i++) {
        assert_int_equal(back.rsvd_0x090[i], 0);
    }
}

/* 46 bytes each: with two more bytes appended they fill a 48-byte P-384 field. */
#define F46                                                                                        \
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define X46                                                                                        \
    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e"

static void
test_der_known_answers(void **state)
{
    (void)state;
    /* Smallest values. */
    der_round("01", "01", "3006020101020101");
    /* High bit set needs a 0x00 pad to stay positive. */
    der_round("80", "7f",
              "300702020080"
              "02017f");
    der_round("ff00", "0100",
              "30090203"
              "00ff00"
              "02020100");
    /* Leading zero bytes of the 48-byte field are not encoded. */
    der_round("00000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "000000000000002a",
              "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "00000000000102",
              "300702012a02020102");
    /* Full 48-byte values: 49 bytes with the pad, 104 bytes in all (the maximum). */
    der_round(F46 "ffff", X46 "4546",
              "3065"
              "023100" F46 "ffff"
              "0230" X46 "4546");
    der_round(F46 "ffff", F46 "ffff",
              "3066"
              "023100" F46 "ffff"
              "023100" F46 "ffff");
}

static void
test_der_to_errors(void **state)
{
    struct snp_signature sig;
    uint8_t der[SNP_SIG_DER_MAX];
    size_t len = 77;

    (void)state;
    memset(&sig, 0, sizeof(sig));
    sig.s[0] = 1;
    /* §1.6 step 4: r == 0 or s == 0 is rejected. */
    T_ERR(snp_sig_to_der(der, sizeof(der), &len, &sig), SNP_E_RANGE);
    assert_int_equal(len, 0);
    sig.r[0] = 1;
    sig.s[0] = 0;
    T_ERR(snp_sig_to_der(der, sizeof(der), &len, &sig), SNP_E_RANGE);
    sig.s[0] = 1;
    T_OK(snp_sig_to_der(der, sizeof(der), &len, &sig));
    /* Bytes 48..71 must be zero for P-384. */
    for (size_t i = SNP_P384_SIZE; i < SNP_SIG_COMP_SIZE; i++) {
        sig.r[i] = 1;
        T_ERR(snp_sig_to_der(der, sizeof(der), &len, &sig), SNP_E_RANGE);
        sig.r[i] = 0;
        sig.s[i] = 0x80;
        T_ERR(snp_sig_to_der(der, sizeof(der), &len, &sig), SNP_E_RANGE);
        sig.s[i] = 0;
    }
    /* The reserved tail does not matter. */
    memset(sig.rsvd_0x090, 0xFF, sizeof(sig.rsvd_0x090));
    T_OK(snp_sig_to_der(der, sizeof(der), &len, &sig));
    assert_int_equal(len, 8);
    /* Output space: exactly enough is fine, one byte less is SNP_E_SPACE. */
    memset(sig.r, 0xFF, SNP_P384_SIZE);
    memset(sig.s, 0xFF, SNP_P384_SIZE);
    T_OK(snp_sig_to_der(der, 104, &len, &sig));
    assert_int_equal(len, 104);
    T_ERR(snp_sig_to_der(der, 103, &len, &sig), SNP_E_SPACE);
    assert_int_equal(len, 0);
    T_ERR(snp_sig_to_der(NULL, 0, &len, &sig), SNP_E_SPACE);
}

static void
der_bad(const char *hex, snp_err want)
{
    struct snp_signature sig;
    uint8_t der[256];
    size_t n = strlen(hex) / 2;

    print_message("  %s\n", hex);
    t_unhex(der, n, hex);
    memset(&sig, 0x55, sizeof(sig));
    T_ERR(snp_sig_from_der(&sig, der, n), want);
    for (size_t i = 0; i < sizeof(sig); i++) {
        assert_int_equal(((const uint8_t *)&sig)[i], 0); /* zeroed on failure */
    }
}

static void
test_der_from_malformed(void **state)
{
    struct snp_signature sig;

    (void)state;
    T_ERR(snp_sig_from_der(&sig, NULL, 0), SNP_E_FORMAT);
    der_bad("30", SNP_E_FORMAT);                     /* header cut short */
    der_bad("3106020101020101", SNP_E_FORMAT);       /* SET, not SEQUENCE */
    der_bad("3007020101020101", SNP_E_FORMAT);       /* length beyond the input */
    der_bad("3005020101020101", SNP_E_FORMAT);       /* s runs past the SEQUENCE */
    der_bad("300602010102010100", SNP_E_TRAILING);   /* a byte after the SEQUENCE */
    der_bad("3009020101020101020101", SNP_E_FORMAT); /* a third INTEGER */
    der_bad("3007020101020101"
            "00",
            SNP_E_FORMAT);                           /* junk inside the SEQUENCE */
    der_bad("3003020101", SNP_E_FORMAT);             /* s missing */
    der_bad("3000", SNP_E_FORMAT);                   /* empty SEQUENCE */
    der_bad("308006020101020101", SNP_E_FORMAT);     /* indefinite length (BER) */
    der_bad("30810602010102010100", SNP_E_FORMAT);   /* long form for a short length */
    der_bad("3082000602010102010100", SNP_E_FORMAT); /* two-byte long form, leading 0 */
    der_bad("3083000006020101020101", SNP_E_FORMAT); /* three-byte length */
    der_bad("3006030101020101", SNP_E_FORMAT);       /* BIT STRING, not INTEGER */
    der_bad("300602010104010101", SNP_E_FORMAT);     /* OCTET STRING for s (length ok) */
    der_bad("30050200020101", SNP_E_FORMAT);         /* empty INTEGER */
    der_bad("3007020200010201"
            "01",
            SNP_E_FORMAT);                       /* non-minimal 00 01 */
    der_bad("300702010102020001", SNP_E_FORMAT); /* non-minimal s */
    der_bad("3007020101"
            "0202ff80",
            SNP_E_FORMAT);                    /* non-minimal negative */
    der_bad("3006020180020101", SNP_E_RANGE); /* negative r */
    der_bad("30060201010201ff", SNP_E_RANGE); /* negative s */
    der_bad("3006020100020101", SNP_E_RANGE); /* r == 0 */
    der_bad("3006020101020100", SNP_E_RANGE); /* s == 0 */
    /* 49 magnitude bytes (no pad needed, so it really is 49 bytes wide). */
    der_bad("3036"
            "0231"
            "01" F46 "ffff"
            "020101",
            SNP_E_RANGE);
    /* 50 bytes with a pad: 49 magnitude bytes. */
    der_bad("3037"
            "0232"
            "0080" F46 "ffff"
            "020101",
            SNP_E_RANGE);
    /* An INTEGER with a long-form length (128 content bytes): wider than P-384 whatever it
     * holds. 30 81 86 | 02 81 80 <128 bytes> | 02 01 01. */
    {
        uint8_t der[3 + 3 + 128 + 3];
        memcpy(der, "\x30\x81\x86\x02\x81\x80", 6);
        memset(der + 6, 0x11, 128);
        memcpy(der + 6 + 128, "\x02\x01\x01", 3);
        T_ERR(snp_sig_from_der(&sig, der, sizeof(der)), SNP_E_RANGE);
        der[2] = 0x87; /* SEQUENCE length beyond the input */
        T_ERR(snp_sig_from_der(&sig, der, sizeof(der)), SNP_E_FORMAT);
    }
}

/* OpenSSL as an independent oracle: our DER equals i2d_ECDSA_SIG of the same (r, s), and
 * OpenSSL's DER parses back to our little-endian bytes. */
static void
test_der_openssl_oracle(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        struct snp_signature sig;
        struct snp_signature back;
        uint8_t der[SNP_SIG_DER_MAX];
        uint8_t *ossl = NULL;
        size_t len = 0;
        uint8_t shape[2];
        int olen;

        memset(&sig, 0, sizeof(sig));
        t_fill(sig.r, SNP_P384_SIZE, seed * 2);
        t_fill(sig.s, SNP_P384_SIZE, seed * 2 + 1);
        t_fill(shape, sizeof(shape), seed + 1000);
        /* Vary the width (leading zeros) and the top bit. */
        memset(sig.r + SNP_P384_SIZE - shape[0] % 48, 0, shape[0] % 48);
        memset(sig.s + SNP_P384_SIZE - shape[1] % 48, 0, shape[1] % 48);
        sig.r[0] |= 1;
        sig.s[0] |= 1;

        T_OK(snp_sig_to_der(der, sizeof(der), &len, &sig));
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_lebin2bn(sig.r, SNP_SIG_COMP_SIZE, NULL);
        BIGNUM *s = BN_lebin2bn(sig.s, SNP_SIG_COMP_SIZE, NULL);
        assert_non_null(es);
        assert_int_equal(ECDSA_SIG_set0(es, r, s), 1);
        olen = i2d_ECDSA_SIG(es, &ossl);
        assert_true(olen > 0);
        assert_int_equal((size_t)olen, len);
        t_memeq(der, ossl, len);
        T_OK(snp_sig_from_der(&back, ossl, (size_t)olen));
        t_memeq(back.r, sig.r, SNP_SIG_COMP_SIZE);
        t_memeq(back.s, sig.s, SNP_SIG_COMP_SIZE);
        OPENSSL_free(ossl);
        ECDSA_SIG_free(es);
    }
}

/* Strip leading zeros of a big-endian integer and add the sign pad: DER INTEGER content. */
static size_t
be_minimal(uint8_t *out, const uint8_t le[SNP_SIG_COMP_SIZE])
{
    size_t top = SNP_SIG_COMP_SIZE;
    size_t k = 0;

    while (top > 0 && le[top - 1] == 0) {
        top--;
    }
    if ((le[top - 1] & 0x80) != 0) {
        out[k++] = 0;
    }
    while (top > 0) {
        out[k++] = le[--top];
    }
    return k;
}

/* One real report: the DER INTEGERs are the reversed LE fields, and the signature verifies with
 * the report's VCEK over the raw 0x2A0 signed bytes (attestation.md §1.6). */
static void
test_der_real_report(void **state)
{
    struct snp_report rep;
    uint8_t der[SNP_SIG_DER_MAX];
    uint8_t want[64];
    size_t len = 0;
    size_t rlen;
    size_t slen;
    size_t blen = 0;
    size_t clen = 0;
    uint8_t *buf = t_vector("trustee/test-report.bin", &blen);
    uint8_t *cert = t_vector("trustee/test-vcek.der", &clen);
    const uint8_t *cp = cert;
    X509 *x;
    EVP_PKEY *pk;
    EVP_MD_CTX *ctx;

    (void)state;
    T_OK(snp_report_decode(&rep, buf, blen, NULL));
    T_OK(snp_sig_to_der(der, sizeof(der), &len, &rep.signature));
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], len - 2);
    assert_int_equal(der[2], 0x02);
    rlen = der[3];
    assert_int_equal(be_minimal(want, rep.signature.r), rlen);
    t_memeq(der + 4, want, rlen);
    assert_int_equal(der[4 + rlen], 0x02);
    slen = der[5 + rlen];
    assert_int_equal(be_minimal(want, rep.signature.s), slen);
    t_memeq(der + 6 + rlen, want, slen);
    assert_int_equal(6 + rlen + slen, len);

    x = d2i_X509(NULL, &cp, (long)clen);
    assert_non_null(x);
    pk = X509_get0_pubkey(x);
    assert_non_null(pk);
    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, pk), 1);
    assert_int_equal(EVP_DigestVerify(ctx, der, len, rep.raw, SNP_REPORT_SIGNED_LEN), 1);
    /* Byte 42 + 1 (trustee's negative case): the same DER no longer verifies. */
    rep.raw[42]++;
    EVP_MD_CTX_free(ctx);
    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, pk), 1);
    assert_int_equal(EVP_DigestVerify(ctx, der, len, rep.raw, SNP_REPORT_SIGNED_LEN), 0);
    EVP_MD_CTX_free(ctx);
    X509_free(x);
    free(cert);
    free(buf);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcb_worked_examples), cmocka_unit_test(test_tcb_round_trip),
        cmocka_unit_test(test_tcb_compare),         cmocka_unit_test(test_product_names),
        cmocka_unit_test(test_product_cpuid_edges), cmocka_unit_test(test_product_fms),
        cmocka_unit_test(test_policy_check),        cmocka_unit_test(test_signer_info),
        cmocka_unit_test(test_bit_names),           cmocka_unit_test(test_der_known_answers),
        cmocka_unit_test(test_der_to_errors),       cmocka_unit_test(test_der_from_malformed),
        cmocka_unit_test(test_der_openssl_oracle),  cmocka_unit_test(test_der_real_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
