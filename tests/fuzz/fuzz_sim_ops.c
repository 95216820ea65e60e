/*
 * tests/fuzz/fuzz_sim_ops.c - random sequences of host and guest operations on a small SNP
 * machine, decoded from the input bytes. After every host step the machine invariants must
 * hold; at every host read, and over all of DRAM at the end, the guest's secret marker (which
 * the guest only ever stores with C=1 or in its registers) must never appear: no crash, no
 * broken invariant, no plaintext leak.
 *
 * Host ops: RMPUPDATE, PSMASH, host write, host read (+leak check), NPT edit, inject, VMRUN,
 * WBINVD/INVD, preemption tick. Guest ops (read from the same stream while the guest runs):
 * private write of the secret, private read, PVALIDATE, RMPADJUST, VMGEXIT, CPUID, shared write.
 */
#include "sim/guest_if.h"
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "snpkit/vmsa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAM     (UINT64_C(4) << 20)
#define GBASE    UINT64_C(0x200000)
#define VMSA_SPA UINT64_C(0x1FF000)

static const uint8_t marker[16] = {0xC0, 0xFF, 0xEE, 0x5E, 0xC2, 0xE7, 0x4D, 0x41,
                                   0x52, 0x4B, 0x45, 0x52, 0x21, 0x9A, 0x3B, 0x7C};

struct cur {
    const uint8_t *p;
    size_t n;
};

static uint8_t
take(struct cur *c)
{
    if (c->n == 0) {
        return 0xFF;
    }
    c->n--;
    return *c->p++;
}

static bool
has_marker(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i + sizeof(marker) <= n; i++) {
        if (b[i] == marker[0] && memcmp(b + i, marker, sizeof(marker)) == 0) {
            return true;
        }
    }
    return false;
}

static void
die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz_sim_ops: %s: %s\n", what, why);
    abort();
}

static void
vc_handler(struct snp_guest *g, uint64_t code, uint64_t info)
{
    if (code == SNP_VC_PAGE_NOT_VALIDATED) {
        (void)snp_guest_pvalidate(g, info, false, true);
    } else if (code == SNP_EXIT_CPUID) {
        snp_guest_regs(g)->rax = 0;
    }
}

static void
guest(struct snp_guest *g, void *arg)
{
    struct cur *c = arg;
    uint64_t cm = snp_guest_cbit_mask(g);

    snp_guest_set_vc_handler(g, vc_handler);
    memcpy(&snp_guest_regs(g)->r12, marker, 8);
    memcpy(&snp_guest_regs(g)->r13, marker + 8, 8);
    for (;;) {
        uint8_t op = take(c);
        uint64_t gpa = (uint64_t)(take(c) & 31) << 12 | (uint64_t)(take(c) & 0xF0);
        uint8_t buf[16];
        uint32_t out[4];

        switch (op % 8) {
        case 0:
            snp_guest_write(g, gpa | cm, marker, sizeof(marker));
            break;
        case 1:
            snp_guest_read(g, gpa | cm, buf, sizeof(buf));
            break;
        case 2:
            (void)snp_guest_pvalidate(g, gpa, (op & 0x10) != 0, (op & 0x20) != 0);
            break;
        case 3:
            (void)snp_guest_rmpadjust(g, gpa, false, (uint64_t)take(c) | (uint64_t)take(c) << 8);
            break;
        case 4:
            snp_guest_vmgexit(g);
            break;
        case 5:
            snp_guest_cpuid(g, 0x8000001F, 0, out);
            break;
        case 6:
            memset(buf, op, sizeof(buf));
            snp_guest_write(g, gpa, buf, sizeof(buf));
            break;
        default:
            if (c->n == 0 || op == 0xFF) {
                return;
            }
            snp_guest_hlt(g);
            break;
        }
    }
}

