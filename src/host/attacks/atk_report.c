/*
 * host/attacks/atk_report.c - what the attestation scenarios share (THREAT-MODEL.md A1-A3, I3,
 * N7, N10; attacks.md: report replay/relay, policy downgrade, "Undeserved Trust", TCB rollback
 * and old TCB, guest-request replay): one report from a fresh guest, the verifier's verdict as
 * an outcome, firmware updates and TCB arithmetic, a report forged from a genuine one, the
 * launch digest computed without the PSP, and a guest with two guest requests answered. The
 * hypervisor chooses the launch inputs and the firmware (H7) and relays reports and guest
 * messages (H6); the evidence is the report, judged by the caller's verifier (snpkit verify
 * with a policy).
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/fwstatus.h"
#include "snpkit/measure.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <stdlib.h>
#include <string.h>

#define MEAS_LEN 48u

/* Launch @l, ask for one report over @rd, shut the guest down. */
snp_err
atk_get_report(struct snp_atk_ctx *c, const struct snp_vmm_launch *l, const uint8_t rd[64],
               uint8_t *report)
{
    struct atk_vm vm;
    uint8_t msg[128];
    snp_err err;

    err = atk_vm_start(c, &vm, l, msg, atk_msg_report(msg, rd));
    if (err == SNP_OK) {
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    }
    if (err == SNP_OK &&
        (vm.st.stop != SNP_VMM_RUNNING || vm.last_len < 4 + SNP_REPORT_SIZE || vm.last[1] != 0)) {
        err = SNP_E_STATE;
    }
    if (err == SNP_OK) {
        memcpy(report, vm.last + 4, SNP_REPORT_SIZE);
        atk_trace(c, SNP_ATK_ACT_GUEST, "returned a signed report");
    }
    atk_vm_free(&vm);
    return err;
}

void
atk_judge_verifier(bool accepted, const char *why, const char *what, struct snp_atk_observed *obs)
{
    if (accepted) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "%s: verifier accepted", what);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER, "%s: verifier rejected: %s", what, why);
    }
}

/* SNP_CMD_SIM_FW_UPDATE with @tcb (commit when @commit). */
snp_err
atk_fw_update(struct snp_atk_ctx *c, uint64_t tcb, bool commit, uint32_t *fw)
{
    uint8_t buf[SNP_CMD_SIM_FW_UPDATE_SIZE];
    uint64_t pf = 0, spa = atk_spare_page(c, 1);

    memset(buf, 0, sizeof(buf));
    for (unsigned i = 0; i < 8; i++) {
        buf[i] = (uint8_t)(tcb >> (8 * i));
    }
    buf[8] = 40;
    buf[9] = 55;
    buf[10] = 1;
    buf[0x0C] = commit ? 1 : 0;
    SNP_ENSURE(snp_host_write(c->m, spa, buf, sizeof(buf), &pf) == SNP_HW_OK, SNP_E_STATE);
    SNP_TRY(snp_host_psp_command(c->m, SNP_CMD_SIM_FW_UPDATE, spa, fw));
    atk_trace(c, SNP_ATK_ACT_FW, "firmware update to TCB 0x%016llx%s: status 0x%x %s",
              (unsigned long long)tcb, commit ? " (commit)" : "", *fw, snp_fw_status_name(*fw));
    return SNP_OK;
}

uint64_t
atk_tcb_with(uint64_t raw, int snp_delta, int ucode_delta)
{
    struct snp_tcb t;

    if (snp_tcb_decode(&t, raw, SNP_PRODUCT_GENOA) != SNP_OK) {
        return 0;
    }
    t.snp = (uint8_t)(t.snp + snp_delta);
    t.microcode = (uint8_t)(t.microcode + ucode_delta);
    return snp_tcb_encode(&t);
}

/* Forge a report from a genuine one: a backdoored image's MEASUREMENT and the verifier's
 * nonce the guest never saw. Returns the genuine REPORTED_TCB. */
uint64_t
atk_forge_report(uint8_t *rep, const uint8_t nonce[64], const uint8_t meas[48])
{
    memcpy(rep + 0x50, nonce, 64);
    memcpy(rep + 0x90, meas, 48);
    memset(rep + 0x2A0, 0, SNP_REPORT_SIZE - 0x2A0);
    return snp_le64(rep + 0x180);
}

/* The launch digest of @l from its inputs alone (no PSP): A2's reference value
 * (n7-backdoored-image) and what the aTLS client expects (n4-io-atls). */
snp_err
atk_expected_digest(const struct snp_vmm_launch *l, uint8_t out[MEAS_LEN])
{
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t digest[SNP_MEASURE_MAX_OUT];
    uint8_t *scratch = malloc(SNP_VMM_FW_SIZE);
    size_t n = 0;
    snp_err err = SNP_E_NOMEM;

    if (scratch != NULL) {
        err = snp_vmm_measure_params(l, scratch, &h, &p);
    }
    if (err == SNP_OK) {
        err = snp_measure(&p, digest, &n, NULL);
    }
    if (err == SNP_OK && n != MEAS_LEN) {
        err = SNP_E_STATE;
    }
    if (err == SNP_OK) {
        memcpy(out, digest, MEAS_LEN);
    }
    free(scratch);
    return err;
}

/* Boot with REPORT A pending, let the guest answer it with REPORT B queued. */
snp_err
atk_two_requests(struct snp_atk_ctx *c, struct atk_vm *vm)
{
    struct snp_vmm_launch l;
    uint8_t rd[64], msg[128];

    atk_launch_default(c, &l);
    memset(rd, 0xA1, sizeof(rd));
    SNP_TRY(atk_vm_start(c, vm, &l, msg, atk_msg_report(msg, rd)));
    memset(rd, 0xB2, sizeof(rd));
    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_report(msg, rd)));
    SNP_ENSURE(vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 && vm->last[1] == 0,
               SNP_E_STATE);
    return SNP_OK;
}

/* atk_two_requests(), then the host's copy of the shared page at @gpa (*spa its SPA) in @old. */
snp_err
atk_two_requests_kept(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t gpa, uint64_t *spa,
                      uint8_t *old)
{
    SNP_TRY(atk_two_requests(c, vm));
    SNP_ENSURE(atk_gpa_spa(vm, gpa, spa), SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, *spa, old, SNP_PAGE_SIZE) == SNP_HW_OK, SNP_E_STATE);
    return SNP_OK;
}
