/*
 * sim/rmp.h - the Reverse Map Table (hardware.md §1, §2), internal to sim/.
 *
 * State is plain data; every check is a pure function that returns a fault kind and changes
 * nothing; every instruction is a function returning the architectural result (STYLE.md
 * §9.1). The table lives outside modelled DRAM, which is how the model says "x86 writes to the
 * RMP are blocked" (§1.1 TMR): no SPA reaches it. Storage is supplied by the machine.
 */
#ifndef SNP_SIM_RMP_H
#define SNP_SIM_RMP_H

#include "base/compiler.h"
#include "snpkit/machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Implementation format (§1.2 raw entry, kept as named fields; §1.1: not architectural). */
struct snp_rmp_entry {
    bool assigned;
    bool page_2m; /* meaningful in a 2M-aligned entry only */
    bool immutable;
    bool validated;
    bool vmsa;
    uint16_t asid;
    uint64_t gpa;                       /* guest physical address of the page, aligned */
    uint8_t vmpl_perms[SNP_VMPL_COUNT]; /* [0] unused: VMPL0 always has full access */
    uint16_t subpage_count;             /* 2M-aligned entry: assigned 4K entries inside */
};

struct snp_rmp {
    uint64_t npages;
    uint32_t max_asid;
    struct snp_rmp_entry *e; /* npages */
    uint64_t *asid_count;    /* max_asid + 1: 4K pages governed by an entry of that ASID */
    uint32_t mutations;      /* SNP_MUT_* (test-only broken chip); 0 after snp_rmp_init */
};

/* One guest access after the nested walk (§1.6.2). */
struct snp_guest_access {
    uint64_t spa;
    uint64_t gpa;
    uint32_t asid;
    uint8_t vmpl;
    enum snp_access acc;
    bool c_bit;  /* private (C=1) */
    bool npt_2m; /* the NPT leaf mapping it is 2 MiB */
};

/* Bind storage (zeroed by the caller): every page HYPERVISOR. */
void snp_rmp_init(struct snp_rmp *r, struct snp_rmp_entry *entries, uint64_t *asid_count,
                  uint64_t npages, uint32_t max_asid);

/*
 * snp_rmp_governing() - the authoritative entry for 4K page @pfn (§1.4): the 2M-aligned entry
 * when it is an assigned 2M page, else entry[pfn]. @gpa (optional) receives the GPA the page
 * is bound to (2M base GPA + offset). @pfn MUST be < npages.
 */
const struct snp_rmp_entry *snp_rmp_governing(const struct snp_rmp *r, uint64_t pfn, uint64_t *gpa);

/* The raw entry of @pfn (no 2M resolution); NULL when out of range. */
const struct snp_rmp_entry *snp_rmp_raw(const struct snp_rmp *r, uint64_t pfn);

/*
 * snp_rmp_check_host() - an access by host software (ASID 0) at @spa (§1.6.1). Reads always
 * pass. Writes fault with SNP_HW_PF and *err = P|W|RMP when the governing entry is assigned or
 * immutable, or, when @large_map (2M/1G host mapping), when any 4K page of the 2M region is
 * assigned. @spa MUST be in range.
 */
enum snp_hw_fault snp_rmp_check_host(const struct snp_rmp *r, uint64_t spa, enum snp_access acc,
                                     bool large_map, uint64_t *err);

/*
 * snp_rmp_check_guest() - an SNP guest access after the nested walk (§1.6.2 rows 1-8).
 * Returns SNP_HW_OK, SNP_HW_NPF (*err = EXITINFO1) or SNP_HW_VC (*err = 0x404).
 */
enum snp_hw_fault snp_rmp_check_guest(const struct snp_rmp *r, const struct snp_guest_access *a,
                                      uint64_t *err);

/* RMPUPDATE (§2.1): returns the EAX code; the entry changes only on SNP_RMP_SUCCESS. */
enum snp_rmp_ret snp_rmp_update(struct snp_rmp *r, uint64_t spa,
                                const struct snp_rmpupdate_desc *d);

/* PSMASH (§2.2). */
enum snp_rmp_ret snp_rmp_psmash(struct snp_rmp *r, uint64_t spa);

/* RMPREAD (§1.3), the host's architectural query. SNP_RMP_FAIL_INPUT out of range. */
enum snp_rmp_ret snp_rmp_read(const struct snp_rmp *r, uint64_t spa, struct snp_rmpread *out);

/*
 * PVALIDATE (§2.3) on the page at @spa/@gpa (already translated), for the guest of @asid
 * running at @vmpl. Result: a #NPF, or rax with cf.
 */
struct snp_hw_result snp_rmp_pvalidate(struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid,
                                       uint8_t vmpl, bool page_2m, bool validate);

/* RMPADJUST (§2.4); @attrs is RDX. */
struct snp_hw_result snp_rmp_adjust(struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid,
                                    uint8_t vmpl, bool page_2m, uint64_t attrs);

/* RMPQUERY (§2.5, [APM?]): @perms and @page_2m of @target_vmpl on the page. */
struct snp_hw_result snp_rmp_query(const struct snp_rmp *r, uint64_t spa, uint64_t gpa,
                                   uint32_t asid, uint8_t vmpl, uint8_t target_vmpl, uint8_t *perms,
                                   bool *page_2m);

/*
 * snp_rmp_fw_set() - the PSP writes a 4K entry directly (§1.5 transitions "by SNP_*"): any
 * field, Immutable included. Not reachable from host_if.h or guest_if.h. Keeps the counters.
 * SNP_E_RANGE out of range; SNP_E_ARG for page_2m or asid > max; SNP_E_STATE inside an
 * assigned 2M page.
 */
SNP_MUST_CHECK snp_err snp_rmp_fw_set(struct snp_rmp *r, uint64_t pfn,
                                      const struct snp_rmp_entry *e);

/* ---- firmware only (sim/psp/ through keyslot.h) ---- */

/* snp_rmp_fw_reset() - SNP_INIT's RMP initialisation (hardware.md §6.4): all HYPERVISOR. */
void snp_rmp_fw_reset(struct snp_rmp *r);

/*
 * snp_rmp_fw_set_2m() - rewrite the attributes (Immutable, Validated, VMSA, masks, GPA) of the
 * assigned 2M page at 2M-aligned @pfn; owner and size must not change (SNP_E_STATE), so the
 * counters stay right. SNP_E_RANGE for an unaligned or out-of-range pfn.
 */
SNP_MUST_CHECK snp_err snp_rmp_fw_set_2m(struct snp_rmp *r, uint64_t pfn,
                                         const struct snp_rmp_entry *e);

/*
 * snp_rmp_fw_unsmash() - SNP_PAGE_UNSMASH's merge (§1.4, §6.10): the 4K entry at 2M-aligned
 * @pfn becomes a 2M entry for the region with its attributes; the other 511 become
 * placeholders. The caller has checked that the 512 entries agree (§6.10).
 * SNP_E_RANGE (alignment, range, already 2M), SNP_E_STATE (entry 0 unassigned).
 */
SNP_MUST_CHECK snp_err snp_rmp_fw_unsmash(struct snp_rmp *r, uint64_t pfn);

/* snp_rmp_check_invariants() - SNP_OK or SNP_E_STATE with the first violation in @why. */
snp_err snp_rmp_check_invariants(const struct snp_rmp *r, char *why, size_t why_size);

#endif /* SNP_SIM_RMP_H */
