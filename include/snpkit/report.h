/*
 * snpkit/report.h - ATTESTATION_REPORT (attestation.md §1) and its signature block.
 *
 * The codec is pure layout. Reserved bytes are KEEP (we observe reports; newer firmware may use
 * today's reserved bytes): decode stores them, encode writes them back, so encode(decode(x))
 * == x for every accepted x. Whether reserved bytes may be non-zero is the verifier's question
 * (snp_report_check_strict()). Signatures are always checked over r->raw, never a re-encoding.
 */
#ifndef SNPKIT_REPORT_H
#define SNPKIT_REPORT_H

#include "snpkit/err.h"
#include "snpkit/layout.h"
#include "snpkit/tcb.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_SIZE                0x4A0
#define SNP_REPORT_SIGNED_LEN          0x2A0 /* bytes 0x000..0x29F are signed */
#define SNP_REPORT_VERSION_MIN         2
#define SNP_REPORT_VERSION_MAX         5
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1

/* ECDSA P-384 signature block (attestation.md §1.6): R and S little-endian, zero-extended. */
#define SNP_SIG_SIZE      0x200
#define SNP_SIG_COMP_SIZE 72
#define SNP_P384_SIZE     48
struct snp_signature {
    uint8_t r[SNP_SIG_COMP_SIZE]; /* 0x000 */
    uint8_t s[SNP_SIG_COMP_SIZE]; /* 0x048 */
    uint8_t rsvd_0x090[0x170];    /* 0x090 reserved */
};

struct snp_report {
    uint32_t version;               /* 0x000 */
    uint32_t guest_svn;             /* 0x004 */
    uint64_t policy;                /* 0x008 */
    uint8_t family_id[16];          /* 0x010 */
    uint8_t image_id[16];           /* 0x020 */
    uint32_t vmpl;                  /* 0x030 */
    uint32_t signature_algo;        /* 0x034 */
    uint64_t current_tcb;           /* 0x038 */
    uint64_t platform_info;         /* 0x040 */
    uint32_t signer_info;           /* 0x048 AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY */
    uint8_t rsvd_0x04c[4];          /* 0x04C */
    uint8_t report_data[64];        /* 0x050 */
    uint8_t measurement[48];        /* 0x090 */
    uint8_t host_data[32];          /* 0x0C0 */
    uint8_t id_key_digest[48];      /* 0x0E0 */
    uint8_t author_key_digest[48];  /* 0x110 */
    uint8_t report_id[32];          /* 0x140 */
    uint8_t report_id_ma[32];       /* 0x160 */
    uint64_t reported_tcb;          /* 0x180 */
    uint8_t cpuid_fam_id;           /* 0x188 v3+ (reserved in v2, kept here) */
    uint8_t cpuid_mod_id;           /* 0x189 v3+ */
    uint8_t cpuid_step;             /* 0x18A v3+ */
    uint8_t rsvd_0x18b[21];         /* 0x18B */
    uint8_t chip_id[64];            /* 0x1A0 */
    uint64_t committed_tcb;         /* 0x1E0 */
    uint8_t current_build;          /* 0x1E8 */
    uint8_t current_minor;          /* 0x1E9 */
    uint8_t current_major;          /* 0x1EA */
    uint8_t rsvd_0x1eb;             /* 0x1EB */
    uint8_t committed_build;        /* 0x1EC */
    uint8_t committed_minor;        /* 0x1ED */
    uint8_t committed_major;        /* 0x1EE */
    uint8_t rsvd_0x1ef;             /* 0x1EF */
    uint64_t launch_tcb;            /* 0x1F0 */
    uint64_t launch_mit_vector;     /* 0x1F8 v5+ (reserved before, kept here) */
    uint64_t current_mit_vector;    /* 0x200 v5+ */
    uint8_t rsvd_0x208[152];        /* 0x208 */
    struct snp_signature signature; /* 0x2A0 */
    uint8_t raw[SNP_REPORT_SIZE];   /* the received bytes: what the signature covers */
};

