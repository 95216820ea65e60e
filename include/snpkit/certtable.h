/*
 * snpkit/certtable.h - the extended-report certificate table (attestation.md §6) and GUIDs.
 *
 * Layout (§6.1): an array of 24-byte entries {GUID[16], OFFSET u32, LENGTH u32}, ended by an
 * all-zero entry, followed by the certificate bytes. OFFSET counts from the start of the table.
 * The host fills this table, so it is hostile input we *observe*: the decoder checks every bound
 * and stores nothing it has not checked, but accepts unknown GUIDs, any entry order, gaps and
 * overlaps between certificates (the verifier only ever reads an entry's own bytes).
 *
 * Rules enforced by snp_cert_table_decode():
 *   - an empty buffer (len 0) means "no certificates" (§6.1);
 *   - otherwise the entry array MUST end with a terminator (GUID, OFFSET and LENGTH all zero)
 *     inside the buffer, else SNP_E_TRUNCATED (an unterminated table);
 *   - an entry with the all-zero GUID but a non-zero OFFSET or LENGTH is SNP_E_FORMAT: the zero
 *     GUID is the terminator's (§6.2);
 *   - every OFFSET >= the end of the terminator entry, and OFFSET + LENGTH <= len, computed
 *     without overflow (SNP_E_RANGE);
 *   - trailing bytes: bytes after the last certificate byte (the largest OFFSET + LENGTH, or the
 *     end of the terminator when there are no certificates) MUST be zero, else SNP_E_TRAILING.
 *     Hosts and kernels hand the table over in whole zero-padded pages (Linux: a 16 KiB buffer),
 *     so zero padding is normal; anything else there is unexplained data. Bytes in gaps between
 *     certificates are not checked.
 *
 * GUID byte order (§6.2): we write the 16 bytes in RFC 4122 text order (the majority: go-sev-guest,
 * virtee, Signal). When reading we also recognise the UEFI mixed-endian order (first three groups
 * byte-swapped) of the five known GUIDs, and report per entry which form was seen.
 */
#ifndef SNPKIT_CERTTABLE_H
#define SNPKIT_CERTTABLE_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- GUIDs -------------------------------------------------------------------------------- */

#define SNP_GUID_SIZE     16
#define SNP_GUID_TEXT_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", without the NUL */

/* 16 GUID bytes exactly as they appear in the table (no byte order implied by the type). */
struct snp_guid {
    uint8_t b[SNP_GUID_SIZE];
};

/* Initializers in RFC 4122 text byte order (attestation.md §6.2). */
#define SNP_GUID_ARK_INIT                                                                          \
    {                                                                                              \
        {                                                                                          \
            0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c,    \
                0xd0, 0xae                                                                         \
        }                                                                                          \
    } /* c0b406a4-a803-4952-9743-3fb6014cd0ae */
#define SNP_GUID_ASK_INIT                                                                          \
    {                                                                                              \
        {                                                                                          \
            0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27,    \
                0xc7, 0x82                                                                         \
        }                                                                                          \
    } /* 4ab7b379-bbac-4fe4-a02f-05aef327c782, also the ASVK */
#define SNP_GUID_VCEK_INIT                                                                         \
    {                                                                                              \
        {                                                                                          \
            0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8,    \
                0xac, 0xcd                                                                         \
        }                                                                                          \
    } /* 63da758d-e664-4564-adc5-f4b93be8accd */
#define SNP_GUID_VLEK_INIT                                                                         \
    {                                                                                              \
        {                                                                                          \
            0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0,    \
                0xb8, 0xa1                                                                         \
        }                                                                                          \
    } /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */
#define SNP_GUID_CRL_INIT                                                                          \
    {                                                                                              \
        {                                                                                          \
            0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc,    \
                0x67, 0xea                                                                         \
        }                                                                                          \
    } /* 92f81bc3-5811-4d3d-97ff-d19f88dc67ea */

enum snp_cert_kind {
    SNP_CERT_UNKNOWN = 0, /* a GUID we do not know: allowed in a table, ignored by lookups */
    SNP_CERT_ARK = 1,
    SNP_CERT_ASK = 2, /* also the ASVK (VLEK chain): same GUID */
    SNP_CERT_VCEK = 3,
    SNP_CERT_VLEK = 4,
    SNP_CERT_CRL = 5,
};

enum snp_guid_form {
    SNP_GUID_FORM_NONE = 0,  /* the GUID is not one we know, so its byte order cannot be told */
    SNP_GUID_FORM_TEXT = 1,  /* RFC 4122 text order (what we write) */
    SNP_GUID_FORM_MIXED = 2, /* UEFI mixed-endian: groups 1-3 little-endian */
};

/* "ARK", "ASK", "VCEK", "VLEK", "CRL"; "unknown". Never NULL. */
const char *snp_cert_kind_name(enum snp_cert_kind kind);

/* snp_cert_kind_guid() - the text-order GUID of a known kind; NULL for SNP_CERT_UNKNOWN. */
const struct snp_guid *snp_cert_kind_guid(enum snp_cert_kind kind);

/*
 * snp_cert_kind_of() - which known GUID g is, in either byte order. @form (optional) receives
 * the order seen, SNP_GUID_FORM_NONE for SNP_CERT_UNKNOWN.
 */
enum snp_cert_kind snp_cert_kind_of(const struct snp_guid *g, enum snp_guid_form *form);

