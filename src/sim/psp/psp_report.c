/*
 * sim/psp/psp_report.c - MSG_REPORT_REQ and MSG_KEY_REQ (attestation.md §1, §1.5, §7.5, §7.6).
 *
 * The report is built field by field from the guest context and the platform, encoded with the
 * abi/ codec in the configured version (2, 3 or 5), and signed over bytes 0x000..0x29F with
 * the VCEK derived for REPORTED_TCB or with the loaded VLEK, as KEY_SEL and the platform's
 * SNP_CONFIG masks decide (§1.5). Derived keys use our KDF (docs/psp.md, crypto/kdf.h).
 */
#include "sim/psp/psp_int.h"

#include "crypto/kdf.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/guestmsg.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <string.h>

enum key_choice { KEY_NONE = 0, KEY_VCEK = 1, KEY_VLEK = 2 };

/* attestation.md §1.5 table: the key, or INVALID_KEY. */
static enum snp_fw_status
select_key(const struct snp_psp *p, const struct psp_guest *g, unsigned key_sel,
           enum key_choice *out)
{
    bool vlek = p->nv.vlek_loaded && p->vlek != NULL;
    bool vcek_ok = !p->nv.mask_chip_key;

    *out = KEY_NONE;
    switch (key_sel) {
    case SNP_KEY_SEL_DEFAULT: /* "VCEK_DIS=1 and no VLEK" -> INVALID_KEY */
        if (g->vcek_dis && !vlek) {
            return SNP_FW_INVALID_KEY;
        }
        *out = vlek ? KEY_VLEK : (vcek_ok ? KEY_VCEK : KEY_NONE);
        return SNP_FW_SUCCESS;
    case SNP_KEY_SEL_VCEK: /* "VCEK_DIS=1" -> INVALID_KEY */
        if (g->vcek_dis) {
            return SNP_FW_INVALID_KEY;
        }
        *out = vcek_ok ? KEY_VCEK : KEY_NONE;
        return SNP_FW_SUCCESS;
    case SNP_KEY_SEL_VLEK: /* "no VLEK installed" -> INVALID_KEY */
        if (!vlek) {
            return SNP_FW_INVALID_KEY;
        }
        *out = KEY_VLEK;
        return SNP_FW_SUCCESS;
    default: /* 3: "always" INVALID_KEY */
        return SNP_FW_INVALID_KEY;
    }
}

static void
fill_report(const struct snp_psp *p, const struct psp_guest *g, const struct snp_msg_report_req *q,
            enum key_choice key, struct snp_report *r)
{
    struct snp_signer_info si;

    memset(r, 0, sizeof(*r));
    r->version = p->nv.report_version;
    r->guest_svn = g->guest_svn;
    r->policy = g->policy;
    memcpy(r->family_id, g->family_id, sizeof(r->family_id));
    memcpy(r->image_id, g->image_id, sizeof(r->image_id));
    r->vmpl = q->vmpl;
    r->signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    r->current_tcb = p->nv.current_tcb;
    r->platform_info = p->nv.smt ? SNP_PLATFORM_SMT_EN : 0;
    si.author_key_en = g->author_key_en;
    si.mask_chip_key = p->nv.mask_chip_key;
    si.signing_key = key == KEY_VCEK   ? SNP_SIGNING_KEY_VCEK
                     : key == KEY_VLEK ? SNP_SIGNING_KEY_VLEK
                                       : SNP_SIGNING_KEY_NONE;
    r->signer_info = snp_signer_info_encode(&si);
    memcpy(r->report_data, q->report_data, sizeof(r->report_data));
    snp_ld_final(&g->ld, r->measurement);
    memcpy(r->host_data, g->host_data, sizeof(r->host_data));
    memcpy(r->id_key_digest, g->id_key_digest, sizeof(r->id_key_digest));
    memcpy(r->author_key_digest, g->author_key_digest, sizeof(r->author_key_digest));
    memcpy(r->report_id, g->report_id, sizeof(r->report_id));
    memcpy(r->report_id_ma, g->report_id_ma, sizeof(r->report_id_ma));
    r->reported_tcb = psp_reported_tcb(p);
    if (r->version >= 3) {
        /* §1.7: family = base + extended, model = ext << 4 | base, stepping. */
        r->cpuid_fam_id = (uint8_t)(((p->fms >> 8) & 0xF) + ((p->fms >> 20) & 0xFF));
        r->cpuid_mod_id = (uint8_t)(((p->fms >> 12) & 0xF0) | ((p->fms >> 4) & 0xF));
        r->cpuid_step = (uint8_t)(p->fms & 0xF);
    }
    if (!p->nv.mask_chip_id) { /* "MASK_CHIP_ID = 1 => CHIP_ID left all zeros" */
        memcpy(r->chip_id, p->chip_id, sizeof(r->chip_id));
    }
    r->committed_tcb = p->nv.committed_tcb;
    r->current_build = p->nv.cur_ver[0];
    r->current_minor = p->nv.cur_ver[1];
    r->current_major = p->nv.cur_ver[2];
    r->committed_build = p->nv.com_ver[0];
    r->committed_minor = p->nv.com_ver[1];
    r->committed_major = p->nv.com_ver[2];
    r->launch_tcb = g->launch_tcb;
    /* v5 LAUNCH_MIT_VECTOR / CURRENT_MIT_VECTOR: no mitigations modelled, 0. */
}

