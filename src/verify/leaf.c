/*
 * verify/leaf.c - the leaf certificate's AMD extensions against the report (attestation.md §4.4,
 * §4.5 items 3, 5-7; §10 items 8-9). "vcek.*" checks apply to a VLEK leaf too.
 *
 * Relies on crypto/x509.c for parsing the extensions; decides here what they must say.
 */
#include "verify/verify_int.h"

#include "snpkit/util.h"

#include <string.h>

uint64_t
snp_vleaf_tcb(const struct snp_amd_ext *a, enum snp_product product)
{
    uint8_t b[8];
    uint64_t v = 0;

    /* §2: Milan/Genoa BL, TEE, spl_4..spl_7, SNP, UCODE; Turin FMC, BL, TEE, SNP, spl_5..7,
     * UCODE. Absent reserved SPLs count as 0 (Turin has no spl_4). */
    if (product == SNP_PRODUCT_TURIN) {
        uint8_t t[8] = {a->spl[SNP_AMD_SPL_FMC], a->spl[SNP_AMD_SPL_BL],   a->spl[SNP_AMD_SPL_TEE],
                        a->spl[SNP_AMD_SPL_SNP], a->spl[SNP_AMD_SPL_5],    a->spl[SNP_AMD_SPL_6],
                        a->spl[SNP_AMD_SPL_7],   a->spl[SNP_AMD_SPL_UCODE]};
        memcpy(b, t, 8);
    } else {
        uint8_t m[8] = {a->spl[SNP_AMD_SPL_BL],  a->spl[SNP_AMD_SPL_TEE],  a->spl[SNP_AMD_SPL_4],
                        a->spl[SNP_AMD_SPL_5],   a->spl[SNP_AMD_SPL_6],    a->spl[SNP_AMD_SPL_7],
                        a->spl[SNP_AMD_SPL_SNP], a->spl[SNP_AMD_SPL_UCODE]};
        memcpy(b, m, 8);
    }
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | b[i];
    }
    return v;
}

/* §4.4, §4.5 item 3 and 7: the extensions a leaf of this kind and product must carry. */
static void
check_extensions(struct vctx *x)
{
    const struct snp_amd_ext *a = &snp_x509_info(x->leaf)->amd;
    uint32_t want_sv = x->product == SNP_PRODUCT_TURIN ? 1 : 0;
    const char *why = NULL;

    if (a->n_bad != 0) {
        why = "an AMD extension is malformed or repeated";
    } else if (!a->has_struct_version || !a->has_product_name || !a->has_spl[SNP_AMD_SPL_BL] ||
               !a->has_spl[SNP_AMD_SPL_TEE] || !a->has_spl[SNP_AMD_SPL_SNP] ||
               !a->has_spl[SNP_AMD_SPL_UCODE]) {
        why = "structVersion, productName, blSPL, teeSPL, snpSPL and ucodeSPL are required";
    } else if (a->struct_version != want_sv) {
        why = want_sv == 1 ? "structVersion must be 1 on Turin" : "structVersion must be 0";
    } else if (x->product == SNP_PRODUCT_TURIN && !a->has_spl[SNP_AMD_SPL_FMC]) {
        why = "a Turin leaf must carry fmcSPL";
    } else if (!x->leaf_is_vlek && (!a->has_hwid || a->has_csp_id)) {
        why = "a VCEK must carry hwID and no csp_id";
    } else if (x->leaf_is_vlek && (!a->has_csp_id || a->has_hwid)) {
        why = "a VLEK must carry csp_id and no hwID";
    }
    if (why != NULL) {
        snp_verify_add(x->res, "vcek.extensions", SNP_CHECK_FAIL, SNP_E_CHAIN, "%s", why);
        return;
    }
    if (x->leaf_is_vlek) {
        snp_verify_add(x->res, "vcek.extensions", SNP_CHECK_PASS, SNP_OK,
                       "VLEK for CSP \"%s\", structVersion %u", a->csp_id, a->struct_version);
    } else {
        snp_verify_add(x->res, "vcek.extensions", SNP_CHECK_PASS, SNP_OK,
                       "structVersion %u, %zu-byte hwID%s", a->struct_version, a->hwid_len,
                       a->hwid_wrapped ? " (in an OCTET STRING)" : "");
    }
}

