/*
 * host/attacks/atk_guest.c - the hypervisor against the guest's own bookkeeping, through the
 * agent app's diagnostics ops (docs/guest.md: ACCEPT, CPUID, EVENTS):
 *
 * - double validation (attacks.md, "double validation" / remapping after PVALIDATE): the host
 *   makes the guest validate a GPA it validated already. Enabling condition: the guest does
 *   PVALIDATE whatever the host asks it to accept. Defence: the guest's validated bitmap
 *   (never validate twice) and PVALIDATE's "no change" (CF=1) ending in a termination.
 * - CPUID spoofing (attacks.md, CPUID): the host lies in its CPUID answers at run time (GHCB
 *   CPUID NAE; a plain VM's intercepted CPUID). Defence: the SNP CPUID page, checked by the
 *   firmware at launch and read by the guest instead of asking the host; and at launch, a
 *   host-proposed CPUID table with a value the CPU does not allow (snp_vmm_launch.cpuid_page):
 *   the firmware's check answers INVALID_PARAM and corrects the table.
 * - Heckler / WeSee (attacks.md): the host injects an interrupt (int 0x80) the guest never
 *   raised. Enabling condition: the host may inject any vector. Defence: RestrictedInjection
 *   in SEV_FEATURES (only #HV may be injected; VMRUN refuses anything else).
 */
#include "host/attacks/atk_int.h"

#include "snpkit/cpuid_page.h"
#include "snpkit/fwstatus.h"
#include "snpkit/ghcb.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define DV_GPA      UINT64_C(0x3A000) /* free RAM (docs/vmm.md), the psctest pages */
#define CPUID_LEAF  UINT32_C(0x8000001F)
#define HECKLER_VEC 0x80u

static void
put32le(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t
get32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t
msg_accept(uint8_t *out, uint64_t gpa, uint32_t pages)
{
    memset(out, 0, 16);
    out[0] = SNP_CHAN_OP_ACCEPT;
    put32le(out + 4, (uint32_t)gpa);
    put32le(out + 8, (uint32_t)(gpa >> 32));
    put32le(out + 12, pages);
    return 16;
}

/* The guest's answer status to op @op, or -1 when it did not answer that op. */
static int
answer_status(const struct atk_vm *vm, uint8_t op)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 ||
        vm->last[0] != (uint8_t)(op | SNP_CHAN_OP_RESPONSE)) {
        return -1;
    }
    return vm->last[1];
}

/* Double validation: accept DV_GPA, then ask the guest to accept it again. */
snp_err
atk_double_validation(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[16];
    int s1, s2;
    char b[96];
    snp_err err;

    atk_launch_default(c, &l);
    err = atk_vm_start(c, &vm, &l, msg, msg_accept(msg, DV_GPA, 1));
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "asked the guest to accept GPA 0x%llx",
              (unsigned long long)DV_GPA);
    err = atk_vm_exchange(&vm, msg, msg_accept(msg, DV_GPA, 1));
    if (err != SNP_OK) {
        goto out;
    }
    s1 = answer_status(&vm, SNP_CHAN_OP_ACCEPT);
    if (s1 != 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "first accept of GPA 0x%llx: status %d, guest %s",
                     (unsigned long long)DV_GPA, s1, atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "asks again to accept the validated GPA 0x%llx",
              (unsigned long long)DV_GPA);
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    s2 = answer_status(&vm, SNP_CHAN_OP_ACCEPT);
    if (atk_guest_terminated(&vm)) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "second validation of GPA 0x%llx: guest %s (PVALIDATE no change)",
                     (unsigned long long)DV_GPA, atk_stop_text(&vm, b, sizeof(b)));
    } else if (s2 == (int)(uint8_t)SNP_E_STATE) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "second accept of validated GPA 0x%llx refused by the guest: %s (its "
                     "validated bitmap); no PSC, no PVALIDATE issued",
                     (unsigned long long)DV_GPA, snp_err_str(SNP_E_STATE));
    } else if (s2 == 0) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "guest validated GPA 0x%llx twice (status 0)",
                     (unsigned long long)DV_GPA);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "second accept: status %d, guest %s", s2,
                     atk_stop_text(&vm, b, sizeof(b)));
    }
out:
    atk_vm_free(&vm);
    return err;
}

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
snp_err
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
    put32le(msg + 4, CPUID_LEAF);
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
    if (answer_status(&vm, SNP_CHAN_OP_CPUID) != 0 || vm.last_len < 20) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no CPUID answer from the guest; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    for (unsigned i = 0; i < 4; i++) {
        seen[i] = get32le(vm.last + 4 + 4 * i);
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

/* CPUID spoofing at launch: the host proposes a CPUID table whose leaf 0x8000001F claims 15
 * VMPLs (EBX 15:12), more than the CPU has; the firmware's check (§9.2) refuses and corrects
 * it. The guest then reports what its CPUID page says. */
snp_err
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
    put32le(msg + 4, CPUID_LEAF);
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
    if (answer_status(&vm, SNP_CHAN_OP_CPUID) != 0 || vm.last_len < 20) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no CPUID answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    seen = get32le(vm.last + 8);
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

/* Heckler / WeSee: inject int 0x80 while the guest waits on the channel; ask it what it got.
 * snp-patched launches with RestrictedInjection in SEV_FEATURES. */
snp_err
atk_heckler(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[8];
    uint64_t ev = SNP_VMSA_EVENTINJ_VALID | HECKLER_VEC; /* type 0: external interrupt */
    uint32_t count;
    char b[96];
    snp_err err;

    atk_launch_default(c, &l);
    if (c->profile == SNP_ATK_SNP_PATCHED) {
        l.guest_features = SNP_VMSA_FEAT_SNP_ACTIVE | SNP_VMSA_FEAT_RESTRICTED_INJECTION;
    }
    memset(msg, 0, sizeof(msg));
    msg[0] = SNP_CHAN_OP_EVENTS;
    err = atk_vm_start(c, &vm, &l, msg, 4);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "SEV_FEATURES 0x%llx; EVENTINJ 0x%llx (vector 0x%x, interrupt)",
              (unsigned long long)l.guest_features, (unsigned long long)ev, HECKLER_VEC);
    err = snp_host_inject(c->m, vm.v->vcpu_ids[0], ev);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    if (vm.st.stop == SNP_VMM_STOP_ERROR && vm.st.last_exit == SNP_EXIT_INVALID) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "VMRUN with EVENTINJ vector 0x%x refused (VMEXIT_INVALID): "
                     "RestrictedInjection lets only #HV in; the guest never saw it",
                     HECKLER_VEC);
    } else if (answer_status(&vm, SNP_CHAN_OP_EVENTS) == 0 && vm.last_len >= 10) {
        count = get32le(vm.last + 4);
        if (count > 0 && vm.last[8] == HECKLER_VEC) {
            atk_evidence(obs, SNP_ATK_SUCCEEDED,
                         "injected vector 0x%x reached the guest's handler (%u event(s), last "
                         "vector 0x%x type %u)",
                         HECKLER_VEC, count, vm.last[8], vm.last[9]);
        } else {
            atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                         "the guest's handler saw %u event(s): the injection was dropped", count);
        }
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no EVENTS answer; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
    }
out:
    atk_vm_free(&vm);
    return err;
}
