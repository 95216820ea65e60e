/*
 * abi/guestmsg_payload.c - plaintext payloads of the guest messages: MSG_REPORT_REQ/RSP,
 * MSG_KEY_REQ (v1, v2)/RSP, MSG_CPUID_REQ/RSP, MSG_TSC_INFO_REQ/RSP.
 *
 * Requests are firmware inputs (reserved bytes and bits MBZ), responses are observed (KEEP);
 * see snpkit/guestmsg.h. The derived key of MSG_KEY_RSP is a secret and is wiped on every
 * failure path here. Offsets: attestation.md §7.5-§7.7, hardware.md §5.9 and §9.
 */
#include "snpkit/guestmsg.h"

#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include "base/rd.h"
#include "base/wr.h"

#include <string.h>

static void
set_off(size_t *err_off, size_t off)
{
    if (err_off != NULL) {
        *err_off = off;
    }
}

/*
 * Reserved bits of a just-read little-endian field of width bytes: raise SNP_E_RESERVED at the
 * first byte holding a set bit outside defined (the cursor sits just past the field).
 */
static void
rd_rsvd_bits(struct snp_rd *rd, uint64_t v, uint64_t defined, size_t width)
{
    uint64_t bad = v & ~defined;

    for (size_t i = 0; i < width; i++) {
        if (((bad >> (8 * i)) & 0xff) != 0) {
            snp_rd_fail(rd, SNP_E_RESERVED, width - i);
            return;
        }
    }
}

/* ---- MSG_REPORT_REQ (§7.5) ------------------------------------------------------------------- */

#define REPORT_REQ_KEY_SEL_MASK UINT32_C(0x3) /* 0x44 bits 1:0; bits 31:2 MBZ */

