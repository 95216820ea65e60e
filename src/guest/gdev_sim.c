/*
 * guest/gdev_sim.c - the simulator back end of the attestation driver: guest code inside the
 * simulated CVM builds guest messages itself (gmsg.c) and sends them through the GHCB as NAE
 * SNP_GUEST_REQUEST / SNP_EXT_GUEST_REQUEST (hardware.md §5.4, 0x8000_0011/12) with the shared
 * request/response pages and certificate buffer of the boot contract (runtime.h).
 *
 * The VMPCK comes from the secrets page (private, attestation.md §8.1) and so does the sequence
 * counter (guest-OS area, written back after every exchange). On a failure gmsg.c wipes its
 * copy and this file wipes the secrets page's, so nothing in the guest can use it again.
 */
#include "guest/gdev_int.h"
#include "guest/ghcb_resp.h"
#include "guest/gmsg.h"
#include "guest/runtime_int.h"

#include "sim/guest_if.h"
#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

struct sim_priv {
    struct snp_grt *rt;
    struct snp_gmsg msg;
};

/* ---- the GHCB transport ------------------------------------------------------------------- */

static snp_err
sim_send(void *ctx, bool ext, const uint8_t req[SNP_MSG_PAGE_SIZE], uint8_t rsp[SNP_MSG_PAGE_SIZE],
         uint8_t *certs, size_t *certs_pages, uint64_t *exitinfo2)
{
    struct snp_grt *rt = ctx;
    const struct snp_grt_config *c = &rt->cfg;
    struct snp_ghcb in, out;
    snp_err err;

    *exitinfo2 = 0;
    snp_guest_write(rt->g, c->req_gpa, req, SNP_MSG_PAGE_SIZE); /* shared: C-bit clear */
    memset(&in, 0, sizeof(in));
    in.sw_exitcode = ext ? SNP_NAE_EXT_GUEST_REQUEST : SNP_NAE_GUEST_REQUEST;
    in.sw_exitinfo1 = c->req_gpa;
    in.sw_exitinfo2 = c->rsp_gpa;
    if (ext) {
        /* §5.4: RAX = certificate buffer GPA, RBX = pages. */
        in.rax = c->certs_gpa;
        in.rbx = c->certs_pages;
        SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX));
        SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RBX));
    }
    err = snp_grt_ghcb_call(rt, &in, &out);
    if (err != SNP_OK) {
        return SNP_E_IO;
    }
    *exitinfo2 = out.sw_exitinfo2;
    if (ext && (*exitinfo2 >> 32) == SNP_GUEST_VMM_ERR_INVALID_LEN) {
        uint64_t pages = 0;
        SNP_TRY(snp_grt_resp_ext_pages(&out, &pages));
        *certs_pages =
            (size_t)(pages > SNP_GUEST_CERTS_MAX / 4096 + 1 ? SNP_GUEST_CERTS_MAX / 4096 + 1
                                                            : pages);
        return SNP_OK;
    }
    snp_guest_read(rt->g, c->rsp_gpa, rsp, SNP_MSG_PAGE_SIZE);
    if (ext && *exitinfo2 == 0 && certs != NULL) {
        snp_guest_read(rt->g, c->certs_gpa, certs, *certs_pages * 4096);
    }
    return SNP_OK;
}

static void
sim_store_seqno(void *ctx, uint8_t id, uint64_t seqno)
{
    struct snp_grt *rt = ctx;
    uint8_t b[4];
    uint32_t lo = (uint32_t)seqno, hi = (uint32_t)(seqno >> 32);

    /* §8.1: u32 counters at 0x0A0 + 4n (low) and 0x0B8 + 4n (high halves, GHCB 2.01+). */
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(lo >> (8 * i));
    }
    snp_guest_write(rt->g, (rt->cfg.secrets_gpa + 0xA0 + 4u * id) | rt->cbit_mask, b, 4);
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(hi >> (8 * i));
    }
    snp_guest_write(rt->g, (rt->cfg.secrets_gpa + 0xB8 + 4u * id) | rt->cbit_mask, b, 4);
}

static void
sim_disable(void *ctx, uint8_t id)
{
    static const uint8_t zero[SNP_VMPCK_SIZE];
    struct snp_grt *rt = ctx;

    snp_guest_write(
        rt->g, (rt->cfg.secrets_gpa + SNP_SECRETS_OFF_VMPCK0 + SNP_VMPCK_SIZE * id) | rt->cbit_mask,
        zero, sizeof(zero));
}

/* ---- operations ----------------------------------------------------------------------------- */

static snp_err
sim_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
           uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size, size_t *certs_len,
           struct snp_guest_status *st)
{
    struct sim_priv *p = d->priv;
    struct snp_gmsg_xport x = {sim_send, sim_store_seqno, sim_disable, p->rt};
    struct snp_msg_report_req r;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE];
    uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
    uint8_t *buf = NULL;
    size_t rsp_len = 0, pages = p->rt->cfg.certs_pages;
    snp_err err;

    memset(&r, 0, sizeof(r));
    memcpy(r.report_data, report_data, 64);
    r.vmpl = vmpl;
    r.key_sel = d->key_sel;
    SNP_TRY(snp_msg_report_req_encode(req, &r));
    if (certs != NULL) {
        if (pages == 0 || pages > SNP_GUEST_CERTS_MAX / 4096) {
            return SNP_E_STATE; /* no certificate buffer in the boot contract */
        }
        buf = calloc(pages, 4096);
        if (buf == NULL) {
            return SNP_E_NOMEM;
        }
    }
    err = snp_gmsg_request(&p->msg, &x, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, sizeof(rsp),
                           &rsp_len, buf, certs != NULL ? &pages : NULL, st);
    if (err == SNP_E_SPACE) {
        *certs_len = pages * 4096; /* what the host asked for; our buffer is fixed at boot */
        goto out;
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_gdev_ext_report_from_rsp(rsp, rsp_len, buf, pages * 4096, report, certs, certs_size,
                                       certs_len, st);
out:
    free(buf);
    return err;
}

