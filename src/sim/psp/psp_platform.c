/*
 * sim/psp/psp_platform.c - platform commands: SNP_INIT(_EX), SNP_SHUTDOWN(_EX),
 * SNP_PLATFORM_STATUS, SNP_DF_FLUSH, SNP_CONFIG, SNP_COMMIT, SNP_VLEK_LOAD and the simulator's
 * firmware update (hardware.md §6.3, §6.4, §6.10; attestation.md §1.5).
 *
 * Every handler checks everything before it changes anything: a refused command leaves the
 * platform as it was. Relies on: keyslot.h (RMP initialisation), crypto/vcek_kdf.h (VCEK,
 * VLEK), crypto/kdf.h + gcm.h (the VLEK wrapping, docs/psp.md).
 */
#include "sim/psp/psp_int.h"

#include "crypto/kdf.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/util.h"

#include <string.h>

static bool
all_zero(const uint8_t *b, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= b[i];
    }
    return acc == 0;
}

/* ---- SNP_INIT / SNP_INIT_EX (§6.4) ------------------------------------------------------- */

/* The effects common to both, after every check passed. */
static enum snp_fw_status
init_platform(struct snp_psp *p, bool init_rmp)
{
    snp_err err;

    /* §6.4: "Derives VCEK". */
    err = psp_vcek_refresh(p);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    if (init_rmp) {
        /* §6.4: "FW zeroes and initialises the RMP". */
        snp_fw_rmp_reset(p->m);
        p->rmp_init = true;
    }
    /* §6.4: "marks all ASIDs dirty (-> DF_FLUSH needed before first ACTIVATE)". */
    for (uint32_t a = 1; a <= p->max_asid; a++) {
        p->asid_state[a] = ASID_DIRTY;
    }
    p->dirty_wbinvd = snp_fw_wbinvd_count(p->m);
    p->guest_count = 0;
    p->state = SNP_PLATFORM_STATE_INIT;
    return SNP_FW_SUCCESS;
}

static bool
sev_enabled(const struct snp_psp *p)
{
    struct snp_machine_config c;
    snp_machine_config_get(p->m, &c);
    return c.sev_enabled;
}

enum snp_fw_status
psp_cmd_init(struct snp_psp *p, const uint8_t *buf)
{
    (void)buf;
    /* §6.4: SYSCFG.SNPEn/MemEncryptionModEn must be set on all cores, else INVALID_CONFIG. */
    if (!sev_enabled(p)) {
        return SNP_FW_INVALID_CONFIG;
    }
    return init_platform(p, true);
}

#define INIT_EX_INIT_RMP 0x1u
#define INIT_EX_LIST_EN  0x2u
#define RANGE_LIST_MAX   ((SNP_PAGE_SIZE - 8) / 16)

/* Check the HV_FIXED range list (§6.4 INIT_EX) read into p->page2; count out. */
static enum snp_fw_status
range_list_check(struct snp_psp *p, uint32_t *count)
{
    uint32_t n = psp_rd32(p->page2, 0);

    if (n > RANGE_LIST_MAX || psp_rd32(p->page2, 4) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t off = 8 + (size_t)i * 16;
        uint64_t base = psp_rd64(p->page2, off);
        uint32_t pages = psp_rd32(p->page2, off + 8);
        if ((base & (SNP_PAGE_SIZE - 1)) != 0 || psp_rd32(p->page2, off + 12) != 0) {
            return SNP_FW_INVALID_PARAM;
        }
        if (!psp_in_dram(p, base, (uint64_t)pages * SNP_PAGE_SIZE)) {
            return SNP_FW_INVALID_ADDRESS;
        }
    }
    *count = n;
    return SNP_FW_SUCCESS;
}

