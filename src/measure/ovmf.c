/*
 * measure/ovmf.c - the GUIDed footer table and the SEV metadata of an OVMF (or coconut SVSM)
 * image (hardware.md §7.2, §7.3).
 *
 * Everything here is read from bytes a user downloaded: every length is checked against the
 * image before use (subtraction style), and each refusal names its reason and byte offset.
 * No allocation, no crypto.
 */
#include "base/rd.h"
#include "snpkit/measure.h"

#include "base/compiler.h"
#include "measure/measure_int.h"

#include <string.h>

/* GUIDs in their on-disk (EFI little-endian) byte order, §7.2. */
static const uint8_t guid_footer[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                        0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
static const uint8_t guid_reset[16] = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                       0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
static const uint8_t guid_metadata[16] = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                          0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
static const uint8_t guid_hashes[16] = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                        0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};
static const uint8_t guid_secret[16] = {0x61, 0xb3, 0x2e, 0x4c, 0x9b, 0x7d, 0xc3, 0x4c,
                                        0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94};
static const uint8_t guid_svsm[16] = {0x12, 0xa6, 0x89, 0xa7, 0x97, 0x05, 0x4b, 0x4c,
                                      0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd};

#define FOOTER_TAIL  32 /* the footer entry ends 32 bytes before the image end (§7.2) */
#define ENTRY_HDR    18 /* u16 length + GUID */
#define META_HDR     16 /* "ASEV", length, version, num_descs (§7.3) */
#define META_DESC    12 /* gpa, size, type */
#define META_VERSION 1

#define SNP_MW_STR_(name, msg) msg,
static const char *const why_str[] = {SNP_MEASURE_WHY(SNP_MW_STR_)};
#undef SNP_MW_STR_

const char *
snp_measure_why_str(enum snp_measure_why why)
{
    if ((size_t)why >= SNP_ARRAY_LEN(why_str)) {
        return "unknown reason";
    }
    return why_str[why];
}

snp_err
measure_fail(struct snp_measure_diag *diag, snp_err err, enum snp_measure_why why, size_t off)
{
    if (diag != NULL) {
        diag->why = why;
        diag->off = off;
    }
    return err;
}

const char *
snp_ovmf_section_name(uint32_t type)
{
    switch (type) {
    case SNP_OVMF_SEC_SNP_SEC_MEM:
        return "SNP_SEC_MEM";
    case SNP_OVMF_SEC_SNP_SECRETS:
        return "SNP_SECRETS";
    case SNP_OVMF_SEC_CPUID:
        return "CPUID";
    case SNP_OVMF_SEC_SVSM_CAA:
        return "SVSM_CAA";
    case SNP_OVMF_SEC_SNP_KERNEL_HASHES:
        return "SNP_KERNEL_HASHES";
    default:
        return NULL;
    }
}

/* One footer entry's data (§7.2 table). dlen is what the entry carries. */
static snp_err
take_entry(struct snp_ovmf *o, const uint8_t *guid, const uint8_t *d, size_t dlen, size_t off,
           struct snp_measure_diag *diag)
{
    size_t want = 0;
    bool *flag = NULL;

    if (memcmp(guid, guid_reset, 16) == 0 || memcmp(guid, guid_metadata, 16) == 0 ||
        memcmp(guid, guid_svsm, 16) == 0) {
        want = 4;
    } else if (memcmp(guid, guid_hashes, 16) == 0 || memcmp(guid, guid_secret, 16) == 0) {
        want = 8;
    } else {
        return SNP_OK; /* TDX metadata and future entries: not ours to interpret */
    }
    if (dlen < want) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_ENTRY_DATA, off);
    }
    if (memcmp(guid, guid_reset, 16) == 0) {
        flag = &o->has_reset_block;
        o->reset_eip = snp_le32(d);
    } else if (memcmp(guid, guid_metadata, 16) == 0) {
        uint32_t moff = snp_le32(d);

        /* "u32 offset from end of image of the metadata header" (§7.2) */
        if (moff < META_HDR || moff > o->len) {
            return measure_fail(diag, SNP_E_FORMAT, SNP_MW_METADATA_OFF, off);
        }
        flag = &o->has_metadata;
        o->metadata_off = o->len - moff;
    } else if (memcmp(guid, guid_svsm, 16) == 0) {
        flag = &o->has_svsm_info;
        o->svsm_entry = snp_le32(d);
    } else if (memcmp(guid, guid_hashes, 16) == 0) {
        flag = &o->has_hashes_block;
        o->hashes_gpa = snp_le32(d);
        o->hashes_size = snp_le32(d + 4);
    } else {
        flag = &o->has_secret_block;
        o->secret_gpa = snp_le32(d);
        o->secret_size = snp_le32(d + 4);
    }
    *flag = true;
    return SNP_OK;
}

