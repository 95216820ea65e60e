/*
 * host/attacks/atk_int.h - what the attack files share (STYLE.md §9.3): the run context, the
 * victim VM driven exit by exit through the honest VMM, trace/evidence helpers, the scenario
 * descriptors and the helpers several scenarios use.
 *
 * The files: one per scenario, scn_<id>.c (the id with '-' as '_'), holding its descriptor
 * (atk_scn_<id>) beside its run function and the helpers only it uses; atk_harness.c (the
 * runner and the table, in order); atk_<topic>.c for what several scenarios share (atk_pages.c
 * guest memory, atk_report.c reports and guest requests, atk_kv.c the kv app, atk_agent.c the
 * agent's diagnostics ops, atk_watch.c the shared channel pages).
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

/* The verifier's answer in the trace: "could not check: ..." when @err (returned), else
 * ACCEPTED or REJECTED with @why. */
snp_err atk_trace_verdict(struct snp_atk_ctx *c, snp_err err, bool accepted, const char *why);

/* Signer through the env (forged evidence): SNP_E_UNSUPPORTED when there is none. */
snp_err atk_sign(struct snp_atk_ctx *c, enum snp_atk_key key, uint64_t tcb, uint8_t *report,
                 size_t len);

/* ---- descriptors (one scenario file each, scn_<id>.c) ---------------------------------- */

/* Descriptor shorthands: the profiles a scenario declares, expect[] of one it does not. */
#define ATK_P_SNPS     (SNP_ATK_PROFILE_BIT(SNP_ATK_SNP) | SNP_ATK_PROFILE_BIT(SNP_ATK_SNP_PATCHED))
#define ATK_P_ALL      (SNP_ATK_PROFILE_BIT(SNP_ATK_PLAIN) | ATK_P_SNPS)
#define ATK_UNDECLARED SNP_ATK_NOT_RUN /* profile not declared */

/* In the order of the table (atk_harness.c). */
extern const struct snp_atk_scenario atk_scn_c1_read_private;
extern const struct snp_atk_scenario atk_scn_c2_vmsa_regs;
extern const struct snp_atk_scenario atk_scn_c3_key_scan;
extern const struct snp_atk_scenario atk_scn_i1_write_private;
extern const struct snp_atk_scenario atk_scn_i1_reclaim_write;
extern const struct snp_atk_scenario atk_scn_i2_swap_page;
extern const struct snp_atk_scenario atk_scn_i4_remap_severed;
extern const struct snp_atk_scenario atk_scn_crossline;
extern const struct snp_atk_scenario atk_scn_i3_replay_page;
extern const struct snp_atk_scenario atk_scn_greq_replay_response;
extern const struct snp_atk_scenario atk_scn_greq_replay_request;
extern const struct snp_atk_scenario atk_scn_report_relay;
extern const struct snp_atk_scenario atk_scn_policy_debug;
extern const struct snp_atk_scenario atk_scn_undeserved_trust;
extern const struct snp_atk_scenario atk_scn_n7_backdoored_image;
extern const struct snp_atk_scenario atk_scn_tcb_rollback;
extern const struct snp_atk_scenario atk_scn_old_tcb;
extern const struct snp_atk_scenario atk_scn_n10_leaked_vcek;
extern const struct snp_atk_scenario atk_scn_n10_leaked_ask;
extern const struct snp_atk_scenario atk_scn_a1_forged_signer;
extern const struct snp_atk_scenario atk_scn_badram_alias;
extern const struct snp_atk_scenario atk_scn_n8_phys_replay;
extern const struct snp_atk_scenario atk_scn_cachewarp;
extern const struct snp_atk_scenario atk_scn_double_validation;
extern const struct snp_atk_scenario atk_scn_cpuid_spoof;
extern const struct snp_atk_scenario atk_scn_cpuid_spoof_launch;
extern const struct snp_atk_scenario atk_scn_heckler_injection;
extern const struct snp_atk_scenario atk_scn_wesee_vc_injection;
extern const struct snp_atk_scenario atk_scn_cipherleaks;
extern const struct snp_atk_scenario atk_scn_pf_channel;
extern const struct snp_atk_scenario atk_scn_irq_timing;
extern const struct snp_atk_scenario atk_scn_dos_withhold;
extern const struct snp_atk_scenario atk_scn_starvation;
extern const struct snp_atk_scenario atk_scn_guest_bug;
extern const struct snp_atk_scenario atk_scn_n4_io_plain;
extern const struct snp_atk_scenario atk_scn_n4_io_atls;

