/*
 * sim/rmp_inv.c - snp_rmp_check_invariants(): the states hardware.md §1.5 allows, walked
 * entry by entry. A violation is a model bug; the checker names the first one it finds.
 *
 * Invariants:
 *  I1 an unassigned entry has no owner: ASID 0, Validated 0, VMSA 0, GPA 0, page size 4K;
 *  I2 Validated implies Assigned and ASID > 0 (§1.5: only GUEST_VALID / PRE_SWAP validate);
 *  I3 ASID <= max_asid; GPAs aligned to the entry's page size;
 *  I4 page_2m only in a 2M-aligned entry; inside an assigned 2M page no 4K entry is assigned;
 *  I5 SubPageCount of every 2M-aligned entry = assigned 4K entries of its region;
 *  I6 the per-ASID counters equal the pages each ASID governs.
 */
#include "sim/rmp.h"

#include <stdarg.h>
#include <stdio.h>

static snp_err fail(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static snp_err
fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && n > 0) {
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return SNP_E_STATE;
}

static snp_err
check_entry(const struct snp_rmp *r, uint64_t pfn, char *why, size_t n)
{
    const struct snp_rmp_entry *e = &r->e[pfn];
    uint64_t align = e->page_2m ? SNP_2M_SIZE : SNP_PAGE_SIZE;

    if (!e->assigned && (e->asid != 0 || e->validated || e->vmsa || e->gpa != 0 || e->page_2m)) {
        return fail(why, n, "rmp I1: unassigned pfn 0x%llx has an owner", (unsigned long long)pfn);
    }
    if (e->validated && (!e->assigned || e->asid == 0)) {
        return fail(why, n, "rmp I2: pfn 0x%llx validated but not guest-owned",
                    (unsigned long long)pfn);
    }
    if (e->asid > r->max_asid || (e->gpa & (align - 1)) != 0) {
        return fail(why, n, "rmp I3: pfn 0x%llx asid/gpa out of range", (unsigned long long)pfn);
    }
    if (e->page_2m && (pfn % SNP_PAGES_PER_2M) != 0) {
        return fail(why, n, "rmp I4: 2M entry at unaligned pfn 0x%llx", (unsigned long long)pfn);
    }
    return SNP_OK;
}

snp_err
snp_rmp_check_invariants(const struct snp_rmp *r, char *why, size_t why_size)
{
    for (uint64_t pfn = 0; pfn < r->npages; pfn++) {
        snp_err err = check_entry(r, pfn, why, why_size);
        if (err != SNP_OK) {
            return err;
        }
    }
    for (uint64_t base = 0; base < r->npages; base += SNP_PAGES_PER_2M) {
        const struct snp_rmp_entry *e2 = &r->e[base];
        uint64_t sub = 0;
        for (uint64_t i = 0; i < SNP_PAGES_PER_2M && base + i < r->npages; i++) {
            const struct snp_rmp_entry *e = &r->e[base + i];
            if (e->assigned && !e->page_2m) {
                sub++;
            }
        }
        if (e2->assigned && e2->page_2m && sub != 0) {
            return fail(why, why_size, "rmp I4: 4K entries assigned inside 2M page 0x%llx",
                        (unsigned long long)base);
        }
        if (sub != e2->subpage_count) {
            return fail(why, why_size, "rmp I5: SubPageCount %u != %llu at pfn 0x%llx",
                        (unsigned)e2->subpage_count, (unsigned long long)sub,
                        (unsigned long long)base);
        }
    }
    for (uint32_t a = 0; a <= r->max_asid; a++) {
        uint64_t n = 0;
        for (uint64_t pfn = 0; pfn < r->npages; pfn++) {
            const struct snp_rmp_entry *e = &r->e[pfn];
            if (e->assigned && e->asid == a) {
                n += e->page_2m ? SNP_PAGES_PER_2M : 1;
            }
        }
        if (n != r->asid_count[a]) {
            return fail(why, why_size, "rmp I6: asid %u counter %llu != %llu pages", (unsigned)a,
                        (unsigned long long)r->asid_count[a], (unsigned long long)n);
        }
    }
    return SNP_OK;
}
