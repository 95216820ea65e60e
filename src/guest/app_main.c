/*
 * guest/app_main.c - the snpkit guest program: boot from the measured boot block, check the
 * command line against the measured SEV hashes table (hardware.md §7.4: what the host hands
 * over in shared memory is only trusted once its hash matches), then serve the device channel
 * with the attestation agent (report, extended report, derived key) and, for
 * `snpkit.app=kv`, a key-value store sealed under a key derived from the MEASUREMENT.
 *
 * Everything read from shared memory (command line, channel rx) is hostile: lengths are
 * checked against their buffers, the sequence number must match.
 */
#include "base/rd.h"
#include "guest/app.h"
#include "guest/runtime.h"

#include "crypto/crypto.h"
#include "crypto/gcm.h"
#include "sim/guest_if.h"
#include "snpkit/guest.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define CHAN_BUF (8u * 4096u)

/*
 * TEST FIXTURE (THREAT-MODEL.md N6, docs/guest.md): the state the deliberately buggy NOTE op
 * can reach. A host note lands in note[]; ADMIN hands out secret[] only while authorised is
 * set, which no legitimate path ever does. The field order is the layout SNP_CHAN_NOTE_AUTH_OFF
 * (snpkit/vmm.h) names: uint8_t members only, so there is no padding.
 */
struct app_notes {
    uint8_t note[32];
    uint8_t authorised;
    uint8_t secret[32]; /* random per boot */
};

struct app {
    struct snp_guest *g;
    struct snp_grt *rt;
    struct snp_guest_dev *dev;
    uint64_t cbit;
    uint64_t tx_gpa, rx_gpa;
    size_t chan_max; /* payload bytes per direction */
    uint32_t seq;
    bool kv;
    const struct snp_guest_app_ext *ext; /* set while an ext app runs */
    bool plain; /* SEV off: no protection, no attestation (snp_grt_plain()) */
    uint8_t *in, *out;
    struct app_notes notes; /* agent: the N6 test fixture's state */
};

/* Boot block (docs/vmm.md) -> the runtime's boot contract. */
static bool
boot_config(struct snp_guest *g, struct snp_grt_config *c, uint64_t *cmdline_gpa,
            uint64_t *hashes_gpa, uint64_t *tx, uint64_t *rx, uint32_t *chan_pages)
{
    uint8_t b[SNP_APP_BOOT_SIZE];
    uint64_t ram;

    snp_guest_read(g, SNP_APP_BOOT_GPA | snp_guest_cbit_mask(g), b, sizeof(b));
    if (memcmp(b, "SNPKBOOT", 8) != 0 || snp_le32(b + 8) != 1) {
        return false;
    }
    memset(c, 0, sizeof(*c));
    c->mem_pages = snp_le32(b + 0x0C);
    c->ghcb_gpa = snp_le64(b + 0x10);
    c->req_gpa = snp_le64(b + 0x18);
    c->rsp_gpa = snp_le64(b + 0x20);
    c->certs_gpa = snp_le64(b + 0x28);
    c->certs_pages = snp_le32(b + 0x30);
    *chan_pages = snp_le32(b + 0x34);
    *tx = snp_le64(b + 0x38);
    *rx = snp_le64(b + 0x40);
    *cmdline_gpa = snp_le64(b + 0x48);
    c->secrets_gpa = snp_le64(b + 0x50);
    c->cpuid_gpa = snp_le64(b + 0x58);
    *hashes_gpa = snp_le64(b + 0x60);
    c->prevalidated[0].gpa = snp_le64(b + 0x68);
    c->prevalidated[0].pages = snp_le64(b + 0x70);
    c->n_prevalidated = 1;
    ram = c->mem_pages * 4096u;
    /* Measured, so not hostile; but a wrong image must not make us write outside RAM. */
    return c->mem_pages > 0 && c->mem_pages <= 0x100000 && *chan_pages >= 1 && *chan_pages <= 64 &&
           *tx < ram && *rx < ram && *cmdline_gpa < ram && *hashes_gpa + 168 <= ram;
}

static void
console(struct app *a, const char *s)
{
    for (; *s != '\0'; s++) {
        (void)snp_guest_io(a->g, SNP_APP_PORT_CONSOLE, 1, false, (uint8_t)*s);
    }
    (void)snp_guest_io(a->g, SNP_APP_PORT_CONSOLE, 1, false, '\n');
}

/*
 * The command line from shared memory, accepted only if SHA-256(cmdline || NUL) equals the
 * cmdline entry of the SEV hashes table (§7.4: GUID header 16, u16 length, then the cmdline
 * entry: GUID 16, u16 length, SHA-256 at table offset 36).
 */
