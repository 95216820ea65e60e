/*
 * examples/atls_client.c - the few lines of an attested TLS client (docs/atls.md §6).
 *
 *   atls_client HOST PORT MEASUREMENT_HEX ARK_FILE [LINE]
 *
 * Connects to HOST:PORT, verifies the server's SEV-SNP evidence inside the TLS handshake (the
 * chain to the ARK in ARK_FILE, the report signature, the binding to the TLS key, the expected
 * MEASUREMENT), sends LINE (default "hello") and a newline, and prints what comes back.
 * Exit 0 verified and answered; 1 rejected (the failing checks are printed); 2 usage; 3 other.
 * Built with the project (build/example_atls_client) and run against `snpkit atls serve` by
 * tests/e2e/atls_cli.sh, so it cannot rot.
 */
#include "snpkit/atls.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = malloc(1 << 16);
    *len = f != NULL && b != NULL ? fread(b, 1, 1 << 16, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return b;
}

int
main(int argc, char **argv)
{
    static struct snp_verify_result res;
    struct snp_atls_client_opts o;
    struct snp_verify_policy pol;
    struct snp_atls_conn *conn = NULL;
    char eb[128], line[256], buf[4096];
    size_t root_len = 0, n = 0;
    uint8_t *root;
    snp_err err;

    if (argc < 5) {
        fprintf(stderr, "usage: atls_client HOST PORT MEASUREMENT_HEX ARK_FILE [LINE]\n");
        return 2;
    }
    snp_verify_policy_default(&pol);
    if (snp_verify_policy_set(&pol, "expect-measurement", argv[3], eb, sizeof(eb)) != SNP_OK) {
        fprintf(stderr, "measurement: %s\n", eb);
        return 2;
    }
    root = slurp(argv[4], &root_len);
    snp_atls_client_opts_init(&o);
    o.policy = &pol; /* what may run: this measurement */
    o.root = root;   /* the ARK to trust (instead of AMD's pinned ones) */
    o.root_len = root_len;
    err = snp_atls_connect(&o, argv[1], argv[2], &conn, &res);
    free(root);
    if (err != SNP_OK) { /* res names the checks that failed */
        fprintf(stderr, "rejected: %s (%s)\n", snp_err_str(err), snp_err_name(err));
        for (size_t i = 0; i < res.n; i++) {
            if (res.checks[i].status == SNP_CHECK_FAIL || res.checks[i].status == SNP_CHECK_ERROR) {
                fprintf(stderr, "  %s: %s\n", res.checks[i].name, res.checks[i].detail);
            }
        }
        return snp_verify_verdict(&res) != SNP_OK ? 1 : 3;
    }
    snprintf(line, sizeof(line), "%s\n", argc > 5 ? argv[5] : "hello");
    err = snp_atls_write(conn, line, strlen(line));
    if (err == SNP_OK) {
        err = snp_atls_read(conn, buf, sizeof(buf), &n);
    }
    if (err == SNP_OK) {
        fwrite(buf, 1, n, stdout);
    }
    snp_atls_conn_free(conn);
    return err == SNP_OK ? 0 : 3;
}
