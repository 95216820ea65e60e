/*
 * bench/bench_codec.c - how fast the report codec is, measured against this machine's own
 * limits in the same run: memcpy of the same 1184 bytes, and raw OpenSSL SHA-384 over the 672
 * signed bytes (work every verification must do anyway). Prints ratios, asserts nothing.
 */
#include "snpkit/report.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run fn until at least 0.3 s have passed; return operations per second. */
#define MEASURE(ops_per_s, body)                                                                   \
    do {                                                                                           \
        unsigned long n_ = 0;                                                                      \
        double t0_ = now(), t_;                                                                    \
        do {                                                                                       \
            for (int k_ = 0; k_ < 1000; k_++) {                                                    \
                body;                                                                              \
            }                                                                                      \
            n_ += 1000;                                                                            \
            t_ = now() - t0_;                                                                      \
        } while (t_ < 0.3);                                                                        \
        (ops_per_s) = (double)n_ / t_;                                                             \
    } while (0)

static volatile unsigned char sink;

int
main(void)
{
    static uint8_t wire[SNP_REPORT_SIZE];
    static uint8_t copy[SNP_REPORT_SIZE];
    static struct snp_report r;
    unsigned char md[64];
    unsigned int mdlen = 0;
    double dec, enc, cpy, sha;

    memset(wire, 0, sizeof(wire));
    wire[0] = 3;
    wire[0x08 + 2] = 0x03; /* policy 0x30000 */
    wire[0x34] = 1;
    if (snp_report_decode(&r, wire, sizeof(wire), NULL) != SNP_OK) {
        fprintf(stderr, "bench_codec: sample report does not decode\n");
        return 1;
    }
    MEASURE(dec, { sink ^= (unsigned char)snp_report_decode(&r, wire, sizeof(wire), NULL); });
    MEASURE(enc, { sink ^= (unsigned char)snp_report_encode(copy, &r); });
    MEASURE(cpy, {
        memcpy(copy, wire, sizeof(wire));
        sink ^= copy[k_ & 1023];
    });
    MEASURE(sha, {
        EVP_Digest(wire, SNP_REPORT_SIGNED_LEN, md, &mdlen, EVP_sha384(), NULL);
        sink ^= md[0];
    });
    printf("bench_codec: report decode %.0f/s, encode %.0f/s\n", dec, enc);
    printf("  machine limits this run: memcpy(1184 B) %.0f/s, OpenSSL SHA-384(672 B) %.0f/s\n", cpy,
           sha);
    printf("  decode costs %.2f SHA-384s of the signed bytes, %.1f memcpys of the report\n",
           sha / dec, cpy / dec);
    printf("  encode costs %.2f SHA-384s, %.1f memcpys\n", sha / enc, cpy / enc);
    return 0;
}
