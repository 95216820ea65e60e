/*
 * guest/tsm.h - test seam of the configfs-tsm back end. Real configfs creates a report
 * directory's attribute files on mkdir and bumps "generation" on every write; an ordinary
 * directory does neither, so a test that imitates configfs installs these hooks to do it.
 */
#ifndef SNP_GUEST_TSM_H
#define SNP_GUEST_TSM_H

#include "snpkit/guest.h"

struct snp_gdev_tsm_hooks {
    /* after mkdir of the report directory @dir: create the attribute files */
    void (*after_mkdir)(const char *dir, void *arg);
    /* after a write to attribute @attr (inblob, privlevel): bump generation as configfs does */
    void (*after_write)(const char *dir, const char *attr, void *arg);
    void *arg;
};

/* Install hooks on an open TSM device (NULL removes them). SNP_E_ARG for another back end. */
snp_err snp_gdev_tsm_set_hooks(struct snp_guest_dev *d, const struct snp_gdev_tsm_hooks *h);

/* How many times a report is retried when "generation" shows a concurrent writer. */
#define SNP_GDEV_TSM_RETRIES 3

/* errno of an outblob/auxblob read -> our error (§8.3): EINVAL/ENXIO the firmware refused
 * (SNP_E_STATE), EFBIG too large (SNP_E_SPACE), else SNP_E_IO. */
snp_err snp_gdev_tsm_read_errno(int errnum);

#endif /* SNP_GUEST_TSM_H */
