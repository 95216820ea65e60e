/*
 * host/attacks/atk_harness.c - the attack runner: a fresh simulated machine per profile, the
 * victim driven exit by exit through the honest VMM, the scenario table, observed-vs-expected
 * (STYLE.md §9.3; ../shared/THREAT-MODEL.md; ../shared/spec/attacks.md).
 *
 * Each scenario is a file of its own, scn_<id>.c, with its descriptor beside its run function;
 * the table here only lists the descriptors, in the order `snpkit attack list` shows them and
 * docs/threat-model.md is generated in. The runner never decides an outcome: it only compares
 * what a scenario observed with what its descriptor expects for the profile.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/machine.h"
#include "snpkit/tcb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------------------ */

const char *
snp_atk_outcome_name(enum snp_atk_outcome o)
{
    switch (o) {
    case SNP_ATK_SUCCEEDED:
        return "SUCCEEDED";
    case SNP_ATK_BLOCKED_HW:
        return "BLOCKED_HW";
    case SNP_ATK_REJECTED_FW:
        return "REJECTED_FW";
    case SNP_ATK_DETECTED_GUEST:
        return "DETECTED_GUEST";
    case SNP_ATK_DETECTED_VERIFIER:
        return "DETECTED_VERIFIER";
    case SNP_ATK_ALLOWED_DOS:
        return "ALLOWED_DOS";
    case SNP_ATK_NOT_RUN:
        return "NOT_RUN";
    case SNP_ATK_BLOCKED_GUEST:
        return "BLOCKED_GUEST";
    }
    return "?";
}

const char *
snp_atk_profile_name(enum snp_atk_profile p)
{
    switch (p) {
    case SNP_ATK_PLAIN:
        return "plain";
    case SNP_ATK_SNP:
        return "snp";
    case SNP_ATK_SNP_PATCHED:
        return "snp-patched";
    }
    return "?";
}

snp_err
snp_atk_profile_parse(const char *name, enum snp_atk_profile *out)
{
    for (int p = 0; p < SNP_ATK_PROFILES; p++) {
        if (name != NULL && strcmp(name, snp_atk_profile_name((enum snp_atk_profile)p)) == 0) {
            *out = (enum snp_atk_profile)p;
            return SNP_OK;
        }
    }
    return SNP_E_ARG;
}

const char *
snp_atk_actor_name(enum snp_atk_actor a)
{
    switch (a) {
    case SNP_ATK_ACT_HV:
        return "hypervisor";
    case SNP_ATK_ACT_HW:
        return "hardware";
    case SNP_ATK_ACT_FW:
        return "firmware";
    case SNP_ATK_ACT_GUEST:
        return "guest";
    case SNP_ATK_ACT_VERIFIER:
        return "verifier";
    }
    return "?";
}

/* The protections `--without` removes: one SNP_MUT_* bit each (snpkit/machine.h). */
static const struct {
    const char *name;
    unsigned bit;
} atk_mutations[] = {
    {"rmp-gpa-check", SNP_MUT_NO_RMP_GPA_CHECK},   {"vmsa-sealing", SNP_MUT_NO_VMSA_SEAL},
    {"host-write-rmp", SNP_MUT_NO_HOST_WRITE_RMP}, {"memory-encryption", SNP_MUT_NO_MEM_ENCRYPTION},
    {"greq-seqno", SNP_MUT_NO_GREQ_SEQNO},
};

const char *
snp_atk_mutation_name(unsigned bit)
{
    for (size_t i = 0; i < SNP_ARRAY_LEN(atk_mutations); i++) {
        if (atk_mutations[i].bit == bit) {
            return atk_mutations[i].name;
        }
    }
    return NULL;
}

snp_err
snp_atk_mutation_parse(const char *name, unsigned *bit)
{
    for (size_t i = 0; name != NULL && i < SNP_ARRAY_LEN(atk_mutations); i++) {
        if (strcmp(name, atk_mutations[i].name) == 0) {
            *bit = atk_mutations[i].bit;
            return SNP_OK;
        }
    }
    return SNP_E_ARG;
}

snp_err
snp_atk_mutation_at(size_t i, const char **name, unsigned *bit)
{
    SNP_ENSURE(i < SNP_ARRAY_LEN(atk_mutations), SNP_E_RANGE);
    *name = atk_mutations[i].name;
    *bit = atk_mutations[i].bit;
    return SNP_OK;
}

/* ---- trace and evidence ----------------------------------------------------------------- */

