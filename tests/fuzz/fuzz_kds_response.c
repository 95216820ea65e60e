/*
 * tests/fuzz/fuzz_kds_response.c - libFuzzer target for snp_kds_check_content(): what a key
 * server (or anyone in between) may send is arbitrary bytes, and must be accepted or refused
 * with a documented error, never crash or leak.
 *
 * Input: byte 0 selects the expected item (mod 3: VCEK, cert_chain, CRL), the rest is the
 * body. Properties: the result is one of the documented errors; only a CRL reports a
 * nextUpdate; an accepted body passes again (determinism); an accepted VCEK or CRL with one
 * byte appended is refused (one DER object means exactly that object). Seeds in
 * corpus/fuzz_kds_response are synthetic (tests/unit/verify/kds_fixtures.h) plus HTML,
 * cut-off, padded and CRLF variants.
 */
#include "snpkit/kds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(snp_err err)
{
    if (err != SNP_OK && err != SNP_E_TRUNCATED && err != SNP_E_TRAILING && err != SNP_E_FORMAT &&
        err != SNP_E_RANGE && err != SNP_E_NOMEM) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum snp_kds_item item;
    int64_t next = 0;
    snp_err err;

    if (size == 0) {
        return 0;
    }
    item = (enum snp_kds_item)(data[0] % 3);
    data++;
    size--;
    err = snp_kds_check_content(item, size != 0 ? data : NULL, size, &next);
    check_err(err);
    if (item != SNP_KDS_ITEM_CRL && next != -1) {
        abort(); /* only a CRL reports a nextUpdate */
    }
    if (err != SNP_OK) {
        return 0;
    }
    /* Determinism. */
    if (snp_kds_check_content(item, data, size, NULL) != SNP_OK) {
        abort();
    }
    /* One DER object means exactly that object: an extra byte is never accepted. */
    if (item != SNP_KDS_ITEM_CHAIN && size < SNP_KDS_BODY_MAX) {
        uint8_t *more = malloc(size + 1);
        if (more == NULL) {
            return 0;
        }
        memcpy(more, data, size);
        more[size] = 0;
        err = snp_kds_check_content(item, more, size + 1, NULL);
        free(more);
        if (err == SNP_OK) {
            abort();
        }
        check_err(err);
    }
    return 0;
}
