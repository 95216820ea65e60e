/*
 * tests/unit/psp/test_psp_cmds.c - the firmware's command set as a table (STYLE.md §11.2):
 * every command x every platform state, the guest commands x every guest state, and the
 * spec-listed failures of each command with their status and no state change (hardware.md
 * §6.3, §6.4, §6.6-§6.8, §6.10), plus the NV state blob.
 */
#include "psp_fixture.h"

#include "snpkit/policy.h"

/* ---- every command x platform state ------------------------------------------------------ */

struct plat_row {
    uint32_t cmd;
    uint32_t uninit; /* status with a zero buffer in UNINIT */
};

static const struct plat_row plat_rows[] = {
    {SNP_CMD_SNP_SHUTDOWN, SNP_FW_SUCCESS}, /* §6.3: SUCCESS, no action */
    {SNP_CMD_SNP_PLATFORM_STATUS, SNP_FW_SUCCESS},
    {SNP_CMD_SNP_DF_FLUSH, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_DECOMMISSION, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_ACTIVATE, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_GUEST_STATUS, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_GCTX_CREATE, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_GUEST_REQUEST, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_LAUNCH_START, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_LAUNCH_UPDATE, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_LAUNCH_FINISH, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_PAGE_RECLAIM, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_PAGE_UNSMASH, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_CONFIG, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_COMMIT, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_VLEK_LOAD, SNP_FW_INVALID_PLATFORM_STATE},
    {SNP_CMD_SNP_INIT_EX, SNP_FW_RMP_INIT_REQUIRED}, /* init_rmp = 0 on a fresh RMP */
    {SNP_CMD_SIM_FW_UPDATE, SNP_FW_INVALID_PARAM},   /* TCB 0 */
    /* not implemented / unknown: INVALID_COMMAND in every state */
    {SNP_CMD_SNP_DBG_DECRYPT, SNP_FW_INVALID_COMMAND},
    {SNP_CMD_SNP_FEATURE_INFO, SNP_FW_INVALID_COMMAND},
    {0x001, SNP_FW_INVALID_COMMAND},
    {0xFFFFFFFF, SNP_FW_INVALID_COMMAND},
};

static void
test_platform_state_table(void **state)
{
    struct snp_machine *m = px_machine();
    uint8_t zero[0x80];

    (void)state;
    memset(zero, 0, sizeof(zero));
    /* PLATFORM_STATUS's zero buffer points at SPA 0, a host page: fine while UNINIT. */
    for (size_t i = 0; i < SNP_ARRAY_LEN(plat_rows); i++) {
        uint32_t st = px_cmd(m, plat_rows[i].cmd, zero, sizeof(zero));
        if (st != plat_rows[i].uninit) {
            fail_msg("cmd 0x%x in UNINIT: status 0x%x, want 0x%x", plat_rows[i].cmd, st,
                     plat_rows[i].uninit);
        }
        assert_int_equal(snp_host_psp_command(m, 0, 0, &st), SNP_OK);
        px_inv(m);
    }
    /* In INIT: INIT and INIT_EX are wrong-state; the rest leave the platform state. */
    px_init(m);
    T_FW(px_cmd(m, SNP_CMD_SNP_INIT, NULL, 0), SNP_FW_INVALID_PLATFORM_STATE);
    T_FW(px_cmd(m, SNP_CMD_SNP_INIT_EX, zero, sizeof(zero)), SNP_FW_INVALID_PLATFORM_STATE);
    /* guest commands on a zero buffer: GCTX 0 is not a CONTEXT page -> INVALID_GUEST */
    T_FW(px_cmd(m, SNP_CMD_SNP_LAUNCH_START, zero, 0x30), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_DECOMMISSION, zero, 8), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_ACTIVATE, zero, 16), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_GUEST_STATUS, zero, 16), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_GUEST_REQUEST, zero, 24), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_LAUNCH_FINISH, zero, 0x68), SNP_FW_INVALID_GUEST);
    T_FW(px_cmd(m, SNP_CMD_SNP_GCTX_CREATE, zero, 8), SNP_FW_INVALID_PAGE_STATE);
    T_FW(px_cmd(m, SNP_CMD_SNP_LAUNCH_UPDATE, zero, 0x20), SNP_FW_INVALID_PARAM); /* type 0 */
    T_FW(px_cmd(m, SNP_CMD_SNP_DBG_DECRYPT, zero, 0x20), SNP_FW_INVALID_COMMAND);
    T_FW(px_cmd(m, SNP_CMD_SNP_SHUTDOWN, NULL, 0), SNP_FW_SUCCESS); /* every ASID clean */
    px_inv(m);
    snp_machine_free(m);
}

