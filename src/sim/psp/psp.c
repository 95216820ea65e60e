/*
 * sim/psp/psp.c - the firmware's construction, the one command table, the dispatcher and the
 * shared helpers (hardware.md §6.1-§6.3).
 *
 * The dispatcher does what is common to every command before a handler runs (STYLE.md §9.2):
 * unknown id -> INVALID_COMMAND; platform state not in the command's set ->
 * INVALID_PLATFORM_STATE (§6.3 "Every guest command requires platform INIT"); a buffer that
 * leaves DRAM -> INVALID_ADDRESS. It reads the buffer once, through the memory controller with
 * the host's view (ASID 0), so a handler decodes a stable copy: the hypervisor cannot change
 * the bytes between check and use. Must not: allocate after snp_psp_new().
 */
#include "sim/psp/psp_int.h"

#include "crypto/vcek_kdf.h"
#include "sim/host_if.h"
#include "snpkit/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fw_cmd {
    uint32_t id;
    size_t size; /* command buffer bytes read from cmd_spa (0: none) */
    fw_handler fn;
    unsigned states; /* FW_ST_* in which the command runs */
};

/* The command set (hardware.md §6.1). Ids §6.1 lists but this model does not implement
 * (ACTIVATE_EX, DBG_*, PAGE_SWAP/MOVE/MD_INIT/SET_STATE, DOWNLOAD_FIRMWARE_EX, FEATURE_INFO)
 * and the legacy SEV commands are not here: INVALID_COMMAND, as for any unknown id. */
static const struct fw_cmd fw_cmds[] = {
    /* id                             buffer size                  handler                 states */
    {SNP_CMD_SNP_INIT, 0, psp_cmd_init, FW_ST_UNINIT},
    {SNP_CMD_SNP_SHUTDOWN, 0, psp_cmd_shutdown, FW_ST_ANY},
    {SNP_CMD_SNP_PLATFORM_STATUS, 8, psp_cmd_platform_status, FW_ST_ANY},
    {SNP_CMD_SNP_DF_FLUSH, 0, psp_cmd_df_flush, FW_ST_INIT},
    {SNP_CMD_SNP_INIT_EX, 0x40, psp_cmd_init_ex, FW_ST_UNINIT},
    {SNP_CMD_SNP_SHUTDOWN_EX, 8, psp_cmd_shutdown_ex, FW_ST_ANY},
    {SNP_CMD_SNP_DECOMMISSION, 8, psp_cmd_decommission, FW_ST_INIT},
    {SNP_CMD_SNP_ACTIVATE, 0x10, psp_cmd_activate, FW_ST_INIT},
    {SNP_CMD_SNP_GUEST_STATUS, 0x10, psp_cmd_guest_status, FW_ST_INIT},
    {SNP_CMD_SNP_GCTX_CREATE, 8, psp_cmd_gctx_create, FW_ST_INIT},
    {SNP_CMD_SNP_GUEST_REQUEST, 0x18, psp_cmd_guest_request, FW_ST_INIT},
    {SNP_CMD_SNP_LAUNCH_START, 0x30, psp_cmd_launch_start, FW_ST_INIT},
    {SNP_CMD_SNP_LAUNCH_UPDATE, 0x20, psp_cmd_launch_update, FW_ST_INIT},
    {SNP_CMD_SNP_LAUNCH_FINISH, 0x68, psp_cmd_launch_finish, FW_ST_INIT},
    {SNP_CMD_SNP_PAGE_RECLAIM, 8, psp_cmd_page_reclaim, FW_ST_INIT},
    {SNP_CMD_SNP_PAGE_UNSMASH, 8, psp_cmd_page_unsmash, FW_ST_INIT},
    {SNP_CMD_SNP_CONFIG, SNP_CONFIG_SIZE, psp_cmd_config, FW_ST_INIT},
    {SNP_CMD_SNP_COMMIT, 4, psp_cmd_commit, FW_ST_INIT},
    {SNP_CMD_SNP_VLEK_LOAD, 0x10, psp_cmd_vlek_load, FW_ST_INIT},
    {SNP_CMD_SIM_FW_UPDATE, SNP_CMD_SIM_FW_UPDATE_SIZE, psp_cmd_sim_fw_update, FW_ST_ANY},
};

/* ---- construction ------------------------------------------------------------------------ */

static snp_err
system_rng(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return snp_random(out, len);
}

static uint64_t
default_tcb(enum snp_product prod)
{
    switch (prod) {
    case SNP_PRODUCT_MILAN: /* BL 4, TEE 0, SNP 24, UCODE 0xDB (attestation.md §2 examples) */
        return UINT64_C(0xDB18000000000004);
    case SNP_PRODUCT_GENOA: /* BL 10, TEE 0, SNP 23, UCODE 0x54 (attestation.md §2) */
        return UINT64_C(0x541700000000000A);
    case SNP_PRODUCT_TURIN: /* FMC 0, BL 1, TEE 1, SNP 3, UCODE 0x44 */
        return UINT64_C(0x4400000003010100);
    case SNP_PRODUCT_UNKNOWN:
        break;
    }
    return 0;
}