/* Walk the footer table backwards from the footer entry (§7.2). */
static snp_err
parse_footer(struct snp_ovmf *o, const uint8_t *img, size_t len, struct snp_measure_diag *diag)
{
    size_t end;       /* end of the footer entry's GUID */
    size_t table_len; /* includes the footer entry itself */
    size_t start;     /* first byte of the table */
    size_t p;         /* end of the entry being read */

    if (len < FOOTER_TAIL + ENTRY_HDR) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_NO_FOOTER, 0);
    }
    end = len - FOOTER_TAIL;
    if (memcmp(img + end - 16, guid_footer, 16) != 0) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_NO_FOOTER, end - 16);
    }
    table_len = (size_t)img[end - ENTRY_HDR] | (size_t)img[end - ENTRY_HDR + 1] << 8;
    if (table_len < ENTRY_HDR || table_len > end) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_TABLE_LEN, end - ENTRY_HDR);
    }
    start = end - table_len;
    p = end - ENTRY_HDR; /* invariant: start <= p */
    while (p > start) {
        size_t elen;

        if (p - start < ENTRY_HDR) {
            return measure_fail(diag, SNP_E_FORMAT, SNP_MW_ENTRY_LEN, start);
        }
        elen = (size_t)img[p - ENTRY_HDR] | (size_t)img[p - ENTRY_HDR + 1] << 8;
        if (elen < ENTRY_HDR || elen > p - start) {
            return measure_fail(diag, SNP_E_FORMAT, SNP_MW_ENTRY_LEN, p - ENTRY_HDR);
        }
        SNP_TRY(take_entry(o, img + p - 16, img + p - elen, elen - ENTRY_HDR, p - elen, diag));
        p -= elen;
    }
    return SNP_OK;
}

static snp_err
check_section(const struct snp_ovmf *o, size_t i, size_t off, struct snp_measure_diag *diag)
{
    const struct snp_ovmf_section *s = &o->sections[i];
    uint64_t s_end = (uint64_t)s->gpa + s->size;

    if (snp_ovmf_section_name(s->type) == NULL) {
        return measure_fail(diag, SNP_E_RANGE, SNP_MW_SECTION_TYPE, off + 8);
    }
    if (s->size == 0 || s->gpa % SNP_MEASURE_PAGE != 0 || s->size % SNP_MEASURE_PAGE != 0) {
        return measure_fail(diag, SNP_E_RANGE, SNP_MW_SECTION_ALIGN, off);
    }
    if (s_end > SNP_MEASURE_GPA_4G) {
        return measure_fail(diag, SNP_E_RANGE, SNP_MW_SECTION_RANGE, off);
    }
    /* A page launched twice is refused by the PSP (it is no longer in the hypervisor state). */
    for (size_t j = 0; j < i; j++) {
        const struct snp_ovmf_section *t = &o->sections[j];

        if (s->gpa < (uint64_t)t->gpa + t->size && t->gpa < s_end) {
            return measure_fail(diag, SNP_E_RANGE, SNP_MW_SECTION_OVERLAP, off);
        }
    }
    return SNP_OK;
}

/* The SEV metadata header and descriptors (§7.3). */
static snp_err
parse_metadata(struct snp_ovmf *o, const uint8_t *img, size_t len, struct snp_measure_diag *diag)
{
    size_t h = o->metadata_off; /* h + META_HDR <= len, checked by take_entry */
    uint32_t mlen = snp_le32(img + h + 4);
    uint32_t version = snp_le32(img + h + 8);
    uint32_t n = snp_le32(img + h + 12);

    if (memcmp(img + h, "ASEV", 4) != 0) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_METADATA_SIG, h);
    }
    if (version != META_VERSION) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_METADATA_VERSION, h + 8);
    }
    if (n > SNP_OVMF_MAX_SECTIONS) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_TOO_MANY_SECTIONS, h + 12);
    }
    if (mlen != META_HDR + n * META_DESC || mlen > len - h) {
        return measure_fail(diag, SNP_E_FORMAT, SNP_MW_METADATA_LEN, h + 4);
    }
    for (size_t i = 0; i < n; i++) {
        size_t d = h + META_HDR + i * META_DESC;

        o->sections[i].gpa = snp_le32(img + d);
        o->sections[i].size = snp_le32(img + d + 4);
        o->sections[i].type = snp_le32(img + d + 8);
        o->nsections = i + 1;
        SNP_TRY(check_section(o, i, d, diag));
    }
    return SNP_OK;
}

snp_err
snp_ovmf_parse(struct snp_ovmf *o, const uint8_t *img, size_t len, struct snp_measure_diag *diag)
{
    snp_err err;

    if (diag != NULL) {
        memset(diag, 0, sizeof(*diag));
    }
    if (o == NULL || img == NULL) {
        return SNP_E_ARG;
    }
    memset(o, 0, sizeof(*o));
    o->len = len;
    err = parse_footer(o, img, len, diag);
    if (err == SNP_OK && o->has_metadata) {
        err = parse_metadata(o, img, len, diag);
    }
    if (err != SNP_OK) {
        memset(o, 0, sizeof(*o));
    }
    return err;
}