static const struct snp_field report_req_layout[] = {
    {"REPORT_DATA", 0x00, 64, SNP_F_BYTES}, {"VMPL", 0x40, 4, SNP_F_LE},
    {"KEY_SEL", 0x44, 4, SNP_F_LE}, /* bits 1:0; bits 31:2 MBZ */
    {"reserved", 0x48, 24, SNP_F_MBZ},      {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_report_req_layout(void)
{
    return report_req_layout;
}

snp_err
snp_msg_report_req_decode(struct snp_msg_report_req *r, const uint8_t *buf, size_t len,
                          size_t *err_off)
{
    struct snp_rd rd;
    uint32_t w;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_rd_init(&rd, buf, len);
    snp_rd_bytes(&rd, r->report_data, sizeof(r->report_data)); /* 0x00 REPORT_DATA */
    r->vmpl = snp_rd_u32le(&rd);                               /* 0x40 VMPL */
    w = snp_rd_u32le(&rd);                                     /* 0x44 KEY_SEL */
    rd_rsvd_bits(&rd, w, REPORT_REQ_KEY_SEL_MASK, 4);          /* bits 31:2 MBZ */
    r->key_sel = (uint8_t)(w & REPORT_REQ_KEY_SEL_MASK);
    if (r->key_sel == SNP_KEY_SEL_RESERVED) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4); /* §7.5: 3 = reserved */
    }
    snp_rd_mbz(&rd, 24); /* 0x48 reserved, MBZ */

    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_report_req_encode(uint8_t out[SNP_MSG_REPORT_REQ_SIZE], const struct snp_msg_report_req *r)
{
    struct snp_wr wr;

    if (r->key_sel > REPORT_REQ_KEY_SEL_MASK) {
        return SNP_E_RANGE; /* two bits on the wire */
    }
    snp_wr_init(&wr, out, SNP_MSG_REPORT_REQ_SIZE);
    snp_wr_bytes(&wr, r->report_data, sizeof(r->report_data)); /* 0x00 REPORT_DATA */
    snp_wr_u32le(&wr, r->vmpl);                                /* 0x40 VMPL */
    snp_wr_u32le(&wr, r->key_sel);                             /* 0x44 KEY_SEL */
    snp_wr_zero(&wr, 24);                                      /* 0x48 reserved */
    return snp_wr_done(&wr);
}

/* ---- MSG_REPORT_RSP (§7.5) ------------------------------------------------------------------- */

static const struct snp_field report_rsp_layout[] = {
    {"STATUS", 0x00, 4, SNP_F_LE},
    {"REPORT_SIZE", 0x04, 4, SNP_F_LE},
    {"reserved", 0x08, 24, SNP_F_KEEP},
    {"ATTESTATION_REPORT", 0x20, SNP_REPORT_SIZE, SNP_F_BYTES},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_report_rsp_layout(void)
{
    return report_rsp_layout;
}

snp_err
snp_msg_report_rsp_decode(struct snp_msg_report_rsp *r, const uint8_t *buf, size_t len,
                          size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_rd_init(&rd, buf, len);
    r->status = snp_rd_u32le(&rd);                         /* 0x00 STATUS */
    r->report_size = snp_rd_u32le(&rd);                    /* 0x04 REPORT_SIZE */
    snp_rd_bytes(&rd, r->rsvd_0x08, sizeof(r->rsvd_0x08)); /* 0x08 reserved, KEEP */
    snp_rd_bytes(&rd, r->report, sizeof(r->report));       /* 0x20 ATTESTATION_REPORT */

    err = snp_rd_done(&rd); /* exactly 0x4C0 bytes */
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_report_rsp_encode(uint8_t out[SNP_MSG_REPORT_RSP_SIZE], const struct snp_msg_report_rsp *r)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_MSG_REPORT_RSP_SIZE);
    snp_wr_u32le(&wr, r->status);                          /* 0x00 STATUS */
    snp_wr_u32le(&wr, r->report_size);                     /* 0x04 REPORT_SIZE */
    snp_wr_bytes(&wr, r->rsvd_0x08, sizeof(r->rsvd_0x08)); /* 0x08 reserved */
    snp_wr_bytes(&wr, r->report, sizeof(r->report));       /* 0x20 ATTESTATION_REPORT */
    return snp_wr_done(&wr);
}

snp_err
snp_msg_report_rsp_report(struct snp_report *out, const struct snp_msg_report_rsp *r,
                          size_t *err_off)
{
    size_t sub = 0;
    snp_err err;

    set_off(err_off, 0);
    memset(out, 0, sizeof(*out));
    if (r->status != SNP_FW_SUCCESS) {
        return SNP_E_STATE; /* the firmware refused: there is no report to decode */
    }
    if (r->report_size != SNP_REPORT_SIZE) {
        set_off(err_off, 0x04); /* §7.5: REPORT_SIZE = 0x4A0 */
        return SNP_E_RANGE;
    }
    err = snp_report_decode(out, r->report, sizeof(r->report), &sub);
    if (err != SNP_OK) {
        set_off(err_off, SNP_MSG_REPORT_RSP_OFF_REPORT + sub);
    }
    return err;
}

/* ---- MSG_KEY_REQ (§7.6) ---------------------------------------------------------------------- */

#define KEY_REQ_ROOT_KEY_SELECT UINT32_C(0x1) /* 0x00 bit 0 */
#define KEY_REQ_KEY_SEL_SHIFT   1             /* 0x00 bits 2:1 */
#define KEY_REQ_KEY_SEL_MASK    UINT32_C(0x3)
#define KEY_REQ_DEFINED_BITS    UINT32_C(0x7) /* bits 31:3 MBZ */

static const struct snp_field key_req_v1_layout[] = {
    {"ROOT_KEY_SELECT|KEY_SEL", 0x00, 4, SNP_F_LE}, /* bit 0 | bits 2:1; bits 31:3 MBZ */
    {"reserved", 0x04, 4, SNP_F_MBZ},
    {"GUEST_FIELD_SELECT", 0x08, 8, SNP_F_LE},
    {"VMPL", 0x10, 4, SNP_F_LE},
    {"GUEST_SVN", 0x14, 4, SNP_F_LE},
    {"TCB_VERSION", 0x18, 8, SNP_F_LE},
    {NULL, 0, 0, SNP_F_LE},
};

static const struct snp_field key_req_v2_layout[] = {
    {"ROOT_KEY_SELECT|KEY_SEL", 0x00, 4, SNP_F_LE},
    {"reserved", 0x04, 4, SNP_F_MBZ},
    {"GUEST_FIELD_SELECT", 0x08, 8, SNP_F_LE},
    {"VMPL", 0x10, 4, SNP_F_LE},
    {"GUEST_SVN", 0x14, 4, SNP_F_LE},
    {"TCB_VERSION", 0x18, 8, SNP_F_LE},
    {"LAUNCH_MIT_VECTOR", 0x20, 8, SNP_F_LE}, /* ABI 1.58 */
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_key_req_layout(uint8_t msg_version)
{
    switch (msg_version) {
    case 1:
        return key_req_v1_layout;
    case 2:
        return key_req_v2_layout;
    default:
        return NULL;
    }
}

snp_err
snp_msg_key_req_decode(struct snp_msg_key_req *k, uint8_t msg_version, const uint8_t *buf,
                       size_t len, size_t *err_off)
{
    struct snp_rd rd;
    uint32_t w;
    snp_err err;

    set_off(err_off, 0);
    memset(k, 0, sizeof(*k));
    if (msg_version != 1 && msg_version != 2) {
        return SNP_E_VERSION; /* never decode a layout we have not identified */
    }
    snp_rd_init(&rd, buf, len);
    w = snp_rd_u32le(&rd); /* 0x00 ROOT_KEY_SELECT, KEY_SEL */
    rd_rsvd_bits(&rd, w, KEY_REQ_DEFINED_BITS, 4);
    k->root_key_select = (uint8_t)(w & KEY_REQ_ROOT_KEY_SELECT);
    k->key_sel = (uint8_t)((w >> KEY_REQ_KEY_SEL_SHIFT) & KEY_REQ_KEY_SEL_MASK);
    if (k->key_sel == SNP_KEY_SEL_RESERVED) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4); /* §7.5: 3 = reserved */
    }
    snp_rd_mbz(&rd, 4);                        /* 0x04 reserved, MBZ */
    k->guest_field_select = snp_rd_u64le(&rd); /* 0x08 GUEST_FIELD_SELECT */
    rd_rsvd_bits(&rd, k->guest_field_select, msg_version == 1 ? SNP_GFS_V1_MASK : SNP_GFS_V2_MASK,
                 8);
    k->vmpl = snp_rd_u32le(&rd);        /* 0x10 VMPL */
    k->guest_svn = snp_rd_u32le(&rd);   /* 0x14 GUEST_SVN */
    k->tcb_version = snp_rd_u64le(&rd); /* 0x18 TCB_VERSION */
    if (msg_version == 2) {
        k->launch_mit_vector = snp_rd_u64le(&rd); /* 0x20 LAUNCH_MIT_VECTOR (v2) */
    }

    err = snp_rd_done(&rd); /* exactly 32 (v1) or 40 (v2) bytes */
    if (err != SNP_OK) {
        memset(k, 0, sizeof(*k));
        set_off(err_off, rd.err_off);
        return err;
    }
    k->msg_version = msg_version;
    return SNP_OK;
}