static bool
cmdline_load(struct app *a, uint64_t gpa, uint64_t hashes_gpa, char *out, size_t out_size)
{
    static const uint8_t g_cmdline[16] = {0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
                                          0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a};
    uint8_t table[168], want[32], got[32], len4[4];
    uint32_t len;

    snp_guest_read(a->g, gpa, len4, 4);
    len = snp_le32(len4);
    if (len > SNP_APP_CMDLINE_MAX || len + 1 > out_size) {
        return false;
    }
    snp_guest_read(a->g, gpa + 4, out, len);
    out[len] = '\0';
    if (strlen(out) != len || snp_sha256(got, out, (size_t)len + 1) != SNP_OK) {
        return false;
    }
    snp_guest_read(a->g, hashes_gpa | a->cbit, table, sizeof(table));
    if (memcmp(table + 18, g_cmdline, 16) != 0) {
        return false;
    }
    memcpy(want, table + 36, 32);
    return memcmp(want, got, 32) == 0;
}

/* One exchange: send @len bytes of a->out, receive the next message into a->in. */
static snp_err
chan_xfer(struct app *a, size_t len, size_t *in_len)
{
    uint8_t hdr[SNP_APP_CHAN_HDR];
    uint32_t n;

    a->seq++;
    memset(hdr, 0, sizeof(hdr));
    snp_put_le32(hdr, (uint32_t)len);
    snp_put_le32(hdr + 4, a->seq);
    snp_guest_write(a->g, a->tx_gpa, hdr, sizeof(hdr));
    snp_guest_write(a->g, a->tx_gpa + SNP_APP_CHAN_HDR, a->out, len);
    (void)snp_guest_io(a->g, SNP_APP_PORT_CHAN, 4, false, a->seq);
    if (snp_guest_io(a->g, SNP_APP_PORT_CHAN, 4, true, 0) != a->seq) {
        return SNP_E_STATE;
    }
    snp_guest_read(a->g, a->rx_gpa, hdr, sizeof(hdr));
    n = snp_le32(hdr);
    if (snp_le32(hdr + 4) != a->seq || n > a->chan_max || n < 4) {
        return SNP_E_FORMAT;
    }
    snp_guest_read(a->g, a->rx_gpa + SNP_APP_CHAN_HDR, a->in, n);
    *in_len = n;
    return SNP_OK;
}

static snp_err
op_report(struct app *a, const uint8_t *body, size_t len, bool ext, size_t *out_len)
{
    struct snp_guest_status st;
    size_t certs_len = 0;
    uint32_t vmpl;

    SNP_ENSURE(len == 68, SNP_E_FORMAT);
    vmpl = snp_le32(body + 64);
    if (!ext) {
        SNP_TRY(snp_guest_dev_get_report(a->dev, body, vmpl, a->out + 4, &st));
        *out_len = 4 + SNP_REPORT_SIZE;
        return SNP_OK;
    }
    SNP_TRY(snp_guest_dev_get_ext_report(a->dev, body, vmpl, a->out + 4,
                                         a->out + 8 + SNP_REPORT_SIZE,
                                         a->chan_max - 8 - SNP_REPORT_SIZE, &certs_len, &st));
    snp_put_le32(a->out + 4 + SNP_REPORT_SIZE, (uint32_t)certs_len);
    *out_len = 8 + SNP_REPORT_SIZE + certs_len;
    return SNP_OK;
}

static snp_err
op_key(struct app *a, const uint8_t *body, size_t len, size_t *out_len)
{
    struct snp_msg_key_req k;
    struct snp_derived_key key;
    snp_err err;

    SNP_ENSURE(len == 32, SNP_E_FORMAT);
    SNP_TRY(snp_msg_key_req_decode(&k, 1, body, len, NULL));
    err = snp_guest_dev_get_derived_key(a->dev, &k, &key, NULL);
    if (err == SNP_OK) {
        memcpy(a->out + 4, key.key, 32);
        *out_len = 4 + 32;
    }
    snp_wipe(&key, sizeof(key));
    return err;
}

/* The sealing key: bound to this chip (VCEK root) and to the MEASUREMENT. A plain VM has no
 * PSP: its key is random per boot and lives in guest memory, readable by the host. */
static snp_err
kv_key(struct app *a, struct snp_derived_key *key)
{
    struct snp_msg_key_req k;

    if (a->plain) {
        snp_guest_read(a->g, SNP_APP_KV_PAGE_GPA, key->key, 32);
        return SNP_OK;
    }
    memset(&k, 0, sizeof(k));
    k.msg_version = 1;
    k.guest_field_select = SNP_GFS_MEASUREMENT | SNP_GFS_GUEST_POLICY;
    return snp_guest_dev_get_derived_key(a->dev, &k, key, NULL);
}

