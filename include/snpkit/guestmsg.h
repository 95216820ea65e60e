/*
 * snpkit/guestmsg.h - the guest <-> PSP message protocol of SNP_GUEST_REQUEST
 * (attestation.md §7, hardware.md §5.9): the 0x60-byte message header, its AEAD inputs, the
 * message types, and the plaintext payloads.
 *
 * Reserved-byte policy (STYLE.md §7.4):
 *   - the header and the *request* payloads are firmware inputs: reserved bytes and reserved
 *     bits are MBZ, rejected with SNP_E_RESERVED at the offending byte and not stored;
 *   - the *response* payloads are observed by the guest: reserved bytes are KEEP (stored in
 *     rsvd_0x.. fields and written back), so encode(decode(x)) == x.
 * The header is MBZ in both directions: the firmware builds response headers from zero.
 *
 * Decoders check layout and reserved bytes only; snp_msg_hdr_check_request() and
 * snp_msg_hdr_check_response() are the protocol rules. Encoders write whatever the struct holds
 * (an attack scenario may need a request the firmware must refuse) and fail only when a value
 * cannot be represented on the wire.
 *
 * Payload lengths here are *plaintext* lengths; the ciphertext that follows the header has the
 * same length (AES-GCM, §7.2), the tag lives in the header.
 */
#ifndef SNPKIT_GUESTMSG_H
#define SNPKIT_GUESTMSG_H

#include "snpkit/err.h"
#include "snpkit/layout.h"
#include "snpkit/report.h"

#include <stddef.h>
#include <stdint.h>

/* ---- message types (§7.4) ----------------------------------------------------------------- */

enum snp_msg_type {
    SNP_MSG_TYPE_INVALID = 0,
    SNP_MSG_CPUID_REQ = 1,
    SNP_MSG_CPUID_RSP = 2,
    SNP_MSG_KEY_REQ = 3,
    SNP_MSG_KEY_RSP = 4,
    SNP_MSG_REPORT_REQ = 5,
    SNP_MSG_REPORT_RSP = 6,
    SNP_MSG_EXPORT_REQ = 7,
    SNP_MSG_EXPORT_RSP = 8,
    SNP_MSG_IMPORT_REQ = 9,
    SNP_MSG_IMPORT_RSP = 10,
    SNP_MSG_ABSORB_REQ = 11,
    SNP_MSG_ABSORB_RSP = 12,
    SNP_MSG_VMRK_REQ = 13,
    SNP_MSG_VMRK_RSP = 14,
    SNP_MSG_ABSORB_NOMA_REQ = 15,
    SNP_MSG_ABSORB_NOMA_RSP = 16,
    SNP_MSG_TSC_INFO_REQ = 17,
    SNP_MSG_TSC_INFO_RSP = 18,
};
#define SNP_MSG_TYPE_MAX SNP_MSG_TSC_INFO_RSP

/* The spec's name ("MSG_REPORT_REQ"); "INVALID" for 0, "UNKNOWN" above 18. Never NULL. */
const char *snp_msg_type_name(uint8_t type);

/*
 * snp_msg_type_max_version() - the highest MSG_VERSION of a type: 2 for MSG_KEY_REQ/RSP (ABI
 * 1.58, §7.6), 1 for every other known type, 0 for 0 and unknown types.
 */
uint8_t snp_msg_type_max_version(uint8_t type);

/*
 * snp_msg_payload_size() - the plaintext payload size of a fixed-size message at a version:
 * REPORT_REQ 96, REPORT_RSP 0x4C0, KEY_REQ 32 (v1) / 40 (v2), KEY_RSP 64, TSC_INFO_REQ/RSP 128.
 * 0 for variable-size (CPUID), unmodelled (EXPORT, IMPORT, ABSORB, VMRK) or invalid pairs.
 */
size_t snp_msg_payload_size(uint8_t type, uint8_t version);

/* ---- the header (§7.1) -------------------------------------------------------------------- */

