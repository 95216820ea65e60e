/*
 * tests/fuzz/fuzz_kds_request.c - libFuzzer target for the simulated key server's request
 * grammar, snp_kds_req_parse() (attestation.md §5), on arbitrary bytes.
 *
 * Properties: failures are SNP_E_NOTFOUND (404) or SNP_E_FORMAT (400) and leave the output
 * zeroed; a parsed request names a known product, a hwID of the product's length and a TCB with
 * zero reserved bytes; and the project's KDS client URL builder (snpkit/kds.h), given what was
 * parsed, produces a target that parses back to the same request - the client and the server
 * agree on AMD's layout. Seeds in corpus/fuzz_kds_request are hand-written targets.
 */
#include "snpkit/kds.h"
#include "snpkit/vendor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_zero(const struct snp_kds_req *r)
{
    const uint8_t *p = (const uint8_t *)r;

    for (size_t i = 0; i < sizeof(*r); i++) {
        if (p[i] != 0) {
            abort();
        }
    }
}

/* Rebuild the request with the client's URL builder and parse that again. */
static void
round_trip(const struct snp_kds_req *r)
{
    static const char base[] = "http://127.0.0.1:1";
    char url[SNP_KDS_URL_MAX];
    uint8_t chip[64] = {0};
    struct snp_kds_req again;
    enum snp_kds_key key = r->family == SNP_VENDOR_VLEK ? SNP_KDS_KEY_VLEK : SNP_KDS_KEY_VCEK;
    snp_err err = SNP_E_ARG;

    switch (r->kind) {
    case SNP_KDS_REQ_VCEK:
        memcpy(chip, r->hwid, r->hwid_len);
        err = snp_kds_url_vcek(url, sizeof(url), base, r->product, chip, r->tcb);
        if (err == SNP_E_UNSUPPORTED) {
            return; /* an all-zero hwID: the client refuses to name a masked chip */
        }
        break;
    case SNP_KDS_REQ_CHAIN:
        err = snp_kds_url_chain(url, sizeof(url), base, r->product, key);
        break;
    case SNP_KDS_REQ_CRL:
        err = snp_kds_url_crl(url, sizeof(url), base, r->product, key);
        break;
    }
    if (err != SNP_OK) {
        abort();
    }
    err = snp_kds_req_parse(&again, url + strlen(base), strlen(url) - strlen(base));
    if (err != SNP_OK || memcmp(&again, r, sizeof(again)) != 0) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_kds_req r;
    struct snp_tcb t;
    snp_err err = snp_kds_req_parse(&r, (const char *)data, size);

    if (err != SNP_OK) {
        if (err != SNP_E_NOTFOUND && err != SNP_E_FORMAT) {
            abort();
        }
        check_zero(&r);
        return 0;
    }
    if (r.product != SNP_PRODUCT_MILAN && r.product != SNP_PRODUCT_GENOA &&
        r.product != SNP_PRODUCT_TURIN) {
        abort();
    }
    if (r.kind == SNP_KDS_REQ_VCEK) {
        if (r.family != SNP_VENDOR_VCEK ||
            r.hwid_len != (r.product == SNP_PRODUCT_TURIN ? 8u : 64u) ||
            snp_tcb_decode(&t, r.tcb, r.product) != SNP_OK || !snp_tcb_reserved_zero(&t)) {
            abort();
        }
    }
    round_trip(&r);
    return 0;
}
