/*
 * guest/gdev.c - the attestation driver API (snpkit/guest.h): open with explicit or
 * automatic back-end choice, argument checks, and dispatch to the back end's operations.
 *
 * Relies on the back ends (gdev_sevguest.c, gdev_tsm.c, gdev_sim.c) for the transport; what is
 * common to all of them lives here: the MSG_REPORT_RSP checks and the certificate-table length
 * rule of attestation.md §6.3. Never prints.
 */
#include "base/rd.h"
#include "guest/gdev_int.h"

#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

const char *
snp_guest_backend_name(enum snp_guest_backend b)
{
    switch (b) {
    case SNP_GUEST_BACKEND_AUTO:
        return "auto";
    case SNP_GUEST_BACKEND_SEV_GUEST:
        return "sev-guest";
    case SNP_GUEST_BACKEND_TSM:
        return "configfs-tsm";
    case SNP_GUEST_BACKEND_SIM:
        return "sim";
    }
    return "unknown";
}

void
snp_guest_dev_opts_default(struct snp_guest_dev_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->backend = SNP_GUEST_BACKEND_AUTO;
}

snp_err
snp_guest_dev_open(struct snp_guest_dev **out, const struct snp_guest_dev_opts *opts)
{
    struct snp_guest_dev_opts def;
    struct snp_guest_dev *d = NULL;
    snp_err err = SNP_E_ARG;

    if (out == NULL) {
        return SNP_E_ARG;
    }
    *out = NULL;
    if (opts == NULL) {
        snp_guest_dev_opts_default(&def);
        opts = &def;
    }
    if (opts->key_sel > SNP_KEY_SEL_VLEK) {
        return SNP_E_ARG;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return SNP_E_NOMEM;
    }
    d->fd = -1;
    d->key_sel = opts->key_sel;
    switch (opts->backend) {
    case SNP_GUEST_BACKEND_SEV_GUEST:
        d->backend = SNP_GUEST_BACKEND_SEV_GUEST;
        err = snp_gdev_sevguest_open(d, opts->dev_path);
        break;
    case SNP_GUEST_BACKEND_TSM:
        d->backend = SNP_GUEST_BACKEND_TSM;
        err = snp_gdev_tsm_open(d, opts->tsm_root);
        break;
    case SNP_GUEST_BACKEND_AUTO:
        /* The ioctl device first: it is the only Linux interface with key derivation. */
        d->backend = SNP_GUEST_BACKEND_SEV_GUEST;
        err = snp_gdev_sevguest_open(d, opts->dev_path);
        if (err == SNP_E_NOTFOUND) {
            d->backend = SNP_GUEST_BACKEND_TSM;
            err = snp_gdev_tsm_open(d, opts->tsm_root);
        }
        break;
    case SNP_GUEST_BACKEND_SIM:
        err = SNP_E_ARG; /* the guest runtime opens it (guest/gdev_sim.h) */
        break;
    }
    if (err != SNP_OK) {
        free(d);
        return err;
    }
    *out = d;
    return SNP_OK;
}

void
snp_guest_dev_close(struct snp_guest_dev *d)
{
    if (d == NULL) {
        return;
    }
    if (d->ops != NULL && d->ops->close != NULL) {
        d->ops->close(d);
    }
    free(d->path);
    free(d);
}

enum snp_guest_backend
snp_guest_dev_backend(const struct snp_guest_dev *d)
{
    return d->backend;
}

static void
status_reset(struct snp_guest_status *st)
{
    if (st != NULL) {
        st->fw_error = 0;
        st->vmm_error = 0;
    }
}

snp_err
snp_guest_dev_get_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
                         uint8_t report[SNP_REPORT_SIZE], struct snp_guest_status *st)
{
    snp_err err;

    status_reset(st);
    if (d == NULL || d->ops == NULL || report_data == NULL || report == NULL) {
        return SNP_E_ARG;
    }
    memset(report, 0, SNP_REPORT_SIZE);
    if (vmpl > SNP_MSG_VMPCK_MAX) {
        return SNP_E_ARG; /* §7.5: VMPL <= 3 */
    }
    err = d->ops->report(d, report_data, vmpl, report, NULL, 0, NULL, st);
    if (err != SNP_OK) {
        memset(report, 0, SNP_REPORT_SIZE);
    }
    return err;
}

