/*
 * tests/unit/abi/test_guestmsg.c - the guest message header, its checks and AEAD inputs, the
 * payload codecs (attestation.md §7) and the firmware status table (§7.8). Known answers: the
 * lit-sev-snp-utils raw MSG_REPORT_RSP and MSG_KEY_RSP (vectors/MANIFEST.md §2), read in place.
 * Every codec: golden bytes, truncation sweep, layout table and field placement, each MBZ byte
 * (and reserved bit) rejected at its offset, KEEP bytes round-tripped.
 */
#include "helpers.h"

#include "snpkit/fwstatus.h"
#include "snpkit/guestmsg.h"
#include "snpkit/layout.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include "base/rd.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static void
hex_eq(const uint8_t *got, const char *hex)
{
    uint8_t want[128];
    size_t n = strlen(hex) / 2;

    assert_true(n <= sizeof(want));
    t_unhex(want, n, hex);
    t_memeq(got, want, n);
}

static const struct snp_field *
row(const struct snp_field *t, const char *name)
{
    const struct snp_field *f = snp_layout_find(t, name);

    assert_non_null(f);
    return f;
}

static void
le_at(const uint8_t *buf, const struct snp_field *t, const char *name, uint64_t v)
{
    const struct snp_field *f = row(t, name);

    assert_int_equal(f->kind, SNP_F_LE);
    for (size_t i = 0; i < f->size; i++) {
        assert_int_equal(buf[f->off + i], (uint8_t)(v >> (8 * i)));
    }
}

static void
bytes_at(const uint8_t *buf, const struct snp_field *t, const char *name, const uint8_t *p,
         size_t n)
{
    const struct snp_field *f = row(t, name);

    assert_int_equal(f->size, n);
    t_memeq(buf + f->off, p, n);
}

static void
rows_zero(const uint8_t *buf, const struct snp_field *t)
{
    for (; t->name != NULL; t++) {
        if (t->kind != SNP_F_MBZ) {
            continue;
        }
        for (size_t i = 0; i < t->size; i++) {
            assert_int_equal(buf[t->off + i], 0);
        }
    }
}

/* Decode then re-encode into out (which has room for the input); the codec under test. */
typedef snp_err (*rt_fn)(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out);

static void
truncation_sweep(rt_fn rt, const uint8_t *good, size_t size)
{
    uint8_t *big = calloc(1, size + 1);
    uint8_t *out = calloc(1, size + 1);
    size_t off = 0;

    assert_non_null(big);
    assert_non_null(out);
    memcpy(big, good, size);
    T_OK(rt(big, size, &off, out));
    t_memeq(out, good, size);
    for (size_t n = 0; n < size; n++) {
        T_ERR(rt(big, n, &off, out), SNP_E_TRUNCATED);
    }
    T_ERR(rt(big, size + 1, &off, out), SNP_E_TRAILING);
    assert_int_equal(off, size);
    free(big);
    free(out);
}

/* Rows of table t placed at base in the image: MBZ bytes rejected at their offset, KEEP bytes
 * accepted and re-encoded as received. */
static void
reserved_sweep(rt_fn rt, const uint8_t *good, size_t size, const struct snp_field *t, size_t base)
{
    uint8_t *img = malloc(size);
    uint8_t *out = malloc(size);

    assert_non_null(img);
    assert_non_null(out);
    for (; t->name != NULL; t++) {
        if (t->kind != SNP_F_MBZ && t->kind != SNP_F_KEEP) {
            continue;
        }
        for (size_t i = 0; i < t->size; i++) {
            size_t at = base + t->off + i;
            size_t off = 0;
            memcpy(img, good, size);
            img[at] = (uint8_t)(0x80u >> (i % 8));
            if (t->kind == SNP_F_MBZ) {
                T_ERR(rt(img, size, &off, out), SNP_E_RESERVED);
                assert_int_equal(off, at);
            } else {
                T_OK(rt(img, size, &off, out));
                t_memeq(out, img, size);
            }
        }
    }
    free(img);
    free(out);
}

/* ---- firmware status (§7.8) ---- */

static void
test_fw_status(void **state)
{
    (void)state;
    assert_int_equal(SNP_FW_SUCCESS, 0x00);
    assert_int_equal(SNP_FW_INVALID_LEN, 0x04);
    assert_int_equal(SNP_FW_INVALID_PARAM, 0x16);
    assert_int_equal(SNP_FW_AEAD_OFLOW, 0x1D);
    assert_int_equal(SNP_FW_EXIT_RING_BUFFER, 0x1F);
    assert_int_equal(SNP_FW_RMP_INIT_REQUIRED, 0x20);
    assert_int_equal(SNP_FW_INVALID_KEY, 0x27);
    assert_int_equal(SNP_FW_SHUTDOWN_INCOMPLETE, 0x28);
    assert_string_equal(snp_fw_status_name(0x16), "INVALID_PARAM");
    assert_string_equal(snp_fw_status_name(SNP_FW_BAD_MEASUREMENT), "BAD_MEASUREMENT");
    assert_string_equal(snp_fw_status_name(0x27), "INVALID_KEY");
    assert_string_equal(snp_fw_status_name(0x1E), "UNKNOWN"); /* unused (hardware.md §6.2) */
    assert_string_equal(snp_fw_status_name(0x30), "UNKNOWN");
    assert_string_equal(snp_fw_status_name(0xFFFFFFFFu), "UNKNOWN");
    /* Every value 0x00..0x28 except 0x1E is named. */
    for (uint32_t s = 0; s <= 0x28; s++) {
        assert_true(snp_fw_status_known(s) == (s != 0x1E));
    }
    assert_false(snp_fw_status_known(0x29));
}

/* ---- message types (§7.4) ---- */