snp_err
psp_msg_report(struct snp_psp *p, struct psp_guest *g, uint8_t vmpck, const uint8_t *req,
               size_t req_len, uint8_t *rsp, size_t *rsp_len)
{
    struct snp_msg_report_req q;
    struct snp_report r;
    enum key_choice key = KEY_NONE;
    uint32_t status = SNP_FW_SUCCESS;
    size_t off = 0;
    snp_err err;

    *rsp_len = SNP_MSG_REPORT_RSP_SIZE;
    memset(rsp, 0, SNP_MSG_REPORT_RSP_SIZE);
    err = snp_msg_report_req_decode(&q, req, req_len, &off);
    if (err == SNP_E_RANGE && off == 0x44) {
        status = SNP_FW_INVALID_KEY; /* KEY_SEL 3: "always" INVALID_KEY (§1.5) */
    } else if (err != SNP_OK) {
        status = SNP_FW_INVALID_PARAM; /* size, reserved bits */
    } else if (q.vmpl < vmpck || q.vmpl > 3) {
        status = SNP_FW_INVALID_PARAM; /* §7.5 "must be >= MSG_VMPCK and <= 3" */
    } else {
        status = select_key(p, g, q.key_sel, &key);
    }
    psp_wr32(rsp, 0, status);
    if (status != SNP_FW_SUCCESS) {
        return SNP_OK;
    }
    fill_report(p, g, &q, key, &r);
    SNP_TRY(snp_report_encode(rsp + SNP_MSG_REPORT_RSP_OFF_REPORT, &r));
    if (key != KEY_NONE) {
        SNP_TRY(snp_ecdsa_p384_sign(key == KEY_VCEK ? p->vcek : p->vlek,
                                    rsp + SNP_MSG_REPORT_RSP_OFF_REPORT, SNP_REPORT_SIGNED_LEN,
                                    &r.signature));
        SNP_TRY(snp_signature_encode(rsp + SNP_MSG_REPORT_RSP_OFF_REPORT + SNP_REPORT_SIGNED_LEN,
                                     &r.signature));
    } /* "none => SIGNING_KEY = 7 and the 512-byte SIGNATURE block is all zeros" */
    psp_wr32(rsp, 4, SNP_REPORT_SIZE);
    return SNP_OK;
}

/* ---- MSG_KEY_REQ (§7.6; our KDF, docs/psp.md) -------------------------------------------- */

#define KDF_LABEL "gmsg-keyreq"

/* The mix context: fixed layout, unselected optional fields zero (docs/psp.md). */
static size_t
key_context(const struct psp_guest *g, const struct snp_msg_key_req *k, uint8_t *c)
{
    uint64_t gfs = k->guest_field_select;
    size_t n = 0;

    psp_wr32(c, n, (uint32_t)k->root_key_select | (uint32_t)k->key_sel << 1);
    n += 4;
    psp_wr64(c, n, gfs);
    n += 8;
    psp_wr32(c, n, k->vmpl);
    n += 4;
    psp_wr32(c, n, (gfs & SNP_GFS_GUEST_SVN) ? k->guest_svn : 0);
    n += 4;
    psp_wr64(c, n, (gfs & SNP_GFS_TCB_VERSION) ? k->tcb_version : 0);
    n += 8;
    psp_wr64(c, n, (gfs & SNP_GFS_GUEST_POLICY) ? g->policy : 0);
    n += 8;
    memset(c + n, 0, 16 + 16 + 48);
    if (gfs & SNP_GFS_IMAGE_ID) {
        memcpy(c + n, g->image_id, 16);
    }
    n += 16;
    if (gfs & SNP_GFS_FAMILY_ID) {
        memcpy(c + n, g->family_id, 16);
    }
    n += 16;
    if (gfs & SNP_GFS_MEASUREMENT) {
        snp_ld_final(&g->ld, c + n);
    }
    n += 48;
    psp_wr64(c, n, (gfs & SNP_GFS_LAUNCH_MIT_VECTOR) ? k->launch_mit_vector : 0);
    n += 8;
    memcpy(c + n, g->host_data, 32);
    n += 32;
    memcpy(c + n, g->author_key_en ? g->author_key_digest : g->id_key_digest, 48);
    n += 48;
    return n;
}