static snp_err
nv_from_config(struct psp_nv *nv, const struct snp_machine_config *c)
{
    static const char def_seed[] = "snpkit default chip";
    const uint8_t *seed = c->chip_seed_len > 0 ? c->chip_seed : (const uint8_t *)def_seed;
    size_t seed_len = c->chip_seed_len > 0 ? c->chip_seed_len : sizeof(def_seed) - 1;

    if (c->chip_seed_len > SNP_CHIP_SEED_MAX ||
        (c->report_version != 0 && c->report_version != 2 && c->report_version != 3 &&
         c->report_version != 5)) {
        return SNP_E_ARG;
    }
    memset(nv, 0, sizeof(*nv));
    nv->product = c->product;
    nv->current_tcb = c->tcb != 0 ? c->tcb : default_tcb(c->product);
    nv->committed_tcb = nv->current_tcb;
    if (c->fw_major == 0 && c->fw_minor == 0 && c->fw_build == 0) {
        nv->cur_ver[0] = 40; /* 1.55.40, a Genoa firmware seen in the vectors */
        nv->cur_ver[1] = 55;
        nv->cur_ver[2] = 1;
    } else {
        nv->cur_ver[0] = c->fw_build;
        nv->cur_ver[1] = c->fw_minor;
        nv->cur_ver[2] = c->fw_major;
    }
    memcpy(nv->com_ver, nv->cur_ver, sizeof(nv->com_ver));
    nv->report_version = c->report_version != 0 ? c->report_version : 3;
    nv->smt = c->smt;
    return snp_chip_secret_from_seed(nv->chip_secret, seed, seed_len);
}

snp_err
snp_psp_new(struct snp_psp **out, struct snp_machine *m, const struct snp_machine_config *c)
{
    struct snp_psp *p;
    uint32_t regs[4];
    snp_err err;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return SNP_E_NOMEM;
    }
    p->m = m;
    p->rng = c->rng != NULL ? c->rng : system_rng;
    p->rng_ctx = c->rng_ctx;
    p->dram_size = c->dram_size;
    p->max_asid = c->max_asid;
    p->mutations = c->mutations;
    /* One context per ASID plus room for contexts not yet activated (RESOURCE_LIMIT beyond:
     * real firmware keeps contexts in host pages; we keep them in a fixed table). */
    p->max_guests = c->max_asid + 16;
    snp_host_cpuid(m, 1, 0, regs);
    p->fms = regs[0];
    p->asid_state = calloc((size_t)c->max_asid + 1, 1);
    p->guests = calloc(p->max_guests, sizeof(*p->guests));
    err = (p->asid_state == NULL || p->guests == NULL) ? SNP_E_NOMEM : SNP_OK;
    if (err == SNP_OK) {
        err = nv_from_config(&p->nv, c);
    }
    if (err == SNP_OK) {
        err = snp_chip_id_derive(p->chip_id, p->nv.chip_secret, p->nv.product);
    }
    if (err == SNP_OK) {
        err = snp_gcm_new(&p->gcm);
    }
    if (err != SNP_OK) {
        snp_psp_free(p);
        return err;
    }
    *out = p;
    return SNP_OK;
}

void
snp_psp_free(struct snp_psp *p)
{
    if (p == NULL) {
        return;
    }
    if (p->guests != NULL) {
        snp_wipe(p->guests, (size_t)p->max_guests * sizeof(*p->guests));
        free(p->guests);
    }
    free(p->asid_state);
    snp_eckey_free(p->vcek);
    snp_eckey_free(p->vlek);
    snp_gcm_free(p->gcm);
    snp_wipe(p, sizeof(*p));
    free(p);
}

/* ---- the dispatcher ---------------------------------------------------------------------- */

