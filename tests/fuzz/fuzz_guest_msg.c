/*
 * tests/fuzz/fuzz_guest_msg.c - the guest message header and every payload decoder
 * (snpkit/guestmsg.h), selected by the first input byte; the rest is the structure.
 *
 * Property (STYLE.md §7.8): decode succeeds => encode(decode(x)) == x, for MBZ requests and KEEP
 * responses alike. The header checks and AEAD helpers run on every decoded header, and a decoded
 * MSG_REPORT_RSP hands its report to snp_report_decode(). Any violation abort()s.
 */
#include "snpkit/guestmsg.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void
same(const uint8_t *a, const uint8_t *b, size_t n)
{
    check(memcmp(a, b, n) == 0);
}

static void
hdr(const uint8_t *buf, size_t len)
{
    struct snp_msg_hdr h, rsp;
    uint8_t out[SNP_MSG_HDR_SIZE], iv[SNP_MSG_IV_LEN];
    size_t off = 0;

    if (snp_msg_hdr_decode(&h, buf, len, &off) != SNP_OK) {
        check(off <= len);
        return;
    }
    check(snp_msg_hdr_encode(out, &h) == SNP_OK);
    same(out, buf, len);
    check(snp_msg_hdr_aad(out) == out + SNP_MSG_AAD_OFF);
    snp_msg_iv(iv, h.msg_seqno);
    check(iv[8] == 0 && iv[11] == 0 && iv[0] == (uint8_t)h.msg_seqno);
    if (snp_msg_hdr_check_request(&h, &off) == SNP_OK) {
        check(h.msg_size != 0 && h.msg_size <= SNP_MSG_PAYLOAD_MAX && h.msg_vmpck <= 3);
        check(h.msg_version >= 1 && h.msg_version <= snp_msg_type_max_version(h.msg_type));
        /* The response the firmware would build passes the guest's checks. */
        if (h.msg_seqno != UINT64_MAX) {
            rsp = h;
            rsp.msg_seqno = h.msg_seqno + 1;
            rsp.msg_type = (uint8_t)(h.msg_type + 1);
            check(snp_msg_hdr_check_response(&rsp, &h, &off) == SNP_OK);
        }
    } else {
        check(off < SNP_MSG_HDR_SIZE);
    }
    (void)snp_msg_type_name(h.msg_type);
}

static void
report_req(const uint8_t *buf, size_t len)
{
    struct snp_msg_report_req r;
    uint8_t out[SNP_MSG_REPORT_REQ_SIZE];

    if (snp_msg_report_req_decode(&r, buf, len, NULL) == SNP_OK) {
        check(r.key_sel < 3);
        check(snp_msg_report_req_encode(out, &r) == SNP_OK);
        same(out, buf, len);
    }
}

static void
report_rsp(const uint8_t *buf, size_t len)
{
    static struct snp_msg_report_rsp r;
    static struct snp_report rep;
    static uint8_t out[SNP_MSG_REPORT_RSP_SIZE];
    size_t off = 0;

    if (snp_msg_report_rsp_decode(&r, buf, len, NULL) == SNP_OK) {
        check(snp_msg_report_rsp_encode(out, &r) == SNP_OK);
        same(out, buf, len);
        if (snp_msg_report_rsp_report(&rep, &r, &off) == SNP_OK) {
            same(rep.raw, buf + SNP_MSG_REPORT_RSP_OFF_REPORT, SNP_REPORT_SIZE);
        } else {
            check(off < SNP_MSG_REPORT_RSP_SIZE);
        }
    }
}

static void
key_req(uint8_t v, const uint8_t *buf, size_t len)
{
    struct snp_msg_key_req k;
    uint8_t out[SNP_MSG_KEY_REQ_V2_SIZE];
    size_t n = 0;

    if (snp_msg_key_req_decode(&k, v, buf, len, NULL) == SNP_OK) {
        check(k.msg_version == v && k.key_sel < 3 && k.root_key_select < 2);
        check(snp_msg_key_req_encode(out, sizeof(out), &n, &k) == SNP_OK && n == len);
        same(out, buf, len);
    }
}

static void
key_rsp(const uint8_t *buf, size_t len)
{
    struct snp_msg_key_rsp r;
    struct snp_derived_key key;
    uint8_t out[SNP_MSG_KEY_RSP_SIZE];

    if (snp_msg_key_rsp_decode(&r, &key, buf, len, NULL) == SNP_OK) {
        check(snp_msg_key_rsp_encode(out, &r, &key) == SNP_OK);
        same(out, buf, len);
        snp_wipe(out, sizeof(out));
    } else {
        for (size_t i = 0; i < sizeof(key.key); i++) {
            check(key.key[i] == 0); /* wiped on failure */
        }
    }
    snp_wipe(&key, sizeof(key));
}

static void
cpuid_req(const uint8_t *buf, size_t len)
{
    static struct snp_msg_cpuid_req r;
    static uint8_t out[SNP_MSG_CPUID_MAX_SIZE];
    size_t n = 0;

    if (snp_msg_cpuid_req_decode(&r, buf, len, NULL) == SNP_OK) {
        check(r.count <= SNP_MSG_CPUID_MAX);
        check(snp_msg_cpuid_req_encode(out, sizeof(out), &n, &r) == SNP_OK && n == len);
        same(out, buf, len);
    }
}

static void
cpuid_rsp(const uint8_t *buf, size_t len)
{
    static struct snp_msg_cpuid_rsp r;
    static uint8_t out[SNP_MSG_CPUID_MAX_SIZE];
    size_t n = 0;

    if (snp_msg_cpuid_rsp_decode(&r, buf, len, NULL) == SNP_OK) {
        check(r.count <= SNP_MSG_CPUID_MAX);
        check(snp_msg_cpuid_rsp_encode(out, sizeof(out), &n, &r) == SNP_OK && n == len);
        same(out, buf, len);
    }
}

static void
tsc_req(const uint8_t *buf, size_t len)
{
    uint8_t out[SNP_MSG_TSC_INFO_REQ_SIZE];

    if (snp_msg_tsc_info_req_decode(buf, len, NULL) == SNP_OK) {
        check(snp_msg_tsc_info_req_encode(out) == SNP_OK);
        same(out, buf, len);
    }
}

static void
tsc_rsp(const uint8_t *buf, size_t len)
{
    struct snp_msg_tsc_info_rsp r;
    uint8_t out[SNP_MSG_TSC_INFO_RSP_SIZE];

    if (snp_msg_tsc_info_rsp_decode(&r, buf, len, NULL) == SNP_OK) {
        check(snp_msg_tsc_info_rsp_encode(out, &r) == SNP_OK);
        same(out, buf, len);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *buf = data + 1;
    size_t len;

    if (size == 0) {
        return 0;
    }
    len = size - 1;
    switch (data[0] % 10) {
    case 0:
        hdr(buf, len);
        break;
    case 1:
        report_req(buf, len);
        break;
    case 2:
        report_rsp(buf, len);
        break;
    case 3:
        key_req(1, buf, len);
        break;
    case 4:
        key_req(2, buf, len);
        break;
    case 5:
        key_rsp(buf, len);
        break;
    case 6:
        cpuid_req(buf, len);
        break;
    case 7:
        cpuid_rsp(buf, len);
        break;
    case 8:
        tsc_req(buf, len);
        break;
    default:
        tsc_rsp(buf, len);
        break;
    }
    return 0;
}