static void
test_msg_types(void **state)
{
    (void)state;
    assert_string_equal(snp_msg_type_name(SNP_MSG_REPORT_REQ), "MSG_REPORT_REQ");
    assert_string_equal(snp_msg_type_name(SNP_MSG_KEY_RSP), "MSG_KEY_RSP");
    assert_string_equal(snp_msg_type_name(SNP_MSG_ABSORB_NOMA_RSP), "MSG_ABSORB_NOMA_RSP");
    assert_string_equal(snp_msg_type_name(18), "MSG_TSC_INFO_RSP");
    assert_string_equal(snp_msg_type_name(0), "INVALID");
    assert_string_equal(snp_msg_type_name(19), "UNKNOWN");
    assert_int_equal(SNP_MSG_VMRK_REQ, 13);
    assert_int_equal(SNP_MSG_TSC_INFO_REQ, 17);
    assert_int_equal(snp_msg_type_max_version(SNP_MSG_KEY_REQ), 2);
    assert_int_equal(snp_msg_type_max_version(SNP_MSG_KEY_RSP), 2);
    assert_int_equal(snp_msg_type_max_version(SNP_MSG_REPORT_REQ), 1);
    assert_int_equal(snp_msg_type_max_version(0), 0);
    assert_int_equal(snp_msg_type_max_version(19), 0);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_REPORT_REQ, 1), 96);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_REPORT_RSP, 1), 0x4C0);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_KEY_REQ, 1), 32);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_KEY_REQ, 2), 40);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_KEY_RSP, 2), 64);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_TSC_INFO_RSP, 1), 128);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_REPORT_REQ, 2), 0);
    assert_int_equal(snp_msg_payload_size(SNP_MSG_CPUID_REQ, 1), 0);
    assert_int_equal(snp_msg_payload_size(0, 1), 0);
}

/* ---- header (§7.1) ---- */

/* A MSG_REPORT_REQ header: tag 00..0f, seqno 0x0102030405060709, ALGO 1, HDR_VERSION 1,
 * HDR_SIZE 0x60, type 5, version 1, size 0x60, VMPCK 2. */
#define HDR_GOLDEN                                                                                 \
    "000102030405060708090a0b0c0d0e0f00000000000000000000000000000000"                             \
    "0907060504030201000000000000000001016000050160000000000002000000"                             \
    "0000000000000000000000000000000000000000000000000000000000000000"

static snp_err
rt_hdr(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_hdr h;
    snp_err err = snp_msg_hdr_decode(&h, buf, len, err_off);

    if (err == SNP_OK) {
        T_OK(snp_msg_hdr_encode(out, &h));
    }
    return err;
}

static void
good_req_hdr(struct snp_msg_hdr *h)
{
    uint8_t img[SNP_MSG_HDR_SIZE];

    t_unhex(img, sizeof(img), HDR_GOLDEN);
    T_OK(snp_msg_hdr_decode(h, img, sizeof(img), NULL));
}

static void
test_hdr_golden_layout_sweeps(void **state)
{
    uint8_t img[SNP_MSG_HDR_SIZE], out[SNP_MSG_HDR_SIZE];
    const struct snp_field *t = snp_msg_hdr_layout();
    struct snp_msg_hdr h;

    (void)state;
    t_unhex(img, sizeof(img), HDR_GOLDEN);
    T_OK(snp_msg_hdr_decode(&h, img, sizeof(img), NULL));
    assert_int_equal(h.authtag[15], 0x0f);
    assert_true(h.msg_seqno == UINT64_C(0x0102030405060709));
    assert_int_equal(h.algo, 1);
    assert_int_equal(h.hdr_version, 1);
    assert_int_equal(h.hdr_size, 0x60);
    assert_int_equal(h.msg_type, SNP_MSG_REPORT_REQ);
    assert_int_equal(h.msg_version, 1);
    assert_int_equal(h.msg_size, 0x60);
    assert_int_equal(h.msg_vmpck, 2);
    T_OK(snp_msg_hdr_encode(out, &h));
    t_memeq(out, img, sizeof(img));
    T_OK(snp_msg_hdr_check_request(&h, NULL));

    /* Placement: distinct values in every field. */
    T_OK(snp_layout_check(t, SNP_MSG_HDR_SIZE));
    t_fill(h.authtag, sizeof(h.authtag), 3);
    h.msg_seqno = UINT64_C(0x1122334455667788);
    h.algo = 0xA1;
    h.hdr_version = 0xA2;
    h.hdr_size = 0xA3A4;
    h.msg_type = 0xA5;
    h.msg_version = 0xA6;
    h.msg_size = 0xA7A8;
    h.msg_vmpck = 0xA9;
    T_OK(snp_msg_hdr_encode(out, &h));
    bytes_at(out, t, "AUTHTAG", h.authtag, 32);
    le_at(out, t, "MSG_SEQNO", h.msg_seqno);
    le_at(out, t, "ALGO", 0xA1);
    le_at(out, t, "HDR_VERSION", 0xA2);
    le_at(out, t, "HDR_SIZE", 0xA3A4);
    le_at(out, t, "MSG_TYPE", 0xA5);
    le_at(out, t, "MSG_VERSION", 0xA6);
    le_at(out, t, "MSG_SIZE", 0xA7A8);
    le_at(out, t, "MSG_VMPCK", 0xA9);
    rows_zero(out, t);
    assert_int_equal(row(t, "MSG_VMPCK")->off, SNP_MSG_HDR_OFF_MSG_VMPCK);
    assert_int_equal(row(t, "MSG_SIZE")->off, SNP_MSG_HDR_OFF_MSG_SIZE);

    truncation_sweep(rt_hdr, img, sizeof(img));
    reserved_sweep(rt_hdr, img, sizeof(img), t, 0);
}

