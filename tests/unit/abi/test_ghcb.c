/*
 * tests/unit/abi/test_ghcb.c - GHCB protocol codecs (hardware.md §5): the GHCB page (golden
 * CPUID request, truncation, layout, placement, VALID_BITMAP), the MSR protocol (known answers
 * per message, reserved bits with their bit index, round-trip sweep), the page state change
 * buffer (golden bytes, header and entry checks with exact err_off), termination reasons.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/ghcb.h"

#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- GHCB page ---- */

static const struct t_map ghcb_map[] = {
    T_MAP("reserved", struct snp_ghcb, rsvd_0x000),
    T_MAP("CPL", struct snp_ghcb, cpl),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x0cc),
    T_MAP("XSS", struct snp_ghcb, xss),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x148),
    T_MAP("DR7", struct snp_ghcb, dr7),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x168),
    T_MAP("RIP", struct snp_ghcb, rip),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x180),
    T_MAP("RSP", struct snp_ghcb, rsp),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x1e0),
    T_MAP("RAX", struct snp_ghcb, rax),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x200),
    T_MAP("RCX", struct snp_ghcb, rcx),
    T_MAP("RDX", struct snp_ghcb, rdx),
    T_MAP("RBX", struct snp_ghcb, rbx),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x320),
    T_MAP("RBP", struct snp_ghcb, rbp),
    T_MAP("RSI", struct snp_ghcb, rsi),
    T_MAP("RDI", struct snp_ghcb, rdi),
    T_MAP("R8", struct snp_ghcb, r8),
    T_MAP("R9", struct snp_ghcb, r9),
    T_MAP("R10", struct snp_ghcb, r10),
    T_MAP("R11", struct snp_ghcb, r11),
    T_MAP("R12", struct snp_ghcb, r12),
    T_MAP("R13", struct snp_ghcb, r13),
    T_MAP("R14", struct snp_ghcb, r14),
    T_MAP("R15", struct snp_ghcb, r15),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x380),
    T_MAP("SW_EXITCODE", struct snp_ghcb, sw_exitcode),
    T_MAP("SW_EXITINFO1", struct snp_ghcb, sw_exitinfo1),
    T_MAP("SW_EXITINFO2", struct snp_ghcb, sw_exitinfo2),
    T_MAP("SW_SCRATCH", struct snp_ghcb, sw_scratch),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x3b0),
    T_MAP("XCR0", struct snp_ghcb, xcr0),
    T_MAP("VALID_BITMAP", struct snp_ghcb, valid_bitmap),
    T_MAP("X87_STATE_GPA", struct snp_ghcb, x87_state_gpa),
    T_MAP("reserved", struct snp_ghcb, rsvd_0x408),
    T_MAP("SHARED_BUFFER", struct snp_ghcb, shared_buffer),
    T_MAP("reserved", struct snp_ghcb, rsvd_0xff0),
    T_MAP("PROTOCOL_VERSION", struct snp_ghcb, protocol_version),
    T_MAP("GHCB_USAGE", struct snp_ghcb, ghcb_usage),
    T_MAP_END,
};

/* A CPUID NAE request (§5.4: RAX fn, RCX subfn, XCR0 required for fn 0xD), by hand. */
static void
golden_cpuid_page(uint8_t page[SNP_GHCB_SIZE])
{
    memset(page, 0, SNP_GHCB_SIZE);
    page[0x1F8] = 0x0D; /* RAX = 0xD */
    page[0x308] = 0x01; /* RCX = 1 */
    page[0x390] = 0x72; /* SW_EXITCODE = CPUID */
    page[0x3E8] = 0x07; /* XCR0 = 7 */
    page[0x3F7] = 0x80; /* valid: RAX   = qword 63  -> byte 7 bit 7 */
    page[0x3FC] = 0x02; /* valid: RCX   = qword 97  -> byte 12 bit 1 */
    page[0x3FE] = 0x1C; /* valid: SW_EXITCODE/INFO1/INFO2 = qwords 114..116 -> byte 14 bits 2..4 */
    page[0x3FF] = 0x20; /* valid: XCR0  = qword 125 -> byte 15 bit 5 */
    page[0xFFA] = 0x02; /* PROTOCOL_VERSION 2 */
}