snp_err
snp_msg_key_req_encode(uint8_t *out, size_t out_size, size_t *out_len,
                       const struct snp_msg_key_req *k)
{
    struct snp_wr wr;
    size_t size;

    *out_len = 0;
    if (k->msg_version != 1 && k->msg_version != 2) {
        return SNP_E_VERSION;
    }
    if (k->root_key_select > KEY_REQ_ROOT_KEY_SELECT || k->key_sel > KEY_REQ_KEY_SEL_MASK ||
        (k->msg_version == 1 && k->launch_mit_vector != 0)) {
        return SNP_E_RANGE; /* not representable on the wire at this version */
    }
    size = k->msg_version == 1 ? SNP_MSG_KEY_REQ_V1_SIZE : SNP_MSG_KEY_REQ_V2_SIZE;
    if (out == NULL || out_size < size) {
        *out_len = size; /* what would be needed */
        return SNP_E_SPACE;
    }
    snp_wr_init(&wr, out, size);
    snp_wr_u32le(&wr, (uint32_t)k->root_key_select | (uint32_t)k->key_sel
                                                         << KEY_REQ_KEY_SEL_SHIFT); /* 0x00 */
    snp_wr_zero(&wr, 4);                      /* 0x04 reserved */
    snp_wr_u64le(&wr, k->guest_field_select); /* 0x08 GUEST_FIELD_SELECT */
    snp_wr_u32le(&wr, k->vmpl);               /* 0x10 VMPL */
    snp_wr_u32le(&wr, k->guest_svn);          /* 0x14 GUEST_SVN */
    snp_wr_u64le(&wr, k->tcb_version);        /* 0x18 TCB_VERSION */
    if (k->msg_version == 2) {
        snp_wr_u64le(&wr, k->launch_mit_vector); /* 0x20 LAUNCH_MIT_VECTOR */
    }
    SNP_TRY(snp_wr_done(&wr));
    *out_len = size;
    return SNP_OK;
}

