/*
 * sim/rmp.c - the Reverse Map Table: access checks and the RMP instructions
 * (hardware.md §1.4-§1.6, §2.1-§2.5).
 *
 * Checks are pure; instructions change the table only when they succeed. Counters: for each
 * ASID, the number of 4K pages governed by an assigned entry of that ASID (§1.1 bookkeeping
 * area; we count a 2M page as 512). subpage_count in a 2M-aligned entry counts assigned 4K
 * entries of its region (§1.2 SubPageCount), which is how 4K/2M overlap is detected.
 * Must not: touch memory, keys or caches.
 */
#include "sim/rmp.h"

#include <stdio.h>
#include <string.h>

#define PFN_2M_MASK ((uint64_t)SNP_PAGES_PER_2M - 1)

void
snp_rmp_init(struct snp_rmp *r, struct snp_rmp_entry *entries, uint64_t *asid_count,
             uint64_t npages, uint32_t max_asid)
{
    r->npages = npages;
    r->max_asid = max_asid;
    r->e = entries;
    r->asid_count = asid_count;
    r->mutations = 0;
}

const struct snp_rmp_entry *
snp_rmp_raw(const struct snp_rmp *r, uint64_t pfn)
{
    return pfn < r->npages ? &r->e[pfn] : NULL;
}

static bool
is_2m_page(const struct snp_rmp_entry *e)
{
    return e->assigned && e->page_2m;
}

/* §1.4: "If E2.PageSize == 1 (2M), the whole 2M region is governed by E2". */
const struct snp_rmp_entry *
snp_rmp_governing(const struct snp_rmp *r, uint64_t pfn, uint64_t *gpa)
{
    const struct snp_rmp_entry *e2 = &r->e[pfn & ~PFN_2M_MASK];

    if (is_2m_page(e2)) {
        if (gpa != NULL) {
            *gpa = e2->gpa + ((pfn & PFN_2M_MASK) << SNP_PAGE_SHIFT);
        }
        return e2;
    }
    if (gpa != NULL) {
        *gpa = r->e[pfn].gpa;
    }
    return &r->e[pfn];
}

static uint64_t
acc_bits(enum snp_access acc)
{
    switch (acc) {
    case SNP_ACC_READ:
        return SNP_PFERR_PRESENT;
    case SNP_ACC_WRITE:
        return SNP_PFERR_PRESENT | SNP_PFERR_WRITE;
    case SNP_ACC_EXEC_USER:
        return SNP_PFERR_PRESENT | SNP_PFERR_FETCH | SNP_PFERR_USER;
    case SNP_ACC_EXEC_SUP:
        return SNP_PFERR_PRESENT | SNP_PFERR_FETCH;
    }
    return SNP_PFERR_PRESENT;
}

enum snp_hw_fault
snp_rmp_check_host(const struct snp_rmp *r, uint64_t spa, enum snp_access acc, bool large_map,
                   uint64_t *err)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    const struct snp_rmp_entry *g = snp_rmp_governing(r, pfn, NULL);

    *err = 0;
    /* §1.6.1: "read | any | allowed" (the data is what DRAM holds). */
    if (acc != SNP_ACC_WRITE) {
        return SNP_HW_OK;
    }
    /* §1.6.1: write to Assigned=1, or HV_FIXED / any Immutable=1 -> #PF (RMP). */
    if (g->assigned || g->immutable || r->e[pfn].immutable) {
        *err = SNP_PFERR_PRESENT | SNP_PFERR_WRITE | SNP_PFERR_RMP;
        return SNP_HW_PF;
    }
    /* §1.6.1: a write through a 2M/1G mapping faults if the region holds any assigned page. */
    if (large_map && r->e[pfn & ~PFN_2M_MASK].subpage_count != 0) {
        *err = SNP_PFERR_PRESENT | SNP_PFERR_WRITE | SNP_PFERR_RMP;
        return SNP_HW_PF;
    }
    return SNP_HW_OK;
}

static bool
perm_ok(uint8_t perms, enum snp_access acc)
{
    switch (acc) {
    case SNP_ACC_READ:
        return (perms & SNP_VMPL_PERM_R) != 0;
    case SNP_ACC_WRITE:
        return (perms & SNP_VMPL_PERM_W) != 0;
    case SNP_ACC_EXEC_USER:
        return (perms & SNP_VMPL_PERM_XU) != 0;
    case SNP_ACC_EXEC_SUP:
        return (perms & SNP_VMPL_PERM_XS) != 0;
    }
    return false;
}

