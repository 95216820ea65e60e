/*
 * tests/fuzz/fuzz_vmsa.c - libFuzzer target for the VMSA codec (STYLE.md §11.4).
 *
 * Properties, each abort()ing on violation:
 *   - decode succeeds => encode(decode(x)) == x (KEEP codec, every byte kept);
 *   - decode fails => only for a length other than 4096, and the struct is all zero;
 *   - the input zero-padded (or cut) to 4096 bytes always decodes and round trips.
 * Seeds in corpus/fuzz_vmsa are synthetic (no vector bytes are checked in).
 */
#include "snpkit/vmsa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t page[SNP_VMSA_SIZE];
    static uint8_t out[SNP_VMSA_SIZE];
    struct snp_vmsa v;
    size_t off = 0;
    snp_err err = snp_vmsa_decode(&v, data, size, &off);

    if (err == SNP_OK) {
        if (size != SNP_VMSA_SIZE || snp_vmsa_encode(out, &v) != SNP_OK ||
            memcmp(out, data, SNP_VMSA_SIZE) != 0) {
            abort();
        }
    } else if (size == SNP_VMSA_SIZE || !all_zero(&v, sizeof(v)) ||
               (err != SNP_E_TRUNCATED && err != SNP_E_TRAILING) || off > size) {
        abort();
    }

    memset(page, 0, sizeof(page));
    memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
    if (snp_vmsa_decode(&v, page, sizeof(page), NULL) != SNP_OK ||
        snp_vmsa_encode(out, &v) != SNP_OK || memcmp(out, page, sizeof(page)) != 0) {
        abort();
    }
    return 0;
}
