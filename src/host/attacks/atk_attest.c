/*
 * host/attacks/atk_attest.c - attacks a verifier must catch (THREAT-MODEL.md A2, A3; attacks.md:
 * report replay/relay, policy downgrade, "Undeserved Trust" (Wilke et al., permutation-agnostic
 * launch measurement), TCB rollback and old TCB). The hypervisor chooses the launch inputs and
 * the firmware (H7) and relays reports (H6); the evidence is the report, judged by the
 * caller's verifier (snpkit verify with a policy).
 */
#include "host/attacks/atk_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/measure.h"
#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"
#include "snpkit/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Launch @l, ask for one report over @rd, shut the guest down. */
static snp_err
get_report(struct snp_atk_ctx *c, const struct snp_vmm_launch *l, const uint8_t rd[64],
           uint8_t report[SNP_REPORT_SIZE])
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

static void
judge_verifier(bool accepted, const char *why, const char *what, struct snp_atk_observed *obs)
{
    if (accepted) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED, "%s: verifier accepted", what);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER, "%s: verifier rejected: %s", what, why);
    }
}

/* A3: a report made over nonce N1, presented to a verifier that sent N2. */
snp_err
atk_report_relay(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], n1[64], n2[64];
    char h1[129], h2[129], why[256];
    const char *pol1[] = {"expect-report-data", h1, NULL};
    const char *pol2[] = {"expect-report-data", h2, NULL};
    bool ok1 = false, ok2 = false;

    memset(n1, 0x11, sizeof(n1));
    memset(n2, 0x22, sizeof(n2));
    SNP_TRY(snp_hex_encode(h1, sizeof(h1), n1, 64));
    SNP_TRY(snp_hex_encode(h2, sizeof(h2), n2, 64));
    atk_launch_default(c, &l);
    SNP_TRY(get_report(c, &l, n1, rep));
    atk_trace(c, SNP_ATK_ACT_HV, "relay the report made for nonce 11.. to a verifier of 22..");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol1, &ok1, why, sizeof(why)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol2, &ok2, why, sizeof(why)));
    judge_verifier(ok2, why,
                   ok1 ? "report for nonce 11.. (accepted for 11..) relayed to 22.."
                       : "report for nonce 11.. (refused even for 11..)",
                   obs);
    return SNP_OK;
}

/* Policy downgrade: the host launches with POLICY.DEBUG (the PSP would decrypt for it). */
snp_err
atk_policy_debug(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64];
    char why[256];
    bool ok = false;
    uint64_t pol = 0;

    memset(rd, 0x33, sizeof(rd));
    atk_launch_default(c, &l);
    l.policy = UINT64_C(0x30000) | SNP_POLICY_DEBUG;
    atk_trace(c, SNP_ATK_ACT_HV, "LAUNCH_START with policy 0x%llx (DEBUG)",
              (unsigned long long)l.policy);
    SNP_TRY(get_report(c, &l, rd, rep));
    for (unsigned i = 0; i < 8; i++) {
        pol |= (uint64_t)rep[0x08 + i] << (8 * i);
    }
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &ok, why, sizeof(why)));
    judge_verifier(
        ok, why, pol & SNP_POLICY_DEBUG ? "report POLICY has DEBUG" : "report POLICY without DEBUG",
        obs);
    return SNP_OK;
}

/* Undeserved Trust: the same pages in another order. */
snp_err
atk_undeserved_trust(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch good, bad;
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t *fw_good = malloc(SNP_VMM_FW_SIZE), *fw_bad = malloc(SNP_VMM_FW_SIZE);
    uint8_t *scratch = malloc(SNP_VMM_FW_SIZE);
    uint8_t want[48], rep[SNP_REPORT_SIZE], rd[64];
    char hex[97], why[256];
    const char *pol[] = {"expect-measurement", hex, NULL};
    size_t n = 0;
    bool ok = false;
    snp_err err = SNP_E_NOMEM;

    if (fw_good == NULL || fw_bad == NULL || scratch == NULL) {
        goto out;
    }
    /* The legitimate image: two distinct code pages A, B at the start of the firmware. */
    snp_vmm_fw_build(fw_good);
    memset(fw_good, 0xAA, SNP_PAGE_SIZE);
    memset(fw_good + SNP_PAGE_SIZE, 0xBB, SNP_PAGE_SIZE);
    memcpy(fw_bad, fw_good, SNP_VMM_FW_SIZE);
    memcpy(fw_bad, fw_good + SNP_PAGE_SIZE, SNP_PAGE_SIZE);
    memcpy(fw_bad + SNP_PAGE_SIZE, fw_good, SNP_PAGE_SIZE);
    atk_launch_default(c, &good);
    good.fw = fw_good;
    good.fw_len = SNP_VMM_FW_SIZE;
    bad = good;
    bad.fw = fw_bad;
    err = snp_vmm_measure_params(&good, scratch, &h, &p);
    if (err == SNP_OK) {
        err = snp_measure(&p, want, &n, NULL);
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_hex_encode(hex, sizeof(hex), want, 48);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "launch the image with pages 0 and 1 swapped (same page set)");
    memset(rd, 0x44, sizeof(rd));
    err = get_report(c, &bad, rd, rep);
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_verify(c, rep, sizeof(rep), pol, &ok, why, sizeof(why));
    if (err != SNP_OK) {
        goto out;
    }
    judge_verifier(ok, why,
                   memcmp(rep + 0x90, want, 48) == 0 ? "MEASUREMENT equals the expected digest"
                                                     : "MEASUREMENT differs from the expected",
                   obs);
out:
    free(fw_good);
    free(fw_bad);
    free(scratch);
    return err;
}