/* ---- guest commands x guest state -------------------------------------------------------- */

enum gstate { G_INIT, G_LAUNCH_INACTIVE, G_LAUNCH_PENDING, G_RUNNING, G_NSTATES };

static void
to_state(struct snp_machine *m, enum gstate s)
{
    uint8_t pg[SNP_PAGE_SIZE];

    px_init(m);
    px_fw_page(m, PX_GCTX_SPA);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA), SNP_FW_SUCCESS);
    if (s >= G_LAUNCH_INACTIVE) {
        T_FW(px_launch_start(m, PX_GCTX_SPA, PX_POLICY), SNP_FW_SUCCESS);
    }
    if (s >= G_LAUNCH_PENDING) {
        T_FW(px_activate(m, PX_GCTX_SPA, PX_ASID), SNP_FW_SUCCESS);
    }
    if (s >= G_RUNNING) {
        T_FW(px_finish(m, PX_GCTX_SPA, 0, NULL), SNP_FW_SUCCESS);
    }
    memset(pg, 0, sizeof(pg));
    px_stage(m, PX_GUEST_SPA, 0, pg); /* a PRE_GUEST page of ASID 1 for LAUNCH_UPDATE */
}

/* The status of each guest command in each state (hardware.md §6.4, §6.6-§6.8, §6.10). */
static const struct {
    const char *name;
    uint32_t want[G_NSTATES];
} g_rows[] = {
    {"LAUNCH_START",
     {SNP_FW_SUCCESS, SNP_FW_INVALID_GUEST_STATE, SNP_FW_INVALID_GUEST_STATE,
      SNP_FW_INVALID_GUEST_STATE}},
    /* ACTIVATE: INIT -> INVALID_GUEST_STATE; a pending/active guest -> ACTIVE; the staged
     * PRE_GUEST page of ASID 1 makes the inactive case INVALID_CONFIG (RMP counter != 0). */
    {"ACTIVATE", {SNP_FW_INVALID_GUEST_STATE, SNP_FW_INVALID_CONFIG, SNP_FW_ACTIVE, SNP_FW_ACTIVE}},
    {"LAUNCH_UPDATE",
     {SNP_FW_INVALID_GUEST_STATE, SNP_FW_INACTIVE, SNP_FW_SUCCESS, SNP_FW_INVALID_GUEST_STATE}},
    {"LAUNCH_FINISH",
     {SNP_FW_INVALID_GUEST_STATE, SNP_FW_INACTIVE, SNP_FW_SUCCESS, SNP_FW_INVALID_GUEST_STATE}},
    {"GUEST_STATUS", {SNP_FW_SUCCESS, SNP_FW_SUCCESS, SNP_FW_SUCCESS, SNP_FW_SUCCESS}},
    /* GUEST_REQUEST with a zero request page: not RUNNING -> INVALID_GUEST_STATE; RUNNING ->
     * the header check (HDR_VERSION 0) -> INVALID_PARAM. */
    {"GUEST_REQUEST",
     {SNP_FW_INVALID_GUEST_STATE, SNP_FW_INVALID_GUEST_STATE, SNP_FW_INVALID_GUEST_STATE,
      SNP_FW_INVALID_PARAM}},
    {"DECOMMISSION", {SNP_FW_SUCCESS, SNP_FW_SUCCESS, SNP_FW_SUCCESS, SNP_FW_SUCCESS}},
};

