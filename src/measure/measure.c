/*
 * measure/measure.c - a whole launch as QEMU/KVM performs it (hardware.md §7.5, §8.4), and the
 * SEV / SEV-ES measurements (§8.3).
 *
 * prepare() checks everything a real launch would trip over before one byte is hashed (image
 * size and placement, metadata, kernel-hashes area, vCPU count, SVSM placement), so a refusal is
 * always a named reason with an offset, never a half-computed digest.
 *
 * The SNP launch is one walk (walk_snp) over the LAUNCH_UPDATEs in QEMU/KVM order: snp_measure()
 * folds it into the digest chain, snp_measure_pages() hands it to a host that launches the
 * same pages through the firmware, so the expected and the real MEASUREMENT cannot drift apart.
 */
#include "snpkit/measure.h"

#include "base/compiler.h"
#include "crypto/crypto.h"
#include "measure/measure_int.h"

#include <stdlib.h>
#include <string.h>

struct launch {
    const struct snp_measure_params *p;
    struct snp_ovmf ovmf;
    struct snp_ovmf svsm;
    uint64_t ovmf_gpa; /* 4 GiB - ovmf_len (§7.1) */
    uint64_t svsm_gpa; /* SVSM: ends at ovmf_gpa - vars_size (§7.5) */
};

static snp_err
fail_in(struct snp_measure_diag *diag, const char *what, snp_err err, enum snp_measure_why why,
        size_t off)
{
    if (diag != NULL) {
        diag->what = what;
    }
    return measure_fail(diag, err, why, off);
}

static bool
overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Sections must not land on pages the launch already measured as image pages. */
static snp_err
check_sections_placed(const struct launch *L, const struct snp_ovmf *o, const char *what,
                      struct snp_measure_diag *diag)
{
    const struct snp_measure_params *p = L->p;

    for (size_t i = 0; i < o->nsections; i++) {
        const struct snp_ovmf_section *s = &o->sections[i];
        size_t off = o->metadata_off + 16 + i * 12;

        if (overlaps(s->gpa, s->size, L->ovmf_gpa, p->ovmf_len) ||
            (p->svsm != NULL && overlaps(s->gpa, s->size, L->svsm_gpa, p->svsm_len))) {
            return fail_in(diag, what, SNP_E_RANGE, SNP_MW_SECTION_IN_IMAGE, off);
        }
    }
    return SNP_OK;
}

/* §7.4: SNP puts the table in the KERNEL_HASHES page at offset hashes_gpa & 0xFFF. */
static snp_err
check_kernel_hashes(const struct launch *L, struct snp_measure_diag *diag)
{
    const struct snp_ovmf *o = &L->ovmf;
    const struct snp_ovmf_section *kh = NULL;
    size_t idx = 0;

    for (size_t i = 0; i < o->nsections; i++) {
        if (o->sections[i].type == SNP_OVMF_SEC_SNP_KERNEL_HASHES) {
            kh = &o->sections[i];
            idx = i;
            break;
        }
    }
    if (kh == NULL) {
        return fail_in(diag, "ovmf", SNP_E_UNSUPPORTED, SNP_MW_NO_KERNEL_HASHES, o->metadata_off);
    }
    if (kh->size != SNP_MEASURE_PAGE) {
        return fail_in(diag, "ovmf", SNP_E_UNSUPPORTED, SNP_MW_KERNEL_HASHES_SIZE,
                       o->metadata_off + 16 + idx * 12);
    }
    if (!o->has_hashes_block || o->hashes_size == 0) {
        return fail_in(diag, "ovmf", SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK, o->len);
    }
    if (o->hashes_size < SNP_SEV_HASHES_PADDED) {
        return fail_in(diag, "ovmf", SNP_E_RANGE, SNP_MW_HASHES_TOO_SMALL, o->len);
    }
    if (o->hashes_gpa < kh->gpa ||
        (o->hashes_gpa - kh->gpa) > SNP_MEASURE_PAGE - SNP_SEV_HASHES_PADDED) {
        return fail_in(diag, "ovmf", SNP_E_RANGE, SNP_MW_HASHES_OUTSIDE, o->len);
    }
    return SNP_OK;
}

