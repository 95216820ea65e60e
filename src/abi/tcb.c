/*
 * abi/tcb.c - product lines (CPUID -> product) and the TCB_VERSION codec.
 *
 * attestation.md §1.7 (CPUID and product identification) and §2 (TCB_VERSION). The byte
 * meanings of a TCB_VERSION depend on the product line, never on the report version, so every
 * function here takes the product explicitly. Pure byte layout: no comparison policy beyond the
 * component-wise order of §2, no allocation, no I/O.
 */
#include "snpkit/tcb.h"

#include <stddef.h>
#include <string.h>

const char *
snp_product_name(enum snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN:
        return "Milan";
    case SNP_PRODUCT_GENOA:
        return "Genoa";
    case SNP_PRODUCT_TURIN:
        return "Turin";
    case SNP_PRODUCT_UNKNOWN:
        break;
    }
    return "unknown";
}

/* ASCII-only case folding: product names are ASCII and the locale must not matter. */
static bool
name_eq(const char *a, const char *lower)
{
    for (; *a != '\0' && *lower != '\0'; a++, lower++) {
        char c = *a;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != *lower) {
            return false;
        }
    }
    return *a == '\0' && *lower == '\0';
}

/* §1.7: Siena and Bergamo (Zen 4c) use the Genoa ARK/ASK and KDS path. */
static const struct {
    const char *name;
    enum snp_product product;
} product_names[] = {
    {"milan", SNP_PRODUCT_MILAN},   {"genoa", SNP_PRODUCT_GENOA}, {"siena", SNP_PRODUCT_GENOA},
    {"bergamo", SNP_PRODUCT_GENOA}, {"turin", SNP_PRODUCT_TURIN},
};

snp_err
snp_product_parse(const char *name, enum snp_product *out)
{
    *out = SNP_PRODUCT_UNKNOWN;
    if (name == NULL) {
        return SNP_E_ARG;
    }
    for (size_t i = 0; i < sizeof(product_names) / sizeof(product_names[0]); i++) {
        if (name_eq(name, product_names[i].name)) {
            *out = product_names[i].product;
            return SNP_OK;
        }
    }
    return SNP_E_ARG;
}

/*
 * §1.7 product table (family, model range). Venice (family 0x1A models 0x50.., 0x90.., 0xC0..)
 * has a different TCB layout and is deliberately absent: it maps to SNP_E_UNSUPPORTED.
 */
static const struct {
    uint8_t family;
    uint8_t model_lo;
    uint8_t model_hi;
    enum snp_product product;
} cpuid_table[] = {
    {0x19, 0x00, 0x0F, SNP_PRODUCT_MILAN}, /* Zen 3, EPYC 7003 */
    {0x19, 0x10, 0x1F, SNP_PRODUCT_GENOA}, /* Zen 4, EPYC 9004 */
    {0x19, 0xA0, 0xAF, SNP_PRODUCT_GENOA}, /* Zen 4c Siena / Bergamo: Genoa line */
    {0x1A, 0x00, 0x11, SNP_PRODUCT_TURIN}, /* Zen 5, EPYC 9005 */
};

snp_err
snp_product_from_cpuid(uint8_t family, uint8_t model, enum snp_product *out)
{
    *out = SNP_PRODUCT_UNKNOWN;
    for (size_t i = 0; i < sizeof(cpuid_table) / sizeof(cpuid_table[0]); i++) {
        if (family == cpuid_table[i].family && model >= cpuid_table[i].model_lo &&
            model <= cpuid_table[i].model_hi) {
            *out = cpuid_table[i].product;
            return SNP_OK;
        }
    }
    return SNP_E_UNSUPPORTED;
}

