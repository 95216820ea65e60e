/*
 * tests/unit/attacks/test_attacks_coop.c - the scenarios that need the guest's cooperation
 * (issue 8: N2 starvation, N5 irq-timing, N6 guest-bug, WeSee #VC injection) and the agent's
 * diagnostics ops behind them (docs/guest.md 0x23..0x27):
 * - each scenario on each profile observes its expected outcome, and its evidence carries the
 *   observed numbers (slow-down factor, recovered secret, spoofed registers, leaked secret);
 * - the agent ops answer as documented when driven directly: ADMIN refused until the buggy
 *   NOTE flips the flag, a NOTE inside note[] does not, NOTE is still bounded by its struct
 *   (no write outside it), malformed and out-of-range requests are refused, a kv guest does
 *   not serve them, and a REGHOLD nobody attacks keeps the guest's registers.
 */
#include "helpers.h"

#include "atk_fixture.h"
#include "cli/attack_verifier.h"
#include "guest/app.h"
#include "snpkit/attack.h"
#include "snpkit/machine.h"
#include "snpkit/vmm.h"

#include <stdio.h>
#include <string.h>

/* Run @id on @p: the observed outcome must be @want and the evidence contain @needle. */
static void
expect_run(const char *id, enum snp_atk_profile p, enum snp_atk_outcome want, const char *needle)
{
    struct snp_atk_env env;
    struct snp_atk_result r;
    const struct snp_atk_scenario *s = snp_atk_find(id);

    atk_env_init(&env, &g_ver);
    assert_non_null(s);
    T_OK(snp_atk_run(s, p, &env, &r));
    if (r.observed.outcome != want || strstr(r.observed.evidence, needle) == NULL) {
        print_message("%s on %s: observed %s: %s\n", id, snp_atk_profile_name(p),
                      snp_atk_outcome_name(r.observed.outcome), r.observed.evidence);
    }
    assert_int_equal(r.observed.outcome, want);
    assert_true(r.match);
    assert_non_null(strstr(r.observed.evidence, needle));
}

static void
test_starvation(void **state)
{
    (void)state;
    for (int p = 0; p < SNP_ATK_PROFILES; p++) {
        /* 1 slot in 4: 18 -> 69 slots, "x3.83 slower" (the slots around each job's edges) */
        expect_run("starvation", (enum snp_atk_profile)p, SNP_ATK_ALLOWED_DOS, "x3.");
    }
    expect_run("starvation", SNP_ATK_SNP, SNP_ATK_ALLOWED_DOS, "the report made after it verified");
}

static void
test_irq_timing(void **state)
{
    (void)state;
    expect_run("irq-timing", SNP_ATK_PLAIN, SNP_ATK_SUCCEEDED, "(vector 0x20;");
    expect_run("irq-timing", SNP_ATK_SNP, SNP_ATK_SUCCEEDED, "recovered the guest's 32-bit secret");
    /* RestrictedInjection: #HV (0x1c) still gets in and is timed the same */
    expect_run("irq-timing", SNP_ATK_SNP_PATCHED, SNP_ATK_SUCCEEDED, "(vector 0x1c;");
}

static void
test_guest_bug(void **state)
{
    (void)state;
    for (int p = 0; p < SNP_ATK_PROFILES; p++) {
        expect_run("guest-bug", (enum snp_atk_profile)p, SNP_ATK_SUCCEEDED,
                   "ADMIN refused (status 91) until a 1-byte NOTE at offset 32");
    }
}

static void
test_wesee(void **state)
{
    (void)state;
    expect_run("wesee-vc-injection", SNP_ATK_PLAIN, SNP_ATK_SUCCEEDED, "save area edited");
    expect_run("wesee-vc-injection", SNP_ATK_SNP, SNP_ATK_SUCCEEDED,
               "RAX:RDX became the host's 0x41414141:0x42424242 across an HLT, and the host saw "
               "its RCX 0x5ec2e75ec2e7 (the guest's own value)");
    expect_run("wesee-vc-injection", SNP_ATK_SNP_PATCHED, SNP_ATK_BLOCKED_HW, "VMEXIT_INVALID");
}

/* ---- the agent's ops, driven directly through the honest VMM -------------------------- */

#define MAX_REQ 12

struct script {
    int step, nreq;
    uint8_t req[MAX_REQ][16];
    size_t req_len[MAX_REQ];
    uint8_t rsp[MAX_REQ][64];
    size_t rsp_len[MAX_REQ];
};

static snp_err
chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct script *s = ctx;

    (void)cap;
    if (s->step > 0 && s->step <= MAX_REQ) {
        size_t n = len < sizeof(s->rsp[0]) ? len : sizeof(s->rsp[0]);
        memcpy(s->rsp[s->step - 1], from, n);
        s->rsp_len[s->step - 1] = len;
    }
    if (s->step < s->nreq) {
        memcpy(to, s->req[s->step], s->req_len[s->step]);
        *to_len = s->req_len[s->step];
    } else {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    s->step++;
    return SNP_OK;
}

static void
add(struct script *s, uint8_t op, const uint8_t *body, size_t len)
{
    assert_true(s->nreq < MAX_REQ && 4 + len <= sizeof(s->req[0]));
    memset(s->req[s->nreq], 0, 4);
    s->req[s->nreq][0] = op;
    if (len > 0) {
        memcpy(s->req[s->nreq] + 4, body, len);
    }
    s->req_len[s->nreq++] = 4 + len;
}

