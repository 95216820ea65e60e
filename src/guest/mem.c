/*
 * guest/mem.c - guest memory acceptance (hardware.md §2.3, §5.3, §5.6): page state change
 * through the MSR protocol (one 4K page) or the GHCB PSC buffer (up to 253 entries per exit),
 * PVALIDATE, and the validated bitmap that makes "never validate a GPA twice" checkable.
 *
 * The hypervisor's PSC answer is never trusted (§5.6): after private -> its word, PVALIDATE
 * must change the Validated bit (CF = 0); CF = 1 means the page was already validated, i.e. the
 * hypervisor mapped a page we validated before at this GPA (a remapping/replay attack), and the
 * guest terminates (set 1, code 2), as Linux does.
 */
#include "guest/runtime_int.h"

#include "guest/ghcb_resp.h"
#include "sim/guest_if.h"

#include <string.h>

static bool
bit_get(const struct snp_grt *rt, uint64_t gfn)
{
    return (rt->bitmap[gfn / 8] >> (gfn % 8) & 1) != 0;
}

static void
bit_set(struct snp_grt *rt, uint64_t gfn, bool v)
{
    uint8_t m = (uint8_t)(1u << (gfn % 8));
    rt->bitmap[gfn / 8] = (uint8_t)(v ? rt->bitmap[gfn / 8] | m : rt->bitmap[gfn / 8] & ~m);
}

bool
snp_grt_is_validated(const struct snp_grt *rt, uint64_t gpa)
{
    uint64_t gfn = (gpa & ~rt->cbit_mask) >> 12;
    return gfn < rt->cfg.mem_pages && bit_get(rt, gfn);
}

static snp_err
range_ok(const struct snp_grt *rt, uint64_t gpa, uint64_t pages)
{
    uint64_t gfn = (gpa & ~rt->cbit_mask) >> 12;
    if ((gpa & 0xFFF) != 0 || pages == 0 || gfn >= rt->cfg.mem_pages ||
        pages > rt->cfg.mem_pages - gfn) {
        return SNP_E_RANGE;
    }
    return SNP_OK;
}

snp_err
snp_grt_mark_prevalidated(struct snp_grt *rt, uint64_t gpa, uint64_t pages)
{
    uint64_t gfn = (gpa & ~rt->cbit_mask) >> 12;

    SNP_TRY(range_ok(rt, gpa, pages));
    for (uint64_t i = 0; i < pages; i++) {
        if (bit_get(rt, gfn + i)) {
            return SNP_E_RANGE; /* overlapping launch ranges: the boot contract is wrong */
        }
    }
    for (uint64_t i = 0; i < pages; i++) {
        bit_set(rt, gfn + i, true);
    }
    return SNP_OK;
}

/* Full-GHCB PSC of gfn .. gfn+n-1 (n <= 253) to @op; loops while the HV makes progress. */
static snp_err
psc_ghcb(struct snp_grt *rt, uint64_t gfn, uint64_t n, uint8_t op)
{
    struct snp_psc sent, now;
    struct snp_ghcb in, out;
    bool done = false;

    memset(&sent, 0, sizeof(sent));
    sent.end_entry = (uint16_t)(n - 1);
    for (uint64_t i = 0; i < n; i++) {
        sent.entries[i].gfn = gfn + i;
        sent.entries[i].operation = op;
        sent.entries[i].page_size = SNP_PSC_PAGE_4K;
    }
    /* Each exit must advance cur_entry (checked below), so n + 1 exits are plenty. */
    for (uint64_t round = 0; round <= n && !done; round++) {
        uint64_t exitinfo2 = 0;
        memset(&in, 0, sizeof(in));
        in.sw_exitcode = SNP_NAE_PSC;
        in.sw_scratch = rt->cfg.ghcb_gpa + SNP_GHCB_OFF_SHARED_BUFFER; /* §5.6 */
        SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_SW_SCRATCH));
        SNP_TRY(snp_psc_encode(in.shared_buffer, &sent));
        if (snp_grt_ghcb_call(rt, &in, &out) != SNP_OK) {
            return SNP_E_IO;
        }
        exitinfo2 = out.sw_exitinfo2;
        if (exitinfo2 != SNP_PSC_STATUS_OK) {
            return SNP_E_IO;
        }
        SNP_TRY(snp_grt_resp_psc(&sent, out.shared_buffer, SNP_PSC_SIZE, &now, &done) == SNP_OK
                    ? SNP_OK
                    : SNP_E_IO);
        if (!done && now.cur_entry == sent.cur_entry) {
            return SNP_E_IO; /* no progress: the hypervisor stalls us */
        }
        sent = now;
    }
    return done ? SNP_OK : SNP_E_IO;
}

