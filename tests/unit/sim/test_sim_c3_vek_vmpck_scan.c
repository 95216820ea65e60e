/*
 * tests/unit/sim/test_sim_c3_vek_vmpck_scan.c - THREAT-MODEL.md C3 for the keys themselves:
 * "the VEK is made and held by the PSP; no x86 software at any privilege can read it". The test
 * plays an oracle the host never has: it takes the VEK and the VMPCK0-3 of a real launch out of
 * the simulated firmware (sim/psp/psp_int.h, the PSP's own state), proves they are the guest's
 * keys (the VEK decrypts the guest's secrets page, which holds exactly those VMPCKs), and then
 * scans every byte the host can obtain through sim/host_if.h for any 8-byte window of them:
 * all of DRAM through the memory controller, every RMPREAD result, every nested page table entry
 * of the VM, the GHCB MSR of each vCPU, CPUID, the cycle counter, the VMM's exit status; at each
 * stage of the guest's life (booted, after a report and a derived key, which use VMPCK0, after
 * shutdown and after DECOMMISSION). The scanner is shown to find a key it is given (a planted
 * copy), so a clean scan means something. Complements test_sim_leak.c (a fixture key) and the
 * c3-key-scan attack scenario (a known guest secret).
 */
#include "helpers.h"

#include "crypto/aes.h"
#include "guest/app.h"
#include "host/vmm_int.h"
#include "sim/host_if.h"
#include "sim/psp/psp_int.h"
#include "sim/sim_int.h"
#include "snpkit/machine.h"
#include "snpkit/secrets.h"
#include "snpkit/util.h"
#include "snpkit/vmm.h"

#include <stdlib.h>
#include <string.h>

#define DRAM      ((size_t)32 << 20)
#define CHUNK     ((size_t)1 << 20)
#define WIN       8u /* bytes of key a hit must match */
#define KEYS      5u /* VEK, VMPCK0..3 */
#define KEY_BYTES 64u
#define NEEDLES   (KEYS * KEY_BYTES)

/* The keys of one guest, copied out of the firmware (the test's oracle). */
struct oracle {
    uint8_t key[KEYS][KEY_BYTES];
    size_t len[KEYS]; /* VEK: PSP_VEK_MAX (the slot uses the first 32); VMPCKs: 32 */
    /* every WIN-byte window, and a filter on the first two bytes */
    uint8_t needle[NEEDLES][WIN];
    size_t n;
    uint8_t prefix[65536 / 8];
};

static void
oracle_windows(struct oracle *o)
{
    o->n = 0;
    memset(o->prefix, 0, sizeof(o->prefix));
    for (unsigned k = 0; k < KEYS; k++) {
        for (size_t i = 0; i + WIN <= o->len[k]; i++) {
            unsigned p = o->key[k][i] | (unsigned)o->key[k][i + 1] << 8;
            memcpy(o->needle[o->n++], o->key[k] + i, WIN);
            o->prefix[p / 8] |= (uint8_t)(1u << (p % 8));
        }
    }
}

/* Whether @buf holds any window of any key; *where gets the offset of the first hit. */
static bool
oracle_hit(const struct oracle *o, const uint8_t *buf, size_t len, size_t *where)
{
    for (size_t i = 0; i + WIN <= len; i++) {
        unsigned p = buf[i] | (unsigned)buf[i + 1] << 8;
        if ((o->prefix[p / 8] & (1u << (p % 8))) == 0) {
            continue;
        }
        for (size_t j = 0; j < o->n; j++) {
            if (memcmp(buf + i, o->needle[j], WIN) == 0) {
                *where = i;
                return true;
            }
        }
    }
    return false;
}

/* ---- the run ---------------------------------------------------------------------------- */

struct run {
    struct snp_machine *m;
    struct snp_vmm *v;
    struct snp_vmm_status st;
    unsigned step;       /* channel messages handed to the guest */
    uint8_t status[4];   /* the guest's answer status per step */
    uint8_t *buf;        /* CHUNK + WIN */
    const char *where;   /* the source of the last hit */
    uint64_t where_addr; /* its address / index */
};

static uint64_t seed_rng_state = UINT64_C(0x0123456789abcdef);

static snp_err
det_rng(void *ctx, uint8_t *out, size_t len)
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

/* The host's script: REPORT, KEY (both use VMPCK0), SHUTDOWN. */
static snp_err
chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct run *r = ctx;

    assert_true(cap >= 4 + 68);
    if (r->step > 0 && r->step <= 4 && len >= 2) {
        r->status[r->step - 1] = from[1];
    }
    memset(to, 0, 4 + 68);
    switch (r->step++) {
    case 0: /* HELLO -> REPORT over 0x5a.. */
        to[0] = SNP_CHAN_OP_REPORT;
        memset(to + 4, 0x5A, 64);
        *to_len = 4 + 68;
        break;
    case 1: /* -> KEY: MSG_KEY_REQ v1, VCEK root, no fields mixed in */
        to[0] = SNP_CHAN_OP_KEY;
        *to_len = 4 + 32;
        break;
    default:
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
        break;
    }
    return SNP_OK;
}