snp_err
snp_fw_command(struct snp_psp *p, uint32_t cmd, uint64_t cmd_spa, enum snp_fw_status *status)
{
    const struct fw_cmd *c = NULL;
    uint8_t buf[0x80];
    unsigned st = p->state == SNP_PLATFORM_STATE_INIT ? FW_ST_INIT : FW_ST_UNINIT;
    snp_err err;

    for (size_t i = 0; i < SNP_ARRAY_LEN(fw_cmds); i++) {
        if (fw_cmds[i].id == cmd) {
            c = &fw_cmds[i];
        }
    }
    /* §6.2: an id the firmware does not know is INVALID_COMMAND. */
    if (c == NULL) {
        *status = SNP_FW_INVALID_COMMAND;
        return SNP_OK;
    }
    /* §6.3: the platform state the command needs. */
    if ((c->states & st) == 0) {
        *status = SNP_FW_INVALID_PLATFORM_STATE;
        return SNP_OK;
    }
    memset(buf, 0, sizeof(buf));
    if (c->size > 0) {
        /* The buffer must be memory the firmware can reach (§6.1 address convention). */
        if (!psp_in_dram(p, cmd_spa, c->size)) {
            *status = SNP_FW_INVALID_ADDRESS;
            return SNP_OK;
        }
        SNP_BUG_ON(c->size > sizeof(buf));
        err = snp_fw_mem_read(p->m, cmd_spa, 0, buf, c->size);
        if (err != SNP_OK) {
            *status = SNP_FW_HWERROR_PLATFORM;
            return err;
        }
    }
    p->fault = SNP_OK;
    *status = c->fn(p, buf);
    err = p->fault;
    p->fault = SNP_OK;
    snp_wipe(p->page, sizeof(p->page));
    snp_wipe(p->page2, sizeof(p->page2));
    return err;
}

snp_err
snp_psp_mailbox(void *ctx, struct snp_machine *m, uint32_t cmd, uint64_t cmd_spa,
                uint32_t *fw_status)
{
    struct snp_psp *p = ctx;
    enum snp_fw_status st = SNP_FW_HWERROR_PLATFORM;
    snp_err err;

    SNP_BUG_ON(p->m != m);
    err = snp_fw_command(p, cmd, cmd_spa, &st);
    *fw_status = (uint32_t)st;
    return err;
}

/* ---- helpers ----------------------------------------------------------------------------- */

enum snp_fw_status
psp_fail(struct snp_psp *p, snp_err err)
{
    p->fault = err;
    return SNP_FW_HWERROR_PLATFORM;
}

snp_err
psp_random(struct snp_psp *p, uint8_t *out, size_t len)
{
    return p->rng(p->rng_ctx, out, len);
}

uint64_t
psp_rd64(const uint8_t *b, size_t off)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)b[off + i] << (8 * i);
    }
    return v;
}

uint32_t
psp_rd32(const uint8_t *b, size_t off)
{
    return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 |
           (uint32_t)b[off + 3] << 24;
}

void
psp_wr64(uint8_t *b, size_t off, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) {
        b[off + i] = (uint8_t)(v >> (8 * i));
    }
}

void
psp_wr32(uint8_t *b, size_t off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) {
        b[off + i] = (uint8_t)(v >> (8 * i));
    }
}

bool
psp_in_dram(const struct snp_psp *p, uint64_t spa, uint64_t len)
{
    return spa < p->dram_size && len <= p->dram_size - spa;
}

uint64_t
psp_reported_tcb(const struct snp_psp *p)
{
    return p->nv.config_tcb != 0 ? p->nv.config_tcb : p->nv.committed_tcb;
}

snp_err
psp_vcek_refresh(struct snp_psp *p)
{
    struct snp_eckey *k = NULL;
    uint64_t tcb = psp_reported_tcb(p);

    if (p->vcek != NULL && p->vcek_tcb == tcb) {
        return SNP_OK;
    }
    SNP_TRY(snp_vcek_derive(&k, p->nv.chip_secret, p->nv.product, tcb));
    snp_eckey_free(p->vcek);
    p->vcek = k;
    p->vcek_tcb = tcb;
    return SNP_OK;
}

bool
psp_tcb_le(const struct snp_psp *p, uint64_t a, uint64_t b)
{
    struct snp_tcb ta, tb;

    if (snp_tcb_decode(&ta, a, p->nv.product) != SNP_OK ||
        snp_tcb_decode(&tb, b, p->nv.product) != SNP_OK) {
        return false;
    }
    return snp_tcb_le(&ta, &tb);
}

/* §1.5: FIRMWARE = Assigned, not Validated, ASID 0, Immutable, GPA 0, VMSA 0. */
bool
psp_is_firmware(const struct snp_rmp_entry *e)
{
    return e->assigned && !e->validated && e->asid == 0 && e->immutable && e->gpa == 0 &&
           !e->vmsa && !e->page_2m;
}

/* §1.5: CONTEXT = FIRMWARE with VMSA = 1. */
bool
psp_is_context(const struct snp_rmp_entry *e)
{
    return e->assigned && !e->validated && e->asid == 0 && e->immutable && e->gpa == 0 && e->vmsa &&
           !e->page_2m;
}

/* §1.5: PRE_GUEST = Assigned, not Validated, ASID > 0, Immutable. */
bool
psp_is_pre_guest(const struct snp_rmp_entry *e)
{
    return e->assigned && !e->validated && e->asid != 0 && e->immutable && !e->vmsa;
}

