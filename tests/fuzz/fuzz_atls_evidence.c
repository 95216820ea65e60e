/*
 * tests/fuzz/fuzz_atls_evidence.c - the attested-TLS evidence extension parser
 * (snp_atls_evidence_decode(), snpkit/atls.h): the bytes a server puts in its certificate.
 *
 * Properties: never crash or read out of bounds; an accepted input re-encodes to exactly the same
 * bytes; its pointers lie inside the input; the certificate table it carries is handed to the
 * table decoder (which must not crash either). Any violation abort()s.
 */
#include "snpkit/atls.h"
#include "snpkit/certtable.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_atls_evidence ev;
    struct snp_cert_entry e[32];
    size_t off = 0, n = 0, len = 0;
    uint8_t *out;

    if (snp_atls_evidence_decode(&ev, data, size, &off) != SNP_OK) {
        check(off <= size);
        check(ev.report == NULL && ev.certs == NULL && ev.certs_len == 0);
        return 0;
    }
    check(ev.report >= data && ev.report + SNP_REPORT_SIZE <= data + size);
    check(ev.certs_len == 0 || (ev.certs >= data && ev.certs + ev.certs_len <= data + size));
    out = malloc(size);
    check(out != NULL);
    check(snp_atls_evidence_encode(out, size, &len, &ev) == SNP_OK);
    check(len == size && memcmp(out, data, size) == 0);
    free(out);
    if (ev.certs_len > 0) {
        (void)snp_cert_table_decode(e, 32, &n, ev.certs, ev.certs_len, NULL);
    }
    return 0;
}