#define SNP_MSG_HDR_SIZE         0x60
#define SNP_MSG_PAGE_SIZE        4096 /* header + payload fit one 4 KiB page (§7.1) */
#define SNP_MSG_PAYLOAD_MAX      (SNP_MSG_PAGE_SIZE - SNP_MSG_HDR_SIZE) /* 4000 */
#define SNP_MSG_AUTHTAG_SIZE     32 /* field size; AES-256-GCM uses the first 16 bytes */
#define SNP_MSG_TAG_LEN          16
#define SNP_MSG_ALGO_AES_256_GCM 1 /* ALGO; 0 is invalid */
#define SNP_MSG_HDR_VERSION      1
#define SNP_MSG_VMPCK_MAX        3

#define SNP_MSG_HDR_OFF_AUTHTAG     0x00
#define SNP_MSG_HDR_OFF_MSG_SEQNO   0x20
#define SNP_MSG_HDR_OFF_ALGO        0x30
#define SNP_MSG_HDR_OFF_HDR_VERSION 0x31
#define SNP_MSG_HDR_OFF_HDR_SIZE    0x32
#define SNP_MSG_HDR_OFF_MSG_TYPE    0x34
#define SNP_MSG_HDR_OFF_MSG_VERSION 0x35
#define SNP_MSG_HDR_OFF_MSG_SIZE    0x36
#define SNP_MSG_HDR_OFF_MSG_VMPCK   0x3C

struct snp_msg_hdr {
    uint8_t authtag[SNP_MSG_AUTHTAG_SIZE]; /* 0x00 AUTHTAG: GCM tag in bytes 0..15 */
    uint64_t msg_seqno;                    /* 0x20 MSG_SEQNO */
                                           /* 0x28 8 bytes reserved, MBZ */
    uint8_t algo;                          /* 0x30 ALGO, 1 = AES-256-GCM */
    uint8_t hdr_version;                   /* 0x31 HDR_VERSION, 1 */
    uint16_t hdr_size;                     /* 0x32 HDR_SIZE, 0x60 */
    uint8_t msg_type;                      /* 0x34 MSG_TYPE, enum snp_msg_type */
    uint8_t msg_version;                   /* 0x35 MSG_VERSION */
    uint16_t msg_size;                     /* 0x36 MSG_SIZE, payload bytes */
                                           /* 0x38 4 bytes reserved, MBZ */
    uint8_t msg_vmpck;                     /* 0x3C MSG_VMPCK, 0..3 */
                                           /* 0x3D 35 bytes reserved, MBZ */
};

/*
 * snp_msg_hdr_decode() - decode the 0x60-byte header.
 * @h:       out; always overwritten, zeroed on failure.
 * @len:     MUST equal SNP_MSG_HDR_SIZE (pass the header, not the whole message).
 * @err_off: out, optional.
 * AUTHTAG is kept whole (32 bytes) and not checked: bytes 16..31 are zero in practice, but §7.1
 * does not say the firmware checks them.
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RESERVED (err_off at the byte).
 */
