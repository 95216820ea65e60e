/*
 * sim/rmp_guest.c - the guest's RMP instructions: PVALIDATE (hardware.md §2.3), RMPADJUST
 * (§2.4), RMPQUERY (§2.5). The caller (cpu) has already translated the guest address to
 * @gpa/@spa of the page; these functions apply the RMP rules and return the architectural
 * result: a #NPF (error code as §1.6.2) or EAX with CF.
 */
#include "sim/rmp.h"

#include <string.h>

#define PFN_2M_MASK ((uint64_t)SNP_PAGES_PER_2M - 1)

static struct snp_hw_result
ret_code(enum snp_rmp_ret rc)
{
    struct snp_hw_result res = {SNP_HW_OK, 0, (uint32_t)rc, false};
    return res;
}

static struct snp_hw_result
npf(uint64_t bits)
{
    struct snp_hw_result res = {SNP_HW_NPF, bits, 0, false};
    return res;
}

/*
 * Shared by the three: input alignment, then ownership (§2.3 step 2: rows 3/4 of §1.6.2),
 * then size (step 3). Returns NULL and fills *res when the instruction stops here; otherwise
 * the governing entry (cast away const: the caller owns the table).
 */
static struct snp_rmp_entry *
owned_page(const struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid, bool page_2m,
           bool write, struct snp_hw_result *res)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    uint64_t bound = 0;
    const struct snp_rmp_entry *g;
    uint64_t bits = SNP_PFERR_PRESENT | SNP_NPF_GPA | SNP_PFERR_RMP | SNP_NPF_ENC |
                    (write ? SNP_PFERR_WRITE : 0);

    /* §2.3 step 4 / §2.4: misaligned 2M request -> FAIL_INPUT. */
    if (page_2m && (((spa | gpa) & (SNP_2M_SIZE - 1)) != 0)) {
        *res = ret_code(SNP_RMP_FAIL_INPUT);
        return NULL;
    }
    if (pfn >= r->npages) {
        *res = npf(bits);
        return NULL;
    }
    g = snp_rmp_governing(r, pfn, &bound);
    /* Ownership: assigned to this ASID (never 0, the host's) at this GPA; an immutable (PSP-held)
     * entry cannot be changed by the CPU (§1.2 "CPU writes (HV and guest) fault"). */
    if (!g->assigned || asid == 0 || g->asid != asid ||
        bound != (gpa & ~(uint64_t)(SNP_PAGE_SIZE - 1)) || g->immutable) {
        *res = npf(bits);
        return NULL;
    }
    /* §2.3 step 3: 4K request on a 2M RMP entry -> #NPF RMP+SIZEM (host PSMASHes). */
    if (!page_2m && g->page_2m) {
        *res = npf(bits | SNP_NPF_SIZEM);
        return NULL;
    }
    /* 2M request on 4K entries -> FAIL_SIZEMISMATCH (guest falls back to 4K). */
    if (page_2m && !g->page_2m) {
        *res = ret_code(SNP_RMP_FAIL_SIZEMISMATCH);
        return NULL;
    }
    return &r->e[g - r->e];
}

struct snp_hw_result
snp_rmp_pvalidate(struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
                  bool page_2m, bool validate)
{
    struct snp_hw_result res = ret_code(SNP_RMP_SUCCESS);
    struct snp_rmp_entry *e;

    e = owned_page(r, spa, gpa, asid, page_2m, true, &res);
    if (e == NULL) {
        return res;
    }
    /* §2.3/§10.2: only VMPL0 may validate; "behaviour at VMPL>0 not verified, treat as
     * failure" -> FAIL_PERMISSION (XXX §11.5). */
    if (vmpl != 0) {
        return ret_code(SNP_RMP_FAIL_PERMISSION);
    }
    /* §2.3 step 5: CF = 1 when Validated already had the requested value. */
    res.cf = e->validated == validate;
    e->validated = validate;
    return res;
}

struct snp_hw_result
snp_rmp_adjust(struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
               bool page_2m, uint64_t attrs)
{
    struct snp_hw_result res = ret_code(SNP_RMP_SUCCESS);
    struct snp_rmp_entry *e;
    uint64_t target = attrs & SNP_RMPADJUST_VMPL_MASK;
    uint8_t perms = (uint8_t)((attrs >> SNP_RMPADJUST_PERM_SHIFT) & 0xFF);
    uint64_t known =
        SNP_RMPADJUST_VMPL_MASK | ((uint64_t)SNP_VMPL_PERM_ALL << 8) | SNP_RMPADJUST_VMSA;
    uint8_t own;

    /* Bad input: reserved RDX bits, a VMPL that does not exist, a 2M VMSA (§2.4). */
    if ((attrs & ~known) != 0 || target >= SNP_VMPL_COUNT ||
        (page_2m && (attrs & SNP_RMPADJUST_VMSA) != 0)) {
        return ret_code(SNP_RMP_FAIL_INPUT);
    }
    /* "target VMPL <= executing VMPL -> FAIL_PERMISSION". */
    if (target <= vmpl) {
        return ret_code(SNP_RMP_FAIL_PERMISSION);
    }
    e = owned_page(r, spa, gpa, asid, page_2m, false, &res);
    if (e == NULL) {
        return res;
    }
    /* "requested permissions that the executing VMPL itself does not have -> FAIL_PERMISSION" */
    own = vmpl == 0 ? (uint8_t)SNP_VMPL_PERM_ALL : e->vmpl_perms[vmpl];
    if ((perms & ~own) != 0) {
        return ret_code(SNP_RMP_FAIL_PERMISSION);
    }
    /* "Only the targeted VMPL mask (and VMSA bit) change." */
    e->vmpl_perms[target] = perms;
    e->vmsa = (attrs & SNP_RMPADJUST_VMSA) != 0;
    return res;
}

struct snp_hw_result
snp_rmp_query(const struct snp_rmp *r, uint64_t spa, uint64_t gpa, uint32_t asid, uint8_t vmpl,
              uint8_t target_vmpl, uint8_t *perms, bool *page_2m)
{
    struct snp_hw_result res = ret_code(SNP_RMP_SUCCESS);
    const struct snp_rmp_entry *g;
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;
    uint64_t bound = 0;

    *perms = 0;
    *page_2m = false;
    /* XXX(spec §2.5, §11.5): register interface not verified; we return the target VMPL's
     * mask for a page this guest owns, and refuse targets not below the caller. */
    if (target_vmpl >= SNP_VMPL_COUNT) {
        return ret_code(SNP_RMP_FAIL_INPUT);
    }
    if (target_vmpl <= vmpl) {
        return ret_code(SNP_RMP_FAIL_PERMISSION);
    }
    if (pfn >= r->npages) {
        return npf(SNP_PFERR_PRESENT | SNP_NPF_GPA | SNP_PFERR_RMP | SNP_NPF_ENC);
    }
    g = snp_rmp_governing(r, pfn, &bound);
    if (!g->assigned || asid == 0 || g->asid != asid ||
        bound != (gpa & ~(uint64_t)(SNP_PAGE_SIZE - 1))) {
        return npf(SNP_PFERR_PRESENT | SNP_NPF_GPA | SNP_PFERR_RMP | SNP_NPF_ENC);
    }
    *perms = g->vmpl_perms[target_vmpl];
    *page_2m = g->page_2m;
    return res;
}
