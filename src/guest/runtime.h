/*
 * guest/runtime.h - the guest runtime on the simulated vCPU (sim/guest_if.h): boot, the GHCB
 * (MSR protocol and full protocol), memory acceptance with a validated bitmap, the #VC handler,
 * CPUID from the SNP CPUID page, termination. docs/guest.md describes the boot contract.
 *
 * One struct snp_grt per vCPU running guest code. Everything the hypervisor hands back is
 * hostile (hardware.md §5.5): responses are checked by ghcb_resp.c and an inconsistent answer
 * that would compromise the guest ends in a termination request, never in trust.
 */
#ifndef SNP_GUEST_RUNTIME_H
#define SNP_GUEST_RUNTIME_H

#include "base/compiler.h"
#include "snpkit/err.h"
#include "snpkit/ghcb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_guest;      /* sim/guest_if.h */
struct snp_guest_dev;  /* snpkit/guest.h */
struct snp_cpuid_page; /* snpkit/cpuid_page.h (not included: its entry struct clashes with
                          guestmsg.h's, so CPUID code lives in cpuid.c alone) */

/* A range of guest frames [gpa, gpa + pages * 4K). */
struct snp_grt_range {
    uint64_t gpa;
    uint64_t pages;
};

#define SNP_GRT_MAX_PREVALIDATED 16

/*
 * The boot contract: GPAs fixed by the launch (in a real image, by the firmware's SEV metadata,
 * which the measurement covers). Pages named "shared" must not be private at boot.
 */
struct snp_grt_config {
    uint64_t mem_pages;   /* guest frames covered by the validated bitmap */
    uint64_t ghcb_gpa;    /* shared: the GHCB */
    uint64_t secrets_gpa; /* private, pre-validated: the secrets page (0 = none) */
    uint64_t cpuid_gpa;   /* private, pre-validated: the CPUID page (0 = none: ask the HV) */
    uint64_t req_gpa;     /* shared: guest request page */
    uint64_t rsp_gpa;     /* shared: guest response page */
    uint64_t certs_gpa;   /* shared: certificate buffer for extended requests */
    uint64_t certs_pages;
    uint8_t vmpck_id; /* which VMPCK this guest uses (its VMPL) */
    struct snp_grt_range prevalidated[SNP_GRT_MAX_PREVALIDATED]; /* LAUNCH_UPDATE'd pages */
    size_t n_prevalidated;
};

struct snp_grt;

/*
 * snp_grt_new() - a runtime for guest code running on @g (call from inside the guest).
 * Allocates the bitmap; registers the #VC handler. Returns SNP_OK, SNP_E_ARG, SNP_E_NOMEM.
 */
SNP_MUST_CHECK snp_err snp_grt_new(struct snp_grt **out, struct snp_guest *g,
                                   const struct snp_grt_config *c);
/* snp_grt_free() - unregister and release (wipes the secrets it copied). NULL is a no-op. */
void snp_grt_free(struct snp_grt *rt);

/*
 * snp_grt_boot() - what an SNP-aware kernel does first: SEV_STATUS says SNP (else
 * SNP_E_UNSUPPORTED); GHCB protocol range (MSR SEV_INFO, needs 2); hypervisor features (SNP
 * bit); GHCB GPA registration; record the pre-validated pages in the bitmap (overlapping or
 * out-of-range ranges: SNP_E_RANGE); load the CPUID page. A hypervisor answer that is wrong
 * terminates the guest with the §5.8 reason (set 0 code 1/2, set 1 code 0).
 */
SNP_MUST_CHECK snp_err snp_grt_boot(struct snp_grt *rt);

/*
 * snp_grt_plain() - true after snp_grt_boot() found SEV_STATUS 0: a plain VM (SEV off, the
 * traditional trust model). The runtime then works without protection: snp_grt_accept() and
 * snp_grt_share() only keep the bitmap (no PSC, no PVALIDATE), C-bit masks are 0, and the
 * attestation device answers every request SNP_E_UNSUPPORTED (no PSP attestation in a plain
 * VM). snp_grt_terminate() and GHCB calls are not available (the vCPU just stops).
 */