/*
 * snp_report_decode() - decode an ATTESTATION_REPORT wire image.
 * @r:       out; always overwritten, zeroed on failure.
 * @buf:     the report bytes; not retained.
 * @len:     MUST equal SNP_REPORT_SIZE.
 * @err_off: out, optional: the byte offset the error refers to.
 *
 * Checks layout and version only: no signature, policy, TCB or reserved-byte check.
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING (length); SNP_E_VERSION (0, 1, > 5);
 * SNP_E_UNSUPPORTED for version 4, whose layout is not public (refused, not misread).
 */
snp_err snp_report_decode(struct snp_report *r, const uint8_t *buf, size_t len, size_t *err_off);

/*
 * snp_report_encode() - the exact inverse: writes every field (reserved ones included) of r
 * into out[SNP_REPORT_SIZE]. r->raw is ignored. Used by the simulated firmware and tests.
 */
snp_err snp_report_encode(uint8_t out[SNP_REPORT_SIZE], const struct snp_report *r);

/*
 * snp_report_check_strict() - the strict form of attestation.md §1.8 for r->version:
 * reserved ranges zero (v2: 0x188..0x1A0 and 0x1F8..0x2A0; v3: 0x18B..0x1A0, 0x1F8..0x2A0;
 * v5: 0x18B..0x1A0, 0x208..0x2A0; all: 0x04C, 0x1EB, 0x1EF, signature 0x330..0x4A0),
 * signer-info bits, POLICY bit 17 set and bits 63:26 clear, VMPL <= 3, SIGNATURE_ALGO == 1.
 * PLATFORM_INFO reserved bits are a separate, configurable verifier check.
 * Returns SNP_OK, SNP_E_RESERVED or SNP_E_RANGE with *err_off set to the report offset.
 */
snp_err snp_report_check_strict(const struct snp_report *r, size_t *err_off);

/*
 * snp_report_product() - the product line of a report: from CPUID_FAM_ID/MOD_ID (v3+) when
 * present; otherwise hint (a v2 report carries no CPUID). Returns SNP_E_UNSUPPORTED when v3+
 * CPUID names no known product, SNP_E_ARG when v2 and hint is UNKNOWN.
 * If both are known and disagree, SNP_E_MISMATCH.
 */
snp_err snp_report_product(const struct snp_report *r, enum snp_product hint,
                           enum snp_product *out);

/*
 * The layout table of a version (2, 3 or 5; NULL otherwise), rows in offset order, reserved
 * rows named "reserved" with kind SNP_F_KEEP.
 */
const struct snp_field *snp_report_layout(uint32_t version);

/*
 * snp_sig_to_der() - the report's little-endian R and S as a DER ECDSA-Sig-Value
 * (SEQUENCE { INTEGER r, INTEGER s }), big-endian minimal INTEGERs, as OpenSSL expects.
 * @der: out, at least SNP_SIG_DER_MAX bytes.  Returns SNP_E_RANGE when r or s is zero or has
 * non-zero bytes beyond the 48 of P-384 (out of range for the curve); SNP_E_SPACE if too small.
 */
#define SNP_SIG_DER_MAX 110
snp_err snp_sig_to_der(uint8_t *der, size_t der_size, size_t *der_len,
                       const struct snp_signature *sig);

/*
 * snp_sig_from_der() - the inverse: parse a DER ECDSA-Sig-Value into little-endian 72-byte R, S
 * (reserved bytes zeroed). Strict DER: minimal INTEGERs, positive, no trailing bytes.
 * Returns SNP_E_FORMAT, SNP_E_TRAILING, SNP_E_RANGE (integer wider than 48 bytes).
 */
snp_err snp_sig_from_der(struct snp_signature *sig, const uint8_t *der, size_t der_len);

/* Signature block codec (512 bytes), KEEP for the reserved tail. */
snp_err snp_signature_decode(struct snp_signature *sig, const uint8_t *buf, size_t len,
                             size_t *err_off);
snp_err snp_signature_encode(uint8_t out[SNP_SIG_SIZE], const struct snp_signature *sig);

#endif /* SNPKIT_REPORT_H */
