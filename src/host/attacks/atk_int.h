/*
 * host/attacks/atk_int.h - what the scenario files share: the run context, the victim VM
 * driven exit by exit through the honest VMM, and trace/evidence helpers (STYLE.md §9.3).
 *
 * The attacker is the hypervisor: it uses sim/host_if.h and the VMM's own bookkeeping
 * (host/vmm_int.h: which SPA backs which GPA, the VM and ASID), never the guest's view.
 */
#ifndef SNP_HOST_ATK_INT_H
#define SNP_HOST_ATK_INT_H

#include "base/compiler.h"
#include "host/vmm_int.h"
#include "sim/host_if.h"
#include "snpkit/attack.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATK_MSG_MAX 8192u /* a channel message kept by the harness */

#if defined(__GNUC__)
#define ATK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ATK_PRINTF(f, a)
#endif

struct snp_atk_ctx {
    const struct snp_atk_env *env;
    enum snp_atk_profile profile;
    struct snp_machine *m;
    uint64_t rng_state;
};

/* The victim: the caller's guest program under the honest VMM. */
struct atk_vm {
    struct snp_atk_ctx *c;
    struct snp_vmm *v;
    struct snp_vmm_status st;
    uint32_t fw_status;
    unsigned chan_calls;
    /* the next message handed to the guest */
    uint8_t next[ATK_MSG_MAX];
    size_t next_len;
    /* the guest's last message */
    uint8_t last[ATK_MSG_MAX];
    size_t last_len;
};

void atk_trace(struct snp_atk_ctx *c, enum snp_atk_actor who, const char *fmt, ...)
    ATK_PRINTF(3, 4);
void atk_evidence(struct snp_atk_observed *obs, enum snp_atk_outcome o, const char *fmt, ...)
    ATK_PRINTF(3, 4);

/* snp_vmm_launch_default() with the env's guest. */
void atk_launch_default(struct snp_atk_ctx *c, struct snp_vmm_launch *l);

/*
 * atk_vm_start() - launch @l and run the guest until it says HELLO; the guest is then paused
 * at that exit with @first_req (channel message) handed to it. SNP_E_STATE (with a trace line)
 * when the launch or the boot fails.
 */
snp_err atk_vm_start(struct snp_atk_ctx *c, struct atk_vm *vm, const struct snp_vmm_launch *l,
                     const uint8_t *first_req, size_t first_len);
/*
 * atk_vm_exchange() - resume until the guest answers the pending request (or stops); @req is
 * handed to it next. Returns SNP_OK with vm->last (the answer) or vm->st.stop != RUNNING.
 */
snp_err atk_vm_exchange(struct atk_vm *vm, const uint8_t *req, size_t len);
/* Resume for one more VMEXIT. */
snp_err atk_vm_step(struct atk_vm *vm);
void atk_vm_free(struct atk_vm *vm);

/* Channel messages the agent app serves (docs/guest.md). */
size_t atk_msg_report(uint8_t *out, const uint8_t report_data[64]);
size_t atk_msg_shutdown(uint8_t *out);

/* The SPA behind guest frame @gpa (RAM and firmware image). */
bool atk_gpa_spa(const struct atk_vm *vm, uint64_t gpa, uint64_t *spa);
/* A free host page far from the VMM's allocations (top of DRAM - @n pages). */
uint64_t atk_spare_page(const struct snp_atk_ctx *c, unsigned n);

/* The guest's stop as one phrase ("terminated (1,2)", "shut down", "running"). */
const char *atk_stop_text(const struct atk_vm *vm, char *buf, size_t size);
/* Whether the guest stopped by its own GHCB termination request. */
bool atk_guest_terminated(const struct atk_vm *vm);

/* Verifier through the env: SNP_ATK_NOT_RUN in *obs when there is none. */
snp_err atk_verify(struct snp_atk_ctx *c, const uint8_t *report, size_t len,
                   const char *const *policy, bool *accepted, char *why, size_t why_size);

/* Signer through the env (forged evidence): SNP_E_UNSUPPORTED when there is none. */
snp_err atk_sign(struct snp_atk_ctx *c, enum snp_atk_key key, uint64_t tcb, uint8_t *report,
                 size_t len);

/* Scenario families (one file each). */
snp_err atk_c1_read_private(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_i1_write_private(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_i1_reclaim(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_i2_swap_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_i4_remap(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_i3_replay_page(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_greq_replay_rsp(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_greq_replay_req(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_report_relay(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_policy_debug(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_undeserved_trust(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_tcb_rollback(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_old_tcb(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_n10_leaked_vcek(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_a1_forged_signer(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_badram_alias(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_cachewarp(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_dos_withhold(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_c2_vmsa_regs(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_c3_key_scan(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_cipherleaks(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_pf_channel(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_double_validation(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_cpuid_spoof(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_cpuid_launch(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_heckler(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
/* atk_starve.c: N2; atk_irq.c: N5 interrupt timing and WeSee; atk_guestbug.c: N6. */
snp_err atk_starve(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_irq_timing(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_wesee(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_guest_bug(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
/* atk_image.c: A2 positive half and N7; atk_forge.c: N10 with a leaked ASK; atk_phys.c: N8
 * physical replay; atk_crossline.c: CrossLine. */
snp_err atk_n7_backdoored_image(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_n10_leaked_ask(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_n8_phys_replay(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_crossline(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
/* atk_io.c: N4, I/O is visible (plain protocol; aTLS inside the guest). */
snp_err atk_n4_io_plain(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
snp_err atk_n4_io_atls(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
/* Launch @l, ask for one report over @rd into @report (SNP_REPORT_SIZE bytes), shut the guest
 * down (atk_image.c). SNP_E_STATE when the guest gave no report. */
snp_err atk_image_report(struct snp_atk_ctx *c, const struct snp_vmm_launch *l,
                         const uint8_t rd[64], uint8_t *report);
/* The kv app's working page as a plain VM's rollback read-back point (atk_leak.c): launch,
 * store record A, snapshot the page (WBINVD + host read, or DRAM cells with @phys, into @old,
 * SNP_PAGE_SIZE bytes; *kv its SPA), store record B (SHUTDOWN then pending, maybe cached). */
snp_err atk_kv_two_records(struct snp_atk_ctx *c, struct atk_vm *vm, bool phys, uint64_t *kv,
                           uint8_t *old);
/* The record the kv page at @kv holds in DRAM now (WBINVD, host read): 'A', 'B' or '?'. */
snp_err atk_kv_record(struct snp_atk_ctx *c, uint64_t kv, char *which);

#endif /* SNP_HOST_ATK_INT_H */
