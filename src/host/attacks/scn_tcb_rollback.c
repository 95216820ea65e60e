/*
 * host/attacks/scn_tcb_rollback.c - tcb-rollback (attacks.md, TCB rollback): the host installs
 * the firmware (H7), here one older than the committed TCB. Shared with the other attestation
 * scenarios: atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/fwstatus.h"
#include "snpkit/report.h"

#include <string.h>

/* Rollback: install firmware whose SNP SVN is below the committed one. */
static snp_err
atk_tcb_rollback(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64];
    uint64_t committed, old;
    uint32_t fw = 0;

    memset(rd, 0x55, sizeof(rd));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, rd, rep));
    committed = snp_le64(rep + 0x1E0);
    old = atk_tcb_with(committed, -1, 0);
    SNP_TRY(atk_fw_update(c, old, true, &fw));
    if (fw == SNP_FW_SUCCESS) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "firmware rolled back to TCB 0x%016llx",
                     (unsigned long long)old);
    } else {
        atk_evidence(obs, SNP_ATK_REJECTED_FW,
                     "update to TCB 0x%016llx below the committed "
                     "0x%016llx: status 0x%x %s",
                     (unsigned long long)old, (unsigned long long)committed, fw,
                     snp_fw_status_name(fw));
    }
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_tcb_rollback = {
    .id = "tcb-rollback",
    .title = "install firmware older than the committed TCB",
    .ref = "TCB rollback",
    .cap = "H7",
    .condition = "the host installs firmware",
    .defence = "firmware anti-rollback: BAD_SVN",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_REJECTED_FW, SNP_ATK_REJECTED_FW},
    .run = atk_tcb_rollback,
};