void
atk_trace(struct snp_atk_ctx *c, enum snp_atk_actor who, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (c->env->trace == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    c->env->trace(c->env->trace_ctx, who, line);
}

void
atk_evidence(struct snp_atk_observed *obs, enum snp_atk_outcome o, const char *fmt, ...)
{
    va_list ap;

    obs->outcome = o;
    va_start(ap, fmt);
    vsnprintf(obs->evidence, sizeof(obs->evidence), fmt, ap);
    va_end(ap);
}

/* ---- the victim VM ---------------------------------------------------------------------- */

/* The channel device as the attacker runs it: keep what the guest said, hand it vm->next. */
static snp_err
atk_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct atk_vm *vm = ctx;

    vm->last_len = len < sizeof(vm->last) ? len : sizeof(vm->last);
    memcpy(vm->last, from, vm->last_len);
    if (vm->next_len > cap) {
        return SNP_E_RANGE;
    }
    memcpy(to, vm->next, vm->next_len);
    *to_len = vm->next_len;
    vm->chan_calls++;
    return SNP_OK;
}

static void
atk_console(void *ctx, const char *line)
{
    struct atk_vm *vm = ctx;
    atk_trace(vm->c, SNP_ATK_ACT_GUEST, "console: %s", line);
}

void
atk_launch_default(struct snp_atk_ctx *c, struct snp_vmm_launch *l)
{
    snp_vmm_launch_default(l);
    l->entry = c->env->guest;
    l->plain = c->profile == SNP_ATK_PLAIN; /* SEV off: the VMM's baseline mode */
}

snp_err
atk_vm_step(struct atk_vm *vm)
{
    return snp_vmm_run(vm->v, vm->st.exits + 1, &vm->st);
}

/* The RMP's view of @spa for a guest of @asid faulting at @gpa: why the check refused it. */
static void
atk_rmp_reason(const struct atk_vm *vm, uint64_t spa, uint64_t gpa, char *buf, size_t size)
{
    struct snp_rmpread r;
    uint64_t page = gpa & ~(uint64_t)(SNP_PAGE_SIZE - 1);

    spa &= ~(uint64_t)(SNP_PAGE_SIZE - 1);
    memset(&r, 0, sizeof(r));
    if (snp_host_rmpread(vm->c->m, spa, &r) != SNP_RMP_SUCCESS) {
        snprintf(buf, size, "RMPREAD of SPA 0x%llx failed", (unsigned long long)spa);
    } else if (!r.assigned) {
        snprintf(buf, size, "RMP entry of SPA 0x%llx: the hypervisor's (not assigned)",
                 (unsigned long long)spa);
    } else if (r.asid != vm->v->asid) {
        snprintf(buf, size, "RMP entry of SPA 0x%llx: assigned to ASID %u, the guest is ASID %u",
                 (unsigned long long)spa, r.asid, vm->v->asid);
    } else if (r.gpa != page) {
        snprintf(buf, size,
                 "RMP entry of SPA 0x%llx: assigned to this guest at GPA 0x%llx, not GPA 0x%llx "
                 "(the GPA check)",
                 (unsigned long long)spa, (unsigned long long)r.gpa, (unsigned long long)page);
    } else if (r.immutable) {
        snprintf(buf, size, "RMP entry of SPA 0x%llx: immutable", (unsigned long long)spa);
    } else {
        snprintf(buf, size, "RMP entry of SPA 0x%llx: this guest's at this GPA%s",
                 (unsigned long long)spa, r.page_2m ? " (2M)" : "");
    }
}

/*
 * The VMM stopped on a #NPF it does not serve; its status keeps the exit's EXITINFO1 (error
 * code) and EXITINFO2 (GPA), as the VMCB's control area gives them to the host. The NPT and
 * RMPREAD then name the cause.
 */
static void
atk_npf_trace(struct atk_vm *vm)
{
    uint64_t spa = 0, e = vm->st.exit_info1, gpa = vm->st.exit_info2;
    char why[192];

    if (!atk_gpa_spa(vm, gpa, &spa)) {
        snprintf(why, sizeof(why), "the NPT maps no page there");
    } else if ((e & SNP_PFERR_RMP) != 0 && !snp_vmm_is_plain(vm->v)) {
        atk_rmp_reason(vm, spa, gpa, why, sizeof(why));
    } else {
        snprintf(why, sizeof(why), "NPT entry -> SPA 0x%llx",
                 (unsigned long long)(spa & ~(uint64_t)(SNP_PAGE_SIZE - 1)));
    }
    atk_trace(vm->c, SNP_ATK_ACT_HW,
              "#NPF at GPA 0x%llx, error code 0x%llx (%s%s%s%s): %s; the vCPU cannot proceed",
              (unsigned long long)gpa, (unsigned long long)e,
              (e & SNP_PFERR_RMP) != 0 ? "RMP violation" : "nested page fault",
              (e & SNP_PFERR_WRITE) != 0 ? ", write" : ", read",
              (e & SNP_NPF_ENC) != 0 ? ", private" : "", (e & SNP_NPF_SIZEM) != 0 ? ", size" : "",
              why);
}

