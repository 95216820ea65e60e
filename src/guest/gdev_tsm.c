/*
 * guest/gdev_tsm.c - the configfs-tsm back end (attestation.md §8.3, Linux >= 6.7).
 *
 * One report: mkdir <root>/<name>; check provider is sev_guest; read generation; write
 * privlevel (checked against privlevel_floor first) and inblob (exactly 64 bytes for
 * sev_guest); read outblob (the bare 1184-byte report) and, for an extended report, auxblob
 * (the certificate table); read generation again. configfs bumps generation on every write,
 * so another writer between our writes and our reads shows up as a generation that moved by
 * more than our own two writes: the outputs may then answer someone else's inputs, and we
 * retry (SNP_GDEV_TSM_RETRIES) before giving up with SNP_E_STATE. Key derivation does not
 * exist in configfs-tsm. Never prints.
 */
#include "guest/gdev_int.h"
#include "guest/tsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tsm_priv {
    struct snp_gdev_tsm_hooks hooks;
    unsigned seq; /* per-device counter for unique directory names */
};

snp_err
snp_gdev_tsm_read_errno(int errnum)
{
    switch (errnum) {
    case EINVAL: /* report STATUS 0x16 or 0x27 */
    case ENXIO:  /* any other non-zero STATUS */
        return SNP_E_STATE;
    case EFBIG:
        return SNP_E_SPACE;
    default:
        return SNP_E_IO;
    }
}

static snp_err
join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? SNP_E_ARG : SNP_OK;
}

/* Read a whole attribute into buf (at most cap bytes); more than cap is SNP_E_SPACE. */
static snp_err
read_attr(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    char path[4096];
    size_t got = 0;
    snp_err err = SNP_OK;
    int fd;

    *len = 0;
    SNP_TRY(join(path, sizeof(path), dir, name));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    for (;;) {
        uint8_t extra;
        ssize_t n = got < cap ? read(fd, buf + got, cap - got) : read(fd, &extra, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            err = snp_gdev_tsm_read_errno(errno);
            break;
        }
        if (n == 0) {
            break;
        }
        if (got >= cap) {
            err = SNP_E_SPACE; /* larger than anything we accept: the EFBIG case */
            break;
        }
        got += (size_t)n;
    }
    (void)close(fd);
    *len = got;
    return err;
}

static snp_err
write_attr(const struct tsm_priv *p, const char *dir, const char *name, const void *buf, size_t len)
{
    char path[4096];
    snp_err err = SNP_OK;
    ssize_t n;
    int fd;

    SNP_TRY(join(path, sizeof(path), dir, name));
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    do {
        n = write(fd, buf, len); /* configfs takes a binary attribute in one write */
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        err = errno == EINVAL || errno == ERANGE ? SNP_E_ARG : SNP_E_IO;
    } else if ((size_t)n != len) {
        err = SNP_E_IO;
    }
    if (close(fd) != 0 && err == SNP_OK) {
        err = SNP_E_IO;
    }
    if (err == SNP_OK && p->hooks.after_write != NULL) {
        p->hooks.after_write(dir, name, p->hooks.arg);
    }
    return err;
}

/* A small decimal attribute (generation, privlevel_floor). */
static snp_err
read_u64(const char *dir, const char *name, uint64_t *v)
{
    uint8_t buf[32];
    size_t len = 0;
    uint64_t x = 0;
    size_t i = 0;

    SNP_TRY(read_attr(dir, name, buf, sizeof(buf), &len));
    if (len == 0) {
        return SNP_E_FORMAT;
    }
    for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
        if (x > (UINT64_MAX - 9) / 10) {
            return SNP_E_RANGE;
        }
        x = x * 10 + (uint64_t)(buf[i] - '0');
    }
    if (i == 0 || (i < len && !(buf[i] == '\n' && i + 1 == len))) {
        return SNP_E_FORMAT;
    }
    *v = x;
    return SNP_OK;
}