/* The working copy of the last record, in the kv page (private in an SNP guest). */
static void
kv_keep(struct app *a, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    uint8_t hdr[4];
    uint64_t gpa = (SNP_APP_KV_PAGE_GPA | a->cbit) + SNP_APP_KV_REC_OFF;
    size_t room = 4096u - SNP_APP_KV_REC_OFF - 6 - klen; /* klen <= 256 */

    vlen = vlen < room ? vlen : room;
    hdr[0] = (uint8_t)klen;
    hdr[1] = (uint8_t)(klen >> 8);
    snp_guest_write(a->g, gpa, hdr, 2);
    snp_guest_write(a->g, gpa + 2, key, klen);
    snp_put_le32(hdr, (uint32_t)vlen);
    snp_guest_write(a->g, gpa + 2 + klen, hdr, 4);
    snp_guest_write(a->g, gpa + 6 + klen, val, vlen);
}

/* AAD = "snpkit-kv-v1" || key name: a blob cannot be replayed under another name. */
static snp_err
op_kv(struct app *a, const uint8_t *body, size_t len, bool put, size_t *out_len)
{
    struct snp_derived_key key;
    struct snp_gcm *gcm = NULL;
    uint8_t aad[12 + SNP_APP_KV_KEY_MAX];
    size_t klen, vlen;
    const uint8_t *val;
    snp_err err = SNP_E_FORMAT;

    memset(&key, 0, sizeof(key));
    if (len < 2) {
        goto out;
    }
    klen = (size_t)body[0] | (size_t)body[1] << 8;
    if (klen == 0 || klen > SNP_APP_KV_KEY_MAX || klen > len - 2) {
        goto out;
    }
    memcpy(aad, "snpkit-kv-v1", 12);
    memcpy(aad + 12, body + 2, klen);
    val = body + 2 + klen;
    vlen = len - 2 - klen;
    if ((put && vlen > a->chan_max - 4 - SNP_APP_KV_SEAL_OVER) ||
        (!put && vlen < SNP_APP_KV_SEAL_OVER)) {
        goto out;
    }
    err = kv_key(a, &key);
    if (err == SNP_OK) {
        err = snp_gcm_new(&gcm);
    }
    if (err != SNP_OK) {
        goto out;
    }
    if (put) {
        uint8_t *o = a->out + 4;
        kv_keep(a, body + 2, klen, val, vlen);
        err = snp_random(o, 12);
        if (err == SNP_OK) {
            err = snp_gcm_seal(gcm, key.key, o, aad, 12 + klen, val, o + 28, vlen, o + 12);
        }
        *out_len = 4 + SNP_APP_KV_SEAL_OVER + vlen;
    } else {
        err = snp_gcm_open(gcm, key.key, val, aad, 12 + klen, val + 28, a->out + 4,
                           vlen - SNP_APP_KV_SEAL_OVER, val + 12);
        *out_len = 4 + vlen - SNP_APP_KV_SEAL_OVER;
        if (err == SNP_OK) {
            kv_keep(a, body + 2, klen, a->out + 4, vlen - SNP_APP_KV_SEAL_OVER);
        }
    }
out:
    snp_gcm_free(gcm);
    snp_wipe(&key, sizeof(key));
    return err;
}

/* Accept the kv working page; a plain VM also keeps its random sealing key there. */
static bool
kv_page(struct app *a)
{
    uint8_t k[32];
    bool ok;

    if (snp_grt_accept(a->rt, SNP_APP_KV_PAGE_GPA, 1) != SNP_OK) {
        return false;
    }
    if (!a->plain) {
        return true;
    }
    ok = snp_random(k, sizeof(k)) == SNP_OK;
    snp_guest_write(a->g, SNP_APP_KV_PAGE_GPA, k, sizeof(k));
    snp_wipe(k, sizeof(k));
    return ok;
}

/* ---- SMP: AP bring-up (app.h) ------------------------------------------------------------ */

static uint32_t
smp_get(struct snp_guest *g, unsigned field)
{
    uint8_t b[4];

    snp_guest_read(g, (SNP_APP_SMP_PAGE_GPA | snp_guest_cbit_mask(g)) + 4u * field, b, 4);
    return snp_le32(b);
}

static void
smp_set(struct snp_guest *g, unsigned field, uint32_t v)
{
    uint8_t b[4];

    snp_put_le32(b, v);
    snp_guest_write(g, (SNP_APP_SMP_PAGE_GPA | snp_guest_cbit_mask(g)) + 4u * field, b, 4);
}