snp_err
atk_vm_exchange(struct atk_vm *vm, const uint8_t *req, size_t len)
{
    unsigned calls = vm->chan_calls;

    SNP_ENSURE(len <= sizeof(vm->next), SNP_E_RANGE);
    memcpy(vm->next, req, len);
    vm->next_len = len;
    vm->last_len = 0;
    while (vm->chan_calls == calls && vm->st.stop == SNP_VMM_RUNNING) {
        SNP_TRY(atk_vm_step(vm));
    }
    if (vm->st.stop == SNP_VMM_STOP_ERROR && vm->st.last_exit == SNP_EXIT_NPF) {
        atk_npf_trace(vm);
    }
    if (vm->st.stop != SNP_VMM_RUNNING) {
        char b[64];
        atk_trace(vm->c, SNP_ATK_ACT_GUEST, "stopped: %s", atk_stop_text(vm, b, sizeof(b)));
    } else if (vm->last_len >= 4) {
        atk_trace(vm->c, SNP_ATK_ACT_GUEST, "channel message op 0x%02x status %u (%s), %zu bytes",
                  vm->last[0], vm->last[1], snp_err_str((snp_err)vm->last[1]), vm->last_len);
    }
    return SNP_OK;
}

snp_err
atk_vm_start(struct snp_atk_ctx *c, struct atk_vm *vm, const struct snp_vmm_launch *l,
             const uint8_t *first_req, size_t first_len)
{
    snp_err err;

    memset(vm, 0, sizeof(*vm));
    vm->c = c;
    SNP_ENSURE(l->entry != NULL, SNP_E_ARG);
    err = snp_vmm_new(&vm->v, c->m, l, &vm->fw_status);
    if (err != SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_FW, "launch failed: %s, firmware status 0x%x", snp_err_str(err),
                  vm->fw_status);
        return err;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "launched the guest (policy 0x%llx, vm %u, asid %u)",
              (unsigned long long)(l->policy != 0 ? l->policy : UINT64_C(0x30000)), vm->v->vm,
              vm->v->asid);
    snp_vmm_set_channel(vm->v, atk_chan, vm);
    snp_vmm_set_console(vm->v, atk_console, vm);
    SNP_TRY(atk_vm_exchange(vm, first_req, first_len));
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 || vm->last[0] != SNP_CHAN_OP_HELLO) {
        return SNP_E_STATE;
    }
    return SNP_OK;
}

void
atk_vm_free(struct atk_vm *vm)
{
    snp_vmm_free(vm->v);
    vm->v = NULL;
}

size_t
atk_msg_report(uint8_t *out, const uint8_t report_data[64])
{
    memset(out, 0, 4 + 68);
    out[0] = SNP_CHAN_OP_REPORT;
    memcpy(out + 4, report_data, 64);
    return 4 + 68; /* + u32 VMPL 0 */
}

size_t
atk_msg_shutdown(uint8_t *out)
{
    memset(out, 0, 4);
    out[0] = SNP_CHAN_OP_SHUTDOWN;
    return 4;
}

bool
atk_gpa_spa(const struct atk_vm *vm, uint64_t gpa, uint64_t *spa)
{
    uint64_t e = 0;

    /* The hypervisor's own nested page table says where the guest frame lives (H2). */
    if (snp_host_npt_get(vm->c->m, vm->v->vm, gpa >> SNP_PAGE_SHIFT, &e) != SNP_OK ||
        (e & SNP_NPT_PRESENT) == 0) {
        return false;
    }
    *spa = (e & SNP_NPT_FRAME_MASK) | (gpa & (SNP_PAGE_SIZE - 1));
    return true;
}

uint64_t
atk_spare_page(const struct snp_atk_ctx *c, unsigned n)
{
    struct snp_machine_config cfg;

    snp_machine_config_get(c->m, &cfg);
    return (uint64_t)cfg.dram_size - (uint64_t)(n + 1) * SNP_PAGE_SIZE;
}