static void
test_hdr_check_request(void **state)
{
    struct snp_msg_hdr h, g;
    size_t off = 0;

    (void)state;
    good_req_hdr(&g);
#define EXPECT(field, value, want, at)                                                             \
    do {                                                                                           \
        h = g;                                                                                     \
        h.field = (value);                                                                         \
        T_ERR(snp_msg_hdr_check_request(&h, &off), (want));                                        \
        if ((want) != SNP_OK) {                                                                    \
            assert_int_equal(off, (at));                                                           \
        }                                                                                          \
    } while (0)
    EXPECT(hdr_version, 0, SNP_E_VERSION, 0x31);
    EXPECT(hdr_version, 2, SNP_E_VERSION, 0x31);
    EXPECT(hdr_size, 0x5F, SNP_E_RANGE, 0x32);
    EXPECT(hdr_size, 0x70, SNP_E_RANGE, 0x32);
    EXPECT(algo, 0, SNP_E_RANGE, 0x30);
    EXPECT(algo, 2, SNP_E_RANGE, 0x30);
    EXPECT(msg_size, 0, SNP_E_RANGE, 0x36);
    EXPECT(msg_size, 97, SNP_E_RANGE, 0x36);
    EXPECT(msg_size, 40, SNP_E_RANGE, 0x36); /* 40 only for MSG_KEY_REQ v2 */
    EXPECT(msg_size, 4000, SNP_OK, 0);       /* 0x60 + 4000 = one page */
    EXPECT(msg_size, 4016, SNP_E_RANGE, 0x36);
    EXPECT(msg_size, 0xFFF0, SNP_E_RANGE, 0x36);
    EXPECT(msg_vmpck, 3, SNP_OK, 0);
    EXPECT(msg_vmpck, 4, SNP_E_RANGE, 0x3C);
    EXPECT(msg_type, 0, SNP_E_RANGE, 0x34);
    EXPECT(msg_type, SNP_MSG_REPORT_RSP, SNP_E_RANGE, 0x34); /* a response type */
    EXPECT(msg_type, 19, SNP_E_RANGE, 0x34);
    EXPECT(msg_type, SNP_MSG_TSC_INFO_REQ, SNP_OK, 0);
    EXPECT(msg_version, 0, SNP_E_VERSION, 0x35);
    EXPECT(msg_version, 2, SNP_E_VERSION, 0x35);
#undef EXPECT
    /* Order (§7.3): HDR_VERSION is reported before everything else. */
    h = g;
    h.hdr_version = 9;
    h.algo = 9;
    h.msg_vmpck = 9;
    T_ERR(snp_msg_hdr_check_request(&h, &off), SNP_E_VERSION);
    assert_int_equal(off, 0x31);

    /* MSG_KEY_REQ: v1 32 bytes, v2 40 (the §11 exception) or 48; v3 unknown; v1 40 refused. */
    h = g;
    h.msg_type = SNP_MSG_KEY_REQ;
    h.msg_version = 1;
    h.msg_size = 32;
    T_OK(snp_msg_hdr_check_request(&h, &off));
    h.msg_size = 40;
    T_ERR(snp_msg_hdr_check_request(&h, &off), SNP_E_RANGE);
    assert_int_equal(off, 0x36);
    h.msg_version = 2;
    T_OK(snp_msg_hdr_check_request(&h, &off));
    h.msg_size = 32;
    T_OK(snp_msg_hdr_check_request(&h, &off));
    h.msg_size = 44;
    T_ERR(snp_msg_hdr_check_request(&h, &off), SNP_E_RANGE);
    h.msg_size = 40;
    h.msg_version = 3;
    T_ERR(snp_msg_hdr_check_request(&h, &off), SNP_E_RANGE); /* no exception at v3: size first */
    h.msg_size = 48;
    T_ERR(snp_msg_hdr_check_request(&h, &off), SNP_E_VERSION);
    assert_int_equal(off, 0x35);
}

static void
test_hdr_check_response(void **state)
{
    struct snp_msg_hdr req, rsp, g;
    size_t off = 0;

    (void)state;
    good_req_hdr(&req);
    g = req;
    g.msg_seqno = req.msg_seqno + 1;
    g.msg_type = SNP_MSG_REPORT_RSP;
    g.msg_size = SNP_MSG_REPORT_RSP_SIZE; /* 0x4C0: responses need not be a multiple of 16 */
    T_OK(snp_msg_hdr_check_response(&g, &req, &off));

#define EXPECT(field, value, want, at)                                                             \
    do {                                                                                           \
        rsp = g;                                                                                   \
        rsp.field = (value);                                                                       \
        T_ERR(snp_msg_hdr_check_response(&rsp, &req, &off), (want));                               \
        assert_int_equal(off, (at));                                                               \
    } while (0)
    EXPECT(algo, 0, SNP_E_RANGE, 0x30);
    EXPECT(hdr_version, 2, SNP_E_VERSION, 0x31);
    EXPECT(hdr_size, 0, SNP_E_RANGE, 0x32);
    EXPECT(msg_seqno, req.msg_seqno, SNP_E_REPLAY, 0x20);     /* echoed */
    EXPECT(msg_seqno, req.msg_seqno + 3, SNP_E_REPLAY, 0x20); /* skipped */
    EXPECT(msg_seqno, 0, SNP_E_REPLAY, 0x20);
    EXPECT(msg_type, SNP_MSG_REPORT_REQ, SNP_E_MISMATCH, 0x34);
    EXPECT(msg_type, SNP_MSG_KEY_RSP, SNP_E_MISMATCH, 0x34);
    EXPECT(msg_version, 2, SNP_E_MISMATCH, 0x35);
    EXPECT(msg_vmpck, 1, SNP_E_MISMATCH, 0x3C);
    EXPECT(msg_size, 0, SNP_E_RANGE, 0x36);
    EXPECT(msg_size, 4001, SNP_E_RANGE, 0x36);
#undef EXPECT
    /* A request seqno with no successor cannot have a valid response. */
    req.msg_seqno = UINT64_MAX;
    rsp = g;
    rsp.msg_seqno = 0;
    T_ERR(snp_msg_hdr_check_response(&rsp, &req, &off), SNP_E_REPLAY);
}

static void
test_aead_inputs(void **state)
{
    uint8_t iv[SNP_MSG_IV_LEN];
    uint8_t img[SNP_MSG_HDR_SIZE];

    (void)state;
    memset(iv, 0xEE, sizeof(iv));
    snp_msg_iv(iv, UINT64_C(0x0102030405060708));
    hex_eq(iv, "080706050403020100000000");
    snp_msg_iv(iv, 1);
    hex_eq(iv, "010000000000000000000000");
    t_unhex(img, sizeof(img), HDR_GOLDEN);
    assert_ptr_equal(snp_msg_hdr_aad(img), img + 0x30);
    assert_int_equal(SNP_MSG_AAD_LEN, 48);
    hex_eq(snp_msg_hdr_aad(img), "0101600005016000"
                                 "00000000"
                                 "02000000"                         /* 0x30..0x40 */
                                 "00000000000000000000000000000000" /* 0x40..0x50 */
                                 "00000000000000000000000000000000");
}

