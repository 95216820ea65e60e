/*
 * sim/psp/psp_launch.c - SNP_LAUNCH_START, SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH
 * (hardware.md §6.6-§6.8, §8; attestation.md §9.4).
 *
 * LAUNCH_UPDATE extends the launch digest with snp_ld_update_page() from measure/ -- the same
 * step `snpkit measure` uses, so a launch through the firmware and the expected measurement
 * cannot drift apart. Every check of a command runs before its first effect; a refused command
 * changes nothing, except the one the spec prescribes: a CPUID page that fails validation is
 * written back, corrected and unencrypted, for the hypervisor to inspect (§6.7).
 */
#include "sim/psp/psp_int.h"

#include "snpkit/cpuid_page.h"
#include "snpkit/idblock.h"
#include "snpkit/policy.h"
#include "snpkit/secrets.h"
#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <string.h>

/* ---- SNP_LAUNCH_START (§6.6) ------------------------------------------------------------- */

#define LS_MA_EN  0x1u
#define LS_IMI_EN 0x2u

/* §6.6 "policy checks -> POLICY_FAILURE". */
static bool
policy_ok(const struct snp_psp *p, uint64_t policy)
{
    unsigned want = (unsigned)snp_policy_abi_major(policy) << 8 | snp_policy_abi_minor(policy);
    unsigned have = (unsigned)p->nv.cur_ver[2] << 8 | p->nv.cur_ver[1];

    /* "bit 17 must be 1"; "reserved bits zero" (bits 21-25 are defined in newer firmware,
     * which we model: 63:26 reserved). */
    if ((policy & SNP_POLICY_RSVD_MBO) == 0 || (policy & SNP_POLICY_RSVD_MBZ_MASK) != 0) {
        return false;
    }
    /* "if bit 16 (SMT) = 0 then platform SMT must be disabled". */
    if ((policy & SNP_POLICY_SMT) == 0 && p->nv.smt) {
        return false;
    }
    /* "policy ABI major.minor <= firmware API version". */
    return want <= have;
}

