/*
 * abi/report.c - ATTESTATION_REPORT encode/decode, the strict reserved-field check, and the
 * report's product line.
 *
 * attestation.md §1.2 (layout), §1.3 (versions), §1.7 (CPUID -> product), §1.8 (MBZ rules).
 * Pure byte layout: no crypto. Reserved bytes are KEEP: decode reads every byte at its offset
 * whatever the version and encode writes them back, so encode(decode(x)) == x. What the bytes
 * mean per version lives in the layout tables (report_layout.c), which also drive
 * snp_report_check_strict(). Signatures are checked over r->raw by verify/, never over a
 * re-encoding.
 */
#include "snpkit/report.h"

#include "snpkit/policy.h"
#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

/* Offsets the strict check names in its errors (§1.2). */
#define OFF_VERSION     0x000
#define OFF_POLICY      0x008
#define OFF_VMPL        0x030
#define OFF_SIG_ALGO    0x034
#define OFF_SIGNER_INFO 0x048
#define VMPL_MAX        3

_Static_assert(sizeof(((struct snp_report *)0)->signature.rsvd_0x090) == 0x170,
               "signature reserved tail is 0x330..0x4A0");
_Static_assert(SNP_SIG_COMP_SIZE * 2 + 0x170 == SNP_SIG_SIZE, "signature block is 512 bytes");
_Static_assert(SNP_REPORT_SIGNED_LEN + SNP_SIG_SIZE == SNP_REPORT_SIZE, "0x2A0 + 0x200 = 0x4A0");

/* §1.3: 2, 3 and 5 are understood; 4 is real but its layout is not public, so it is refused
 * rather than misread; 0, 1 and anything above 5 are not report versions we know. */
static snp_err
report_version_check(uint32_t version)
{
    if (version == 4) {
        return SNP_E_UNSUPPORTED;
    }
    if (version < SNP_REPORT_VERSION_MIN || version > SNP_REPORT_VERSION_MAX) {
        return SNP_E_VERSION;
    }
    return SNP_OK;
}

