/*
 * amd/state.c - the simulated vendor's state directory: paths, atomic writes, the lock file,
 * and secret files (layout: docs/vendor.md).
 *
 * Files are never edited in place: each is written to a temporary file beside it, flushed and
 * renamed, so a concurrent reader (another snpkit, the key server) sees the old content or the
 * new, never a part. Private keys and secrets are 0600 from creation (fchmod before any byte is
 * written) and their buffers are wiped.
 */
#include "amd/amd_int.h"

#include "snpkit/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

snp_err
amd_fmt(char *out, size_t out_size, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (out_size == 0) {
        return SNP_E_SPACE;
    }
    va_start(ap, fmt);
    n = vsnprintf(out, out_size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return SNP_E_SPACE;
    }
    return SNP_OK;
}

int64_t
amd_now(const struct snp_vendor *v)
{
    return v->now != NULL ? v->now(v->ctx) : (int64_t)time(NULL);
}

bool
amd_product_ok(enum snp_product p)
{
    return p == SNP_PRODUCT_MILAN || p == SNP_PRODUCT_GENOA || p == SNP_PRODUCT_TURIN;
}

snp_err
amd_mkdirs(const char *path, unsigned mode)
{
    char tmp[SNP_VENDOR_PATH_MAX];
    struct stat st;

    SNP_TRY(amd_fmt(tmp, sizeof(tmp), "%s", path));
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST) {
            return SNP_E_IO;
        }
        *p = '/';
    }
    if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST) {
        return SNP_E_IO;
    }
    SNP_ENSURE(stat(tmp, &st) == 0 && S_ISDIR(st.st_mode), SNP_E_IO);
    return SNP_OK;
}

snp_err
amd_write_atomic(const char *path, const void *buf, size_t len, unsigned mode)
{
    char dir[SNP_VENDOR_PATH_MAX], tmp[SNP_VENDOR_PATH_MAX + 16];
    const uint8_t *p = buf;
    char *slash;
    int fd;
    snp_err err = SNP_E_IO;

    SNP_TRY(amd_fmt(dir, sizeof(dir), "%s", path));
    slash = strrchr(dir, '/');
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        SNP_TRY(amd_mkdirs(dir, 0700));
    }
    SNP_TRY(amd_fmt(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path));
    fd = mkstemp(tmp);
    if (fd < 0) {
        return SNP_E_IO;
    }
    if (fchmod(fd, (mode_t)mode) != 0) {
        goto out;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto out;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        goto out;
    }
    err = SNP_OK;
out:
    if (fd >= 0) {
        close(fd);
    }
    if (err != SNP_OK) {
        unlink(tmp);
    }
    return err;
}

snp_err
amd_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f;
    uint8_t *b = NULL;
    size_t n = 0;
    snp_err err = SNP_E_IO;
    struct stat st;

    *buf = NULL;
    *len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    if (fstat(fileno(f), &st) != 0) {
        goto out;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > AMD_FILE_MAX) {
        err = SNP_E_RANGE;
        goto out;
    }
    b = malloc((size_t)st.st_size + 1);
    if (b == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    n = fread(b, 1, (size_t)st.st_size, f);
    if (n != (size_t)st.st_size || ferror(f)) {
        goto out;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    b = NULL; /* transferred */
    err = SNP_OK;
out:
    if (b != NULL) {
        snp_free_secret(b, (size_t)st.st_size + 1); /* may have held a key */
    }
    fclose(f);
    return err;
}

snp_err
amd_lock(const struct snp_vendor *v, int *fd)
{
    char path[SNP_VENDOR_PATH_MAX];
    struct flock fl;

    *fd = -1;
    SNP_TRY(amd_fmt(path, sizeof(path), "%s/lock", v->dir));
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    SNP_ENSURE(*fd >= 0, SNP_E_IO);
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while (fcntl(*fd, F_SETLKW, &fl) != 0) {
        if (errno != EINTR) {
            close(*fd);
            *fd = -1;
            return SNP_E_IO;
        }
    }
    return SNP_OK;
}

void
amd_unlock(int fd)
{
    if (fd >= 0) {
        close(fd); /* releases the fcntl lock */
    }
}

snp_err
amd_secret_read(const char *path, uint8_t *out, size_t n)
{
    uint8_t *buf = NULL;
    size_t len = 0, got = 0;
    snp_err err;

    err = amd_read_file(path, &buf, &len);
    if (err == SNP_OK) {
        err = snp_hex_decode(out, n, &got, (const char *)buf, len, NULL);
        if (err != SNP_OK || got != n) {
            err = SNP_E_FORMAT;
        }
    }
    if (err != SNP_OK) {
        snp_wipe(out, n);
    }
    snp_free_secret(buf, len + (buf != NULL ? 1 : 0));
    return err;
}

snp_err
amd_secret_write(const char *path, const uint8_t *in, size_t n)
{
    char hex[2 * 64 + 2];
    snp_err err;

    SNP_ENSURE(n <= 64, SNP_E_ARG);
    err = snp_hex_encode(hex, sizeof(hex), in, n);
    if (err == SNP_OK) {
        hex[2 * n] = '\n';
        err = amd_write_atomic(path, hex, 2 * n + 1, 0600);
    }
    snp_wipe(hex, sizeof(hex));
    return err;
}