static uint32_t
run_row(struct snp_machine *m, size_t row)
{
    uint8_t b[0x18];
    uint8_t zero[SNP_PAGE_SIZE];
    uint64_t pf = 0;

    switch (row) {
    case 0:
        return px_launch_start(m, PX_GCTX_SPA, PX_POLICY);
    case 1:
        return px_activate(m, PX_GCTX_SPA, PX_ASID);
    case 2:
        return px_update(m, PX_GCTX_SPA, PX_GUEST_SPA, SNP_PAGE_TYPE_NORMAL, false, NULL);
    case 3:
        return px_finish(m, PX_GCTX_SPA, 0, NULL);
    case 4:
        px_put64(b, 0, PX_GCTX_SPA);
        px_put64(b, 8, PX_OUT_SPA);
        return px_cmd(m, SNP_CMD_SNP_GUEST_STATUS, b, 16);
    case 5:
        memset(zero, 0, sizeof(zero));
        assert_int_equal(snp_host_write(m, PX_REQ_SPA, zero, sizeof(zero), &pf), SNP_HW_OK);
        px_put64(b, 0, PX_GCTX_SPA);
        px_put64(b, 8, PX_REQ_SPA);
        px_put64(b, 0x10, PX_RSP_SPA);
        return px_cmd(m, SNP_CMD_SNP_GUEST_REQUEST, b, 0x18);
    default:
        return px_cmd_u64(m, SNP_CMD_SNP_DECOMMISSION, PX_GCTX_SPA);
    }
}

static void
test_guest_state_table(void **state)
{
    (void)state;
    for (size_t r = 0; r < SNP_ARRAY_LEN(g_rows); r++) {
        for (int s = 0; s < G_NSTATES; s++) {
            struct snp_machine *m = px_machine();
            uint32_t st;
            to_state(m, (enum gstate)s);
            st = run_row(m, r);
            if (st != g_rows[r].want[s]) {
                fail_msg("%s in guest state %d: status 0x%x (%s), want 0x%x", g_rows[r].name, s, st,
                         snp_fw_status_name(st), g_rows[r].want[s]);
            }
            px_inv(m);
            snp_machine_free(m);
        }
    }
}

/* ---- spec-listed failures, each with no state change ------------------------------------- */

/* What "no state change" compares: the whole RMP as RMPREAD shows it for the pages used, the
 * platform status, the guest status. */
struct snap {
    uint8_t plat[0x20];
    uint8_t guest[0x20];
    struct snp_rmpread rmp[8];
};

static const uint64_t snap_pages[8] = {
    PX_GCTX_SPA, PX_GCTX2_SPA, PX_GUEST_SPA, PX_GUEST_SPA + 0x1000,
    PX_VMSA_SPA, PX_OUT_SPA,   PX_RSP_SPA,   PX_GUEST_SPA + 0x200000};

static void
snap_take(struct snp_machine *m, struct snap *s)
{
    uint8_t b[16];
    memset(s, 0, sizeof(*s));
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA), SNP_FW_SUCCESS);
    T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, s->plat, sizeof(s->plat)));
    px_put64(b, 0, PX_GCTX_SPA);
    px_put64(b, 8, PX_OUT_SPA);
    if (px_cmd(m, SNP_CMD_SNP_GUEST_STATUS, b, 16) == SNP_FW_SUCCESS) {
        T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, s->guest, sizeof(s->guest)));
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(snp_host_rmpread(m, snap_pages[i], &s->rmp[i]), SNP_RMP_SUCCESS);
    }
}

static void
expect_refused(struct snp_machine *m, uint32_t st, uint32_t want, const struct snap *before,
               const char *what)
{
    struct snap after;
    if (st != want) {
        fail_msg("%s: status 0x%x (%s), want 0x%x (%s)", what, st, snp_fw_status_name(st), want,
                 snp_fw_status_name(want));
    }
    snap_take(m, &after);
    if (memcmp(before, &after, sizeof(after)) != 0) {
        fail_msg("%s: refused but the state changed", what);
    }
    px_inv(m);
}

