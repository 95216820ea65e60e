/*
 * host/attacks/scn_double_validation.c - double-validation (attacks.md, "double validation" /
 * remapping after PVALIDATE), through the agent app's diagnostics op ACCEPT (docs/guest.md):
 * the host makes the guest validate a GPA it validated already. Enabling condition: the guest
 * does PVALIDATE whatever the host asks it to accept. Defence: the guest's validated bitmap
 * (never validate twice) and PVALIDATE's "no change" (CF=1) ending in a termination.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"

#include <string.h>

#define DV_GPA UINT64_C(0x3A000) /* free RAM (docs/vmm.md), the psctest pages */

static size_t
msg_accept(uint8_t *out, uint64_t gpa, uint32_t pages)
{
    memset(out, 0, 16);
    out[0] = SNP_CHAN_OP_ACCEPT;
    snp_put_le32(out + 4, (uint32_t)gpa);
    snp_put_le32(out + 8, (uint32_t)(gpa >> 32));
    snp_put_le32(out + 12, pages);
    return 16;
}

/* Double validation: accept DV_GPA, then ask the guest to accept it again. */
static snp_err
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
    s1 = atk_answer_status(&vm, SNP_CHAN_OP_ACCEPT);
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
    s2 = atk_answer_status(&vm, SNP_CHAN_OP_ACCEPT);
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

const struct snp_atk_scenario atk_scn_double_validation = {
    .id = "double-validation",
    .title = "make the guest validate a validated GPA again",
    .ref = "I2/I4, double validation",
    .cap = "H3",
    .condition = "the guest PVALIDATEs what the host asks it to accept",
    .defence = "guest's validated bitmap (never validate twice); PVALIDATE CF=1 terminates",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_GUEST, SNP_ATK_DETECTED_GUEST},
    .run = atk_double_validation,
};