/* §4.4: productName's line (before '-') is the product's; its stepping is never judged. */
static void
check_product_name(struct vctx *x)
{
    const struct snp_amd_ext *a = &snp_x509_info(x->leaf)->amd;
    const char *line = snp_product_name(x->product);
    size_t n = strlen(line);

    if (!a->has_product_name) {
        snp_verify_add(x->res, "vcek.product_name", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "the leaf has no productName");
    } else if (strncmp(a->product_name, line, n) != 0 ||
               (a->product_name[n] != '\0' && a->product_name[n] != '-')) {
        snp_verify_add(x->res, "vcek.product_name", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "productName \"%s\" is not the %s line", a->product_name, line);
    } else {
        snp_verify_add(x->res, "vcek.product_name", SNP_CHECK_PASS, SNP_OK, "productName \"%s\"%s",
                       a->product_name, a->product_name[n] == '-' ? " (stepping not judged)" : "");
    }
}

/* §4.5 item 5, §10 item 8: the leaf's TCB equals REPORTED_TCB, all 8 bytes. */
static void
check_tcb(struct vctx *x)
{
    uint64_t cert = snp_vleaf_tcb(&snp_x509_info(x->leaf)->amd, x->product);

    if (cert != x->r.reported_tcb) {
        snp_verify_add(x->res, "vcek.tcb", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "the leaf is for TCB 0x%016llx, REPORTED_TCB is 0x%016llx (%s layout)",
                       (unsigned long long)cert, (unsigned long long)x->r.reported_tcb,
                       snp_product_name(x->product));
    } else {
        snp_verify_add(x->res, "vcek.tcb", SNP_CHECK_PASS, SNP_OK,
                       "the leaf's SPLs equal REPORTED_TCB 0x%016llx",
                       (unsigned long long)x->r.reported_tcb);
    }
}

/* §4.5 item 6, §10 item 9: hwID == CHIP_ID (8 bytes on Turin, rest zero), unless masked. */
static void
check_hwid(struct vctx *x)
{
    const struct snp_amd_ext *a = &snp_x509_info(x->leaf)->amd;
    size_t want = x->product == SNP_PRODUCT_TURIN ? 8 : 64;

    if (x->leaf_is_vlek) {
        snp_verify_add(x->res, "vcek.hwid", SNP_CHECK_SKIP, SNP_OK,
                       "a VLEK names a cloud provider, not a chip");
        return;
    }
    if (snp_ct_is_zero(x->r.chip_id, sizeof(x->r.chip_id))) {
        snp_verify_add(x->res, "vcek.hwid", SNP_CHECK_SKIP, SNP_OK,
                       "CHIP_ID is all zero (MASK_CHIP_ID): the chip binding rests on the chain "
                       "and the TCB only");
        return;
    }
    if (!a->has_hwid) {
        snp_verify_add(x->res, "vcek.hwid", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "the VCEK has no hwID extension");
    } else if (a->hwid_len != want || !snp_ct_eq(a->hwid, x->r.chip_id, want) ||
               !snp_ct_is_zero(x->r.chip_id + want, sizeof(x->r.chip_id) - want)) {
        snp_verify_add(x->res, "vcek.hwid", SNP_CHECK_FAIL, SNP_E_MISMATCH,
                       "the VCEK's %zu-byte hwID is not this report's CHIP_ID (%s: %zu bytes): "
                       "a VCEK of another chip",
                       a->hwid_len, snp_product_name(x->product), want);
    } else {
        snp_verify_add(x->res, "vcek.hwid", SNP_CHECK_PASS, SNP_OK,
                       "hwID equals CHIP_ID (%zu bytes)", want);
    }
}

void
snp_vleaf_check(struct vctx *x)
{
    static const char *const names[] = {"vcek.extensions", "vcek.product_name", "vcek.tcb",
                                        "vcek.hwid"};

    if (x->leaf == NULL) {
        for (size_t i = 0; i < SNP_ARRAY_LEN(names); i++) {
            snp_verify_add(x->res, names[i], SNP_CHECK_SKIP, SNP_OK, "no leaf certificate");
        }
        return;
    }
    check_extensions(x);
    check_product_name(x);
    check_tcb(x);
    check_hwid(x);
}
