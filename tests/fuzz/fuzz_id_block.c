/*
 * tests/fuzz/fuzz_id_block.c - ID_BLOCK, ID_AUTH_INFO and ECDSA public key decoders
 * (snpkit/idblock.h).
 *
 * Property (STYLE.md §7.8): decode succeeds => encode(decode(x)) == x, byte for byte. Each codec
 * sees the whole input (exact-size check) and, when the input is long enough, its first SIZE
 * bytes, so arbitrary lengths still reach the field checks. A P-384 key that passes the curve
 * check survives the big-endian conversion round trip. Any violation abort()s.
 */
#include "snpkit/idblock.h"

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

static void
one_id_block(const uint8_t *buf, size_t len)
{
    struct snp_id_block b;
    uint8_t out[SNP_ID_BLOCK_SIZE];
    size_t off = 0;

    if (snp_id_block_decode(&b, buf, len, &off) != SNP_OK) {
        check(off <= len);
        return;
    }
    check(len == SNP_ID_BLOCK_SIZE && b.version == SNP_ID_BLOCK_VERSION);
    check(snp_id_block_encode(out, &b) == SNP_OK);
    check(memcmp(out, buf, len) == 0);
}

static void
one_pubkey(const uint8_t *buf, size_t len)
{
    struct snp_ecdsa_pubkey k, k2;
    uint8_t out[SNP_ECDSA_PUBKEY_SIZE];
    uint8_t x[48], y[48];
    size_t off = 0;

    if (snp_ecdsa_pubkey_decode(&k, buf, len, &off) != SNP_OK) {
        check(off <= len);
        return;
    }
    check(len == SNP_ECDSA_PUBKEY_SIZE);
    check(snp_ecdsa_pubkey_encode(out, &k) == SNP_OK);
    check(memcmp(out, buf, len) == 0);
    if (snp_ecdsa_pubkey_to_p384(x, y, &k) == SNP_OK) {
        snp_ecdsa_pubkey_from_p384(&k2, x, y);
        check(memcmp(&k, &k2, sizeof(k)) == 0);
    }
}

static void
one_id_auth(const uint8_t *buf, size_t len)
{
    static uint8_t out[SNP_ID_AUTH_SIZE];
    struct snp_id_auth a;
    size_t off = 0;

    if (snp_id_auth_decode(&a, buf, len, &off) != SNP_OK) {
        check(off <= len);
        return;
    }
    check(len == SNP_ID_AUTH_SIZE);
    check(snp_id_auth_encode(out, &a) == SNP_OK);
    check(memcmp(out, buf, len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_id_block(data, size);
    one_pubkey(data, size);
    one_id_auth(data, size);
    if (size >= SNP_ID_BLOCK_SIZE) {
        one_id_block(data, SNP_ID_BLOCK_SIZE);
    }
    if (size >= SNP_ECDSA_PUBKEY_SIZE) {
        one_pubkey(data, SNP_ECDSA_PUBKEY_SIZE);
    }
    if (size >= SNP_ID_AUTH_SIZE) {
        one_id_auth(data, SNP_ID_AUTH_SIZE);
    }
    return 0;
}