/* The root secret (§7.6: "VCEK secret (re-derived for the requested TCB), installed VLEK
 * secret, or the guest's VMRK"); *len its size. */
static snp_err
key_root(const struct snp_psp *p, const struct psp_guest *g, const struct snp_msg_key_req *k,
         enum key_choice key, uint8_t root[48], size_t *len)
{
    if (k->root_key_select == SNP_ROOT_KEY_VMRK) {
        memcpy(root, g->keys.vmrk, 32);
        *len = 32;
        return SNP_OK;
    }
    *len = 48;
    if (key == KEY_VLEK) {
        return snp_vlek_derive_scalar(root, p->nv.vlek_csp, p->nv.product, k->tcb_version);
    }
    return snp_vcek_derive_scalar(root, p->nv.chip_secret, p->nv.product, k->tcb_version);
}

static enum snp_fw_status
key_check(const struct snp_psp *p, const struct psp_guest *g, uint8_t vmpck,
          const struct snp_msg_key_req *k, enum key_choice *key)
{
    struct snp_tcb t;

    /* "VMPL to mix; must be >= MSG_VMPCK"; "GUEST_SVN ... <= ID block GUEST_SVN";
     * "TCB_VERSION ... every component <= COMMITTED_TCB, reserved bytes 0". */
    if (k->vmpl < vmpck || k->vmpl > 3 || k->guest_svn > g->guest_svn ||
        snp_tcb_decode(&t, k->tcb_version, p->nv.product) != SNP_OK || !snp_tcb_reserved_zero(&t) ||
        !psp_tcb_le(p, k->tcb_version, p->nv.committed_tcb)) {
        return SNP_FW_INVALID_PARAM;
    }
    *key = KEY_NONE;
    if (k->root_key_select == SNP_ROOT_KEY_VMRK) {
        return SNP_FW_SUCCESS;
    }
    /* Chip root: KEY_SEL as for reports; "ROOT_KEY_SELECT = 0 while MASK_CHIP_KEY = 1" ->
     * INVALID_KEY (a masked VCEK cannot root keys). */
    if (select_key(p, g, k->key_sel, key) != SNP_FW_SUCCESS || *key == KEY_NONE) {
        return SNP_FW_INVALID_KEY;
    }
    return SNP_FW_SUCCESS;
}

snp_err
psp_msg_key(struct snp_psp *p, struct psp_guest *g, uint8_t vmpck, uint8_t msg_version,
            const uint8_t *req, size_t req_len, uint8_t *rsp, size_t *rsp_len)
{
    struct snp_msg_key_req k;
    struct snp_msg_key_rsp r;
    struct snp_derived_key dk;
    uint8_t root[48], ctx[256];
    size_t root_len = 0, ctx_len, off = 0;
    enum key_choice key = KEY_NONE;
    snp_err err;

    *rsp_len = SNP_MSG_KEY_RSP_SIZE;
    memset(&r, 0, sizeof(r));
    memset(&dk, 0, sizeof(dk));
    err = snp_msg_key_req_decode(&k, msg_version, req, req_len, &off);
    if (err == SNP_E_RANGE && off == 0) {
        r.status = SNP_FW_INVALID_KEY; /* KEY_SEL 3 */
    } else if (err != SNP_OK) {
        r.status = SNP_FW_INVALID_PARAM;
    } else {
        r.status = key_check(p, g, vmpck, &k, &key);
    }
    if (r.status == SNP_FW_SUCCESS) {
        ctx_len = key_context(g, &k, ctx);
        err = key_root(p, g, &k, key, root, &root_len);
        if (err == SNP_OK) {
            err = snp_kdf_ctr_hmac_sha256(dk.key, sizeof(dk.key), root, root_len, KDF_LABEL, ctx,
                                          ctx_len);
        }
        if (err != SNP_OK) {
            goto out;
        }
    }
    err = snp_msg_key_rsp_encode(rsp, &r, &dk);
out:
    snp_wipe(root, sizeof(root));
    snp_wipe(ctx, sizeof(ctx));
    snp_wipe(&dk, sizeof(dk));
    return err;
}