/* ---- MSG_KEY_RSP (§7.6) ---------------------------------------------------------------------- */

static const struct snp_field key_rsp_layout[] = {
    {"STATUS", 0x00, 4, SNP_F_LE},
    {"reserved", 0x04, 28, SNP_F_KEEP},
    {"DERIVED_KEY", 0x20, 32, SNP_F_BYTES}, /* secret */
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_key_rsp_layout(void)
{
    return key_rsp_layout;
}

snp_err
snp_msg_key_rsp_decode(struct snp_msg_key_rsp *r, struct snp_derived_key *key, const uint8_t *buf,
                       size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_wipe(key, sizeof(*key));
    snp_rd_init(&rd, buf, len);
    r->status = snp_rd_u32le(&rd);                         /* 0x00 STATUS */
    snp_rd_bytes(&rd, r->rsvd_0x04, sizeof(r->rsvd_0x04)); /* 0x04 reserved, KEEP */
    snp_rd_bytes(&rd, key->key, sizeof(key->key));         /* 0x20 DERIVED_KEY (secret) */

    err = snp_rd_done(&rd); /* exactly 64 bytes */
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        snp_wipe(key, sizeof(*key)); /* no half-decoded secret */
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_key_rsp_encode(uint8_t out[SNP_MSG_KEY_RSP_SIZE], const struct snp_msg_key_rsp *r,
                       const struct snp_derived_key *key)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_MSG_KEY_RSP_SIZE);
    snp_wr_u32le(&wr, r->status);                          /* 0x00 STATUS */
    snp_wr_bytes(&wr, r->rsvd_0x04, sizeof(r->rsvd_0x04)); /* 0x04 reserved */
    snp_wr_bytes(&wr, key->key, sizeof(key->key));         /* 0x20 DERIVED_KEY */
    return snp_wr_done(&wr);
}

/* ---- MSG_CPUID_REQ / RSP (§7.7) -------------------------------------------------------------- */

static const struct snp_field cpuid_req_layout[] = {
    {"COUNT", 0x00, 4, SNP_F_LE},
    {"reserved", 0x04, 4, SNP_F_MBZ},
    {"reserved", 0x08, 8, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_LE},
};

static const struct snp_field cpuid_rsp_layout[] = {
    {"STATUS", 0x00, 4, SNP_F_LE},
    {"COUNT", 0x04, 4, SNP_F_LE},
    {"reserved", 0x08, 8, SNP_F_KEEP},
    {NULL, 0, 0, SNP_F_LE},
};

