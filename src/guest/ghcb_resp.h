/*
 * guest/ghcb_resp.h - checks of what the hypervisor answers over the GHCB (hardware.md §5.3,
 * §5.5, §5.6). Pure functions on decoded values: no simulator, so the fuzz target
 * fuzz_guest_ghcb_resp drives them directly. Every answer is hostile until checked.
 */
#ifndef SNP_GUEST_GHCB_RESP_H
#define SNP_GUEST_GHCB_RESP_H

#include "base/compiler.h"
#include "snpkit/ghcb.h"

#include <stdint.h>

/*
 * snp_grt_resp_result() - SW_EXITINFO1[31:0] after VMGEXIT (§5.5): 0 -> SNP_OK (*exitinfo2
 * set); 1 (exception) -> SNP_E_STATE when it is a valid #GP/#UD injection (Linux accepts only
 * those), SNP_E_IO otherwise; 2 (malformed input) and anything else -> SNP_E_IO. SW_EXITINFO1
 * and SW_EXITINFO2 must be marked valid (SNP_E_IO).
 */
SNP_MUST_CHECK snp_err snp_grt_resp_result(const struct snp_ghcb *g, uint64_t *exitinfo2);

/* Outputs of CPUID (RAX..RDX), RDMSR (RAX, RDX), IN (RAX): each register must be marked
 * valid (§5.5 "re-check VALID_BITMAP for every output"), else SNP_E_IO. */
SNP_MUST_CHECK snp_err snp_grt_resp_cpuid(const struct snp_ghcb *g, uint32_t out[4]);
SNP_MUST_CHECK snp_err snp_grt_resp_rdmsr(const struct snp_ghcb *g, uint64_t *val);
SNP_MUST_CHECK snp_err snp_grt_resp_in(const struct snp_ghcb *g, unsigned size, uint32_t *val);
/* Extended guest request: RBX (pages needed) after INVALID_LEN, must be valid. */
SNP_MUST_CHECK snp_err snp_grt_resp_ext_pages(const struct snp_ghcb *g, uint64_t *pages);

/*
 * MSR-protocol answers (§5.3): the info code must be the expected response and the fields
 * consistent, else SNP_E_IO.
 *   sev_info: SNP_E_UNSUPPORTED when [min, max] does not contain protocol 2; *cbit out.
 *   reg_gpa:  the echoed GFN must equal @gfn.
 *   psc:      error field 0.
 *   hv_features: *features out.
 */
SNP_MUST_CHECK snp_err snp_grt_resp_msr_sev_info(uint64_t msr, uint8_t *cbit);
SNP_MUST_CHECK snp_err snp_grt_resp_msr_reg_gpa(uint64_t msr, uint64_t gfn);
SNP_MUST_CHECK snp_err snp_grt_resp_msr_psc(uint64_t msr);
SNP_MUST_CHECK snp_err snp_grt_resp_msr_hv_features(uint64_t msr, uint64_t *features);
SNP_MUST_CHECK snp_err snp_grt_resp_msr_cpuid(uint64_t msr, uint32_t *value);

/*
 * snp_grt_resp_psc() - the PSC buffer after the exit, against the request the guest sent
 * (@sent; §5.6). The hypervisor may only have advanced cur_entry and each entry's cur_page; an
 * entry whose GFN, operation or size changed, cur_entry moving backwards, or end_entry changed
 * is SNP_E_IO. *done is true when cur_entry > end_entry (all processed).
 */
SNP_MUST_CHECK snp_err snp_grt_resp_psc(const struct snp_psc *sent, const uint8_t *buf, size_t len,
                                        struct snp_psc *now, bool *done);

#endif /* SNP_GUEST_GHCB_RESP_H */
