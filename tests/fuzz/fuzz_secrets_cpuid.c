/*
 * tests/fuzz/fuzz_secrets_cpuid.c - libFuzzer target for the secrets page, CPUID page,
 * PAGE_INFO, SNP_PLATFORM_STATUS and SNP_CONFIG codecs (STYLE.md §11.4).
 *
 * The first byte picks the codec (mod 5); the rest is the wire image. Properties, each
 * abort()ing on violation:
 *   - decode succeeds => encode(decode(x)) == x;
 *   - decode fails => an offset within the input and one of the documented errors;
 *   - the secrets struct is wiped on failure.
 * Seeds in corpus/fuzz_secrets_cpuid are synthetic.
 */
#include "snpkit/cpuid_page.h"
#include "snpkit/pageinfo.h"
#include "snpkit/psp_abi.h"
#include "snpkit/secrets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[4096];

static void
expect_roundtrip(snp_err enc, const uint8_t *data, size_t n)
{
    if (enc != SNP_OK || memcmp(out, data, n) != 0) {
        abort();
    }
}

static void
expect_failure(snp_err err, size_t off, size_t size, int strict)
{
    if (off > size) {
        abort();
    }
    if (err == SNP_E_TRUNCATED || err == SNP_E_TRAILING) {
        return;
    }
    if (!strict || (err != SNP_E_RESERVED && err != SNP_E_RANGE)) {
        abort();
    }
}

static void
fuzz_secrets(const uint8_t *d, size_t n)
{
    static struct snp_secrets s;
    static const struct snp_secrets zero;
    size_t off = 0;
    snp_err err = snp_secrets_decode(&s, d, n, &off);

    if (err == SNP_OK) {
        expect_roundtrip(snp_secrets_encode(out, &s), d, SNP_SECRETS_SIZE);
    } else {
        expect_failure(err, off, n, 0);
        if (memcmp(&s, &zero, sizeof(s)) != 0) {
            abort();
        }
    }
    snp_secrets_wipe(&s);
}

static void
fuzz_cpuid(const uint8_t *d, size_t n)
{
    static struct snp_cpuid_page p;
    size_t off = 0;
    snp_err err = snp_cpuid_page_decode(&p, d, n, &off);

    if (err == SNP_OK) {
        expect_roundtrip(snp_cpuid_page_encode(out, &p), d, SNP_CPUID_PAGE_SIZE);
        (void)snp_cpuid_page_find(&p, 0xD, 1);
    } else {
        expect_failure(err, off, n, 1);
    }
}

static void
fuzz_page_info(const uint8_t *d, size_t n)
{
    struct snp_page_info pi;
    size_t off = 0;
    snp_err err = snp_page_info_decode(&pi, d, n, &off);

    if (err == SNP_OK) {
        expect_roundtrip(snp_page_info_encode(out, &pi), d, SNP_PAGE_INFO_SIZE);
    } else {
        expect_failure(err, off, n, 1);
    }
}

static void
fuzz_psp(const uint8_t *d, size_t n, int config)
{
    size_t off = 0;

    if (config) {
        struct snp_config c;
        snp_err err = snp_config_decode(&c, d, n, &off);
        if (err == SNP_OK) {
            expect_roundtrip(snp_config_encode(out, &c), d, SNP_CONFIG_SIZE);
        } else {
            expect_failure(err, off, n, 1);
        }
        return;
    }
    struct snp_platform_status st;
    snp_err err = snp_platform_status_decode(&st, d, n, &off);
    if (err == SNP_OK) {
        expect_roundtrip(snp_platform_status_encode(out, &st), d, SNP_PLATFORM_STATUS_SIZE);
    } else {
        expect_failure(err, off, n, 0);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 5) {
    case 0:
        fuzz_secrets(data + 1, size - 1);
        break;
    case 1:
        fuzz_cpuid(data + 1, size - 1);
        break;
    case 2:
        fuzz_page_info(data + 1, size - 1);
        break;
    case 3:
        fuzz_psp(data + 1, size - 1, 0);
        break;
    default:
        fuzz_psp(data + 1, size - 1, 1);
        break;
    }
    return 0;
}
