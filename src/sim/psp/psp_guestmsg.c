/*
 * sim/psp/psp_guestmsg.c - SNP_GUEST_REQUEST (hardware.md §6.10; attestation.md §7.1-§7.3,
 * §7.9): the command-level checks, the header checks, sequence numbers, AES-256-GCM with the
 * VMPCK, dispatch by message type, and the encrypted response.
 *
 * Status split (§6.10): problems the hypervisor could cause or see (pages, states, header,
 * sequence number, tag) are the command's status and produce no response; problems of the
 * guest's request *payload* produce SUCCESS with a non-zero STATUS inside the encrypted
 * response. Sequence numbers (§7.3): request MSG_SEQNO must be c + 1, the response carries
 * request + 1, and c += 2 only when a response was produced.
 */
#include "sim/psp/psp_int.h"

#include "snpkit/guestmsg.h"
#include "snpkit/util.h"

#include <string.h>

/* The request and response pages: 4K aligned (§6.1), in DRAM, 4K in the RMP; the response
 * page must be FIRMWARE (§6.10). */
static enum snp_fw_status
gr_pages(struct snp_psp *p, uint64_t req, uint64_t rsp)
{
    const struct snp_rmp_entry *eq, *es;

    if ((req & (SNP_PAGE_SIZE - 1)) != 0 || (rsp & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_FW_INVALID_PARAM;
    }
    if (!psp_in_dram(p, req, SNP_PAGE_SIZE) || !psp_in_dram(p, rsp, SNP_PAGE_SIZE)) {
        return SNP_FW_INVALID_ADDRESS;
    }
    eq = snp_fw_rmp_governing(p->m, req, NULL);
    es = snp_fw_rmp_governing(p->m, rsp, NULL);
    /* "response page must be in FIRMWARE state (INVALID_PAGE_STATE)". */
    if (!es->page_2m && !psp_is_firmware(es)) {
        return SNP_FW_INVALID_PAGE_STATE;
    }
    /* "request & response pages 4K in RMP (INVALID_PAGE_SIZE)". */
    if (eq->page_2m || es->page_2m) {
        return SNP_FW_INVALID_PAGE_SIZE;
    }
    return SNP_FW_SUCCESS;
}

/* Build the response payload for a decrypted request; SNP_E_* only for model failures. */
static snp_err
gr_dispatch(struct snp_psp *p, struct psp_guest *g, const struct snp_msg_hdr *h, const uint8_t *req,
            uint8_t *rsp, size_t *rsp_len)
{
    switch (h->msg_type) {
    case SNP_MSG_REPORT_REQ:
        return psp_msg_report(p, g, h->msg_vmpck, req, h->msg_size, rsp, rsp_len);
    case SNP_MSG_KEY_REQ:
        return psp_msg_key(p, g, h->msg_vmpck, h->msg_version, req, h->msg_size, rsp, rsp_len);
    case SNP_MSG_CPUID_REQ:
    case SNP_MSG_TSC_INFO_REQ:
        return psp_msg_cpuid(p, g, h->msg_type, req, h->msg_size, rsp, rsp_len);
    default:
        return SNP_E_ARG; /* filtered by gr_header */
    }
}

/* §7.3 "FW-side request validation" + the types this model implements. */
static enum snp_fw_status
gr_header(const struct snp_psp *p, const struct psp_guest *g, const uint8_t *page,
          struct snp_msg_hdr *h)
{
    if (snp_msg_hdr_decode(h, page, SNP_MSG_HDR_SIZE, NULL) != SNP_OK ||
        snp_msg_hdr_check_request(h, NULL) != SNP_OK) {
        return SNP_FW_INVALID_PARAM; /* "failures return INVALID_PARAM (0x16)" */
    }
    /* XXX(model): migration (EXPORT/IMPORT/ABSORB) and VMRK messages are not implemented. */
    if (h->msg_type != SNP_MSG_REPORT_REQ && h->msg_type != SNP_MSG_KEY_REQ &&
        h->msg_type != SNP_MSG_CPUID_REQ && h->msg_type != SNP_MSG_TSC_INFO_REQ) {
        return SNP_FW_INVALID_PARAM;
    }
    /* "seqno != count+1 or counter overflow -> AEAD_OFLOW" (the response needs seqno + 1 and
     * the counter c + 2: both must fit). The mutation check's broken firmware takes any
     * sequence number (a replayed request, I3). */
    if (g->msg_count[h->msg_vmpck] > UINT64_MAX - 2 ||
        (h->msg_seqno != g->msg_count[h->msg_vmpck] + 1 &&
         (p->mutations & SNP_MUT_NO_GREQ_SEQNO) == 0)) {
        return SNP_FW_AEAD_OFLOW;
    }
    return SNP_FW_SUCCESS;
}

static enum snp_fw_status
gr_respond(struct snp_psp *p, struct psp_guest *g, const struct snp_msg_hdr *req, uint64_t rsp_spa,
           uint8_t *out, size_t len)
{
    struct snp_msg_hdr h;
    uint8_t iv[SNP_MSG_IV_LEN];
    snp_err err;

    /* §7.9: "ALGO 1, HDR_VERSION 1, HDR_SIZE 0x60, seqno + 1, same MSG_VMPCK, MSG_TYPE + 1".
     * XXX(spec): §7.9 says "highest supported MSG_VERSION for the type"; Linux checks that it
     * equals the request's. We answer with the request's version (they agree whenever the
     * guest asks for the highest). */
    memset(&h, 0, sizeof(h));
    h.msg_seqno = req->msg_seqno + 1;
    h.algo = SNP_MSG_ALGO_AES_256_GCM;
    h.hdr_version = SNP_MSG_HDR_VERSION;
    h.hdr_size = SNP_MSG_HDR_SIZE;
    h.msg_type = (uint8_t)(req->msg_type + 1);
    h.msg_version = req->msg_version;
    h.msg_size = (uint16_t)len;
    h.msg_vmpck = req->msg_vmpck;
    err = snp_msg_hdr_encode(out, &h);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    snp_msg_iv(iv, h.msg_seqno);
    err = snp_gcm_seal(p->gcm, g->keys.vmpck[h.msg_vmpck], iv, snp_msg_hdr_aad(out),
                       SNP_MSG_AAD_LEN, out + SNP_MSG_HDR_SIZE, out + SNP_MSG_HDR_SIZE, len,
                       out + SNP_MSG_HDR_OFF_AUTHTAG);
    if (err == SNP_OK) {
        err = snp_fw_mem_write(p->m, rsp_spa, 0, out, SNP_MSG_HDR_SIZE + len);
    }
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    /* "On success the PSP sets c += 2". */
    g->msg_count[h.msg_vmpck] += 2;
    return SNP_FW_SUCCESS;
}

enum snp_fw_status
psp_cmd_guest_request(struct snp_psp *p, const uint8_t *buf)
{
    uint64_t req_spa = psp_rd64(buf, 8), rsp_spa = psp_rd64(buf, 0x10);
    uint8_t *in = p->page, *out = p->page2;
    uint8_t iv[SNP_MSG_IV_LEN];
    uint8_t plain[SNP_MSG_PAYLOAD_MAX];
    struct snp_msg_hdr h;
    struct psp_guest *g;
    size_t rsp_len = 0;
    enum snp_fw_status st;
    snp_err err;

    st = psp_gctx(p, psp_rd64(buf, 0), &g); /* "GCTX CONTEXT (INVALID_GUEST)" */
    if (st == SNP_FW_SUCCESS) {
        st = gr_pages(p, req_spa, rsp_spa);
    }
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    if (g->state != GSTATE_RUNNING) { /* "guest RUNNING (INVALID_GUEST_STATE)" */
        return SNP_FW_INVALID_GUEST_STATE;
    }
    err = snp_fw_mem_read(p->m, req_spa, 0, in, SNP_PAGE_SIZE);
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    st = gr_header(p, g, in, &h);
    if (st != SNP_FW_SUCCESS) {
        return st;
    }
    /* §7.2: key VMPCK[MSG_VMPCK], IV = MSG_SEQNO, AAD = header 0x30..0x60. */
    snp_msg_iv(iv, h.msg_seqno);
    err = snp_gcm_open(p->gcm, g->keys.vmpck[h.msg_vmpck], iv, snp_msg_hdr_aad(in), SNP_MSG_AAD_LEN,
                       in + SNP_MSG_HDR_SIZE, plain, h.msg_size, in + SNP_MSG_HDR_OFF_AUTHTAG);
    if (err == SNP_E_AUTH) {
        /* XXX(spec §11.6): the status of a tag failure is not determined; INVALID_PARAM. No
         * response, no counter change: the guest may not reuse the sequence number. */
        return SNP_FW_INVALID_PARAM;
    }
    if (err == SNP_OK) {
        memset(out, 0, SNP_PAGE_SIZE);
        err = gr_dispatch(p, g, &h, plain, out + SNP_MSG_HDR_SIZE, &rsp_len);
    }
    snp_wipe(plain, sizeof(plain));
    if (err != SNP_OK) {
        return psp_fail(p, err);
    }
    SNP_BUG_ON(rsp_len == 0 || rsp_len > SNP_MSG_PAYLOAD_MAX);
    return gr_respond(p, g, &h, rsp_spa, out, rsp_len);
}