bool snp_grt_plain(const struct snp_grt *rt);

/* snp_grt_terminate() - MSR-protocol termination request (§5.3, §5.8); never returns: if the
 * hypervisor resumes us anyway, we ask again. */
void snp_grt_terminate(struct snp_grt *rt, uint8_t set, uint8_t code);

/*
 * snp_grt_accept() / snp_grt_share() - convert @pages frames at @gpa.
 * accept: page state change to private (MSR protocol for one page, the GHCB PSC buffer for
 * more), then PVALIDATE each; share: rescind validation first, then PSC to shared.
 * A frame already validated (bitmap) is refused before anything happens: SNP_E_STATE (never
 * validate a GPA twice); share of a frame not validated: SNP_E_STATE; outside the bitmap:
 * SNP_E_RANGE. A PSC the hypervisor fails, or PVALIDATE reporting no change (CF=1: the page
 * was validated already, a remapping attack) or an error, terminates the guest (set 1,
 * code 1 / code 2).
 */
SNP_MUST_CHECK snp_err snp_grt_accept(struct snp_grt *rt, uint64_t gpa, uint64_t pages);
SNP_MUST_CHECK snp_err snp_grt_share(struct snp_grt *rt, uint64_t gpa, uint64_t pages);
/* Is the frame of @gpa validated according to the bitmap? */
bool snp_grt_is_validated(const struct snp_grt *rt, uint64_t gpa);

/*
 * snp_grt_ghcb_call() - one full-GHCB NAE event (§5.4): the GHCB is filled from @in (valid
 * bits of the fields set by the caller are kept), written, VMGEXIT, read back into @out.
 * Returns SNP_OK with *exitinfo2 when SW_EXITINFO1 says success (§5.5), SNP_E_IO for a
 * malformed-input or unexpected answer, SNP_E_STATE for an exception request.
 */
SNP_MUST_CHECK snp_err snp_grt_ghcb_call(struct snp_grt *rt, struct snp_ghcb *in,
                                         struct snp_ghcb *out);

/* GHCB MSR protocol exchange: write @req, VMGEXIT, return the MSR. */
uint64_t snp_grt_msr_call(struct snp_grt *rt, uint64_t req);

/* MMIO through the GHCB (NAE 0x8000_0001/2), for device models; @len 1..8. */
SNP_MUST_CHECK snp_err snp_grt_mmio_read(struct snp_grt *rt, uint64_t gpa, void *buf, size_t len);
SNP_MUST_CHECK snp_err snp_grt_mmio_write(struct snp_grt *rt, uint64_t gpa, const void *buf,
                                          size_t len);

/*
 * snp_grt_ap_create() - NAE AP_CREATION (§5.4): ask the hypervisor to start the vCPU with APIC
 * ID @apic_id at VMPL 0 ("create now") from the VMSA at @vmsa_gpa, with this guest's own
 * SEV_FEATURES (SEV_STATUS >> 2, §4.3) in RAX. Returns SNP_OK; SNP_E_UNSUPPORTED when the
 * hypervisor did not advertise AP creation at boot (§5.7) or in a plain VM; SNP_E_ARG for APIC
 * ID 0 (that is us); SNP_E_IO when the hypervisor refuses (e.g. no such vCPU).
 */
SNP_MUST_CHECK snp_err snp_grt_ap_create(struct snp_grt *rt, uint32_t apic_id, uint64_t vmsa_gpa);

/* Hypervisor features learned at boot (§5.7). */
uint64_t snp_grt_hv_features(const struct snp_grt *rt);
const struct snp_grt_config *snp_grt_config(const struct snp_grt *rt);
/* Number of #VC events handled, and the last code (tests, diagnostics). */
uint64_t snp_grt_vc_count(const struct snp_grt *rt);

/* The attestation device of this guest (SNP_GUEST_BACKEND_SIM), see gdev_sim.c. */
SNP_MUST_CHECK snp_err snp_grt_open_dev(struct snp_grt *rt, struct snp_guest_dev **out);

#endif /* SNP_GUEST_RUNTIME_H */
