/*
 * snpkit/guest.h - the attestation driver API a program inside an SNP guest uses: one API,
 * three back ends (docs/guest.md):
 *
 *   SNP_GUEST_BACKEND_SEV_GUEST  Linux /dev/sev-guest ioctls (attestation.md §8.2);
 *   SNP_GUEST_BACKEND_TSM        Linux configfs-tsm report directories (§8.3);
 *   SNP_GUEST_BACKEND_SIM        guest code inside a simulated CVM that builds the guest
 *                                messages itself (VMPCK from the secrets page, AES-256-GCM,
 *                                sequence numbers, §7) and sends them through the GHCB.
 *
 * A program written against this header runs unchanged on a real SNP guest and in the
 * simulator. The simulator back end is opened by the guest runtime (src/guest/, which owns the
 * simulated vCPU); this header names it but never exposes simulator types.
 *
 * Errors: SNP_E_* as documented per function. "The firmware refused" is data (STYLE.md §5.2):
 * every request call fills an optional struct snp_guest_status with the firmware status
 * (SEV_RET_*, fwstatus.h) and the VMM error the hypervisor reported, and returns SNP_E_STATE
 * when the firmware answered with a non-zero status.
 *
 * Secrets: the derived key is a struct snp_derived_key (guestmsg.h). Callers wipe it with
 * snp_wipe() after use; the driver wipes every copy it made.
 */
#ifndef SNPKIT_GUEST_H
#define SNPKIT_GUEST_H

#include "snpkit/err.h"
#include "snpkit/guestmsg.h"
#include "snpkit/report.h"

#include <stddef.h>
#include <stdint.h>

enum snp_guest_backend {
    SNP_GUEST_BACKEND_AUTO = 0,      /* open: try SEV_GUEST, then TSM */
    SNP_GUEST_BACKEND_SEV_GUEST = 1, /* /dev/sev-guest */
    SNP_GUEST_BACKEND_TSM = 2,       /* /sys/kernel/config/tsm/report */
    SNP_GUEST_BACKEND_SIM = 3,       /* the simulated CVM (opened by the guest runtime) */
};

/* "sev-guest", "configfs-tsm", "sim", "auto"; "unknown" otherwise. Never NULL. */
const char *snp_guest_backend_name(enum snp_guest_backend b);

#define SNP_GUEST_DEV_PATH_DEFAULT "/dev/sev-guest"
#define SNP_GUEST_TSM_ROOT_DEFAULT "/sys/kernel/config/tsm/report"

struct snp_guest_dev_opts {
    enum snp_guest_backend backend; /* AUTO, SEV_GUEST or TSM (SIM: see the runtime) */
    const char *dev_path;           /* NULL: SNP_GUEST_DEV_PATH_DEFAULT */
    const char *tsm_root;           /* NULL: SNP_GUEST_TSM_ROOT_DEFAULT; tests point it at an
                                       ordinary directory that imitates configfs */
    uint8_t key_sel;                /* SNP_KEY_SEL_* for reports (SIM and SEV_GUEST, where it
                                       travels in the reserved dword at 0x44; TSM ignores it) */
};

/* Defaults: AUTO, default paths, KEY_SEL 0. */
void snp_guest_dev_opts_default(struct snp_guest_dev_opts *o);

/* The hypervisor's and firmware's verdicts on the last request (both kept, STYLE.md §5.2). */
struct snp_guest_status {
    uint32_t fw_error;  /* SEV_RET_* of the guest request, or the MSG_*_RSP STATUS */
    uint32_t vmm_error; /* SNP_GUEST_VMM_ERR_*: 1 INVALID_LEN, 2 BUSY (GHCB SW_EXITINFO2[63:32]) */
};

#define SNP_GUEST_VMM_ERR_INVALID_LEN 1
#define SNP_GUEST_VMM_ERR_BUSY        2

/* Largest certificate table any back end accepts (bytes; the kernel allows 16 KiB). */
#define SNP_GUEST_CERTS_MAX (64u * 1024u)