/* snp_guid_swap_mixed() - convert text order <-> UEFI mixed-endian order (an involution). */
void snp_guid_swap_mixed(struct snp_guid *out, const struct snp_guid *in);

/* snp_guid_is_zero() - true for the all-zero (terminator) GUID. */
bool snp_guid_is_zero(const struct snp_guid *g);

/*
 * snp_guid_format() - lower-case text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" of the 16 bytes taken
 * in text order, NUL-terminated. out has SNP_GUID_TEXT_LEN + 1 bytes.
 */
void snp_guid_format(char out[SNP_GUID_TEXT_LEN + 1], const struct snp_guid *g);

/*
 * snp_guid_parse() - the inverse: exactly 36 characters, hex digits of either case, hyphens at
 * 8, 13, 18 and 23 (no braces, no "urn:uuid:"). g is zeroed on failure.
 * Returns SNP_OK or SNP_E_FORMAT with *err_off (optional) at the offending character (at len
 * when the text is too short).
 */
snp_err snp_guid_parse(struct snp_guid *g, const char *text, size_t len, size_t *err_off);

/* ---- the table ---------------------------------------------------------------------------- */

#define SNP_CERT_ENTRY_SIZE       24
#define SNP_CERT_ENTRY_OFF_GUID   0x00
#define SNP_CERT_ENTRY_OFF_OFFSET 0x10
#define SNP_CERT_ENTRY_OFF_LENGTH 0x14

struct snp_cert_entry {
    struct snp_guid guid;    /* 0x00 GUID, as found (either byte order) */
    uint32_t offset;         /* 0x10 OFFSET from the start of the table */
    uint32_t length;         /* 0x14 LENGTH */
    enum snp_cert_kind kind; /* derived by the decoder: snp_cert_kind_of(guid) */
    enum snp_guid_form form; /* derived: the byte order the GUID was recognised in */
};

/*
 * snp_cert_table_decode() - check a certificate table and list its entries.
 * @entries: out, caller's array of @cap entries (may be NULL when cap is 0). Entries past the
 *           count are zeroed; on failure all cap entries are zeroed.
 * @cap:     capacity of entries.
 * @count:   out: the number of entries in the table, terminator excluded (0 on failure, except
 *           SNP_E_SPACE: then the number needed, and the first cap entries are filled).
 * @buf:     the table bytes as received; not retained. Entry i's certificate is
 *           buf[entries[i].offset .. + entries[i].length).
 * @len:     the table's buffer size (all of it, page padding included).
 * @err_off: out, optional: offset of the failing field or byte.
 *
 * Does not look inside certificates. Rules: see the file comment.
 * Returns SNP_OK; SNP_E_TRUNCATED (no terminator before len; err_off at the partial or missing
 * entry); SNP_E_FORMAT (zero GUID with non-zero OFFSET/LENGTH; err_off at the entry);
 * SNP_E_RANGE (OFFSET inside the entry array or beyond len: err_off at OFFSET; OFFSET + LENGTH
 * beyond len: err_off at LENGTH); SNP_E_TRAILING (non-zero byte after the last certificate);
 * SNP_E_SPACE (more entries than cap; all checks passed).
 */
snp_err snp_cert_table_decode(struct snp_cert_entry *entries, size_t cap, size_t *count,
                              const uint8_t *buf, size_t len, size_t *err_off);

/*
 * snp_cert_table_find() - the first entry at index >= start whose GUID is kind (either byte
 * order). Returns SNP_OK with *idx set, or SNP_E_NOTFOUND. SNP_E_ARG for SNP_CERT_UNKNOWN.
 * Loop with start = idx + 1 to see duplicates (a table may carry the ASK GUID twice: ASK and ASVK).
 */
snp_err snp_cert_table_find(const struct snp_cert_entry *entries, size_t count,
                            enum snp_cert_kind kind, size_t start, size_t *idx);

/*
 * snp_cert_table_data_end() - max(OFFSET + LENGTH) over the entries, at least the end of the
 * terminator ((count + 1) * 24); 0 when count is 0. This is the length Linux gives the
 * configfs-tsm auxblob (§6.3), i.e. the table without its page padding.
 */
size_t snp_cert_table_data_end(const struct snp_cert_entry *entries, size_t count);

/* One certificate for the builder. */
struct snp_cert_blob {
    struct snp_guid guid; /* written as given: use the SNP_GUID_*_INIT (text order) values */
    const uint8_t *data;  /* not retained; may be NULL when len is 0 */
    size_t len;
};

/*
 * snp_cert_table_encode() - build a table: n entries in the given order, the terminator, then the
 * certificates back to back in the same order (no alignment, no padding after the last).
 * @out:      caller's buffer; bytes past *out_len are not touched.
 * @out_size: its size.
 * @out_len:  out: bytes written; with SNP_E_SPACE, the bytes that would be needed (0 when that
 *            does not fit in size_t or the u32 OFFSET/LENGTH fields).
 * With n == 0 the table is the 24-byte terminator alone.
 * Returns SNP_OK; SNP_E_ARG (a zero GUID, or data NULL with len > 0); SNP_E_RANGE (an offset or
 * length that does not fit u32); SNP_E_SPACE (out_size too small).
 */
snp_err snp_cert_table_encode(uint8_t *out, size_t out_size, size_t *out_len,
                              const struct snp_cert_blob *certs, size_t n);

/* The layout table of one 24-byte entry. */
const struct snp_field *snp_cert_entry_layout(void);

#endif /* SNPKIT_CERTTABLE_H */
