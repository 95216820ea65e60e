/*
 * host/attacks/scn_starvation.c - resource starvation (THREAT-MODEL.md N2): the hypervisor
 * schedules the vCPU (H5) and may give it any share of the machine it likes. It slices time
 * into slots of SLOT_OPS guest operations (the preemption tick), runs the guest in every slot
 * for a baseline job, then only in one slot out of STARVE_K for the same job, and counts the
 * wall slots each took. The guest's WORK op (agent diagnostics, docs/guest.md) is the job and
 * its answer the progress counter.
 *
 * Enabling condition: the host schedules vCPUs. Defence: none, availability is outside the
 * SNP guarantees: the guest answers the same, the attestation report after the starved job
 * verifies, so the expected outcome is SNP_ATK_ALLOWED_DOS on every profile. A guest that
 * noticed (terminated, refused) would make it DETECTED_GUEST; a verifier that refused the
 * report, DETECTED_VERIFIER.
 */
#include "host/attacks/atk_int.h"

#include "base/rd.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <string.h>

#define STARVE_UNITS     256u    /* units of work per job: one guest memory operation each */
#define SLOT_OPS         16u     /* guest operations per slot (preemption tick) */
#define STARVE_K         4u      /* throttled: the vCPU runs in one slot out of STARVE_K */
#define STARVE_SLOTS_MAX 100000u /* give up (a guest that never answers) */

static size_t
msg_work(uint8_t *out, uint32_t units)
{
    memset(out, 0, 8);
    out[0] = SNP_CHAN_OP_WORK;
    snp_put_le32(out + 4, units);
    return 8;
}

/*
 * Run the pending job to its answer, the vCPU getting one VMRUN (at most SLOT_OPS guest
 * operations) in every @k-th wall slot; @next (@len bytes) is handed to the guest with the
 * answer. *slots gets the wall slots it took, *runs the VMRUNs.
 */
static snp_err
run_throttled(struct atk_vm *vm, unsigned k, const uint8_t *next, size_t len, uint64_t *slots,
              uint64_t *runs)
{
    unsigned calls = vm->chan_calls;
    uint64_t slot = 0;

    SNP_ENSURE(len <= sizeof(vm->next), SNP_E_RANGE);
    memcpy(vm->next, next, len);
    vm->next_len = len;
    vm->last_len = 0;
    *runs = 0;
    while (vm->chan_calls == calls && vm->st.stop == SNP_VMM_RUNNING) {
        SNP_ENSURE(slot < STARVE_SLOTS_MAX, SNP_E_STATE);
        if (slot++ % k != 0) {
            continue; /* the slot goes to someone else: the vCPU is not run */
        }
        SNP_TRY(atk_vm_step(vm));
        (*runs)++;
    }
    *slots = slot;
    return SNP_OK;
}

/* The guest's WORK answer: units done and checksum; false when it did not answer WORK. */
static bool
work_answer(const struct atk_vm *vm, uint32_t *units, uint32_t *sum)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 12 ||
        vm->last[0] != (SNP_CHAN_OP_WORK | SNP_CHAN_OP_RESPONSE) || vm->last[1] != 0) {
        return false;
    }
    *units = snp_le32(vm->last + 4);
    *sum = snp_le32(vm->last + 8);
    return true;
}