enum snp_fw_status
psp_cmd_init_ex(struct snp_psp *p, const uint8_t *buf)
{
    uint32_t flags = psp_rd32(buf, 0);
    uint64_t list = psp_rd64(buf, 8);
    uint32_t n = 0;
    enum snp_fw_status st;
    snp_err err;

    /* §6.4 INIT_EX: u32 flags (bit0 init_rmp, bit1 list_paddr_en), u32 rsvd, u64 list_paddr,
     * rest reserved. The newer bits (rapl_dis, ciphertext hiding, TIO, max_snp_asid) are not
     * modelled: reserved, INVALID_PARAM (STYLE.md §7.4: reserved bits first). */
    if ((flags & ~(INIT_EX_INIT_RMP | INIT_EX_LIST_EN)) != 0 || psp_rd32(buf, 4) != 0 ||
        !all_zero(buf + 0x10, 0x30)) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!sev_enabled(p)) {
        return SNP_FW_INVALID_CONFIG;
    }
    /* "list_paddr_en with init_rmp=0 -> INVALID_PARAM". */
    if ((flags & INIT_EX_LIST_EN) != 0 && (flags & INIT_EX_INIT_RMP) == 0) {
        return SNP_FW_INVALID_PARAM;
    }
    /* "INIT_EX with init_rmp=0 on a never-initialised RMP -> RMP_INIT_REQUIRED". */
    if ((flags & INIT_EX_INIT_RMP) == 0 && !p->rmp_init) {
        return SNP_FW_RMP_INIT_REQUIRED;
    }
    if ((flags & INIT_EX_LIST_EN) != 0) {
        if ((list & (SNP_PAGE_SIZE - 1)) != 0) {
            return SNP_FW_INVALID_PARAM; /* §6.1 address convention */
        }
        if (!psp_in_dram(p, list, SNP_PAGE_SIZE)) {
            return SNP_FW_INVALID_ADDRESS;
        }
        err = snp_fw_mem_read(p->m, list, 0, p->page2, SNP_PAGE_SIZE);
        if (err != SNP_OK) {
            return psp_fail(p, err);
        }
        st = range_list_check(p, &n);
        if (st != SNP_FW_SUCCESS) {
            return st;
        }
    }
    st = init_platform(p, (flags & INIT_EX_INIT_RMP) != 0);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "optionally marks ranges from list_paddr HV_FIXED" (§1.5: Assigned 0, Immutable 1). */
    for (uint32_t i = 0; i < n; i++) {
        size_t off = 8 + (size_t)i * 16;
        uint64_t base = psp_rd64(p->page2, off);
        uint32_t pages = psp_rd32(p->page2, off + 8);
        struct snp_rmp_entry e;
        memset(&e, 0, sizeof(e));
        e.immutable = true;
        for (uint32_t k = 0; k < pages; k++) {
            err = snp_fw_rmp_set(p->m, base + (uint64_t)k * SNP_PAGE_SIZE, &e);
            if (err != SNP_OK) {
                return psp_fail(p, err);
            }
        }
    }
    return SNP_FW_SUCCESS;
}

/* ---- SNP_SHUTDOWN / SNP_SHUTDOWN_EX (§6.3, §6.4) ----------------------------------------- */

static enum snp_fw_status
shutdown_platform(struct snp_psp *p, bool iommu)
{
    /* §6.3: "SNP_SHUTDOWN in UNINIT returns SUCCESS with no action". */
    if (p->state != SNP_PLATFORM_STATE_INIT) {
        return SNP_FW_SUCCESS;
    }
    /* §6.4: "every ASID must be clean on all CCXs (else DFFLUSH_REQUIRED)". */
    for (uint32_t a = 1; a <= p->max_asid; a++) {
        if (p->asid_state[a] != ASID_CLEAN) {
            return SNP_FW_DFFLUSH_REQUIRED;
        }
    }
    /* Contexts never activated die with the platform (their pages stay CONTEXT until the
     * next INIT re-initialises the RMP). */
    snp_wipe(p->guests, (size_t)p->max_guests * sizeof(*p->guests));
    p->guest_count = 0;
    if (iommu) {
        p->rmp_init = false; /* "forces a full RMP re-init on next INIT" */
    }
    p->state = SNP_PLATFORM_STATE_UNINIT;
    return SNP_FW_SUCCESS;
}