static snp_err
prepare_svsm(struct launch *L, struct snp_measure_diag *diag)
{
    const struct snp_measure_params *p = L->p;
    snp_err err;

    if (p->hashes != NULL) {
        return fail_in(diag, "svsm", SNP_E_UNSUPPORTED, SNP_MW_SVSM_KERNEL, 0);
    }
    if (p->svsm_len == 0 || p->svsm_len % SNP_MEASURE_PAGE != 0 ||
        p->vars_size % SNP_MEASURE_PAGE != 0) {
        return fail_in(diag, "svsm", SNP_E_RANGE, SNP_MW_IMAGE_SIZE, 0);
    }
    if (p->vars_size > L->ovmf_gpa || p->svsm_len > L->ovmf_gpa - p->vars_size) {
        return fail_in(diag, "svsm", SNP_E_RANGE, SNP_MW_SVSM_PLACEMENT, 0);
    }
    L->svsm_gpa = L->ovmf_gpa - p->vars_size - p->svsm_len;
    err = snp_ovmf_parse(&L->svsm, p->svsm, p->svsm_len, diag);
    if (err != SNP_OK) {
        return fail_in(diag, "svsm", err, diag != NULL ? diag->why : SNP_MW_NONE,
                       diag != NULL ? diag->off : 0);
    }
    if (!L->svsm.has_metadata) {
        return fail_in(diag, "svsm", SNP_E_FORMAT, SNP_MW_NO_METADATA, p->svsm_len);
    }
    if (!L->svsm.has_svsm_info) {
        return fail_in(diag, "svsm", SNP_E_FORMAT, SNP_MW_NO_SVSM_INFO, p->svsm_len);
    }
    return check_sections_placed(L, &L->svsm, "svsm", diag);
}

static snp_err
prepare(struct launch *L, const struct snp_measure_params *p, struct snp_measure_diag *diag)
{
    bool snp = p->mode == SNP_MEASURE_MODE_SNP;
    snp_err err;

    memset(L, 0, sizeof(*L));
    L->p = p;
    if (p->mode != SNP_MEASURE_MODE_SNP && p->mode != SNP_MEASURE_MODE_SEV_ES &&
        p->mode != SNP_MEASURE_MODE_SEV) {
        return SNP_E_ARG;
    }
    if (p->ovmf == NULL || p->ovmf_len == 0 || p->ovmf_len > SNP_MEASURE_GPA_4G ||
        (snp && p->ovmf_len % SNP_MEASURE_PAGE != 0)) {
        return fail_in(diag, "ovmf", SNP_E_RANGE, SNP_MW_IMAGE_SIZE, 0);
    }
    L->ovmf_gpa = SNP_MEASURE_GPA_4G - p->ovmf_len;
    if (p->mode != SNP_MEASURE_MODE_SEV && (p->vcpus == 0 || p->vcpus > SNP_MEASURE_MAX_VCPUS)) {
        return fail_in(diag, NULL, SNP_E_RANGE, SNP_MW_VCPUS, 0);
    }
    if (p->ovmf_hash != NULL && (!snp || p->svsm != NULL)) {
        return fail_in(diag, NULL, SNP_E_ARG, SNP_MW_OVMF_HASH_MODE, 0);
    }
    if (snp && (p->guest_features & SNP_VMSA_FEAT_SNP_ACTIVE) == 0) {
        return fail_in(diag, NULL, SNP_E_RANGE, SNP_MW_FEATURES, 0);
    }
    if (p->mode == SNP_MEASURE_MODE_SEV && p->hashes == NULL) {
        return SNP_OK; /* plain SEV hashes the image as it is: no metadata needed */
    }
    err = snp_ovmf_parse(&L->ovmf, p->ovmf, p->ovmf_len, diag);
    if (err != SNP_OK) {
        if (diag != NULL) {
            diag->what = "ovmf";
        }
        return err;
    }
    if (snp && p->svsm != NULL) {
        return prepare_svsm(L, diag);
    }
    if (snp && !L->ovmf.has_metadata) {
        return fail_in(diag, "ovmf", SNP_E_FORMAT, SNP_MW_NO_METADATA, p->ovmf_len);
    }
    if (p->mode != SNP_MEASURE_MODE_SEV && p->vcpus > 1 && !L->ovmf.has_reset_block) {
        return fail_in(diag, "ovmf", SNP_E_FORMAT, SNP_MW_NO_RESET_BLOCK, p->ovmf_len);
    }
    if (snp) {
        SNP_TRY(check_sections_placed(L, &L->ovmf, "ovmf", diag));
        if (p->hashes != NULL) {
            SNP_TRY(check_kernel_hashes(L, diag));
        }
    } else if (p->hashes != NULL && (!L->ovmf.has_hashes_block || L->ovmf.hashes_size == 0)) {
        /* SEV/SEV-ES: the table is LAUNCH_UPDATE_DATA'd at the block's GPA (§7.4). */
        return fail_in(diag, "ovmf", SNP_E_UNSUPPORTED, SNP_MW_NO_HASHES_BLOCK, p->ovmf_len);
    } else if (p->hashes != NULL && L->ovmf.hashes_size < SNP_SEV_HASHES_PADDED) {
        return fail_in(diag, "ovmf", SNP_E_RANGE, SNP_MW_HASHES_TOO_SMALL, p->ovmf_len);
    }
    return SNP_OK;
}

