/*
 * tests/fuzz/fuzz_guest_ghcb_resp.c - every hypervisor answer the guest parses, as hostile
 * bytes (STYLE.md §11.4): the GHCB page after VMGEXIT (result, CPUID/RDMSR/IN outputs, the
 * extended-request page count), MSR-protocol responses, the PSC buffer handed back, and a guest
 * message response page (through guest/gmsg.c with a fixed VMPCK, via a transport that returns
 * the fuzz bytes). Property: never crash; a rejected guest message always leaves the key wiped.
 * Seeds in corpus/fuzz_guest_ghcb_resp are synthetic.
 */
#include "guest/ghcb_resp.h"
#include "guest/gmsg.h"
#include "snpkit/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results are not interesting here, only that computing them never crashes. */
static volatile int sink;

static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

struct xp {
    const uint8_t *data;
    size_t size;
};

static snp_err
fz_send(void *ctx, bool ext, const uint8_t req[SNP_MSG_PAGE_SIZE], uint8_t rsp[SNP_MSG_PAGE_SIZE],
        uint8_t *certs, size_t *certs_pages, uint64_t *exitinfo2)
{
    struct xp *x = ctx;
    (void)req;
    (void)ext;
    (void)certs;
    (void)certs_pages;
    memset(rsp, 0, SNP_MSG_PAGE_SIZE);
    memcpy(rsp, x->data, x->size < SNP_MSG_PAGE_SIZE ? x->size : SNP_MSG_PAGE_SIZE);
    *exitinfo2 = 0;
    return SNP_OK;
}

static void
fuzz_ghcb(const uint8_t *data, size_t size)
{
    static uint8_t page[SNP_GHCB_SIZE];
    static struct snp_ghcb g;
    uint64_t v = 0;
    uint32_t out[4];
    uint32_t w = 0;

    memset(page, 0, sizeof(page));
    memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
    if (snp_ghcb_decode(&g, page, sizeof(page), NULL) != SNP_OK) {
        abort(); /* any 4 KiB decodes (KEEP) */
    }
    sink += (int)snp_grt_resp_result(&g, &v);
    sink += (int)snp_grt_resp_cpuid(&g, out);
    sink += (int)snp_grt_resp_rdmsr(&g, &v);
    sink += (int)snp_grt_resp_in(&g, 1, &w);
    sink += (int)snp_grt_resp_in(&g, 4, &w);
    sink += (int)snp_grt_resp_ext_pages(&g, &v);
}

static void
fuzz_msr(const uint8_t *data, size_t size)
{
    uint64_t msr = 0, f = 0;
    uint8_t cbit = 0;
    uint32_t val = 0;

    memcpy(&msr, data, size < 8 ? size : 8);
    sink += (int)snp_grt_resp_msr_sev_info(msr, &cbit);
    sink += (int)snp_grt_resp_msr_reg_gpa(msr, msr >> 12);
    sink += (int)snp_grt_resp_msr_psc(msr);
    sink += (int)snp_grt_resp_msr_hv_features(msr, &f);
    sink += (int)snp_grt_resp_msr_cpuid(msr, &val);
}

static void
fuzz_psc(const uint8_t *data, size_t size)
{
    static uint8_t buf[SNP_PSC_SIZE];
    static struct snp_psc sent, now;
    bool done = false;

    memset(&sent, 0, sizeof(sent));
    sent.end_entry = 3;
    for (unsigned i = 0; i < 4; i++) {
        sent.entries[i].gfn = 0x100 + i;
        sent.entries[i].operation = SNP_PSC_OP_PRIVATE;
    }
    memset(buf, 0, sizeof(buf));
    memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
    if (snp_grt_resp_psc(&sent, buf, sizeof(buf), &now, &done) == SNP_OK && done &&
        now.cur_entry <= now.end_entry) {
        abort();
    }
}

static void
fuzz_msg(const uint8_t *data, size_t size)
{
    static struct snp_gmsg m;
    static uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
    uint8_t req[96] = {0};
    struct xp x = {data, size};
    struct snp_gmsg_xport xp = {fz_send, NULL, NULL, &x};
    size_t len = 0;
    snp_err err;

    if (snp_gmsg_init(&m, key, 0, 0) != SNP_OK) {
        abort();
    }
    err =
        snp_gmsg_request(&m, &xp, 5, 1, req, sizeof(req), rsp, sizeof(rsp), &len, NULL, NULL, NULL);
    if (err != SNP_OK && (!m.disabled || !snp_ct_is_zero(m.vmpck, sizeof(m.vmpck)))) {
        abort(); /* every rejected response wipes the key */
    }
    if (err != SNP_OK && len != 0) {
        abort();
    }
    snp_gmsg_fini(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    switch (data[0] & 3) {
    case 0:
        fuzz_ghcb(data + 1, size - 1);
        break;
    case 1:
        fuzz_msr(data + 1, size - 1);
        break;
    case 2:
        fuzz_psc(data + 1, size - 1);
        break;
    default:
        fuzz_msg(data + 1, size - 1);
        break;
    }
    return 0;
}