/* Page state change of [gfn, gfn + pages) to @op: MSR protocol for one page, else GHCB. */
static snp_err
psc(struct snp_grt *rt, uint64_t gfn, uint64_t pages, uint8_t op)
{
    if (pages == 1) {
        struct snp_ghcb_msr m;
        uint64_t req = 0;
        memset(&m, 0, sizeof(m));
        m.info = SNP_GHCB_MSR_PSC_REQ;
        m.gfn = gfn;
        m.psc_op = op;
        SNP_TRY(snp_ghcb_msr_encode(&m, &req));
        return snp_grt_resp_msr_psc(snp_grt_msr_call(rt, req));
    }
    for (uint64_t done = 0; done < pages;) {
        uint64_t n = pages - done < SNP_PSC_MAX_ENTRIES ? pages - done : SNP_PSC_MAX_ENTRIES;
        SNP_TRY(psc_ghcb(rt, gfn + done, n, op));
        done += n;
    }
    return SNP_OK;
}

snp_err
snp_grt_accept(struct snp_grt *rt, uint64_t gpa, uint64_t pages)
{
    uint64_t gfn = (gpa & ~rt->cbit_mask) >> 12;

    SNP_TRY(range_ok(rt, gpa, pages));
    for (uint64_t i = 0; i < pages; i++) {
        if (bit_get(rt, gfn + i)) {
            return SNP_E_STATE; /* never validate a GPA twice: refused before any exit */
        }
    }
    if (rt->plain) {
        for (uint64_t i = 0; i < pages; i++) {
            bit_set(rt, gfn + i, true); /* a plain VM's memory is usable as it is */
        }
        return SNP_OK;
    }
    if (psc(rt, gfn, pages, SNP_PSC_OP_PRIVATE) != SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PSC);
    }
    for (uint64_t i = 0; i < pages; i++) {
        struct snp_hw_result r = snp_guest_pvalidate(rt->g, (gfn + i) << 12, false, true);
        /* §2.3: success with CF = 0 is the only acceptable outcome; CF = 1 means the page
         * was validated already although our bitmap says it never was: double validation. */
        if (r.fault != SNP_HW_OK || r.rax != SNP_RMP_SUCCESS || r.cf) {
            snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PVALIDATE);
        }
        bit_set(rt, gfn + i, true);
    }
    return SNP_OK;
}

snp_err
snp_grt_share(struct snp_grt *rt, uint64_t gpa, uint64_t pages)
{
    uint64_t gfn = (gpa & ~rt->cbit_mask) >> 12;

    SNP_TRY(range_ok(rt, gpa, pages));
    for (uint64_t i = 0; i < pages; i++) {
        if (!bit_get(rt, gfn + i)) {
            return SNP_E_STATE;
        }
    }
    if (rt->plain) {
        for (uint64_t i = 0; i < pages; i++) {
            bit_set(rt, gfn + i, false);
        }
        return SNP_OK;
    }
    /* §5.6: rescind validation BEFORE telling the hypervisor, so the page can never be both
     * shared and validated. */
    for (uint64_t i = 0; i < pages; i++) {
        struct snp_hw_result r = snp_guest_pvalidate(rt->g, (gfn + i) << 12, false, false);
        if (r.fault != SNP_HW_OK || r.rax != SNP_RMP_SUCCESS || r.cf) {
            snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PVALIDATE);
        }
        bit_set(rt, gfn + i, false);
    }
    if (psc(rt, gfn, pages, SNP_PSC_OP_SHARED) != SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_PSC);
    }
    return SNP_OK;
}
