/*
 * guest/vc.c - the #VC handler (vector 29, hardware.md §1.6.3, §5.4).
 *
 * Non-automatic exits become NAE events through the GHCB: CPUID (answered from the CPUID page,
 * cpuid.c), IOIO, MSR. #VC 0x404 (page not validated) is treated as an attack: a page we use
 * was swapped or its validation revoked behind our back, and the guest terminates with set 1
 * code 2 (PVALIDATE) rather than validate it on demand (which would accept whatever the
 * hypervisor mapped there). A #VC 0x400 (MMIO) carries no instruction to emulate in this model;
 * device models use snp_grt_mmio_read/write, so an MMIO #VC on a plain access is a guest bug or
 * a hypervisor that turned RAM into MMIO: terminate (set 0 code 0). Anything else: terminate.
 */
#include "guest/runtime_int.h"

#include "guest/ghcb_resp.h"
#include "sim/guest_if.h"

#include <string.h>

static void
vc_ioio(struct snp_grt *rt, struct snp_guest_regs *r, uint64_t info)
{
    struct snp_ghcb in, out;
    unsigned size = (info & 0x10) != 0 ? 1 : (info & 0x20) != 0 ? 2 : 4;
    uint32_t v = 0;

    memset(&in, 0, sizeof(in));
    in.sw_exitcode = SNP_NAE_IOIO;
    in.sw_exitinfo1 = info;
    if ((info & 0x1) == 0) {
        in.rax = r->rax; /* OUT: the value */
        (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX);
    }
    if (snp_grt_ghcb_call(rt, &in, &out) != SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_GENERAL);
    }
    if ((info & 0x1) != 0) {
        if (snp_grt_resp_in(&out, size, &v) != SNP_OK) {
            snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_GENERAL);
        }
        r->rax = v;
    }
}

static void
vc_msr(struct snp_grt *rt, struct snp_guest_regs *r, uint64_t write)
{
    struct snp_ghcb in, out;
    uint64_t v = 0;

    memset(&in, 0, sizeof(in));
    in.sw_exitcode = SNP_NAE_MSR;
    in.sw_exitinfo1 = write;
    in.rcx = r->rcx;
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RCX);
    if (write != 0) {
        in.rax = r->rax;
        in.rdx = r->rdx;
        (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX);
        (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RDX);
    }
    if (snp_grt_ghcb_call(rt, &in, &out) != SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_GENERAL);
    }
    if (write == 0) {
        if (snp_grt_resp_rdmsr(&out, &v) != SNP_OK) {
            snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_GENERAL);
        }
        r->rax = v & 0xFFFFFFFFu;
        r->rdx = v >> 32;
    }
}

void
snp_grt_vc_handler(struct snp_guest *g, uint64_t code, uint64_t info)
{
    struct snp_grt *rt = snp_grt_registry_find(g);
    struct snp_guest_regs *r = snp_guest_regs(g);

    if (rt == NULL) {
        return; /* not ours: the sim shuts a vCPU down that never fixes its #VC */
    }
    rt->vc_count++;
    rt->vc_last = code;
    switch (code) {
    case SNP_NAE_CPUID: {
        uint32_t out[4];
        snp_grt_cpuid(rt, (uint32_t)r->rax, (uint32_t)r->rcx, out);
        r->rax = out[0];
        r->rbx = out[1];
        r->rcx = out[2];
        r->rdx = out[3];
        return;
    }
    case SNP_NAE_IOIO:
        vc_ioio(rt, r, info);
        return;
    case SNP_NAE_MSR:
        vc_msr(rt, r, info);
        return;
    case SNP_VC_PAGE_NOT_VALIDATED:
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PVALIDATE);
        return;
    default:
        snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_GENERAL);
        return;
    }
}