snp_err
snp_guest_dev_get_ext_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
                             uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size,
                             size_t *certs_len, struct snp_guest_status *st)
{
    static uint8_t none[1];
    snp_err err;

    status_reset(st);
    if (d == NULL || d->ops == NULL || report_data == NULL || report == NULL || certs_len == NULL ||
        (certs == NULL && certs_size != 0)) {
        return SNP_E_ARG;
    }
    *certs_len = 0;
    memset(report, 0, SNP_REPORT_SIZE);
    if (vmpl > SNP_MSG_VMPCK_MAX) {
        return SNP_E_ARG;
    }
    /* The back ends tell "extended" from "plain" by certs != NULL. */
    err = d->ops->report(d, report_data, vmpl, report, certs != NULL ? certs : none, certs_size,
                         certs_len, st);
    if (err != SNP_OK) {
        memset(report, 0, SNP_REPORT_SIZE);
    }
    return err;
}

snp_err
snp_guest_dev_get_derived_key(struct snp_guest_dev *d, const struct snp_msg_key_req *req,
                              struct snp_derived_key *key, struct snp_guest_status *st)
{
    snp_err err;

    status_reset(st);
    if (d == NULL || d->ops == NULL || req == NULL || key == NULL) {
        return SNP_E_ARG;
    }
    snp_wipe(key, sizeof(*key));
    if (d->ops->derived_key == NULL) {
        return SNP_E_UNSUPPORTED;
    }
    if (req->vmpl > SNP_MSG_VMPCK_MAX || req->root_key_select > 1 ||
        req->key_sel > SNP_KEY_SEL_VLEK) {
        return SNP_E_ARG;
    }
    err = d->ops->derived_key(d, req, key, st);
    if (err != SNP_OK) {
        snp_wipe(key, sizeof(*key));
    }
    return err;
}

/* ---- shared by the back ends --------------------------------------------------------------- */

size_t
snp_gdev_certs_used(const uint8_t *table, size_t len)
{
    static const uint8_t zero[24];
    size_t used = 0;

    /* attestation.md §6.1: 24-byte entries {GUID, OFFSET, LENGTH} until an all-zero one. */
    for (size_t off = 0; len >= 24 && off <= len - 24; off += 24) {
        const uint8_t *e = table + off;
        uint64_t end;

        if (memcmp(e, zero, sizeof(zero)) == 0) {
            return used; /* 0: no certificates, the auxblob is empty */
        }
        end = (uint64_t)snp_le32(e + 16) + snp_le32(e + 20);
        if (end > len) {
            return len; /* malformed: keep it whole for the verifier to refuse */
        }
        if (end > used) {
            used = (size_t)end;
        }
    }
    return len; /* unterminated: kept whole, the verifier's decoder names the fault */
}

static snp_err
report_from_rsp(const uint8_t *rsp, size_t len, uint8_t report[SNP_REPORT_SIZE],
                struct snp_guest_status *st)
{
    uint32_t status;

    if (len < SNP_MSG_REPORT_RSP_SIZE) {
        return SNP_E_FORMAT;
    }
    /* §7.5 MSG_REPORT_RSP: STATUS @0x00, REPORT_SIZE @0x04 (0x4A0), report @0x20. */
    status = snp_le32(rsp);
    if (st != NULL) {
        st->fw_error = status;
    }
    if (status != SNP_FW_SUCCESS) {
        return SNP_E_STATE;
    }
    if (snp_le32(rsp + 4) != SNP_REPORT_SIZE) {
        return SNP_E_FORMAT;
    }
    memcpy(report, rsp + SNP_MSG_REPORT_RSP_OFF_REPORT, SNP_REPORT_SIZE);
    return SNP_OK;
}

snp_err
snp_gdev_ext_report_from_rsp(const uint8_t *rsp, size_t len, const uint8_t *table, size_t table_len,
                             uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size,
                             size_t *certs_len, struct snp_guest_status *st)
{
    SNP_TRY(report_from_rsp(rsp, len, report, st));
    if (certs == NULL) {
        return SNP_OK;
    }
    *certs_len = snp_gdev_certs_used(table, table_len);
    SNP_ENSURE(*certs_len <= certs_size, SNP_E_SPACE);
    memcpy(certs, table, *certs_len);
    return SNP_OK;
}