#define CPUID_ENTRY_ROWS                                                                           \
    {"EAX_IN", 0x00, 4, SNP_F_LE}, {"ECX_IN", 0x04, 4, SNP_F_LE}, {"XCR0_IN", 0x08, 8, SNP_F_LE},  \
        {"XSS_IN", 0x10, 8, SNP_F_LE}, {"EAX", 0x18, 4, SNP_F_LE}, {"EBX", 0x1C, 4, SNP_F_LE},     \
        {"ECX", 0x20, 4, SNP_F_LE},                                                                \
    {                                                                                              \
        "EDX", 0x24, 4, SNP_F_LE                                                                   \
    }

static const struct snp_field cpuid_entry_req_layout[] = {
    CPUID_ENTRY_ROWS,
    {"reserved", 0x28, 8, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_LE},
};

static const struct snp_field cpuid_entry_rsp_layout[] = {
    CPUID_ENTRY_ROWS,
    {"reserved", 0x28, 8, SNP_F_KEEP},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_cpuid_req_layout(void)
{
    return cpuid_req_layout;
}

const struct snp_field *
snp_msg_cpuid_rsp_layout(void)
{
    return cpuid_rsp_layout;
}

const struct snp_field *
snp_cpuid_entry_req_layout(void)
{
    return cpuid_entry_req_layout;
}

const struct snp_field *
snp_cpuid_entry_rsp_layout(void)
{
    return cpuid_entry_rsp_layout;
}

/* One 0x30-byte entry; the reserved u64 is MBZ in a request, kept in a response. */
static void
rd_cpuid_entry(struct snp_rd *rd, struct snp_msg_cpuid_entry *e, bool request)
{
    e->eax_in = snp_rd_u32le(rd);  /* 0x00 EAX_IN */
    e->ecx_in = snp_rd_u32le(rd);  /* 0x04 ECX_IN */
    e->xcr0_in = snp_rd_u64le(rd); /* 0x08 XCR0_IN */
    e->xss_in = snp_rd_u64le(rd);  /* 0x10 XSS_IN */
    e->eax = snp_rd_u32le(rd);     /* 0x18 EAX */
    e->ebx = snp_rd_u32le(rd);     /* 0x1C EBX */
    e->ecx = snp_rd_u32le(rd);     /* 0x20 ECX */
    e->edx = snp_rd_u32le(rd);     /* 0x24 EDX */
    if (request) {
        snp_rd_mbz(rd, 8); /* 0x28 reserved, MBZ */
    } else {
        e->rsvd_0x28 = snp_rd_u64le(rd); /* 0x28 reserved, KEEP */
    }
}

static void
wr_cpuid_entry(struct snp_wr *wr, const struct snp_msg_cpuid_entry *e, bool request)
{
    snp_wr_u32le(wr, e->eax_in);                  /* 0x00 EAX_IN */
    snp_wr_u32le(wr, e->ecx_in);                  /* 0x04 ECX_IN */
    snp_wr_u64le(wr, e->xcr0_in);                 /* 0x08 XCR0_IN */
    snp_wr_u64le(wr, e->xss_in);                  /* 0x10 XSS_IN */
    snp_wr_u32le(wr, e->eax);                     /* 0x18 EAX */
    snp_wr_u32le(wr, e->ebx);                     /* 0x1C EBX */
    snp_wr_u32le(wr, e->ecx);                     /* 0x20 ECX */
    snp_wr_u32le(wr, e->edx);                     /* 0x24 EDX */
    snp_wr_u64le(wr, request ? 0 : e->rsvd_0x28); /* 0x28 reserved */
}

/* The COUNT entries; COUNT > 64 was already raised by the caller, then nothing is read. */
static void
rd_cpuid_entries(struct snp_rd *rd, uint32_t count,
                 struct snp_msg_cpuid_entry entries[SNP_MSG_CPUID_MAX], bool request)
{
    if (count > SNP_MSG_CPUID_MAX) {
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        rd_cpuid_entry(rd, &entries[i], request);
    }
}

snp_err
snp_msg_cpuid_req_decode(struct snp_msg_cpuid_req *r, const uint8_t *buf, size_t len,
                         size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_rd_init(&rd, buf, len);
    r->count = snp_rd_u32le(&rd); /* 0x00 COUNT */
    if (r->count > SNP_MSG_CPUID_MAX) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4); /* §7.7: COUNT <= 64 */
    }
    snp_rd_mbz(&rd, 4); /* 0x04 reserved, MBZ */
    snp_rd_mbz(&rd, 8); /* 0x08 reserved, MBZ */
    rd_cpuid_entries(&rd, r->count, r->entries, true);

    err = snp_rd_done(&rd); /* exactly 0x10 + COUNT * 0x30 bytes */
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_cpuid_rsp_decode(struct snp_msg_cpuid_rsp *r, const uint8_t *buf, size_t len,
                         size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_rd_init(&rd, buf, len);
    r->status = snp_rd_u32le(&rd); /* 0x00 STATUS */
    r->count = snp_rd_u32le(&rd);  /* 0x04 COUNT */
    if (r->count > SNP_MSG_CPUID_MAX) {
        snp_rd_fail(&rd, SNP_E_RANGE, 4); /* §7.7: COUNT <= 64 */
    }
    r->rsvd_0x08 = snp_rd_u64le(&rd); /* 0x08 reserved, KEEP */
    rd_cpuid_entries(&rd, r->count, r->entries, false);

    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        set_off(err_off, rd.err_off);
    }
    return err;
}