snp_err snp_msg_hdr_decode(struct snp_msg_hdr *h, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_msg_hdr_encode() - the exact inverse; reserved bytes written as zero. */
snp_err snp_msg_hdr_encode(uint8_t out[SNP_MSG_HDR_SIZE], const struct snp_msg_hdr *h);

/* The layout table of the header. */
const struct snp_field *snp_msg_hdr_layout(void);

/*
 * snp_msg_hdr_check_request() - the firmware's request-header checks (§7.3 "FW-side request
 * validation"), in its order, after the decoder's reserved-byte checks:
 *   HDR_VERSION == 1                          else SNP_E_VERSION  (err_off 0x31)
 *   HDR_SIZE == 0x60                          else SNP_E_RANGE    (0x32)
 *   ALGO == 1                                 else SNP_E_RANGE    (0x30)
 *   MSG_SIZE != 0, a multiple of 16, and
 *   header + payload within one 4 KiB page    else SNP_E_RANGE    (0x36)
 *   MSG_VMPCK <= 3                            else SNP_E_RANGE    (0x3C)
 *   MSG_TYPE a known request type (odd 1..17) else SNP_E_RANGE    (0x34)
 *   1 <= MSG_VERSION <= max for the type      else SNP_E_VERSION  (0x35)
 * The type is checked before the version (the spec lists them the other way round) so that an
 * unknown type is reported as such rather than as a bad version; all of them map to the
 * firmware's INVALID_PARAM.
 * XXX(h2, §11): a MSG_KEY_REQ version 2 payload is 40 bytes, not a multiple of 16. As decided for
 * the simulator, MSG_SIZE 40 is accepted for MSG_KEY_REQ at MSG_VERSION 2 (besides multiples of
 * 16, e.g. 32); no other exception.
 * Does not check MSG_SEQNO (that needs the firmware's counter: AEAD_OFLOW, §7.3).
 */
snp_err snp_msg_hdr_check_request(const struct snp_msg_hdr *h, size_t *err_off);

/*
 * snp_msg_hdr_check_response() - the guest's checks of a response header against its request
 * (§7.3 "Guest response checks", Linux and coconut-svsm), before decrypting:
 *   ALGO == 1 (SNP_E_RANGE, 0x30), HDR_VERSION == 1 (SNP_E_VERSION, 0x31), HDR_SIZE == 0x60
 *   (SNP_E_RANGE, 0x32); MSG_SEQNO == request + 1 (SNP_E_REPLAY, 0x20; also when the request's
 *   seqno has no successor); MSG_TYPE == request + 1 (SNP_E_MISMATCH, 0x34); MSG_VERSION ==
 *   request's (SNP_E_MISMATCH, 0x35); MSG_VMPCK == request's (SNP_E_MISMATCH, 0x3C); MSG_SIZE
 *   non-zero and within the page (SNP_E_RANGE, 0x36).
 * XXX(h2): §7.9 says the firmware answers with the highest MSG_VERSION it supports for the type;
 * Linux requires the request's version. We follow Linux (the two agree while the guest asks for
 * the highest version).
 * On SNP_E_REPLAY the guest must stop using that VMPCK (STYLE.md §8).
 */
snp_err snp_msg_hdr_check_response(const struct snp_msg_hdr *rsp, const struct snp_msg_hdr *req,
                                   size_t *err_off);

/* ---- AEAD inputs (§7.2) ------------------------------------------------------------------- */

#define SNP_MSG_IV_LEN  12
#define SNP_MSG_AAD_OFF 0x30 /* AAD = header bytes 0x30..0x60: ALGO through the last reserved */
#define SNP_MSG_AAD_LEN 48

/* snp_msg_iv() - the 12-byte IV: MSG_SEQNO little-endian in bytes 0..7, bytes 8..11 zero. */
void snp_msg_iv(uint8_t iv[SNP_MSG_IV_LEN], uint64_t seqno);

/*
 * snp_msg_hdr_aad() - the AAD of an encoded header: a pointer to hdr + 0x30, SNP_MSG_AAD_LEN
 * bytes. Authenticate the header bytes as received or as encoded, never a re-encoding.
 */
const uint8_t *snp_msg_hdr_aad(const uint8_t hdr[SNP_MSG_HDR_SIZE]);

/* ---- KEY_SEL / ROOT_KEY_SELECT values (§7.5, §7.6) ----------------------------------------- */

#define SNP_KEY_SEL_DEFAULT  0 /* VLEK if installed, else VCEK */
#define SNP_KEY_SEL_VCEK     1
#define SNP_KEY_SEL_VLEK     2
#define SNP_KEY_SEL_RESERVED 3 /* refused by the request decoders (SNP_E_RANGE) */

#define SNP_ROOT_KEY_CHIP 0 /* VCEK/VLEK */
#define SNP_ROOT_KEY_VMRK 1

/* ---- MSG_REPORT_REQ (§7.5, 96 bytes, MBZ) ------------------------------------------------- */

#define SNP_MSG_REPORT_REQ_SIZE 96

struct snp_msg_report_req {
    uint8_t report_data[64]; /* 0x00 REPORT_DATA */
    uint32_t vmpl;           /* 0x40 VMPL: >= MSG_VMPCK and <= 3 (checked by the firmware) */
    uint8_t key_sel;         /* 0x44 bits 1:0 KEY_SEL; bits 31:2 MBZ */
                             /* 0x48 24 bytes reserved, MBZ */
};

/*
 * snp_msg_report_req_decode() - @len MUST be 96. Returns SNP_OK; SNP_E_TRUNCATED /
 * SNP_E_TRAILING; SNP_E_RESERVED (bits 31:2 of 0x44 or bytes 0x48..0x60, err_off at the byte);
 * SNP_E_RANGE (KEY_SEL 3, err_off 0x44). VMPL is not checked (needs MSG_VMPCK).
 */
snp_err snp_msg_report_req_decode(struct snp_msg_report_req *r, const uint8_t *buf, size_t len,
                                  size_t *err_off);
/* Returns SNP_OK, or SNP_E_RANGE when key_sel > 3 (it has two bits). */
snp_err snp_msg_report_req_encode(uint8_t out[SNP_MSG_REPORT_REQ_SIZE],
                                  const struct snp_msg_report_req *r);
const struct snp_field *snp_msg_report_req_layout(void);

/* ---- MSG_REPORT_RSP (§7.5, 0x4C0 bytes, KEEP) --------------------------------------------- */

#define SNP_MSG_REPORT_RSP_SIZE       0x4C0
#define SNP_MSG_REPORT_RSP_OFF_REPORT 0x20

struct snp_msg_report_rsp {
    uint32_t status;                 /* 0x00 STATUS: enum snp_fw_status (0, 0x16, 0x27) */
    uint32_t report_size;            /* 0x04 REPORT_SIZE, 0x4A0 */
    uint8_t rsvd_0x08[24];           /* 0x08 reserved, KEEP */
    uint8_t report[SNP_REPORT_SIZE]; /* 0x20 ATTESTATION_REPORT, as received */
};

/*
 * snp_msg_report_rsp_decode() - @len MUST be 0x4C0. The Linux SNP_GET_REPORT ioctl hands back a
 * 4000-byte buffer (the page minus the header): pass its first SNP_MSG_REPORT_RSP_SIZE bytes.
 * Layout only: STATUS, REPORT_SIZE and the report are not interpreted (see below).
 * Returns SNP_OK, SNP_E_TRUNCATED or SNP_E_TRAILING.
 */
snp_err snp_msg_report_rsp_decode(struct snp_msg_report_rsp *r, const uint8_t *buf, size_t len,
                                  size_t *err_off);
snp_err snp_msg_report_rsp_encode(uint8_t out[SNP_MSG_REPORT_RSP_SIZE],
                                  const struct snp_msg_report_rsp *r);
const struct snp_field *snp_msg_report_rsp_layout(void);

/*
 * snp_msg_report_rsp_report() - decode the embedded report with snp_report_decode().
 * Returns SNP_E_STATE when STATUS is not SUCCESS (there is no report: check status first);
 * SNP_E_RANGE (err_off 0x04) when REPORT_SIZE != 0x4A0; otherwise snp_report_decode()'s result,
 * with err_off relative to the response (report offset + 0x20).
 */
snp_err snp_msg_report_rsp_report(struct snp_report *out, const struct snp_msg_report_rsp *r,
                                  size_t *err_off);

/* ---- MSG_KEY_REQ (§7.6, 32 bytes v1 / 40 bytes v2, MBZ) ----------------------------------- */

#define SNP_MSG_KEY_REQ_V1_SIZE 32
#define SNP_MSG_KEY_REQ_V2_SIZE 40

/* GUEST_FIELD_SELECT bits (§7.6): which launch values are mixed into the derived key. */
#define SNP_GFS_GUEST_POLICY      (UINT64_C(1) << 0)
#define SNP_GFS_IMAGE_ID          (UINT64_C(1) << 1)
#define SNP_GFS_FAMILY_ID         (UINT64_C(1) << 2)
#define SNP_GFS_MEASUREMENT       (UINT64_C(1) << 3)
#define SNP_GFS_GUEST_SVN         (UINT64_C(1) << 4)
#define SNP_GFS_TCB_VERSION       (UINT64_C(1) << 5)
#define SNP_GFS_LAUNCH_MIT_VECTOR (UINT64_C(1) << 6) /* version 2 only */
#define SNP_GFS_V1_MASK           UINT64_C(0x3f)     /* defined bits at MSG_VERSION 1 */
#define SNP_GFS_V2_MASK           UINT64_C(0x7f)     /* at MSG_VERSION 2; 63:7 MBZ */

struct snp_msg_key_req {
    uint8_t msg_version;         /* not on the wire: the header's MSG_VERSION, 1 or 2 */
    uint8_t root_key_select;     /* 0x00 bit 0 ROOT_KEY_SELECT: SNP_ROOT_KEY_* */
    uint8_t key_sel;             /* 0x00 bits 2:1 KEY_SEL (used when ROOT_KEY_SELECT = 0) */
                                 /* 0x00 bits 31:3 MBZ; 0x04 4 bytes reserved, MBZ */
    uint64_t guest_field_select; /* 0x08 GUEST_FIELD_SELECT: SNP_GFS_* */
    uint32_t vmpl;               /* 0x10 VMPL to mix, >= MSG_VMPCK */
    uint32_t guest_svn;          /* 0x14 GUEST_SVN to mix, <= ID block GUEST_SVN */
    uint64_t tcb_version;        /* 0x18 TCB_VERSION to mix, <= COMMITTED_TCB */
    uint64_t launch_mit_vector;  /* 0x20 LAUNCH_MIT_VECTOR (version 2 only; 0 at version 1) */
};

/*
 * snp_msg_key_req_decode() - decode at MSG_VERSION @msg_version (1: @len MUST be 32; 2: 40).
 * XXX(h2): at version 1, GUEST_FIELD_SELECT bit 6 (LAUNCH_MIT_VECTOR) is treated as reserved:
 * there is no field to mix.
 * Returns SNP_OK; SNP_E_VERSION (msg_version not 1 or 2, err_off 0); SNP_E_TRUNCATED /
 * SNP_E_TRAILING; SNP_E_RESERVED (bits 31:3 of 0x00, 0x04..0x08, GUEST_FIELD_SELECT reserved
 * bits; err_off at the byte); SNP_E_RANGE (KEY_SEL 3, err_off 0x00). VMPL, GUEST_SVN and
 * TCB_VERSION are the firmware's to check.
 */
snp_err snp_msg_key_req_decode(struct snp_msg_key_req *k, uint8_t msg_version, const uint8_t *buf,
                               size_t len, size_t *err_off);

/*
 * snp_msg_key_req_encode() - writes 32 or 40 bytes per k->msg_version; *out_len receives the
 * size (with SNP_E_SPACE: the size needed; 0 on other errors). Returns SNP_OK; SNP_E_VERSION
 * (msg_version not 1 or 2); SNP_E_SPACE (out_size too small); SNP_E_RANGE (root_key_select > 1,
 * key_sel > 3, or a non-zero launch_mit_vector at version 1: values the wire cannot carry).
 */
snp_err snp_msg_key_req_encode(uint8_t *out, size_t out_size, size_t *out_len,
                               const struct snp_msg_key_req *k);

/* The layout table at MSG_VERSION 1 or 2; NULL otherwise. */
const struct snp_field *snp_msg_key_req_layout(uint8_t msg_version);

/* ---- MSG_KEY_RSP (§7.6, 64 bytes, KEEP) --------------------------------------------------- */

#define SNP_MSG_KEY_RSP_SIZE    64
#define SNP_DERIVED_KEY_SIZE    32
#define SNP_MSG_KEY_RSP_OFF_KEY 0x20

/*
 * The derived key is a SECRET (STYLE.md §8): it lives in its own type, never in a struct that is
 * printed or serialised, and whoever holds one wipes it with snp_wipe(k, sizeof(*k)) on every
 * path. The decoder wipes it itself when it fails.
 */
struct snp_derived_key {
    uint8_t key[SNP_DERIVED_KEY_SIZE];
};

struct snp_msg_key_rsp {
    uint32_t status;       /* 0x00 STATUS: enum snp_fw_status (0, 0x16, 0x27) */
    uint8_t rsvd_0x04[28]; /* 0x04 reserved, KEEP */
                           /* 0x20 DERIVED_KEY[32]: in struct snp_derived_key */
};

/*
 * snp_msg_key_rsp_decode() - split a 64-byte MSG_KEY_RSP into its public part and the key.
 * @r:   out, status and reserved bytes; zeroed on failure.
 * @key: out, the DERIVED_KEY; wiped on failure. The caller wipes it after use. Meaningful only
 *       when r->status is SUCCESS (the key bytes are not checked either way).
 * @buf: the decrypted payload: a secret too, wiping it is the caller's business.
 * Returns SNP_OK, SNP_E_TRUNCATED or SNP_E_TRAILING.
 */
snp_err snp_msg_key_rsp_decode(struct snp_msg_key_rsp *r, struct snp_derived_key *key,
                               const uint8_t *buf, size_t len, size_t *err_off);
/* The inverse (firmware model): out holds the key afterwards, so wipe it when done. */
snp_err snp_msg_key_rsp_encode(uint8_t out[SNP_MSG_KEY_RSP_SIZE], const struct snp_msg_key_rsp *r,
                               const struct snp_derived_key *key);
const struct snp_field *snp_msg_key_rsp_layout(void);

/* ---- MSG_CPUID_REQ / MSG_CPUID_RSP (§7.7; hardware.md §9) --------------------------------- */

#define SNP_MSG_CPUID_MAX        64   /* COUNT <= 64 */
#define SNP_MSG_CPUID_HDR_SIZE   0x10 /* fixed part before the entries */
#define SNP_MSG_CPUID_ENTRY_SIZE 0x30
#define SNP_MSG_CPUID_MAX_SIZE                                                                     \
    (SNP_MSG_CPUID_HDR_SIZE + SNP_MSG_CPUID_MAX * SNP_MSG_CPUID_ENTRY_SIZE)

struct snp_msg_cpuid_entry {
    uint32_t eax_in;    /* 0x00 EAX_IN (leaf) */
    uint32_t ecx_in;    /* 0x04 ECX_IN (subleaf) */
    uint64_t xcr0_in;   /* 0x08 XCR0_IN */
    uint64_t xss_in;    /* 0x10 XSS_IN */
    uint32_t eax;       /* 0x18 EAX */
    uint32_t ebx;       /* 0x1C EBX */
    uint32_t ecx;       /* 0x20 ECX */
    uint32_t edx;       /* 0x24 EDX */
    uint64_t rsvd_0x28; /* 0x28 reserved: MBZ in a request (not written), KEEP in a response */
};

struct snp_msg_cpuid_req {
    uint32_t count;                                        /* 0x00 COUNT, <= 64 */
                                                           /* 0x04 u32 and 0x08 u64 reserved, MBZ */
    struct snp_msg_cpuid_entry entries[SNP_MSG_CPUID_MAX]; /* 0x10 entries[COUNT]; rest zero */
};

struct snp_msg_cpuid_rsp {
    uint32_t status;                                       /* 0x00 STATUS */
    uint32_t count;                                        /* 0x04 COUNT, <= 64 */
    uint64_t rsvd_0x08;                                    /* 0x08 reserved, KEEP */
    struct snp_msg_cpuid_entry entries[SNP_MSG_CPUID_MAX]; /* 0x10 sanitised entries[COUNT] */
};

/*
 * snp_msg_cpuid_req_decode() - @len MUST be 0x10 + COUNT * 0x30.
 * XXX(h2): §7.7 gives entries[COUNT]; a firmware that takes a fixed 64-entry buffer would see
 * a longer MSG_SIZE. We accept the exact size only (SNP_E_TRAILING otherwise).
 * Returns SNP_OK; SNP_E_TRUNCATED / SNP_E_TRAILING; SNP_E_RANGE (COUNT > 64, err_off 0x00);
 * SNP_E_RESERVED (header or entry reserved byte, err_off at it).
 */
snp_err snp_msg_cpuid_req_decode(struct snp_msg_cpuid_req *r, const uint8_t *buf, size_t len,
                                 size_t *err_off);
/* Writes 0x10 + count * 0x30 bytes (*out_len; the size needed with SNP_E_SPACE).
 * SNP_E_RANGE if count > 64 (the wire format's limit); SNP_E_SPACE. */
snp_err snp_msg_cpuid_req_encode(uint8_t *out, size_t out_size, size_t *out_len,
                                 const struct snp_msg_cpuid_req *r);

/* The same for the response (COUNT at 0x04, err_off 0x04 when > 64; reserved bytes KEEP). */
snp_err snp_msg_cpuid_rsp_decode(struct snp_msg_cpuid_rsp *r, const uint8_t *buf, size_t len,
                                 size_t *err_off);
snp_err snp_msg_cpuid_rsp_encode(uint8_t *out, size_t out_size, size_t *out_len,
                                 const struct snp_msg_cpuid_rsp *r);

/* Layout tables: the fixed 0x10-byte parts, and one 0x30-byte entry (reserved row MBZ in a
 * request, KEEP in a response). */
const struct snp_field *snp_msg_cpuid_req_layout(void);
const struct snp_field *snp_msg_cpuid_rsp_layout(void);
const struct snp_field *snp_cpuid_entry_req_layout(void);
const struct snp_field *snp_cpuid_entry_rsp_layout(void);

/* ---- MSG_TSC_INFO_REQ / MSG_TSC_INFO_RSP (§7.7, 128 bytes each) --------------------------- */

#define SNP_MSG_TSC_INFO_REQ_SIZE 128
#define SNP_MSG_TSC_INFO_RSP_SIZE 128

/* The request is 128 reserved bytes: decode only checks them (SNP_E_RESERVED), encode zeroes. */
snp_err snp_msg_tsc_info_req_decode(const uint8_t *buf, size_t len, size_t *err_off);
snp_err snp_msg_tsc_info_req_encode(uint8_t out[SNP_MSG_TSC_INFO_REQ_SIZE]);
const struct snp_field *snp_msg_tsc_info_req_layout(void);

struct snp_msg_tsc_info_rsp {
    uint32_t status;           /* 0x00 STATUS */
    uint8_t rsvd_0x04[4];      /* 0x04 reserved, KEEP */
    uint64_t guest_tsc_scale;  /* 0x08 GUEST_TSC_SCALE */
    uint64_t guest_tsc_offset; /* 0x10 GUEST_TSC_OFFSET */
    uint32_t tsc_factor;       /* 0x18 TSC_FACTOR */
    uint8_t rsvd_0x1c[100];    /* 0x1C reserved, KEEP */
};

snp_err snp_msg_tsc_info_rsp_decode(struct snp_msg_tsc_info_rsp *r, const uint8_t *buf, size_t len,
                                    size_t *err_off);
snp_err snp_msg_tsc_info_rsp_encode(uint8_t out[SNP_MSG_TSC_INFO_RSP_SIZE],
                                    const struct snp_msg_tsc_info_rsp *r);
const struct snp_field *snp_msg_tsc_info_rsp_layout(void);

#endif /* SNPKIT_GUESTMSG_H */