enum snp_hw_fault
snp_rmp_check_guest(const struct snp_rmp *r, const struct snp_guest_access *a, uint64_t *err)
{
    uint64_t pfn = a->spa >> SNP_PAGE_SHIFT;
    uint64_t bound_gpa = 0;
    const struct snp_rmp_entry *g = snp_rmp_governing(r, pfn, &bound_gpa);
    uint64_t base = acc_bits(a->acc) | SNP_NPF_GPA | SNP_PFERR_RMP;

    *err = 0;
    if (!a->c_bit) {
        /* Row 1: shared access to a hypervisor page is allowed, no guest key. */
        if (!g->assigned) {
            return SNP_HW_OK;
        }
        /* Row 2: shared access to an assigned page -> #NPF, RMP set, ENC clear. */
        *err = base;
        return SNP_HW_NPF;
    }
    base |= SNP_NPF_ENC;
    /* Row 3: private access, page not assigned to this ASID at this GPA -> #NPF (RMP). The
     * mutation check's broken chip skips the GPA comparison (SEVered, I4). */
    if (!g->assigned || a->asid == 0 || g->asid != a->asid ||
        (bound_gpa != (a->gpa & ~(uint64_t)(SNP_PAGE_SIZE - 1)) &&
         (r->mutations & SNP_MUT_NO_RMP_GPA_CHECK) == 0)) {
        *err = base;
        return SNP_HW_NPF;
    }
    /* Row 4: NPT leaf size != RMP page size -> #NPF (RMP); we also set SIZEM (§11.4). */
    if (a->npt_2m != g->page_2m) {
        *err = base | SNP_NPF_SIZEM;
        return SNP_HW_NPF;
    }
    /* Row 5: not validated -> #VC 0x404 to the guest, no VMEXIT. */
    if (!g->validated) {
        *err = SNP_VC_PAGE_NOT_VALIDATED;
        return SNP_HW_VC;
    }
    /* Row 6: VMPL permission (VMPL0 always has full access, §10.2). */
    if (a->vmpl > 0 && (a->vmpl >= SNP_VMPL_COUNT || !perm_ok(g->vmpl_perms[a->vmpl], a->acc))) {
        *err = base | SNP_NPF_VMPL;
        return SNP_HW_NPF;
    }
    /* Row 7 ([APM?], §11.5): VMSA pages are not data pages for the guest; we fault with RMP. */
    if (g->vmsa) {
        *err = base;
        return SNP_HW_NPF;
    }
    return SNP_HW_OK; /* row 8 */
}

/* ---- counters ------------------------------------------------------------------------ */

static void
count_add(struct snp_rmp *r, const struct snp_rmp_entry *e, uint64_t pages, bool add)
{
    if (!e->assigned) {
        return;
    }
    if (add) {
        r->asid_count[e->asid] += pages;
    } else {
        r->asid_count[e->asid] -= pages;
    }
}

/* Replace the 4K entry @pfn (not inside a 2M page), keeping counters and SubPageCount. */
static void
set_4k(struct snp_rmp *r, uint64_t pfn, const struct snp_rmp_entry *n)
{
    struct snp_rmp_entry *e = &r->e[pfn];
    struct snp_rmp_entry *e2 = &r->e[pfn & ~PFN_2M_MASK];
    uint16_t sub = e2->subpage_count; /* read first: e and e2 may be the same entry */

    count_add(r, e, 1, false);
    if (e->assigned) {
        sub--;
    }
    *e = *n;
    e->page_2m = false;
    e->subpage_count = 0;
    if (e->assigned) {
        sub++;
    }
    e2->subpage_count = sub;
    count_add(r, e, 1, true);
}

/* ---- RMPUPDATE (§2.1) ------------------------------------------------------------------ */

