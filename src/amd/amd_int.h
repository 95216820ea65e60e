/*
 * amd/amd_int.h - what the files of the simulated vendor share (internal to amd/).
 */
#ifndef SNP_AMD_INT_H
#define SNP_AMD_INT_H

#include "snpkit/vendor.h"

#include "base/compiler.h"
#include "crypto/x509.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define AMD_NLINES     4 /* indexed by enum snp_product; 0 (UNKNOWN) unused */
#define AMD_REVOKE_MAX 64
#define AMD_FILE_MAX   (1024u * 1024u)

/* One product line's CAs, loaded (or generated) on first use. */
struct amd_line {
    bool loaded;
    struct snp_rsakey *key[3]; /* by enum snp_vendor_ca */
    uint8_t *der[3];
    size_t der_len[3];
};

struct snp_vendor {
    char dir[SNP_VENDOR_PATH_MAX];
    unsigned rsa_bits;
    void *ctx;
    int64_t (*now)(void *ctx);
    struct amd_line line[AMD_NLINES];
};

/* The names every simulated certificate carries besides its CN (docs/vendor.md). */
extern const struct snp_x509_dn amd_sim_dn;

int64_t amd_now(const struct snp_vendor *v);
bool amd_product_ok(enum snp_product p);

/* snprintf into out; SNP_E_SPACE when it does not fit. */
SNP_MUST_CHECK snp_err amd_fmt(char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* mkdir -p with mode for the directories it creates. SNP_E_IO. */
SNP_MUST_CHECK snp_err amd_mkdirs(const char *path, unsigned mode);

/* Write path atomically (temp file beside it, fsync, rename) with the given mode; creates the
 * parent directories (0700). SNP_E_IO, with nothing left behind. */
SNP_MUST_CHECK snp_err amd_write_atomic(const char *path, const void *buf, size_t len,
                                        unsigned mode);

/* Read a whole file (at most AMD_FILE_MAX) into a malloc'd, NUL-terminated buffer.
 * SNP_E_NOTFOUND when absent; SNP_E_IO; SNP_E_RANGE (too large); SNP_E_NOMEM. */
SNP_MUST_CHECK snp_err amd_read_file(const char *path, uint8_t **buf, size_t *len);

/* Take (and release) the state directory's lock file: an exclusive fcntl lock, so concurrent
 * processes never generate the same CA twice. */
SNP_MUST_CHECK snp_err amd_lock(const struct snp_vendor *v, int *fd);
void amd_unlock(int fd);

/* A secret file of hex (0600): read into out[n] / write. */
SNP_MUST_CHECK snp_err amd_secret_read(const char *path, uint8_t *out, size_t n);
SNP_MUST_CHECK snp_err amd_secret_write(const char *path, const uint8_t *in, size_t n);

/* The loaded CAs of line p (generating and storing them under the lock on first use). */
SNP_MUST_CHECK snp_err amd_line_get(struct snp_vendor *v, enum snp_product p,
                                    struct amd_line **out);

/* PEM of one DER object (64-column base64); *out malloc'd, NUL-terminated. */
SNP_MUST_CHECK snp_err amd_pem(char **out, size_t *out_len, const uint8_t *der, size_t len,
                               const char *label);

/* The CN of a CA ("ARK-Milan", "SEV-Milan", "SEV-VLEK-Milan"). */
SNP_MUST_CHECK snp_err amd_ca_cn(char *out, size_t out_size, enum snp_product p,
                                 enum snp_vendor_ca which);

#endif /* SNP_AMD_INT_H */
