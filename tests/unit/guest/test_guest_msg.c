/*
 * tests/unit/guest/test_guest_msg.c - the guest message layer (guest/gmsg.c) against a FAKE
 * PSP written here: a test double that decrypts with the same VMPCK and answers, so the guest
 * side is tested without the firmware model (attestation.md §7, STYLE.md §8).
 *
 * Covered: sequence numbers (odd requests, response = request + 1, stored counter), each §7.3
 * response check failing with its own error and wiping the VMPCK (the next call is refused and
 * the secrets-page copy is wiped too), a replayed response, INVALID_LEN -> the same ciphertext
 * resent as a plain request, BUSY -> the same ciphertext retried, firmware errors.
 */
#include "helpers.h"

#include "crypto/gcm.h"
#include "guest/gmsg.h"
#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include <string.h>

enum tamper {
    T_NONE,
    T_SEQNO,       /* response seqno = request seqno (not + 1) */
    T_TYPE,        /* wrong MSG_TYPE */
    T_VERSION,     /* wrong MSG_VERSION */
    T_ALGO,        /* ALGO 2 */
    T_HDRVER,      /* HDR_VERSION 2 */
    T_HDRSIZE,     /* HDR_SIZE 0x70 */
    T_VMPCK,       /* other MSG_VMPCK */
    T_SIZE,        /* MSG_SIZE beyond the page */
    T_TAG,         /* a flipped tag bit */
    T_CIPHER,      /* a flipped ciphertext bit */
    T_RESERVED,    /* non-zero reserved header byte */
    T_REPLAY,      /* hand back the response of the previous exchange */
    T_FWERR,       /* exitinfo2 = INVALID_PARAM, no response */
    T_VMMERR,      /* exitinfo2 = unknown VMM error */
    T_INVALID_LEN, /* extended request: needs 3 pages */
    T_BUSY2,       /* BUSY twice, then answer */
    T_XPORT,       /* the exit itself fails */
};

struct fake_psp {
    uint8_t key[32];
    uint64_t counter; /* last response seqno */
    struct snp_gcm *gcm;
    enum tamper tamper;
    unsigned sends, ext_sends, busy_left, disabled_calls;
    uint64_t stored;
    uint8_t last_req[SNP_MSG_PAGE_SIZE];
    bool same_ciphertext; /* every send of one request carried identical bytes */
    uint8_t prev_rsp[SNP_MSG_PAGE_SIZE];
};

static const uint8_t vmpck[32] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                  0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                                  0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};

