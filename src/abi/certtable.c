/*
 * abi/certtable.c - extended-report certificate table decode/encode and GUID helpers.
 *
 * The table comes from the (untrusted) host: every OFFSET/LENGTH is bounds-checked by
 * subtraction before use, nothing is allocated, certificates are not parsed. Layout and rules:
 * attestation.md §6.1 (GHCB spec "cert_table"), GUIDs §6.2; policy choices are documented in
 * snpkit/certtable.h.
 */
#include "snpkit/certtable.h"

#include "base/rd.h"
#include "base/wr.h"

#include <stdint.h>
#include <string.h>

static void
set_off(size_t *err_off, size_t off)
{
    if (err_off != NULL) {
        *err_off = off;
    }
}

/* ---- GUIDs ---------------------------------------------------------------------------------- */

/* Indexed by enum snp_cert_kind; row 0 (UNKNOWN) unused. Text order, attestation.md §6.2. */
static const struct snp_guid known_guids[] = {
    {{0}},
    SNP_GUID_ARK_INIT,
    SNP_GUID_ASK_INIT,
    SNP_GUID_VCEK_INIT,
    SNP_GUID_VLEK_INIT,
    SNP_GUID_CRL_INIT,
};

static const char *const kind_names[] = {"unknown", "ARK", "ASK", "VCEK", "VLEK", "CRL"};

_Static_assert(sizeof(known_guids) / sizeof(known_guids[0]) == SNP_CERT_CRL + 1, "one per kind");
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == SNP_CERT_CRL + 1, "one per kind");

const char *
snp_cert_kind_name(enum snp_cert_kind kind)
{
    if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0])) {
        return "unknown";
    }
    return kind_names[kind];
}

const struct snp_guid *
snp_cert_kind_guid(enum snp_cert_kind kind)
{
    if (kind == SNP_CERT_UNKNOWN || (size_t)kind > (size_t)SNP_CERT_CRL) {
        return NULL;
    }
    return &known_guids[kind];
}

void
snp_guid_swap_mixed(struct snp_guid *out, const struct snp_guid *in)
{
    /* UEFI EFI_GUID stores Data1 (u32), Data2 (u16), Data3 (u16) little-endian and Data4 as
     * bytes; the text form prints all of them big-endian. Reversing the three groups converts
     * either way. A copy first, so out may alias in. */
    struct snp_guid t = *in;
    static const uint8_t perm[SNP_GUID_SIZE] = {3, 2, 1,  0,  5,  4,  7,  6,
                                                8, 9, 10, 11, 12, 13, 14, 15};

    for (size_t i = 0; i < SNP_GUID_SIZE; i++) {
        out->b[i] = t.b[perm[i]];
    }
}

bool
snp_guid_is_zero(const struct snp_guid *g)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < SNP_GUID_SIZE; i++) {
        acc |= g->b[i];
    }
    return acc == 0;
}

enum snp_cert_kind
snp_cert_kind_of(const struct snp_guid *g, enum snp_guid_form *form)
{
    struct snp_guid mixed;

    /* Text order first: it is what we write and what most hosts send (§6.2). */
    for (size_t k = SNP_CERT_ARK; k <= SNP_CERT_CRL; k++) {
        if (memcmp(g->b, known_guids[k].b, SNP_GUID_SIZE) == 0) {
            if (form != NULL) {
                *form = SNP_GUID_FORM_TEXT;
            }
            return (enum snp_cert_kind)k;
        }
    }
    snp_guid_swap_mixed(&mixed, g);
    for (size_t k = SNP_CERT_ARK; k <= SNP_CERT_CRL; k++) {
        if (memcmp(mixed.b, known_guids[k].b, SNP_GUID_SIZE) == 0) {
            if (form != NULL) {
                *form = SNP_GUID_FORM_MIXED;
            }
            return (enum snp_cert_kind)k;
        }
    }
    if (form != NULL) {
        *form = SNP_GUID_FORM_NONE;
    }
    return SNP_CERT_UNKNOWN;
}