/*
 * An AP: its APIC ID from the BSP's private SMP page, its own runtime on its own GHCB, then
 * it checks in (its bit in the SMP page, a console line) and idles. Operations between two
 * exits are not interleaved with other vCPUs (one runs at a time), so the read-modify-write of
 * the bitmap needs no lock in this model; a real kernel would use an atomic.
 */
static void
ap_main(struct snp_guest *g)
{
    struct snp_grt_config c;
    struct app a;
    uint64_t cmdline_gpa = 0, hashes_gpa = 0;
    uint32_t chan_pages = 0, id;
    char line[40];

    memset(&a, 0, sizeof(a));
    a.g = g;
    id = smp_get(g, 0);
    if (id == 0 || id >= SNP_APP_MAX_VCPUS ||
        !boot_config(g, &c, &cmdline_gpa, &hashes_gpa, &a.tx_gpa, &a.rx_gpa, &chan_pages)) {
        goto idle;
    }
    c.ghcb_gpa = SNP_APP_AP_GHCB_GPA(id);
    if (snp_grt_new(&a.rt, g, &c) != SNP_OK) {
        goto idle;
    }
    if (snp_grt_boot(a.rt) != SNP_OK) {
        snp_grt_free(a.rt);
        goto idle;
    }
    memcpy(line, "snpkit guest: AP 0 up", 22);
    line[17] = (char)('0' + id);
    console(&a, line); /* before checking in: the console is one line at a time */
    smp_set(g, 1, smp_get(g, 1) | 1u << id);
idle:
    for (;;) {
        snp_guest_hlt(g); /* parked: the BSP owns the VM's life */
    }
}

/* The BSP: create the APs one by one until the hypervisor has no more vCPUs. Returns how
 * many vCPUs run (1 when the hypervisor offers no AP creation). */
static uint32_t
smp_start(struct app *a)
{
    uint32_t n = 1;

    if (a->plain || (snp_grt_hv_features(a->rt) & SNP_GHCB_HV_FT_SNP_AP_CREATION) == 0 ||
        snp_grt_accept(a->rt, SNP_APP_SMP_PAGE_GPA, 1) != SNP_OK) {
        return 1;
    }
    smp_set(a->g, 1, 0);
    /* The vCPU count is the host's to choose (Linux learns it from the host's MADT): we ask
     * for APIC IDs 1, 2, ... until it refuses. */
    for (uint32_t id = 1; id < SNP_APP_MAX_VCPUS; id++) {
        smp_set(a->g, 0, id);
        if (snp_grt_ap_create(a->rt, id, SNP_APP_LAUNCH_VMSA_GPA) != SNP_OK) {
            break;
        }
        for (unsigned i = 0; i < 100000 && (smp_get(a->g, 1) & 1u << id) == 0; i++) {
            snp_guest_hlt(a->g); /* let the hypervisor run the AP */
        }
        if ((smp_get(a->g, 1) & 1u << id) == 0) {
            console(a, "snpkit guest: an AP did not start");
            break;
        }
        n++;
    }
    smp_set(a->g, 0, 0);
    return n;
}

/* ---- snpkit.app=psctest: page state changes both ways (tests) ---------------------------------
 */

static void
psc_test(struct app *a)
{
    static const char one[] = "psctest secret one", shared[] = SNP_APP_PSC_SHARED,
                      two[] = SNP_APP_PSC_SECRET;
    char back[sizeof(two)];
    const uint64_t gpa = SNP_APP_PSC_GPA;

    /* hypervisor-owned -> private: PSC (GHCB, 2 pages) + PVALIDATE */
    if (snp_grt_accept(a->rt, gpa, SNP_APP_PSC_PAGES) != SNP_OK) {
        console(a, "psctest: FAIL accept");
        return;
    }
    snp_guest_write(a->g, gpa | a->cbit, one, sizeof(one));
    /* private -> shared: PVALIDATE rescind, then PSC to shared */
    if (snp_grt_share(a->rt, gpa, SNP_APP_PSC_PAGES) != SNP_OK) {
        console(a, "psctest: FAIL share");
        return;
    }
    snp_guest_write(a->g, gpa, shared, sizeof(shared)); /* C-bit clear: plaintext */
    console(a, "psctest: shared");
    /* shared -> private again: PSC to private, PVALIDATE */
    if (snp_grt_accept(a->rt, gpa, SNP_APP_PSC_PAGES) != SNP_OK) {
        console(a, "psctest: FAIL re-accept");
        return;
    }
    snp_guest_write(a->g, gpa | a->cbit, two, sizeof(two));
    snp_guest_read(a->g, gpa | a->cbit, back, sizeof(back));
    console(a, memcmp(back, two, sizeof(two)) == 0 ? "psctest: private" : "psctest: FAIL read");
}