static enum snp_rmp_ret
update_check_input(const struct snp_rmp *r, uint64_t spa, const struct snp_rmpupdate_desc *d)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;

    if ((spa & (SNP_PAGE_SIZE - 1)) != 0 || pfn >= r->npages) {
        return SNP_RMP_FAIL_INPUT;
    }
    if (d->page_2m && ((pfn & PFN_2M_MASK) != 0 || (d->gpa & (SNP_2M_SIZE - 1)) != 0)) {
        return SNP_RMP_FAIL_INPUT;
    }
    if ((d->gpa & (SNP_PAGE_SIZE - 1)) != 0 || d->asid > r->max_asid) {
        return SNP_RMP_FAIL_INPUT;
    }
    /* Our choice (XXX: not in §2.1): an unassigned descriptor carries no owner. */
    if (!d->assigned && (d->asid != 0 || d->gpa != 0)) {
        return SNP_RMP_FAIL_INPUT;
    }
    return SNP_RMP_SUCCESS;
}

static enum snp_rmp_ret
update_2m(struct snp_rmp *r, uint64_t base, const struct snp_rmpupdate_desc *d)
{
    struct snp_rmp_entry *e2 = &r->e[base];
    bool was_2m = is_2m_page(e2);
    uint16_t sub = e2->subpage_count;

    /* §2.1: "Fails with FAIL_PERMISSION if the current entry is Immutable". */
    for (uint64_t i = 0; i < SNP_PAGES_PER_2M; i++) {
        if (r->e[base + i].immutable) {
            return SNP_RMP_FAIL_PERMISSION;
        }
    }
    /* §2.1: "2M update when any 4K entry inside is assigned ... -> FAIL_OVERLAP". */
    if (!was_2m && sub != 0) {
        return SNP_RMP_FAIL_OVERLAP;
    }
    if (was_2m) {
        count_add(r, e2, SNP_PAGES_PER_2M, false);
    }
    memset(e2, 0, sizeof(*e2));
    if (d->assigned) {
        /* §2.1: Validated, VMSA and the VMPL masks are cleared. */
        e2->assigned = true;
        e2->page_2m = true;
        e2->immutable = d->immutable;
        e2->asid = (uint16_t)d->asid;
        e2->gpa = d->gpa;
        count_add(r, e2, SNP_PAGES_PER_2M, true);
    }
    return SNP_RMP_SUCCESS;
}

enum snp_rmp_ret
snp_rmp_update(struct snp_rmp *r, uint64_t spa, const struct snp_rmpupdate_desc *d)
{
    enum snp_rmp_ret ret = update_check_input(r, spa, d);
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    const struct snp_rmp_entry *g;
    struct snp_rmp_entry n;

    if (ret != SNP_RMP_SUCCESS) {
        return ret;
    }
    if (d->page_2m) {
        return update_2m(r, pfn, d);
    }
    g = snp_rmp_governing(r, pfn, NULL);
    if (g->immutable || r->e[pfn].immutable) {
        return SNP_RMP_FAIL_PERMISSION;
    }
    /* §2.1: "a 4K assignment inside a region whose 2M-aligned entry is an assigned 2M page
     * -> FAIL_OVERLAP" (we refuse any 4K update there: PSMASH first, as KVM does). */
    if (is_2m_page(g)) {
        return SNP_RMP_FAIL_OVERLAP;
    }
    memset(&n, 0, sizeof(n));
    n.assigned = d->assigned;
    n.immutable = d->assigned ? d->immutable : false;
    n.asid = (uint16_t)d->asid;
    n.gpa = d->gpa;
    set_4k(r, pfn, &n);
    return SNP_RMP_SUCCESS;
}

/* ---- PSMASH (§2.2) --------------------------------------------------------------------- */

enum snp_rmp_ret
snp_rmp_psmash(struct snp_rmp *r, uint64_t spa)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    struct snp_rmp_entry e2;

    if ((spa & (SNP_2M_SIZE - 1)) != 0 || pfn >= r->npages || !is_2m_page(&r->e[pfn])) {
        return SNP_RMP_FAIL_INPUT;
    }
    /* XXX(spec §11.5): PSMASH of an immutable 2M page is not documented; only the PSP may
     * change immutable entries, so we refuse. */
    if (r->e[pfn].immutable) {
        return SNP_RMP_FAIL_PERMISSION;
    }
    e2 = r->e[pfn];
    /* §2.2: identical Assigned, ASID, Immutable, Validated, VMSA, masks; GPA = base + i*4K. */
    for (uint64_t i = 0; i < SNP_PAGES_PER_2M; i++) {
        struct snp_rmp_entry *e = &r->e[pfn + i];
        *e = e2;
        e->page_2m = false;
        e->subpage_count = 0;
        e->gpa = e2.gpa + (i << SNP_PAGE_SHIFT);
    }
    r->e[pfn].subpage_count = (uint16_t)SNP_PAGES_PER_2M; /* counters unchanged: 512 pages */
    return SNP_RMP_SUCCESS;
}