enum snp_fw_status
psp_cmd_shutdown(struct snp_psp *p, const uint8_t *buf)
{
    (void)buf;
    return shutdown_platform(p, false);
}

enum snp_fw_status
psp_cmd_shutdown_ex(struct snp_psp *p, const uint8_t *buf)
{
    uint32_t flags = psp_rd32(buf, 4);

    /* §6.4: "length must equal sizeof (INVALID_PARAM); x86_snp_shutdown requires
     * iommu_snp_shutdown". Bits 31:2 reserved. */
    if (psp_rd32(buf, 0) != 8 || (flags & ~UINT32_C(3)) != 0 ||
        ((flags & 2u) != 0 && (flags & 1u) == 0)) {
        return SNP_FW_INVALID_PARAM;
    }
    return shutdown_platform(p, (flags & 1u) != 0);
}

/* ---- SNP_PLATFORM_STATUS (§6.4, attestation.md §7.9) ------------------------------------- */

enum snp_fw_status
psp_cmd_platform_status(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t out = psp_rd64(buf, 0);
    struct snp_platform_status s;
    uint8_t enc[SNP_PLATFORM_STATUS_SIZE];
    enum snp_fw_status st = psp_out_area(p, out, sizeof(enc));
    snp_err err;

    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    memset(&s, 0, sizeof(s));
    s.api_major = p->nv.cur_ver[2];
    s.api_minor = p->nv.cur_ver[1];
    s.build_id = p->nv.cur_ver[0];
    s.state = p->state;
    s.status_flags = p->rmp_init ? SNP_PLATFORM_STATUS_IS_RMP_INIT : 0;
    s.config_flags = (p->nv.mask_chip_id ? SNP_PLATFORM_CFG_MASK_CHIP_ID : 0) |
                     (p->nv.mask_chip_key ? SNP_PLATFORM_CFG_MASK_CHIP_KEY : 0) |
                     (p->nv.vlek_loaded ? SNP_PLATFORM_CFG_VLEK_EN : 0);
    s.guest_count = p->guest_count;
    s.current_tcb = p->nv.current_tcb;
    s.reported_tcb = psp_reported_tcb(p);
    err = snp_platform_status_encode(enc, &s);
    if (err == SNP_OK) {
        err = snp_fw_mem_write(p->m, out, 0, enc, sizeof(enc));
    }
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

/* ---- SNP_DF_FLUSH (§6.3, §6.4) ----------------------------------------------------------- */

enum snp_fw_status
psp_cmd_df_flush(struct snp_psp *p, const uint8_t *buf)
{
    bool dirty = false;

    (void)buf;
    for (uint32_t a = 1; a <= p->max_asid; a++) {
        dirty = dirty || p->asid_state[a] == ASID_DIRTY;
    }
    /* §6.4: "WBINVD must have been executed on all cores since last relevant event (else
     * WBINVD_REQUIRED)" -- one CCX modelled, so it is all or nothing. */
    if (dirty && snp_fw_wbinvd_count(p->m) == p->dirty_wbinvd) {
        return SNP_FW_WBINVD_REQUIRED;
    }
    /* "dirty ASIDs -> clean". */
    for (uint32_t a = 1; a <= p->max_asid; a++) {
        if (p->asid_state[a] == ASID_DIRTY) {
            p->asid_state[a] = ASID_CLEAN;
        }
    }
    return SNP_FW_SUCCESS;
}

/* ---- SNP_CONFIG (§6.10, attestation.md §1.5) --------------------------------------------- */

/* attestation.md §1.5: "a lexicographic compare (BL, TEE, SNP, UCODE as a 32-bit number)";
 * Turin's FMC byte leads (§2: "Turin's FMC byte must be included"). */
static uint64_t
tcb_lex(const struct snp_psp *p, uint64_t raw)
{
    struct snp_tcb t;

    if (snp_tcb_decode(&t, raw, p->nv.product) != SNP_OK) {
        return UINT64_MAX;
    }
    return (uint64_t)t.fmc << 32 | (uint64_t)t.boot_loader << 24 | (uint64_t)t.tee << 16 |
           (uint64_t)t.snp << 8 | t.microcode;
}

enum snp_fw_status
psp_cmd_config(struct snp_psp *p, const uint8_t *buf)
{
    struct snp_config c;
    struct psp_nv save = p->nv;
    struct snp_tcb t;
    snp_err err;

    /* §1.5: "0x0C..0x40 reserved MBZ", mask bits 31:2 MBZ -> INVALID_PARAM (STYLE.md §7.4). */
    if (snp_config_decode(&c, buf, SNP_CONFIG_SIZE, NULL) != SNP_OK) {
        return SNP_FW_INVALID_PARAM;
    }
    if (c.reported_tcb != 0) {
        /* §1.5: "FW source rejects a REPORTED_TCB greater than committed TCB". Reserved TCB
         * bytes must be zero too (no VCEK can be issued for them). */
        if (snp_tcb_decode(&t, c.reported_tcb, p->nv.product) != SNP_OK ||
            !snp_tcb_reserved_zero(&t) ||
            tcb_lex(p, c.reported_tcb) > tcb_lex(p, p->nv.committed_tcb)) {
            return SNP_FW_INVALID_PARAM;
        }
    }
    p->nv.config_tcb = c.reported_tcb;
    p->nv.mask_chip_id = c.mask_chip_id;
    p->nv.mask_chip_key = c.mask_chip_key;
    /* "re-derives the VCEK from REPORTED_TCB". */
    err = psp_vcek_refresh(p);
    if (err != SNP_OK) {
        p->nv = save;
        return psp_fail(p, err);
    }
    return SNP_FW_SUCCESS;
}

/* ---- SNP_COMMIT (§6.10) ------------------------------------------------------------------ */

enum snp_fw_status
psp_cmd_commit(struct snp_psp *p, const uint8_t *buf)
{
    struct psp_nv save = p->nv;
    snp_err err;

    /* §6.1: "u32 len". XXX(spec): the status for a wrong length is not given; INVALID_LEN. */
    if (psp_rd32(buf, 0) != 4) {
        return SNP_FW_INVALID_LEN;
    }
    /* "committed version/TCB only advance on COMMIT". */
    p->nv.committed_tcb = p->nv.current_tcb;
    memcpy(p->nv.com_ver, p->nv.cur_ver, sizeof(p->nv.com_ver));
    err = psp_vcek_refresh(p);
    if (err != SNP_OK) {
        p->nv = save;
        return psp_fail(p, err);
    }
    return SNP_FW_SUCCESS;
}

/* ---- SNP_VLEK_LOAD (§6.1, §6.10; the wrapping is the simulator's, docs/psp.md) ---------- */

#define VLEK_WRAPPED_SIZE 0x1B0
#define VLEK_OFF_IV       0x000
#define VLEK_OFF_WRAPPED  0x010
#define VLEK_WRAPPED_LEN  0x180
#define VLEK_OFF_TCB      0x190
#define VLEK_OFF_TAG      0x1A0
#define VLEK_CMD_LEN      0x10

static enum snp_fw_status
vlek_install(struct snp_psp *p, const uint8_t csp[32], uint64_t tcb)
{
    struct snp_eckey *k = NULL;
    snp_err err = snp_vlek_derive(&k, csp, p->nv.product, tcb);

    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    snp_eckey_free(p->vlek);
    p->vlek = k;
    memcpy(p->nv.vlek_csp, csp, 32);
    p->nv.vlek_tcb = tcb;
    p->nv.vlek_loaded = true;
    return SNP_FW_SUCCESS;
}

enum snp_fw_status
psp_cmd_vlek_load(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t wp = psp_rd64(buf, 8);
    uint8_t *w = p->page2; /* the wrapped hashstick */
    uint8_t *plain = p->page;
    uint8_t key[32];
    uint64_t tcb;
    struct snp_tcb t;
    enum snp_fw_status st = SNP_FW_INVALID_PARAM;
    snp_err err;

    /* §6.1: "u32 len; u8 version(0); u8 rsvd[3]; u64 wrapped_paddr". */
    if (psp_rd32(buf, 0) != VLEK_CMD_LEN) {
        return SNP_FW_INVALID_LEN;
    }
    if (buf[4] != 0 || buf[5] != 0 || buf[6] != 0 || buf[7] != 0 ||
        (wp & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, wp, VLEK_WRAPPED_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    err = snp_fw_mem_read(p->m, wp, 0, w, VLEK_WRAPPED_SIZE);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    /* "iv[12], rsvd[4], wrapped[0x180], tcb u64, rsvd[8], tag[16]": reserved MBZ. */
    if (!all_zero(w + 0x0C, 4) || !all_zero(w + 0x198, 8)) {
        return SNP_FW_INVALID_PARAM;
    }
    tcb = psp_rd64(w, VLEK_OFF_TCB);
    err = snp_vlek_wrap_key(key, p->nv.chip_secret);
    if (err != SNP_OK) {
        st = psp_fail(p, err);
        goto out;
    }
    /* AAD = the TCB and its reserved tail (0x190..0x1A0): the TCB cannot be swapped. */
    err = snp_gcm_open(p->gcm, key, w + VLEK_OFF_IV, w + VLEK_OFF_TCB, 16, w + VLEK_OFF_WRAPPED,
                       plain, VLEK_WRAPPED_LEN, w + VLEK_OFF_TAG);
    if (err == SNP_E_AUTH) {
        /* XXX(spec): the status of an unwrap failure is not given; BAD_SIGNATURE. */
        st = SNP_FW_BAD_SIGNATURE;
        goto out;
    } else if (err != SNP_OK) {
        st = psp_fail(p, err);
        goto out;
    }
    /* Our format: CSP secret in the first 32 bytes, the rest zero. */
    if (!all_zero(plain + 32, VLEK_WRAPPED_LEN - 32) ||
        snp_tcb_decode(&t, tcb, p->nv.product) != SNP_OK || !snp_tcb_reserved_zero(&t)) {
        st = SNP_FW_INVALID_PARAM;
        goto out;
    }
    /* A VLEK for a TCB above the committed one would sign for firmware that is not there. */
    if (!psp_tcb_le(p, tcb, p->nv.committed_tcb)) {
        st = SNP_FW_BAD_SVN;
        goto out;
    }
    st = vlek_install(p, plain, tcb);
out:
    snp_wipe(key, sizeof(key));
    snp_wipe(plain, VLEK_WRAPPED_LEN);
    return st;
}

/* ---- SNP_CMD_SIM_FW_UPDATE (simulator only, snpkit/machine.h) ---------------------------- */

enum snp_fw_status
psp_cmd_sim_fw_update(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t tcb = psp_rd64(buf, 0);
    uint32_t flags = psp_rd32(buf, 0x0C);
    struct psp_nv save = p->nv;
    struct snp_tcb t;
    snp_err err;

    if (buf[0x0B] != 0 || (flags & ~UINT32_C(1)) != 0 || !all_zero(buf + 0x10, 0x10) || tcb == 0 ||
        snp_tcb_decode(&t, tcb, p->nv.product) != SNP_OK || !snp_tcb_reserved_zero(&t)) {
        return SNP_FW_INVALID_PARAM;
    }
    /* Anti-rollback (hardware.md §6.10: the committed TCB is the floor): BAD_SVN. */
    if (!psp_tcb_le(p, p->nv.committed_tcb, tcb)) {
        return SNP_FW_BAD_SVN;
    }
    p->nv.current_tcb = tcb;
    p->nv.cur_ver[0] = buf[8];
    p->nv.cur_ver[1] = buf[9];
    p->nv.cur_ver[2] = buf[10];
    if ((flags & 1u) != 0) {
        p->nv.committed_tcb = tcb;
        memcpy(p->nv.com_ver, p->nv.cur_ver, sizeof(p->nv.com_ver));
    }
    if (p->state == SNP_PLATFORM_STATE_INIT) {
        err = psp_vcek_refresh(p);
        if (err != SNP_OK) {
            p->nv = save;
            return psp_fail(p, err);
        }
    }
    return SNP_FW_SUCCESS;
}
