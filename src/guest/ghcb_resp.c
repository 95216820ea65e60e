/*
 * guest/ghcb_resp.c - the guest's checks of hypervisor answers (hardware.md §5.3, §5.5, §5.6).
 *
 * §5.5: "A guest must re-check VALID_BITMAP for every output it consumes (missing ->
 * ES_VMM_ERROR) and never trust HV output for security decisions." These functions decide only
 * whether an answer is well-formed; what the values mean for security (PVALIDATE after a PSC,
 * CPUID from the CPUID page) is decided by the callers. Pure: no simulator, no allocation.
 */
#include "guest/ghcb_resp.h"

#include <string.h>

snp_err
snp_grt_resp_result(const struct snp_ghcb *g, uint64_t *exitinfo2)
{
    uint32_t result = (uint32_t)g->sw_exitinfo1;

    *exitinfo2 = 0;
    if (!snp_ghcb_is_valid(g, SNP_GHCB_OFF_SW_EXITINFO1) ||
        !snp_ghcb_is_valid(g, SNP_GHCB_OFF_SW_EXITINFO2)) {
        return SNP_E_IO;
    }
    switch (result) {
    case SNP_GHCB_RESULT_OK:
        *exitinfo2 = g->sw_exitinfo2;
        return SNP_OK;
    case SNP_GHCB_RESULT_EXCEPTION: {
        /* §5.5 event-injection format: [7:0] vector, [10:8] type 3, [31] valid. Linux accepts
         * only #GP (13) and #UD (6); anything else is a VMM error. */
        uint64_t ev = g->sw_exitinfo2;
        uint8_t vector = (uint8_t)ev;
        if ((ev & (UINT64_C(1) << 31)) != 0 && ((ev >> 8) & 7) == 3 &&
            (vector == 13 || vector == 6)) {
            return SNP_E_STATE;
        }
        return SNP_E_IO;
    }
    default:
        return SNP_E_IO; /* 2 MALFORMED_INPUT, or a value §5.5 does not define */
    }
}

snp_err
snp_grt_resp_cpuid(const struct snp_ghcb *g, uint32_t out[4])
{
    if (!snp_ghcb_is_valid(g, SNP_GHCB_OFF_RAX) || !snp_ghcb_is_valid(g, SNP_GHCB_OFF_RBX) ||
        !snp_ghcb_is_valid(g, SNP_GHCB_OFF_RCX) || !snp_ghcb_is_valid(g, SNP_GHCB_OFF_RDX)) {
        return SNP_E_IO;
    }
    out[0] = (uint32_t)g->rax;
    out[1] = (uint32_t)g->rbx;
    out[2] = (uint32_t)g->rcx;
    out[3] = (uint32_t)g->rdx;
    return SNP_OK;
}

snp_err
snp_grt_resp_rdmsr(const struct snp_ghcb *g, uint64_t *val)
{
    if (!snp_ghcb_is_valid(g, SNP_GHCB_OFF_RAX) || !snp_ghcb_is_valid(g, SNP_GHCB_OFF_RDX)) {
        return SNP_E_IO;
    }
    *val = (g->rdx << 32) | (g->rax & 0xFFFFFFFFu);
    return SNP_OK;
}

snp_err
snp_grt_resp_in(const struct snp_ghcb *g, unsigned size, uint32_t *val)
{
    uint32_t mask = size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;

    if (!snp_ghcb_is_valid(g, SNP_GHCB_OFF_RAX)) {
        return SNP_E_IO;
    }
    *val = (uint32_t)g->rax & mask;
    return SNP_OK;
}

snp_err
snp_grt_resp_ext_pages(const struct snp_ghcb *g, uint64_t *pages)
{
    if (!snp_ghcb_is_valid(g, SNP_GHCB_OFF_RBX)) {
        return SNP_E_IO;
    }
    *pages = g->rbx;
    return SNP_OK;
}

/* Decode and require the response code @want. */
static snp_err
msr_expect(uint64_t msr, uint16_t want, struct snp_ghcb_msr *m)
{
    if (snp_ghcb_msr_decode(m, msr, NULL) != SNP_OK || m->info != want) {
        return SNP_E_IO;
    }
    return SNP_OK;
}

snp_err
snp_grt_resp_msr_sev_info(uint64_t msr, uint8_t *cbit)
{
    struct snp_ghcb_msr m;

    SNP_TRY(msr_expect(msr, SNP_GHCB_MSR_SEV_INFO_RESP, &m));
    /* §5 "SNP requires >= 2": our one protocol must be inside [min, max]. */
    if (m.min_proto > m.max_proto || m.max_proto < SNP_GHCB_PROTOCOL_SNP ||
        m.min_proto > SNP_GHCB_PROTOCOL_SNP) {
        return SNP_E_UNSUPPORTED;
    }
    *cbit = m.cbit;
    return SNP_OK;
}

snp_err
snp_grt_resp_msr_reg_gpa(uint64_t msr, uint64_t gfn)
{
    struct snp_ghcb_msr m;

    SNP_TRY(msr_expect(msr, SNP_GHCB_MSR_REG_GPA_RESP, &m));
    return m.gfn == gfn ? SNP_OK : SNP_E_IO; /* §5.3: mismatch -> terminate (1, 0) */
}

snp_err
snp_grt_resp_msr_psc(uint64_t msr)
{
    struct snp_ghcb_msr m;

    SNP_TRY(msr_expect(msr, SNP_GHCB_MSR_PSC_RESP, &m));
    return m.error == 0 ? SNP_OK : SNP_E_IO;
}

snp_err
snp_grt_resp_msr_hv_features(uint64_t msr, uint64_t *features)
{
    struct snp_ghcb_msr m;

    SNP_TRY(msr_expect(msr, SNP_GHCB_MSR_HV_FEATURES_RESP, &m));
    *features = m.data;
    return SNP_OK;
}

snp_err
snp_grt_resp_msr_cpuid(uint64_t msr, uint32_t *value)
{
    struct snp_ghcb_msr m;

    SNP_TRY(msr_expect(msr, SNP_GHCB_MSR_CPUID_RESP, &m));
    *value = m.value;
    return SNP_OK;
}

snp_err
snp_grt_resp_psc(const struct snp_psc *sent, const uint8_t *buf, size_t len, struct snp_psc *now,
                 bool *done)
{
    *done = false;
    if (snp_psc_decode(now, buf, len, NULL) != SNP_OK) {
        return SNP_E_IO;
    }
    if (now->end_entry != sent->end_entry || now->cur_entry < sent->cur_entry) {
        return SNP_E_IO;
    }
    for (size_t i = 0; i <= sent->end_entry; i++) {
        const struct snp_psc_entry *a = &sent->entries[i], *b = &now->entries[i];
        if (a->gfn != b->gfn || a->operation != b->operation || a->page_size != b->page_size ||
            b->cur_page < a->cur_page) {
            return SNP_E_IO; /* the hypervisor rewrote our request */
        }
    }
    *done = now->cur_entry > now->end_entry;
    return SNP_OK;
}