/* ---- MSG_REPORT_REQ ---- */

static snp_err
rt_report_req(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_report_req r;
    snp_err err = snp_msg_report_req_decode(&r, buf, len, err_off);

    if (err == SNP_OK) {
        T_OK(snp_msg_report_req_encode(out, &r));
    }
    return err;
}

static void
test_report_req(void **state)
{
    const struct snp_field *t = snp_msg_report_req_layout();
    struct snp_msg_report_req r, back;
    uint8_t out[SNP_MSG_REPORT_REQ_SIZE], img[SNP_MSG_REPORT_REQ_SIZE];
    size_t off = 0;

    (void)state;
    T_OK(snp_layout_check(t, SNP_MSG_REPORT_REQ_SIZE));
    memset(&r, 0, sizeof(r));
    t_fill(r.report_data, sizeof(r.report_data), 7);
    r.vmpl = 0xB1B2B3B4;
    r.key_sel = SNP_KEY_SEL_VLEK;
    T_OK(snp_msg_report_req_encode(out, &r));
    bytes_at(out, t, "REPORT_DATA", r.report_data, 64);
    le_at(out, t, "VMPL", 0xB1B2B3B4);
    le_at(out, t, "KEY_SEL", 2);
    rows_zero(out, t);
    T_OK(snp_msg_report_req_decode(&back, out, sizeof(out), NULL));
    assert_memory_equal(&back, &r, sizeof(r));

    /* Golden: REPORT_DATA 00..3f, VMPL 1, KEY_SEL 1 (VCEK). */
    for (size_t i = 0; i < 64; i++) {
        img[i] = (uint8_t)i;
    }
    memset(img + 64, 0, 32);
    img[0x40] = 1;
    img[0x44] = 1;
    T_OK(snp_msg_report_req_decode(&r, img, sizeof(img), NULL));
    assert_int_equal(r.vmpl, 1);
    assert_int_equal(r.key_sel, SNP_KEY_SEL_VCEK);
    assert_int_equal(r.report_data[63], 63);

    truncation_sweep(rt_report_req, img, sizeof(img));
    reserved_sweep(rt_report_req, img, sizeof(img), t, 0);
    /* KEY_SEL's dword: bits 31:2 are MBZ, each reported at its byte. */
    for (unsigned bit = 2; bit < 32; bit++) {
        memcpy(out, img, sizeof(img));
        snp_put_le32(out + 0x44, 1u | (1u << bit));
        T_ERR(snp_msg_report_req_decode(&r, out, sizeof(out), &off), SNP_E_RESERVED);
        assert_int_equal(off, 0x44 + bit / 8);
    }
    img[0x44] = SNP_KEY_SEL_RESERVED;
    T_ERR(snp_msg_report_req_decode(&r, img, sizeof(img), &off), SNP_E_RANGE);
    assert_int_equal(off, 0x44);
    r.key_sel = 4;
    T_ERR(snp_msg_report_req_encode(out, &r), SNP_E_RANGE);
}

/* ---- MSG_REPORT_RSP ---- */

static snp_err
rt_report_rsp(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_report_rsp *r = malloc(sizeof(*r));
    snp_err err;

    assert_non_null(r);
    err = snp_msg_report_rsp_decode(r, buf, len, err_off);
    if (err == SNP_OK) {
        T_OK(snp_msg_report_rsp_encode(out, r));
    }
    free(r);
    return err;
}

