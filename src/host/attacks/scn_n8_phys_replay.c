/*
 * host/attacks/scn_n8_phys_replay.c - N8, the claim's own case: a physical attacker replays DRAM
 * ciphertext at the same address (THREAT-MODEL.md N8; attacks.md F1/F2: the replay of BadRAM
 * and Battering RAM, here without the alias, straight on the cells).
 *
 * The attacker has the DRAM cells (sim/phys_if.h: no cache, no key, no RMP) besides the
 * hypervisor (which flushes caches with WBINVD, as eviction would in time). The target is a page
 * the guest writes and later reads back at a point the host can see: the BSP's private SMP page
 * (docs/guest.md: u32 next APIC ID, u32 bitmap), written before every AP creation and read by
 * the new AP as its APIC ID. At the first AP_CREATION exit the attacker snapshots the page's
 * ciphertext (next = 1); at the second (the guest has changed the page: next = 2, bit 1 set) it
 * writes the old ciphertext back at the same address. The AP the guest created as APIC ID 2
 * reads 1: it announces itself as "AP 1 up".
 *
 * SNP encrypts but does not protect the integrity of DRAM against the physical attacker: the
 * RMP is checked on CPU accesses, and the old ciphertext decrypts to the old plaintext (same
 * key, same address). The model has no mitigation (SNP_MIT_* has none, and AMD's threat model
 * excludes physical replay), so the expected outcome is SUCCEEDED on both SNP profiles; what
 * would stop it is memory integrity with freshness (a MAC and a replay counter per line, e.g. an
 * integrity tree), which SEV-SNP does not have.
 *
 * Plain VM (plain_phys_replay()): one vCPU (the agent brings up APs only under SNP), so the
 * SMP page is never written; the same replay is staged on the kv app's working page, which
 * changes with every record stored (the kv app never reads it back: the read-back is the
 * host's). There the hypervisor could also just write guest memory (i1-write-private).
 */
#include "host/attacks/atk_int.h"

#include "sim/phys_if.h"
#include "snpkit/ghcb.h"

#include <stdlib.h>
#include <string.h>

#define PAGE         SNP_PAGE_SIZE
#define SMP_PAGE_GPA UINT64_C(0x39000) /* SNP_APP_SMP_PAGE_GPA (guest/app.h, not includable) */
#define STEP_MAX     20000u            /* exits before the attacker gives up waiting */

struct replay_run {
    struct snp_atk_ctx *c;
    unsigned ap1_up, ap2_up; /* console lines "AP 1 up" / "AP 2 up" */
};

static void
replay_console(void *ctx, const char *line)
{
    struct replay_run *r = ctx;

    atk_trace(r->c, SNP_ATK_ACT_GUEST, "console: %s", line);
    r->ap1_up += strstr(line, "AP 1 up") != NULL;
    r->ap2_up += strstr(line, "AP 2 up") != NULL;
}

/* The channel is not reached before the APs are up; answer SHUTDOWN if it is. */
static snp_err
replay_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    (void)ctx;
    (void)from;
    (void)len;
    SNP_ENSURE(cap >= 4, SNP_E_RANGE);
    *to_len = atk_msg_shutdown(to);
    return SNP_OK;
}

/* Run the VM one exit at a time until it has served @n AP_CREATION exits in all. */
static snp_err
until_ap_creation(struct snp_vmm *v, struct snp_vmm_status *st, unsigned n, unsigned *seen)
{
    for (unsigned i = 0; i < STEP_MAX && *seen < n && st->stop == SNP_VMM_RUNNING; i++) {
        SNP_TRY(snp_vmm_run(v, st->exits + 1, st));
        *seen += st->last_exit == SNP_NAE_AP_CREATION;
    }
    return *seen == n ? SNP_OK : SNP_E_STATE;
}

static snp_err
plain_phys_replay(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct atk_vm vm;
    uint8_t *old = malloc(PAGE);
    uint64_t kv = 0;
    char before = '?', after = '?';
    snp_err err = SNP_E_NOMEM;

    memset(&vm, 0, sizeof(vm));
    if (old == NULL) {
        goto out;
    }
    err = atk_kv_two_records(c, &vm, true, &kv, old);
    if (err == SNP_OK) {
        err = atk_kv_record(c, kv, &before); /* WBINVD: B reaches the cells */
    }
    if (err == SNP_OK) {
        err = snp_phys_write(c->m, kv, old, PAGE);
    }
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "physical: wrote the old cells back at SPA 0x%llx",
              (unsigned long long)kv);
    err = atk_kv_read_back(c, &vm, kv, &after);
    if (err != SNP_OK) {
        goto out;
    }
    if (atk_kv_rolled_back(&vm, before, after, "replay", obs)) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "old DRAM contents of the kv page written back at SPA 0x%llx: the page "
                     "holds record A again (the guest stored B); the guest shut down normally, "
                     "nothing detected (plain VM: no encryption, no integrity)",
                     (unsigned long long)kv);
    }