static size_t
cpuid_size(uint32_t count)
{
    return SNP_MSG_CPUID_HDR_SIZE + (size_t)count * SNP_MSG_CPUID_ENTRY_SIZE; /* count <= 64 */
}

snp_err
snp_msg_cpuid_req_encode(uint8_t *out, size_t out_size, size_t *out_len,
                         const struct snp_msg_cpuid_req *r)
{
    struct snp_wr wr;

    *out_len = 0;
    if (r->count > SNP_MSG_CPUID_MAX) {
        return SNP_E_RANGE;
    }
    if (out == NULL || out_size < cpuid_size(r->count)) {
        *out_len = cpuid_size(r->count); /* what would be needed */
        return SNP_E_SPACE;
    }
    snp_wr_init(&wr, out, cpuid_size(r->count));
    snp_wr_u32le(&wr, r->count); /* 0x00 COUNT */
    snp_wr_zero(&wr, 12);        /* 0x04 reserved */
    for (uint32_t i = 0; i < r->count; i++) {
        wr_cpuid_entry(&wr, &r->entries[i], true);
    }
    SNP_TRY(snp_wr_done(&wr));
    *out_len = cpuid_size(r->count);
    return SNP_OK;
}

snp_err
snp_msg_cpuid_rsp_encode(uint8_t *out, size_t out_size, size_t *out_len,
                         const struct snp_msg_cpuid_rsp *r)
{
    struct snp_wr wr;

    *out_len = 0;
    if (r->count > SNP_MSG_CPUID_MAX) {
        return SNP_E_RANGE;
    }
    if (out == NULL || out_size < cpuid_size(r->count)) {
        *out_len = cpuid_size(r->count); /* what would be needed */
        return SNP_E_SPACE;
    }
    snp_wr_init(&wr, out, cpuid_size(r->count));
    snp_wr_u32le(&wr, r->status);    /* 0x00 STATUS */
    snp_wr_u32le(&wr, r->count);     /* 0x04 COUNT */
    snp_wr_u64le(&wr, r->rsvd_0x08); /* 0x08 reserved */
    for (uint32_t i = 0; i < r->count; i++) {
        wr_cpuid_entry(&wr, &r->entries[i], false);
    }
    SNP_TRY(snp_wr_done(&wr));
    *out_len = cpuid_size(r->count);
    return SNP_OK;
}

/* ---- MSG_TSC_INFO_REQ / RSP (§7.7) ----------------------------------------------------------- */

