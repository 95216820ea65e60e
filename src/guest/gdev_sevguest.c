/*
 * guest/gdev_sevguest.c - the /dev/sev-guest back end (attestation.md §8.2): SNP_GET_REPORT,
 * SNP_GET_EXT_REPORT and SNP_GET_DERIVED_KEY ioctls.
 *
 * The kernel builds, encrypts and checks the guest messages (and wipes its VMPCK on failure);
 * we only lay out the ioctl buffers and interpret exitinfo2 (fw_error / vmm_error). Buffers are
 * byte arrays laid out from our own constants (sevguest_abi.h), static-asserted against the
 * system's <linux/sev-guest.h> where it exists. Never prints.
 */
#include "guest/gdev_int.h"
#include "guest/sevguest_abi.h"

#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
#include <stddef.h>
#define HAVE_LINUX_SEV_GUEST_H 1
#endif
#endif

#ifdef HAVE_LINUX_SEV_GUEST_H
/* Our transcription of §8.2 against the system header: a mismatch is a build failure. */
_Static_assert(sizeof(struct snp_guest_request_ioctl) == SNP_SG_IOCTL_SIZE, "ioctl size");
_Static_assert(offsetof(struct snp_guest_request_ioctl, msg_version) == SNP_SG_IOCTL_OFF_VERSION,
               "msg_version");
_Static_assert(offsetof(struct snp_guest_request_ioctl, req_data) == SNP_SG_IOCTL_OFF_REQ,
               "req_data");
_Static_assert(offsetof(struct snp_guest_request_ioctl, resp_data) == SNP_SG_IOCTL_OFF_RESP,
               "resp_data");
_Static_assert(offsetof(struct snp_guest_request_ioctl, exitinfo2) == SNP_SG_IOCTL_OFF_EXITINFO2,
               "exitinfo2");
_Static_assert(sizeof(struct snp_report_req) == SNP_SG_REPORT_REQ_SIZE, "report req");
_Static_assert(sizeof(struct snp_report_resp) == SNP_SG_REPORT_RESP_SIZE, "report resp");
_Static_assert(sizeof(struct snp_derived_key_req) == SNP_SG_KEY_REQ_SIZE, "key req");
_Static_assert(sizeof(struct snp_derived_key_resp) == SNP_SG_KEY_RESP_SIZE, "key resp");
_Static_assert(offsetof(struct snp_ext_report_req, certs_address) == SNP_SG_EXT_OFF_CERTS_ADDR,
               "certs_address");
_Static_assert(offsetof(struct snp_ext_report_req, certs_len) == SNP_SG_EXT_OFF_CERTS_LEN,
               "certs_len");
_Static_assert(sizeof(struct snp_ext_report_req) == SNP_SG_EXT_REQ_SIZE, "ext req");
#ifdef SNP_GET_EXT_REPORT
_Static_assert(SNP_GET_REPORT == SNP_SG_GET_REPORT, "SNP_GET_REPORT");
_Static_assert(SNP_GET_DERIVED_KEY == SNP_SG_GET_DERIVED_KEY, "SNP_GET_DERIVED_KEY");
_Static_assert(SNP_GET_EXT_REPORT == SNP_SG_GET_EXT_REPORT, "SNP_GET_EXT_REPORT");
#endif
#endif

/* The 32-byte ioctl argument, aligned for the kernel's u64 fields. */
union sg_ioctl {
    uint64_t align;
    uint8_t b[SNP_SG_IOCTL_SIZE];
};

snp_err
snp_gdev_sevguest_verdict(int rc, int errnum, uint64_t exitinfo2, struct snp_guest_status *st)
{
    uint32_t fw = (uint32_t)exitinfo2;
    uint32_t vmm = (uint32_t)(exitinfo2 >> 32);

    /* §8.2: the kernel presets exitinfo2 to 0xff (newer: SEV_RET_NO_FW_CALL, all ones) and
     * copies it back: the firmware was never reached, so there is no firmware status. */
    if (exitinfo2 == 0xff || exitinfo2 == UINT64_MAX) {
        fw = 0;
        vmm = 0;
    }
    if (st != NULL) {
        st->fw_error = fw;
        st->vmm_error = vmm;
    }
    if (rc == 0) {
        return SNP_OK;
    }
    if (vmm == SNP_GUEST_VMM_ERR_INVALID_LEN) {
        return SNP_E_SPACE; /* certs buffer too small; required size in certs_len */
    }
    if (fw != 0) {
        return SNP_E_STATE;
    }
    if (errnum == EINVAL) {
        return SNP_E_ARG;
    }
    return SNP_E_IO;
}

static int
sg_ioctl(int fd, uint32_t nr, void *req, void *resp, uint64_t *exitinfo2)
{
    union sg_ioctl io;
    uint64_t p;
    int rc;

    memset(&io, 0, sizeof(io));
    io.b[SNP_SG_IOCTL_OFF_VERSION] = 1; /* §8.2: msg_version must be non-zero */
    p = (uint64_t)(uintptr_t)req;
    memcpy(io.b + SNP_SG_IOCTL_OFF_REQ, &p, 8); /* native order: the kernel reads a __u64 */
    p = (uint64_t)(uintptr_t)resp;
    memcpy(io.b + SNP_SG_IOCTL_OFF_RESP, &p, 8);
    do {
        rc = ioctl(fd, (unsigned long)nr, &io);
    } while (rc != 0 && errno == EINTR);
    memcpy(exitinfo2, io.b + SNP_SG_IOCTL_OFF_EXITINFO2, 8);
    return rc;
}

