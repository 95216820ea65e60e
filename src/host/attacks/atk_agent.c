/*
 * host/attacks/atk_agent.c - the agent app's diagnostics ops as the attacker sees them
 * (docs/guest.md): the status of the guest's answer (double-validation, cpuid-spoof,
 * cpuid-spoof-launch, heckler-injection), and a guest that idles (HLT) between requests,
 * resumed one exit at a time for event injection (irq-timing, wesee-vc-injection).
 */
#include "host/attacks/atk_int.h"

#include "snpkit/util.h"
#include "snpkit/vmsa.h"

#include <string.h>

#define MAX_TO_IDLE 8u /* exits from a request to the guest's first HLT */

/* The guest's answer status to op @op, or -1 when it did not answer that op. */
int
atk_answer_status(const struct atk_vm *vm, uint8_t op)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 ||
        vm->last[0] != (uint8_t)(op | SNP_CHAN_OP_RESPONSE)) {
        return -1;
    }
    return vm->last[1];
}

/* Start the agent with the 4-byte request @op pending; on snp-patched the launch sets
 * RestrictedInjection in SEV_FEATURES (the injection scenarios' defence); *features the
 * launch's SEV_FEATURES. */
snp_err
atk_start_injectable(struct snp_atk_ctx *c, struct atk_vm *vm, uint8_t op, uint64_t *features)
{
    struct snp_vmm_launch l;
    uint8_t msg[4];

    atk_launch_default(c, &l);
    if (c->profile == SNP_ATK_SNP_PATCHED) {
        l.guest_features = SNP_VMSA_FEAT_SNP_ACTIVE | SNP_VMSA_FEAT_RESTRICTED_INJECTION;
    }
    *features = l.guest_features;
    memset(msg, 0, sizeof(msg));
    msg[0] = op;
    return atk_vm_start(c, vm, &l, msg, sizeof(msg));
}

/* Resume vCPU 0 for one exit; *hit tells whether it was a VMEXIT @code of the guest itself,
 * not a channel call (the exit code is in the VMCB's control area, which the host reads for an
 * SNP guest too). */
snp_err
atk_step_code(struct atk_vm *vm, uint64_t code, bool *hit)
{
    unsigned calls = vm->chan_calls;

    *hit = false;
    SNP_TRY(atk_vm_step(vm));
    if (vm->st.stop != SNP_VMM_RUNNING || vm->chan_calls != calls) {
        return SNP_OK;
    }
    *hit = vm->st.last_exit == code;
    return SNP_OK;
}

/* Resume vCPU 0 for one exit; *hlt tells whether it was the guest's HLT. */
snp_err
atk_step_exit(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt)
{
    (void)c;
    return atk_step_code(vm, SNP_EXIT_HLT, hlt);
}

/* Resume until the guest's next HLT; false when it answered, stopped or never idled. */
snp_err
atk_to_idle(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt)
{
    *hlt = false;
    for (unsigned n = 0; n < MAX_TO_IDLE && !*hlt && vm->st.stop == SNP_VMM_RUNNING; n++) {
        SNP_TRY(atk_step_exit(c, vm, hlt));
    }
    return SNP_OK;
}

bool
atk_vmrun_refused(const struct atk_vm *vm)
{
    return vm->st.stop == SNP_VMM_STOP_ERROR && vm->st.last_exit == SNP_EXIT_INVALID;
}

/* The guest's answer body to @op (status 0, at least @len bytes), or NULL. */
const uint8_t *
atk_answer(const struct atk_vm *vm, uint8_t op, size_t len)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 + len ||
        vm->last[0] != (uint8_t)(op | SNP_CHAN_OP_RESPONSE) || vm->last[1] != 0) {
        return NULL;
    }
    return vm->last + 4;
}
