/*
 * verify/store.c - the local collateral store: VCEKs keyed by product line, hwID and TCB;
 * cert chains and CRLs keyed by product line and key kind (layout in docs/store.md).
 *
 * A VCEK for a given chip and REPORTED_TCB never changes (attestation.md §5), so keying by
 * the full TCB means a firmware update adds a file instead of orphaning or overwriting one.
 * Writes are atomic (temporary file in the same directory, fsync, rename): a crash or a
 * concurrent reader never sees half a certificate. Library code: no printing.
 */
#include "snpkit/kds.h"

#include "verify/kds_int.h"

#include "snpkit/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

snp_err
snp_kds_store_default(char *out, size_t out_size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (out_size > 0) {
        out[0] = '\0';
    }
    /* XDG Base Directory: a relative XDG_CACHE_HOME is invalid and must be ignored. */
    if (xdg != NULL && xdg[0] == '/') {
        return kds_fmt(out, out_size, "%s/snpkit", xdg);
    }
    if (home != NULL && home[0] != '\0') {
        return kds_fmt(out, out_size, "%s/.cache/snpkit", home);
    }
    return SNP_E_NOTFOUND;
}

void
kds_store_dir(char out[SNP_KDS_PATH_MAX], const struct snp_kds_opts *o)
{
    out[0] = '\0';
    if (o->no_store) {
        return;
    }
    if (o->store_dir != NULL) {
        if (kds_fmt(out, SNP_KDS_PATH_MAX, "%s", o->store_dir) != SNP_OK) {
            out[0] = '\0';
        }
        return;
    }
    if (snp_kds_store_default(out, SNP_KDS_PATH_MAX) != SNP_OK) {
        out[0] = '\0';
    }
}

snp_err
snp_kds_store_path(char *out, size_t out_size, const char *dir, enum snp_kds_item item,
                   enum snp_kds_key key, enum snp_product product, const uint8_t *chip_id,
                   uint64_t reported_tcb)
{
    char hwid[2 * SNP_KDS_HWID_MAX + 1];
    char tcb[17];

    if (out_size > 0) {
        out[0] = '\0';
    }
    SNP_ENSURE(dir != NULL && dir[0] != '\0', SNP_E_ARG);
    SNP_ENSURE(snp_kds_hwid_len(product) != 0, SNP_E_ARG);
    SNP_ENSURE(key == SNP_KDS_KEY_VCEK || key == SNP_KDS_KEY_VLEK, SNP_E_ARG);
    switch (item) {
    case SNP_KDS_ITEM_VCEK:
        SNP_ENSURE(key == SNP_KDS_KEY_VCEK && chip_id != NULL, SNP_E_ARG);
        SNP_TRY(kds_hwid_hex(hwid, product, chip_id));
        kds_tcb_hex(tcb, reported_tcb);
        return kds_fmt(out, out_size, "%s/vcek/%s/%s/%s.der", dir, snp_product_name(product), hwid,
                       tcb);
    case SNP_KDS_ITEM_CHAIN:
        return kds_fmt(out, out_size, "%s/chain/%s/%s.pem", dir, snp_product_name(product),
                       snp_kds_key_name(key));
    case SNP_KDS_ITEM_CRL:
        return kds_fmt(out, out_size, "%s/crl/%s/%s.der", dir, snp_product_name(product),
                       snp_kds_key_name(key));
    }
    return SNP_E_ARG;
}

snp_err
snp_kds_store_read(const char *path, uint8_t **buf, size_t *len)
{
    snp_err err = SNP_E_IO;
    FILE *f = NULL;
    uint8_t *b = NULL;
    size_t n;

    *buf = NULL;
    *len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT || errno == ENOTDIR ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    b = malloc(SNP_KDS_BODY_MAX + 1);
    if (b == NULL) {
        err = SNP_E_NOMEM;
        goto out;
    }
    /* Read one byte more than the limit to tell "exactly the limit" from "too large". */
    n = fread(b, 1, SNP_KDS_BODY_MAX + 1, f);
    if (ferror(f)) {
        goto out;
    }
    if (n > SNP_KDS_BODY_MAX) {
        err = SNP_E_RANGE;
        goto out;
    }
    *buf = b;
    *len = n;
    b = NULL; /* transferred */
    err = SNP_OK;
out:
    free(b);
    fclose(f);
    return err;
}

