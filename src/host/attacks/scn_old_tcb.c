/*
 * host/attacks/scn_old_tcb.c - old-tcb (attacks.md, old TCB): the host installs the fixed
 * firmware (H7) but never commits it, so REPORTED_TCB stays old. Shared with the other
 * attestation scenarios: atk_report.c.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/fwstatus.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <stdio.h>
#include <string.h>

/* Old TCB: install the fixed firmware (SNP SVN + 1) but never commit it: REPORTED_TCB stays. */
static snp_err
atk_old_tcb(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64];
    uint64_t committed, fixed;
    uint32_t fw = 0;
    struct snp_tcb t;
    char min[64], why[256];
    const char *pol[] = {"min-tcb", min, NULL};
    bool ok = false;

    memset(rd, 0x66, sizeof(rd));
    atk_launch_default(c, &l);
    SNP_TRY(atk_get_report(c, &l, rd, rep)); /* learn the platform's TCB, as the host can */
    committed = snp_le64(rep + 0x1E0);
    fixed = atk_tcb_with(committed, 1, 0);
    SNP_TRY(atk_fw_update(c, fixed, false, &fw));
    SNP_ENSURE(fw == SNP_FW_SUCCESS, SNP_E_STATE);
    SNP_TRY(snp_tcb_decode(&t, fixed, SNP_PRODUCT_GENOA));
    /* The relying party requires the fixed firmware's SVN. */
    snprintf(min, sizeof(min), "reported:snp=%u", t.snp);
    memset(rd, 0x67, sizeof(rd));
    l.asid = 2; /* a new guest: the first one's ASID is not flushed for reuse yet */
    SNP_TRY(atk_get_report(c, &l, rd, rep));
    atk_trace(c, SNP_ATK_ACT_GUEST, "report: REPORTED_TCB 0x%016llx, CURRENT_TCB 0x%016llx",
              (unsigned long long)snp_le64(rep + 0x180), (unsigned long long)snp_le64(rep + 0x38));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol, &ok, why, sizeof(why)));
    atk_judge_verifier(ok, why, "REPORTED_TCB below the fixed firmware's", obs);
    return SNP_OK;
}

const struct snp_atk_scenario atk_scn_old_tcb = {
    .id = "old-tcb",
    .title = "keep the fixed firmware uncommitted",
    .ref = "TCB downgrade",
    .cap = "H7",
    .condition = "SNP_COMMIT withheld: REPORTED_TCB stays old",
    .defence = "verifier's minimum REPORTED_TCB",
    .profiles = ATK_P_SNPS,
    .expect = {ATK_UNDECLARED, SNP_ATK_DETECTED_VERIFIER, SNP_ATK_DETECTED_VERIFIER},
    .run = atk_old_tcb,
};