/* ---- guest memory (atk_pages.c) ---------------------------------------------------------- */

/* What the host writes into guest pages (the memory scenarios). */
extern const char atk_marker[16];

/* Start the victim with a REPORT pending (the guest will write its secrets page next). */
snp_err atk_start_with_report(struct snp_atk_ctx *c, struct atk_vm *vm);
/* atk_start_with_report(), then *spa the SPA behind the victim's page @gpa (the target);
 * SNP_E_STATE when it has none. */
snp_err atk_start_at(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t gpa, uint64_t *spa);
/* WBINVD, then the host's read of the secrets page of @vm (*spa its SPA) into @buf,
 * SNP_PAGE_SIZE bytes; SNP_E_STATE when it fails. */
snp_err atk_secrets_read(struct snp_atk_ctx *c, const struct atk_vm *vm, uint64_t *spa,
                         uint8_t *buf);
/* Resume with SHUTDOWN queued; *answered: whether the guest went on to answer the pending
 * REPORT (with any status). */
snp_err atk_finish(struct atk_vm *vm, bool *answered);
/* The guest's reaction to a substituted page, as an outcome. */
void atk_judge_guest(struct atk_vm *vm, bool answered, const char *what,
                     struct snp_atk_observed *obs);
/* RMPUPDATE @spa to the guest (@asid, @gpa) when @assigned, else to the hypervisor;
 * SNP_E_STATE when it fails. */
snp_err atk_rmpupdate(struct snp_atk_ctx *c, uint64_t spa, bool assigned, uint32_t asid,
                      uint64_t gpa);
/* Plain VM: start the agent, check one WORK over the boot block (its plaintext into @boot,
 * SNP_PAGE_SIZE bytes; *spa its SPA) and leave a second WORK pending. */
snp_err atk_plain_start(struct snp_atk_ctx *c, struct atk_vm *vm, uint8_t *boot, uint64_t *spa);
/* Plain VM: let the guest answer the pending WORK; SUCCEEDED when it read @want, not @boot. */
snp_err atk_plain_judge(struct atk_vm *vm, const uint8_t *boot, const uint8_t *want,
                        const char *what, struct snp_atk_observed *obs);

/* ---- reports and guest requests (atk_report.c) ------------------------------------------- */

/* Launch @l, ask for one report over @rd into @report (SNP_REPORT_SIZE bytes), shut the guest
 * down. SNP_E_STATE when the guest gave no report. */
snp_err atk_get_report(struct snp_atk_ctx *c, const struct snp_vmm_launch *l, const uint8_t rd[64],
                       uint8_t *report);
/* The verifier's verdict on @what as an outcome: SUCCEEDED when it accepted. */
void atk_judge_verifier(bool accepted, const char *why, const char *what,
                        struct snp_atk_observed *obs);
/* SNP_CMD_SIM_FW_UPDATE to @tcb (commit when @commit); *fw the firmware status. */
snp_err atk_fw_update(struct snp_atk_ctx *c, uint64_t tcb, bool commit, uint32_t *fw);
/* @raw (a Genoa TCB) with its SNP and microcode SVNs moved by the deltas; 0 when invalid. */
uint64_t atk_tcb_with(uint64_t raw, int snp_delta, int ucode_delta);
/* Forge @rep (a genuine report) with @nonce and @meas; returns its REPORTED_TCB. */
uint64_t atk_forge_report(uint8_t *rep, const uint8_t nonce[64], const uint8_t meas[48]);
/* The launch digest of @l from its inputs alone (no PSP), 48 bytes into @out. */
snp_err atk_expected_digest(const struct snp_vmm_launch *l, uint8_t out[48]);
/* Boot with REPORT A pending, let the guest answer it with REPORT B queued. */
snp_err atk_two_requests(struct snp_atk_ctx *c, struct atk_vm *vm);
/* atk_two_requests(), then a copy of the shared page at @gpa (request or response; *spa its
 * SPA) in @old, SNP_PAGE_SIZE bytes: what the host keeps to replay. */
snp_err atk_two_requests_kept(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t gpa, uint64_t *spa,
                              uint8_t *old);

/* ---- the kv app (atk_kv.c) --------------------------------------------------------------- */

/* The kv app's working page: SNP_APP_KV_PAGE_GPA (guest/app.h, not includable). */
#define ATK_KV_PAGE_GPA     UINT64_C(0x38000)
#define ATK_KV_SECRET_BYTES 32u /* the values the scenarios store */