/* SNP_CMD_SIM_FW_UPDATE with @tcb (commit when @commit). */
static snp_err
fw_update(struct snp_atk_ctx *c, uint64_t tcb, bool commit, uint32_t *fw)
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

static uint64_t
tcb_with(uint64_t raw, int snp_delta, int ucode_delta)
{
    struct snp_tcb t;

    if (snp_tcb_decode(&t, raw, SNP_PRODUCT_GENOA) != SNP_OK) {
        return 0;
    }
    t.snp = (uint8_t)(t.snp + snp_delta);
    t.microcode = (uint8_t)(t.microcode + ucode_delta);
    return snp_tcb_encode(&t);
}

/* The machine's committed TCB, from a report (offset 0x1E0 COMMITTED_TCB). */
static uint64_t
rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Rollback: install firmware whose SNP SVN is below the committed one. */
snp_err
atk_tcb_rollback(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64];
    uint64_t committed, old;
    uint32_t fw = 0;

    memset(rd, 0x55, sizeof(rd));
    atk_launch_default(c, &l);
    SNP_TRY(get_report(c, &l, rd, rep));
    committed = rd64(rep + 0x1E0);
    old = tcb_with(committed, -1, 0);
    SNP_TRY(fw_update(c, old, true, &fw));
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

/* Old TCB: install the fixed firmware (SNP SVN + 1) but never commit it: REPORTED_TCB stays. */
snp_err
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
    SNP_TRY(get_report(c, &l, rd, rep)); /* learn the platform's TCB, as the host can */
    committed = rd64(rep + 0x1E0);
    fixed = tcb_with(committed, 1, 0);
    SNP_TRY(fw_update(c, fixed, false, &fw));
    SNP_ENSURE(fw == SNP_FW_SUCCESS, SNP_E_STATE);
    SNP_TRY(snp_tcb_decode(&t, fixed, SNP_PRODUCT_GENOA));
    /* The relying party requires the fixed firmware's SVN. */
    snprintf(min, sizeof(min), "reported:snp=%u", t.snp);
    memset(rd, 0x67, sizeof(rd));
    l.asid = 2; /* a new guest: the first one's ASID is not flushed for reuse yet */
    SNP_TRY(get_report(c, &l, rd, rep));
    atk_trace(c, SNP_ATK_ACT_GUEST, "report: REPORTED_TCB 0x%016llx, CURRENT_TCB 0x%016llx",
              (unsigned long long)rd64(rep + 0x180), (unsigned long long)rd64(rep + 0x38));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol, &ok, why, sizeof(why)));
    judge_verifier(ok, why, "REPORTED_TCB below the fixed firmware's", obs);
    return SNP_OK;
}

/* Forge a report from a genuine one: a backdoored image's MEASUREMENT and the verifier's
 * nonce the guest never saw. Returns the genuine REPORTED_TCB. */
static uint64_t
forge(uint8_t rep[SNP_REPORT_SIZE], const uint8_t nonce[64], const uint8_t meas[48])
{
    memcpy(rep + 0x50, nonce, 64);
    memcpy(rep + 0x90, meas, 48);
    memset(rep + 0x2A0, 0, SNP_REPORT_SIZE - 0x2A0);
    return rd64(rep + 0x180);
}

