/*
 * tests/unit/psp/psp_fixture.h - set-up shared by the firmware tests (header-only: each test
 * binary is one translation unit). The host side speaks to the PSP only through the mailbox
 * (snp_host_psp_command) with command buffers in host memory, as a hypervisor does; the test
 * also plays the guest's part for guest messages, reading the secrets page through the
 * firmware's own memory hook (keyslot.h) -- something only a test may do.
 */
#ifndef SNP_TESTS_PSP_FIXTURE_H
#define SNP_TESTS_PSP_FIXTURE_H

#include "helpers.h"

#include "crypto/gcm.h"
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "snpkit/fwstatus.h"
#include "snpkit/guestmsg.h"
#include "snpkit/machine.h"
#include "snpkit/measure.h"
#include "snpkit/psp_abi.h"
#include "snpkit/secrets.h"
#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <stdlib.h>
#include <string.h>

#define PX_DRAM      ((size_t)32 << 20)
#define PX_CMD_SPA   UINT64_C(0x10000) /* command buffers (host page) */
#define PX_OUT_SPA   UINT64_C(0x11000) /* a FIRMWARE page for status output */
#define PX_GCTX_SPA  UINT64_C(0x12000)
#define PX_GCTX2_SPA UINT64_C(0x13000)
#define PX_REQ_SPA   UINT64_C(0x14000) /* guest request page (host/shared) */
#define PX_RSP_SPA   UINT64_C(0x15000) /* response page (FIRMWARE) */
#define PX_IDB_SPA   UINT64_C(0x16000)
#define PX_IDA_SPA   UINT64_C(0x17000)
#define PX_GUEST_SPA UINT64_C(0x400000) /* guest pages start at 4 MiB, GPA 0 */
#define PX_VMSA_SPA  UINT64_C(0x3FF000)
#define PX_ASID      1u
#define PX_POLICY    UINT64_C(0x30000)
#define PX_SEED      "psp test chip"

/* Deterministic RNG (STYLE.md §8): xorshift from a counter in ctx. */
static inline snp_err
px_rng(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        out[i] = (uint8_t)(*s >> 24);
    }
    return SNP_OK;
}

static uint64_t px_rng_state = 0x9E3779B97F4A7C15ull;

static inline void
px_config(struct snp_machine_config *c)
{
    snp_machine_config_default(c);
    c->dram_size = PX_DRAM;
    c->guest_max_pages = 4096;
    c->cache_lines = 16;
    memcpy(c->chip_seed, PX_SEED, sizeof(PX_SEED) - 1);
    c->chip_seed_len = sizeof(PX_SEED) - 1;
    c->rng = px_rng;
    c->rng_ctx = &px_rng_state;
}

static inline struct snp_machine *
px_machine(void)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;
    px_config(&c);
    T_OK(snp_machine_new(&m, &c));
    return m;
}

static inline void
px_inv(struct snp_machine *m)
{
    char why[200];
    if (snp_machine_check_invariants(m, why, sizeof(why)) != SNP_OK) {
        fail_msg("invariant: %s", why);
    }
}

/* Issue a command with @len bytes of @buf as its buffer at PX_CMD_SPA; the status. */
static inline uint32_t
px_cmd(struct snp_machine *m, uint32_t cmd, const void *buf, size_t len)
{
    uint8_t zero[0x80];
    uint64_t pf = 0;
    uint32_t st = 0xFFFF;
    memset(zero, 0, sizeof(zero));
    assert_int_equal(snp_host_write(m, PX_CMD_SPA, zero, sizeof(zero), &pf), SNP_HW_OK);
    if (len > 0) {
        assert_int_equal(snp_host_write(m, PX_CMD_SPA, buf, len, &pf), SNP_HW_OK);
    }
    T_OK(snp_host_psp_command(m, cmd, PX_CMD_SPA, &st));
    return st;
}

static inline void
px_put64(uint8_t *b, size_t off, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) {
        b[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
px_put32(uint8_t *b, size_t off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) {
        b[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint64_t
px_get64(const uint8_t *b, size_t off)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)b[off + i] << (8 * i);
    }
    return v;
}

/* RMPUPDATE a page to FIRMWARE (Linux snp_alloc_firmware_page, hardware.md §1.5). */
static inline void
px_fw_page(struct snp_machine *m, uint64_t spa)
{
    struct snp_rmpupdate_desc d = {.gpa = 0, .assigned = true, .immutable = true, .asid = 0};
    assert_int_equal(snp_host_rmpupdate(m, spa, &d), SNP_RMP_SUCCESS);
}

/* RMPUPDATE a page to PRE_GUEST of @asid at @gpa. */
static inline void
px_pre_guest(struct snp_machine *m, uint64_t spa, uint64_t gpa, uint32_t asid, bool page_2m)
{
    struct snp_rmpupdate_desc d = {
        .gpa = gpa, .assigned = true, .immutable = true, .asid = asid, .page_2m = page_2m};
    assert_int_equal(snp_host_rmpupdate(m, spa, &d), SNP_RMP_SUCCESS);
}

static inline uint32_t
px_cmd_u64(struct snp_machine *m, uint32_t cmd, uint64_t v)
{
    uint8_t b[8];
    px_put64(b, 0, v);
    return px_cmd(m, cmd, b, sizeof(b));
}

/* SNP_INIT, WBINVD, DF_FLUSH: the platform ready for ACTIVATE. */
static inline void
px_init(struct snp_machine *m)
{
    T_FW(px_cmd(m, SNP_CMD_SNP_INIT, NULL, 0), SNP_FW_SUCCESS);
    T_OK(snp_host_wbinvd(m));
    T_FW(px_cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0), SNP_FW_SUCCESS);
    px_fw_page(m, PX_OUT_SPA);
    px_fw_page(m, PX_RSP_SPA);
}

