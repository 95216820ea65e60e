/*
 * tests/unit/psp/test_psp_guest.c - a launch through the firmware and the guest messages:
 * MEASUREMENT equals measure/'s digest of the same pages (hardware.md §8); reports decode, pass
 * the strict check and verify with the VCEK derived for REPORTED_TCB (attestation.md §1,
 * §1.5); sequence numbers (§7.3); derived keys (§7.6); VCEK per TCB; and no VMPCK or VEK byte
 * in host-readable memory.
 */
#include "psp_fixture.h"

#include "crypto/crypto.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"

static uint8_t rsp[SNP_MSG_PAYLOAD_MAX];

struct launched {
    struct snp_machine *m;
    struct snp_secrets s;
    uint8_t ld[48];
    uint64_t seq[4];
};

static void
launch(struct launched *L)
{
    memset(L, 0, sizeof(*L));
    L->m = px_machine();
    px_init(L->m);
    px_guest(L->m, L->ld);
    px_secrets(L->m, &L->s);
}

static void
done(struct launched *L)
{
    px_inv(L->m);
    snp_secrets_wipe(&L->s);
    snp_machine_free(L->m);
}

/* MSG_REPORT_REQ at VMPCK @vmpck; the command status; report in @r when the response is OK. */
static uint32_t
get_report(struct launched *L, uint8_t vmpck, uint32_t vmpl, uint8_t key_sel, uint32_t *status,
           struct snp_report *r)
{
    struct snp_msg_report_req q;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE];
    struct snp_msg_hdr rh;
    size_t n = 0;
    uint32_t st;

    memset(&q, 0, sizeof(q));
    t_fill(q.report_data, sizeof(q.report_data), 42);
    q.vmpl = vmpl;
    q.key_sel = key_sel;
    T_OK(snp_msg_report_req_encode(req, &q));
    st = px_guest_msg(L->m, &L->s, vmpck, L->seq[vmpck] + 1, SNP_MSG_REPORT_REQ, 1, req,
                      sizeof(req), rsp, &n, &rh);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    assert_int_equal(rh.msg_seqno, L->seq[vmpck] + 2);
    assert_int_equal(rh.msg_type, SNP_MSG_REPORT_RSP);
    L->seq[vmpck] += 2;
    assert_int_equal(n, SNP_MSG_REPORT_RSP_SIZE);
    *status = (uint32_t)px_get64(rsp, 0) & 0xFFFFFFFFu;
    if (*status == SNP_FW_SUCCESS) {
        T_OK(snp_report_decode(r, rsp + 0x20, SNP_REPORT_SIZE, NULL));
    }
    return st;
}

static void
vcek_verify(const struct snp_report *r, uint64_t tcb, snp_err want)
{
    uint8_t secret[32];
    struct snp_eckey *k = NULL;

    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)PX_SEED, sizeof(PX_SEED) - 1));
    T_OK(snp_vcek_derive(&k, secret, SNP_PRODUCT_GENOA, tcb));
    T_ERR(snp_ecdsa_p384_verify(k, r->raw, SNP_REPORT_SIGNED_LEN, &r->signature), want);
    snp_eckey_free(k);
    snp_wipe(secret, sizeof(secret));
}

static void
test_measurement_and_report(void **state)
{
    struct launched L;
    struct snp_report r;
    uint32_t status = 0;
    uint8_t chip[64], secret[32];
    size_t off = 0;

    (void)state;
    launch(&L);
    T_FW(get_report(&L, 0, 0, 0, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    t_memeq(r.measurement, L.ld, 48); /* the firmware's digest == measure/'s */
    T_OK(snp_report_check_strict(&r, &off));
    assert_int_equal(r.version, 3);
    assert_int_equal(r.policy, PX_POLICY);
    assert_int_equal(r.signer_info, 0); /* VCEK */
    assert_int_equal(r.cpuid_fam_id, 0x19);
    assert_int_equal(r.cpuid_mod_id, 0x11);
    for (int i = 0; i < 32; i++) {
        assert_int_equal(r.report_id_ma[i], 0xFF);
    }
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)PX_SEED, sizeof(PX_SEED) - 1));
    T_OK(snp_chip_id_derive(chip, secret, SNP_PRODUCT_GENOA));
    t_memeq(r.chip_id, chip, 64);
    assert_true(r.reported_tcb == r.committed_tcb && r.launch_tcb == r.committed_tcb);
    vcek_verify(&r, r.reported_tcb, SNP_OK);
    /* a VCEK at another TCB does not verify it */
    vcek_verify(&r, r.reported_tcb - (UINT64_C(1) << 56), SNP_E_SIG);
    done(&L);
}