/* mkdir -p of path's parent directory. */
static snp_err
make_parents(const char *path)
{
    char tmp[SNP_KDS_PATH_MAX];

    SNP_TRY(kds_fmt(tmp, sizeof(tmp), "%s", path));
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            return SNP_E_IO;
        }
        *p = '/';
    }
    return SNP_OK;
}

static snp_err
write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return SNP_E_IO;
        }
        buf += (size_t)w;
        len -= (size_t)w;
    }
    return SNP_OK;
}

snp_err
snp_kds_store_write(const char *path, const uint8_t *buf, size_t len)
{
    snp_err err;
    char tmp[SNP_KDS_PATH_MAX];
    int fd = -1;
    bool made = false;

    SNP_ENSURE(path != NULL && path[0] != '\0' && (buf != NULL || len == 0), SNP_E_ARG);
    SNP_TRY(make_parents(path));
    /* ".tmp." names are skipped by snp_kds_store_list(); O_EXCL: never follow or reuse one. */
    for (unsigned i = 0; i < 100 && fd < 0; i++) {
        err = kds_fmt(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(), i);
        if (err != SNP_OK) {
            return err;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 && errno != EEXIST) {
            return SNP_E_IO;
        }
    }
    if (fd < 0) {
        return SNP_E_IO;
    }
    made = true;
    err = write_all(fd, buf, len);
    if (err != SNP_OK) {
        goto out;
    }
    err = SNP_E_IO;
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
    made = false; /* renamed: nothing to clean up */
    err = SNP_OK;
out:
    if (fd >= 0) {
        close(fd);
    }
    if (made) {
        unlink(tmp);
    }
    return err;
}

/* ---- listing ------------------------------------------------------------------------------ */

/* Sorted names of the entries of dir (not "." ones); *names NULL and *n 0 when dir is absent. */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

static snp_err
list_dir(const char *dir, char ***names, size_t *n)
{
    snp_err err = SNP_E_NOMEM;
    DIR *d;
    struct dirent *e;
    char **v = NULL;
    size_t cnt = 0;
    size_t cap = 0;

    *names = NULL;
    *n = 0;
    d = opendir(dir);
    if (d == NULL) {
        return errno == ENOENT || errno == ENOTDIR ? SNP_OK : SNP_E_IO;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (cnt == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 16;
            char **nv = realloc(v, ncap * sizeof(*nv));
            if (nv == NULL) {
                goto out;
            }
            v = nv;
            cap = ncap;
        }
        v[cnt] = strdup(e->d_name);
        if (v[cnt] == NULL) {
            goto out;
        }
        cnt++;
    }
    if (cnt > 0) {
        qsort(v, cnt, sizeof(*v), cmp_str);
    }
    *names = v;
    *n = cnt;
    v = NULL; /* transferred */
    cnt = 0;
    err = SNP_OK;
out:
    free_names(v, cnt);
    closedir(d);
    return err;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s);
    size_t b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool
all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return s[n] == '\0' || s[n] == '.';
}

/* Fill size, content_err and crl_next_update of e from its file, then call cb. */
static snp_err
emit(struct snp_kds_entry *e, snp_err (*cb)(void *ctx, const struct snp_kds_entry *e), void *ctx)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    snp_err err;

    e->crl_next_update = -1;
    err = snp_kds_store_read(e->path, &buf, &len);
    if (err == SNP_E_NOTFOUND) {
        return SNP_OK; /* vanished meanwhile */
    }
    e->size = len;
    e->content_err =
        err != SNP_OK ? err : snp_kds_check_content(e->item, buf, len, &e->crl_next_update);
    free(buf);
    return cb(ctx, e);
}

