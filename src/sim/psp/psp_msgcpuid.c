/*
 * sim/psp/psp_msgcpuid.c - MSG_CPUID_REQ and MSG_TSC_INFO_REQ (attestation.md §7.7;
 * hardware.md §9.2, §6.9). The CPUID rules are psp_cpuid.c's, shared with LAUNCH_UPDATE.
 */
#include "sim/psp/psp_int.h"

#include "snpkit/guestmsg.h"

#include <string.h>

#define PSP_TSC_KHZ 2000000u /* the platform TSC, as in psp_launch.c */

static snp_err
msg_tsc(const struct psp_guest *g, const uint8_t *req, size_t req_len, uint8_t *rsp,
        size_t *rsp_len)
{
    struct snp_msg_tsc_info_rsp r;
    uint64_t khz = g->desired_tsc_khz != 0 ? g->desired_tsc_khz : PSP_TSC_KHZ;

    memset(&r, 0, sizeof(r));
    *rsp_len = SNP_MSG_TSC_INFO_RSP_SIZE;
    if (snp_msg_tsc_info_req_decode(req, req_len, NULL) != SNP_OK) {
        r.status = SNP_FW_INVALID_PARAM;
    } else {
        r.guest_tsc_scale = (khz << 32) / PSP_TSC_KHZ; /* §6.9 */
        r.guest_tsc_offset = 0;
        r.tsc_factor = 0;
    }
    return snp_msg_tsc_info_rsp_encode(rsp, &r);
}

snp_err
psp_msg_cpuid(struct snp_psp *p, const struct psp_guest *g, uint8_t type, const uint8_t *req,
              size_t req_len, uint8_t *rsp, size_t *rsp_len)
{
    struct snp_msg_cpuid_req q;
    struct snp_msg_cpuid_rsp r;
    struct psp_cpuid_ent e[SNP_MSG_CPUID_MAX];

    if (type == SNP_MSG_TSC_INFO_REQ) {
        return msg_tsc(g, req, req_len, rsp, rsp_len);
    }
    memset(&r, 0, sizeof(r));
    if (snp_msg_cpuid_req_decode(&q, req, req_len, NULL) != SNP_OK) {
        r.status = SNP_FW_INVALID_PARAM; /* COUNT > 64, size, reserved */
        return snp_msg_cpuid_rsp_encode(rsp, SNP_MSG_PAYLOAD_MAX, rsp_len, &r);
    }
    for (uint32_t i = 0; i < q.count; i++) {
        e[i].eax_in = q.entries[i].eax_in;
        e[i].ecx_in = q.entries[i].ecx_in;
        e[i].xcr0_in = q.entries[i].xcr0_in;
        e[i].xss_in = q.entries[i].xss_in;
        e[i].regs[0] = q.entries[i].eax;
        e[i].regs[1] = q.entries[i].ebx;
        e[i].regs[2] = q.entries[i].ecx;
        e[i].regs[3] = q.entries[i].edx;
    }
    /* §9.2: "MSG_CPUID_RSP: corrected list returned to the guest" with INVALID_PARAM. */
    r.status = psp_cpuid_sanitize(p, e, q.count) ? SNP_FW_SUCCESS : SNP_FW_INVALID_PARAM;
    r.count = q.count;
    for (uint32_t i = 0; i < q.count; i++) {
        r.entries[i] = q.entries[i];
        r.entries[i].eax = e[i].regs[0];
        r.entries[i].ebx = e[i].regs[1];
        r.entries[i].ecx = e[i].regs[2];
        r.entries[i].edx = e[i].regs[3];
    }
    return snp_msg_cpuid_rsp_encode(rsp, SNP_MSG_PAYLOAD_MAX, rsp_len, &r);
}