static void
test_launch_failures(void **state)
{
    struct snp_machine *m = px_machine();
    struct snap s;
    uint8_t b[0x68], pg[SNP_PAGE_SIZE];

    (void)state;
    to_state(m, G_LAUNCH_PENDING);
    px_fw_page(m, PX_GCTX2_SPA);
    snap_take(m, &s);

    /* LAUNCH_START (§6.6) on a launched guest; policy checks on a fresh context. */
    expect_refused(m, px_launch_start(m, PX_GCTX_SPA, PX_POLICY), SNP_FW_INVALID_GUEST_STATE, &s,
                   "LAUNCH_START twice");
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX2_SPA), SNP_FW_SUCCESS);
    snap_take(m, &s);
    expect_refused(m, px_launch_start(m, PX_GCTX2_SPA, 0x10000), SNP_FW_POLICY_FAILURE, &s,
                   "policy bit 17 clear");
    expect_refused(m, px_launch_start(m, PX_GCTX2_SPA, 0x20000), SNP_FW_POLICY_FAILURE, &s,
                   "SMT not allowed on an SMT platform");
    expect_refused(m, px_launch_start(m, PX_GCTX2_SPA, PX_POLICY | (UINT64_C(1) << 26)),
                   SNP_FW_POLICY_FAILURE, &s, "reserved policy bit 26");
    expect_refused(m, px_launch_start(m, PX_GCTX2_SPA, PX_POLICY | 0x0200), SNP_FW_POLICY_FAILURE,
                   &s, "policy ABI 2.0 above firmware 1.55");
    memset(b, 0, sizeof(b));
    px_put64(b, 0, PX_GCTX2_SPA);
    px_put64(b, 8, PX_POLICY);
    px_put32(b, 0x18, 4);
    expect_refused(m, px_cmd(m, SNP_CMD_SNP_LAUNCH_START, b, 0x30), SNP_FW_INVALID_PARAM, &s,
                   "LAUNCH_START reserved flag");
    expect_refused(m, px_launch_start(m, PX_GCTX2_SPA + 8, PX_POLICY), SNP_FW_INVALID_PARAM, &s,
                   "unaligned GCTX");
    expect_refused(m, px_launch_start(m, PX_GUEST_SPA, PX_POLICY), SNP_FW_INVALID_GUEST, &s,
                   "GCTX not a context page");

    /* LAUNCH_UPDATE (§6.7), in the spec's order. */
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA, 7, false, NULL), SNP_FW_INVALID_PARAM,
                   &s, "page type 7");
    memset(b, 0, sizeof(b));
    px_put64(b, 0, PX_GCTX_SPA);
    px_put32(b, 8, 1u << 1 | 1u << 5);
    px_put64(b, 0x10, PX_GUEST_SPA);
    expect_refused(m, px_cmd(m, SNP_CMD_SNP_LAUNCH_UPDATE, b, 0x20), SNP_FW_INVALID_PARAM, &s,
                   "reserved bit 5 of the page word");
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x1000, 1, false, NULL),
                   SNP_FW_INVALID_PAGE_STATE, &s, "target not PRE_GUEST");
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA, 1, true, NULL),
                   SNP_FW_INVALID_PAGE_SIZE, &s, "2M request on a 4K RMP entry");
    px_pre_guest(m, PX_GUEST_SPA + 0x200000, 0x200000, PX_ASID, true);
    snap_take(m, &s);
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x200000, 2, true, NULL),
                   SNP_FW_INVALID_PAGE_SIZE, &s, "2M VMSA");
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x200000, 1, false, NULL),
                   SNP_FW_INVALID_PAGE_SIZE, &s, "4K request on a 2M entry");
    px_pre_guest(m, PX_GUEST_SPA + 0x1000, 0x1000, 2, false);
    snap_take(m, &s);
    expect_refused(m, px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x1000, 1, false, NULL),
                   SNP_FW_INVALID_PAGE_OWNER, &s, "page of another ASID");
    /* a CPUID page that fails validation: corrected copy written back, INVALID_PARAM, page
     * stays PRE_GUEST, digest unchanged (checked by the measurement test). */
    memset(pg, 0, sizeof(pg));
    px_put32(pg, 0, 1);
    px_put32(pg, 0x10, 0x8000001F); /* leaf 8000_001F claiming every feature */
    px_put32(pg, 0x10 + 0x18, 0xFFFFFFFF);
    {
        uint64_t pf = 0;
        struct snp_rmpread rr;
        px_stage(m, PX_VMSA_SPA, 0x5000, pg);
        T_FW(px_update(m, PX_GCTX_SPA, PX_VMSA_SPA, SNP_PAGE_TYPE_CPUID, false, NULL),
             SNP_FW_INVALID_PARAM);
        assert_int_equal(snp_host_read(m, PX_VMSA_SPA, pg, sizeof(pg)), SNP_HW_OK);
        assert_int_not_equal(px_get64(pg, 0x10 + 0x18) & 0xFFFFFFFF, 0xFFFFFFFF);
        assert_int_equal(snp_host_rmpread(m, PX_VMSA_SPA, &rr), SNP_RMP_SUCCESS);
        assert_true(rr.assigned && rr.immutable);
        (void)pf;
    }
    /* LAUNCH_FINISH: reserved flag bits; AUTH_KEY_EN without ID_BLOCK_EN. */
    snap_take(m, &s);
    expect_refused(m, px_finish(m, PX_GCTX_SPA, 8, NULL), SNP_FW_INVALID_PARAM, &s,
                   "LAUNCH_FINISH reserved flag");
    expect_refused(m, px_finish(m, PX_GCTX_SPA, 2, NULL), SNP_FW_INVALID_PARAM, &s,
                   "AUTH_KEY_EN without ID block");
    /* ID block whose LD is wrong -> BAD_MEASUREMENT. */
    {
        uint8_t idb[SNP_PAGE_SIZE];
        uint64_t pf = 0;
        memset(idb, 0, sizeof(idb));
        px_put32(idb, 0x50, 1);
        px_put64(idb, 0x58, PX_POLICY);
        idb[0] = 1;
        assert_int_equal(snp_host_write(m, PX_IDB_SPA, idb, sizeof(idb), &pf), SNP_HW_OK);
        expect_refused(m, px_finish(m, PX_GCTX_SPA, 1, NULL), SNP_FW_BAD_MEASUREMENT, &s,
                       "ID block LD mismatch");
    }
    snp_machine_free(m);
}