/* ---- RMPREAD (§1.3) --------------------------------------------------------------------- */

enum snp_rmp_ret
snp_rmp_read(const struct snp_rmp *r, uint64_t spa, struct snp_rmpread *out)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    const struct snp_rmp_entry *e;

    memset(out, 0, sizeof(*out));
    if (pfn >= r->npages) {
        return SNP_RMP_FAIL_INPUT;
    }
    e = &r->e[pfn];
    out->gpa = e->gpa;
    out->assigned = e->assigned;
    out->page_2m = e->page_2m;
    out->immutable = e->immutable;
    out->asid = e->asid;
    out->region_2m_assigned =
        r->e[pfn & ~PFN_2M_MASK].subpage_count != 0 || is_2m_page(&r->e[pfn & ~PFN_2M_MASK]);
    return SNP_RMP_SUCCESS;
}

/* ---- firmware writes (§1.5 "by SNP_*" transitions) -------------------------------------- */

snp_err
snp_rmp_fw_set(struct snp_rmp *r, uint64_t pfn, const struct snp_rmp_entry *e)
{
    struct snp_rmp_entry n;

    if (pfn >= r->npages) {
        return SNP_E_RANGE;
    }
    if (e->page_2m || e->asid > r->max_asid) {
        return SNP_E_ARG;
    }
    if (is_2m_page(&r->e[pfn & ~PFN_2M_MASK])) {
        return SNP_E_STATE;
    }
    n = *e;
    set_4k(r, pfn, &n);
    return SNP_OK;
}

/* ---- firmware-only 2M operations and RMP initialisation (sim/psp/, hardware.md §1.4, §6.4,
 * §6.10). Not reachable from host_if.h or guest_if.h. -------------------------------------- */

void
snp_rmp_fw_reset(struct snp_rmp *r)
{
    /* §6.4 SNP_INIT: "FW zeroes and initialises the RMP": every page HYPERVISOR. */
    memset(r->e, 0, (size_t)r->npages * sizeof(*r->e));
    memset(r->asid_count, 0, ((size_t)r->max_asid + 1) * sizeof(*r->asid_count));
}

snp_err
snp_rmp_fw_set_2m(struct snp_rmp *r, uint64_t pfn, const struct snp_rmp_entry *e)
{
    struct snp_rmp_entry *e2;

    if ((pfn & PFN_2M_MASK) != 0 || pfn >= r->npages) {
        return SNP_E_RANGE;
    }
    e2 = &r->e[pfn];
    /* Only the attributes of an existing 2M page change: owner and size stay (counters too). */
    if (!is_2m_page(e2) || !e->assigned || !e->page_2m || e->asid != e2->asid ||
        (e->gpa & (SNP_2M_SIZE - 1)) != 0) {
        return SNP_E_STATE;
    }
    *e2 = *e;
    e2->subpage_count = 0;
    return SNP_OK;
}

snp_err
snp_rmp_fw_unsmash(struct snp_rmp *r, uint64_t pfn)
{
    struct snp_rmp_entry head;

    if ((pfn & PFN_2M_MASK) != 0 || pfn >= r->npages || is_2m_page(&r->e[pfn])) {
        return SNP_E_RANGE;
    }
    /* §1.4: "When FW merges 512 x 4K into 2M (PAGE_UNSMASH) it sets entry0.PageSize=1,
     * SubPageCount=0 and marks entries 1..511 as placeholders" -- in this model a placeholder
     * is an unassigned entry (rmp_inv.c I4). The caller checked the 512 entries agree. */
    head = r->e[pfn];
    if (!head.assigned) {
        return SNP_E_STATE;
    }
    for (uint64_t i = 0; i < SNP_PAGES_PER_2M; i++) {
        count_add(r, &r->e[pfn + i], 1, false);
        memset(&r->e[pfn + i], 0, sizeof(r->e[pfn + i]));
    }
    head.page_2m = true;
    head.subpage_count = 0;
    r->e[pfn] = head;
    count_add(r, &head, SNP_PAGES_PER_2M, true);
    return SNP_OK;
}