/* snp_vmm_launch_default() with the env's guest running the kv app. */
void atk_kv_launch(struct snp_atk_ctx *c, struct snp_vmm_launch *l);
/* KV_PUT key "k" = @val into @out (@cap bytes); its length, 0 when it does not fit. */
size_t atk_msg_kv_put(uint8_t *out, size_t cap, const uint8_t *val, size_t vlen);
/* Whether the guest's last message answers a KV_PUT with status 0. */
bool atk_kv_put_ok(const struct atk_vm *vm);
/* @n bytes of a value derived from @seed. */
void atk_secret_fill(uint8_t *s, size_t n, uint8_t seed);
/* The kv app's working page as a plain VM's rollback read-back point: launch, store record A,
 * snapshot the page (WBINVD + host read, or DRAM cells with @phys, into @old, SNP_PAGE_SIZE
 * bytes; *kv its SPA), store record B (SHUTDOWN then pending, maybe cached). */
snp_err atk_kv_two_records(struct snp_atk_ctx *c, struct atk_vm *vm, bool phys, uint64_t *kv,
                           uint8_t *old);
/* The record the kv page at @kv holds in DRAM now (WBINVD, host read): 'A', 'B' or '?'. */
snp_err atk_kv_record(struct snp_atk_ctx *c, uint64_t kv, char *which);
/* The record the kv page at @kv holds after the host's move (atk_kv_record()), then the
 * guest's pending SHUTDOWN handed over. */
snp_err atk_kv_read_back(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t kv, char *which);
/* Whether the kv page went back from B (@before) to A (@after) and the guest shut down
 * normally; when not, NOT_RUN evidence: "kv record X before, Y after the @what; guest ...". */
bool atk_kv_rolled_back(const struct atk_vm *vm, char before, char after, const char *what,
                        struct snp_atk_observed *obs);

/* ---- the agent's diagnostics ops (atk_agent.c) ------------------------------------------- */

/* The guest's answer status to op @op, or -1 when it did not answer that op. */
int atk_answer_status(const struct atk_vm *vm, uint8_t op);
/* Start the agent with the 4-byte request @op pending, with RestrictedInjection in
 * SEV_FEATURES on snp-patched; *features the launch's SEV_FEATURES. */
snp_err atk_start_injectable(struct snp_atk_ctx *c, struct atk_vm *vm, uint8_t op,
                             uint64_t *features);
/* Resume vCPU 0 for one exit; *hit tells whether it was the guest's own VMEXIT @code (not a
 * channel call). */
snp_err atk_step_code(struct atk_vm *vm, uint64_t code, bool *hit);
/* Resume vCPU 0 for one exit; *hlt tells whether it was the guest's HLT. */
snp_err atk_step_exit(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt);
/* Resume until the guest's next HLT; *hlt false when it answered, stopped or never idled. */
snp_err atk_to_idle(struct snp_atk_ctx *c, struct atk_vm *vm, bool *hlt);
/* Whether VMRUN refused the vCPU (VMEXIT_INVALID). */
bool atk_vmrun_refused(const struct atk_vm *vm);
/* The guest's answer body to @op (status 0, at least @len bytes), or NULL. */
const uint8_t *atk_answer(const struct atk_vm *vm, uint8_t op, size_t len);

/* ---- the shared channel pages (atk_watch.c; n4-io-plain, n4-io-atls) --------------------- */

/* The secret the N4 client hands the guest (the scenarios' oracle). */
#define ATK_IO_SECRET "N4 secret: patient 4711, diagnosis confidential, do not disclose"

struct atk_io_watch {
    struct snp_atk_ctx *c;
    uint64_t tx[SNP_VMM_CHAN_PAGES], rx[SNP_VMM_CHAN_PAGES]; /* SPA of each page */
    uint8_t *txb, *rxb;                                      /* the last reads, all pages */
    size_t reads;                                            /* reads of both buffers */
    size_t hits_tx, hits_rx;                                 /* reads holding the secret */
    uint64_t spa_tx, spa_rx;                                 /* where it was first seen */
};

/* Find the channel pages of @vm; allocate the read buffers (atk_watch_free()). */
snp_err atk_watch_init(struct atk_io_watch *w, const struct atk_vm *vm);
void atk_watch_free(struct atk_io_watch *w);
/* What the hypervisor does after every exchange: read both channel buffers whole, count the
 * reads holding the secret. */
snp_err atk_watch_scan(struct atk_io_watch *w);
/* After SHUTDOWN was handed over: let the guest return (it frees what its app holds). */
snp_err atk_io_vm_finish(struct atk_vm *vm);

#endif /* SNP_HOST_ATK_INT_H */