static void
test_gctx_and_activate_failures(void **state)
{
    struct snp_machine *m = px_machine();
    struct snap s;
    uint8_t b[16];

    (void)state;
    T_FW(px_cmd(m, SNP_CMD_SNP_INIT, NULL, 0), SNP_FW_SUCCESS);
    px_fw_page(m, PX_OUT_SPA);
    px_fw_page(m, PX_RSP_SPA);
    snap_take(m, &s);
    /* GCTX_CREATE (§6.4): not FIRMWARE; unaligned. */
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA),
                   SNP_FW_INVALID_PAGE_STATE, &s, "GCTX_CREATE on a hypervisor page");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_OUT_SPA + 1), SNP_FW_INVALID_PARAM,
                   &s, "GCTX_CREATE unaligned");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_DRAM), SNP_FW_INVALID_ADDRESS, &s,
                   "GCTX_CREATE outside DRAM");
    px_fw_page(m, PX_GCTX_SPA);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA), SNP_FW_SUCCESS);
    T_FW(px_launch_start(m, PX_GCTX_SPA, PX_POLICY), SNP_FW_SUCCESS);
    snap_take(m, &s);
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA),
                   SNP_FW_INVALID_PAGE_STATE, &s, "GCTX_CREATE on a context");
    /* ACTIVATE (§6.4): ASID 0 / above max; dirty ASID needs DF_FLUSH (INIT marks all dirty). */
    expect_refused(m, px_activate(m, PX_GCTX_SPA, 0), SNP_FW_INVALID_ASID, &s, "ASID 0");
    expect_refused(m, px_activate(m, PX_GCTX_SPA, 16), SNP_FW_INVALID_ASID, &s, "ASID 16");
    expect_refused(m, px_activate(m, PX_GCTX_SPA, 1), SNP_FW_DFFLUSH_REQUIRED, &s,
                   "ACTIVATE before DF_FLUSH");
    expect_refused(m, px_cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0), SNP_FW_WBINVD_REQUIRED, &s,
                   "DF_FLUSH before WBINVD");
    T_OK(snp_host_wbinvd(m));
    T_FW(px_cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0), SNP_FW_SUCCESS);
    memset(b, 0, sizeof(b));
    px_put64(b, 0, PX_GCTX_SPA);
    px_put32(b, 8, 1);
    px_put32(b, 12, 1);
    snap_take(m, &s);
    expect_refused(m, px_cmd(m, SNP_CMD_SNP_ACTIVATE, b, 16), SNP_FW_INVALID_PARAM, &s,
                   "ACTIVATE reserved word");
    T_FW(px_activate(m, PX_GCTX_SPA, 1), SNP_FW_SUCCESS);
    /* A second guest may not take ASID 1 (ASID_OWNED). */
    px_fw_page(m, PX_GCTX2_SPA);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX2_SPA), SNP_FW_SUCCESS);
    T_FW(px_launch_start(m, PX_GCTX2_SPA, PX_POLICY), SNP_FW_SUCCESS);
    snap_take(m, &s);
    expect_refused(m, px_activate(m, PX_GCTX2_SPA, 1), SNP_FW_ASID_OWNED, &s, "ASID owned");
    /* SHUTDOWN with an ASID in use -> DFFLUSH_REQUIRED; PAGE_RECLAIM of a context page. */
    expect_refused(m, px_cmd(m, SNP_CMD_SNP_SHUTDOWN, NULL, 0), SNP_FW_DFFLUSH_REQUIRED, &s,
                   "SHUTDOWN with a live guest");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_GCTX_SPA),
                   SNP_FW_INVALID_PAGE_STATE, &s, "RECLAIM a context page");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_OUT_SPA | 0x2),
                   SNP_FW_INVALID_PARAM, &s, "RECLAIM reserved bits");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_OUT_SPA | 1),
                   SNP_FW_INVALID_ADDRESS, &s, "RECLAIM 2M unaligned");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_PAGE_UNSMASH, PX_GUEST_SPA + 0x1000),
                   SNP_FW_INVALID_PARAM, &s, "UNSMASH unaligned");
    expect_refused(m, px_cmd_u64(m, SNP_CMD_SNP_PAGE_UNSMASH, PX_GUEST_SPA),
                   SNP_FW_INVALID_PAGE_STATE, &s, "UNSMASH hypervisor pages");
    /* DECOMMISSION frees the ASID (dirty), page back to FIRMWARE, reclaimable. */
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_DECOMMISSION, PX_GCTX_SPA), SNP_FW_SUCCESS);
    T_FW(px_activate(m, PX_GCTX2_SPA, 1), SNP_FW_DFFLUSH_REQUIRED);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_GCTX_SPA), SNP_FW_SUCCESS);
    px_inv(m);
    snp_machine_free(m);
}