/* ---- diagnostics ops of the agent (docs/guest.md): ACCEPT .. REGHOLD ---------------------- */

/* Injected events (interrupts, NMIs, exceptions other than #VC) seen by each vCPU: a kernel's
 * IDT would dispatch them; the agent only counts them so the channel can say what arrived. */
#define APP_EV_SLOTS 16u
static struct {
    struct snp_guest *g;
    uint32_t count;
    uint8_t vector, type;
    uint32_t job_secret, job_bits, job_step; /* IRQWORK (test fixture, N5) */
} g_app_ev[APP_EV_SLOTS];

/* The slot of @g; with @claim a fresh one (a slot left by a VM that was killed before its
 * code returned may carry the same vCPU address: it is reset, or the oldest one reused). */
static unsigned
ev_slot(struct snp_guest *g, bool claim)
{
    static unsigned next;
    unsigned i;

    for (i = 0; i < APP_EV_SLOTS && g_app_ev[i].g != g; i++) {
    }
    if (!claim) {
        return i;
    }
    if (i == APP_EV_SLOTS) {
        for (i = 0; i < APP_EV_SLOTS && g_app_ev[i].g != NULL; i++) {
        }
    }
    if (i == APP_EV_SLOTS) {
        i = next++ % APP_EV_SLOTS;
    }
    memset(&g_app_ev[i], 0, sizeof(g_app_ev[i]));
    g_app_ev[i].g = g;
    return i;
}

/*
 * TEST FIXTURE (THREAT-MODEL.md N5, docs/guest.md): while an IRQWORK job runs, every event
 * does one step of a computation over a secret, one bit per event, and a set bit costs
 * APP_IRQ_EXTRA reads of private memory more than a clear one (like a square-and-multiply
 * step driven by a timer interrupt). Nothing here is visible to the host but the time it takes.
 */
#define APP_IRQ_EXTRA 16u

static void
irq_step(struct snp_guest *g, unsigned i)
{
    uint8_t b[64];

    if (((g_app_ev[i].job_secret >> g_app_ev[i].job_step) & 1u) != 0) {
        for (unsigned k = 0; k < APP_IRQ_EXTRA; k++) {
            snp_guest_read(g, (SNP_APP_BOOT_GPA | snp_guest_cbit_mask(g)) + 64u * k, b, sizeof(b));
        }
    }
    g_app_ev[i].job_step++;
}

static void
app_event(struct snp_guest *g, uint8_t vector, uint8_t type, uint32_t error_code)
{
    unsigned i = ev_slot(g, false);

    (void)error_code;
    if (i < APP_EV_SLOTS) {
        g_app_ev[i].count++;
        g_app_ev[i].vector = vector;
        g_app_ev[i].type = type;
        if (g_app_ev[i].job_step < g_app_ev[i].job_bits) {
            irq_step(g, i);
        }
    }
}

/* N2: @units units of work over measured private memory, each one guest memory operation. */
static snp_err
op_work(struct app *a, const uint8_t *body, size_t len, size_t *out_len)
{
    uint8_t b[64];
    uint32_t units, sum = 0;

    SNP_ENSURE(len == 4, SNP_E_FORMAT);
    units = snp_le32(body);
    SNP_ENSURE(units >= 1 && units <= SNP_APP_WORK_MAX, SNP_E_RANGE);
    for (uint32_t u = 0; u < units; u++) {
        snp_guest_read(a->g, (SNP_APP_BOOT_GPA | a->cbit) + 64u * (u % 64u), b, sizeof(b));
        for (size_t k = 0; k < sizeof(b); k++) {
            sum = sum * 31u + b[k];
        }
    }
    snp_put_le32(a->out + 4, units); /* the progress counter: every unit was done */
    snp_put_le32(a->out + 8, sum);
    *out_len = 4 + 8;
    return SNP_OK;
}

/* N5 (test fixture): a fresh 32-bit secret, one bit per injected event; the guest idles with
 * @rounds + 2 HLTs (one to start, one per step, one to end) and then REVEALS the secret in its
 * answer, which no real guest would do: the scenario needs the truth to score the guess. */
