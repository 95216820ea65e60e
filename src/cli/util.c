/*
 * cli/util.c - input reading, error lines and JSON helpers shared by the subcommands.
 */
#include "cli.h"

#include "snpkit/report.h"
#include "snpkit/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_INPUT_MAX (64u << 20)

int
cli_exit_for(snp_err err)
{
    if (err == SNP_OK) {
        return CLI_EXIT_OK;
    }
    if (err >= 60 && err < 90) {
        return CLI_EXIT_ENV;
    }
    if (err >= 90) {
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_REJECTED;
}

void
cli_errorf(const char *path, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "snpkit: ");
    if (path != NULL) {
        fprintf(stderr, "%s: ", path);
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

snp_err
cli_read_input(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f;
    uint8_t *b = NULL;
    size_t cap = 0;
    size_t n = 0;
    bool is_stdin = strcmp(path, "-") == 0;

    *buf = NULL;
    *len = 0;
    f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_errorf(path, "cannot open: %s", strerror(errno));
        return SNP_E_IO;
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 8192;
            uint8_t *nb;
            if (ncap > CLI_INPUT_MAX) {
                cli_errorf(path, "input is larger than %u MiB", CLI_INPUT_MAX >> 20);
                free(b);
                if (!is_stdin) {
                    fclose(f);
                }
                return SNP_E_IO;
            }
            nb = realloc(b, ncap);
            if (nb == NULL) {
                cli_errorf(path, "out of memory");
                free(b);
                if (!is_stdin) {
                    fclose(f);
                }
                return SNP_E_NOMEM;
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        cli_errorf(path, "read error: %s", strerror(errno));
        free(b);
        if (!is_stdin) {
            fclose(f);
        }
        return SNP_E_IO;
    }
    if (!is_stdin) {
        fclose(f);
    }
    *buf = b;
    *len = n;
    return SNP_OK;
}

void
cli_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

void
cli_json_hex(FILE *out, const uint8_t *p, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%02x", p[i]);
    }
    fputc('"', out);
}

bool
cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end = NULL;

    if (s == NULL || *s < '0' || *s > '9') {
        return false; /* also refuses the sign and blanks strtoull would skip */
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

int
cli_write_output(const char *path, const uint8_t *buf, size_t len, bool force)
{
    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO) && !force) {
            cli_errorf(NULL, "refusing to write binary to a terminal (redirect it, or --force)");
            return CLI_EXIT_USAGE;
        }
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_errorf("-", "write error: %s", strerror(errno));
            return CLI_EXIT_ENV;
        }
        return CLI_EXIT_OK;
    }
    /* Write beside the target, then rename: a failure never leaves a half-written file. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (tmp == NULL) {
        cli_errorf(path, "out of memory");
        return CLI_EXIT_ENV;
    }
    snprintf(tmp, plen + 16, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        cli_errorf(path, "cannot create: %s", strerror(errno));
        free(tmp);
        return CLI_EXIT_ENV;
    }
    bool ok = fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        cli_errorf(path, "cannot write: %s", strerror(errno));
        remove(tmp);
        free(tmp);
        return CLI_EXIT_ENV;
    }
    free(tmp);
    return CLI_EXIT_OK;
}

/* ---- report input forms ------------------------------------------------------------------- */

static bool
all_in(const uint8_t *p, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0 || strchr(set, p[i]) == NULL) {
            return false;
        }
    }
    return true;
}

#define HEX_SET " \t\r\n0123456789abcdefABCDEFxX"
#define B64_SET " \t\r\nABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"

snp_err
cli_report_bytes(const char *path, enum cli_in_format fmt, const uint8_t *in, size_t in_len,
                 uint8_t *out, size_t out_size, size_t *out_len)
{
    size_t bad = 0;
    snp_err err;

    if (fmt == CLI_IN_AUTO) {
        if (in_len == SNP_REPORT_SIZE) {
            fmt = CLI_IN_BIN;
        } else if (in_len > 0 && all_in(in, in_len, HEX_SET)) {
            fmt = CLI_IN_HEX;
        } else if (in_len > 0 && all_in(in, in_len, B64_SET)) {
            fmt = CLI_IN_B64;
        } else {
            fmt = CLI_IN_BIN;
        }
    }
    if (fmt == CLI_IN_BIN) {
        size_t n = in_len < out_size ? in_len : out_size;
        memcpy(out, in, n);
        *out_len = in_len; /* the true length, so a long file is reported as trailing bytes */
        return SNP_OK;
    }
    if (fmt == CLI_IN_HEX) {
        err = snp_hex_decode(out, out_size, out_len, (const char *)in, in_len, &bad);
    } else {
        err = snp_b64_decode(out, out_size, out_len, (const char *)in, in_len, &bad);
    }
    if (err == SNP_E_SPACE) {
        *out_len = out_size; /* more than a report: say so as trailing bytes */
        return SNP_OK;
    }
    if (err != SNP_OK) {
        cli_errorf(path, "not valid %s text (bad character or length at text offset %zu)",
                   fmt == CLI_IN_HEX ? "hex" : "base64", bad);
        return SNP_E_FORMAT;
    }
    return SNP_OK;
}
