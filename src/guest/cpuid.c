/*
 * guest/cpuid.c - CPUID from the SNP CPUID page (hardware.md §9.3), not from the host.
 *
 * The page was checked by the firmware at launch (§9.2), so the guest trusts it over the
 * hypervisor: a leaf in the table is answered from it; a standard (0x0000_xxxx) or extended
 * (0x8000_xxxx) leaf missing from a non-empty table reads as zeros; other leaves (hypervisor
 * 0x4000_xxxx) and an empty table fall back to the hypervisor through the GHCB. Kept in its own
 * file.
 * XXX(guest): the §9.3 post-processing (APIC IDs from the HV, OSXSAVE/OSPKE from CR4, XSAVE
 * sizes for 0xD) is not done: the model has no CR4 or APIC, and 0xD is answered as stored.
 */
#include "guest/runtime_int.h"

#include "guest/ghcb_resp.h"
#include "sim/guest_if.h"
#include "snpkit/cpuid_page.h"

#include <stdlib.h>
#include <string.h>

snp_err
snp_grt_cpuid_load(struct snp_grt *rt)
{
    uint8_t page[SNP_CPUID_PAGE_SIZE];
    struct snp_cpuid_page *p;

    if (rt->cfg.cpuid_gpa == 0) {
        return SNP_OK;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return SNP_E_NOMEM;
    }
    snp_guest_read(rt->g, rt->cfg.cpuid_gpa | rt->cbit_mask, page, sizeof(page));
    if (snp_cpuid_page_decode(p, page, sizeof(page), NULL) != SNP_OK) {
        free(p);
        /* §5.8 set 1 code 4: the firmware-validated table is unreadable. */
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_CPUID);
    }
    rt->cpuid = p;
    return SNP_OK;
}

void
snp_grt_cpuid_free(struct snp_grt *rt)
{
    free(rt->cpuid);
    rt->cpuid = NULL;
}

static void
cpuid_hv(struct snp_grt *rt, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    struct snp_ghcb in, o;

    memset(&in, 0, sizeof(in));
    in.sw_exitcode = SNP_NAE_CPUID;
    in.rax = leaf;
    in.rcx = subleaf;
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX);
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RCX);
    if (leaf == 0xD) {
        in.xcr0 = 1; /* §5.4: XCR0 required when RAX = 0xD */
        (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_XCR0);
    }
    if (snp_grt_ghcb_call(rt, &in, &o) != SNP_OK || snp_grt_resp_cpuid(&o, out) != SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_CPUID_HV);
    }
}

/* Leaves whose ECX selects a subleaf (the table stores ECX_IN for these only, §9.1). */
static bool
indexed(uint32_t leaf)
{
    return leaf == 0x4 || leaf == 0x7 || leaf == 0xB || leaf == 0xD || leaf == 0xF ||
           leaf == 0x10 || leaf == 0x8000001D || leaf == 0x80000020 || leaf == 0x80000026;
}

void
snp_grt_cpuid(struct snp_grt *rt, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    const struct snp_cpuid_entry *e;

    memset(out, 0, 4 * sizeof(uint32_t));
    if (rt->cpuid == NULL || rt->cpuid->count == 0) {
        cpuid_hv(rt, leaf, subleaf, out); /* §9.3: empty table -> hypervisor */
        return;
    }
    e = snp_cpuid_page_find(rt->cpuid, leaf, subleaf);
    if (e == NULL && !indexed(leaf)) {
        e = snp_cpuid_page_find(rt->cpuid, leaf, 0); /* the subleaf means nothing here */
    }
    if (e != NULL) {
        out[0] = e->eax;
        out[1] = e->ebx;
        out[2] = e->ecx;
        out[3] = e->edx;
        return;
    }
    if (leaf <= 0xFFFF || (leaf >= 0x80000000u && leaf <= 0x8000FFFFu)) {
        return; /* §9.3: in-range leaves missing from the table read as 0 */
    }
    cpuid_hv(rt, leaf, subleaf, out);
}