enum snp_fw_status
psp_cmd_launch_start(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t policy = psp_rd64(buf, 8);
    uint32_t flags = psp_rd32(buf, 0x18);
    struct psp_guest *g, *ma = NULL;
    struct psp_guest_keys k;
    uint8_t report_id[32];
    enum snp_fw_status st;
    snp_err err;

    /* Reserved flag bits first (STYLE.md §7.4). */
    if ((flags & ~(LS_MA_EN | LS_IMI_EN)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    st = psp_gctx(p, psp_rd64(buf, 0), &g); /* "GCTX CONTEXT (INVALID_GUEST)" */
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    if (g->state != GSTATE_INIT) { /* "guest state INIT (INVALID_GUEST_STATE)" */
        return SNP_FW_INVALID_GUEST_STATE;
    }
    if ((flags & LS_MA_EN) != 0) {
        /* "if ma_en: MA GCTX CONTEXT, policy.MIGRATE_MA=1, MA not itself migratable". */
        st = psp_gctx(p, psp_rd64(buf, 0x10), &ma);
        if (st != SNP_FW_SUCCESS) {
            return st;
        }
        if (ma == g || (policy & SNP_POLICY_MIGRATE_MA) == 0 ||
            (ma->policy & SNP_POLICY_MIGRATE_MA) != 0) {
            return SNP_FW_POLICY_FAILURE;
        }
    }
    if (!policy_ok(p, policy)) {
        return SNP_FW_POLICY_FAILURE;
    }
    /* "generate OEK, VMPCK0-3, VMRK, REPORT_ID (random)". */
    err = psp_random(p, (uint8_t *)k.vmpck, sizeof(k.vmpck));
    if (err == SNP_OK) {
        err = psp_random(p, k.vmrk, sizeof(k.vmrk));
    }
    if (err == SNP_OK) {
        err = psp_random(p, report_id, sizeof(report_id));
    }
    if (err != SNP_OK) {
        snp_wipe(&k, sizeof(k));
        return psp_fail(p, err);
    }
    memcpy(g->keys.vmpck, k.vmpck, sizeof(k.vmpck));
    memcpy(g->keys.vmrk, k.vmrk, sizeof(k.vmrk));
    snp_wipe(&k, sizeof(k));
    memcpy(g->report_id, report_id, sizeof(report_id));
    /* "REPORT_ID_MA = MA's report id or all-0xFF". */
    if (ma != NULL) {
        memcpy(g->report_id_ma, ma->report_id, sizeof(g->report_id_ma));
    } else {
        memset(g->report_id_ma, 0xFF, sizeof(g->report_id_ma));
    }
    g->policy = policy;
    g->ma_en = ma != NULL;
    g->imi_en = (flags & LS_IMI_EN) != 0;
    g->desired_tsc_khz = psp_rd32(buf, 0x1C);
    memcpy(g->gosvw, buf + 0x20, sizeof(g->gosvw));
    snp_ld_init(&g->ld, NULL); /* "measurement starts as 48 zero bytes" */
    memset(g->msg_count, 0, sizeof(g->msg_count));
    p->guest_count++; /* "guest count++; state -> LAUNCH" */
    g->state = GSTATE_LAUNCH;
    return SNP_FW_SUCCESS;
}

/* ---- SNP_LAUNCH_UPDATE (§6.7) ------------------------------------------------------------ */

struct lu_cmd {
    uint64_t gctx, page;
    bool page_2m, imi;
    uint8_t type;
    uint8_t perms[3]; /* VMPL1..3 */
};

/* The secrets page (§6.12, attestation.md §8.1), encoded into @out. */
static snp_err
secrets_build(struct snp_psp *p, const struct psp_guest *g, uint8_t out[SNP_SECRETS_SIZE])
{
    struct snp_secrets s;
    snp_err err;

    memset(&s, 0, sizeof(s));
    s.version = SNP_SECRETS_VERSION_FW;
    s.imi_en = g->imi_en ? SNP_SECRETS_IMI_EN : 0;
    s.fms = p->fms;
    memcpy(s.gosvw, g->gosvw, sizeof(s.gosvw));
    memcpy(s.vmpck, g->keys.vmpck, sizeof(s.vmpck));
    memcpy(s.vmsa_tweak_bitmap, snp_secrets_default_tweak_bitmap, sizeof(s.vmsa_tweak_bitmap));
    s.tsc_factor = 0; /* XXX(model): Secure TSC drift is not modelled (Genoa FW writes 200) */
    err = snp_secrets_encode(out, &s);
    snp_secrets_wipe(&s);
    return err;
}

/*
 * The CPUID page (§9): decode (count > 64 or reserved -> INVALID_PARAM, nothing written back),
 * then the §9.2 rules. On a correction the table is written back unencrypted and the command
 * fails with INVALID_PARAM; the page stays PRE_GUEST (§6.7 table, CPUID row).
 */
static enum snp_fw_status
cpuid_check(struct snp_psp *p, uint64_t spa, const uint8_t *page)
{
    struct snp_cpuid_page cp;
    struct psp_cpuid_ent ents[SNP_CPUID_MAX_ENTRIES];
    snp_err err;

    /* §9.1: "count > 64 or non-zero reserved -> INVALID_PARAM". */
    if (snp_cpuid_page_decode(&cp, page, SNP_CPUID_PAGE_SIZE, NULL) != SNP_OK) {
        return SNP_FW_INVALID_PARAM;
    }
    for (uint32_t i = 0; i < cp.count; i++) {
        const struct snp_cpuid_entry *e = &cp.entries[i];
        ents[i].eax_in = e->eax_in;
        ents[i].ecx_in = e->ecx_in;
        ents[i].xcr0_in = e->xcr0_in;
        ents[i].xss_in = e->xss_in;
        ents[i].regs[0] = e->eax;
        ents[i].regs[1] = e->ebx;
        ents[i].regs[2] = e->ecx;
        ents[i].regs[3] = e->edx;
    }
    if (psp_cpuid_sanitize(p, ents, cp.count)) {
        return SNP_FW_SUCCESS;
    }
    /* "If validation fails: FW writes the corrected table back to the page *unencrypted*,
     * returns INVALID_PARAM, page stays Pre-Guest". */
    for (uint32_t i = 0; i < cp.count; i++) {
        cp.entries[i].eax = ents[i].regs[0];
        cp.entries[i].ebx = ents[i].regs[1];
        cp.entries[i].ecx = ents[i].regs[2];
        cp.entries[i].edx = ents[i].regs[3];
    }
    err = snp_cpuid_page_encode(p->page2, &cp);
    if (err == SNP_OK) {
        err = snp_fw_mem_write(p->m, spa, 0, p->page2, SNP_CPUID_PAGE_SIZE);
    }
    return err == SNP_OK ? SNP_FW_INVALID_PARAM : psp_fail(p, err);
}

/* Secure TSC fill (§6.9): GUEST_TSC_SCALE from desired_tsc_khz, GUEST_TSC_OFFSET 0, after
 * measuring (the digest sees both as zero). The platform TSC is taken as 2 GHz. */
#define PSP_TSC_KHZ 2000000u

static void
vmsa_fill(const struct psp_guest *g, uint8_t *vmsa)
{
    uint64_t feat = psp_rd64(vmsa, 0x3B0);

    if ((feat & SNP_VMSA_FEAT_SECURE_TSC) != 0) {
        uint64_t khz = g->desired_tsc_khz != 0 ? g->desired_tsc_khz : PSP_TSC_KHZ;
        psp_wr64(vmsa, SNP_VMSA_OFF_GUEST_TSC_SCALE, (khz << 32) / PSP_TSC_KHZ);
        psp_wr64(vmsa, SNP_VMSA_OFF_GUEST_TSC_OFFSET, 0);
    }
    /* XXX(model): the VmsaRegProt tweak (SEV_FEATURES bit 14) is not applied. */
}

static void
lu_decode(struct lu_cmd *c, const uint8_t *buf)
{
    uint32_t w = psp_rd32(buf, 8);
    uint32_t perms = psp_rd32(buf, 0x18);

    c->gctx = psp_rd64(buf, 0);
    c->page_2m = (w & 1u) != 0;
    c->type = (uint8_t)((w >> 1) & 7u);
    c->imi = (w & 0x10u) != 0;
    c->page = psp_rd64(buf, 0x10);
    c->perms[0] = (uint8_t)(perms >> 8);
    c->perms[1] = (uint8_t)(perms >> 16);
    c->perms[2] = (uint8_t)(perms >> 24);
}

/* §6.7 checks 1-4, in the spec's order. */
static enum snp_fw_status
lu_check(struct snp_psp *p, const uint8_t *buf, const struct lu_cmd *c, struct psp_guest **gp,
         const struct snp_rmp_entry **ep)
{
    const struct snp_rmp_entry *e;
    struct psp_guest *g;
    enum snp_fw_status st;

    /* 1. "reserved fields zero (INVALID_PARAM)": word 0x08 bits 31:5, 0x0C, 0x18 bits 7:0,
     * 0x1C; page types 0 and 7 are invalid; §6.1 low 12 bits of page_paddr. */
    if ((psp_rd32(buf, 8) & ~UINT32_C(0x1F)) != 0 || psp_rd32(buf, 0x0C) != 0 || buf[0x18] != 0 ||
        psp_rd32(buf, 0x1C) != 0 || c->type == 0 || c->type == 7 ||
        (c->page & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    st = psp_gctx(p, c->gctx, &g); /* "GCTX CONTEXT (INVALID_GUEST)" */
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    if (!psp_in_dram(p, c->page, c->page_2m ? SNP_2M_SIZE : SNP_PAGE_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    /* 2. "Target page must be PRE_GUEST ... else INVALID_PAGE_STATE": a page launched once
     * (a reused VMSA, an overlapping update) is GUEST_VALID and lands here. */
    e = snp_fw_rmp_governing(p->m, c->page, NULL);
    if (!psp_is_pre_guest(e)) {
        return SNP_FW_INVALID_PAGE_STATE;
    }
    /* 3. "RMP.PageSize == page_size (INVALID_PAGE_SIZE); 2M -> page_paddr 2M aligned
     * (INVALID_ADDRESS); VMSA/SECRETS/CPUID must be 4K (INVALID_PAGE_SIZE)". */
    if (e->page_2m != c->page_2m) {
        return SNP_FW_INVALID_PAGE_SIZE;
    }
    if (c->page_2m && (c->page & (SNP_2M_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_ADDRESS;
    }
    if (c->page_2m && (c->type == SNP_PAGE_TYPE_VMSA || c->type == SNP_PAGE_TYPE_SECRETS ||
                       c->type == SNP_PAGE_TYPE_CPUID)) {
        return SNP_FW_INVALID_PAGE_SIZE;
    }
    /* 4. "Guest state LAUNCH (INVALID_GUEST_STATE); guest activated/pending (INACTIVE);
     * RMP.ASID == guest ASID (INVALID_PAGE_OWNER); imi rules". */
    if (g->state != GSTATE_LAUNCH) {
        return SNP_FW_INVALID_GUEST_STATE;
    }
    if (g->act == ACT_INACTIVE) {
        return SNP_FW_INACTIVE;
    }
    if (e->asid != g->asid) {
        return SNP_FW_INVALID_PAGE_OWNER;
    }
    if (c->imi && !g->imi_en) {
        return SNP_FW_INVALID_PARAM; /* an IMI page only in an incoming-migration launch */
    }
    *gp = g;
    *ep = e;
    return SNP_FW_SUCCESS;
}

/* Step 5 for one 4K chunk at @spa, GPA @gpa: measure, then write under the guest key. */
static snp_err
lu_chunk(struct snp_psp *p, struct psp_guest *g, const struct lu_cmd *c, uint64_t spa, uint64_t gpa)
{
    uint8_t *pg = p->page;
    const uint8_t *contents = NULL;

    switch (c->type) {
    case SNP_PAGE_TYPE_NORMAL:
    case SNP_PAGE_TYPE_VMSA:
    case SNP_PAGE_TYPE_UNMEASURED:
        SNP_TRY(snp_fw_mem_read(p->m, spa, 0, pg, SNP_PAGE_SIZE)); /* HV-supplied plaintext */
        contents = pg;
        break;
    case SNP_PAGE_TYPE_ZERO:
        memset(pg, 0, SNP_PAGE_SIZE);
        break;
    case SNP_PAGE_TYPE_SECRETS:
        SNP_TRY(secrets_build(p, g, pg)); /* "HV content ignored" */
        break;
    case SNP_PAGE_TYPE_CPUID:
        SNP_TRY(snp_fw_mem_read(p->m, spa, 0, pg, SNP_PAGE_SIZE)); /* validated already */
        break;
    default:
        return SNP_E_ARG;
    }
    /* §8.2: CONTENTS is SHA-384 of the page for NORMAL and VMSA, zeros for the others;
     * measure/ knows (and zeroes the VMSA's TSC fields). */
    SNP_TRY(snp_ld_update_page(
        &g->ld, (enum snp_page_type)c->type, gpa,
        c->type == SNP_PAGE_TYPE_NORMAL || c->type == SNP_PAGE_TYPE_VMSA ? contents : NULL,
        c->perms, c->imi));
    if (c->type == SNP_PAGE_TYPE_VMSA) {
        vmsa_fill(g, pg);
        /* The mutation check's broken chip keeps VMSAs in plaintext (sim/cpu.c vmsa_key). */
        if ((p->mutations & SNP_MUT_NO_VMSA_SEAL) != 0) {
            return snp_fw_mem_write(p->m, spa, 0, pg, SNP_PAGE_SIZE);
        }
    }
    return snp_fw_mem_write(p->m, spa, g->asid, pg, SNP_PAGE_SIZE);
}

enum snp_fw_status
psp_cmd_launch_update(struct snp_psp *p, const uint8_t *buf)
{
    struct lu_cmd c;
    struct psp_guest *g = NULL;
    const struct snp_rmp_entry *e = NULL;
    struct snp_rmp_entry n;
    enum snp_fw_status st;
    uint64_t chunks;
    snp_err err = SNP_OK;

    lu_decode(&c, buf);
    st = lu_check(p, buf, &c, &g, &e);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    if (c.type == SNP_PAGE_TYPE_CPUID) {
        err = snp_fw_mem_read(p->m, c.page, 0, p->page, SNP_PAGE_SIZE);
        if (err != SNP_OK) {
            return psp_fail(p, err);
        }
        st = cpuid_check(p, c.page, p->page);
        if (st != SNP_FW_SUCCESS) {
            return st;
        }
    }
    /* 5. "For each 4K chunk (1 or 512 iterations; GPA taken from the RMP entry, +4K per
     * chunk): measure, then write the page back encrypted with the guest key". */
    n = *e;
    chunks = c.page_2m ? SNP_PAGES_PER_2M : 1;
    for (uint64_t i = 0; i < chunks && err == SNP_OK; i++) {
        err = lu_chunk(p, g, &c, c.page + i * SNP_PAGE_SIZE, n.gpa + i * SNP_PAGE_SIZE);
    }
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    /* 6. "RMP: VMPL1-3 masks := command masks, Validated := 1, Immutable := 0 ->
     * GUEST_VALID" (+ "RMP.VMSA:=1" for a VMSA page). */
    n.vmpl_perms[1] = c.perms[0];
    n.vmpl_perms[2] = c.perms[1];
    n.vmpl_perms[3] = c.perms[2];
    n.validated = true;
    n.immutable = false;
    n.vmsa = c.type == SNP_PAGE_TYPE_VMSA;
    err = c.page_2m ? snp_fw_rmp_set_2m(p->m, c.page, &n) : snp_fw_rmp_set(p->m, c.page, &n);
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

/* ---- SNP_LAUNCH_FINISH (§6.8, attestation.md §9.4) --------------------------------------- */

#define LF_ID_BLOCK_EN UINT64_C(0x1)
#define LF_AUTH_KEY_EN UINT64_C(0x2)
#define LF_VCEK_DIS    UINT64_C(0x4)

/* What the ID block checks produce, committed only when all pass. */
struct lf_id {
    struct snp_id_block blk;
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
};

/* Verify @sig by the 0x404-byte key @key_raw (decoded as @k) over @msg: BAD_SIGNATURE on a
 * bad curve, point or signature. */
static enum snp_fw_status
lf_sig(struct snp_psp *p, const struct snp_ecdsa_pubkey *k, const struct snp_signature *sig,
       const uint8_t *msg, size_t len)
{
    uint8_t x[48], y[48];
    struct snp_eckey *key = NULL;
    snp_err err;

    /* "ID key curve = 2 and point on curve"; "ECDSA-P384-SHA384 signature ... fails ->
     * BAD_SIGNATURE" (§6.8). */
    if (snp_ecdsa_pubkey_to_p384(x, y, k) != SNP_OK) {
        return SNP_FW_BAD_SIGNATURE;
    }
    err = snp_eckey_from_point(&key, x, y);
    if (err == SNP_OK) {
        err = snp_ecdsa_p384_verify(key, msg, len, sig);
    }
    snp_eckey_free(key);
    if (err == SNP_E_SIG || err == SNP_E_RANGE) {
        return SNP_FW_BAD_SIGNATURE;
    }
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

/* The §9.4 order: LD, POLICY, algorithms, ID key and ID_BLOCK_SIG, author key and ID_KEY_SIG. */
static enum snp_fw_status
lf_id_block(struct snp_psp *p, const struct psp_guest *g, const uint8_t *blk, const uint8_t *auth,
            bool auth_en, struct lf_id *out)
{
    uint8_t ld[48];
    struct snp_id_auth a;
    enum snp_fw_status st;
    snp_err err;

    snp_ld_final(&g->ld, ld);
    /* "ID_BLOCK.LD != current measurement -> BAD_MEASUREMENT". */
    if (memcmp(blk + SNP_ID_BLOCK_OFF_LD, ld, sizeof(ld)) != 0) {
        return SNP_FW_BAD_MEASUREMENT;
    }
    /* "ID_BLOCK.POLICY != guest policy -> POLICY_FAILURE". */
    if (psp_rd64(blk, SNP_ID_BLOCK_OFF_POLICY) != g->policy) {
        return SNP_FW_POLICY_FAILURE;
    }
    /* VERSION 1 (attestation.md §9.1), reserved bytes of ID_AUTH_INFO, "id_key_algo != 1 (or
     * auth_key_en and auth_key_algo != 1) -> INVALID_PARAM". */
    if (snp_id_block_decode(&out->blk, blk, SNP_ID_BLOCK_SIZE, NULL) != SNP_OK ||
        snp_id_auth_decode(&a, auth, SNP_ID_AUTH_SIZE, NULL) != SNP_OK ||
        a.id_key_algo != SNP_ID_AUTH_ALGO_P384_SHA384 ||
        (auth_en && a.author_key_algo != SNP_ID_AUTH_ALGO_P384_SHA384)) {
        return SNP_FW_INVALID_PARAM;
    }
    st = lf_sig(p, &a.id_key, &a.id_block_sig, blk, SNP_ID_BLOCK_SIZE);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "ID_KEY_DIGEST = SHA-384(0x404-byte ID key)" over the bytes as received. */
    err = snp_sha384(out->id_key_digest, auth + SNP_ID_AUTH_OFF_ID_KEY, SNP_ECDSA_PUBKEY_SIZE);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    memset(out->author_key_digest, 0, sizeof(out->author_key_digest));
    if (auth_en) {
        /* "author key signs the ID key (0x404 bytes) -> else BAD_SIGNATURE". */
        st = lf_sig(p, &a.author_key, &a.id_key_sig, auth + SNP_ID_AUTH_OFF_ID_KEY,
                    SNP_ECDSA_PUBKEY_SIZE);
        if (st != SNP_FW_SUCCESS) {
            return st;
        }
        err = snp_sha384(out->author_key_digest, auth + SNP_ID_AUTH_OFF_AUTHOR_KEY,
                         SNP_ECDSA_PUBKEY_SIZE);
        if (err != SNP_OK) {
            return psp_fail(p, err);
        }
    }
    return SNP_FW_SUCCESS;
}

static enum snp_fw_status
lf_read_id(struct snp_psp *p, uint64_t blk_spa, uint64_t auth_spa)
{
    snp_err err;

    if ((blk_spa & (SNP_PAGE_SIZE - 1)) != 0 || (auth_spa & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM; /* §6.1 address convention */
    }
    if (!psp_in_dram(p, blk_spa, SNP_ID_BLOCK_SIZE) ||
        !psp_in_dram(p, auth_spa, SNP_ID_AUTH_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    err = snp_fw_mem_read(p->m, blk_spa, 0, p->page2, SNP_ID_BLOCK_SIZE);
    if (err == SNP_OK) {
        err = snp_fw_mem_read(p->m, auth_spa, 0, p->page, SNP_ID_AUTH_SIZE);
    }
    return err == SNP_OK ? SNP_FW_SUCCESS : psp_fail(p, err);
}

enum snp_fw_status
psp_cmd_launch_finish(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t flags = psp_rd64(buf, 0x18);
    bool id_en = (flags & LF_ID_BLOCK_EN) != 0, auth_en = (flags & LF_AUTH_KEY_EN) != 0;
    struct psp_guest *g;
    struct lf_id id;
    enum snp_fw_status st;

    /* Reserved: flag bits 63:3 and 0x40..0x68; AUTH_KEY_EN needs ID_BLOCK_EN. */
    if ((flags & ~(LF_ID_BLOCK_EN | LF_AUTH_KEY_EN | LF_VCEK_DIS)) != 0 ||
        !snp_ct_is_zero(buf + 0x40, 0x28) || (auth_en && !id_en)) {
        return SNP_FW_INVALID_PARAM;
    }
    st = psp_gctx(p, psp_rd64(buf, 0), &g);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* "guest state LAUNCH and imi_en=0 (INVALID_GUEST_STATE); activated/pending (INACTIVE)". */
    if (g->state != GSTATE_LAUNCH || g->imi_en) {
        return SNP_FW_INVALID_GUEST_STATE;
    }
    if (g->act == ACT_INACTIVE) {
        return SNP_FW_INACTIVE;
    }
    memset(&id, 0, sizeof(id));
    if (id_en) {
        st = lf_read_id(p, psp_rd64(buf, 8), psp_rd64(buf, 0x10));
        if (st == SNP_FW_SUCCESS) {
            st = lf_id_block(p, g, p->page2, p->page, auth_en, &id);
        }
        if (st != SNP_FW_SUCCESS) {
            return st;
        }
        memcpy(g->family_id, id.blk.family_id, sizeof(g->family_id));
        memcpy(g->image_id, id.blk.image_id, sizeof(g->image_id));
        g->guest_svn = id.blk.guest_svn;
        memcpy(g->id_key_digest, id.id_key_digest, sizeof(g->id_key_digest));
        memcpy(g->author_key_digest, id.author_key_digest, sizeof(g->author_key_digest));
    }
    /* "store host_data, id_block_en, author_key_en, vcek_dis; finish pending activation
     * (ASID in-use); state -> RUNNING". */
    memcpy(g->host_data, buf + 0x20, sizeof(g->host_data));
    g->id_block_en = id_en;
    g->author_key_en = auth_en;
    g->vcek_dis = (flags & LF_VCEK_DIS) != 0;
    g->act = ACT_ACTIVE;
    g->state = GSTATE_RUNNING;
    return SNP_FW_SUCCESS;
}
