/*
 * cli/cli.h - what the subcommand files share: their entry points and output helpers.
 *
 * Exit codes (STYLE.md §12): 0 success or verified, 1 evidence rejected, 2 usage error,
 * 3 environment error (I/O, out of memory, crypto library failure).
 */
#ifndef SNP_CLI_H
#define SNP_CLI_H

#include "snpkit/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REJECTED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_ENV = 3,
};

int cmd_report(int argc, char **argv);
int cmd_kds(int argc, char **argv);
int cmd_kds_serve(int argc, char **argv); /* `kds serve`, from cmd_kds() */
int cmd_verify(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_idblock(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_atls(int argc, char **argv);
int cmd_attack(int argc, char **argv);

/* The exit code that fits a library error: environment errors 3, misuse 2, the rest 1. */
int cli_exit_for(snp_err err);

/*
 * cli_read_input() - read FILE, or stdin for "-", whole into a malloc'd buffer (max 64 MiB).
 * On failure prints one line "PATH: reason" on stderr and returns SNP_E_IO.
 */
snp_err cli_read_input(const char *path, uint8_t **buf, size_t *len);

/*
 * cli_write_output() - write buf to path atomically (temp file + rename), or to stdout for "-"
 * (refused on a terminal unless force). Prints its own error; returns an exit code.
 */
int cli_write_output(const char *path, const uint8_t *buf, size_t len, bool force);

/* Print "prog: path: message" on stderr (one line). */
void cli_errorf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How report input is given: auto-detected (exactly 1184 bytes is binary, else hex, else base64
 * text), or forced. */
enum cli_in_format { CLI_IN_AUTO, CLI_IN_BIN, CLI_IN_HEX, CLI_IN_B64 };

/*
 * cli_report_bytes() - turn input text or bytes into report bytes in out (out_size is usually
 * 2 * SNP_REPORT_SIZE). *out_len is the true byte count: for binary input it may exceed
 * out_size (only out_size bytes are copied), so a long file is reported as trailing bytes.
 * On bad hex/base64 prints one line "PATH: not valid hex text ..." and returns SNP_E_FORMAT.
 */
snp_err cli_report_bytes(const char *path, enum cli_in_format fmt, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t out_size, size_t *out_len);

/* JSON helpers: a string with escapes, and hex of bytes as a JSON string. */
void cli_json_str(FILE *out, const char *s);
void cli_json_hex(FILE *out, const uint8_t *p, size_t n);

/*
 * cli_parse_u64() - the whole of s as a decimal number in min..max: no sign, no blanks, nothing
 * after the digits ("abc", "-1", "12x", "" and out-of-range values are refused). Prints nothing;
 * false when s is not such a number (*out untouched).
 */
bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* SNP_CLI_H */
