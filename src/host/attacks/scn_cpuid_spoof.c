/*
 * host/attacks/scn_cpuid_spoof.c - cpuid-spoof (attacks.md, CPUID), through the agent app's
 * diagnostics op CPUID (docs/guest.md): the host lies in its CPUID answers at run time (GHCB CPUID
 * NAE; a plain VM's intercepted CPUID). Defence: the SNP CPUID page, checked by the firmware at
 * launch and read by the guest instead of asking the host; and at launch, a host-proposed
 * CPUID table with a value the CPU does not allow (snp_vmm_launch.cpuid_page): the firmware's
 * check answers INVALID_PARAM and corrects the table. This file: the run-time lie;
 * scn_cpuid_spoof_launch.c the launch table.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/ghcb.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define CPUID_LEAF UINT32_C(0x8000001F)

/* Rewrite the CPUID answer the VMM just gave: the GHCB (SNP) or the save area (plain). */
static bool
cpuid_lie(struct snp_atk_ctx *c, struct atk_vm *vm, const uint32_t truth[4])
{
    uint8_t page[SNP_VMSA_SIZE];
    uint64_t spa = 0, pf = 0;

    if (c->profile != SNP_ATK_PLAIN) {
        struct snp_ghcb g;
        if (vm->st.last_exit != SNP_NAE_CPUID || vm->v->ghcb_gpas[0] == 0 ||
            !atk_gpa_spa(vm, vm->v->ghcb_gpas[0], &spa) ||
            snp_host_read(c->m, spa, page, sizeof(page)) != SNP_HW_OK ||
            snp_ghcb_decode(&g, page, sizeof(page), NULL) != SNP_OK) {
            return false;
        }
        g.rax = 0; /* "no SEV, no SNP" */
        g.rbx = 0;
        return snp_ghcb_encode(page, &g) == SNP_OK &&
               snp_host_write(c->m, spa, page, sizeof(page), &pf) == SNP_HW_OK;
    } else {
        struct snp_vmsa s;
        spa = vm->v->vmsa_spa[0];
        if (snp_host_read(c->m, spa, page, sizeof(page)) != SNP_HW_OK ||
            snp_vmsa_decode(&s, page, sizeof(page), NULL) != SNP_OK) {
            return false;
        }
        /* the host recognises the answer it has just loaded into RAX/RBX */
        if ((uint32_t)s.rax != truth[0] || (uint32_t)s.rbx != truth[1]) {
            return false;
        }
        s.rax = 0;
        s.rbx = 0;
        return snp_vmsa_encode(page, &s) == SNP_OK &&
               snp_host_write(c->m, spa, page, sizeof(page), &pf) == SNP_HW_OK;
    }
}

/* CPUID spoofing at run time: every CPUID answer the host gives says "no SEV" (leaf
 * 0x8000001F EAX/EBX = 0); the agent reports what CPUID returned inside the guest. */
static snp_err
atk_cpuid_spoof(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[12];
    uint32_t truth[4], seen[4];
    unsigned lies = 0, calls;
    char b[96];
    snp_err err;

    memset(msg, 0, sizeof(msg));
    msg[0] = SNP_CHAN_OP_CPUID;
    snp_put_le32(msg + 4, CPUID_LEAF);
    snp_host_cpuid(c->m, CPUID_LEAF, 0, truth);
    atk_launch_default(c, &l);
    err = atk_vm_start(c, &vm, &l, msg, sizeof(msg));
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "the CPU says leaf 0x%08x EAX 0x%08x EBX 0x%08x; every CPUID answer from now on "
              "says 0, 0 (no SEV)",
              CPUID_LEAF, truth[0], truth[1]);
    /* hand the guest SHUTDOWN next, step exit by exit until it answers CPUID */
    vm.next_len = atk_msg_shutdown(vm.next);
    vm.last_len = 0;
    calls = vm.chan_calls;
    while (vm.chan_calls == calls && vm.st.stop == SNP_VMM_RUNNING) {
        err = atk_vm_step(&vm);
        if (err != SNP_OK) {
            goto out;
        }
        lies += cpuid_lie(c, &vm, truth);
    }
    atk_trace(c, SNP_ATK_ACT_HV, "lied in %u CPUID answer(s) the guest asked for", lies);
    if (atk_answer_status(&vm, SNP_CHAN_OP_CPUID) != 0 || vm.last_len < 20) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no CPUID answer from the guest; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    for (unsigned i = 0; i < 4; i++) {
        seen[i] = snp_le32(vm.last + 4 + 4 * i);
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "CPUID 0x%08x in the guest: EAX 0x%08x EBX 0x%08x", CPUID_LEAF,
              seen[0], seen[1]);
    if (lies > 0 && seen[0] == 0 && seen[1] == 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "the guest took the lie: CPUID 0x%08x EAX 0x%08x EBX 0x%08x (CPU: 0x%08x "
                     "0x%08x)",
                     CPUID_LEAF, seen[0], seen[1], truth[0], truth[1]);
    } else if (lies == 0 && (seen[0] != 0 || seen[1] != 0)) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "the guest never asked the host: CPUID 0x%08x from its measured CPUID page "
                     "(EAX 0x%08x EBX 0x%08x, CPU 0x%08x 0x%08x); the lie had no effect",
                     CPUID_LEAF, seen[0], seen[1], truth[0], truth[1]);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "%u lies; guest saw EAX 0x%08x EBX 0x%08x", lies,
                     seen[0], seen[1]);
    }
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_cpuid_spoof = {
    .id = "cpuid-spoof",
    .title = "lie in CPUID answers at run time (\"no SEV\")",
    .ref = "CPUID spoofing",
    .cap = "H6",
    .condition = "the host emulates CPUID (GHCB CPUID NAE / intercept)",
    .defence = "SNP CPUID page (firmware-checked at launch): the guest never asks the host",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_DETECTED_GUEST, SNP_ATK_DETECTED_GUEST},
    .run = atk_cpuid_spoof,
};
