/*
 * host/attacks/atk_kv.c - the kv app as the victim (`snpkit.app=kv`, docs/guest.md), shared by
 * c3-key-scan, cipherleaks, pf-channel and the plain-VM baselines of i3-replay-page,
 * n8-phys-replay and cachewarp: it keeps the last record it stored in its working page
 * (ATK_KV_PAGE_GPA, private in an SNP guest), so the host knows which page holds a value the
 * guest handles and when the guest writes it.
 */
#include "host/attacks/atk_int.h"

#include "sim/phys_if.h"

#include <string.h>

#define PAGE       SNP_PAGE_SIZE
#define KV_CMDLINE "console=ttyS0 snpkit.app=kv"
#define OP_KV_PUT  0x10
#define KV_VAL_OFF 0x47u /* record value: SNP_APP_KV_REC_OFF + u16 klen + "k" + u32 vlen */
#define SEED_A     0xA0u /* the records of atk_kv_two_records() */
#define SEED_B     0xB0u

void
atk_kv_launch(struct snp_atk_ctx *c, struct snp_vmm_launch *l)
{
    atk_launch_default(c, l);
    l->cmdline = KV_CMDLINE;
}

/* KV_PUT key "k" = @val. */
size_t
atk_msg_kv_put(uint8_t *out, size_t cap, const uint8_t *val, size_t vlen)
{
    if (cap < 4 + 3 + vlen) {
        return 0;
    }
    memset(out, 0, 4);
    out[0] = OP_KV_PUT;
    out[4] = 1;
    out[5] = 0;
    out[6] = 'k';
    memcpy(out + 7, val, vlen);
    return 7 + vlen;
}

/* Whether the guest's last message answers a KV_PUT with status 0. */
bool
atk_kv_put_ok(const struct atk_vm *vm)
{
    return vm->st.stop == SNP_VMM_RUNNING && vm->last_len >= 4 &&
           vm->last[0] == (OP_KV_PUT | SNP_CHAN_OP_RESPONSE) && vm->last[1] == 0;
}

void
atk_secret_fill(uint8_t *s, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        s[i] = (uint8_t)(seed + 37u * i + (i >> 3));
    }
}

/*
 * A plain VM's read-back point for a page rollback (i3-replay-page, n8-phys-replay and
 * cachewarp on plain, where the SNP pages those use are never touched): the kv app stores
 * record A, the host snapshots its working page (WBINVD, then a host read into @old, PAGE
 * bytes, or with @phys the DRAM cells, sim/phys_if.h; *kv its SPA), then lets the guest store
 * record B; the guest then has SHUTDOWN pending and its store may still sit in the cache.
 */
snp_err
atk_kv_two_records(struct snp_atk_ctx *c, struct atk_vm *vm, bool phys, uint64_t *kv, uint8_t *old)
{
    struct snp_vmm_launch l;
    uint8_t a[ATK_KV_SECRET_BYTES], b[ATK_KV_SECRET_BYTES], msg[128];
    size_t n;

    atk_secret_fill(a, sizeof(a), SEED_A);
    atk_secret_fill(b, sizeof(b), SEED_B);
    atk_kv_launch(c, &l);
    n = atk_msg_kv_put(msg, sizeof(msg), a, sizeof(a));
    SNP_TRY(atk_vm_start(c, vm, &l, msg, n));
    n = atk_msg_kv_put(msg, sizeof(msg), b, sizeof(b));
    SNP_TRY(atk_vm_exchange(vm, msg, n)); /* A stored, B pending */
    SNP_ENSURE(atk_kv_put_ok(vm) && atk_gpa_spa(vm, ATK_KV_PAGE_GPA, kv), SNP_E_STATE);
    SNP_ENSURE(snp_host_wbinvd(c->m) == SNP_OK, SNP_E_STATE);
    if (phys) {
        SNP_TRY(snp_phys_read(c->m, *kv, old, PAGE));
    } else {
        SNP_ENSURE(snp_host_read(c->m, *kv, old, PAGE) == SNP_HW_OK, SNP_E_STATE);
    }
    atk_trace(c, SNP_ATK_ACT_HV, "%skv page (SPA 0x%llx) after record A: snapshot taken",
              phys ? "physical: " : "", (unsigned long long)*kv);
    SNP_TRY(atk_vm_exchange(vm, msg, atk_msg_shutdown(msg))); /* B stored, SHUTDOWN pending */
    SNP_ENSURE(atk_kv_put_ok(vm), SNP_E_STATE);
    atk_trace(c, SNP_ATK_ACT_GUEST, "stored record B in its kv page");
    return SNP_OK;
}

/* Which record the kv page at @kv holds in DRAM now (WBINVD, host read): 'A', 'B' or '?'. */
snp_err
atk_kv_record(struct snp_atk_ctx *c, uint64_t kv, char *which)
{
    uint8_t v[ATK_KV_SECRET_BYTES], want[ATK_KV_SECRET_BYTES];

    SNP_ENSURE(snp_host_wbinvd(c->m) == SNP_OK, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(c->m, kv + KV_VAL_OFF, v, sizeof(v)) == SNP_HW_OK, SNP_E_STATE);
    *which = '?';
    atk_secret_fill(want, sizeof(want), SEED_A);
    if (memcmp(v, want, sizeof(v)) == 0) {
        *which = 'A';
    }
    atk_secret_fill(want, sizeof(want), SEED_B);
    if (memcmp(v, want, sizeof(v)) == 0) {
        *which = 'B';
    }
    atk_trace(c, SNP_ATK_ACT_HW, "the kv page's record in DRAM: %c", *which);
    return SNP_OK;
}

/* After the host's move on the kv page at @kv: which record it holds now (*which, WBINVD and a
 * host read), then the guest's pending SHUTDOWN. */
snp_err
atk_kv_read_back(struct snp_atk_ctx *c, struct atk_vm *vm, uint64_t kv, char *which)
{
    uint8_t msg[8];

    SNP_TRY(atk_kv_record(c, kv, which));
    return atk_vm_exchange(vm, msg, atk_msg_shutdown(msg));
}

/* Whether the kv page went back from record B (@before) to A (@after) with the guest shut down
 * normally; when not, NOT_RUN evidence naming @what (the host's move). */
bool
atk_kv_rolled_back(const struct atk_vm *vm, char before, char after, const char *what,
                   struct snp_atk_observed *obs)
{
    char b[96];

    if (before == 'B' && after == 'A' && vm->st.stop == SNP_VMM_STOP_SHUTDOWN) {
        return true;
    }
    atk_evidence(obs, SNP_ATK_NOT_RUN, "kv record %c before, %c after the %s; guest %s", before,
                 after, what, atk_stop_text(vm, b, sizeof(b)));
    return false;
}