static snp_err
fake_send(void *ctx, bool ext, const uint8_t req[SNP_MSG_PAGE_SIZE], uint8_t rsp[SNP_MSG_PAGE_SIZE],
          uint8_t *certs, size_t *certs_pages, uint64_t *exitinfo2)
{
    struct fake_psp *f = ctx;
    struct snp_msg_hdr h, rh;
    uint8_t pt[SNP_MSG_PAYLOAD_MAX], out[SNP_MSG_PAYLOAD_MAX];
    size_t out_len = 0;

    if (f->sends > 0 && memcmp(f->last_req, req, SNP_MSG_PAGE_SIZE) != 0 &&
        (f->tamper == T_INVALID_LEN || f->tamper == T_BUSY2) && f->sends < 4) {
        f->same_ciphertext = false;
    }
    memcpy(f->last_req, req, SNP_MSG_PAGE_SIZE);
    f->sends++;
    *exitinfo2 = 0;
    if (f->tamper == T_XPORT) {
        return SNP_E_IO;
    }
    if (ext) {
        f->ext_sends++;
        if (f->tamper == T_INVALID_LEN) {
            *certs_pages = 3;
            *exitinfo2 = (uint64_t)SNP_GUEST_VMM_ERR_INVALID_LEN << 32;
            return SNP_OK; /* §6.3: not passed to the PSP */
        }
        memset(certs, 0, *certs_pages * 4096); /* an empty table */
    }
    if (f->tamper == T_BUSY2 && f->busy_left > 0) {
        f->busy_left--;
        *exitinfo2 = (uint64_t)SNP_GUEST_VMM_ERR_BUSY << 32;
        return SNP_OK;
    }
    if (f->tamper == T_FWERR) {
        *exitinfo2 = SNP_FW_INVALID_PARAM;
        return SNP_OK;
    }
    if (f->tamper == T_VMMERR) {
        *exitinfo2 = UINT64_C(7) << 32;
        return SNP_OK;
    }
    /* The PSP side: decrypt, check the counter (§7.3), answer. */
    T_OK(snp_gmsg_open_page(f->gcm, f->key, req, &h, pt, sizeof(pt)));
    assert_int_equal(h.msg_seqno, f->counter + 1);
    memset(out, 0, sizeof(out));
    if (h.msg_type == SNP_MSG_REPORT_REQ) {
        out_len = SNP_MSG_REPORT_RSP_SIZE;
        out[4] = 0xA0; /* REPORT_SIZE 0x4A0 */
        out[5] = 0x04;
        out[0x20] = 5;                     /* report VERSION */
        memcpy(out + 0x20 + 0x50, pt, 64); /* REPORT_DATA */
    } else {
        out_len = SNP_MSG_KEY_RSP_SIZE;
        memset(out + 0x20, 0x5A, 32);
    }
    memset(&rh, 0, sizeof(rh));
    rh.msg_seqno = h.msg_seqno + 1;
    rh.algo = 1;
    rh.hdr_version = 1;
    rh.hdr_size = SNP_MSG_HDR_SIZE;
    rh.msg_type = (uint8_t)(h.msg_type + 1);
    rh.msg_version = h.msg_version;
    rh.msg_size = (uint16_t)out_len;
    rh.msg_vmpck = h.msg_vmpck;
    switch ((int)f->tamper) {
    case T_SEQNO:
        rh.msg_seqno = h.msg_seqno;
        break;
    case T_TYPE:
        rh.msg_type = (uint8_t)(h.msg_type + 3);
        break;
    case T_VERSION:
        rh.msg_version = 2;
        break;
    case T_ALGO:
        rh.algo = 2;
        break;
    case T_HDRVER:
        rh.hdr_version = 2;
        break;
    case T_HDRSIZE:
        rh.hdr_size = 0x70;
        break;
    case T_VMPCK:
        rh.msg_vmpck = 1;
        break;
    default:
        break;
    }
    T_OK(snp_gmsg_seal(f->gcm, f->key, &rh, out, rsp));
    f->counter += 2;
    if (f->tamper == T_TAG) {
        rsp[3] ^= 0x10;
    } else if (f->tamper == T_CIPHER) {
        rsp[SNP_MSG_HDR_SIZE + 7] ^= 0x01;
    } else if (f->tamper == T_RESERVED) {
        rsp[0x40] = 1;
    } else if (f->tamper == T_SIZE) {
        rsp[0x36] = 0xA1; /* MSG_SIZE 4001: beyond the page (checked before the tag) */
        rsp[0x37] = 0x0F;
    } else if (f->tamper == T_REPLAY) {
        memcpy(rsp, f->prev_rsp, SNP_MSG_PAGE_SIZE);
    }
    memcpy(f->prev_rsp, rsp, SNP_MSG_PAGE_SIZE);
    return SNP_OK;
}

static void
fake_store(void *ctx, uint8_t id, uint64_t seqno)
{
    struct fake_psp *f = ctx;
    assert_int_equal(id, 0);
    f->stored = seqno;
}

static void
fake_disable(void *ctx, uint8_t id)
{
    struct fake_psp *f = ctx;
    (void)id;
    f->disabled_calls++;
}

struct fx {
    struct fake_psp f;
    struct snp_gmsg m;
    struct snp_gmsg_xport x;
};

static void
fx_init(struct fx *x)
{
    memset(x, 0, sizeof(*x));
    memcpy(x->f.key, vmpck, 32);
    x->f.same_ciphertext = true;
    T_OK(snp_gcm_new(&x->f.gcm));
    T_OK(snp_gmsg_init(&x->m, vmpck, 0, 0));
    x->x.send = fake_send;
    x->x.store_seqno = fake_store;
    x->x.disable = fake_disable;
    x->x.ctx = &x->f;
}