static void
test_ghcb_golden(void **state)
{
    uint8_t want[SNP_GHCB_SIZE];
    uint8_t out[SNP_GHCB_SIZE];
    struct snp_ghcb g;

    (void)state;
    golden_cpuid_page(want);
    memset(&g, 0, sizeof(g));
    g.protocol_version = SNP_GHCB_PROTOCOL_SNP;
    g.ghcb_usage = SNP_GHCB_USAGE_STANDARD;
    g.sw_exitcode = SNP_NAE_CPUID;
    g.rax = 0xD;
    g.rcx = 1;
    g.xcr0 = 7;
    snp_ghcb_clear_all_valid(&g);
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RAX));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_RCX));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_XCR0));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITCODE));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO1));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO2));
    T_OK(snp_ghcb_encode(out, &g));
    t_memeq(out, want, SNP_GHCB_SIZE);

    T_OK(snp_ghcb_decode(&g, want, sizeof(want), NULL));
    assert_int_equal(g.sw_exitcode, 0x72);
    assert_int_equal(g.rax, 0xD);
    assert_int_equal(g.xcr0, 7);
    assert_int_equal(g.protocol_version, 2);
    assert_true(snp_ghcb_is_valid(&g, SNP_GHCB_OFF_RAX));
    assert_true(snp_ghcb_is_valid(&g, SNP_GHCB_OFF_RAX + 7)); /* any byte of the qword */
    assert_false(snp_ghcb_is_valid(&g, SNP_GHCB_OFF_RBX));
    assert_false(snp_ghcb_is_valid(&g, SNP_GHCB_OFF_CPL));
}

static void
test_ghcb_valid_bitmap(void **state)
{
    struct snp_ghcb g;

    (void)state;
    memset(&g, 0, sizeof(g));
    T_OK(snp_ghcb_set_valid(&g, SNP_GHCB_OFF_CPL)); /* 0x0CB -> qword 25 -> byte 3 bit 1 */
    assert_int_equal(g.valid_bitmap[3], 0x02);
    T_OK(snp_ghcb_set_valid(&g, 0x3F8)); /* the last coverable qword: bit 127 */
    assert_int_equal(g.valid_bitmap[15], 0x80);
    T_OK(snp_ghcb_clear_valid(&g, SNP_GHCB_OFF_CPL));
    assert_int_equal(g.valid_bitmap[3], 0);
    T_ERR(snp_ghcb_set_valid(&g, SNP_GHCB_VALID_LIMIT), SNP_E_RANGE);
    T_ERR(snp_ghcb_clear_valid(&g, SNP_GHCB_OFF_SHARED_BUFFER), SNP_E_RANGE);
    assert_false(snp_ghcb_is_valid(&g, SNP_GHCB_OFF_X87_STATE_GPA));
    assert_false(snp_ghcb_is_valid(NULL, 0));
    snp_ghcb_clear_all_valid(&g);
    for (size_t i = 0; i < SNP_GHCB_VALID_BITMAP_SIZE; i++) {
        assert_int_equal(g.valid_bitmap[i], 0);
    }
}