snp_err
snp_report_decode(struct snp_report *r, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    memset(r, 0, sizeof(*r));
    if (err_off != NULL) {
        *err_off = 0;
    }
    snp_rd_init(&rd, buf, len);

    r->version = snp_rd_u32le(&rd);                                        /* 0x000 VERSION */
    r->guest_svn = snp_rd_u32le(&rd);                                      /* 0x004 GUEST_SVN */
    r->policy = snp_rd_u64le(&rd);                                         /* 0x008 POLICY */
    snp_rd_bytes(&rd, r->family_id, sizeof(r->family_id));                 /* 0x010 FAMILY_ID */
    snp_rd_bytes(&rd, r->image_id, sizeof(r->image_id));                   /* 0x020 IMAGE_ID */
    r->vmpl = snp_rd_u32le(&rd);                                           /* 0x030 VMPL */
    r->signature_algo = snp_rd_u32le(&rd);                                 /* 0x034 SIG_ALGO */
    r->current_tcb = snp_rd_u64le(&rd);                                    /* 0x038 CURRENT_TCB */
    r->platform_info = snp_rd_u64le(&rd);                                  /* 0x040 PLAT_INFO */
    r->signer_info = snp_rd_u32le(&rd);                                    /* 0x048 signer info */
    snp_rd_bytes(&rd, r->rsvd_0x04c, sizeof(r->rsvd_0x04c));               /* 0x04C reserved */
    snp_rd_bytes(&rd, r->report_data, sizeof(r->report_data));             /* 0x050 REPORT_DATA */
    snp_rd_bytes(&rd, r->measurement, sizeof(r->measurement));             /* 0x090 MEASUREMENT */
    snp_rd_bytes(&rd, r->host_data, sizeof(r->host_data));                 /* 0x0C0 HOST_DATA */
    snp_rd_bytes(&rd, r->id_key_digest, sizeof(r->id_key_digest));         /* 0x0E0 ID_KEY_DIG */
    snp_rd_bytes(&rd, r->author_key_digest, sizeof(r->author_key_digest)); /* 0x110 AUTHOR_KEY */
    snp_rd_bytes(&rd, r->report_id, sizeof(r->report_id));                 /* 0x140 REPORT_ID */
    snp_rd_bytes(&rd, r->report_id_ma, sizeof(r->report_id_ma));           /* 0x160 REPORT_ID_MA */
    r->reported_tcb = snp_rd_u64le(&rd);                                   /* 0x180 REPORTED_TCB */
    r->cpuid_fam_id = snp_rd_u8(&rd);                          /* 0x188 CPUID_FAM_ID, v3+ */
    r->cpuid_mod_id = snp_rd_u8(&rd);                          /* 0x189 CPUID_MOD_ID, v3+ */
    r->cpuid_step = snp_rd_u8(&rd);                            /* 0x18A CPUID_STEP, v3+ */
    snp_rd_bytes(&rd, r->rsvd_0x18b, sizeof(r->rsvd_0x18b));   /* 0x18B reserved */
    snp_rd_bytes(&rd, r->chip_id, sizeof(r->chip_id));         /* 0x1A0 CHIP_ID */
    r->committed_tcb = snp_rd_u64le(&rd);                      /* 0x1E0 COMMITTED_TCB */
    r->current_build = snp_rd_u8(&rd);                         /* 0x1E8 CURRENT_BUILD */
    r->current_minor = snp_rd_u8(&rd);                         /* 0x1E9 CURRENT_MINOR */
    r->current_major = snp_rd_u8(&rd);                         /* 0x1EA CURRENT_MAJOR */
    r->rsvd_0x1eb = snp_rd_u8(&rd);                            /* 0x1EB reserved */
    r->committed_build = snp_rd_u8(&rd);                       /* 0x1EC COMMITTED_BUILD */
    r->committed_minor = snp_rd_u8(&rd);                       /* 0x1ED COMMITTED_MINOR */
    r->committed_major = snp_rd_u8(&rd);                       /* 0x1EE COMMITTED_MAJOR */
    r->rsvd_0x1ef = snp_rd_u8(&rd);                            /* 0x1EF reserved */
    r->launch_tcb = snp_rd_u64le(&rd);                         /* 0x1F0 LAUNCH_TCB */
    r->launch_mit_vector = snp_rd_u64le(&rd);                  /* 0x1F8 LAUNCH_MIT, v5+ */
    r->current_mit_vector = snp_rd_u64le(&rd);                 /* 0x200 CURRENT_MIT, v5+ */
    snp_rd_bytes(&rd, r->rsvd_0x208, sizeof(r->rsvd_0x208));   /* 0x208 reserved */
    snp_rd_bytes(&rd, r->signature.r, sizeof(r->signature.r)); /* 0x2A0 SIGNATURE R */
    snp_rd_bytes(&rd, r->signature.s, sizeof(r->signature.s)); /* 0x2E8 SIGNATURE S */
    snp_rd_bytes(&rd, r->signature.rsvd_0x090, sizeof(r->signature.rsvd_0x090)); /* 0x330 */

    err = snp_rd_done(&rd); /* exactly 0x4A0 bytes: SNP_E_TRUNCATED / SNP_E_TRAILING */
    if (err == SNP_E_TRUNCATED) {
        rd.err_off = rd.len; /* the first missing byte, not the start of the field cut short */
    }
    if (err == SNP_OK) {
        err = report_version_check(r->version);
        rd.err_off = OFF_VERSION;
    }
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r)); /* no half-decoded output */
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
        return err;
    }
    memcpy(r->raw, buf, SNP_REPORT_SIZE); /* the signed bytes, STYLE.md §7.6 */
    return SNP_OK;
}