out:
    atk_vm_free(&vm);
    free(old);
    return err;
}

static snp_err
atk_n8_phys_replay(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct snp_vmm *v = NULL;
    struct snp_vmm_status st;
    struct replay_run r;
    uint8_t *old = malloc(PAGE), *now = malloc(PAGE);
    uint64_t spa = 0;
    uint32_t fw = 0;
    unsigned seen = 0;
    bool changed;
    snp_err err = SNP_E_NOMEM;

    if (c->profile == SNP_ATK_PLAIN) {
        free(old);
        free(now);
        return plain_phys_replay(c, obs);
    }
    memset(&st, 0, sizeof(st));
    memset(&r, 0, sizeof(r));
    r.c = c;
    if (old == NULL || now == NULL) {
        goto out;
    }
    atk_launch_default(c, &l);
    l.vcpus = 3;
    err = snp_vmm_new(&v, c->m, &l, &fw);
    if (err != SNP_OK) {
        atk_trace(c, SNP_ATK_ACT_FW, "launch failed: %s, firmware status 0x%x", snp_err_str(err),
                  fw);
        goto out;
    }
    snp_vmm_set_console(v, replay_console, &r);
    snp_vmm_set_channel(v, replay_chan, &r);
    atk_trace(c, SNP_ATK_ACT_HV, "launched the guest with 3 vCPUs");

    /* 1: the BSP has written "next APIC ID = 1" and asks for AP 1. */
    err = until_ap_creation(v, &st, 1, &seen);
    if (err == SNP_OK) {
        err = snp_vmm_gpa_spa(v, SMP_PAGE_GPA, &spa);
    }
    if (err == SNP_OK) {
        err = snp_host_wbinvd(c->m);
    }
    if (err == SNP_OK) {
        err = snp_phys_read(c->m, spa, old, PAGE);
    }
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV,
              "physical: snapshot of the SMP page's DRAM cells at SPA 0x%llx (AP_CREATION 1)",
              (unsigned long long)spa);

    /* 2: AP 1 has checked in; the BSP has written "next APIC ID = 2" and asks for AP 2. */
    err = until_ap_creation(v, &st, 2, &seen);
    if (err == SNP_OK) {
        err = snp_host_wbinvd(c->m);
    }
    if (err == SNP_OK) {
        err = snp_phys_read(c->m, spa, now, PAGE);
    }
    if (err != SNP_OK) {
        goto out;
    }
    changed = memcmp(old, now, PAGE) != 0;
    atk_trace(c, SNP_ATK_ACT_HW, "the guest changed the page since the snapshot: %s",
              changed ? "yes (ciphertext differs)" : "no");
    err = snp_phys_write(c->m, spa, old, PAGE);
    if (err != SNP_OK) {
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "physical: wrote the old ciphertext back at SPA 0x%llx",
              (unsigned long long)spa);

    /* 3: let the new AP read its APIC ID. */
    for (unsigned i = 0;
         i < STEP_MAX && st.stop == SNP_VMM_RUNNING && r.ap1_up < 2 && r.ap2_up == 0; i++) {
        err = snp_vmm_run(v, st.exits + 1, &st);
        if (err != SNP_OK) {
            goto out;
        }
    }
    if (!changed) {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "the guest did not change the SMP page between the snapshots: no replay to "
                     "show");
    } else if (r.ap1_up >= 2) {
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "old DRAM ciphertext of the private SMP page written back at SPA 0x%llx; the "
                     "AP created as APIC ID 2 read the old value and says \"AP 1 up\" (twice in "
                     "all): no fault, nothing detected (no integrity against physical replay)",
                     (unsigned long long)spa);
    } else if (r.ap2_up > 0) {
        atk_evidence(obs, SNP_ATK_BLOCKED_HW,
                     "old ciphertext written back at SPA 0x%llx, but the AP read the current value "
                     "(\"AP 2 up\"): the replay had no effect",
                     (unsigned long long)spa);
    } else if (st.stop == SNP_VMM_STOP_TERMINATED) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "after the replay the guest terminated itself (set %u code %u)", st.term_set,
                     st.term_code);
    } else {
        atk_evidence(obs, SNP_ATK_NOT_RUN,
                     "after the replay no AP announced itself within %u exits (stop %d, last "
                     "exit 0x%llx)",
                     STEP_MAX, (int)st.stop, (unsigned long long)st.last_exit);
    }
    err = SNP_OK;
out:
    snp_vmm_free(v);
    free(old);
    free(now);
    return err;
}

const struct snp_atk_scenario atk_scn_n8_phys_replay = {
    .id = "n8-phys-replay",
    .title = "write old DRAM ciphertext back at the same address",
    .ref = "N8",
    .cap = "phys",
    .condition = "physical access to the DRAM cells; no memory integrity",
    .defence = "none in SNP (conceded by N8): would need memory integrity with freshness (MAC and "
               "replay counter per line, an integrity tree)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_n8_phys_replay,
};