/* One attempt in an existing report directory. */
static snp_err
tsm_once(struct tsm_priv *p, const char *dir, const uint8_t report_data[64], uint32_t vmpl,
         uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size, size_t *certs_len)
{
    uint8_t prov[32];
    uint64_t g0 = 0, g1 = 0, floor = 0;
    char lvl[4];
    size_t len = 0;
    snp_err err;

    SNP_TRY(read_attr(dir, "provider", prov, sizeof(prov), &len));
    if (!(len >= 9 && memcmp(prov, "sev_guest", 9) == 0 &&
          (len == 9 || (len == 10 && prov[9] == '\n')))) {
        return SNP_E_UNSUPPORTED; /* e.g. tdx_guest */
    }
    err = read_u64(dir, "privlevel_floor", &floor);
    if (err == SNP_OK && vmpl < floor) {
        return SNP_E_ARG; /* §8.3: privlevel must be >= privlevel_floor */
    }
    if (err != SNP_OK && err != SNP_E_NOTFOUND) {
        return err;
    }
    SNP_TRY(read_u64(dir, "generation", &g0));
    lvl[0] = (char)('0' + vmpl);
    lvl[1] = '\n';
    SNP_TRY(write_attr(p, dir, "privlevel", lvl, 2));
    SNP_TRY(write_attr(p, dir, "inblob", report_data, 64)); /* sev_guest wants exactly 64 */
    SNP_TRY(read_u64(dir, "generation", &g1));
    if (g1 - g0 != 2) {
        return SNP_E_REPLAY; /* someone else wrote between our writes: retried by the caller */
    }
    SNP_TRY(read_attr(dir, "outblob", report, SNP_REPORT_SIZE, &len));
    if (len != SNP_REPORT_SIZE) {
        return SNP_E_FORMAT;
    }
    if (certs != NULL) {
        uint8_t *aux = malloc(SNP_GUEST_CERTS_MAX);
        if (aux == NULL) {
            return SNP_E_NOMEM;
        }
        err = read_attr(dir, "auxblob", aux, SNP_GUEST_CERTS_MAX, &len);
        if (err == SNP_OK) {
            *certs_len = len;
            if (len > certs_size) {
                err = SNP_E_SPACE;
            } else {
                memcpy(certs, aux, len);
            }
        }
        free(aux);
        SNP_TRY(err);
    }
    SNP_TRY(read_u64(dir, "generation", &g0));
    if (g0 != g1) {
        return SNP_E_REPLAY; /* a write while we read: the outputs may not be ours */
    }
    return SNP_OK;
}

static snp_err
tsm_report(struct snp_guest_dev *d, const uint8_t report_data[64], uint32_t vmpl,
           uint8_t report[SNP_REPORT_SIZE], uint8_t *certs, size_t certs_size, size_t *certs_len,
           struct snp_guest_status *st)
{
    struct tsm_priv *p = d->priv;
    char dir[4096];
    snp_err err = SNP_E_STATE;
    int n;

    (void)st; /* configfs reports no firmware status, only errno */
    n = snprintf(dir, sizeof(dir), "%s/snpkit-%ld-%u", d->path, (long)getpid(), p->seq++);
    if (n < 0 || (size_t)n >= sizeof(dir)) {
        return SNP_E_ARG;
    }
    if (mkdir(dir, 0700) != 0) {
        return errno == ENOENT ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    if (p->hooks.after_mkdir != NULL) {
        p->hooks.after_mkdir(dir, p->hooks.arg);
    }
    for (int i = 0; i < SNP_GDEV_TSM_RETRIES; i++) {
        err = tsm_once(p, dir, report_data, vmpl, report, certs, certs_size, certs_len);
        if (err != SNP_E_REPLAY) {
            break;
        }
        err = SNP_E_STATE; /* lost the race every time */
    }
    (void)rmdir(dir); /* configfs removes the attributes with the directory */
    return err;
}

static void
tsm_close(struct snp_guest_dev *d)
{
    free(d->priv);
    d->priv = NULL;
}

static const struct gdev_ops tsm_ops = {tsm_report, NULL, tsm_close};

snp_err
snp_gdev_tsm_open(struct snp_guest_dev *d, const char *root)
{
    struct stat sb;
    struct tsm_priv *p;

    if (root == NULL) {
        root = SNP_GUEST_TSM_ROOT_DEFAULT;
    }
    if (stat(root, &sb) != 0) {
        return errno == ENOENT || errno == ENOTDIR ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    if (!S_ISDIR(sb.st_mode)) {
        return SNP_E_NOTFOUND;
    }
    if (access(root, W_OK | X_OK) != 0) {
        return SNP_E_IO;
    }
    p = calloc(1, sizeof(*p));
    d->path = strdup(root);
    if (p == NULL || d->path == NULL) {
        free(p);
        free(d->path);
        d->path = NULL;
        return SNP_E_NOMEM;
    }
    d->priv = p;
    d->ops = &tsm_ops;
    return SNP_OK;
}

snp_err
snp_gdev_tsm_set_hooks(struct snp_guest_dev *d, const struct snp_gdev_tsm_hooks *h)
{
    struct tsm_priv *p;

    if (d == NULL || d->backend != SNP_GUEST_BACKEND_TSM || d->priv == NULL) {
        return SNP_E_ARG;
    }
    p = d->priv;
    if (h == NULL) {
        memset(&p->hooks, 0, sizeof(p->hooks));
    } else {
        p->hooks = *h;
    }
    return SNP_OK;
}