static struct snp_machine *
setup(struct cur *c, uint32_t *vcpu)
{
    struct snp_machine_config cfg;
    struct snp_machine *m = NULL;
    struct snp_vmsa v;
    uint8_t page[SNP_VMSA_SIZE], key[32];
    uint32_t vm = 0;
    struct snp_rmp_entry e;

    snp_machine_config_default(&cfg);
    cfg.dram_size = DRAM;
    cfg.max_vcpus = 1;
    cfg.max_vms = 1;
    cfg.guest_max_pages = 64;
    cfg.cache_lines = 8;
    if (snp_machine_new(&m, &cfg) != SNP_OK) {
        die("setup", "machine");
    }
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0xA5 ^ (i * 37));
    }
    if (snp_host_vm_create(m, SNP_VM_SNP, 1, &vm) != SNP_OK ||
        snp_keyslot_program(m, 1, key, sizeof(key)) != SNP_OK) {
        die("setup", "vm");
    }
    for (uint64_t i = 0; i < 16; i++) {
        memset(&e, 0, sizeof(e));
        e.assigned = true;
        e.asid = 1;
        e.gpa = i << 12;
        e.validated = true;
        if (snp_host_npt_set(m, vm, i, (GBASE + (i << 12)) | SNP_NPT_PRESENT | SNP_NPT_WRITE) !=
                SNP_OK ||
            (i < 15 && snp_fw_rmp_set(m, GBASE + (i << 12), &e) != SNP_OK)) {
            die("setup", "pages");
        }
    }
    if (snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0xA10F11,
                       SNP_VMSA_FEAT_SNP_ACTIVE |
                           (take(c) & 1 ? SNP_VMSA_FEAT_RESTRICTED_INJECTION : 0)) != SNP_OK ||
        snp_vmsa_encode(page, &v) != SNP_OK ||
        snp_fw_mem_write(m, VMSA_SPA, 1, page, sizeof(page)) != SNP_OK) {
        die("setup", "vmsa");
    }
    memset(&e, 0, sizeof(e));
    e.assigned = true;
    e.asid = 1;
    e.gpa = UINT64_C(0xFFFFFFFFF000);
    e.validated = true;
    e.vmsa = true;
    if (snp_fw_rmp_set(m, VMSA_SPA, &e) != SNP_OK ||
        snp_host_vcpu_create(m, vm, VMSA_SPA, guest, c, vcpu) != SNP_OK ||
        snp_host_vcpu_set_tick(m, *vcpu, 64) != SNP_OK) {
        die("setup", "vcpu");
    }
    return m;
}

static void
host_step(struct snp_machine *m, uint32_t vcpu, struct cur *c, bool *dead)
{
    uint8_t op = take(c);
    uint64_t pfn = take(c);
    uint64_t spa = (pfn < 4 ? GBASE : UINT64_C(0x100000)) + (pfn << 12) % DRAM;
    uint8_t buf[4096];
    uint64_t err = 0;
    struct snp_vmexit ex;

    spa %= DRAM;
    switch (op % 10) {
    case 0: {
        uint8_t f = take(c);
        struct snp_rmpupdate_desc d = {(uint64_t)(take(c) & 31) << 12, (f & 1) != 0, (f & 2) != 0,
                                       (f & 4) != 0, (uint32_t)(f >> 3) % 3};
        if (d.page_2m) {
            spa &= ~(uint64_t)(SNP_2M_SIZE - 1);
            d.gpa &= ~(uint64_t)(SNP_2M_SIZE - 1);
        }
        (void)snp_host_rmpupdate(m, spa, &d);
        break;
    }
    case 1:
        (void)snp_host_psmash(m, spa & ~(uint64_t)(SNP_2M_SIZE - 1));
        break;
    case 2:
        memset(buf, op, 64);
        (void)snp_host_write(m, spa, buf, 64, &err);
        break;
    case 3:
        if (snp_host_read(m, spa, buf, sizeof(buf)) == SNP_HW_OK && has_marker(buf, sizeof(buf))) {
            die("leak", "host read found the guest secret");
        }
        break;
    case 4:
        (void)snp_host_npt_set(m, 0, take(c) & 63, (spa & SNP_NPT_FRAME_MASK) | (take(c) & 0x8B));
        break;
    case 5:
        (void)snp_host_inject(m, vcpu, SNP_VMSA_EVENTINJ_VALID | take(c) | (uint64_t)3 << 8);
        break;
    case 6:
    case 7:
        if (!*dead) {
            if (snp_host_vmrun(m, vcpu, &ex) != SNP_OK) {
                *dead = true;
            }
        }
        break;
    case 8:
        if ((op & 0x10) != 0) {
            (void)snp_host_invd(m);
        } else {
            (void)snp_host_wbinvd(m);
        }
        break;
    default:
        (void)snp_host_vcpu_set_tick(m, vcpu, 1 + take(c) % 64);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cur c = {data, size};
    uint32_t vcpu = 0;
    struct snp_machine *m = setup(&c, &vcpu);
    static uint8_t buf[1 << 16];
    char why[160];
    bool dead = false;

    while (c.n > 0) {
        host_step(m, vcpu, &c, &dead);
        if (snp_machine_check_invariants(m, why, sizeof(why)) != SNP_OK) {
            die("invariant", why);
        }
    }
    (void)snp_host_wbinvd(m);
    for (uint64_t spa = 0; spa < DRAM; spa += sizeof(buf)) {
        if (snp_host_read(m, spa, buf, sizeof(buf)) != SNP_HW_OK || has_marker(buf, sizeof(buf))) {
            die("leak", "final scan found the guest secret");
        }
    }
    snp_machine_free(m);
    return 0;
}