/* The initial VMSA of vCPU i (§4.2, §7.5): BSP at the reset vector, APs at the reset block. */
static snp_err
vmsa_page(const struct launch *L, uint32_t i, uint8_t out[SNP_VMSA_SIZE])
{
    const struct snp_measure_params *p = L->p;
    struct snp_vmsa v;
    uint32_t eip = i == 0 ? SNP_VMSA_BSP_EIP : L->ovmf.reset_eip;

    if (p->mode == SNP_MEASURE_MODE_SEV_ES) {
        SNP_TRY(snp_vmsa_reset(&v, SNP_VMM_QEMU, eip, p->vcpu_sig, 0));
    } else if (p->svsm != NULL) {
        /* Every vCPU starts at the SVSM entry with SEV_FEATURES SNPActive only (vmsa.h). */
        SNP_TRY(snp_vmsa_reset_svsm(&v, L->svsm_gpa + L->svsm.svsm_entry, p->vcpu_sig,
                                    SNP_VMSA_FEAT_SNP_ACTIVE));
    } else {
        SNP_TRY(snp_vmsa_reset(&v, p->vmm, eip, p->vcpu_sig, p->guest_features));
    }
    return snp_vmsa_encode(out, &v);
}

/* ---- the page list (§7.5, §8.4): one walk, used by snp_measure() and the host ------------- */

struct walk {
    snp_measure_page_fn fn;
    void *ctx;
};

static snp_err
emit(const struct walk *w, enum snp_page_type type, uint64_t gpa, size_t npages,
     const uint8_t *contents, const char *what, uint32_t vcpu, bool precomputed)
{
    struct snp_measure_page pg;

    memset(&pg, 0, sizeof(pg));
    pg.type = type;
    pg.gpa = gpa;
    pg.npages = npages;
    pg.contents = contents;
    pg.what = what;
    pg.vcpu = vcpu;
    pg.precomputed = precomputed;
    return w->fn(w->ctx, &pg);
}

static snp_err
walk_section(const struct launch *L, const struct walk *w, const struct snp_ovmf *o,
             const struct snp_ovmf_section *s)
{
    const struct snp_measure_params *p = L->p;
    const char *what = snp_ovmf_section_name(s->type);
    enum snp_page_type t = SNP_PAGE_TYPE_ZERO;

    switch ((enum snp_ovmf_section_type)s->type) {
    case SNP_OVMF_SEC_SNP_SEC_MEM:
        t = p->vmm == SNP_VMM_GCE ? SNP_PAGE_TYPE_UNMEASURED : SNP_PAGE_TYPE_ZERO;
        break;
    case SNP_OVMF_SEC_SNP_SECRETS:
        t = SNP_PAGE_TYPE_SECRETS;
        break;
    case SNP_OVMF_SEC_CPUID:
        t = SNP_PAGE_TYPE_CPUID;
        break;
    case SNP_OVMF_SEC_SVSM_CAA:
        t = SNP_PAGE_TYPE_ZERO; /* QEMU maps it to ZERO (§7.3) */
        break;
    case SNP_OVMF_SEC_SNP_KERNEL_HASHES:
        if (p->hashes != NULL) {
            uint8_t page[SNP_MEASURE_PAGE];

            /* §7.4: zeros + the padded table at hashes_gpa & 0xFFF, one NORMAL page. */
            memset(page, 0, sizeof(page));
            snp_sev_hashes_encode(page + (o->hashes_gpa & 0xFFFu), p->hashes);
            return emit(w, SNP_PAGE_TYPE_NORMAL, s->gpa, 1, page, what, 0, false);
        }
        t = SNP_PAGE_TYPE_ZERO;
        break;
    default:
        return SNP_E_RANGE; /* snp_ovmf_parse() refused it already */
    }
    return emit(w, t, s->gpa, s->size / SNP_MEASURE_PAGE, NULL, what, 0, false);
}