static void
test_unsmash_and_reclaim(void **state)
{
    struct snp_machine *m = px_machine();
    struct snp_rmpread rr;

    (void)state;
    to_state(m, G_LAUNCH_PENDING);
    /* 512 PRE_GUEST 4K pages with consecutive GPAs -> one 2M page; a 2M LAUNCH_UPDATE. */
    for (uint64_t i = 0; i < SNP_PAGES_PER_2M; i++) {
        px_pre_guest(m, PX_GUEST_SPA + 0x200000 + i * SNP_PAGE_SIZE, 0x200000 + i * SNP_PAGE_SIZE,
                     PX_ASID, false);
    }
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PAGE_UNSMASH, PX_GUEST_SPA + 0x200000), SNP_FW_SUCCESS);
    assert_int_equal(snp_host_rmpread(m, PX_GUEST_SPA + 0x200000, &rr), SNP_RMP_SUCCESS);
    assert_true(rr.page_2m && rr.immutable);
    px_inv(m);
    T_FW(px_update(m, PX_GCTX_SPA, PX_GUEST_SPA + 0x200000, SNP_PAGE_TYPE_ZERO, true, NULL),
         SNP_FW_SUCCESS);
    assert_int_equal(snp_host_rmpread(m, PX_GUEST_SPA + 0x200000, &rr), SNP_RMP_SUCCESS);
    assert_true(rr.page_2m && !rr.immutable);
    /* RECLAIM of a PRE_GUEST page -> GUEST_INVALID; of a mutable page: SUCCESS, no change. */
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_GUEST_SPA), SNP_FW_SUCCESS);
    assert_int_equal(snp_host_rmpread(m, PX_GUEST_SPA, &rr), SNP_RMP_SUCCESS);
    assert_true(rr.assigned && !rr.immutable);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_GUEST_SPA), SNP_FW_SUCCESS);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PAGE_RECLAIM, PX_GUEST_SPA + 0x200000),
         SNP_FW_INVALID_PAGE_SIZE);
    px_inv(m);
    snp_machine_free(m);
}