/* vcek/{Line}/{hwid}/{tcb}.der for one product line. */
static snp_err
list_vceks(const char *dir, enum snp_product p,
           snp_err (*cb)(void *ctx, const struct snp_kds_entry *e), void *ctx)
{
    snp_err err;
    char base[SNP_KDS_PATH_MAX];
    char hdir[SNP_KDS_PATH_MAX];
    char **hw = NULL;
    size_t nhw = 0;
    size_t hexlen = 2 * snp_kds_hwid_len(p);
    struct snp_kds_entry *e = NULL;

    SNP_TRY(kds_fmt(base, sizeof(base), "%s/vcek/%s", dir, snp_product_name(p)));
    SNP_TRY(list_dir(base, &hw, &nhw));
    e = calloc(1, sizeof(*e));
    err = SNP_E_NOMEM;
    if (e == NULL) {
        goto out;
    }
    err = SNP_OK;
    for (size_t i = 0; i < nhw && err == SNP_OK; i++) {
        char **tcbs = NULL;
        size_t ntcb = 0;
        if (strlen(hw[i]) != hexlen || !all_hex(hw[i], hexlen) ||
            kds_fmt(hdir, sizeof(hdir), "%s/%s", base, hw[i]) != SNP_OK) {
            continue;
        }
        err = list_dir(hdir, &tcbs, &ntcb);
        for (size_t j = 0; j < ntcb && err == SNP_OK; j++) {
            if (strlen(tcbs[j]) != 20 || !ends_with(tcbs[j], ".der") || !all_hex(tcbs[j], 16)) {
                continue;
            }
            memset(e, 0, sizeof(*e));
            e->item = SNP_KDS_ITEM_VCEK;
            e->key = SNP_KDS_KEY_VCEK;
            e->product = p;
            memcpy(e->hwid, hw[i], hexlen + 1);
            size_t got = 0;
            if (snp_hex_decode(e->tcb, sizeof(e->tcb), &got, tcbs[j], 16, NULL) != SNP_OK ||
                got != 8 || kds_fmt(e->path, sizeof(e->path), "%s/%s", hdir, tcbs[j]) != SNP_OK) {
                continue;
            }
            err = emit(e, cb, ctx);
        }
        free_names(tcbs, ntcb);
    }
out:
    free(e);
    free_names(hw, nhw);
    return err;
}

snp_err
snp_kds_store_list(const char *dir, snp_err (*cb)(void *ctx, const struct snp_kds_entry *e),
                   void *ctx)
{
    static const enum snp_product lines[] = {SNP_PRODUCT_MILAN, SNP_PRODUCT_GENOA,
                                             SNP_PRODUCT_TURIN};
    static const enum snp_kds_item items[] = {SNP_KDS_ITEM_CHAIN, SNP_KDS_ITEM_CRL};
    static const enum snp_kds_key keys[] = {SNP_KDS_KEY_VCEK, SNP_KDS_KEY_VLEK};
    struct snp_kds_entry *e;
    snp_err err = SNP_OK;

    SNP_ENSURE(dir != NULL && dir[0] != '\0' && cb != NULL, SNP_E_ARG);
    e = calloc(1, sizeof(*e));
    SNP_ENSURE(e != NULL, SNP_E_NOMEM);
    for (size_t pi = 0; pi < SNP_ARRAY_LEN(lines) && err == SNP_OK; pi++) {
        for (size_t ii = 0; ii < SNP_ARRAY_LEN(items) && err == SNP_OK; ii++) {
            for (size_t ki = 0; ki < SNP_ARRAY_LEN(keys) && err == SNP_OK; ki++) {
                memset(e, 0, sizeof(*e));
                e->item = items[ii];
                e->key = keys[ki];
                e->product = lines[pi];
                err = snp_kds_store_path(e->path, sizeof(e->path), dir, e->item, e->key, e->product,
                                         NULL, 0);
                if (err == SNP_OK && access(e->path, F_OK) == 0) {
                    err = emit(e, cb, ctx);
                }
            }
        }
        if (err == SNP_OK) {
            err = list_vceks(dir, lines[pi], cb, ctx);
        }
    }
    free(e);
    return err;
}