static void
fx_fini(struct fx *x)
{
    snp_gmsg_fini(&x->m);
    snp_gcm_free(x->f.gcm);
}

static snp_err
report(struct fx *x, struct snp_guest_status *st)
{
    uint8_t req[96] = {0}, rsp[SNP_MSG_PAYLOAD_MAX];
    size_t len = 0;
    memset(req, 0xAB, 64);
    return snp_gmsg_request(&x->m, &x->x, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, sizeof(rsp),
                            &len, NULL, NULL, st);
}

static void
test_seqno_sequence(void **state)
{
    struct fx x;
    uint8_t req[96] = {0}, rsp[SNP_MSG_PAYLOAD_MAX];
    size_t len = 0;

    (void)state;
    fx_init(&x);
    T_OK(snp_gmsg_request(&x.m, &x.x, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, sizeof(rsp),
                          &len, NULL, NULL, NULL));
    assert_int_equal(len, SNP_MSG_REPORT_RSP_SIZE);
    assert_int_equal(x.m.seqno, 2); /* request 1, response 2 */
    assert_int_equal(x.f.stored, 2);
    T_OK(report(&x, NULL));
    assert_int_equal(x.m.seqno, 4);
    assert_int_equal(x.f.counter, 4);
    fx_fini(&x);
}

static void
test_resume_from_stored_counter(void **state)
{
    struct fx x;

    (void)state;
    fx_init(&x);
    snp_gmsg_fini(&x.m);
    T_OK(snp_gmsg_init(&x.m, vmpck, 0, 40));
    x.f.counter = 40;
    T_OK(report(&x, NULL)); /* fake asserts request seqno 41 */
    assert_int_equal(x.m.seqno, 42);
    fx_fini(&x);
}

static void
test_zero_vmpck_refused(void **state)
{
    struct snp_gmsg m;
    uint8_t zero[32] = {0};
    (void)state;
    T_ERR(snp_gmsg_init(&m, zero, 0, 0), SNP_E_STATE);
    T_ERR(snp_gmsg_init(&m, vmpck, 4, 0), SNP_E_ARG);
}

/* One tampered response: the specific error, the key wiped, the next call refused. */
static void
check_tamper(enum tamper t, snp_err want)
{
    struct fx x;
    struct snp_guest_status st;

    fx_init(&x);
    T_OK(report(&x, NULL));
    x.f.tamper = t;
    T_ERR(report(&x, &st), want);
    assert_true(x.m.disabled);
    assert_true(snp_ct_is_zero(x.m.vmpck, sizeof(x.m.vmpck)));
    assert_int_equal(x.f.disabled_calls, 1); /* the secrets-page copy too */
    x.f.tamper = T_NONE;
    unsigned sends = x.f.sends;
    T_ERR(report(&x, NULL), SNP_E_STATE);
    assert_int_equal(x.f.sends, sends); /* refused before anything is exposed */
    fx_fini(&x);
}

static void
test_response_checks(void **state)
{
    (void)state;
    check_tamper(T_SEQNO, SNP_E_REPLAY);
    check_tamper(T_REPLAY, SNP_E_REPLAY);
    check_tamper(T_TYPE, SNP_E_MISMATCH);
    check_tamper(T_VERSION, SNP_E_MISMATCH);
    check_tamper(T_VMPCK, SNP_E_MISMATCH);
    check_tamper(T_ALGO, SNP_E_RANGE);
    check_tamper(T_HDRVER, SNP_E_VERSION);
    check_tamper(T_HDRSIZE, SNP_E_RANGE);
    check_tamper(T_SIZE, SNP_E_RANGE);
    check_tamper(T_TAG, SNP_E_AUTH);
    check_tamper(T_CIPHER, SNP_E_AUTH);
    check_tamper(T_RESERVED, SNP_E_RESERVED);
    check_tamper(T_FWERR, SNP_E_STATE);
    check_tamper(T_VMMERR, SNP_E_IO);
    check_tamper(T_XPORT, SNP_E_IO);
}

