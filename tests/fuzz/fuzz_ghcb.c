/*
 * tests/fuzz/fuzz_ghcb.c - libFuzzer target for the GHCB protocol codecs (STYLE.md §11.4).
 *
 * Properties, each abort()ing on violation:
 *   - GHCB page: decode succeeds => encode == input; VALID_BITMAP helpers agree with the raw
 *     bitmap bytes;
 *   - PSC buffer, raw and zero-padded to 0x7F0: decode succeeds => encode == input; a failure
 *     leaves the struct zero and reports an offset inside the buffer;
 *   - MSR protocol on the first 8 bytes (little-endian): decode succeeds => encode == value.
 * Seeds in corpus/fuzz_ghcb are synthetic.
 */
#include "snpkit/ghcb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ghcb(const uint8_t *data, size_t size)
{
    static uint8_t out[SNP_GHCB_SIZE];
    static struct snp_ghcb g;

    if (snp_ghcb_decode(&g, data, size, NULL) != SNP_OK) {
        return;
    }
    if (snp_ghcb_encode(out, &g) != SNP_OK || memcmp(out, data, SNP_GHCB_SIZE) != 0) {
        abort();
    }
    for (size_t off = 0; off < SNP_GHCB_VALID_LIMIT; off += 8) {
        int raw = (data[SNP_GHCB_OFF_VALID_BITMAP + off / 64] >> ((off / 8) % 8)) & 1;
        if (snp_ghcb_is_valid(&g, off) != (raw != 0)) {
            abort();
        }
    }
}

static void
check_psc(const uint8_t *buf, size_t size)
{
    static uint8_t out[SNP_PSC_SIZE];
    static struct snp_psc p;
    static const struct snp_psc zero;
    size_t off = 0;
    snp_err err = snp_psc_decode(&p, buf, size, &off);

    if (err == SNP_OK) {
        if (snp_psc_encode(out, &p) != SNP_OK || memcmp(out, buf, SNP_PSC_SIZE) != 0) {
            abort();
        }
        return;
    }
    if (memcmp(&p, &zero, sizeof(p)) != 0 || off > size) {
        abort();
    }
    if (err != SNP_E_TRUNCATED && err != SNP_E_TRAILING && err != SNP_E_RESERVED &&
        err != SNP_E_RANGE) {
        abort();
    }
}

static void
check_msr(const uint8_t *data, size_t size)
{
    struct snp_ghcb_msr m;
    uint64_t v = 0;
    uint64_t back = 0;

    if (size < 8) {
        return;
    }
    for (size_t i = 0; i < 8; i++) {
        v |= (uint64_t)data[i] << (8 * i);
    }
    if (snp_ghcb_msr_decode(&m, v, NULL) != SNP_OK) {
        return;
    }
    if (snp_ghcb_msr_encode(&m, &back) != SNP_OK || back != v) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t psc[SNP_PSC_SIZE];

    check_ghcb(data, size);
    check_psc(data, size);
    memset(psc, 0, sizeof(psc));
    memcpy(psc, data, size < sizeof(psc) ? size : sizeof(psc));
    check_psc(psc, sizeof(psc));
    check_msr(data, size);
    return 0;
}
