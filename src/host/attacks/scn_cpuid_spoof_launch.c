/*
 * host/attacks/scn_cpuid_spoof_launch.c - cpuid-spoof-launch (attacks.md, CPUID), through the agent
 * app's diagnostics op CPUID (docs/guest.md): the host lies in its CPUID answers at run time (GHCB
 * CPUID NAE; a plain VM's intercepted CPUID). Defence: the SNP CPUID page, checked by the firmware
 * at launch and read by the guest instead of asking the host; and at launch, a host-proposed CPUID
 * table with a value the CPU does not allow (snp_vmm_launch.cpuid_page): the firmware's check
 * answers INVALID_PARAM and corrects the table. This file: the launch table; scn_cpuid_spoof.c the
 * run-time lie.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/cpuid_page.h"
#include "snpkit/fwstatus.h"

#include <string.h>

#define CPUID_LEAF UINT32_C(0x8000001F)

/* CPUID spoofing at launch: the host proposes a CPUID table whose leaf 0x8000001F claims 15
 * VMPLs (EBX 15:12), more than the CPU has; the firmware's check (§9.2) refuses and corrects
 * it. The guest then reports what its CPUID page says. */
static snp_err
atk_cpuid_launch(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    static const uint32_t leaves[] = {0x0, 0x1, 0x80000000, 0x80000001, 0x80000008, CPUID_LEAF};
    struct snp_vmm_launch l;
    struct snp_cpuid_page p;
    struct atk_vm vm;
    uint8_t page[SNP_CPUID_PAGE_SIZE], msg[12];
    uint32_t truth[4], lie = 0, seen;
    unsigned st;
    char b[96];
    snp_err err;

    memset(&vm, 0, sizeof(vm));
    memset(&p, 0, sizeof(p));
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        uint32_t out[4];
        snp_host_cpuid(c->m, leaves[i], 0, out);
        p.entries[p.count].eax_in = leaves[i];
        p.entries[p.count].eax = out[0];
        p.entries[p.count].ebx = out[1];
        p.entries[p.count].ecx = out[2];
        p.entries[p.count].edx = out[3];
        if (leaves[i] == CPUID_LEAF) {
            memcpy(truth, out, sizeof(truth));
            lie = (out[1] & ~0xF000u) | 0xF000u;
            p.entries[p.count].ebx = lie;
        }
        p.count++;
    }
    err = snp_cpuid_page_encode(page, &p);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "CPUID table for LAUNCH_UPDATE: leaf 0x%08x EBX 0x%08x (15 VMPLs; the CPU says "
              "0x%08x)",
              CPUID_LEAF, lie, truth[1]);
    memset(msg, 0, sizeof(msg));
    msg[0] = SNP_CHAN_OP_CPUID;
    snp_put_le32(msg + 4, CPUID_LEAF);
    atk_launch_default(c, &l);
    l.cpuid_page = page;
    err = atk_vm_start(c, &vm, &l, msg, sizeof(msg));
    if (err != SNP_OK) {
        goto out;
    }
    st = snp_vmm_info(vm.v)->cpuid_status;
    atk_trace(c, SNP_ATK_ACT_FW, "LAUNCH_UPDATE CPUID: %s (0x%x)", snp_fw_status_name(st), st);
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    if (atk_answer_status(&vm, SNP_CHAN_OP_CPUID) != 0 || vm.last_len < 20) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no CPUID answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    seen = snp_le32(vm.last + 8);
    atk_trace(c, SNP_ATK_ACT_GUEST, "CPUID 0x%08x EBX in the guest: 0x%08x", CPUID_LEAF, seen);
    if (st == SNP_FW_INVALID_PARAM && seen != lie) {
        atk_evidence(obs, SNP_ATK_REJECTED_FW,
                     "LAUNCH_UPDATE of the CPUID page: %s (0x%x), table corrected; the guest's "
                     "CPUID 0x%08x EBX 0x%08x (proposed 0x%08x, CPU 0x%08x)",
                     snp_fw_status_name(st), st, CPUID_LEAF, seen, lie, truth[1]);
    } else if (seen == lie) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "firmware status 0x%x; the guest's CPUID page carries the lie EBX 0x%08x", st,
                     seen);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "firmware status 0x%x; guest EBX 0x%08x", st, seen);
    }
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_cpuid_spoof_launch = {
    .id = "cpuid-spoof-launch",
    .title = "propose a CPUID table claiming 15 VMPLs at launch",
    .ref = "CPUID spoofing",
    .cap = "H7",
    .condition = "the host builds the CPUID page",
    .defence = "firmware CPUID check at LAUNCH_UPDATE: INVALID_PARAM, table corrected",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_REJECTED_FW, SNP_ATK_REJECTED_FW},
    .run = atk_cpuid_launch,
};