static void
test_platform_status_and_config(void **state)
{
    struct snp_machine *m = px_machine();
    struct snp_platform_status ps;
    uint8_t out[0x20], b[0x40];

    (void)state;
    px_init(m);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_CMD_SPA + 0x100),
         SNP_FW_INVALID_PAGE_STATE); /* INIT: output must be a FIRMWARE page */
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA + 0xFF0), SNP_FW_INVALID_PARAM);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA), SNP_FW_SUCCESS);
    T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, out, sizeof(out)));
    T_OK(snp_platform_status_decode(&ps, out, sizeof(out), NULL));
    assert_int_equal(ps.state, SNP_PLATFORM_STATE_INIT);
    assert_int_equal(ps.api_major, 1);
    assert_int_equal(ps.api_minor, 55);
    assert_true(ps.status_flags & SNP_PLATFORM_STATUS_IS_RMP_INIT);
    assert_true(ps.current_tcb == ps.reported_tcb);
    /* SNP_CONFIG: reserved -> INVALID_PARAM; above committed -> INVALID_PARAM; a lower TCB. */
    memset(b, 0, sizeof(b));
    b[0x20] = 1;
    T_FW(px_cmd(m, SNP_CMD_SNP_CONFIG, b, sizeof(b)), SNP_FW_INVALID_PARAM);
    memset(b, 0, sizeof(b));
    px_put64(b, 0, ps.current_tcb + (UINT64_C(1) << 56));
    T_FW(px_cmd(m, SNP_CMD_SNP_CONFIG, b, sizeof(b)), SNP_FW_INVALID_PARAM);
    px_put64(b, 0, ps.current_tcb - (UINT64_C(1) << 56));
    px_put32(b, 8, 3);
    T_FW(px_cmd(m, SNP_CMD_SNP_CONFIG, b, sizeof(b)), SNP_FW_SUCCESS);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA), SNP_FW_SUCCESS);
    T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, out, sizeof(out)));
    T_OK(snp_platform_status_decode(&ps, out, sizeof(out), NULL));
    assert_true(ps.reported_tcb == ps.current_tcb - (UINT64_C(1) << 56));
    assert_int_equal(ps.config_flags & 3u, 3u);
    snp_machine_free(m);
}