enum snp_fw_status
psp_gctx(struct snp_psp *p, uint64_t gctx, struct psp_guest **g)
{
    const struct snp_rmp_entry *e;

    *g = NULL;
    /* §6.1: "every paddr in SNP command buffers must be 4K aligned ... else INVALID_PARAM". */
    if ((gctx & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, gctx, SNP_PAGE_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    /* §6.4 DECOMMISSION, §6.6: "GCTX CONTEXT (INVALID_GUEST)". */
    e = snp_fw_rmp_governing(p->m, gctx, NULL);
    if (e == NULL || !psp_is_context(e)) {
        return SNP_FW_INVALID_GUEST;
    }
    for (uint32_t i = 0; i < p->max_guests; i++) {
        if (p->guests[i].used && p->guests[i].gctx_spa == gctx) {
            *g = &p->guests[i];
            return SNP_FW_SUCCESS;
        }
    }
    /* A CONTEXT page left over from before a SHUTDOWN holds no live context. */
    return SNP_FW_INVALID_GUEST;
}

enum snp_fw_status
psp_out_area(struct snp_psp *p, uint64_t spa, size_t len)
{
    const struct snp_rmp_entry *e;

    /* §6.4 PLATFORM_STATUS / GUEST_STATUS: "must not cross a page". */
    if ((spa & (SNP_PAGE_SIZE - 1)) + len > SNP_PAGE_SIZE) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, spa, len)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    /* "if platform INIT the page must be FIRMWARE or DEFAULT state" (all of DRAM is covered
     * by the RMP here, so DEFAULT does not occur). */
    if (p->state == SNP_PLATFORM_STATE_INIT) {
        e = snp_fw_rmp_governing(p->m, spa, NULL);
        if (e == NULL || !psp_is_firmware(e)) {
            return SNP_FW_INVALID_PAGE_STATE;
        }
    }
    return SNP_FW_SUCCESS;
}

/* ---- invariants -------------------------------------------------------------------------- */

static snp_err
inv_fail(char *why, size_t n, const char *msg, uint64_t v)
{
    snprintf(why, n, "psp: %s (0x%llx)", msg, (unsigned long long)v);
    return SNP_E_STATE;
}

snp_err
snp_psp_check_invariants(const struct snp_psp *p, char *why, size_t why_size)
{
    uint32_t launched = 0;
    char dummy[8];

    if (why == NULL) {
        why = dummy;
        why_size = sizeof(dummy);
    }
    for (uint32_t i = 0; i < p->max_guests; i++) {
        const struct psp_guest *g = &p->guests[i];
        const struct snp_rmp_entry *e;
        if (!g->used) {
            continue;
        }
        if (p->state != SNP_PLATFORM_STATE_INIT) {
            return inv_fail(why, why_size, "guest context alive while UNINIT", g->gctx_spa);
        }
        e = snp_fw_rmp_governing(p->m, g->gctx_spa, NULL);
        if (e == NULL || !psp_is_context(e)) {
            return inv_fail(why, why_size, "GCTX page not in CONTEXT state", g->gctx_spa);
        }
        if (g->state > GSTATE_RUNNING || (g->state == GSTATE_INIT && g->act != ACT_INACTIVE) ||
            (g->act == ACT_ACTIVE && g->state != GSTATE_RUNNING) ||
            (g->act == ACT_PENDING && g->state != GSTATE_LAUNCH) ||
            ((g->act == ACT_INACTIVE) != (g->asid == 0))) {
            return inv_fail(why, why_size, "illegal guest state/activation", g->gctx_spa);
        }
        if (g->asid != 0 && (g->asid > p->max_asid || p->asid_state[g->asid] != ASID_INUSE)) {
            return inv_fail(why, why_size, "guest ASID not marked in use", g->asid);
        }
        for (uint32_t j = i + 1; j < p->max_guests; j++) {
            const struct psp_guest *h = &p->guests[j];
            if (h->used && (h->gctx_spa == g->gctx_spa || (g->asid != 0 && h->asid == g->asid))) {
                return inv_fail(why, why_size, "two contexts share a page or an ASID", g->asid);
            }
        }
        if (g->state != GSTATE_INIT) {
            launched++;
        }
    }
    for (uint32_t a = 1; a <= p->max_asid; a++) {
        bool owned = false;
        if (p->asid_state[a] > ASID_INUSE) {
            return inv_fail(why, why_size, "bad ASID state", a);
        }
        for (uint32_t i = 0; i < p->max_guests; i++) {
            owned = owned || (p->guests[i].used && p->guests[i].asid == a);
        }
        if ((p->asid_state[a] == ASID_INUSE) != owned) {
            return inv_fail(why, why_size, "ASID in use without an owner (or the reverse)", a);
        }
    }
    if (launched != p->guest_count) {
        return inv_fail(why, why_size, "guest_count disagrees with the contexts", p->guest_count);
    }
    return SNP_OK;
}