static void
test_fw_error_status_reported(void **state)
{
    struct fx x;
    struct snp_guest_status st;

    (void)state;
    fx_init(&x);
    x.f.tamper = T_FWERR;
    T_ERR(report(&x, &st), SNP_E_STATE);
    assert_int_equal(st.fw_error, SNP_FW_INVALID_PARAM);
    assert_int_equal(st.vmm_error, 0);
    fx_fini(&x);
}

static void
test_invalid_len_resends_plain(void **state)
{
    struct fx x;
    uint8_t req[96] = {0}, rsp[SNP_MSG_PAYLOAD_MAX], certs[4096];
    size_t len = 0, pages = 1;
    struct snp_guest_status st;

    (void)state;
    fx_init(&x);
    x.f.tamper = T_INVALID_LEN;
    T_ERR(snp_gmsg_request(&x.m, &x.x, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, sizeof(rsp),
                           &len, certs, &pages, &st),
          SNP_E_SPACE);
    assert_int_equal(pages, 3);
    assert_int_equal(x.f.sends, 2); /* extended, then plain */
    assert_int_equal(x.f.ext_sends, 1);
    assert_true(x.f.same_ciphertext); /* the very same bytes: no IV reuse */
    assert_int_equal(x.m.seqno, 2);   /* the plain resend advanced the counter */
    assert_false(x.m.disabled);
    x.f.tamper = T_NONE;
    pages = 1;
    T_OK(snp_gmsg_request(&x.m, &x.x, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, sizeof(rsp),
                          &len, certs, &pages, &st));
    assert_int_equal(x.m.seqno, 4);
    fx_fini(&x);
}

static void
test_busy_retries_same_ciphertext(void **state)
{
    struct fx x;

    (void)state;
    fx_init(&x);
    x.f.tamper = T_BUSY2;
    x.f.busy_left = 2;
    T_OK(report(&x, NULL));
    assert_int_equal(x.f.sends, 3);
    assert_true(x.f.same_ciphertext);
    assert_int_equal(x.m.seqno, 2);
    fx_fini(&x);
}

static void
test_busy_forever_wipes(void **state)
{
    struct fx x;

    (void)state;
    fx_init(&x);
    x.f.tamper = T_BUSY2;
    x.f.busy_left = 1000;
    T_ERR(report(&x, NULL), SNP_E_IO);
    assert_int_equal(x.f.sends, SNP_GMSG_BUSY_RETRIES);
    assert_true(x.m.disabled);
    fx_fini(&x);
}

static void
test_counter_exhausted(void **state)
{
    struct fx x;

    (void)state;
    fx_init(&x);
    x.m.seqno = UINT64_MAX - 1;
    T_ERR(report(&x, NULL), SNP_E_RANGE);
    assert_int_equal(x.f.sends, 0);
    fx_fini(&x);
}

static void
test_key_response_decrypts(void **state)
{
    struct fx x;
    uint8_t req[32] = {0}, rsp[64];
    size_t len = 0;
    uint8_t want[32];

    (void)state;
    fx_init(&x);
    memset(want, 0x5A, 32);
    T_OK(snp_gmsg_request(&x.m, &x.x, SNP_MSG_KEY_REQ, 1, req, sizeof(req), rsp, sizeof(rsp), &len,
                          NULL, NULL, NULL));
    assert_int_equal(len, 64);
    t_memeq(rsp + 32, want, 32);
    fx_fini(&x);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seqno_sequence),
        cmocka_unit_test(test_resume_from_stored_counter),
        cmocka_unit_test(test_zero_vmpck_refused),
        cmocka_unit_test(test_response_checks),
        cmocka_unit_test(test_fw_error_status_reported),
        cmocka_unit_test(test_invalid_len_resends_plain),
        cmocka_unit_test(test_busy_retries_same_ciphertext),
        cmocka_unit_test(test_busy_forever_wipes),
        cmocka_unit_test(test_counter_exhausted),
        cmocka_unit_test(test_key_response_decrypts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