snp_err
snp_report_encode(uint8_t out[SNP_REPORT_SIZE], const struct snp_report *r)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_REPORT_SIZE);
    snp_wr_u32le(&wr, r->version);                                               /* 0x000 */
    snp_wr_u32le(&wr, r->guest_svn);                                             /* 0x004 */
    snp_wr_u64le(&wr, r->policy);                                                /* 0x008 */
    snp_wr_bytes(&wr, r->family_id, sizeof(r->family_id));                       /* 0x010 */
    snp_wr_bytes(&wr, r->image_id, sizeof(r->image_id));                         /* 0x020 */
    snp_wr_u32le(&wr, r->vmpl);                                                  /* 0x030 */
    snp_wr_u32le(&wr, r->signature_algo);                                        /* 0x034 */
    snp_wr_u64le(&wr, r->current_tcb);                                           /* 0x038 */
    snp_wr_u64le(&wr, r->platform_info);                                         /* 0x040 */
    snp_wr_u32le(&wr, r->signer_info);                                           /* 0x048 */
    snp_wr_bytes(&wr, r->rsvd_0x04c, sizeof(r->rsvd_0x04c));                     /* 0x04C */
    snp_wr_bytes(&wr, r->report_data, sizeof(r->report_data));                   /* 0x050 */
    snp_wr_bytes(&wr, r->measurement, sizeof(r->measurement));                   /* 0x090 */
    snp_wr_bytes(&wr, r->host_data, sizeof(r->host_data));                       /* 0x0C0 */
    snp_wr_bytes(&wr, r->id_key_digest, sizeof(r->id_key_digest));               /* 0x0E0 */
    snp_wr_bytes(&wr, r->author_key_digest, sizeof(r->author_key_digest));       /* 0x110 */
    snp_wr_bytes(&wr, r->report_id, sizeof(r->report_id));                       /* 0x140 */
    snp_wr_bytes(&wr, r->report_id_ma, sizeof(r->report_id_ma));                 /* 0x160 */
    snp_wr_u64le(&wr, r->reported_tcb);                                          /* 0x180 */
    snp_wr_u8(&wr, r->cpuid_fam_id);                                             /* 0x188 */
    snp_wr_u8(&wr, r->cpuid_mod_id);                                             /* 0x189 */
    snp_wr_u8(&wr, r->cpuid_step);                                               /* 0x18A */
    snp_wr_bytes(&wr, r->rsvd_0x18b, sizeof(r->rsvd_0x18b));                     /* 0x18B */
    snp_wr_bytes(&wr, r->chip_id, sizeof(r->chip_id));                           /* 0x1A0 */
    snp_wr_u64le(&wr, r->committed_tcb);                                         /* 0x1E0 */
    snp_wr_u8(&wr, r->current_build);                                            /* 0x1E8 */
    snp_wr_u8(&wr, r->current_minor);                                            /* 0x1E9 */
    snp_wr_u8(&wr, r->current_major);                                            /* 0x1EA */
    snp_wr_u8(&wr, r->rsvd_0x1eb);                                               /* 0x1EB */
    snp_wr_u8(&wr, r->committed_build);                                          /* 0x1EC */
    snp_wr_u8(&wr, r->committed_minor);                                          /* 0x1ED */
    snp_wr_u8(&wr, r->committed_major);                                          /* 0x1EE */
    snp_wr_u8(&wr, r->rsvd_0x1ef);                                               /* 0x1EF */
    snp_wr_u64le(&wr, r->launch_tcb);                                            /* 0x1F0 */
    snp_wr_u64le(&wr, r->launch_mit_vector);                                     /* 0x1F8 */
    snp_wr_u64le(&wr, r->current_mit_vector);                                    /* 0x200 */
    snp_wr_bytes(&wr, r->rsvd_0x208, sizeof(r->rsvd_0x208));                     /* 0x208 */
    snp_wr_bytes(&wr, r->signature.r, sizeof(r->signature.r));                   /* 0x2A0 */
    snp_wr_bytes(&wr, r->signature.s, sizeof(r->signature.s));                   /* 0x2E8 */
    snp_wr_bytes(&wr, r->signature.rsvd_0x090, sizeof(r->signature.rsvd_0x090)); /* 0x330 */
    return snp_wr_done(&wr);
}

/* The first set bit of a non-zero word, for naming the byte that holds it. */
static unsigned
lowest_bit(uint64_t v)
{
    unsigned bit = 0;

    while ((v & 1u) == 0) {
        v >>= 1;
        bit++;
    }
    return bit;
}