snp_err
snp_product_from_fms(uint32_t eax, enum snp_product *out)
{
    /* §1.7, CPUID Fn0000_0001 EAX: stepping 3:0, base model 7:4, base family 11:8,
     * extended model 19:16, extended family 27:20. The extended fields count only when the
     * base family is 0xF (every SNP-capable part); bits 31:28 and 15:12 are reserved. */
    uint32_t base_family = (eax >> 8) & 0xFu;
    uint32_t ext_family = (eax >> 20) & 0xFFu;
    uint32_t base_model = (eax >> 4) & 0xFu;
    uint32_t ext_model = (eax >> 16) & 0xFu;
    uint32_t family = base_family;
    uint32_t model = base_model;

    if (base_family == 0xFu) {
        family = base_family + ext_family;
        model = ext_model << 4 | base_model;
    }
    if (family > 0xFFu) {
        *out = SNP_PRODUCT_UNKNOWN;
        return SNP_E_UNSUPPORTED; /* 0xF + 0xFF: no such part */
    }
    return snp_product_from_cpuid((uint8_t)family, (uint8_t)model, out);
}

snp_err
snp_tcb_decode(struct snp_tcb *out, uint64_t raw, enum snp_product product)
{
    uint8_t b[SNP_TCB_SIZE];

    memset(out, 0, sizeof(*out));
    /* §2: byte i is bits 8i+7:8i of the little-endian u64. */
    for (unsigned i = 0; i < SNP_TCB_SIZE; i++) {
        b[i] = (uint8_t)(raw >> (8 * i));
    }
    switch (product) {
    case SNP_PRODUCT_MILAN:
    case SNP_PRODUCT_GENOA:
        /* KDS structVersion 0: BOOT_LOADER, TEE, spl_4..spl_7 reserved, SNP, MICROCODE. */
        out->boot_loader = b[0];
        out->tee = b[1];
        memcpy(out->rsvd, &b[2], 4);
        out->snp = b[6];
        out->microcode = b[7];
        break;
    case SNP_PRODUCT_TURIN:
        /* KDS structVersion 1: FMC, BOOT_LOADER, TEE, SNP, spl_5..spl_7 reserved, MICROCODE. */
        out->fmc = b[0];
        out->boot_loader = b[1];
        out->tee = b[2];
        out->snp = b[3];
        memcpy(out->rsvd, &b[4], 3);
        out->microcode = b[7];
        break;
    case SNP_PRODUCT_UNKNOWN:
    default:
        return SNP_E_ARG;
    }
    out->product = product;
    return SNP_OK;
}

uint64_t
snp_tcb_encode(const struct snp_tcb *tcb)
{
    uint8_t b[SNP_TCB_SIZE] = {0};
    uint64_t raw = 0;

    if (tcb->product == SNP_PRODUCT_TURIN) {
        b[0] = tcb->fmc;
        b[1] = tcb->boot_loader;
        b[2] = tcb->tee;
        b[3] = tcb->snp;
        memcpy(&b[4], tcb->rsvd, 3);
        b[7] = tcb->microcode;
    } else {
        /* Milan, Genoa, and UNKNOWN (documented: the legacy layout). */
        b[0] = tcb->boot_loader;
        b[1] = tcb->tee;
        memcpy(&b[2], tcb->rsvd, 4);
        b[6] = tcb->snp;
        b[7] = tcb->microcode;
    }
    for (unsigned i = 0; i < SNP_TCB_SIZE; i++) {
        raw |= (uint64_t)b[i] << (8 * i);
    }
    return raw;
}

bool
snp_tcb_reserved_zero(const struct snp_tcb *tcb)
{
    /* Turin has three reserved bytes (4..6), the legacy layout four (2..5). */
    size_t n = tcb->product == SNP_PRODUCT_TURIN ? 3 : 4;

    for (size_t i = 0; i < n; i++) {
        if (tcb->rsvd[i] != 0) {
            return false;
        }
    }
    return true;
}

bool
snp_tcb_le(const struct snp_tcb *a, const struct snp_tcb *b)
{
    /* Components of different layouts are not comparable: the safe answer is "not <=". */
    if (a->product != b->product) {
        return false;
    }
    /* §2: Turin's FMC byte is part of every Turin comparison. */
    if (a->product == SNP_PRODUCT_TURIN && a->fmc > b->fmc) {
        return false;
    }
    return a->boot_loader <= b->boot_loader && a->tee <= b->tee && a->snp <= b->snp &&
           a->microcode <= b->microcode;
}