static void
test_fw_update_commit_rollback(void **state)
{
    struct snp_machine *m = px_machine();
    struct snp_platform_status ps;
    uint8_t b[0x20], out[0x20], c4[4];
    uint64_t tcb0;

    (void)state;
    px_init(m);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA), SNP_FW_SUCCESS);
    T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, out, sizeof(out)));
    T_OK(snp_platform_status_decode(&ps, out, sizeof(out), NULL));
    tcb0 = ps.current_tcb;
    /* Install newer firmware (microcode + 1) without committing; then an older-than-committed
     * one is refused (BAD_SVN); after COMMIT the floor moves. */
    memset(b, 0, sizeof(b));
    px_put64(b, 0, tcb0 + (UINT64_C(1) << 56));
    b[8] = 41;
    b[9] = 55;
    b[10] = 1;
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_SUCCESS);
    px_put64(b, 0, tcb0 - (UINT64_C(1) << 56));
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_BAD_SVN);
    px_put64(b, 0, tcb0); /* back to the committed version: allowed */
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_SUCCESS);
    px_put64(b, 0, tcb0 + (UINT64_C(1) << 56));
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_SUCCESS);
    px_put32(c4, 0, 8);
    T_FW(px_cmd(m, SNP_CMD_SNP_COMMIT, c4, 4), SNP_FW_INVALID_LEN);
    px_put32(c4, 0, 4);
    T_FW(px_cmd(m, SNP_CMD_SNP_COMMIT, c4, 4), SNP_FW_SUCCESS);
    px_put64(b, 0, tcb0);
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_BAD_SVN);
    T_FW(px_cmd_u64(m, SNP_CMD_SNP_PLATFORM_STATUS, PX_OUT_SPA), SNP_FW_SUCCESS);
    T_OK(snp_fw_mem_read(m, PX_OUT_SPA, 0, out, sizeof(out)));
    T_OK(snp_platform_status_decode(&ps, out, sizeof(out), NULL));
    assert_true(ps.reported_tcb == tcb0 + (UINT64_C(1) << 56));
    snp_machine_free(m);
}

static void
test_state_blob(void **state)
{
    struct snp_machine *m = px_machine(), *m2;
    uint8_t blob[SNP_PSP_STATE_MAX], blob2[SNP_PSP_STATE_MAX], b[0x20];
    size_t n = 0, n2 = 0;
    struct snp_machine_config c;

    (void)state;
    px_init(m);
    memset(b, 0, sizeof(b));
    px_put64(b, 0, UINT64_C(0x551700000000000B)); /* BL 11, SNP 23, UCODE 0x55 */
    px_put32(b, 0x0C, 1);
    T_FW(px_cmd(m, SNP_CMD_SIM_FW_UPDATE, b, sizeof(b)), SNP_FW_SUCCESS);
    T_OK(snp_machine_psp_save(m, blob, sizeof(blob), &n));
    T_ERR(snp_machine_psp_restore(m, blob, n), SNP_E_STATE); /* only in UNINIT */
    /* A fresh machine of another seed takes the chip over. */
    px_config(&c);
    c.chip_seed_len = 3;
    T_OK(snp_machine_new(&m2, &c));
    T_OK(snp_machine_psp_restore(m2, blob, n));
    T_OK(snp_machine_psp_save(m2, blob2, sizeof(blob2), &n2));
    assert_int_equal(n, n2);
    t_memeq(blob, blob2, n);
    /* corruption, truncation, a blob for a newer reader */
    blob2[0x40] ^= 1;
    T_ERR(snp_machine_psp_restore(m2, blob2, n2), SNP_E_FORMAT);
    T_ERR(snp_machine_psp_restore(m2, blob, n - 1), SNP_E_FORMAT);
    memcpy(blob2, blob, n);
    px_put32(blob2, 0x0C, 2);
    T_ERR(snp_machine_psp_restore(m2, blob2, n2), SNP_E_VERSION);
    snp_wipe(blob, sizeof(blob));
    snp_machine_free(m2);
    snp_machine_free(m);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platform_state_table),
        cmocka_unit_test(test_guest_state_table),
        cmocka_unit_test(test_launch_failures),
        cmocka_unit_test(test_gctx_and_activate_failures),
        cmocka_unit_test(test_unsmash_and_reclaim),
        cmocka_unit_test(test_platform_status_and_config),
        cmocka_unit_test(test_fw_update_commit_rollback),
        cmocka_unit_test(test_state_blob),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
