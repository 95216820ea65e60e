/*
 * tests/helpers.c - see helpers.h.
 */
#include "helpers.h"

#include "snpkit/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
t_memeq_at(const void *a, const void *b, size_t n, const char *file, int line)
{
    const uint8_t *pa = a;
    const uint8_t *pb = b;
    size_t i;

    for (i = 0; i < n; i++) {
        if (pa[i] != pb[i]) {
            break;
        }
    }
    if (i == n) {
        return;
    }
    size_t from = i > 8 ? i - 8 : 0;
    size_t to = i + 8 < n ? i + 8 : n;
    print_error("%s:%d: buffers differ first at offset 0x%zx (of 0x%zx)\n", file, line, i, n);
    print_error("  got:  ");
    for (size_t k = from; k < to; k++) {
        print_error("%s%02x", k == i ? "[" : " ", pa[k]);
    }
    print_error("\n  want: ");
    for (size_t k = from; k < to; k++) {
        print_error("%s%02x", k == i ? "[" : " ", pb[k]);
    }
    print_error("\n");
    fail();
}

static bool
is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
t_vectors_dir(void)
{
    static char path[4096];
    const char *env = getenv("SNPKIT_VECTORS");

    if (env != NULL && env[0] != '\0') {
        return is_dir(env) ? env : NULL;
    }
    snprintf(path, sizeof(path), "%s/../shared/vectors", SNPKIT_SOURCE_DIR);
    return is_dir(path) ? path : NULL;
}

uint8_t *
t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

uint8_t *
t_vector(const char *rel, size_t *len)
{
    const char *dir = t_vectors_dir();
    char path[4096];
    uint8_t *buf;

    *len = 0;
    if (dir == NULL) {
        printf("SKIP: external vectors not found (../shared/vectors or $SNPKIT_VECTORS): %s\n",
               rel);
        skip();
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    buf = t_read_file(path, len);
    if (buf == NULL) {
        print_error("vector file missing or unreadable: %s\n", path);
        fail();
    }
    return buf;
}

void
t_unhex(uint8_t *out, size_t n, const char *hex)
{
    size_t got = 0;

    assert_int_equal(snp_hex_decode(out, n, &got, hex, strlen(hex), NULL), SNP_OK);
    assert_int_equal(got, n);
}

void
t_fill(uint8_t *out, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (uint8_t)(x >> 24);
    }
}

void
t_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    struct stat st;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                t_rm_tree(path);
            } else {
                unlink(path);
            }
        }
        closedir(d);
    }
    rmdir(dir);
}
