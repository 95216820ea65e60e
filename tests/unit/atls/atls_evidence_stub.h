/*
 * tests/unit/atls/atls_evidence_stub.h - a dummy aTLS evidence provider for the guest app's
 * state machine without a boot: an all-zero report carrying REPORT_DATA at its offset 0x50, no
 * certificates. Shared by test_atls_guest.c and tests/fuzz/fuzz_atls_net.c; cmocka-free (the
 * fuzz harness links no test framework). Header-only: each including binary is one .c file.
 */
#ifndef SNP_TESTS_ATLS_EVIDENCE_STUB_H
#define SNP_TESTS_ATLS_EVIDENCE_STUB_H

#include "snpkit/atls.h"
#include "snpkit/report.h"

#include <string.h>

static snp_err
atls_stub_evidence(void *ctx, const uint8_t report_data[64], uint8_t report[SNP_REPORT_SIZE],
                   uint8_t *certs, size_t certs_cap, size_t *certs_len)
{
    (void)ctx;
    (void)certs;
    (void)certs_cap;
    memset(report, 0, SNP_REPORT_SIZE);
    memcpy(report + 0x50, report_data, 64);
    *certs_len = 0;
    return SNP_OK;
}

#endif