/* §8.4 step 2: the metadata sections, descriptor order; EC2 measures CPUID last. */
static snp_err
walk_sections(const struct launch *L, const struct walk *w, const struct snp_ovmf *o)
{
    bool ec2 = L->p->vmm == SNP_VMM_EC2 && L->p->svsm == NULL;

    for (size_t i = 0; i < o->nsections; i++) {
        if (ec2 && o->sections[i].type == SNP_OVMF_SEC_CPUID) {
            continue;
        }
        SNP_TRY(walk_section(L, w, o, &o->sections[i]));
    }
    for (size_t i = 0; ec2 && i < o->nsections; i++) {
        if (o->sections[i].type == SNP_OVMF_SEC_CPUID) {
            SNP_TRY(walk_section(L, w, o, &o->sections[i]));
        }
    }
    return SNP_OK;
}

/* The whole SNP launch in order (§7.5, §8.4); prepare() has checked everything. */
static snp_err
walk_snp(const struct launch *L, const struct walk *w)
{
    const struct snp_measure_params *p = L->p;
    uint8_t page[SNP_VMSA_SIZE];

    SNP_TRY(emit(w, SNP_PAGE_TYPE_NORMAL, L->ovmf_gpa, p->ovmf_len / SNP_MEASURE_PAGE, p->ovmf,
                 "OVMF", 0, p->ovmf_hash != NULL));
    if (p->svsm != NULL) {
        SNP_TRY(emit(w, SNP_PAGE_TYPE_NORMAL, L->svsm_gpa, p->svsm_len / SNP_MEASURE_PAGE, p->svsm,
                     "SVSM", 0, false));
        SNP_TRY(walk_sections(L, w, &L->svsm));
    } else {
        SNP_TRY(walk_sections(L, w, &L->ovmf));
    }
    /* §7.5 step 4: KVM launches every vCPU's VMSA in index order at 0xFFFFFFFFF000. */
    for (uint32_t i = 0; i < p->vcpus; i++) {
        SNP_TRY(vmsa_page(L, i, page));
        SNP_TRY(emit(w, SNP_PAGE_TYPE_VMSA, SNP_PAGE_INFO_VMSA_GPA, 1, page, "VMSA", i, false));
    }
    return SNP_OK;
}

/* snp_measure()'s consumer of the walk: one chain step per page, as the firmware takes them. */
static snp_err
ld_step(void *ctx, const struct snp_measure_page *pg)
{
    struct snp_ld *ld = ctx;

    if (pg->precomputed) {
        return SNP_OK; /* already in the chain's starting value (params.ovmf_hash) */
    }
    ld->what = pg->what;
    return snp_ld_update_range(ld, pg->type, pg->gpa, pg->contents, pg->npages * SNP_MEASURE_PAGE,
                               NULL, false);
}

static snp_err
measure_snp(const struct launch *L, uint8_t out[SNP_LD_SIZE])
{
    const struct snp_measure_params *p = L->p;
    struct snp_ld ld;
    struct walk w = {ld_step, &ld};

    snp_ld_init(&ld, p->ovmf_hash);
    ld.threads = p->threads > 1 ? p->threads : 1;
    ld.trace = p->trace;
    ld.trace_arg = p->trace_arg;
    SNP_TRY(walk_snp(L, &w));
    snp_ld_final(&ld, out);
    return SNP_OK;
}

