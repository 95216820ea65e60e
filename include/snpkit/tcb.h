/*
 * snpkit/tcb.h - products and TCB_VERSION (attestation.md §1.7, §2).
 *
 * TCB_VERSION's byte meanings depend on the product, never on the report version, so the
 * product is always an explicit input: Milan/Genoa put BOOT_LOADER, TEE, 4 reserved, SNP,
 * MICROCODE; Turin puts FMC, BOOT_LOADER, TEE, SNP, 3 reserved, MICROCODE.
 */
#ifndef SNPKIT_TCB_H
#define SNPKIT_TCB_H

#include "snpkit/err.h"

#include <stdbool.h>
#include <stdint.h>

enum snp_product {
    SNP_PRODUCT_UNKNOWN = 0,
    SNP_PRODUCT_MILAN = 1, /* Zen 3, family 0x19 models 0x00-0x0F */
    SNP_PRODUCT_GENOA = 2, /* Zen 4, family 0x19 models 0x10-0x1F, and Siena/Bergamo 0xA0-0xAF */
    SNP_PRODUCT_TURIN = 3, /* Zen 5, family 0x1A models 0x00-0x11 */
};

/* "Milan", "Genoa", "Turin"; "unknown". The KDS product-line name. */
const char *snp_product_name(enum snp_product p);

/* Parse "milan"/"Milan"/"genoa"/"siena"/"bergamo"/"turin" (case-insensitive). SNP_E_ARG else. */
snp_err snp_product_parse(const char *name, enum snp_product *out);

/*
 * snp_product_from_cpuid() - the product line of a CPUID family/model (report v3+ 0x188..0x189).
 * Returns SNP_E_UNSUPPORTED (out = UNKNOWN) for families/models outside the table, e.g. Venice.
 */
snp_err snp_product_from_cpuid(uint8_t family, uint8_t model, enum snp_product *out);

/* snp_product_from_fms() - the same from a CPUID Fn0000_0001 EAX value. */
snp_err snp_product_from_fms(uint32_t eax, enum snp_product *out);

#define SNP_TCB_SIZE 8

struct snp_tcb {
    enum snp_product product; /* the layout used to decode */
    uint8_t fmc;              /* Turin only (0 otherwise) */
    uint8_t boot_loader;
    uint8_t tee;
    uint8_t snp;
    uint8_t microcode;
    uint8_t rsvd[4]; /* Milan/Genoa bytes 2..5; Turin bytes 4..6 in rsvd[0..2]; kept */
};

/*
 * snp_tcb_decode() - split a TCB_VERSION u64 by the product's layout.
 * @out:     always overwritten.
 * Returns SNP_OK, or SNP_E_ARG when product is UNKNOWN. Reserved bytes are kept, not checked:
 * whether they may be non-zero is a verifier question (snp_tcb_reserved_zero()).
 */
snp_err snp_tcb_decode(struct snp_tcb *out, uint64_t raw, enum snp_product product);

/* snp_tcb_encode() - the inverse of snp_tcb_decode(); product UNKNOWN encodes the Milan layout. */
uint64_t snp_tcb_encode(const struct snp_tcb *tcb);

/* True when the reserved bytes of the product's layout are zero. */
bool snp_tcb_reserved_zero(const struct snp_tcb *tcb);

/*
 * snp_tcb_le() - component-wise a <= b (every named component, FMC included on Turin).
 * Both MUST have the same product.
 */
bool snp_tcb_le(const struct snp_tcb *a, const struct snp_tcb *b);

#endif /* SNPKIT_TCB_H */