static snp_err
op_irqwork(struct app *a, const uint8_t *body, size_t len, size_t *out_len)
{
    unsigned i = ev_slot(a->g, false);
    uint8_t s[4];
    uint32_t rounds;

    SNP_ENSURE(len == 4, SNP_E_FORMAT);
    SNP_ENSURE(i < APP_EV_SLOTS, SNP_E_STATE);
    rounds = snp_le32(body);
    SNP_ENSURE(rounds >= 1 && rounds <= SNP_APP_IRQWORK_MAX, SNP_E_RANGE);
    SNP_TRY(snp_random(s, sizeof(s)));
    g_app_ev[i].job_secret = snp_le32(s);
    g_app_ev[i].job_step = 0;
    g_app_ev[i].job_bits = rounds;
    for (uint32_t k = 0; k < rounds + 2; k++) {
        snp_guest_hlt(a->g);
    }
    snp_put_le32(a->out + 4, g_app_ev[i].job_step);
    snp_put_le32(a->out + 8, g_app_ev[i].job_secret);
    *out_len = 4 + 8;
    g_app_ev[i].job_bits = 0;
    g_app_ev[i].job_secret = 0;
    snp_wipe(s, sizeof(s));
    return SNP_OK;
}

/*
 * N6: DELIBERATELY BUGGY TEST FIXTURE (docs/guest.md). Stores a host note (u16 off, u16 len,
 * bytes) in notes.note[]. THE BUG: the offset and length from the host are checked against
 * the containing struct, not against note[]: off 32 reaches `authorised`, 33.. the secret.
 * It is safe C (every byte written lies inside a->notes, no UB) and still a hole: SNP cannot
 * protect a guest from its own logic. The fix would be `off + n <= sizeof(a->notes.note)`.
 */
static snp_err
op_note(struct app *a, const uint8_t *body, size_t len)
{
    size_t off, n;

    SNP_ENSURE(len >= 4, SNP_E_FORMAT);
    off = (size_t)body[0] | (size_t)body[1] << 8;
    n = (size_t)body[2] | (size_t)body[3] << 8;
    SNP_ENSURE(len == 4 + n, SNP_E_FORMAT);
    SNP_ENSURE(off <= sizeof(a->notes) && n <= sizeof(a->notes) - off, SNP_E_RANGE); /* BUG */
    if (n > 0) {
        memcpy((uint8_t *)&a->notes + off, body + 4, n);
    }
    return SNP_OK;
}

/* WeSee (test fixture): what a kernel keeps in registers across an idle HLT: a value it is
 * about to test in RAX, one of its own in RCX. Only an instruction the guest executed may
 * change them; the answer says what RAX and RDX hold after the HLT, the RCX the guest held,
 * and how many #VC its handler took meanwhile. */
#define APP_REG_RAX UINT64_C(0x600DCAFE600DCAFE)
#define APP_REG_RCX UINT64_C(0x5EC2E75EC2E7)

static snp_err
op_reghold(struct app *a, size_t len, size_t *out_len)
{
    struct snp_guest_regs *r = snp_guest_regs(a->g);
    uint64_t vc0 = snp_grt_vc_count(a->rt), rax, rdx;

    SNP_ENSURE(len == 0, SNP_E_FORMAT);
    r->rax = APP_REG_RAX;
    r->rcx = APP_REG_RCX;
    r->rdx = 0;
    snp_guest_hlt(a->g);
    rax = r->rax;
    rdx = r->rdx;
    snp_put_le32(a->out + 4, (uint32_t)rax);
    snp_put_le32(a->out + 8, (uint32_t)(rax >> 32));
    snp_put_le32(a->out + 12, (uint32_t)rdx);
    snp_put_le32(a->out + 16, (uint32_t)(rdx >> 32));
    snp_put_le32(a->out + 20, (uint32_t)APP_REG_RCX);
    snp_put_le32(a->out + 24, (uint32_t)(APP_REG_RCX >> 32));
    snp_put_le32(a->out + 28, (uint32_t)(snp_grt_vc_count(a->rt) - vc0));
    *out_len = 4 + 28;
    return SNP_OK;
}

static snp_err
op_diag(struct app *a, uint8_t op, const uint8_t *body, size_t len, size_t *out_len)
{
    if (op == SNP_APP_OP_ACCEPT) {
        SNP_ENSURE(len == 12, SNP_E_FORMAT);
        return snp_grt_accept(a->rt, snp_le64(body), snp_le32(body + 8));
    }
    if (op == SNP_APP_OP_CPUID) {
        uint32_t r[4];
        SNP_ENSURE(len == 8, SNP_E_FORMAT);
        snp_guest_cpuid(a->g, snp_le32(body), snp_le32(body + 4), r);
        for (unsigned i = 0; i < 4; i++) {
            snp_put_le32(a->out + 4 + 4 * i, r[i]);
        }
        *out_len = 4 + 16;
        return SNP_OK;
    }
    if (op == SNP_APP_OP_EVENTS) {
        unsigned i = ev_slot(a->g, false);
        SNP_ENSURE(i < APP_EV_SLOTS, SNP_E_STATE);
        snp_put_le32(a->out + 4, g_app_ev[i].count);
        a->out[8] = g_app_ev[i].vector;
        a->out[9] = g_app_ev[i].type;
        *out_len = 4 + 6;
        return SNP_OK;
    }
    if (op == SNP_APP_OP_WORK) {
        return op_work(a, body, len, out_len);
    }
    if (op == SNP_APP_OP_IRQWORK) {
        return op_irqwork(a, body, len, out_len);
    }
    if (op == SNP_APP_OP_NOTE) {
        return op_note(a, body, len);
    }
    if (op == SNP_APP_OP_ADMIN) {
        SNP_ENSURE(len == 0, SNP_E_FORMAT);
        SNP_ENSURE(a->notes.authorised != 0, SNP_E_STATE); /* never set legitimately */
        memcpy(a->out + 4, a->notes.secret, sizeof(a->notes.secret));
        *out_len = 4 + sizeof(a->notes.secret);
        return SNP_OK;
    }
    if (op == SNP_APP_OP_REGHOLD) {
        return op_reghold(a, len, out_len);
    }
    return SNP_E_UNSUPPORTED;
}