/* Text positions of the four hyphens in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
static bool
guid_hyphen_at(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

void
snp_guid_format(char out[SNP_GUID_TEXT_LEN + 1], const struct snp_guid *g)
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;

    for (size_t i = 0; i < SNP_GUID_TEXT_LEN; i++) {
        if (guid_hyphen_at(i)) {
            out[i] = '-';
            continue;
        }
        /* j counts nibbles: even = high nibble of byte j/2. */
        uint8_t byte = g->b[j / 2];
        out[i] = hex[(j % 2 == 0) ? (byte >> 4) : (byte & 0x0f)];
        j++;
    }
    out[SNP_GUID_TEXT_LEN] = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

snp_err
snp_guid_parse(struct snp_guid *g, const char *text, size_t len, size_t *err_off)
{
    size_t j = 0;

    set_off(err_off, 0);
    memset(g, 0, sizeof(*g));
    for (size_t i = 0; i < SNP_GUID_TEXT_LEN; i++) {
        if (i >= len || text == NULL) {
            memset(g, 0, sizeof(*g));
            set_off(err_off, i);
            return SNP_E_FORMAT;
        }
        if (guid_hyphen_at(i)) {
            if (text[i] != '-') {
                memset(g, 0, sizeof(*g));
                set_off(err_off, i);
                return SNP_E_FORMAT;
            }
            continue;
        }
        int v = hex_value(text[i]);
        if (v < 0) {
            memset(g, 0, sizeof(*g));
            set_off(err_off, i);
            return SNP_E_FORMAT;
        }
        g->b[j / 2] = (uint8_t)(g->b[j / 2] | (uint8_t)((j % 2 == 0) ? (v << 4) : v));
        j++;
    }
    if (len != SNP_GUID_TEXT_LEN) {
        memset(g, 0, sizeof(*g));
        set_off(err_off, SNP_GUID_TEXT_LEN);
        return SNP_E_FORMAT;
    }
    return SNP_OK;
}

/* ---- the table ------------------------------------------------------------------------------ */