const char *
atk_stop_text(const struct atk_vm *vm, char *buf, size_t size)
{
    switch (vm->st.stop) {
    case SNP_VMM_RUNNING:
        snprintf(buf, size, "running");
        break;
    case SNP_VMM_STOP_SHUTDOWN:
        snprintf(buf, size, "shut down");
        break;
    case SNP_VMM_STOP_TERMINATED:
        snprintf(buf, size, "terminated itself (reason set %u code %u)", vm->st.term_set,
                 vm->st.term_code);
        break;
    case SNP_VMM_STOP_ERROR:
        snprintf(buf, size, "stopped on exit 0x%llx the VMM cannot serve",
                 (unsigned long long)vm->st.last_exit);
        break;
    }
    return buf;
}

bool
atk_guest_terminated(const struct atk_vm *vm)
{
    return vm->st.stop == SNP_VMM_STOP_TERMINATED;
}

/* The verifier's answer in the trace: "could not check" (@err returned) or its verdict. */
snp_err
atk_trace_verdict(struct snp_atk_ctx *c, snp_err err, bool accepted, const char *why)
{
    if (err != SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_VERIFIER, "could not check: %s", snp_err_str(err));
        return err;
    }
    atk_trace(c, SNP_ATK_ACT_VERIFIER, "%s%s%s", accepted ? "ACCEPTED" : "REJECTED",
              why[0] != '\0' ? ": " : "", why);
    return SNP_OK;
}

snp_err
atk_verify(struct snp_atk_ctx *c, const uint8_t *report, size_t len, const char *const *policy,
           bool *accepted, char *why, size_t why_size)
{
    snp_err err;

    SNP_ENSURE(c->env->verify != NULL, SNP_E_UNSUPPORTED);
    for (size_t i = 0; policy != NULL && policy[i] != NULL; i += 2) {
        atk_trace(c, SNP_ATK_ACT_VERIFIER, "policy --%s %s", policy[i],
                  policy[i + 1] != NULL ? policy[i + 1] : "");
    }
    why[0] = '\0';
    err = c->env->verify(c->env->verify_ctx, report, len, policy, accepted, why, why_size);
    return atk_trace_verdict(c, err, err == SNP_OK && *accepted, why);
}

snp_err
atk_sign(struct snp_atk_ctx *c, enum snp_atk_key key, uint64_t tcb, uint8_t *report, size_t len)
{
    snp_err err;

    SNP_ENSURE(c->env->sign != NULL, SNP_E_UNSUPPORTED);
    err = c->env->sign(c->env->sign_ctx, key, tcb, report, len);
    if (key == SNP_ATK_KEY_LEAKED_VCEK) {
        atk_trace(c, SNP_ATK_ACT_HV,
                  "signed the forged report with the leaked VCEK at TCB 0x%016llx: %s",
                  (unsigned long long)tcb, snp_err_str(err));
    } else {
        atk_trace(c, SNP_ATK_ACT_HV, "signed the forged report with an uncertified key: %s",
                  snp_err_str(err));
    }
    return err;
}

/* ---- the scenario table ----------------------------------------------------------------- */

/* In priority order: `snpkit attack list`, `attack run all` and docs/threat-model.md follow
 * it. The descriptors are in scn_<id>.c. */
static const struct snp_atk_scenario *const atk_scenarios[] = {
    &atk_scn_c1_read_private,
    &atk_scn_c2_vmsa_regs,
    &atk_scn_c3_key_scan,
    &atk_scn_i1_write_private,
    &atk_scn_i1_reclaim_write,
    &atk_scn_i2_swap_page,
    &atk_scn_i4_remap_severed,
    &atk_scn_crossline,
    &atk_scn_i3_replay_page,
    &atk_scn_greq_replay_response,
    &atk_scn_greq_replay_request,
    &atk_scn_report_relay,
    &atk_scn_policy_debug,
    &atk_scn_undeserved_trust,
    &atk_scn_n7_backdoored_image,
    &atk_scn_tcb_rollback,
    &atk_scn_old_tcb,
    &atk_scn_n10_leaked_vcek,
    &atk_scn_n10_leaked_ask,
    &atk_scn_a1_forged_signer,
    &atk_scn_badram_alias,
    &atk_scn_n8_phys_replay,
    &atk_scn_cachewarp,
    &atk_scn_double_validation,
    &atk_scn_cpuid_spoof,
    &atk_scn_cpuid_spoof_launch,
    &atk_scn_heckler_injection,
    &atk_scn_wesee_vc_injection,
    /* conceded side channels (N3, N5): SUCCEEDED everywhere */
    &atk_scn_cipherleaks,
    &atk_scn_pf_channel,
    &atk_scn_irq_timing,
    /* availability (N1, N2): ALLOWED_DOS everywhere */
    &atk_scn_dos_withhold,
    &atk_scn_starvation,
    /* the guest's own bugs (N6) */
    &atk_scn_guest_bug,
    /* I/O (N4): the shared pages are the host's to read */
    &atk_scn_n4_io_plain,
    &atk_scn_n4_io_atls,
};