static snp_err
sim_derived_key(struct snp_guest_dev *d, const struct snp_msg_key_req *k,
                struct snp_derived_key *key, struct snp_guest_status *st)
{
    struct sim_priv *p = d->priv;
    struct snp_gmsg_xport x = {sim_send, sim_store_seqno, sim_disable, p->rt};
    uint8_t req[SNP_MSG_KEY_REQ_V2_SIZE];
    uint8_t rsp[SNP_MSG_KEY_RSP_SIZE];
    struct snp_msg_key_rsp r;
    size_t req_len = 0, rsp_len = 0;
    snp_err err;

    SNP_TRY(snp_msg_key_req_encode(req, sizeof(req), &req_len, k));
    err = snp_gmsg_request(&p->msg, &x, SNP_MSG_KEY_REQ, k->msg_version, req, req_len, rsp,
                           sizeof(rsp), &rsp_len, NULL, NULL, st);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_msg_key_rsp_decode(&r, key, rsp, rsp_len, NULL);
    if (err != SNP_OK) {
        goto out;
    }
    if (st != NULL) {
        st->fw_error = r.status;
    }
    if (r.status != SNP_FW_SUCCESS) {
        err = SNP_E_STATE;
    }
out:
    snp_wipe(rsp, sizeof(rsp)); /* held the key */
    return err;
}

static void
sim_close(struct snp_guest_dev *d)
{
    struct sim_priv *p = d->priv;

    if (p != NULL) {
        snp_gmsg_fini(&p->msg);
        free(p);
        d->priv = NULL;
    }
}

static const struct gdev_ops sim_ops = {sim_report, sim_derived_key, sim_close};

/* A plain VM has no PSP guest channel: every request fails, with the same clear error. */
static snp_err
plain_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
             uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size, size_t *certs_len,
             struct snp_guest_status *st)
{
    (void)d;
    (void)report_data;
    (void)vmpl;
    (void)certs;
    (void)certs_size;
    memset(report, 0, SNP_REPORT_SIZE);
    if (certs_len != NULL) {
        *certs_len = 0;
    }
    if (st != NULL) {
        memset(st, 0, sizeof(*st));
    }
    return SNP_E_UNSUPPORTED;
}

static snp_err
plain_derived_key(struct snp_guest_dev *d, const struct snp_msg_key_req *k,
                  struct snp_derived_key *key, struct snp_guest_status *st)
{
    (void)d;
    (void)k;
    memset(key, 0, sizeof(*key));
    if (st != NULL) {
        memset(st, 0, sizeof(*st));
    }
    return SNP_E_UNSUPPORTED;
}

static const struct gdev_ops plain_ops = {plain_report, plain_derived_key, NULL};

snp_err
snp_grt_open_dev(struct snp_grt *rt, struct snp_guest_dev **out)
{
    uint8_t page[SNP_SECRETS_SIZE];
    struct snp_secrets s;
    struct snp_guest_dev *d = NULL;
    struct sim_priv *p = NULL;
    uint8_t id = rt->cfg.vmpck_id;
    snp_err err = SNP_E_NOMEM;

    *out = NULL;
    if (rt->plain) {
        d = calloc(1, sizeof(*d));
        SNP_ENSURE(d != NULL, SNP_E_NOMEM);
        d->backend = SNP_GUEST_BACKEND_SIM;
        d->ops = &plain_ops;
        d->fd = -1;
        *out = d;
        return SNP_OK;
    }
    if (rt->cfg.secrets_gpa == 0 || rt->cfg.req_gpa == 0 || rt->cfg.rsp_gpa == 0) {
        return SNP_E_STATE;
    }
    d = calloc(1, sizeof(*d));
    p = calloc(1, sizeof(*p));
    if (d == NULL || p == NULL) {
        goto out;
    }
    snp_guest_read(rt->g, rt->cfg.secrets_gpa | rt->cbit_mask, page, sizeof(page));
    err = snp_secrets_decode(&s, page, sizeof(page), NULL);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_gmsg_init(&p->msg, s.vmpck[id], id, snp_secrets_msg_seqno(&s, id));
    if (err != SNP_OK) {
        goto out;
    }
    p->rt = rt;
    d->backend = SNP_GUEST_BACKEND_SIM;
    d->ops = &sim_ops;
    d->fd = -1;
    d->priv = p;
    p = NULL; /* transferred */
    *out = d;
    d = NULL; /* transferred */
    err = SNP_OK;
out:
    snp_wipe(page, sizeof(page));
    snp_secrets_wipe(&s);
    free(p);
    free(d);
    return err;
}