/* Serve until SHUTDOWN (or a channel failure). */
static void
serve(struct app *a, const char *app_name)
{
    size_t n = strlen(app_name), in_len = 0, out_len;

    a->out[0] = SNP_APP_OP_HELLO;
    memset(a->out + 1, 0, 3);
    memcpy(a->out + 4, app_name, n);
    out_len = 4 + n;
    while (chan_xfer(a, out_len, &in_len) == SNP_OK) {
        uint8_t op = a->in[0];
        const uint8_t *body = a->in + 4;
        size_t blen = in_len - 4;
        snp_err err;

        if (op == SNP_APP_OP_SHUTDOWN) {
            return;
        }
        out_len = 4;
        if (a->ext != NULL) { /* only the app's own ops (app.h) */
            size_t n_body = 0;
            err = a->ext->handle(a->ext->ctx, op, body, blen, a->out + 4, a->chan_max - 4, &n_body);
            out_len = 4 + (n_body <= a->chan_max - 4 ? n_body : 0);
        } else if (op == SNP_APP_OP_REPORT || op == SNP_APP_OP_EXT_REPORT) {
            err = op_report(a, body, blen, op == SNP_APP_OP_EXT_REPORT, &out_len);
        } else if (op == SNP_APP_OP_KEY) {
            err = op_key(a, body, blen, &out_len);
        } else if (a->kv && (op == SNP_APP_OP_KV_PUT || op == SNP_APP_OP_KV_GET)) {
            err = op_kv(a, body, blen, op == SNP_APP_OP_KV_PUT, &out_len);
        } else if (!a->kv && op >= SNP_APP_OP_ACCEPT && op <= SNP_APP_OP_REGHOLD) {
            err = op_diag(a, op, body, blen, &out_len);
        } else {
            err = SNP_E_UNSUPPORTED;
        }
        if (err != SNP_OK) {
            out_len = 4;
        }
        a->out[0] = (uint8_t)(op | SNP_APP_OP_RESPONSE);
        a->out[1] = (uint8_t)err;
        a->out[2] = 0;
        a->out[3] = 0;
    }
}

static const char *
app_of(const char *cmdline, const struct snp_guest_app_ext *ext)
{
    const char *p = cmdline;

    while ((p = strstr(p, "snpkit.app=")) != NULL) {
        if (p == cmdline || p[-1] == ' ') {
            p += strlen("snpkit.app=");
            for (size_t i = 0; ext != NULL && ext->names[i] != NULL; i++) {
                size_t n = strlen(ext->names[i]);
                if (strncmp(p, ext->names[i], n) == 0 && (p[n] == ' ' || p[n] == '\0')) {
                    return ext->names[i];
                }
            }
            if (strncmp(p, "kv", 2) == 0 && (p[2] == ' ' || p[2] == '\0')) {
                return "kv";
            }
            if (strncmp(p, "agent", 5) == 0 && (p[5] == ' ' || p[5] == '\0')) {
                return "agent";
            }
            if (strncmp(p, "psctest", 7) == 0 && (p[7] == ' ' || p[7] == '\0')) {
                return "psctest";
            }
            return NULL;
        }
        p++;
    }
    return "agent";
}

void
snp_guest_app_main(struct snp_guest *g, void *arg)
{
    snp_guest_app_main_ext(g, arg, NULL);
}

/* The ext app named @name, if it is one: start it (NULL when it is not, or did not start). */
static const struct snp_guest_app_ext *
ext_start(struct app *a, const struct snp_guest_app_ext *ext, const char *name)
{
    for (size_t i = 0; ext != NULL && ext->names[i] != NULL; i++) {
        if (ext->names[i] == name) {
            if (ext->start(ext->ctx, name, a->dev) != SNP_OK) {
                console(a, "snpkit guest: the app did not start");
                return NULL;
            }
            return ext;
        }
    }
    return NULL;
}