/* §1.8 rules on named fields, all of which sit before the first reserved range (0x04C). */
static snp_err
strict_fields(const struct snp_report *r, size_t *off)
{
    struct snp_signer_info si;
    unsigned bit = 0;

    /* §3.1: POLICY bit 17 MBO, bits 63:26 MBZ; the error names the byte holding the bit. */
    if (snp_policy_check(r->policy, &bit) != SNP_OK) {
        *off = OFF_POLICY + bit / 8;
        return SNP_E_RESERVED;
    }
    /* §1.2: VMPL is what the requester asked for, 0..3. */
    if (r->vmpl > VMPL_MAX) {
        *off = OFF_VMPL;
        return SNP_E_RANGE;
    }
    /* §1.2, §1.6: 1 = ECDSA P-384 with SHA-384; no other value is defined. */
    if (r->signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384) {
        *off = OFF_SIG_ALGO;
        return SNP_E_RANGE;
    }
    /* §1.4: bits 31:5 MBZ (name the byte of the lowest one set); SIGNING_KEY not 2..6. */
    if ((r->signer_info & SNP_SIGNER_RSVD_MASK) != 0) {
        *off = OFF_SIGNER_INFO + lowest_bit(r->signer_info & SNP_SIGNER_RSVD_MASK) / 8;
        return SNP_E_RESERVED;
    }
    if (snp_signer_info_decode(&si, r->signer_info) != SNP_OK) {
        *off = OFF_SIGNER_INFO; /* SIGNING_KEY is bits 4:2 of byte 0x048 */
        return SNP_E_RESERVED;
    }
    return SNP_OK;
}

snp_err
snp_report_check_strict(const struct snp_report *r, size_t *err_off)
{
    const struct snp_field *table = snp_report_layout(r->version);
    uint8_t img[SNP_REPORT_SIZE];
    size_t off = 0;
    snp_err err;

    if (err_off != NULL) {
        *err_off = 0;
    }
    if (table == NULL) {
        /* Only 2, 3 and 5 have tables: 4 is SNP_E_UNSUPPORTED, the rest SNP_E_VERSION. */
        err = report_version_check(r->version);
        return err != SNP_OK ? err : SNP_E_VERSION;
    }
    err = strict_fields(r, &off);
    if (err == SNP_OK) {
        err = snp_report_encode(img, r);
    }
    /* §1.8 reserved ranges: exactly the table's "reserved" rows for this version, walked in
     * offset order, so the first non-zero reserved byte is the one reported. */
    for (const struct snp_field *f = table; err == SNP_OK && f->name != NULL; f++) {
        if (f->kind != SNP_F_KEEP) {
            continue;
        }
        for (size_t i = 0; i < f->size; i++) {
            if (img[f->off + i] != 0) {
                off = f->off + i;
                err = SNP_E_RESERVED;
                break;
            }
        }
    }
    if (err != SNP_OK && err_off != NULL) {
        *err_off = off;
    }
    return err;
}

snp_err
snp_report_product(const struct snp_report *r, enum snp_product hint, enum snp_product *out)
{
    enum snp_product p = SNP_PRODUCT_UNKNOWN;
    bool hint_known =
        hint == SNP_PRODUCT_MILAN || hint == SNP_PRODUCT_GENOA || hint == SNP_PRODUCT_TURIN;

    *out = SNP_PRODUCT_UNKNOWN;
    if (hint != SNP_PRODUCT_UNKNOWN && !hint_known) {
        return SNP_E_ARG; /* not a value of the enum */
    }
    /* §1.3: version 2 carries no CPUID; the product must come from elsewhere (§1.7). */
    if (r->version < 3) {
        if (!hint_known) {
            return SNP_E_ARG;
        }
        *out = hint;
        return SNP_OK;
    }
    /* §1.7: v3+ CPUID_FAM_ID / CPUID_MOD_ID name the product line. */
    SNP_TRY(snp_product_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id, &p));
    if (hint_known && hint != p) {
        return SNP_E_MISMATCH;
    }
    *out = p;
    return SNP_OK;
}