const struct snp_atk_scenario *const *
snp_atk_scenarios(size_t *count)
{
    *count = SNP_ARRAY_LEN(atk_scenarios);
    return atk_scenarios;
}

const struct snp_atk_scenario *
snp_atk_find(const char *id)
{
    for (size_t i = 0; i < SNP_ARRAY_LEN(atk_scenarios); i++) {
        if (strcmp(atk_scenarios[i]->id, id) == 0) {
            return atk_scenarios[i];
        }
    }
    return NULL;
}

/* ---- the runner ------------------------------------------------------------------------- */

bool
snp_atk_profile_available(enum snp_atk_profile p)
{
    return (unsigned)p < SNP_ATK_PROFILES;
}

/* Deterministic randomness: the same run gives the same keys, so traces compare. */
static snp_err
atk_rng(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;

    for (size_t i = 0; i < len; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        out[i] = (uint8_t)(*s >> 24);
    }
    return SNP_OK;
}

static snp_err
atk_machine(struct snp_atk_ctx *c)
{
    struct snp_machine_config cfg;

    snp_machine_config_default(&cfg);
    cfg.product = SNP_PRODUCT_GENOA;
    cfg.dram_size = (size_t)32 << 20;
    cfg.guest_max_pages = 0x100000;
    cfg.max_vms = 2;
    cfg.cache_lines = 64;
    memcpy(cfg.chip_seed, SNP_ATK_CHIP_SEED, sizeof(SNP_ATK_CHIP_SEED) - 1);
    cfg.chip_seed_len = sizeof(SNP_ATK_CHIP_SEED) - 1;
    cfg.rng = atk_rng;
    c->rng_state = UINT64_C(0x5eed5eed12345678);
    cfg.rng_ctx = &c->rng_state;
    cfg.mutations = c->env->mutations; /* the mutation check only */
    if (c->profile == SNP_ATK_SNP_PATCHED) {
        struct snp_tcb t;
        cfg.mitigations |= SNP_MIT_INVD_FIX;
        /* the fixed microcode reports its SPL in the TCB (fix table in snpkit/attack.h) */
        SNP_TRY(snp_tcb_decode(&t, UINT64_C(0x541700000000000A), SNP_PRODUCT_GENOA));
        t.microcode = SNP_ATK_FIX_CACHEWARP_UCODE_GENOA;
        cfg.tcb = snp_tcb_encode(&t);
    }
    return snp_machine_new(&c->m, &cfg);
}

snp_err
snp_atk_run(const struct snp_atk_scenario *s, enum snp_atk_profile p, const struct snp_atk_env *env,
            struct snp_atk_result *res)
{
    struct snp_atk_ctx c;
    snp_err err;

    SNP_ENSURE((unsigned)p < SNP_ATK_PROFILES, SNP_E_ARG);
    SNP_ENSURE((s->profiles & SNP_ATK_PROFILE_BIT(p)) != 0, SNP_E_ARG);
    SNP_ENSURE(snp_atk_profile_available(p), SNP_E_UNSUPPORTED);
    memset(res, 0, sizeof(*res));
    res->s = s;
    res->profile = p;
    res->expected = s->expect[p];
    memset(&c, 0, sizeof(c));
    c.env = env;
    c.profile = p;
    atk_trace(&c, SNP_ATK_ACT_HV, "== %s on %s: %s", s->id, snp_atk_profile_name(p), s->title);
    err = atk_machine(&c);
    if (err == SNP_OK) {
        res->observed.outcome = SNP_ATK_NOT_RUN;
        err = s->run(&c, &res->observed);
    }
    if (err != SNP_OK) {
        char was[sizeof(res->observed.evidence)];
        memcpy(was, res->observed.evidence, sizeof(was));
        atk_evidence(&res->observed, SNP_ATK_NOT_RUN, "could not stage: %s%s%s", snp_err_str(err),
                     was[0] != '\0' ? "; " : "", was);
    }
    snp_machine_free(c.m);
    res->match = res->observed.outcome == res->expected;
    atk_trace(&c, SNP_ATK_ACT_HV, "observed %s, expected %s: %s",
              snp_atk_outcome_name(res->observed.outcome), snp_atk_outcome_name(res->expected),
              res->match ? "as expected" : "MISMATCH");
    return SNP_OK;
}
