/*
 * host/vmm_int.h - what the files of the honest VMM share (internal to host/).
 *
 * The VMM's view of the machine is sim/host_if.h only. SPAs are handed out by a bump allocator
 * over host DRAM above SNP_VMM_SPA_BASE; guest frames map 1:1 onto the pages allocated for them.
 */
#ifndef SNP_HOST_VMM_INT_H
#define SNP_HOST_VMM_INT_H

#include "base/compiler.h"
#include "sim/host_if.h"
#include "snpkit/ghcb.h"
#include "snpkit/vmm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_VMM_SPA_BASE    UINT64_C(0x100000) /* host pages the VMM uses start at 1 MiB */
#define SNP_VMM_MAX_VCPUS   8u
#define SNP_VMM_CERTS_MAX   (64u * 1024u)
#define SNP_VMM_CONSOLE_MAX 256u

/* vcpu_state: an AP is OFF until the guest creates it; DEAD once its code returned. */
#define SNP_VMM_VCPU_OFF  0u
#define SNP_VMM_VCPU_ON   1u
#define SNP_VMM_VCPU_DEAD 2u

struct snp_vmm {
    struct snp_machine *m;
    uint32_t asid;
    uint32_t vm;
    bool vm_created;
    uint32_t vcpus;
    uint32_t vcpu_ids[SNP_VMM_MAX_VCPUS];
    uint32_t nvcpu_created;
    uint64_t next_spa; /* bump allocator */
    uint64_t cmd_spa;  /* command buffer page (hypervisor) */
    uint64_t gctx_spa; /* FIRMWARE -> CONTEXT */
    uint64_t req_spa;  /* bounce request page (hypervisor) */
    uint64_t rsp_spa;  /* bounce response page (FIRMWARE: §6.10) */
    uint64_t ram_spa;  /* SPA of GPA 0; RAM is SNP_VMM_MEM_PAGES frames */
    uint64_t fw_spa;   /* SPA of the firmware image's first page */
    uint64_t fw_gpa;
    uint64_t fw_pages;
    uint64_t vmsa_spa[SNP_VMM_MAX_VCPUS];
    bool launched;
    bool plain; /* SEV off: a plain VM (snp_vmm_launch.plain) */
    struct snp_vmm_launch_info info;
    uint64_t guest_features; /* SEV_FEATURES of the launch VMSAs (AP creation checks RAX) */
    /* vCPUs: round-robin over the ones that are on (vCPU 0 from the start, APs after the
     * guest's AP creation request, §5.4) */
    uint8_t vcpu_state[SNP_VMM_MAX_VCPUS]; /* SNP_VMM_VCPU_* */
    uint32_t cur;                          /* the vCPU whose exit is being served */
    /* GHCB state: the registered GPA of each vCPU; ghcb_gpa is the current vCPU's */
    uint64_t ghcb_gpas[SNP_VMM_MAX_VCPUS];
    uint64_t ghcb_gpa; /* registered GHCB GPA of vCPU cur, 0 = none */
    struct snp_vmm_status status;
    /* devices */
    snp_vmm_chan_fn chan_fn;
    void *chan_ctx;
    uint32_t chan_seq; /* last sequence number answered */
    snp_vmm_console_fn console_fn;
    void *console_ctx;
    char console[SNP_VMM_CONSOLE_MAX];
    size_t console_len;
    uint8_t *certs; /* stapled certificate table */
    size_t certs_len;
    snp_err stop_err; /* an error the channel callback returned */
};

/* Firmware command with @len bytes of @buf as its buffer; *fw gets the status. */
snp_err snp_vmm_psp(struct snp_vmm *v, uint32_t cmd, const uint8_t *buf, size_t len, uint32_t *fw);

/* The SPA of guest frame @gpa (RAM only); false when @gpa (and @len bytes) leave RAM. */
bool snp_vmm_ram_spa(const struct snp_vmm *v, uint64_t gpa, size_t len, uint64_t *spa);

/* Shared-memory access by GPA (RAM only): SNP_E_RANGE outside RAM, SNP_E_STATE on a fault
 * (the page is private: the guest gave us a GPA it did not share). */
snp_err snp_vmm_gpa_read(struct snp_vmm *v, uint64_t gpa, void *buf, size_t len);
snp_err snp_vmm_gpa_write(struct snp_vmm *v, uint64_t gpa, const void *buf, size_t len);

/* Page state change of one RAM frame (hardware.md §5.3, §5.6): RMPUPDATE to private (assigned
 * to our ASID at that GPA) or shared. SNP_E_RANGE outside RAM, SNP_E_STATE on RMPUPDATE failure. */
snp_err snp_vmm_psc_page(struct snp_vmm *v, uint64_t gfn, bool to_private);

/* vmm_greq.c: NAE 0x8000_0011/12 (hardware.md §5.4, §5.9). */
void snp_vmm_guest_request(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g,
                           bool ext);

/* vmm_dev.c: IOIO and MMIO device models. Fill the GHCB answer; false = malformed. */
/* @in: the request as received (its VALID_BITMAP); @g: the answer (bitmap cleared). */
bool snp_vmm_ioio(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g);
bool snp_vmm_mmio(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g, bool write);

#endif /* SNP_HOST_VMM_INT_H */