/* §8.3: SHA-256(OVMF || padded hashes table (if kernel) || VMSAs (SEV-ES)). */
static snp_err
measure_sev(struct launch *L, uint8_t out[SNP_SHA256_SIZE])
{
    const struct snp_measure_params *p = L->p;
    size_t nvmsa = p->mode == SNP_MEASURE_MODE_SEV_ES ? p->vcpus : 0;
    size_t total = p->ovmf_len + (p->hashes != NULL ? SNP_SEV_HASHES_PADDED : 0) +
                   nvmsa * SNP_VMSA_SIZE; /* vcpus and ovmf_len are bounded by prepare() */
    uint8_t *buf = malloc(total);
    size_t off = p->ovmf_len;
    snp_err err = SNP_E_NOMEM;

    if (buf == NULL) {
        goto out;
    }
    memcpy(buf, p->ovmf, p->ovmf_len);
    if (p->hashes != NULL) {
        snp_sev_hashes_encode(buf + off, p->hashes);
        off += SNP_SEV_HASHES_PADDED;
    }
    for (uint32_t i = 0; i < nvmsa; i++) {
        err = vmsa_page(L, i, buf + off);
        if (err != SNP_OK) {
            goto out;
        }
        off += SNP_VMSA_SIZE;
    }
    err = snp_sha256(out, buf, total);
out:
    free(buf);
    return err;
}

snp_err
snp_measure(const struct snp_measure_params *p, uint8_t out[SNP_MEASURE_MAX_OUT], size_t *out_len,
            struct snp_measure_diag *diag)
{
    struct launch L;

    if (diag != NULL) {
        memset(diag, 0, sizeof(*diag));
    }
    if (p == NULL || out == NULL || out_len == NULL) {
        return SNP_E_ARG;
    }
    *out_len = 0;
    SNP_TRY(prepare(&L, p, diag));
    if (p->mode == SNP_MEASURE_MODE_SNP) {
        SNP_TRY(measure_snp(&L, out));
        *out_len = SNP_LD_SIZE;
    } else {
        SNP_TRY(measure_sev(&L, out));
        *out_len = SNP_SHA256_SIZE;
    }
    return SNP_OK;
}

snp_err
snp_measure_pages(const struct snp_measure_params *p, snp_measure_page_fn fn, void *ctx,
                  struct snp_measure_diag *diag)
{
    struct launch L;
    struct walk w = {fn, ctx};

    if (diag != NULL) {
        memset(diag, 0, sizeof(*diag));
    }
    if (p == NULL || fn == NULL || p->mode != SNP_MEASURE_MODE_SNP) {
        return SNP_E_ARG;
    }
    SNP_TRY(prepare(&L, p, diag));
    return walk_snp(&L, &w);
}

snp_err
snp_measure_ovmf_hash(const uint8_t *ovmf, size_t len, unsigned threads, uint8_t out[SNP_LD_SIZE],
                      struct snp_measure_diag *diag)
{
    struct snp_ld ld;

    if (diag != NULL) {
        memset(diag, 0, sizeof(*diag));
    }
    if (ovmf == NULL || out == NULL) {
        return SNP_E_ARG;
    }
    if (len == 0 || len % SNP_MEASURE_PAGE != 0 || len > SNP_MEASURE_GPA_4G) {
        return fail_in(diag, "ovmf", SNP_E_RANGE, SNP_MW_IMAGE_SIZE, 0);
    }
    snp_ld_init(&ld, NULL);
    ld.threads = threads > 1 ? threads : 1;
    SNP_TRY(snp_ld_update_range(&ld, SNP_PAGE_TYPE_NORMAL, SNP_MEASURE_GPA_4G - len, ovmf, len,
                                NULL, false));
    snp_ld_final(&ld, out);
    return SNP_OK;
}

snp_err
snp_measure_vmsa(const struct snp_measure_params *p, uint32_t index, uint8_t out[SNP_VMSA_SIZE],
                 struct snp_measure_diag *diag)
{
    struct launch L;

    if (diag != NULL) {
        memset(diag, 0, sizeof(*diag));
    }
    if (p == NULL || out == NULL || p->mode == SNP_MEASURE_MODE_SEV) {
        return SNP_E_ARG;
    }
    SNP_TRY(prepare(&L, p, diag));
    if (index >= p->vcpus) {
        return SNP_E_ARG;
    }
    return vmsa_page(&L, index, out);
}
