/*
 * tests/unit/sim/sim_fixture.h - shared set-up for the sim tests (header-only: each test
 * binary is one translation unit). Plays the PSP's part through sim/keyslot.h: program a key,
 * write guest pages and the VMSA under it, and set their RMP entries, as LAUNCH_UPDATE would.
 */
#ifndef SNP_TESTS_SIM_FIXTURE_H
#define SNP_TESTS_SIM_FIXTURE_H

#include "helpers.h"

#include "sim/guest_if.h"
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "sim/phys_if.h"
#include "snpkit/machine.h"
#include "snpkit/vmsa.h"

#include <stdlib.h>
#include <string.h>

#define FX_ASID      1
#define FX_GUEST_SPA UINT64_C(0x200000) /* guest frames start at 2 MiB */
#define FX_VMSA_SPA  UINT64_C(0x1FF000)
#define FX_PAGES     16

static const uint8_t fx_key[32] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
                                   0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6,
                                   0x97, 0x88, 0x79, 0x6a, 0x5b, 0x4c, 0x3d, 0x2e, 0x1f, 0x00};

static inline void
fx_check(struct snp_machine *m)
{
    char why[160];
    snp_err e = snp_machine_check_invariants(m, why, sizeof(why));
    if (e != SNP_OK) {
        fail_msg("invariant: %s", why);
    }
}

static inline struct snp_machine *
fx_machine(uint32_t mitigations, size_t cache_lines)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;

    snp_machine_config_default(&c);
    c.dram_size = (size_t)8 << 20;
    c.guest_max_pages = 1024;
    c.cache_lines = cache_lines;
    c.mitigations = mitigations;
    T_OK(snp_machine_new(&m, &c));
    return m;
}

static inline struct snp_rmp_entry
fx_guest_entry(uint64_t gpa, bool validated)
{
    struct snp_rmp_entry e;
    memset(&e, 0, sizeof(e));
    e.assigned = true;
    e.asid = FX_ASID;
    e.gpa = gpa;
    e.validated = validated;
    return e;
}

/*
 * An SNP (or SEV-ES / plain) VM: FX_PAGES guest frames at GPA 0.. mapped to FX_GUEST_SPA..,
 * for SNP assigned+validated (private) except the last page, which stays shared; a VMSA with
 * @features. Returns the vCPU id.
 */
static inline uint32_t
fx_vm(struct snp_machine *m, enum snp_vm_type type, uint64_t features, snp_guest_entry_fn fn,
      void *arg, uint32_t *vm_out)
{
    struct snp_vmsa v;
    uint8_t page[SNP_VMSA_SIZE];
    uint32_t vm = 0, vcpu = 0;
    uint64_t err = 0;

    T_OK(snp_host_vm_create(m, type, FX_ASID, &vm));
    if (type != SNP_VM_PLAIN) {
        T_OK(snp_keyslot_program(m, FX_ASID, fx_key, sizeof(fx_key)));
    }
    for (uint64_t i = 0; i < FX_PAGES; i++) {
        uint64_t spa = FX_GUEST_SPA + i * SNP_PAGE_SIZE;
        T_OK(snp_host_npt_set(m, vm, i, spa | SNP_NPT_PRESENT | SNP_NPT_WRITE));
        if (type == SNP_VM_SNP && i + 1 < FX_PAGES) {
            struct snp_rmp_entry e = fx_guest_entry(i * SNP_PAGE_SIZE, true);
            T_OK(snp_fw_rmp_set(m, spa, &e));
        }
    }
    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0xA10F11,
                        type == SNP_VM_SNP ? (SNP_VMSA_FEAT_SNP_ACTIVE | features) : features));
    T_OK(snp_vmsa_encode(page, &v));
    if (type == SNP_VM_PLAIN) {
        assert_int_equal(snp_host_write(m, FX_VMSA_SPA, page, sizeof(page), &err), SNP_HW_OK);
    } else {
        T_OK(snp_fw_mem_write(m, FX_VMSA_SPA, FX_ASID, page, sizeof(page)));
    }
    if (type == SNP_VM_SNP) {
        struct snp_rmp_entry e = fx_guest_entry(UINT64_C(0xFFFFFFFFF000), true);
        e.vmsa = true;
        T_OK(snp_fw_rmp_set(m, FX_VMSA_SPA, &e));
    }
    T_OK(snp_host_vcpu_create(m, vm, FX_VMSA_SPA, fn, arg, &vcpu));
    if (vm_out != NULL) {
        *vm_out = vm;
    }
    return vcpu;
}

/* Does @needle occur anywhere in @hay? */
static inline bool
fx_contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

#endif /* SNP_TESTS_SIM_FIXTURE_H */