/* Run until the guest has been handed message number @step (or stops). */
static void
run_until(struct run *r, unsigned step)
{
    for (unsigned i = 0; i < 100000 && r->step < step && r->st.stop == SNP_VMM_RUNNING; i++) {
        T_OK(snp_vmm_run(r->v, r->st.exits + 1, &r->st));
    }
}

static const struct psp_guest *
fw_guest(struct snp_machine *m, uint32_t asid)
{
    struct snp_psp *p = m->fw;

    for (uint32_t i = 0; p != NULL && i < p->max_guests; i++) {
        if (p->guests[i].used && p->guests[i].asid == asid) {
            return &p->guests[i];
        }
    }
    return NULL;
}

/* Every byte the host can obtain through host_if.h, scanned; true on a hit (r->where). */
static bool
host_scan(struct run *r, const struct oracle *o)
{
    uint32_t cpuid[4];
    uint64_t u;
    size_t off = 0;
    struct snp_rmpread rr;

    /* H1: all of DRAM through the memory controller (windows across chunk borders too) */
    for (uint64_t spa = 0; spa < DRAM; spa += CHUNK) {
        size_t len = spa + CHUNK + WIN <= DRAM ? CHUNK + WIN : CHUNK;
        assert_int_equal(snp_host_read(r->m, spa, r->buf, len), SNP_HW_OK);
        if (oracle_hit(o, r->buf, len, &off)) {
            r->where = "DRAM";
            r->where_addr = spa + off;
            return true;
        }
    }
    /* H3: RMPREAD of every page */
    for (uint64_t spa = 0; spa < DRAM; spa += SNP_PAGE_SIZE) {
        memset(&rr, 0, sizeof(rr));
        (void)snp_host_rmpread(r->m, spa, &rr);
        if (oracle_hit(o, (const uint8_t *)&rr, sizeof(rr), &off)) {
            r->where = "RMPREAD";
            r->where_addr = spa;
            return true;
        }
    }
    /* H2: the VM's nested page table, entry by entry (while the VM exists) */
    for (uint64_t gfn = 0; r->v != NULL && gfn < 0x100000; gfn++) {
        u = 0;
        if (snp_host_npt_get(r->m, r->v->vm, gfn, &u) == SNP_OK &&
            oracle_hit(o, (const uint8_t *)&u, sizeof(u), &off)) {
            r->where = "NPT";
            r->where_addr = gfn;
            return true;
        }
    }
    /* the GHCB MSR of each vCPU, the exit status, the cycle counter, CPUID */
    for (uint32_t i = 0; r->v != NULL && i < r->v->nvcpu_created; i++) {
        u = 0;
        if (snp_host_ghcb_msr_get(r->m, r->v->vcpu_ids[i], &u) == SNP_OK &&
            oracle_hit(o, (const uint8_t *)&u, sizeof(u), &off)) {
            r->where = "GHCB MSR";
            r->where_addr = i;
            return true;
        }
    }
    u = snp_host_cycles(r->m);
    if (oracle_hit(o, (const uint8_t *)&r->st, sizeof(r->st), &off) ||
        oracle_hit(o, (const uint8_t *)&u, sizeof(u), &off)) {
        r->where = "exit status / cycles";
        return true;
    }
    for (uint32_t base = 0; base <= 1; base++) {
        for (uint32_t leaf = 0; leaf <= 0x20; leaf++) {
            snp_host_cpuid(r->m, (base ? 0x80000000u : 0) + leaf, 0, cpuid);
            if (oracle_hit(o, (const uint8_t *)cpuid, sizeof(cpuid), &off)) {
                r->where = "CPUID";
                r->where_addr = leaf;
                return true;
            }
        }
    }
    return false;
}

static void
scan_stage(struct run *r, const struct oracle *o, const char *stage)
{
    bool hit = host_scan(r, o);
    if (hit) {
        fail_msg("C3 violated %s: a key window in %s at 0x%llx", stage, r->where,
                 (unsigned long long)r->where_addr);
    }
    T_OK(snp_host_wbinvd(r->m)); /* and once more with every line written back */
    hit = host_scan(r, o);
    if (hit) {
        fail_msg("C3 violated %s after WBINVD: a key window in %s at 0x%llx", stage, r->where,
                 (unsigned long long)r->where_addr);
    }
}