static inline uint32_t
px_launch_start(struct snp_machine *m, uint64_t gctx, uint64_t policy)
{
    uint8_t b[0x30];
    memset(b, 0, sizeof(b));
    px_put64(b, 0, gctx);
    px_put64(b, 8, policy);
    return px_cmd(m, SNP_CMD_SNP_LAUNCH_START, b, sizeof(b));
}

static inline uint32_t
px_activate(struct snp_machine *m, uint64_t gctx, uint32_t asid)
{
    uint8_t b[0x10];
    memset(b, 0, sizeof(b));
    px_put64(b, 0, gctx);
    px_put32(b, 8, asid);
    return px_cmd(m, SNP_CMD_SNP_ACTIVATE, b, sizeof(b));
}

static inline uint32_t
px_update(struct snp_machine *m, uint64_t gctx, uint64_t spa, unsigned type, bool page_2m,
          const uint8_t perms[3])
{
    uint8_t b[0x20];
    memset(b, 0, sizeof(b));
    px_put64(b, 0, gctx);
    px_put32(b, 8, (page_2m ? 1u : 0u) | type << 1);
    px_put64(b, 0x10, spa);
    if (perms != NULL) {
        px_put32(b, 0x18,
                 (uint32_t)perms[0] << 8 | (uint32_t)perms[1] << 16 | (uint32_t)perms[2] << 24);
    }
    return px_cmd(m, SNP_CMD_SNP_LAUNCH_UPDATE, b, sizeof(b));
}

static inline uint32_t
px_finish(struct snp_machine *m, uint64_t gctx, uint64_t flags, const uint8_t host_data[32])
{
    uint8_t b[0x68];
    memset(b, 0, sizeof(b));
    px_put64(b, 0, gctx);
    px_put64(b, 8, PX_IDB_SPA);
    px_put64(b, 0x10, PX_IDA_SPA);
    px_put64(b, 0x18, flags);
    if (host_data != NULL) {
        memcpy(b + 0x20, host_data, 32);
    }
    return px_cmd(m, SNP_CMD_SNP_LAUNCH_FINISH, b, sizeof(b));
}

/* Host writes a page's plaintext, then assigns it PRE_GUEST at @gpa. */
static inline void
px_stage(struct snp_machine *m, uint64_t spa, uint64_t gpa, const uint8_t *data)
{
    uint64_t pf = 0;
    if (data != NULL) {
        assert_int_equal(snp_host_write(m, spa, data, SNP_PAGE_SIZE, &pf), SNP_HW_OK);
    }
    px_pre_guest(m, spa, gpa, PX_ASID, false);
}

/*
 * A small launched guest: GCTX, LAUNCH_START, ACTIVATE, pages: 0 NORMAL (pattern), 1 ZERO,
 * 2 SECRETS, 3 CPUID (empty table), 4 UNMEASURED, and one VMSA; LAUNCH_FINISH (no ID block).
 * @ld receives the digest computed independently with measure/'s step.
 */
#define PX_SECRETS_SPA (PX_GUEST_SPA + 2 * SNP_PAGE_SIZE)
#define PX_SECRETS_GPA (2 * SNP_PAGE_SIZE)