static void
test_report_rsp_lit(void **state)
{
    size_t len = 0, rlen = 0;
    uint8_t *buf, *rep;
    struct snp_msg_report_rsp *r;
    struct snp_report *report;
    uint8_t *out;
    size_t off = 0;

    (void)state;
    buf = t_vector("lit-sev-snp-utils/snp_report_msg_resp.bin", &len); /* first: it may skip */
    r = malloc(sizeof(*r));
    report = malloc(sizeof(*report));
    out = malloc(SNP_MSG_REPORT_RSP_SIZE);
    assert_non_null(r);
    assert_non_null(report);
    assert_non_null(out);
    /* The Linux ioctl buffer: 4000 bytes, the response then zeros. */
    assert_int_equal(len, SNP_MSG_PAYLOAD_MAX);
    for (size_t i = SNP_MSG_REPORT_RSP_SIZE; i < len; i++) {
        assert_int_equal(buf[i], 0);
    }
    T_ERR(snp_msg_report_rsp_decode(r, buf, len, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_MSG_REPORT_RSP_SIZE);
    T_OK(snp_msg_report_rsp_decode(r, buf, SNP_MSG_REPORT_RSP_SIZE, NULL));
    assert_int_equal(r->status, SNP_FW_SUCCESS);
    assert_int_equal(r->report_size, 1184);
    for (size_t i = 0; i < sizeof(r->rsvd_0x08); i++) {
        assert_int_equal(r->rsvd_0x08[i], 0);
    }
    rep = t_vector("lit-sev-snp-utils/snp_report_msg_resp.report.bin", &rlen);
    assert_int_equal(rlen, SNP_REPORT_SIZE);
    t_memeq(r->report, rep, SNP_REPORT_SIZE);
    T_OK(snp_msg_report_rsp_report(report, r, &off));
    assert_int_equal(report->version, 2); /* MANIFEST §2: a Milan v2 report */
    hex_eq(report->measurement, "44a1b909");
    t_memeq(report->raw, rep, SNP_REPORT_SIZE);
    T_OK(snp_msg_report_rsp_encode(out, r));
    t_memeq(out, buf, SNP_MSG_REPORT_RSP_SIZE);

    truncation_sweep(rt_report_rsp, buf, SNP_MSG_REPORT_RSP_SIZE);
    reserved_sweep(rt_report_rsp, buf, SNP_MSG_REPORT_RSP_SIZE, snp_msg_report_rsp_layout(), 0);

    /* The embedded report only when STATUS is SUCCESS and REPORT_SIZE is 0x4A0. */
    r->status = SNP_FW_INVALID_PARAM;
    T_ERR(snp_msg_report_rsp_report(report, r, &off), SNP_E_STATE);
    r->status = SNP_FW_SUCCESS;
    r->report_size = 0x4A1;
    T_ERR(snp_msg_report_rsp_report(report, r, &off), SNP_E_RANGE);
    assert_int_equal(off, 0x04);
    r->report_size = SNP_REPORT_SIZE;
    snp_put_le32(r->report, 1); /* report VERSION 1: refused by snp_report_decode() */
    T_ERR(snp_msg_report_rsp_report(report, r, &off), SNP_E_VERSION);
    assert_int_equal(off, SNP_MSG_REPORT_RSP_OFF_REPORT + 0);
    free(rep);
    free(buf);
    free(r);
    free(report);
    free(out);
}

static void
test_report_rsp_layout(void **state)
{
    const struct snp_field *t = snp_msg_report_rsp_layout();
    struct snp_msg_report_rsp *r = calloc(1, sizeof(*r));
    uint8_t *out = malloc(SNP_MSG_REPORT_RSP_SIZE);

    (void)state;
    assert_non_null(r);
    assert_non_null(out);
    T_OK(snp_layout_check(t, SNP_MSG_REPORT_RSP_SIZE));
    r->status = 0xC1C2C3C4;
    r->report_size = 0xD1D2D3D4;
    t_fill(r->rsvd_0x08, sizeof(r->rsvd_0x08), 1);
    t_fill(r->report, sizeof(r->report), 2);
    T_OK(snp_msg_report_rsp_encode(out, r));
    le_at(out, t, "STATUS", 0xC1C2C3C4);
    le_at(out, t, "REPORT_SIZE", 0xD1D2D3D4);
    t_memeq(out + 0x08, r->rsvd_0x08, 24);
    bytes_at(out, t, "ATTESTATION_REPORT", r->report, SNP_REPORT_SIZE);
    assert_int_equal(row(t, "ATTESTATION_REPORT")->off, SNP_MSG_REPORT_RSP_OFF_REPORT);
    free(r);
    free(out);
}

/* ---- MSG_KEY_REQ ---- */

static snp_err
rt_key_req_v(uint8_t v, const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_key_req k;
    size_t n = 0;
    snp_err err = snp_msg_key_req_decode(&k, v, buf, len, err_off);

    if (err == SNP_OK) {
        assert_int_equal(k.msg_version, v);
        T_OK(snp_msg_key_req_encode(out, len, &n, &k));
        assert_int_equal(n, len);
    }
    return err;
}

static snp_err
rt_key_req_v1(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    return rt_key_req_v(1, buf, len, err_off, out);
}

static snp_err
rt_key_req_v2(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    return rt_key_req_v(2, buf, len, err_off, out);
}

/* Golden v2 request: ROOT_KEY_SELECT 0, KEY_SEL 1 (VCEK), GFS = measurement|tcb|mit (0x68),
 * VMPL 1, GUEST_SVN 2, TCB 0x0a..., LAUNCH_MIT_VECTOR 0x0b. v1 is the first 32 bytes with GFS
 * 0x28. */
#define KEY_REQ_V2_GOLDEN                                                                          \
    "0200000000000000680000000000000001000000020000000a0000000000001b0b00000000000000"

static void
test_key_req(void **state)
{
    uint8_t img[SNP_MSG_KEY_REQ_V2_SIZE], out[48];
    struct snp_msg_key_req k, back;
    size_t n = 0, off = 0;

    (void)state;
    t_unhex(img, sizeof(img), KEY_REQ_V2_GOLDEN);
    T_OK(snp_msg_key_req_decode(&k, 2, img, sizeof(img), NULL));
    assert_int_equal(k.msg_version, 2);
    assert_int_equal(k.root_key_select, SNP_ROOT_KEY_CHIP);
    assert_int_equal(k.key_sel, SNP_KEY_SEL_VCEK);
    assert_true(k.guest_field_select ==
                (SNP_GFS_MEASUREMENT | SNP_GFS_TCB_VERSION | SNP_GFS_LAUNCH_MIT_VECTOR));
    assert_int_equal(k.vmpl, 1);
    assert_int_equal(k.guest_svn, 2);
    assert_true(k.tcb_version == UINT64_C(0x1b0000000000000a));
    assert_true(k.launch_mit_vector == 0x0b);
    T_OK(snp_msg_key_req_encode(out, sizeof(out), &n, &k));
    assert_int_equal(n, 40);
    t_memeq(out, img, 40);

    /* The same at v1: 32 bytes, bit 6 is reserved there. */
    T_ERR(snp_msg_key_req_decode(&k, 1, img, 32, &off), SNP_E_RESERVED);
    assert_int_equal(off, 0x08);
    img[0x08] = 0x28;
    T_OK(snp_msg_key_req_decode(&k, 1, img, 32, NULL));
    assert_true(k.launch_mit_vector == 0);
    T_ERR(snp_msg_key_req_decode(&k, 1, img, 40, &off), SNP_E_TRAILING);
    assert_int_equal(off, 32);
    T_ERR(snp_msg_key_req_decode(&k, 2, img, 32, &off), SNP_E_TRUNCATED);
    T_ERR(snp_msg_key_req_decode(&k, 0, img, 32, &off), SNP_E_VERSION);
    T_ERR(snp_msg_key_req_decode(&k, 3, img, 40, &off), SNP_E_VERSION);

    truncation_sweep(rt_key_req_v1, img, 32);
    reserved_sweep(rt_key_req_v1, img, 32, snp_msg_key_req_layout(1), 0);
    img[0x08] = 0x68;
    truncation_sweep(rt_key_req_v2, img, 40);
    reserved_sweep(rt_key_req_v2, img, 40, snp_msg_key_req_layout(2), 0);
    assert_null(snp_msg_key_req_layout(3));

    /* Reserved bits of the select word (31:3) and of GUEST_FIELD_SELECT (v2: 63:7). */
    for (unsigned bit = 3; bit < 32; bit++) {
        uint8_t m[40];
        memcpy(m, img, sizeof(m));
        snp_put_le32(m, 0x2u | (1u << bit));
        T_ERR(snp_msg_key_req_decode(&k, 2, m, 40, &off), SNP_E_RESERVED);
        assert_int_equal(off, bit / 8);
    }
    for (unsigned bit = 7; bit < 64; bit++) {
        uint8_t m[40];
        memcpy(m, img, sizeof(m));
        snp_put_le64(m + 8, 0x68u | (UINT64_C(1) << bit));
        T_ERR(snp_msg_key_req_decode(&k, 2, m, 40, &off), SNP_E_RESERVED);
        assert_int_equal(off, 8 + bit / 8);
    }
    img[0] = 0x06; /* KEY_SEL 3 */
    T_ERR(snp_msg_key_req_decode(&k, 2, img, 40, &off), SNP_E_RANGE);
    assert_int_equal(off, 0);
    img[0] = 0x01; /* ROOT_KEY_SELECT = VMRK */
    T_OK(snp_msg_key_req_decode(&k, 2, img, 40, NULL));
    assert_int_equal(k.root_key_select, SNP_ROOT_KEY_VMRK);
    assert_int_equal(k.key_sel, 0);

    /* Encode errors. */
    back = k;
    back.msg_version = 3;
    T_ERR(snp_msg_key_req_encode(out, sizeof(out), &n, &back), SNP_E_VERSION);
    back = k;
    back.root_key_select = 2;
    T_ERR(snp_msg_key_req_encode(out, sizeof(out), &n, &back), SNP_E_RANGE);
    back = k;
    back.key_sel = 4;
    T_ERR(snp_msg_key_req_encode(out, sizeof(out), &n, &back), SNP_E_RANGE);
    back = k;
    back.msg_version = 1; /* launch_mit_vector 0x0b cannot be carried at v1 */
    T_ERR(snp_msg_key_req_encode(out, sizeof(out), &n, &back), SNP_E_RANGE);
    T_ERR(snp_msg_key_req_encode(out, 39, &n, &k), SNP_E_SPACE);
    assert_int_equal(n, 40); /* the size needed */
}

static void
test_key_req_layout(void **state)
{
    struct snp_msg_key_req k;
    uint8_t out[40];
    size_t n = 0;

    (void)state;
    T_OK(snp_layout_check(snp_msg_key_req_layout(1), SNP_MSG_KEY_REQ_V1_SIZE));
    T_OK(snp_layout_check(snp_msg_key_req_layout(2), SNP_MSG_KEY_REQ_V2_SIZE));
    for (uint8_t v = 1; v <= 2; v++) {
        const struct snp_field *t = snp_msg_key_req_layout(v);
        memset(&k, 0, sizeof(k));
        k.msg_version = v;
        k.root_key_select = 1;
        k.key_sel = 2;
        k.guest_field_select = v == 1 ? SNP_GFS_V1_MASK : SNP_GFS_V2_MASK;
        k.vmpl = 0xE1E2E3E4;
        k.guest_svn = 0xF1F2F3F4;
        k.tcb_version = UINT64_C(0x0102030405060708);
        k.launch_mit_vector = v == 2 ? UINT64_C(0x1112131415161718) : 0;
        T_OK(snp_msg_key_req_encode(out, sizeof(out), &n, &k));
        assert_int_equal(n, v == 1 ? 32 : 40);
        le_at(out, t, "ROOT_KEY_SELECT|KEY_SEL", 1u | (2u << 1));
        le_at(out, t, "GUEST_FIELD_SELECT", k.guest_field_select);
        le_at(out, t, "VMPL", 0xE1E2E3E4);
        le_at(out, t, "GUEST_SVN", 0xF1F2F3F4);
        le_at(out, t, "TCB_VERSION", k.tcb_version);
        if (v == 2) {
            le_at(out, t, "LAUNCH_MIT_VECTOR", k.launch_mit_vector);
        }
        rows_zero(out, t);
    }
    assert_true(SNP_GFS_GUEST_POLICY == 1 && SNP_GFS_IMAGE_ID == 2 && SNP_GFS_FAMILY_ID == 4 &&
                SNP_GFS_MEASUREMENT == 8 && SNP_GFS_GUEST_SVN == 16 && SNP_GFS_TCB_VERSION == 32 &&
                SNP_GFS_LAUNCH_MIT_VECTOR == 64);
}

/* ---- MSG_KEY_RSP ---- */

static snp_err
rt_key_rsp(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_key_rsp r;
    struct snp_derived_key key;
    snp_err err = snp_msg_key_rsp_decode(&r, &key, buf, len, err_off);

    if (err == SNP_OK) {
        T_OK(snp_msg_key_rsp_encode(out, &r, &key));
    }
    snp_wipe(&key, sizeof(key));
    return err;
}

static void
test_key_rsp_lit(void **state)
{
    size_t len = 0;
    uint8_t *buf;
    struct snp_msg_key_rsp r;
    struct snp_derived_key key;
    uint8_t out[SNP_MSG_KEY_RSP_SIZE];
    const struct snp_field *t = snp_msg_key_rsp_layout();

    (void)state;
    buf = t_vector("lit-sev-snp-utils/snp_derived_key_msg_resp.bin", &len);
    assert_int_equal(len, SNP_MSG_KEY_RSP_SIZE);
    T_OK(snp_msg_key_rsp_decode(&r, &key, buf, len, NULL));
    assert_int_equal(r.status, SNP_FW_SUCCESS);
    for (size_t i = 0; i < sizeof(r.rsvd_0x04); i++) {
        assert_int_equal(r.rsvd_0x04[i], 0);
    }
    hex_eq(key.key, "c479fbdb80a40801a4bc42ab9865950f469e9ed1b0e81be482b857dbc57d1d3d");
    T_OK(snp_msg_key_rsp_encode(out, &r, &key));
    t_memeq(out, buf, sizeof(out));
    snp_wipe(&key, sizeof(key));
    snp_wipe(out, sizeof(out));

    truncation_sweep(rt_key_rsp, buf, len);
    reserved_sweep(rt_key_rsp, buf, len, t, 0);
    /* A failed decode leaves no key behind. */
    memset(&key, 0xAA, sizeof(key));
    T_ERR(snp_msg_key_rsp_decode(&r, &key, buf, len - 1, NULL), SNP_E_TRUNCATED);
    for (size_t i = 0; i < sizeof(key.key); i++) {
        assert_int_equal(key.key[i], 0);
    }
    free(buf);

    /* Layout and placement. */
    T_OK(snp_layout_check(t, SNP_MSG_KEY_RSP_SIZE));
    r.status = 0x27;
    t_fill(r.rsvd_0x04, sizeof(r.rsvd_0x04), 4);
    t_fill(key.key, sizeof(key.key), 5);
    T_OK(snp_msg_key_rsp_encode(out, &r, &key));
    le_at(out, t, "STATUS", 0x27);
    t_memeq(out + 4, r.rsvd_0x04, 28);
    bytes_at(out, t, "DERIVED_KEY", key.key, 32);
    assert_int_equal(row(t, "DERIVED_KEY")->off, SNP_MSG_KEY_RSP_OFF_KEY);
    snp_wipe(&key, sizeof(key));
}

/* ---- MSG_CPUID_REQ / RSP ---- */

static void
synth_cpuid_entry(struct snp_msg_cpuid_entry *e, uint32_t i)
{
    e->eax_in = 0x80000000u + i;
    e->ecx_in = i;
    e->xcr0_in = 0x7 + (uint64_t)i;
    e->xss_in = (uint64_t)i << 32;
    e->eax = 0xA0000000u + i;
    e->ebx = 0xB0000000u + i;
    e->ecx = 0xC0000000u + i;
    e->edx = 0xD0000000u + i;
    e->rsvd_0x28 = 0;
}

static snp_err
rt_cpuid_req(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_cpuid_req *r = malloc(sizeof(*r));
    size_t n = 0;
    snp_err err;

    assert_non_null(r);
    err = snp_msg_cpuid_req_decode(r, buf, len, err_off);
    if (err == SNP_OK) {
        T_OK(snp_msg_cpuid_req_encode(out, len, &n, r));
        assert_int_equal(n, len);
    }
    free(r);
    return err;
}

static snp_err
rt_cpuid_rsp(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_cpuid_rsp *r = malloc(sizeof(*r));
    size_t n = 0;
    snp_err err;

    assert_non_null(r);
    err = snp_msg_cpuid_rsp_decode(r, buf, len, err_off);
    if (err == SNP_OK) {
        T_OK(snp_msg_cpuid_rsp_encode(out, len, &n, r));
        assert_int_equal(n, len);
    }
    free(r);
    return err;
}

static void
test_cpuid_req(void **state)
{
    struct snp_msg_cpuid_req *r = calloc(1, sizeof(*r));
    uint8_t *out = calloc(1, SNP_MSG_CPUID_MAX_SIZE + 16);
    const struct snp_field *te = snp_cpuid_entry_req_layout();
    size_t n = 0, off = 0;

    (void)state;
    assert_non_null(r);
    assert_non_null(out);
    T_OK(snp_layout_check(snp_msg_cpuid_req_layout(), SNP_MSG_CPUID_HDR_SIZE));
    T_OK(snp_layout_check(te, SNP_MSG_CPUID_ENTRY_SIZE));
    r->count = 2;
    synth_cpuid_entry(&r->entries[0], 0);
    synth_cpuid_entry(&r->entries[1], 1);
    T_OK(snp_msg_cpuid_req_encode(out, SNP_MSG_CPUID_MAX_SIZE, &n, r));
    assert_int_equal(n, 0x10 + 2 * 0x30);
    le_at(out, snp_msg_cpuid_req_layout(), "COUNT", 2);
    rows_zero(out, snp_msg_cpuid_req_layout());
    const uint8_t *e1 = out + 0x10 + 0x30;
    le_at(e1, te, "EAX_IN", 0x80000001u);
    le_at(e1, te, "ECX_IN", 1);
    le_at(e1, te, "XCR0_IN", 8);
    le_at(e1, te, "XSS_IN", UINT64_C(1) << 32);
    le_at(e1, te, "EAX", 0xA0000001u);
    le_at(e1, te, "EBX", 0xB0000001u);
    le_at(e1, te, "ECX", 0xC0000001u);
    le_at(e1, te, "EDX", 0xD0000001u);
    rows_zero(e1, te);
    /* Golden: the first entry by hand. */
    hex_eq(out, "02000000000000000000000000000000" /* COUNT 2, reserved */
                "00000080"
                "00000000"
                "0700000000000000"
                "0000000000000000" /* inputs */
                "000000a0"
                "000000b0"
                "000000c0"
                "000000d0"
                "0000000000000000");

    truncation_sweep(rt_cpuid_req, out, n);
    reserved_sweep(rt_cpuid_req, out, n, snp_msg_cpuid_req_layout(), 0);
    reserved_sweep(rt_cpuid_req, out, n, te, 0x10);
    reserved_sweep(rt_cpuid_req, out, n, te, 0x40);

    snp_put_le32(out, 65);
    T_ERR(snp_msg_cpuid_req_decode(r, out, n, &off), SNP_E_RANGE);
    assert_int_equal(off, 0);
    snp_put_le32(out, 3); /* claims more entries than present */
    T_ERR(snp_msg_cpuid_req_decode(r, out, n, &off), SNP_E_TRUNCATED);
    assert_int_equal(off, n);
    snp_put_le32(out, 0);
    T_ERR(snp_msg_cpuid_req_decode(r, out, n, &off), SNP_E_TRAILING);
    assert_int_equal(off, 0x10);
    T_OK(snp_msg_cpuid_req_decode(r, out, 0x10, NULL));

    /* All 64 entries. */
    r->count = 64;
    for (uint32_t i = 0; i < 64; i++) {
        synth_cpuid_entry(&r->entries[i], i);
    }
    T_OK(snp_msg_cpuid_req_encode(out, SNP_MSG_CPUID_MAX_SIZE, &n, r));
    assert_int_equal(n, SNP_MSG_CPUID_MAX_SIZE);
    assert_true(SNP_MSG_HDR_SIZE + SNP_MSG_CPUID_MAX_SIZE <= SNP_MSG_PAGE_SIZE);
    T_OK(rt_cpuid_req(out, n, &off, out + 0)); /* in place is fine for a round trip */
    T_ERR(snp_msg_cpuid_req_encode(out, n - 1, &n, r), SNP_E_SPACE);
    assert_int_equal(n, SNP_MSG_CPUID_MAX_SIZE);
    r->count = 65;
    T_ERR(snp_msg_cpuid_req_encode(out, SNP_MSG_CPUID_MAX_SIZE, &n, r), SNP_E_RANGE);
    free(r);
    free(out);
}

static void
test_cpuid_rsp(void **state)
{
    struct snp_msg_cpuid_rsp *r = calloc(1, sizeof(*r));
    uint8_t *out = calloc(1, SNP_MSG_CPUID_MAX_SIZE);
    const struct snp_field *th = snp_msg_cpuid_rsp_layout();
    const struct snp_field *te = snp_cpuid_entry_rsp_layout();
    size_t n = 0, off = 0;

    (void)state;
    assert_non_null(r);
    assert_non_null(out);
    T_OK(snp_layout_check(th, SNP_MSG_CPUID_HDR_SIZE));
    T_OK(snp_layout_check(te, SNP_MSG_CPUID_ENTRY_SIZE));
    r->status = 0x16;
    r->count = 1;
    r->rsvd_0x08 = UINT64_C(0x0102030405060708);
    synth_cpuid_entry(&r->entries[0], 5);
    r->entries[0].rsvd_0x28 = UINT64_C(0x1112131415161718);
    T_OK(snp_msg_cpuid_rsp_encode(out, SNP_MSG_CPUID_MAX_SIZE, &n, r));
    assert_int_equal(n, 0x40);
    le_at(out, th, "STATUS", 0x16);
    le_at(out, th, "COUNT", 1);
    assert_true(snp_le64(out + 8) == r->rsvd_0x08);
    le_at(out + 0x10, te, "EDX", 0xD0000005u);
    assert_true(snp_le64(out + 0x10 + 0x28) == r->entries[0].rsvd_0x28);
    truncation_sweep(rt_cpuid_rsp, out, n);
    reserved_sweep(rt_cpuid_rsp, out, n, th, 0);
    reserved_sweep(rt_cpuid_rsp, out, n, te, 0x10);
    snp_put_le32(out + 4, 65);
    T_ERR(snp_msg_cpuid_rsp_decode(r, out, n, &off), SNP_E_RANGE);
    assert_int_equal(off, 4);
    free(r);
    free(out);
}

/* ---- MSG_TSC_INFO_REQ / RSP ---- */

static snp_err
rt_tsc_req(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    snp_err err = snp_msg_tsc_info_req_decode(buf, len, err_off);

    if (err == SNP_OK) {
        T_OK(snp_msg_tsc_info_req_encode(out));
    }
    return err;
}

static snp_err
rt_tsc_rsp(const uint8_t *buf, size_t len, size_t *err_off, uint8_t *out)
{
    struct snp_msg_tsc_info_rsp r;
    snp_err err = snp_msg_tsc_info_rsp_decode(&r, buf, len, err_off);

    if (err == SNP_OK) {
        T_OK(snp_msg_tsc_info_rsp_encode(out, &r));
    }
    return err;
}

static void
test_tsc_info(void **state)
{
    uint8_t zero[SNP_MSG_TSC_INFO_REQ_SIZE] = {0};
    uint8_t out[SNP_MSG_TSC_INFO_RSP_SIZE];
    const struct snp_field *t = snp_msg_tsc_info_rsp_layout();
    struct snp_msg_tsc_info_rsp r;

    (void)state;
    T_OK(snp_layout_check(snp_msg_tsc_info_req_layout(), SNP_MSG_TSC_INFO_REQ_SIZE));
    memset(out, 0xFF, sizeof(out));
    T_OK(snp_msg_tsc_info_req_encode(out));
    t_memeq(out, zero, sizeof(zero));
    truncation_sweep(rt_tsc_req, zero, sizeof(zero));
    reserved_sweep(rt_tsc_req, zero, sizeof(zero), snp_msg_tsc_info_req_layout(), 0);

    T_OK(snp_layout_check(t, SNP_MSG_TSC_INFO_RSP_SIZE));
    memset(&r, 0, sizeof(r));
    r.status = 0x01020304;
    t_fill(r.rsvd_0x04, sizeof(r.rsvd_0x04), 1);
    r.guest_tsc_scale = UINT64_C(0x1112131415161718);
    r.guest_tsc_offset = UINT64_C(0x2122232425262728);
    r.tsc_factor = 0x31323334;
    t_fill(r.rsvd_0x1c, sizeof(r.rsvd_0x1c), 2);
    T_OK(snp_msg_tsc_info_rsp_encode(out, &r));
    le_at(out, t, "STATUS", r.status);
    le_at(out, t, "GUEST_TSC_SCALE", r.guest_tsc_scale);
    le_at(out, t, "GUEST_TSC_OFFSET", r.guest_tsc_offset);
    le_at(out, t, "TSC_FACTOR", r.tsc_factor);
    t_memeq(out + 0x04, r.rsvd_0x04, 4);
    t_memeq(out + 0x1C, r.rsvd_0x1c, 100);
    truncation_sweep(rt_tsc_rsp, out, sizeof(out));
    reserved_sweep(rt_tsc_rsp, out, sizeof(out), t, 0);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fw_status),
        cmocka_unit_test(test_msg_types),
        cmocka_unit_test(test_hdr_golden_layout_sweeps),
        cmocka_unit_test(test_hdr_check_request),
        cmocka_unit_test(test_hdr_check_response),
        cmocka_unit_test(test_aead_inputs),
        cmocka_unit_test(test_report_req),
        cmocka_unit_test(test_report_rsp_lit),
        cmocka_unit_test(test_report_rsp_layout),
        cmocka_unit_test(test_key_req),
        cmocka_unit_test(test_key_req_layout),
        cmocka_unit_test(test_key_rsp_lit),
        cmocka_unit_test(test_cpuid_req),
        cmocka_unit_test(test_cpuid_rsp),
        cmocka_unit_test(test_tsc_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