/*
 * N10: a VCEK leaked at TCB X (a physical or firmware key extraction) signs reports the
 * hypervisor makes up. Enabling condition: the key. Defence: only revocation by TCB: the
 * verifier requires REPORTED_TCB above X (the fixed firmware re-keys the VCEK). Without that
 * minimum the forgery verifies (the threat model concedes it: the verifier cannot tell).
 */
snp_err
atk_n10_leaked_vcek(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct snp_tcb t;
    uint8_t rep[SNP_REPORT_SIZE], rd[64], nonce[64], meas[48];
    char hn[129], hm[97], min[64], why1[256], why2[256];
    const char *pol1[] = {"expect-report-data", hn, "expect-measurement", hm, NULL};
    const char *pol2[] = {"expect-report-data", hn, "expect-measurement", hm, "min-tcb", min, NULL};
    bool ok1 = false, ok2 = false;
    uint64_t x;

    memset(rd, 0x77, sizeof(rd));
    memset(nonce, 0x88, sizeof(nonce));
    memset(meas, 0xEE, sizeof(meas));
    SNP_TRY(snp_hex_encode(hn, sizeof(hn), nonce, 64));
    SNP_TRY(snp_hex_encode(hm, sizeof(hm), meas, 48));
    atk_launch_default(c, &l);
    SNP_TRY(get_report(c, &l, rd, rep)); /* a genuine report: CHIP_ID and TCB X */
    x = forge(rep, nonce, meas);
    atk_trace(c, SNP_ATK_ACT_HV, "forged MEASUREMENT ee.. and REPORT_DATA 88.. (verifier's nonce)");
    SNP_TRY(atk_sign(c, SNP_ATK_KEY_LEAKED_VCEK, x, rep, sizeof(rep)));
    SNP_TRY(snp_tcb_decode(&t, x, SNP_PRODUCT_GENOA));
    snprintf(min, sizeof(min), "reported:snp=%u", (unsigned)t.snp + 1u);
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol1, &ok1, why1, sizeof(why1)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), pol2, &ok2, why2, sizeof(why2)));
    if (!ok1) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "forgery with the VCEK at TCB 0x%016llx rejected even without a TCB "
                     "minimum (the forgery is broken): %s",
                     (unsigned long long)x, why1);
    } else if (ok2) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "forged report (VCEK at TCB 0x%016llx) accepted without a TCB minimum and "
                     "with min-tcb %s",
                     (unsigned long long)x, min);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER,
                     "forged report (VCEK at TCB 0x%016llx) ACCEPTED without a TCB minimum "
                     "(conceded, N10); rejected with min-tcb %s: %s",
                     (unsigned long long)x, min, why2);
    }
    return SNP_OK;
}

/*
 * A1: "software pretending": a report signed by a key the vendor never certified. Both halves
 * of the claim are observed: the genuine report of the same chip (VCEK chained to the trusted
 * ARK) must be ACCEPTED by the same verifier with the same policy, else a rejection of the
 * forgery would prove nothing (NOT_RUN with the reason).
 */
snp_err
atk_a1_forged_signer(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    uint8_t rep[SNP_REPORT_SIZE], rd[64], nonce[64], meas[48];
    char why[256], why_genuine[256];
    bool ok = false, genuine = false;

    memset(rd, 0x99, sizeof(rd));
    memset(nonce, 0xAB, sizeof(nonce));
    memset(meas, 0xEE, sizeof(meas));
    atk_launch_default(c, &l);
    SNP_TRY(get_report(c, &l, rd, rep)); /* the real CHIP_ID and TCB, to look genuine */
    atk_trace(c, SNP_ATK_ACT_HV, "control: the genuine report, as the chip signed it");
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &genuine, why_genuine, sizeof(why_genuine)));
    (void)forge(rep, nonce, meas);
    atk_trace(c, SNP_ATK_ACT_HV, "forged MEASUREMENT ee.. and REPORT_DATA ab..");
    SNP_TRY(atk_sign(c, SNP_ATK_KEY_UNCERTIFIED, 0, rep, sizeof(rep)));
    SNP_TRY(atk_verify(c, rep, sizeof(rep), NULL, &ok, why, sizeof(why)));
    if (!genuine) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the genuine report of the chip was rejected too (%s): the verifier does "
                     "not show A1's positive half, so the forgery's verdict proves nothing",
                     why_genuine);
        return SNP_OK;
    }
    judge_verifier(ok, why,
                   "genuine report ACCEPTED (VCEK chained to the trusted ARK); report "
                   "signed by an uncertified key",
                   obs);
    return SNP_OK;
}