static void
test_c3_vek_and_vmpcks_never_host_visible(void **state)
{
    struct snp_machine_config cfg;
    struct snp_vmm_launch l;
    struct run r;
    struct oracle *o = calloc(1, sizeof(*o));
    struct snp_aes_xts *x = NULL;
    struct snp_secrets s;
    const struct psp_guest *g;
    uint8_t *page = malloc(SNP_PAGE_SIZE);
    uint64_t spa = 0, pf = 0;
    uint32_t fw = 0;
    size_t off = 0;

    (void)state;
    assert_non_null(o);
    assert_non_null(page);
    memset(&r, 0, sizeof(r));
    r.buf = malloc(CHUNK + WIN);
    assert_non_null(r.buf);
    snp_machine_config_default(&cfg);
    cfg.dram_size = DRAM;
    cfg.guest_max_pages = 0x100000;
    cfg.max_vms = 2;
    cfg.rng = det_rng;
    cfg.rng_ctx = &seed_rng_state;
    T_OK(snp_machine_new(&r.m, &cfg));
    snp_vmm_launch_default(&l);
    l.entry = snp_guest_app_main;
    T_OK(snp_vmm_new(&r.v, r.m, &l, &fw));
    snp_vmm_set_channel(r.v, chan, &r);
    run_until(&r, 1); /* booted, said HELLO: it has read its VMPCKs */
    assert_int_equal(r.st.stop, SNP_VMM_RUNNING);

    /* The oracle: the keys as the firmware holds them. */
    g = fw_guest(r.m, r.v->asid);
    assert_non_null(g);
    memcpy(o->key[0], g->keys.vek, KEY_BYTES);
    o->len[0] = sizeof(g->keys.vek);
    for (unsigned i = 0; i < 4; i++) {
        memcpy(o->key[1 + i], g->keys.vmpck[i], 32);
        o->len[1 + i] = 32;
    }
    oracle_windows(o);

    /* They are the guest's keys: the VEK (AES-128-XTS, first 32 bytes) decrypts the secrets
     * page the host reads as ciphertext, and that page carries exactly these VMPCKs. */
    T_OK(snp_vmm_gpa_spa(r.v, SNP_VMM_SECRETS_GPA, &spa));
    T_OK(snp_host_wbinvd(r.m));
    assert_int_equal(snp_host_read(r.m, spa, page, SNP_PAGE_SIZE), SNP_HW_OK);
    T_OK(snp_aes_xts_new(&x));
    T_OK(snp_aes_xts_set_key(x, o->key[0], 32));
    T_OK(snp_aes_xts_crypt(x, false, spa, page, page, SNP_PAGE_SIZE));
    snp_aes_xts_free(x);
    T_OK(snp_secrets_decode(&s, page, SNP_PAGE_SIZE, NULL));
    for (unsigned i = 0; i < 4; i++) {
        assert_memory_equal(s.vmpck[i], o->key[1 + i], 32);
    }
    snp_secrets_wipe(&s);
    snp_wipe(page, SNP_PAGE_SIZE);

    /* The scanner finds a key it is shown: plant VMPCK2's first bytes in a host page. */
    memcpy(page, o->key[3] + 5, WIN + 3);
    assert_int_equal(snp_host_write(r.m, DRAM - SNP_PAGE_SIZE, page, SNP_PAGE_SIZE, &pf),
                     SNP_HW_OK);
    assert_true(host_scan(&r, o));
    assert_string_equal(r.where, "DRAM");
    assert_int_equal(r.where_addr, DRAM - SNP_PAGE_SIZE);
    memset(page, 0, SNP_PAGE_SIZE);
    assert_int_equal(snp_host_write(r.m, DRAM - SNP_PAGE_SIZE, page, SNP_PAGE_SIZE, &pf),
                     SNP_HW_OK);
    assert_false(oracle_hit(o, page, SNP_PAGE_SIZE, &off));

    scan_stage(&r, o, "after boot");
    run_until(&r, 3); /* REPORT and KEY answered: VMPCK0 used twice */
    assert_int_equal(r.status[0], 0);
    assert_int_equal(r.status[1], 0);
    scan_stage(&r, o, "after a report and a derived key");
    run_until(&r, 4);
    while (r.st.stop == SNP_VMM_RUNNING) {
        T_OK(snp_vmm_run(r.v, 0, &r.st));
    }
    assert_int_equal(r.st.stop, SNP_VMM_STOP_SHUTDOWN);
    scan_stage(&r, o, "after shutdown");
    snp_vmm_free(r.v); /* DECOMMISSION: the pages go back to the host */
    r.v = NULL;
    scan_stage(&r, o, "after decommission");

    snp_machine_free(r.m);
    snp_wipe(o, sizeof(*o));
    free(o);
    free(page);
    free(r.buf);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c3_vek_and_vmpcks_never_host_visible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