struct snp_guest_dev;

/*
 * snp_guest_dev_open() - open a device.
 * @out:  out; NULL on failure. Close with snp_guest_dev_close().
 * @opts: NULL for the defaults. AUTO tries /dev/sev-guest (opened read-write), then the TSM
 *        root (a directory whose mkdir works). SIM is refused here (SNP_E_ARG): the guest
 *        runtime opens it.
 * Returns SNP_OK; SNP_E_NOTFOUND (no back end present); SNP_E_IO (present but not usable:
 * permissions); SNP_E_ARG; SNP_E_NOMEM.
 */
snp_err snp_guest_dev_open(struct snp_guest_dev **out, const struct snp_guest_dev_opts *opts);

/* snp_guest_dev_close() - release; NULL is a no-op. Wipes what the back end holds. */
void snp_guest_dev_close(struct snp_guest_dev *d);

/* Which back end an open device uses (never AUTO). */
enum snp_guest_backend snp_guest_dev_backend(const struct snp_guest_dev *d);

/*
 * snp_guest_dev_get_report() - MSG_REPORT_REQ (attestation.md §7.5).
 * @report_data: the 64 bytes that go to REPORT_DATA.
 * @vmpl:        the VMPL field (0..3; the firmware requires >= the VMPCK in use).
 * @report:      out, the 1184-byte ATTESTATION_REPORT as the firmware signed it (not verified
 *               here: see snpkit/verify.h). Zeroed on failure.
 * @st:          out, optional.
 * Returns SNP_OK; SNP_E_ARG (vmpl > 3); SNP_E_STATE (firmware status != 0: see st->fw_error);
 * SNP_E_IO (the kernel or hypervisor failed the request); SNP_E_FORMAT (a response that does
 * not hold a report); SIM back end also SNP_E_REPLAY / SNP_E_AUTH / SNP_E_MISMATCH /
 * SNP_E_RANGE / SNP_E_VERSION (the response failed a check: the VMPCK is now wiped and every
 * later request fails with SNP_E_STATE).
 */
snp_err snp_guest_dev_get_report(struct snp_guest_dev *d, const uint8_t report_data[64],
                                 uint32_t vmpl, uint8_t report[SNP_REPORT_SIZE],
                                 struct snp_guest_status *st);

/*
 * snp_guest_dev_get_ext_report() - the report and the certificate table the host staples
 * (attestation.md §6, SNP_GET_EXT_REPORT / auxblob / NAE 0x8000_0012).
 * @certs:      out buffer for the table bytes, truncated to the last certificate byte (the
 *              auxblob convention); may be NULL when certs_size is 0.
 * @certs_len:  out, bytes of table written (0: the host has no certificates). With
 *              SNP_E_SPACE: the size needed (retry with a larger buffer).
 * Other parameters and errors as snp_guest_dev_get_report().
 */
snp_err snp_guest_dev_get_ext_report(struct snp_guest_dev *d, const uint8_t report_data[64],
                                     uint32_t vmpl, uint8_t report[SNP_REPORT_SIZE], uint8_t *certs,
                                     size_t certs_size, size_t *certs_len,
                                     struct snp_guest_status *st);

/*
 * snp_guest_dev_get_derived_key() - MSG_KEY_REQ (attestation.md §7.6).
 * @req: the request fields; req->msg_version 1 (the Linux ABI knows only version 1).
 * @key: out, the 32-byte DERIVED_KEY: a SECRET, wiped on failure; the caller wipes it.
 * Returns as snp_guest_dev_get_report(); SNP_E_UNSUPPORTED for the TSM back end (configfs-tsm
 * has no key derivation) and for msg_version 2 on /dev/sev-guest.
 */
snp_err snp_guest_dev_get_derived_key(struct snp_guest_dev *d, const struct snp_msg_key_req *req,
                                      struct snp_derived_key *key, struct snp_guest_status *st);

#endif /* SNPKIT_GUEST_H */