static const struct snp_field tsc_info_req_layout[] = {
    {"reserved", 0x00, 128, SNP_F_MBZ},
    {NULL, 0, 0, SNP_F_LE},
};

static const struct snp_field tsc_info_rsp_layout[] = {
    {"STATUS", 0x00, 4, SNP_F_LE},
    {"reserved", 0x04, 4, SNP_F_KEEP},
    {"GUEST_TSC_SCALE", 0x08, 8, SNP_F_LE},
    {"GUEST_TSC_OFFSET", 0x10, 8, SNP_F_LE},
    {"TSC_FACTOR", 0x18, 4, SNP_F_LE},
    {"reserved", 0x1C, 100, SNP_F_KEEP},
    {NULL, 0, 0, SNP_F_LE},
};

const struct snp_field *
snp_msg_tsc_info_req_layout(void)
{
    return tsc_info_req_layout;
}

const struct snp_field *
snp_msg_tsc_info_rsp_layout(void)
{
    return tsc_info_rsp_layout;
}

snp_err
snp_msg_tsc_info_req_decode(const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    snp_rd_init(&rd, buf, len);
    snp_rd_mbz(&rd, SNP_MSG_TSC_INFO_REQ_SIZE); /* 0x00 128 bytes reserved, MBZ */
    err = snp_rd_done(&rd);
    if (err != SNP_OK) {
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_tsc_info_req_encode(uint8_t out[SNP_MSG_TSC_INFO_REQ_SIZE])
{
    memset(out, 0, SNP_MSG_TSC_INFO_REQ_SIZE);
    return SNP_OK;
}

snp_err
snp_msg_tsc_info_rsp_decode(struct snp_msg_tsc_info_rsp *r, const uint8_t *buf, size_t len,
                            size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    set_off(err_off, 0);
    memset(r, 0, sizeof(*r));
    snp_rd_init(&rd, buf, len);
    r->status = snp_rd_u32le(&rd);                         /* 0x00 STATUS */
    snp_rd_bytes(&rd, r->rsvd_0x04, sizeof(r->rsvd_0x04)); /* 0x04 reserved, KEEP */
    r->guest_tsc_scale = snp_rd_u64le(&rd);                /* 0x08 GUEST_TSC_SCALE */
    r->guest_tsc_offset = snp_rd_u64le(&rd);               /* 0x10 GUEST_TSC_OFFSET */
    r->tsc_factor = snp_rd_u32le(&rd);                     /* 0x18 TSC_FACTOR */
    snp_rd_bytes(&rd, r->rsvd_0x1c, sizeof(r->rsvd_0x1c)); /* 0x1C reserved, KEEP */

    err = snp_rd_done(&rd); /* exactly 128 bytes */
    if (err != SNP_OK) {
        memset(r, 0, sizeof(*r));
        set_off(err_off, rd.err_off);
    }
    return err;
}

snp_err
snp_msg_tsc_info_rsp_encode(uint8_t out[SNP_MSG_TSC_INFO_RSP_SIZE],
                            const struct snp_msg_tsc_info_rsp *r)
{
    struct snp_wr wr;

    snp_wr_init(&wr, out, SNP_MSG_TSC_INFO_RSP_SIZE);
    snp_wr_u32le(&wr, r->status);                          /* 0x00 STATUS */
    snp_wr_bytes(&wr, r->rsvd_0x04, sizeof(r->rsvd_0x04)); /* 0x04 reserved */
    snp_wr_u64le(&wr, r->guest_tsc_scale);                 /* 0x08 GUEST_TSC_SCALE */
    snp_wr_u64le(&wr, r->guest_tsc_offset);                /* 0x10 GUEST_TSC_OFFSET */
    snp_wr_u32le(&wr, r->tsc_factor);                      /* 0x18 TSC_FACTOR */
    snp_wr_bytes(&wr, r->rsvd_0x1c, sizeof(r->rsvd_0x1c)); /* 0x1C reserved */
    return snp_wr_done(&wr);
}
