/*
 * measure/ld.c - the launch digest chain (hardware.md §8.1, §8.2): one PAGE_INFO step per
 * launched 4 KiB chunk, LD_{n+1} = SHA-384(PAGE_INFO{DIGEST_CUR = LD_n, ...}).
 *
 * The single-page step is what the PSP model's LAUNCH_UPDATE calls: no allocation, no thread.
 * Ranges may hash their pages' contents on several threads (ld_par.c); the chain itself is
 * inherently sequential and always runs here, in order.
 */
#include "snpkit/measure.h"

#include "crypto/crypto.h"
#include "measure/measure_int.h"

#include <string.h>

static const uint8_t zero48[SNP_LD_SIZE];

void
snp_ld_init(struct snp_ld *ld, const uint8_t *start)
{
    memset(ld, 0, sizeof(*ld));
    if (start != NULL) {
        memcpy(ld->digest, start, SNP_LD_SIZE);
    }
    ld->threads = 1;
}

void
snp_ld_final(const struct snp_ld *ld, uint8_t out[SNP_LD_SIZE])
{
    memcpy(out, ld->digest, SNP_LD_SIZE);
}

/* §8.2 CONTENTS: only NORMAL and VMSA pages are hashed; every other type contributes zeros. */
bool
ld_type_hashed(enum snp_page_type type)
{
    return type == SNP_PAGE_TYPE_NORMAL || type == SNP_PAGE_TYPE_VMSA;
}

snp_err
ld_hash_chunk(enum snp_page_type type, const uint8_t *page, uint8_t out[SNP_LD_SIZE])
{
    uint8_t tmp[SNP_MEASURE_PAGE];
    snp_err err;

    if (type != SNP_PAGE_TYPE_VMSA) {
        return snp_sha384(out, page, SNP_MEASURE_PAGE);
    }
    /* §8.2: the VMSA is measured with GUEST_TSC_SCALE and GUEST_TSC_OFFSET forced to 0 (the PSP
     * fills them for Secure TSC after measuring). */
    memcpy(tmp, page, sizeof(tmp));
    memset(tmp + SNP_VMSA_OFF_GUEST_TSC_SCALE, 0, 16);
    err = snp_sha384(out, tmp, sizeof(tmp));
    memset(tmp, 0, sizeof(tmp)); /* guest VMSA plaintext: not left on the stack */
    return err;
}

snp_err
snp_ld_update_digest(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                     const uint8_t contents_digest[SNP_LD_SIZE], const uint8_t *vmpl_perms,
                     bool imi)
{
    static const uint8_t no_perms[3];
    struct snp_page_info pi;
    uint8_t wire[SNP_PAGE_INFO_SIZE];
    uint8_t next[SNP_LD_SIZE];
    snp_err err;

    if (ld == NULL || contents_digest == NULL) {
        return SNP_E_ARG;
    }
    err = snp_page_info_init(&pi, ld->digest, contents_digest, type, imi,
                             vmpl_perms != NULL ? vmpl_perms : no_perms, gpa);
    if (err != SNP_OK) {
        return err; /* SNP_E_RANGE: type outside 1..6 */
    }
    err = snp_page_info_encode(wire, &pi);
    if (err != SNP_OK) {
        return err;
    }
    err = snp_sha384(next, wire, sizeof(wire));
    if (err != SNP_OK) {
        return err;
    }
    memcpy(ld->digest, next, SNP_LD_SIZE);
    if (ld->trace != NULL) {
        struct snp_ld_step st;

        memset(&st, 0, sizeof(st));
        st.index = ld->steps;
        st.gpa = gpa;
        st.page_type = (uint8_t)type;
        st.imi_page = imi;
        memcpy(st.vmpl_perms, vmpl_perms != NULL ? vmpl_perms : no_perms, 3);
        memcpy(st.contents, contents_digest, SNP_LD_SIZE);
        memcpy(st.digest, next, SNP_LD_SIZE);
        st.what = ld->what;
        ld->trace(ld->trace_arg, &st);
    }
    ld->steps++;
    return SNP_OK;
}

snp_err
snp_ld_update_page(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                   const uint8_t *contents, const uint8_t *vmpl_perms, bool imi)
{
    uint8_t h[SNP_LD_SIZE];

    if (ld == NULL) {
        return SNP_E_ARG;
    }
    if (type < SNP_PAGE_TYPE_NORMAL || type > SNP_PAGE_TYPE_CPUID) {
        return SNP_E_RANGE;
    }
    if (!ld_type_hashed(type)) {
        return snp_ld_update_digest(ld, type, gpa, zero48, vmpl_perms, imi);
    }
    if (contents == NULL) {
        return SNP_E_ARG;
    }
    SNP_TRY(ld_hash_chunk(type, contents, h));
    return snp_ld_update_digest(ld, type, gpa, h, vmpl_perms, imi);
}

snp_err
snp_ld_update_range(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa, const uint8_t *data,
                    size_t len, const uint8_t *vmpl_perms, bool imi)
{
    struct snp_ld work;
    snp_err err;

    if (ld == NULL || len % SNP_MEASURE_PAGE != 0 || (ld_type_hashed(type) && data == NULL)) {
        return SNP_E_ARG;
    }
    if (type < SNP_PAGE_TYPE_NORMAL || type > SNP_PAGE_TYPE_CPUID) {
        return SNP_E_RANGE;
    }
    if (ld->threads > 1 && ld_type_hashed(type) && len >= 2 * LD_PAR_CHUNK) {
        return ld_update_range_par(ld, type, gpa, data, len, vmpl_perms, imi);
    }
    /* Work on a copy so that a failure leaves the caller's chain unchanged. */
    work = *ld;
    for (size_t off = 0; off < len; off += SNP_MEASURE_PAGE) {
        err = snp_ld_update_page(&work, type, gpa + off, ld_type_hashed(type) ? data + off : NULL,
                                 vmpl_perms, imi);
        if (err != SNP_OK) {
            return err;
        }
    }
    *ld = work;
    return SNP_OK;
}

snp_err
snp_ld_update_2m(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa, const uint8_t *contents,
                 const uint8_t *vmpl_perms, bool imi)
{
    if (gpa % SNP_MEASURE_2M != 0) {
        return SNP_E_ARG;
    }
    return snp_ld_update_range(ld, type, gpa, contents, SNP_MEASURE_2M, vmpl_perms, imi);
}