void
snp_guest_app_main_ext(struct snp_guest *g, void *arg, const struct snp_guest_app_ext *ext)
{
    bool is_ext = false;
    struct snp_grt_config c;
    struct app a;
    uint64_t cmdline_gpa = 0, hashes_gpa = 0;
    uint32_t chan_pages = 0;
    char cmdline[SNP_APP_CMDLINE_MAX + 1];
    const char *name;
    uint32_t ncpu;

    (void)arg; /* host-supplied: not trusted, not used */
    if (snp_guest_regs(g)->rip != SNP_APP_BSP_RIP) {
        ap_main(g); /* an AP: started by the BSP's AP creation; never returns */
        return;
    }
    memset(&a, 0, sizeof(a));
    a.g = g;
    a.cbit = snp_guest_cbit_mask(g);
    if (!boot_config(g, &c, &cmdline_gpa, &hashes_gpa, &a.tx_gpa, &a.rx_gpa, &chan_pages) ||
        snp_grt_new(&a.rt, g, &c) != SNP_OK) {
        return;
    }
    if (snp_grt_boot(a.rt) != SNP_OK) {
        if (!snp_grt_plain(a.rt)) {
            goto out;
        }
        /* A plain VM (SEV off): the same program, without any protection. */
        a.plain = true;
        a.cbit = 0;
        console(&a, "snpkit guest: plain VM (SEV off): no memory protection, no attestation");
    }
    if (!cmdline_load(&a, cmdline_gpa, hashes_gpa, cmdline, sizeof(cmdline)) ||
        (name = app_of(cmdline, ext)) == NULL) {
        /* The host handed us a command line the launch did not measure. */
        console(&a, "snpkit guest: command line does not match the measured hashes");
        if (!a.plain) {
            snp_grt_terminate(a.rt, 0, 0);
        }
        goto out;
    }
    ncpu = smp_start(&a);
    if (ncpu > 1) {
        char line[40];
        memcpy(line, "snpkit guest: 0 vCPUs running", 30);
        line[14] = (char)('0' + ncpu);
        console(&a, line);
    }
    if (strcmp(name, "psctest") == 0) {
        psc_test(&a);
        goto out;
    }
    a.kv = strcmp(name, "kv") == 0;
    if (a.kv && !kv_page(&a)) {
        goto out;
    }
    a.chan_max = (size_t)chan_pages * 4096u - SNP_APP_CHAN_HDR;
    if (a.chan_max > CHAN_BUF - SNP_APP_CHAN_HDR) {
        a.chan_max = CHAN_BUF - SNP_APP_CHAN_HDR;
    }
    a.in = malloc(CHAN_BUF);
    a.out = malloc(CHAN_BUF);
    if (a.in == NULL || a.out == NULL || snp_grt_open_dev(a.rt, &a.dev) != SNP_OK) {
        goto out;
    }
    for (size_t i = 0; ext != NULL && ext->names[i] != NULL; i++) {
        is_ext = is_ext || ext->names[i] == name;
    }
    if (is_ext) {
        char line[64] = "snpkit guest: app=";
        size_t k = strlen(line), n = strlen(name);
        memcpy(line + k, name, n < sizeof(line) - k - 1 ? n : sizeof(line) - k - 1);
        console(&a, line);
        if ((a.ext = ext_start(&a, ext, name)) == NULL) {
            goto out;
        }
    } else {
        console(&a, a.kv ? "snpkit guest: app=kv" : "snpkit guest: app=agent");
        if (!a.kv && snp_random(a.notes.secret, sizeof(a.notes.secret)) != SNP_OK) {
            goto out; /* the N6 fixture's secret (ADMIN) */
        }
    }
    if (ev_slot(g, true) < APP_EV_SLOTS) {
        snp_guest_set_event_handler(g, app_event);
    }
    serve(&a, name);
    if (a.ext != NULL) {
        a.ext->stop(a.ext->ctx);
    }
out:
    if (ev_slot(g, false) < APP_EV_SLOTS) {
        snp_guest_set_event_handler(g, NULL);
        memset(&g_app_ev[ev_slot(g, false)], 0, sizeof(g_app_ev[0]));
    }
    snp_guest_dev_close(a.dev);
    snp_wipe(&a.notes, sizeof(a.notes));
    if (a.in != NULL) {
        snp_wipe(a.in, CHAN_BUF);
    }
    if (a.out != NULL) {
        snp_wipe(a.out, CHAN_BUF);
    }
    free(a.in);
    free(a.out);
    snp_grt_free(a.rt);
}