static void
test_report_rules(void **state)
{
    struct launched L;
    struct snp_report r;
    uint32_t status = 0;
    uint8_t b[0x40];

    (void)state;
    launch(&L);
    /* VMPL below MSG_VMPCK: response-level INVALID_PARAM, counter still advances. */
    T_FW(get_report(&L, 2, 1, 0, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_INVALID_PARAM);
    T_FW(get_report(&L, 2, 3, 0, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    assert_int_equal(r.vmpl, 3);
    /* KEY_SEL 2 (VLEK) without a VLEK, KEY_SEL 3: INVALID_KEY (§1.5). */
    T_FW(get_report(&L, 0, 0, 2, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_INVALID_KEY);
    T_FW(get_report(&L, 0, 0, 3, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_INVALID_KEY);
    /* MASK_CHIP_ID / MASK_CHIP_KEY and a lower REPORTED_TCB (SNP_CONFIG). */
    memset(b, 0, sizeof(b));
    px_put64(b, 0, UINT64_C(0x531700000000000A));
    px_put32(b, 8, 3);
    T_FW(px_cmd(L.m, SNP_CMD_SNP_CONFIG, b, sizeof(b)), SNP_FW_SUCCESS);
    T_FW(get_report(&L, 0, 0, 1, &status, &r), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    assert_true(snp_ct_is_zero(r.chip_id, 64));
    assert_int_equal(r.signer_info, SNP_SIGNER_MASK_CHIP_KEY | 7u << 2); /* unsigned */
    assert_true(snp_ct_is_zero(&r.signature, sizeof(r.signature)));
    px_put32(b, 8, 0);
    T_FW(px_cmd(L.m, SNP_CMD_SNP_CONFIG, b, sizeof(b)), SNP_FW_SUCCESS);
    T_FW(get_report(&L, 0, 0, 0, &status, &r), SNP_FW_SUCCESS);
    assert_true(r.reported_tcb == UINT64_C(0x531700000000000A));
    vcek_verify(&r, UINT64_C(0x531700000000000A), SNP_OK);
    vcek_verify(&r, r.committed_tcb, SNP_E_SIG);
    done(&L);
}

static void
test_sequence_numbers(void **state)
{
    struct launched L;
    struct snp_msg_report_req q;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE];
    struct snp_msg_hdr rh;
    size_t n = 0;

    (void)state;
    launch(&L);
    memset(&q, 0, sizeof(q));
    T_OK(snp_msg_report_req_encode(req, &q));
    /* seqno 0 and 3 are not c + 1 = 1: AEAD_OFLOW, nothing changes. */
    T_FW(px_guest_msg(L.m, &L.s, 0, 0, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_AEAD_OFLOW);
    T_FW(px_guest_msg(L.m, &L.s, 0, 3, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_AEAD_OFLOW);
    T_FW(px_guest_msg(L.m, &L.s, 0, 1, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_SUCCESS);
    assert_int_equal(rh.msg_seqno, 2);
    /* replay of seqno 1 is refused; 3 is next; each VMPCK has its own counter */
    T_FW(px_guest_msg(L.m, &L.s, 0, 1, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_AEAD_OFLOW);
    T_FW(px_guest_msg(L.m, &L.s, 1, 1, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_SUCCESS);
    T_FW(px_guest_msg(L.m, &L.s, 0, 3, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_SUCCESS);
    assert_int_equal(rh.msg_seqno, 4);
    /* a message under the wrong key (VMPCK1's key labelled VMPCK0): tag fails, no counter
     * change: seqno 5 still works afterwards. */
    {
        struct snp_secrets bad = L.s;
        memcpy(bad.vmpck[0], L.s.vmpck[1], 32);
        T_FW(px_guest_msg(L.m, &bad, 0, 5, 5, 1, req, sizeof(req), rsp, &n, &rh),
             SNP_FW_INVALID_PARAM);
        snp_secrets_wipe(&bad);
    }
    T_FW(px_guest_msg(L.m, &L.s, 0, 5, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_SUCCESS);
    /* header problems: MSG_SIZE not a multiple of 16, VMPCK 4, type 7 (EXPORT) */
    T_FW(px_guest_msg(L.m, &L.s, 0, 7, 5, 1, req, 95, rsp, &n, &rh), SNP_FW_INVALID_PARAM);
    T_FW(px_guest_msg(L.m, &L.s, 0, 7, 7, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_INVALID_PARAM);
    T_FW(px_guest_msg(L.m, &L.s, 0, 7, 5, 1, req, sizeof(req), rsp, &n, &rh), SNP_FW_SUCCESS);
    done(&L);
}

/* MSG_KEY_REQ; the command status; the key (or the response status) out. */
static uint32_t
get_key(struct launched *L, const struct snp_msg_key_req *k, uint32_t *status, uint8_t key[32])
{
    uint8_t req[SNP_MSG_KEY_REQ_V2_SIZE];
    struct snp_msg_hdr rh;
    size_t n = 0, len = 0;
    uint32_t st;

    T_OK(snp_msg_key_req_encode(req, sizeof(req), &len, k));
    st = px_guest_msg(L->m, &L->s, 0, L->seq[0] + 1, SNP_MSG_KEY_REQ, k->msg_version, req, len, rsp,
                      &n, &rh);
    if (st == SNP_FW_SUCCESS) {
        L->seq[0] += 2;
        assert_int_equal(n, SNP_MSG_KEY_RSP_SIZE);
        *status = (uint32_t)px_get64(rsp, 0) & 0xFFFFFFFFu;
        memcpy(key, rsp + 0x20, 32);
    }
    return st;
}

static void
test_derived_keys(void **state)
{
    struct launched L;
    struct snp_msg_key_req k;
    uint8_t a[32], b[32], c[32];
    uint32_t status = 1;
    struct snp_report r;

    (void)state;
    launch(&L);
    T_FW(get_report(&L, 0, 0, 0, &status, &r), SNP_FW_SUCCESS);
    memset(&k, 0, sizeof(k));
    k.msg_version = 1;
    k.guest_field_select = SNP_GFS_MEASUREMENT | SNP_GFS_GUEST_POLICY;
    k.tcb_version = r.committed_tcb;
    T_FW(get_key(&L, &k, &status, a), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    T_FW(get_key(&L, &k, &status, b), SNP_FW_SUCCESS);
    t_memeq(a, b, 32); /* same inputs, same key */
    assert_false(snp_ct_is_zero(a, 32));
    k.guest_field_select |= SNP_GFS_IMAGE_ID;
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    assert_false(snp_ct_eq(a, c, 32)); /* a selected field changed -> another key */
    k.guest_field_select = SNP_GFS_MEASUREMENT | SNP_GFS_GUEST_POLICY;
    k.vmpl = 1;
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    assert_false(snp_ct_eq(a, c, 32));
    k.vmpl = 0;
    k.root_key_select = SNP_ROOT_KEY_VMRK;
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    assert_false(snp_ct_eq(a, c, 32));
    k.root_key_select = 0;
    /* a lower TCB is allowed and gives another key; above the committed TCB is refused */
    k.tcb_version = r.committed_tcb - (UINT64_C(1) << 56);
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    assert_false(snp_ct_eq(a, c, 32));
    k.tcb_version = r.committed_tcb + (UINT64_C(1) << 56);
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_INVALID_PARAM);
    k.tcb_version = r.committed_tcb;
    k.guest_svn = 1; /* above the ID block's SVN (0, no ID block) */
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_INVALID_PARAM);
    k.guest_svn = 0;
    k.msg_version = 2; /* 40-byte v2 request */
    T_FW(get_key(&L, &k, &status, c), SNP_FW_SUCCESS);
    T_FW(status, SNP_FW_SUCCESS);
    snp_wipe(a, 32);
    snp_wipe(b, 32);
    snp_wipe(c, 32);
    done(&L);
}

/* C1: no VMPCK, VEK-derived or chip byte in anything the host can read. */
static void
test_no_secret_in_host_memory(void **state)
{
    struct launched L;
    static uint8_t dram[PX_DRAM];
    struct snp_report r;
    uint32_t status;
    uint8_t secret[32];

    (void)state;
    launch(&L);
    T_FW(get_report(&L, 0, 0, 0, &status, &r), SNP_FW_SUCCESS);
    T_OK(snp_host_wbinvd(L.m));
    assert_int_equal(snp_host_read(L.m, 0, dram, sizeof(dram)), SNP_HW_OK);
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)PX_SEED, sizeof(PX_SEED) - 1));
    for (size_t i = 0; i + 16 <= sizeof(dram); i++) {
        for (int v = 0; v < 4; v++) {
            for (int h = 0; h < 32; h += 16) {
                if (memcmp(dram + i, L.s.vmpck[v] + h, 16) == 0) {
                    fail_msg("VMPCK%d bytes at SPA 0x%zx", v, i);
                }
            }
        }
        if (memcmp(dram + i, secret, 16) == 0) {
            fail_msg("chip secret at SPA 0x%zx", i);
        }
    }
    /* and the secrets page really holds them for the guest */
    assert_false(snp_ct_is_zero(L.s.vmpck[0], 32));
    snp_wipe(secret, sizeof(secret));
    done(&L);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measurement_and_report),   cmocka_unit_test(test_report_rules),
        cmocka_unit_test(test_sequence_numbers),         cmocka_unit_test(test_derived_keys),
        cmocka_unit_test(test_no_secret_in_host_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