static snp_err
sg_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
          uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size, size_t *certs_len,
          struct snp_guest_status *st)
{
    union {
        uint64_t align;
        uint8_t b[SNP_SG_EXT_REQ_SIZE];
    } req;
    struct snp_msg_report_req r;
    uint8_t *resp = NULL, *buf = NULL;
    size_t buf_len = SNP_SG_CERTS_DEFAULT;
    uint64_t exitinfo2 = 0;
    snp_err err;

    memset(&req, 0, sizeof(req));
    memset(&r, 0, sizeof(r));
    memcpy(r.report_data, report_data, 64);
    r.vmpl = vmpl;
    r.key_sel = d->key_sel; /* §7.5: the kernel copies the 96 bytes verbatim, KEY_SEL included */
    SNP_TRY(snp_msg_report_req_encode(req.b, &r));
    resp = calloc(1, SNP_SG_REPORT_RESP_SIZE);
    if (resp == NULL) {
        return SNP_E_NOMEM;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (certs != NULL) {
            uint64_t addr;
            uint32_t len32 = (uint32_t)buf_len;
            free(buf);
            buf = calloc(1, buf_len);
            if (buf == NULL) {
                err = SNP_E_NOMEM;
                goto out;
            }
            addr = (uint64_t)(uintptr_t)buf;
            memcpy(req.b + SNP_SG_EXT_OFF_CERTS_ADDR, &addr, 8);
            memcpy(req.b + SNP_SG_EXT_OFF_CERTS_LEN, &len32, 4);
        }
        err = snp_gdev_sevguest_verdict(
            sg_ioctl(d->fd, certs != NULL ? SNP_SG_GET_EXT_REPORT : SNP_SG_GET_REPORT, req.b, resp,
                     &exitinfo2),
            errno, exitinfo2, st);
        if (err != SNP_E_SPACE || certs == NULL) {
            break;
        }
        /* §8.2 INVALID_LEN: the kernel wrote the size it needs into certs_len (and already
         * resent the message as a plain request, so the sequence numbers stayed in step).
         * One retry with that size, bounded by what we accept at all. */
        uint32_t need;
        memcpy(&need, req.b + SNP_SG_EXT_OFF_CERTS_LEN, 4);
        if (need <= buf_len || need > SNP_GUEST_CERTS_MAX || need % 4096 != 0) {
            err = SNP_E_IO; /* a size that cannot be right */
            break;
        }
        buf_len = need;
    }
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_gdev_ext_report_from_rsp(resp, SNP_SG_REPORT_RESP_SIZE, buf, buf_len, report, certs,
                                       certs_size, certs_len, st);
out:
    free(buf);
    free(resp);
    return err;
}

static snp_err
sg_derived_key(struct snp_guest_dev *d, const struct snp_msg_key_req *k,
               struct snp_derived_key *key, struct snp_guest_status *st)
{
    union {
        uint64_t align;
        uint8_t b[SNP_SG_KEY_REQ_SIZE];
    } req;
    union {
        uint64_t align;
        uint8_t b[SNP_SG_KEY_RESP_SIZE];
    } resp;
    struct snp_msg_key_rsp r;
    uint64_t exitinfo2 = 0;
    size_t len = 0;
    snp_err err;

    if (k->msg_version != 1) {
        return SNP_E_UNSUPPORTED; /* the uapi request is the 32-byte version 1 layout */
    }
    memset(&resp, 0, sizeof(resp));
    SNP_TRY(snp_msg_key_req_encode(req.b, sizeof(req.b), &len, k));
    err = snp_gdev_sevguest_verdict(
        sg_ioctl(d->fd, SNP_SG_GET_DERIVED_KEY, req.b, resp.b, &exitinfo2), errno, exitinfo2, st);
    if (err != SNP_OK) {
        goto out;
    }
    err = snp_msg_key_rsp_decode(&r, key, resp.b, sizeof(resp.b), NULL);
    if (err != SNP_OK) {
        goto out;
    }
    if (st != NULL) {
        st->fw_error = r.status;
    }
    if (r.status != SNP_FW_SUCCESS) {
        err = SNP_E_STATE;
    }
out:
    snp_wipe(&resp, sizeof(resp)); /* held the key */
    return err;
}

static void
sg_close(struct snp_guest_dev *d)
{
    if (d->fd >= 0) {
        (void)close(d->fd);
        d->fd = -1;
    }
}

static const struct gdev_ops sg_ops = {sg_report, sg_derived_key, sg_close};

snp_err
snp_gdev_sevguest_open(struct snp_guest_dev *d, const char *path)
{
    int fd;

    if (path == NULL) {
        path = SNP_GUEST_DEV_PATH_DEFAULT;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT || errno == ENOTDIR ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    d->fd = fd;
    d->ops = &sg_ops;
    return SNP_OK;
}
