/*
 * sim/psp/psp_gctx.c - guest-context and page commands: SNP_GCTX_CREATE, SNP_DECOMMISSION,
 * SNP_ACTIVATE, SNP_GUEST_STATUS, SNP_PAGE_RECLAIM, SNP_PAGE_UNSMASH (hardware.md §1.5, §6.3,
 * §6.4, §6.10).
 *
 * The context itself lives in the firmware's table (struct psp_guest), keyed by the GCTX page's
 * address; the page is what the RMP says it is (CONTEXT), and the firmware zeroes it so the
 * host reads nothing of the context. Every check happens before any change.
 */
#include "sim/psp/psp_int.h"

#include "snpkit/policy.h"
#include "snpkit/util.h"

#include <string.h>

/* Page-address operand: 4K aligned (§6.1) and in DRAM. */
static enum snp_fw_status
page_operand(const struct snp_psp *p, uint64_t spa)
{
    if ((spa & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, spa, SNP_PAGE_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    return SNP_FW_SUCCESS;
}

/* ---- SNP_GCTX_CREATE (§6.4) -------------------------------------------------------------- */

enum snp_fw_status
psp_cmd_gctx_create(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t gctx = psp_rd64(buf, 0);
    const struct snp_rmp_entry *e;
    struct snp_rmp_entry n;
    struct psp_guest *g = NULL;
    enum snp_fw_status st = page_operand(p, gctx);
    snp_err err;

    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    e = snp_fw_rmp_governing(p->m, gctx, NULL);
    /* §6.4: "4K in RMP (INVALID_PAGE_SIZE)"; "page must be FIRMWARE state (else
     * INVALID_PAGE_STATE)". */
    if (e->page_2m) {
        return SNP_FW_INVALID_PAGE_SIZE;
    }
    if (!psp_is_firmware(e)) {
        return SNP_FW_INVALID_PAGE_STATE;
    }
    for (uint32_t i = 0; i < p->max_guests && g == NULL; i++) {
        if (!p->guests[i].used) {
            g = &p->guests[i];
        }
    }
    /* XXX(model): contexts live in a fixed table (STYLE.md §6), not in the page. */
    if (g == NULL) {
        return SNP_FW_RESOURCE_LIMIT;
    }
    memset(g, 0, sizeof(*g));
    /* "new random key seed": the VEK for this guest's memory. */
    err = psp_random(p, g->keys.vek, sizeof(g->keys.vek));
    if (err == SNP_OK) {
        /* "FW zeroes it" -- nothing of the context is in host-readable memory. */
        memset(p->page, 0, SNP_PAGE_SIZE);
        err = snp_fw_mem_write(p->m, gctx, 0, p->page, SNP_PAGE_SIZE);
    }
    if (err == SNP_OK) {
        n = *e;
        n.vmsa = true; /* "RMP.VMSA:=1 -> CONTEXT state" */
        err = snp_fw_rmp_set(p->m, gctx, &n);
    }
    if (err != SNP_OK) {
        snp_wipe(g, sizeof(*g));
        return psp_fail(p, err);
    }
    g->used = true;
    g->gctx_spa = gctx;
    g->state = GSTATE_INIT;
    g->launch_tcb = p->nv.committed_tcb; /* "launch TCB = committed TCB" */
    return SNP_FW_SUCCESS;
}

/* ---- SNP_DECOMMISSION (§6.4) ------------------------------------------------------------- */

enum snp_fw_status
psp_cmd_decommission(struct snp_psp *p, const uint8_t *buf)
{
    struct psp_guest *g;
    struct snp_rmp_entry n;
    enum snp_fw_status st = psp_gctx(p, psp_rd64(buf, 0), &g);
    snp_err err;

    if (st != SNP_FW_SUCCESS) {
        return st; /* "GCTX must be CONTEXT state (INVALID_GUEST)" */
    }
    /* "Deactivates the guest if it has an ASID (ASID in-use -> dirty)". */
    if (g->asid != 0) {
        err = snp_keyslot_clear(p->m, g->asid);
        if (err != SNP_OK) {
            return psp_fail(p, err);
        }
        p->asid_state[g->asid] = ASID_DIRTY;
        p->dirty_wbinvd = snp_fw_wbinvd_count(p->m);
    }
    n = *snp_fw_rmp_governing(p->m, g->gctx_spa, NULL);
    n.vmsa = false; /* "RMP.VMSA:=0 -> page back to FIRMWARE" */
    err = snp_fw_rmp_set(p->m, g->gctx_spa, &n);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    /* "decrements guest count if state != INIT" */
    if (g->state != GSTATE_INIT) {
        p->guest_count--;
    }
    snp_wipe(g, sizeof(*g));
    return SNP_FW_SUCCESS;
}

/* ---- SNP_ACTIVATE (§6.4) ----------------------------------------------------------------- */

enum snp_fw_status
psp_cmd_activate(struct snp_psp *p, const uint8_t *buf)
{
    uint32_t asid = psp_rd32(buf, 8);
    struct psp_guest *g;
    enum snp_fw_status st;
    size_t key_len;
    snp_err err;

    /* Buffer: u64 gctx_paddr; u32 asid; u32 reserved (MBZ). */
    if (psp_rd32(buf, 12) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    st = psp_gctx(p, psp_rd64(buf, 0), &g);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "guest state LAUNCH or RUNNING (INVALID_GUEST_STATE)". */
    if (g->state != GSTATE_LAUNCH && g->state != GSTATE_RUNNING) {
        return SNP_FW_INVALID_GUEST_STATE;
    }
    /* "guest not already active/pending (ACTIVE)". */
    if (g->act != ACT_INACTIVE) {
        return SNP_FW_ACTIVE;
    }
    /* "ASID 1..max SEV ASID (INVALID_ASID)". */
    if (asid == 0 || asid > p->max_asid) {
        return SNP_FW_INVALID_ASID;
    }
    /* "per-ASID RMP counter must be 0 -- no RMP entry may still carry that ASID
     * (INVALID_CONFIG)". */
    if (snp_fw_rmp_asid_pages(p->m, asid) != 0) {
        return SNP_FW_INVALID_CONFIG;
    }
    /* "ASID not in-use/allocated (ASID_OWNED)"; "first use of ASID needs all CCXs clean
     * (DFFLUSH_REQUIRED)". SINGLE_SOCKET: one socket is modelled, never POLICY_FAILURE. */
    if (p->asid_state[asid] == ASID_INUSE) {
        return SNP_FW_ASID_OWNED;
    }
    if (p->asid_state[asid] == ASID_DIRTY) {
        return SNP_FW_DFFLUSH_REQUIRED;
    }
    /* "Installs VEK into UMC for that ASID": AES-256-XTS with policy bit 22 (§3.2). */
    key_len = (g->policy & SNP_POLICY_MEM_AES_256_XTS) != 0 ? 64 : 32;
    err = snp_keyslot_program(p->m, asid, g->keys.vek, key_len);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    p->asid_state[asid] = ASID_INUSE;
    g->asid = asid;
    /* "If the guest is not yet RUNNING it becomes pending". */
    g->act = g->state == GSTATE_RUNNING ? ACT_ACTIVE : ACT_PENDING;
    return SNP_FW_SUCCESS;
}

/* ---- SNP_GUEST_STATUS (§6.4) ------------------------------------------------------------- */

enum snp_fw_status
psp_cmd_guest_status(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t out = psp_rd64(buf, 8);
    uint8_t enc[0x20];
    struct psp_guest *g;
    enum snp_fw_status st = psp_gctx(p, psp_rd64(buf, 0), &g);
    snp_err err;

    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "output page FIRMWARE or DEFAULT (INVALID_PAGE_STATE), no page crossing". */
    st = psp_out_area(p, out, sizeof(enc));
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "u64 policy @0; u32 asid @8 (0 if none); u8 state @0xC; u8 rsvd[3]; u32 bit0 vcek_dis
     * @0x10; rest reserved". */
    memset(enc, 0, sizeof(enc));
    psp_wr64(enc, 0, g->policy);
    psp_wr32(enc, 8, g->asid);
    enc[0xC] = g->state;
    psp_wr32(enc, 0x10, g->vcek_dis ? 1u : 0u);
    err = snp_fw_mem_write(p->m, out, 0, enc, sizeof(enc));
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

/* ---- SNP_PAGE_RECLAIM (§6.10) ------------------------------------------------------------ */

enum snp_fw_status
psp_cmd_page_reclaim(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t w = psp_rd64(buf, 0);
    uint64_t spa = w & ~(uint64_t)(SNP_PAGE_SIZE - 1);
    bool want_2m = (w & 1u) != 0;
    const struct snp_rmp_entry *e;
    struct snp_rmp_entry n;
    snp_err err;

    /* "paddr | size bit0, bits 11:1 reserved". */
    if ((w & 0xFFEu) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, spa, want_2m ? SNP_2M_SIZE : SNP_PAGE_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    /* "2M alignment (INVALID_ADDRESS)"; "RMP.PageSize == size (INVALID_PAGE_SIZE)". */
    if (want_2m && (spa & (SNP_2M_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_ADDRESS;
    }
    e = snp_fw_rmp_governing(p->m, spa, NULL);
    if (e->page_2m != want_2m) {
        return SNP_FW_INVALID_PAGE_SIZE;
    }
    /* "If RMP.Immutable already 0 -> SUCCESS, no change." */
    if (!e->immutable) {
        return SNP_FW_SUCCESS;
    }
    /* FIRMWARE -> RECLAIM, PRE_GUEST -> GUEST_INVALID, PRE_SWAP -> GUEST_VALID: all by
     * clearing Immutable. METADATA is not modelled. "any other state (incl. CONTEXT) ->
     * INVALID_PAGE_STATE" (HV_FIXED too: it is not assigned). */
    if (!psp_is_firmware(e) && !psp_is_pre_guest(e) &&
        !(e->assigned && e->validated && e->asid != 0 && !e->vmsa)) {
        return SNP_FW_INVALID_PAGE_STATE;
    }
    n = *e;
    n.immutable = false;
    err = want_2m ? snp_fw_rmp_set_2m(p->m, spa, &n) : snp_fw_rmp_set(p->m, spa, &n);
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

/* ---- SNP_PAGE_UNSMASH (§6.10, §1.4) ------------------------------------------------------ */

enum snp_fw_status
psp_cmd_page_unsmash(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t spa = psp_rd64(buf, 0);
    const struct snp_rmp_entry *e0;
    snp_err err;

    /* "2M-aligned paddr, else INVALID_PARAM"; "must not overlap the RMP (INVALID_ADDRESS)" --
     * the RMP is outside DRAM here, so: the range must be in DRAM. */
    if ((spa & (SNP_2M_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, spa, SNP_2M_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    e0 = snp_fw_rmp_governing(p->m, spa, NULL);
    /* "All 512 4K entries must: be 4K, Immutable=1, VMSA=0, ASID!=0, same state, same ASID,
     * same VMPL masks, GPAs consecutive starting 2M-aligned -> else INVALID_PAGE_STATE". */
    if (e0->page_2m || !e0->assigned || !e0->immutable || e0->vmsa || e0->asid == 0 ||
        (e0->gpa & (SNP_2M_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PAGE_STATE;
    }
    for (uint64_t i = 1; i < SNP_PAGES_PER_2M; i++) {
        const struct snp_rmp_entry *e = snp_fw_rmp_governing(p->m, spa + i * SNP_PAGE_SIZE, NULL);
        if (e->page_2m || e->assigned != e0->assigned || e->immutable != e0->immutable ||
            e->validated != e0->validated || e->vmsa || e->asid != e0->asid ||
            memcmp(e->vmpl_perms, e0->vmpl_perms, sizeof(e->vmpl_perms)) != 0 ||
            e->gpa != e0->gpa + i * SNP_PAGE_SIZE) {
            return SNP_FW_INVALID_PAGE_STATE;
        }
    }
    err = snp_fw_rmp_unsmash(p->m, spa);
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}
