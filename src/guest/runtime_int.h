/*
 * guest/runtime_int.h - the runtime's state, shared by runtime.c, mem.c, vc.c, cpuid.c and
 * gdev_sim.c only.
 */
#ifndef SNP_GUEST_RUNTIME_INT_H
#define SNP_GUEST_RUNTIME_INT_H

#include "guest/runtime.h"

struct snp_grt {
    struct snp_guest *g;
    struct snp_grt_config cfg;
    uint64_t cbit_mask;
    uint64_t hv_features;
    uint8_t *bitmap;              /* one bit per frame: validated (by us) */
    struct snp_cpuid_page *cpuid; /* decoded CPUID page, NULL: none (HV fallback) */
    uint64_t vc_count;
    uint64_t vc_last;
    bool booted;
    bool plain; /* SEV_STATUS 0: a plain VM (no GHCB, no RMP, no attestation) */
};

/* Link a vCPU to its runtime for the #VC handler: the vCPU's per-CPU pointer (guest_if.h,
 * the role of GS_BASE in a real kernel). */
SNP_MUST_CHECK snp_err snp_grt_registry_add(struct snp_guest *g, struct snp_grt *rt);
void snp_grt_registry_del(struct snp_guest *g);
struct snp_grt *snp_grt_registry_find(struct snp_guest *g);

/* cpuid.c: load the page at boot (SNP_E_* of the decoder; a bad page terminates), answer. */
SNP_MUST_CHECK snp_err snp_grt_cpuid_load(struct snp_grt *rt);
void snp_grt_cpuid_free(struct snp_grt *rt);
/* CPUID for the #VC handler: the page when it has the leaf, the HV otherwise (§9.3). */
void snp_grt_cpuid(struct snp_grt *rt, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* vc.c */
void snp_grt_vc_handler(struct snp_guest *g, uint64_t code, uint64_t info);

/* mem.c: mark a launch range validated (boot bookkeeping). */
SNP_MUST_CHECK snp_err snp_grt_mark_prevalidated(struct snp_grt *rt, uint64_t gpa, uint64_t pages);

#endif /* SNP_GUEST_RUNTIME_INT_H */