static inline void
px_guest(struct snp_machine *m, uint8_t ld_out[48])
{
    static uint8_t pg[SNP_PAGE_SIZE];
    struct snp_vmsa v;
    struct snp_ld ld;

    px_fw_page(m, PX_GCTX_SPA);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA), SNP_FW_SUCCESS);
    T_FW(px_launch_start(m, PX_GCTX_SPA, PX_POLICY), SNP_FW_SUCCESS);
    T_FW(px_activate(m, PX_GCTX_SPA, PX_ASID), SNP_FW_SUCCESS);
    snp_ld_init(&ld, NULL);

    t_fill(pg, sizeof(pg), 7);
    px_stage(m, PX_GUEST_SPA, 0, pg);
    T_FW(px_update(m, PX_GCTX_SPA, PX_GUEST_SPA, SNP_PAGE_TYPE_NORMAL, false, NULL),
         SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_NORMAL, 0, pg, NULL, false));

    px_stage(m, PX_GUEST_SPA + 0x1000, 0x1000, NULL);
    T_FW(px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x1000, SNP_PAGE_TYPE_ZERO, false, NULL),
         SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_ZERO, 0x1000, NULL, NULL, false));

    px_stage(m, PX_SECRETS_SPA, PX_SECRETS_GPA, NULL);
    T_FW(px_update(m, PX_GCTX_SPA, PX_SECRETS_SPA, SNP_PAGE_TYPE_SECRETS, false, NULL),
         SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_SECRETS, PX_SECRETS_GPA, NULL, NULL, false));

    memset(pg, 0, sizeof(pg));
    px_stage(m, PX_GUEST_SPA + 0x3000, 0x3000, pg);
    T_FW(px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x3000, SNP_PAGE_TYPE_CPUID, false, NULL),
         SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_CPUID, 0x3000, NULL, NULL, false));

    t_fill(pg, sizeof(pg), 9);
    px_stage(m, PX_GUEST_SPA + 0x4000, 0x4000, pg);
    T_FW(px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x4000, SNP_PAGE_TYPE_UNMEASURED, false, NULL),
         SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_UNMEASURED, 0x4000, NULL, NULL, false));

    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0xA10F11, SNP_VMSA_FEAT_SNP_ACTIVE));
    T_OK(snp_vmsa_encode(pg, &v));
    px_stage(m, PX_VMSA_SPA, SNP_PAGE_INFO_VMSA_GPA, pg);
    T_FW(px_update(m, PX_GCTX_SPA, PX_VMSA_SPA, SNP_PAGE_TYPE_VMSA, false, NULL), SNP_FW_SUCCESS);
    T_OK(snp_ld_update_page(&ld, SNP_PAGE_TYPE_VMSA, SNP_PAGE_INFO_VMSA_GPA, pg, NULL, false));

    T_FW(px_finish(m, PX_GCTX_SPA, 0, NULL), SNP_FW_SUCCESS);
    if (ld_out != NULL) {
        snp_ld_final(&ld, ld_out);
    }
    px_inv(m);
}

/* The guest's secrets page, as the guest would read it (test-only: firmware memory hook). */
static inline void
px_secrets(struct snp_machine *m, struct snp_secrets *s)
{
    static uint8_t pg[SNP_PAGE_SIZE];
    T_OK(snp_fw_mem_read(m, PX_SECRETS_SPA, PX_ASID, pg, sizeof(pg)));
    T_OK(snp_secrets_decode(s, pg, sizeof(pg), NULL));
    snp_wipe(pg, sizeof(pg));
}

/*
 * One guest message round trip: encrypt @payload with VMPCK @vmpck at @seqno, write it to the
 * request page, SNP_GUEST_REQUEST. Returns the command status; on SUCCESS the decrypted
 * response payload is in @rsp (*rsp_len) and its header in @rh.
 */
static inline uint32_t
px_guest_msg(struct snp_machine *m, const struct snp_secrets *s, uint8_t vmpck, uint64_t seqno,
             uint8_t type, uint8_t version, const uint8_t *payload, size_t len, uint8_t *rsp,
             size_t *rsp_len, struct snp_msg_hdr *rh)
{
    static uint8_t page[SNP_PAGE_SIZE];
    struct snp_msg_hdr h;
    struct snp_gcm *g = NULL;
    uint8_t iv[12], cmd[0x18];
    uint64_t pf = 0;
    uint32_t st;

    memset(page, 0, sizeof(page));
    memset(&h, 0, sizeof(h));
    h.msg_seqno = seqno;
    h.algo = 1;
    h.hdr_version = 1;
    h.hdr_size = SNP_MSG_HDR_SIZE;
    h.msg_type = type;
    h.msg_version = version;
    h.msg_size = (uint16_t)len;
    h.msg_vmpck = vmpck;
    T_OK(snp_msg_hdr_encode(page, &h));
    T_OK(snp_gcm_new(&g));
    snp_msg_iv(iv, seqno);
    T_OK(snp_gcm_seal(g, s->vmpck[vmpck], iv, page + 0x30, 48, payload, page + 0x60, len, page));
    assert_int_equal(snp_host_write(m, PX_REQ_SPA, page, sizeof(page), &pf), SNP_HW_OK);
    px_put64(cmd, 0, PX_GCTX_SPA);
    px_put64(cmd, 8, PX_REQ_SPA);
    px_put64(cmd, 0x10, PX_RSP_SPA);
    st = px_cmd(m, SNP_CMD_SNP_GUEST_REQUEST, cmd, sizeof(cmd));
    if (st == SNP_FW_SUCCESS) {
        assert_int_equal(snp_host_read(m, PX_RSP_SPA, page, sizeof(page)), SNP_HW_OK);
        T_OK(snp_msg_hdr_decode(rh, page, SNP_MSG_HDR_SIZE, NULL));
        assert_true(rh->msg_size <= SNP_MSG_PAYLOAD_MAX);
        snp_msg_iv(iv, rh->msg_seqno);
        T_OK(snp_gcm_open(g, s->vmpck[vmpck], iv, page + 0x30, 48, page + 0x60, rsp, rh->msg_size,
                          page));
        *rsp_len = rh->msg_size;
    }
    snp_gcm_free(g);
    return st;
}

#endif /* SNP_TESTS_PSP_FIXTURE_H */
