/*
 * guest/gdev_int.h - inside the attestation driver: the back-end operations table behind
 * struct snp_guest_dev (snpkit/guest.h). Shared by gdev.c and the three back ends only.
 */
#ifndef SNP_GUEST_GDEV_INT_H
#define SNP_GUEST_GDEV_INT_H

#include "base/compiler.h"
#include "snpkit/guest.h"

#include <stddef.h>
#include <stdint.h>

struct snp_guest_dev;

struct gdev_ops {
    /* report: certs == NULL means a plain report; otherwise the table goes to certs
     * (certs_size bytes), *certs_len as in snp_guest_dev_get_ext_report(). */
    snp_err (*report)(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
                      uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size,
                      size_t *certs_len, struct snp_guest_status *st);
    snp_err (*derived_key)(struct snp_guest_dev *d, const struct snp_msg_key_req *req,
                           struct snp_derived_key *key, struct snp_guest_status *st);
    void (*close)(struct snp_guest_dev *d);
};

struct snp_guest_dev {
    enum snp_guest_backend backend;
    const struct gdev_ops *ops;
    uint8_t key_sel;
    int fd;     /* SEV_GUEST: the open device */
    char *path; /* TSM: the report root (malloc'd) */
    void *priv; /* SIM: the back end's context (not owned unless ops->close frees it) */
};

/* Back-end constructors: fill @d (already zeroed, backend/key_sel set). */
SNP_MUST_CHECK snp_err snp_gdev_sevguest_open(struct snp_guest_dev *d, const char *path);
SNP_MUST_CHECK snp_err snp_gdev_tsm_open(struct snp_guest_dev *d, const char *root);

/* snp_gdev_certs_used() - the length of a certificate table up to its last certificate byte
 * (the auxblob convention, attestation.md §6.3); 0 for an empty or malformed table. */
size_t snp_gdev_certs_used(const uint8_t *table, size_t len);

/* The MSG_REPORT_RSP payload -> the report (checking STATUS and REPORT_SIZE), and (when @certs
 * is not NULL) the used part (snp_gdev_certs_used) of the certificate table @table copied to
 * @certs: *certs_len is what it needs, SNP_E_SPACE when that exceeds @certs_size. */
SNP_MUST_CHECK snp_err snp_gdev_ext_report_from_rsp(const uint8_t *rsp, size_t len,
                                                    const uint8_t *table, size_t table_len,
                                                    uint8_t report[SNP_REPORT_SIZE], uint8_t *certs,
                                                    size_t certs_size, size_t *certs_len,
                                                    struct snp_guest_status *st);

#endif /* SNP_GUEST_GDEV_INT_H */