static const struct snp_field cert_entry_layout[] = {
    /* attestation.md §6.1 */
    {"GUID", 0x00, 16, SNP_F_BYTES},
    {"OFFSET", 0x10, 4, SNP_F_LE},
    {"LENGTH", 0x14, 4, SNP_F_LE},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_cert_entry_layout(void)
{
    return cert_entry_layout;
}

/* One 24-byte entry at the cursor (§6.1). kind/form are derived here, not read. */
static void
rd_entry(struct snp_rd *rd, struct snp_cert_entry *e)
{
    snp_rd_bytes(rd, e->guid.b, SNP_GUID_SIZE); /* 0x00 GUID */
    e->offset = snp_rd_u32le(rd);               /* 0x10 OFFSET, from the table start */
    e->length = snp_rd_u32le(rd);               /* 0x14 LENGTH */
    e->kind = snp_cert_kind_of(&e->guid, &e->form);
}

static void
wr_entry(struct snp_wr *wr, const struct snp_guid *g, uint32_t offset, uint32_t length)
{
    snp_wr_bytes(wr, g->b, SNP_GUID_SIZE); /* 0x00 GUID */
    snp_wr_u32le(wr, offset);              /* 0x10 OFFSET */
    snp_wr_u32le(wr, length);              /* 0x14 LENGTH */
}

/*
 * Pass 1: find the terminator. Returns its index in *n. §6.1: "Terminated by an entry whose
 * GUID, OFFSET and LENGTH are all zero."
 */
static snp_err
find_terminator(const uint8_t *buf, size_t len, size_t *n, size_t *err_off)
{
    struct snp_rd rd;
    struct snp_cert_entry e;

    snp_rd_init(&rd, buf, len);
    for (size_t i = 0;; i++) {
        size_t at = rd.off;
        if (snp_rd_left(&rd) < SNP_CERT_ENTRY_SIZE) {
            *err_off = at; /* unterminated: the entry that should be here does not fit */
            return SNP_E_TRUNCATED;
        }
        rd_entry(&rd, &e);
        if (snp_guid_is_zero(&e.guid)) {
            if (e.offset == 0 && e.length == 0) {
                *n = i;
                return SNP_OK;
            }
            *err_off = at; /* §6.2: the zero GUID belongs to the terminator alone */
            return SNP_E_FORMAT;
        }
    }
}

/*
 * Bound checks of one entry against the buffer (§6.1, go-sev-guest checks both): the data starts
 * at or after the terminator and ends within the buffer. All by subtraction: entries_end <= len
 * holds (pass 1 read the terminator), so no expression can overflow.
 */
static snp_err
check_bounds(const struct snp_cert_entry *e, size_t at, size_t entries_end, size_t len,
             size_t *err_off)
{
    if ((size_t)e->offset < entries_end || (size_t)e->offset > len) {
        *err_off = at + SNP_CERT_ENTRY_OFF_OFFSET;
        return SNP_E_RANGE;
    }
    if ((size_t)e->length > len - (size_t)e->offset) {
        *err_off = at + SNP_CERT_ENTRY_OFF_LENGTH;
        return SNP_E_RANGE;
    }
    return SNP_OK;
}

static snp_err
decode_table(struct snp_cert_entry *entries, size_t cap, size_t *count, const uint8_t *buf,
             size_t len, size_t *off)
{
    struct snp_rd rd;
    size_t n = 0;
    size_t entries_end;
    size_t data_end;

    if (len == 0) {
        return SNP_OK; /* §6.1: an empty buffer means "no certificates" */
    }
    SNP_TRY(find_terminator(buf, len, &n, off));
    entries_end = (n + 1) * SNP_CERT_ENTRY_SIZE; /* <= len: pass 1 read that far */
    data_end = entries_end;

    snp_rd_init(&rd, buf, len);
    for (size_t i = 0; i < n; i++) {
        struct snp_cert_entry e;
        size_t at = rd.off;

        rd_entry(&rd, &e);
        SNP_TRY(check_bounds(&e, at, entries_end, len, off));
        /* check_bounds() proved offset + length <= len: the sum cannot overflow. */
        if ((size_t)e.offset + (size_t)e.length > data_end) {
            data_end = (size_t)e.offset + (size_t)e.length;
        }
        if (i < cap) {
            entries[i] = e;
        }
    }
    /* Trailing bytes: only zero padding may follow the last certificate (header comment). */
    for (size_t j = data_end; j < len; j++) {
        if (buf[j] != 0) {
            *off = j;
            return SNP_E_TRAILING;
        }
    }
    *count = n;
    return n > cap ? SNP_E_SPACE : SNP_OK;
}

snp_err
snp_cert_table_decode(struct snp_cert_entry *entries, size_t cap, size_t *count, const uint8_t *buf,
                      size_t len, size_t *err_off)
{
    size_t off = 0;
    size_t n = 0;
    snp_err err;

    set_off(err_off, 0);
    if (entries == NULL) {
        cap = 0;
    }
    if (cap > 0) {
        memset(entries, 0, cap * sizeof(*entries));
    }
    if (buf == NULL && len != 0) {
        *count = 0;
        return SNP_E_ARG;
    }
    err = decode_table(entries, cap, &n, buf, len, &off);
    if (err == SNP_OK || err == SNP_E_SPACE) {
        *count = n;
        if (err == SNP_E_SPACE) {
            set_off(err_off, cap * SNP_CERT_ENTRY_SIZE); /* the first entry that did not fit */
        }
        return err;
    }
    if (cap > 0) {
        memset(entries, 0, cap * sizeof(*entries));
    }
    *count = 0;
    set_off(err_off, off);
    return err;
}

snp_err
snp_cert_table_find(const struct snp_cert_entry *entries, size_t count, enum snp_cert_kind kind,
                    size_t start, size_t *idx)
{
    const struct snp_guid *want = snp_cert_kind_guid(kind);

    if (want == NULL) {
        return SNP_E_ARG;
    }
    for (size_t i = start; i < count; i++) {
        /* Re-derive from the GUID rather than trust the cached kind of a caller-built array. */
        if (snp_cert_kind_of(&entries[i].guid, NULL) == kind) {
            *idx = i;
            return SNP_OK;
        }
    }
    return SNP_E_NOTFOUND;
}

size_t
snp_cert_table_data_end(const struct snp_cert_entry *entries, size_t count)
{
    size_t end;

    if (count == 0) {
        return 0; /* §6.3: the auxblob is empty when there are no certificates */
    }
    end = (count + 1) * SNP_CERT_ENTRY_SIZE;
    for (size_t i = 0; i < count; i++) {
        /* u32 + u32 fits in 64 bits; saturate where size_t is narrower (caller-built arrays are
         * not bounds-checked). */
        uint64_t e = (uint64_t)entries[i].offset + (uint64_t)entries[i].length;
        if (e > (uint64_t)SIZE_MAX) {
            return SIZE_MAX;
        }
        if (e > end) {
            end = (size_t)e;
        }
    }
    return end;
}

/* Sizes of the table the builder would write: entry array end and total, overflow-checked. */
static snp_err
build_size(const struct snp_cert_blob *certs, size_t n, size_t *entries_end, size_t *total)
{
    size_t nent;
    size_t sum;

    if (snp_add_overflow(n, (size_t)1, &nent) ||
        snp_mul_overflow(nent, (size_t)SNP_CERT_ENTRY_SIZE, &sum)) {
        return SNP_E_RANGE;
    }
    *entries_end = sum;
    for (size_t i = 0; i < n; i++) {
        /* Every OFFSET (the running sum) and LENGTH must fit the u32 fields (§6.1). */
        if (sum > UINT32_MAX || certs[i].len > UINT32_MAX) {
            return SNP_E_RANGE;
        }
        if (snp_add_overflow(sum, certs[i].len, &sum)) {
            return SNP_E_RANGE;
        }
    }
    *total = sum;
    return SNP_OK;
}

snp_err
snp_cert_table_encode(uint8_t *out, size_t out_size, size_t *out_len,
                      const struct snp_cert_blob *certs, size_t n)
{
    static const struct snp_guid zero_guid = {{0}};
    struct snp_wr wr;
    size_t entries_end = 0;
    size_t total = 0;
    size_t at;
    snp_err err;

    *out_len = 0;
    if (n > 0 && certs == NULL) {
        return SNP_E_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        if (snp_guid_is_zero(&certs[i].guid) || (certs[i].data == NULL && certs[i].len > 0)) {
            return SNP_E_ARG; /* a zero GUID would read back as a terminator (§6.1) */
        }
    }
    err = build_size(certs, n, &entries_end, &total);
    if (err != SNP_OK) {
        return err;
    }
    if (out == NULL || total > out_size) {
        *out_len = total;
        return SNP_E_SPACE;
    }

    snp_wr_init(&wr, out, total);
    at = entries_end;
    for (size_t i = 0; i < n; i++) {
        /* Fits u32: checked by build_size(). */
        wr_entry(&wr, &certs[i].guid, (uint32_t)at, (uint32_t)certs[i].len);
        at += certs[i].len;
    }
    wr_entry(&wr, &zero_guid, 0, 0); /* terminator */
    for (size_t i = 0; i < n; i++) {
        snp_wr_bytes(&wr, certs[i].data, certs[i].len);
    }
    err = snp_wr_done(&wr);
    if (err == SNP_OK) {
        *out_len = total;
    }
    return err;
}