static void
add_note(struct script *s, uint16_t off, uint16_t len, uint8_t v)
{
    uint8_t b[12];

    assert_true(len <= sizeof(b) - 4);
    b[0] = (uint8_t)off;
    b[1] = (uint8_t)(off >> 8);
    b[2] = (uint8_t)len;
    b[3] = (uint8_t)(len >> 8);
    memset(b + 4, v, len);
    add(s, SNP_CHAN_OP_NOTE, b, 4 + len);
}

/* The status of answer @i (to request i), checking it answers that op. */
static int
status(const struct script *s, int i)
{
    assert_true(s->rsp_len[i] >= 4);
    assert_int_equal(s->rsp[i][0], s->req[i][0] | SNP_CHAN_OP_RESPONSE);
    return s->rsp[i][1];
}

static uint64_t
rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static void
run_script(struct script *s, const char *cmdline, bool plain)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;
    struct snp_vmm_launch l;
    struct snp_vmm *v = NULL;
    struct snp_vmm_status st;
    uint32_t fw = 0;

    snp_machine_config_default(&c);
    c.dram_size = (size_t)32 << 20;
    c.guest_max_pages = 0x100000;
    c.max_vms = 2;
    memcpy(c.chip_seed, "coop test chip", 14);
    c.chip_seed_len = 14;
    T_OK(snp_machine_new(&m, &c));
    snp_vmm_launch_default(&l);
    l.cmdline = cmdline;
    l.plain = plain;
    l.entry = snp_guest_app_main;
    T_OK(snp_vmm_new(&v, m, &l, &fw));
    snp_vmm_set_channel(v, chan, s);
    T_OK(snp_vmm_run(v, 100000, &st));
    assert_int_equal(st.stop, SNP_VMM_STOP_SHUTDOWN);
    assert_int_equal(s->step, s->nreq + 1);
    snp_vmm_free(v);
    snp_machine_free(m);
}

static void
test_agent_ops(void **state)
{
    static const uint8_t units0[4] = {0, 0, 0, 0}, units2[4] = {2, 0, 0, 0},
                         rounds33[4] = {33, 0, 0, 0};
    uint8_t bad_note[5] = {0, 0, 2, 0, 1}; /* says 2 bytes, carries 1 */

    (void)state;
    for (int plain = 0; plain <= 1; plain++) {
        struct script s;
        memset(&s, 0, sizeof(s));
        add(&s, SNP_CHAN_OP_ADMIN, NULL, 0);        /* 0: refused */
        add_note(&s, 0, 8, 0xAA);                   /* 1: inside note[]: fine */
        add(&s, SNP_CHAN_OP_ADMIN, NULL, 0);        /* 2: still refused */
        add_note(&s, 65, 1, 1);                     /* 3: past the struct: refused */
        add_note(&s, 60, 8, 1);                     /* 4: runs past the struct: refused */
        add(&s, SNP_CHAN_OP_NOTE, bad_note, 5);     /* 5: length mismatch */
        add_note(&s, SNP_CHAN_NOTE_AUTH_OFF, 1, 1); /* 6: the bug: the flag */
        add(&s, SNP_CHAN_OP_ADMIN, NULL, 0);        /* 7: the secret */
        add(&s, SNP_CHAN_OP_WORK, units0, 4);       /* 8: out of range */
        add(&s, SNP_CHAN_OP_WORK, units2, 4);       /* 9: 2 units */
        add(&s, SNP_CHAN_OP_IRQWORK, rounds33, 4);  /* 10: out of range */
        add(&s, SNP_CHAN_OP_REGHOLD, NULL, 0);      /* 11: nobody attacks */
        run_script(&s, NULL, plain != 0);
        assert_int_equal(status(&s, 0), SNP_E_STATE);
        assert_int_equal(status(&s, 1), 0);
        assert_int_equal(status(&s, 2), SNP_E_STATE);
        assert_int_equal(status(&s, 3), SNP_E_RANGE);
        assert_int_equal(status(&s, 4), SNP_E_RANGE);
        assert_int_equal(status(&s, 5), SNP_E_FORMAT);
        assert_int_equal(status(&s, 6), 0);
        assert_int_equal(status(&s, 7), 0);
        assert_int_equal(s.rsp_len[7], 4 + 32);
        assert_int_equal(status(&s, 8), SNP_E_RANGE);
        assert_int_equal(status(&s, 9), 0);
        assert_int_equal(s.rsp[9][4], 2); /* units done */
        assert_int_equal(status(&s, 10), SNP_E_RANGE);
        assert_int_equal(status(&s, 11), 0);
        assert_int_equal(s.rsp_len[11], 4 + 28);
        assert_true(rd64(s.rsp[11] + 4) == UINT64_C(0x600DCAFE600DCAFE)); /* RAX kept */
        assert_true(rd64(s.rsp[11] + 20) == UINT64_C(0x5EC2E75EC2E7));    /* RCX held */
        assert_int_equal(s.rsp[11][28], 0);                               /* no #VC */
    }
}

/* The kv app does not serve the agent's diagnostics. */
static void
test_kv_refuses(void **state)
{
    struct script s;

    (void)state;
    memset(&s, 0, sizeof(s));
    add_note(&s, SNP_CHAN_NOTE_AUTH_OFF, 1, 1);
    add(&s, SNP_CHAN_OP_ADMIN, NULL, 0);
    run_script(&s, "console=ttyS0 snpkit.app=kv", false);
    assert_int_equal(status(&s, 0), SNP_E_UNSUPPORTED);
    assert_int_equal(status(&s, 1), SNP_E_UNSUPPORTED);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_ops),  cmocka_unit_test(test_kv_refuses),
        cmocka_unit_test(test_starvation), cmocka_unit_test(test_irq_timing),
        cmocka_unit_test(test_guest_bug),  cmocka_unit_test(test_wesee),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
