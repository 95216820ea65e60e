/*
 * host/vmm_greq.c - SNP guest requests (NAE 0x8000_0011) and extended guest requests
 * (0x8000_0012) (hardware.md §5.4, §5.9, §6.10).
 *
 * The hypervisor only relays: it copies the guest's request page into its own request page,
 * issues SNP_GUEST_REQUEST with a FIRMWARE-state response page (§6.10; KVM's bounce page), and
 * copies the response back. It cannot read or forge the message (AES-GCM under a VMPCK it does
 * not have). For the extended form it staples the certificate table it was given: when the
 * guest's buffer is too small it answers VMM error INVALID_LEN with RBX = pages needed and does
 * not forward the request, so the guest's sequence number is not consumed (Linux retries).
 */
#include "base/rd.h"
#include "host/vmm_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/psp_abi.h"

#include <stdlib.h>
#include <string.h>

#define VMM_ERR_INVALID_LEN UINT64_C(1) /* SW_EXITINFO2[63:32] (§5.4) */

static bool
page_ok(const struct snp_vmm *v, uint64_t gpa, uint64_t pages)
{
    uint64_t spa;

    return (gpa & 0xFFF) == 0 && pages <= SNP_VMM_MEM_PAGES &&
           snp_vmm_ram_spa(v, gpa, (size_t)pages * SNP_PAGE_SIZE, &spa);
}

/* Staple the certificates into the guest's buffer; false: answered INVALID_LEN (or failed). */
static bool
staple(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    uint64_t need = (v->certs_len + SNP_PAGE_SIZE - 1) / SNP_PAGE_SIZE, pages = in->rbx;
    uint8_t *buf;
    bool ok;

    if (need == 0) {
        need = 1; /* an empty table: one zero entry */
    }
    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RAX) || !snp_ghcb_is_valid(in, SNP_GHCB_OFF_RBX)) {
        g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
        g->sw_exitinfo2 = SNP_GHCB_ERR_MISSING_INPUT;
        return false;
    }
    if (pages < need) {
        g->sw_exitinfo2 = VMM_ERR_INVALID_LEN << 32;
        g->rbx = need;
        (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RBX);
        return false;
    }
    if (!page_ok(v, in->rax, need)) {
        g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
        g->sw_exitinfo2 = SNP_GHCB_ERR_INVALID_INPUT;
        return false;
    }
    buf = calloc((size_t)need, SNP_PAGE_SIZE);
    if (buf == NULL) {
        g->sw_exitinfo2 = UINT64_C(0xFFFFFFFF); /* a firmware-level failure, no VMM code */
        return false;
    }
    if (v->certs_len > 0) {
        memcpy(buf, v->certs, v->certs_len);
    }
    ok = snp_vmm_gpa_write(v, in->rax, buf, (size_t)need * SNP_PAGE_SIZE) == SNP_OK;
    free(buf);
    if (!ok) {
        g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
        g->sw_exitinfo2 = SNP_GHCB_ERR_INVALID_INPUT; /* the buffer is not shared */
    }
    return ok;
}

void
snp_vmm_guest_request(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g, bool ext)
{
    uint8_t page[SNP_PAGE_SIZE], cmd[0x18];
    uint64_t req = in->sw_exitinfo1, rsp = in->sw_exitinfo2, pf = 0;
    uint32_t fw = 0xFFFF;

    g->sw_exitinfo1 = SNP_GHCB_RESULT_OK;
    /* §5.4: both pages shared, 4K aligned, different. */
    if (!page_ok(v, req, 1) || !page_ok(v, rsp, 1) || req == rsp) {
        g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
        g->sw_exitinfo2 = SNP_GHCB_ERR_INVALID_INPUT;
        return;
    }
    if (ext && !staple(v, in, g)) {
        return;
    }
    if (snp_vmm_gpa_read(v, req, page, sizeof(page)) != SNP_OK ||
        snp_host_write(v->m, v->req_spa, page, sizeof(page), &pf) != SNP_HW_OK) {
        g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
        g->sw_exitinfo2 = SNP_GHCB_ERR_INVALID_INPUT;
        return;
    }
    snp_put_le64(cmd, v->gctx_spa);
    snp_put_le64(cmd + 8, v->req_spa);
    snp_put_le64(cmd + 0x10, v->rsp_spa);
    if (snp_vmm_psp(v, SNP_CMD_SNP_GUEST_REQUEST, cmd, sizeof(cmd), &fw) != SNP_OK) {
        fw = SNP_FW_HWERROR_PLATFORM;
    }
    if (fw == SNP_FW_SUCCESS) {
        if (snp_host_read(v->m, v->rsp_spa, page, sizeof(page)) != SNP_HW_OK ||
            snp_vmm_gpa_write(v, rsp, page, sizeof(page)) != SNP_OK) {
            g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
            g->sw_exitinfo2 = SNP_GHCB_ERR_INVALID_INPUT;
            return;
        }
    }
    g->sw_exitinfo2 = fw; /* (VMM error 0 << 32) | firmware status */
}