static snp_err
atk_starve(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[128], rd[64];
    uint64_t s1 = 0, s2 = 0, r1 = 0, r2 = 0;
    uint32_t u1 = 0, u2 = 0, sum1 = 0, sum2 = 0;
    bool plain = c->profile == SNP_ATK_PLAIN, accepted = false;
    char hex[129], why[256], b[96];
    snp_err err;

    memset(rd, 0x2E, sizeof(rd));
    atk_launch_default(c, &l);
    err = atk_vm_start(c, &vm, &l, msg, msg_work(msg, STARVE_UNITS));
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], SLOT_OPS);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "job 1: WORK %u units, the vCPU runs in every slot (%u guest operations each)",
              STARVE_UNITS, SLOT_OPS);
    err = run_throttled(&vm, 1, msg, msg_work(msg, STARVE_UNITS), &s1, &r1);
    if (err != SNP_OK) {
        goto out;
    }
    if (!work_answer(&vm, &u1, &sum1)) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "no answer to the first WORK; guest %s",
                     atk_stop_text(&vm, b, sizeof(b)));
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "job 1 done: %u units in %llu slots", u1,
              (unsigned long long)s1);
    atk_trace(c, SNP_ATK_ACT_HV, "job 2: the same WORK, the vCPU runs in 1 slot out of %u",
              STARVE_K);
    err = run_throttled(&vm, STARVE_K, msg, plain ? atk_msg_shutdown(msg) : atk_msg_report(msg, rd),
                        &s2, &r2);
    if (err != SNP_OK) {
        goto out;
    }
    if (!work_answer(&vm, &u2, &sum2)) {
        if (atk_guest_terminated(&vm)) {
            atk_evidence(obs, SNP_ATK_DETECTED_GUEST, "starved guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        } else {
            atk_evidence(obs, SNP_ATK_NOT_RUN, "no answer to the starved WORK; guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
        }
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_GUEST, "job 2 done: %u units in %llu slots (%llu runs)", u2,
              (unsigned long long)s2, (unsigned long long)r2);
    err = snp_host_vcpu_set_tick(c->m, vm.v->vcpu_ids[0], 0);
    if (err != SNP_OK) {
        goto out;
    }
    if (!plain) {
        /* the guest answers the REPORT the starved job's answer carried */
        const char *pol[] = {"expect-report-data", hex, NULL};
        err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
        if (err != SNP_OK) {
            goto out;
        }
        if (vm.st.stop != SNP_VMM_RUNNING || vm.last_len < 4 + SNP_REPORT_SIZE || vm.last[1] != 0) {
            atk_evidence(obs, SNP_ATK_NOT_RUN, "no report after the starved job; guest %s",
                         atk_stop_text(&vm, b, sizeof(b)));
            goto out;
        }
        err = snp_hex_encode(hex, sizeof(hex), rd, sizeof(rd));
        if (err == SNP_OK) {
            err = atk_verify(c, vm.last + 4, SNP_REPORT_SIZE, pol, &accepted, why, sizeof(why));
        }
        if (err != SNP_OK) {
            goto out;
        }
    }
    /* progress per slot, in thousandths of a unit */
    if (u1 != STARVE_UNITS || u2 != u1 || sum2 != sum1 || s1 == 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "jobs differ: %u/%u units, checksum 0x%08x/0x%08x", u1,
                     u2, sum1, sum2);
    } else if (s2 * 10 < s1 * STARVE_K * 8) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "throttling had no effect: %llu slots, then %llu with 1 slot in %u",
                     (unsigned long long)s1, (unsigned long long)s2, STARVE_K);
    } else if (!plain && !accepted) {
        atk_evidence(obs, SNP_ATK_DETECTED_VERIFIER, "report after the starved job rejected: %s",
                     why);
    } else {
        atk_evidence(obs, SNP_ATK_ALLOWED_DOS,
                     "progress %llu.%03llu -> %llu.%03llu units/slot (%llu -> %llu slots for %u "
                     "units, x%llu.%02llu slower, 1 slot in %u); the guest answered the same "
                     "(checksum 0x%08x), %s: nothing objected",
                     (unsigned long long)(u1 * 1000ull / s1 / 1000),
                     (unsigned long long)(u1 * 1000ull / s1 % 1000),
                     (unsigned long long)(u2 * 1000ull / s2 / 1000),
                     (unsigned long long)(u2 * 1000ull / s2 % 1000), (unsigned long long)s1,
                     (unsigned long long)s2, u1, (unsigned long long)(s2 / s1),
                     (unsigned long long)(s2 * 100 / s1 % 100), STARVE_K, sum1,
                     plain ? "no attestation in a plain VM" : "the report made after it verified");
    }
out:
    atk_vm_free(&vm);
    return err;
}

/* Availability is outside the SNP guarantees (THREAT-MODEL.md N1, N2): the hypervisor may
 * always refuse to run or kill a VM; the scenario shows it and that nothing objects. */
const struct snp_atk_scenario atk_scn_starvation = {
    .id = "starvation",
    .title = "run the vCPU in one time slice out of 4",
    .ref = "N2",
    .cap = "H5",
    .condition = "the host schedules vCPUs",
    .defence = "none (out of scope)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_ALLOWED_DOS, SNP_ATK_ALLOWED_DOS, SNP_ATK_ALLOWED_DOS},
    .run = atk_starve,
};