static void
test_ghcb_truncation_layout_placement(void **state)
{
    uint8_t *buf = malloc(SNP_GHCB_SIZE + 1);
    uint8_t out[SNP_GHCB_SIZE];
    struct snp_ghcb g;
    size_t off = 0;

    (void)state;
    assert_non_null(buf);
    t_fill(buf, SNP_GHCB_SIZE + 1, 21);
    for (size_t n = 0; n < SNP_GHCB_SIZE; n++) {
        T_ERR(snp_ghcb_decode(&g, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_ghcb_decode(&g, buf, SNP_GHCB_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_GHCB_SIZE);

    T_OK(snp_layout_check(snp_ghcb_layout(), SNP_GHCB_SIZE));
    assert_int_equal(snp_layout_find(snp_ghcb_layout(), "SW_EXITCODE")->off, 0x390);
    assert_int_equal(snp_layout_find(snp_ghcb_layout(), "VALID_BITMAP")->off, 0x3F0);
    assert_int_equal(snp_layout_find(snp_ghcb_layout(), "SHARED_BUFFER")->size, 0x7F0);
    assert_int_equal(snp_layout_find(snp_ghcb_layout(), "GHCB_USAGE")->off, 0xFFC);

    T_OK(snp_ghcb_decode(&g, buf, SNP_GHCB_SIZE, NULL));
    t_check_placement(snp_ghcb_layout(), ghcb_map, &g, buf);
    T_OK(snp_ghcb_encode(out, &g));
    t_memeq(out, buf, SNP_GHCB_SIZE); /* KEEP: every byte round trips */
    free(buf);
}

static snp_err
enc_ghcb(uint8_t *out, const void *s)
{
    return snp_ghcb_encode(out, s);
}

static void
test_ghcb_encode_placement(void **state)
{
    struct snp_ghcb g;

    (void)state;
    memset(&g, 0, sizeof(g));
    t_check_encode_placement(snp_ghcb_layout(), ghcb_map, &g, sizeof(g), SNP_GHCB_SIZE, enc_ghcb);
}

/* ---- MSR protocol ---- */

static void
msr_roundtrip(uint64_t v, struct snp_ghcb_msr *m)
{
    uint64_t back = 0;

    T_OK(snp_ghcb_msr_decode(m, v, NULL));
    T_OK(snp_ghcb_msr_encode(m, &back));
    assert_int_equal(back, v);
}

static void
test_msr_known_answers(void **state)
{
    struct snp_ghcb_msr m;

    (void)state;
    /* SEV_INFO: max 2, min 1, C-bit 51 */
    msr_roundtrip(UINT64_C(0x0002000133000001), &m);
    assert_int_equal(m.info, SNP_GHCB_MSR_SEV_INFO_RESP);
    assert_int_equal(m.max_proto, 2);
    assert_int_equal(m.min_proto, 1);
    assert_int_equal(m.cbit, 51);

    /* CPUID request for EBX of 0x8000001F */
    assert_int_equal(snp_ghcb_msr_cpuid_req(0x8000001F, SNP_GHCB_CPUID_EBX),
                     UINT64_C(0x8000001F40000004));
    msr_roundtrip(UINT64_C(0x8000001F40000004), &m);
    assert_int_equal(m.cpuid_fn, 0x8000001F);
    assert_int_equal(m.cpuid_reg, SNP_GHCB_CPUID_EBX);
    /* ... and KVM's answer, with the selector left in place */
    msr_roundtrip(UINT64_C(0x0000B06F40000005), &m);
    assert_int_equal(m.value, 0xB06F);

    /* GHCB GPA registration of GFN 0x12345, and its echo */
    assert_int_equal(snp_ghcb_msr_reg_gpa_req(0x12345), UINT64_C(0x12345012));
    msr_roundtrip(UINT64_C(0x12345013), &m);
    assert_int_equal(m.gfn, 0x12345);
    msr_roundtrip(UINT64_C(0xFFFFFFFFFFFFF011), &m); /* preferred GPA: no preference */
    assert_int_equal(m.gfn, SNP_GHCB_MSR_GFN_NONE);

    /* PSC: make GFN 0x1234 shared; response error */
    msr_roundtrip(UINT64_C(0x0020000001234014), &m);
    assert_int_equal(m.gfn, 0x1234);
    assert_int_equal(m.psc_op, SNP_PSC_OP_SHARED);
    msr_roundtrip(UINT64_C(0x8000000000000015), &m);
    assert_int_equal(m.error, SNP_GHCB_MSR_PSC_ERR_GENERIC);

    /* Run VMPL 1; HV features SNP + AP creation; AP reset hold woken */
    msr_roundtrip(UINT64_C(0x0000000100000016), &m);
    assert_int_equal(m.vmpl, 1);
    msr_roundtrip(UINT64_C(0x3081), &m);
    assert_int_equal(m.data, SNP_GHCB_HV_FT_SNP | SNP_GHCB_HV_FT_SNP_AP_CREATION);
    msr_roundtrip(UINT64_C(0x1007), &m);
    assert_int_equal(m.data, 1);

    /* Terminate: set 1 (Linux), code 4 (CPUID validation) */
    assert_int_equal(snp_ghcb_msr_term_req(SNP_TERM_SET_LINUX, SNP_TERM_LINUX_CPUID),
                     UINT64_C(0x41100));
    msr_roundtrip(UINT64_C(0x41100), &m);
    assert_int_equal(m.reason_set, 1);
    assert_int_equal(m.reason_code, 4);

    /* data-less requests */
    msr_roundtrip(0x002, &m);
    msr_roundtrip(0x006, &m);
    msr_roundtrip(0x010, &m);
    msr_roundtrip(0x080, &m);
}

static void
test_msr_rejects(void **state)
{
    static const struct {
        uint64_t v;
        snp_err err;
        size_t bit;
    } bad[] = {
        {0x002 | UINT64_C(1) << 12, SNP_E_RESERVED, 12},    /* SEV_INFO_REQ carries data */
        {UINT64_C(0x0002000133800001), SNP_E_RESERVED, 23}, /* SEV_INFO 23:12 */
        {UINT64_C(0x8000001F60000004), SNP_E_RESERVED, 29}, /* CPUID_REQ 29:12 */
        {UINT64_C(0x0120000001234014), SNP_E_RESERVED, 56}, /* PSC_REQ 63:56 */
        {UINT64_C(0x0030000001234014), SNP_E_RANGE, 52},    /* PSC op 3: not in MSR form */
        {UINT64_C(0x0000000001234014), SNP_E_RANGE, 52},    /* PSC op 0 */
        {UINT64_C(0x0000010100000016), SNP_E_RESERVED, 40}, /* RUN_VMPL 63:40 */
        {UINT64_C(0x0000000100001016), SNP_E_RESERVED, 12}, /* RUN_VMPL 31:12 */
        {UINT64_C(0x0000000000001015), SNP_E_RESERVED, 12}, /* PSC_RESP 31:12 */
        {UINT64_C(0x1000041100), SNP_E_RESERVED, 36},       /* TERM 63:24 */
        {0x000, SNP_E_UNSUPPORTED, 0},                      /* a GHCB GPA */
        {UINT64_C(0x123456000), SNP_E_UNSUPPORTED, 0},      /* GHCB GPA, info 0 */
        {0x003, SNP_E_UNSUPPORTED, 0},
        {0x101, SNP_E_UNSUPPORTED, 0},
        {0xFFF, SNP_E_UNSUPPORTED, 0},
    };
    struct snp_ghcb_msr m;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        size_t bit = 99;
        T_ERR(snp_ghcb_msr_decode(&m, bad[i].v, &bit), bad[i].err);
        assert_int_equal(bit, bad[i].bit);
        assert_int_equal(m.info, 0); /* nothing half-decoded */
    }
    T_ERR(snp_ghcb_msr_decode(NULL, 0x002, NULL), SNP_E_ARG);
}

static void
test_msr_encode_range(void **state)
{
    struct snp_ghcb_msr m;
    uint64_t v = 1;

    (void)state;
    memset(&m, 0, sizeof(m));
    m.info = SNP_GHCB_MSR_TERM_REQ;
    m.reason_set = 0x10;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    assert_int_equal(v, 0);
    m.info = SNP_GHCB_MSR_REG_GPA_REQ;
    m.gfn = UINT64_C(1) << 52;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    m.info = SNP_GHCB_MSR_PSC_REQ;
    m.gfn = UINT64_C(1) << 40;
    m.psc_op = SNP_PSC_OP_PRIVATE;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    m.gfn = 1;
    m.psc_op = SNP_PSC_OP_PSMASH;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    m.info = SNP_GHCB_MSR_CPUID_REQ;
    m.cpuid_reg = 4;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    m.info = SNP_GHCB_MSR_HV_FEATURES_RESP;
    m.data = UINT64_C(1) << 52;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_RANGE);
    m.info = 0x003;
    T_ERR(snp_ghcb_msr_encode(&m, &v), SNP_E_UNSUPPORTED);
}

/* decode OK => encode gives the input back, over random data with every info code. */
static void
test_msr_sweep(void **state)
{
    static const uint16_t infos[] = {0x001, 0x002, 0x004, 0x005, 0x006, 0x007, 0x010, 0x011, 0x012,
                                     0x013, 0x014, 0x015, 0x016, 0x017, 0x080, 0x081, 0x100};
    uint8_t rnd[8 * 4096];
    size_t ok = 0;

    (void)state;
    t_fill(rnd, sizeof(rnd), 77);
    for (size_t i = 0; i < sizeof(rnd) / 8; i++) {
        uint64_t raw = 0;
        for (size_t k = 0; k < 8; k++) {
            raw |= (uint64_t)rnd[8 * i + k] << (8 * k);
        }
        /* thin the data so narrow formats also get accepted sometimes */
        uint64_t mask = i % 3 == 0   ? ~UINT64_C(0)
                        : i % 3 == 1 ? UINT64_C(0x00FFFFFFFFFFF000)
                                     : UINT64_C(0xFFFFFFFF00000000);
        uint64_t v = (raw & mask & ~SNP_GHCB_MSR_INFO_MASK) | infos[i % ARRAY_LEN(infos)];
        struct snp_ghcb_msr m;
        uint64_t back = 0;
        if (snp_ghcb_msr_decode(&m, v, NULL) == SNP_OK) {
            T_OK(snp_ghcb_msr_encode(&m, &back));
            assert_int_equal(back, v);
            ok++;
        }
    }
    assert_true(ok > 1000);
}

/* ---- page state change buffer ---- */

static void
psc_golden_bytes(uint8_t buf[SNP_PSC_SIZE])
{
    static const uint8_t head[24] = {
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, /* cur 0, end 1, reserved */
        0x00, 0x50, 0x34, 0x12, 0x00, 0x00, 0x10, 0x00, /* GFN 0x12345 private 4K */
        0x05, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x01, /* GFN 0x200 shared 2M, cur_page 5 */
    };

    memset(buf, 0, SNP_PSC_SIZE);
    memcpy(buf, head, sizeof(head));
}

static void
test_psc_golden(void **state)
{
    uint8_t want[SNP_PSC_SIZE];
    uint8_t out[SNP_PSC_SIZE];
    struct snp_psc p;
    size_t off = 0;

    (void)state;
    psc_golden_bytes(want);
    memset(&p, 0, sizeof(p));
    p.cur_entry = 0;
    p.end_entry = 1;
    p.entries[0].gfn = 0x12345;
    p.entries[0].operation = SNP_PSC_OP_PRIVATE;
    p.entries[0].page_size = SNP_PSC_PAGE_4K;
    p.entries[1].gfn = 0x200;
    p.entries[1].operation = SNP_PSC_OP_SHARED;
    p.entries[1].page_size = SNP_PSC_PAGE_2M;
    p.entries[1].cur_page = 5;
    T_OK(snp_psc_encode(out, &p));
    t_memeq(out, want, SNP_PSC_SIZE);

    T_OK(snp_psc_decode(&p, want, sizeof(want), &off));
    assert_int_equal(p.end_entry, 1);
    assert_int_equal(p.entries[1].gfn, 0x200);
    assert_int_equal(p.entries[1].cur_page, 5);
    assert_int_equal(p.entries[1].page_size, SNP_PSC_PAGE_2M);
    assert_int_equal(SNP_PSC_SIZE, SNP_GHCB_SHARED_BUFFER_SIZE); /* fills the shared buffer */
    T_OK(snp_layout_check(snp_psc_layout(), SNP_PSC_SIZE));
}

static void
psc_expect(const uint8_t *buf, snp_err err, size_t want_off)
{
    struct snp_psc p;
    size_t off = 9999;

    T_ERR(snp_psc_decode(&p, buf, SNP_PSC_SIZE, &off), err);
    assert_int_equal(off, want_off);
    assert_int_equal(p.end_entry, 0); /* zeroed on failure */
}

static void
test_psc_checks(void **state)
{
    uint8_t buf[SNP_PSC_SIZE];
    struct snp_psc p;

    (void)state;
    for (size_t k = 4; k < 8; k++) { /* each header reserved byte */
        psc_golden_bytes(buf);
        buf[k] = 0x01;
        psc_expect(buf, SNP_E_RESERVED, k);
    }
    psc_golden_bytes(buf);
    buf[2] = 253; /* end_entry >= 253: invalid header */
    psc_expect(buf, SNP_E_RANGE, 2);
    psc_golden_bytes(buf);
    buf[2] = 252; /* the last valid end_entry; entries 2..252 are zero -> op 0 invalid */
    psc_expect(buf, SNP_E_RANGE, 8 + 2 * 8 + 6);
    psc_golden_bytes(buf);
    buf[0] = 3; /* cur_entry > end_entry + 1 */
    psc_expect(buf, SNP_E_RANGE, 0);
    psc_golden_bytes(buf);
    buf[0] = 2; /* cur_entry == end_entry + 1: all done, fine */
    T_OK(snp_psc_decode(&p, buf, sizeof(buf), NULL));

    psc_golden_bytes(buf);
    buf[16 + 7] |= 0x02; /* entry 1 bit 57 */
    psc_expect(buf, SNP_E_RESERVED, 16 + 7);
    psc_golden_bytes(buf);
    buf[8 + 6] = 0x50; /* entry 0 op 5 */
    psc_expect(buf, SNP_E_RANGE, 8 + 6);
    psc_golden_bytes(buf);
    buf[8] = 2; /* entry 0: 4K, cur_page 2 > 1 */
    psc_expect(buf, SNP_E_RANGE, 8);
    psc_golden_bytes(buf);
    buf[16] = 0x01;
    buf[17] = 0x02; /* entry 1: 2M, cur_page 513 > 512 */
    psc_expect(buf, SNP_E_RANGE, 16);
    psc_golden_bytes(buf);
    buf[16] = 0x00;
    buf[17] = 0x02; /* cur_page 512: the whole 2M entry done, fine */
    T_OK(snp_psc_decode(&p, buf, sizeof(buf), NULL));
    psc_golden_bytes(buf);
    buf[17] = 0x30; /* entry 1: GFN 0x203, not 2M aligned */
    psc_expect(buf, SNP_E_RANGE, 17);

    /* entries already processed or beyond end_entry are not checked and round trip */
    psc_golden_bytes(buf);
    buf[0] = 1;                       /* entry 0 done */
    buf[8 + 7] = 0xFE;                /* entry 0 reserved bits set */
    memset(buf + 8 + 5 * 8, 0xFF, 8); /* entry 5, beyond end_entry */
    uint8_t out[SNP_PSC_SIZE];
    T_OK(snp_psc_decode(&p, buf, sizeof(buf), NULL));
    T_OK(snp_psc_encode(out, &p));
    t_memeq(out, buf, SNP_PSC_SIZE);
}

static void
test_psc_truncation_and_encode_range(void **state)
{
    uint8_t buf[SNP_PSC_SIZE + 1];
    struct snp_psc p;
    size_t off = 0;

    (void)state;
    psc_golden_bytes(buf);
    buf[SNP_PSC_SIZE] = 0;
    for (size_t n = 0; n < SNP_PSC_SIZE; n++) {
        T_ERR(snp_psc_decode(&p, buf, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(snp_psc_decode(&p, buf, SNP_PSC_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_PSC_SIZE);

    memset(&p, 0, sizeof(p));
    p.entries[7].gfn = UINT64_C(1) << 40;
    T_ERR(snp_psc_encode(buf, &p), SNP_E_RANGE);
    p.entries[7].gfn = 0;
    p.entries[7].cur_page = 0x1000;
    T_ERR(snp_psc_encode(buf, &p), SNP_E_RANGE);
    p.entries[7].cur_page = 0;
    p.entries[7].rsvd_57 = 0x80;
    T_ERR(snp_psc_encode(buf, &p), SNP_E_RANGE);
}

/* ---- constants ---- */

static void
test_term_and_constants(void **state)
{
    (void)state;
    assert_string_equal(snp_term_reason_str(0, 1), "GHCB protocol range not supported");
    assert_string_equal(snp_term_reason_str(1, 9), "SVSM CAA not page aligned");
    assert_null(snp_term_reason_str(1, 10));
    assert_null(snp_term_reason_str(2, 0));
    assert_int_equal(snp_nae_term_exitinfo1(SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PSC), 0x11);
    assert_int_equal(SNP_PSC_STATUS_INVALID_HDR, UINT64_C(0x100000001));
    assert_int_equal(SNP_PSC_STATUS_GENERIC, UINT64_C(0x10000000000));
    assert_int_equal(SNP_NAE_EXT_GUEST_REQUEST, UINT64_C(0x80000012));
    assert_int_equal(SNP_NAE_TERM_REQUEST, UINT64_C(0x8000FFFE));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ghcb_golden),
        cmocka_unit_test(test_ghcb_valid_bitmap),
        cmocka_unit_test(test_ghcb_truncation_layout_placement),
        cmocka_unit_test(test_ghcb_encode_placement),
        cmocka_unit_test(test_msr_known_answers),
        cmocka_unit_test(test_msr_rejects),
        cmocka_unit_test(test_msr_encode_range),
        cmocka_unit_test(test_msr_sweep),
        cmocka_unit_test(test_psc_golden),
        cmocka_unit_test(test_psc_checks),
        cmocka_unit_test(test_psc_truncation_and_encode_range),
        cmocka_unit_test(test_term_and_constants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
