/*
 * bench/bench_psp.c - the simulated firmware's two costs that matter (issue 6):
 *   1. attestation reports signed per second through the whole path (guest message AES-GCM,
 *      mailbox, report build, ECDSA P-384 with the VCEK, response), against raw OpenSSL
 *      ECDSA P-384 signatures of the same 672 bytes in the same run (goal >= 0.85);
 *   2. the launch of a 4 MiB image (NORMAL 4K pages) + 1 GiB of guest memory (ZERO 2M pages,
 *      each 512 digest steps and 512 page encryptions), in seconds.
 * Prints, asserts nothing.
 */
#include "crypto/gcm.h"
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "snpkit/fwstatus.h"
#include "snpkit/guestmsg.h"
#include "snpkit/machine.h"
#include "snpkit/psp_abi.h"
#include "snpkit/secrets.h"

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD  UINT64_C(0x10000)
#define GCTX UINT64_C(0x12000)
#define REQ  UINT64_C(0x14000)
#define RSP  UINT64_C(0x15000)
#define SEC  UINT64_C(0x200000)
#define IMG  UINT64_C(0x400000)  /* 4 MiB image at SPA 4 MiB, GPA 0xFFC00000 */
#define MEM  UINT64_C(0x1000000) /* 1 GiB of guest memory from SPA 16 MiB, GPA 0 */
#define GIB  (UINT64_C(1) << 30)

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
put64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t
cmd(struct snp_machine *m, uint32_t id, const uint8_t *buf, size_t len)
{
    uint8_t b[0x80];
    uint64_t pf = 0;
    uint32_t st = 0xFFFF;
    memset(b, 0, sizeof(b));
    memcpy(b, buf, len);
    if (snp_host_write(m, CMD, b, sizeof(b), &pf) != SNP_HW_OK ||
        snp_host_psp_command(m, id, CMD, &st) != SNP_OK) {
        fprintf(stderr, "bench_psp: command 0x%x failed\n", id);
        exit(3);
    }
    return st;
}

static void
must(uint32_t st, const char *what)
{
    if (st != SNP_FW_SUCCESS) {
        fprintf(stderr, "bench_psp: %s: %s\n", what, snp_fw_status_name(st));
        exit(3);
    }
}

static void
rmp(struct snp_machine *m, uint64_t spa, uint64_t gpa, uint32_t asid, bool big)
{
    struct snp_rmpupdate_desc d = {
        .gpa = gpa, .assigned = true, .immutable = true, .asid = asid, .page_2m = big};
    if (snp_host_rmpupdate(m, spa, &d) != SNP_RMP_SUCCESS) {
        fprintf(stderr, "bench_psp: RMPUPDATE 0x%llx\n", (unsigned long long)spa);
        exit(3);
    }
}

static uint32_t
update(struct snp_machine *m, uint64_t spa, unsigned type, bool big)
{
    uint8_t b[0x20];
    memset(b, 0, sizeof(b));
    put64(b, GCTX);
    b[8] = (uint8_t)((big ? 1u : 0u) | type << 1);
    put64(b + 0x10, spa);
    return cmd(m, SNP_CMD_SNP_LAUNCH_UPDATE, b, sizeof(b));
}

/* INIT .. ACTIVATE, the image and memory, SECRETS, FINISH. Returns the launch seconds. */
static double
launch(struct snp_machine *m)
{
    static uint8_t page[4096];
    uint8_t b[0x68];
    uint64_t pf = 0;
    double t0;

    must(cmd(m, SNP_CMD_SNP_INIT, NULL, 0), "INIT");
    (void)snp_host_wbinvd(m);
    must(cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0), "DF_FLUSH");
    rmp(m, GCTX, 0, 0, false);
    rmp(m, RSP, 0, 0, false);
    for (uint64_t i = 0; i < 1024; i++) { /* the host loads the image */
        memset(page, (int)i, sizeof(page));
        (void)snp_host_write(m, IMG + i * 4096, page, sizeof(page), &pf);
    }
    t0 = now();
    memset(b, 0, sizeof(b));
    put64(b, GCTX);
    must(cmd(m, SNP_CMD_SNP_GCTX_CREATE, b, 8), "GCTX_CREATE");
    put64(b + 8, 0x30000);
    must(cmd(m, SNP_CMD_SNP_LAUNCH_START, b, 0x30), "LAUNCH_START");
    memset(b + 8, 0, 8);
    b[8] = 1;
    must(cmd(m, SNP_CMD_SNP_ACTIVATE, b, 0x10), "ACTIVATE");
    for (uint64_t i = 0; i < 1024; i++) {
        rmp(m, IMG + i * 4096, UINT64_C(0xFFC00000) + i * 4096, 1, false);
        must(update(m, IMG + i * 4096, 1, false), "LAUNCH_UPDATE image");
    }
    for (uint64_t r = 0; r < GIB / (2u << 20); r++) {
        rmp(m, MEM + r * (2u << 20), r * (2u << 20), 1, true);
        must(update(m, MEM + r * (2u << 20), 3, true), "LAUNCH_UPDATE memory");
    }
    rmp(m, SEC, UINT64_C(0xFFBFF000), 1, false);
    must(update(m, SEC, 5, false), "LAUNCH_UPDATE secrets");
    memset(b + 8, 0, 0x60);
    must(cmd(m, SNP_CMD_SNP_LAUNCH_FINISH, b, 0x68), "LAUNCH_FINISH");
    return now() - t0;
}

static double
reports_per_s(struct snp_machine *m, int n)
{
    static uint8_t page[4096], plain[4096];
    struct snp_secrets s;
    struct snp_gcm *g = NULL;
    struct snp_msg_hdr h;
    uint8_t iv[12], req[96], b[0x18];
    uint64_t pf = 0;
    double t0;

    if (snp_fw_mem_read(m, SEC, 1, page, sizeof(page)) != SNP_OK ||
        snp_secrets_decode(&s, page, sizeof(page), NULL) != SNP_OK || snp_gcm_new(&g) != SNP_OK) {
        exit(3);
    }
    memset(req, 0, sizeof(req));
    put64(b, GCTX);
    put64(b + 8, REQ);
    put64(b + 16, RSP);
    t0 = now();
    for (int i = 0; i < n; i++) {
        memset(&h, 0, sizeof(h));
        h.msg_seqno = 2 * (uint64_t)i + 1;
        h.algo = 1;
        h.hdr_version = 1;
        h.hdr_size = 0x60;
        h.msg_type = SNP_MSG_REPORT_REQ;
        h.msg_version = 1;
        h.msg_size = sizeof(req);
        memset(page, 0, 0x60 + sizeof(req));
        (void)snp_msg_hdr_encode(page, &h);
        snp_msg_iv(iv, h.msg_seqno);
        if (snp_gcm_seal(g, s.vmpck[0], iv, page + 0x30, 48, req, page + 0x60, sizeof(req), page) !=
            SNP_OK) {
            exit(3);
        }
        (void)snp_host_write(m, REQ, page, 0x60 + sizeof(req), &pf);
        must(cmd(m, SNP_CMD_SNP_GUEST_REQUEST, b, sizeof(b)), "GUEST_REQUEST");
        (void)snp_host_read(m, RSP, page, 0x60 + SNP_MSG_REPORT_RSP_SIZE);
        snp_msg_iv(iv, h.msg_seqno + 1);
        if (snp_gcm_open(g, s.vmpck[0], iv, page + 0x30, 48, page + 0x60, plain,
                         SNP_MSG_REPORT_RSP_SIZE, page) != SNP_OK) {
            exit(3);
        }
    }
    t0 = now() - t0;
    snp_secrets_wipe(&s);
    snp_gcm_free(g);
    return n / t0;
}

static double
openssl_signs_per_s(int n)
{
    EVP_PKEY *k = EVP_EC_gen("P-384");
    uint8_t msg[0x2A0], sig[128];
    double t0;

    memset(msg, 0x5A, sizeof(msg));
    t0 = now();
    for (int i = 0; i < n; i++) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        size_t len = sizeof(sig);
        if (c == NULL || EVP_DigestSignInit(c, NULL, EVP_sha384(), NULL, k) != 1 ||
            EVP_DigestSign(c, sig, &len, msg, sizeof(msg)) != 1) {
            exit(3);
        }
        EVP_MD_CTX_free(c);
    }
    t0 = now() - t0;
    EVP_PKEY_free(k);
    return n / t0;
}

int
main(void)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;
    double t_launch, rps, ops;

    snp_machine_config_default(&c);
    c.dram_size = (size_t)(GIB + (UINT64_C(32) << 20));
    c.guest_max_pages = 4096;
    c.max_vms = 1;
    c.max_vcpus = 1;
    if (snp_machine_new(&m, &c) != SNP_OK) {
        fprintf(stderr, "bench_psp: cannot build a 1 GiB machine\n");
        return 3;
    }
    t_launch = launch(m);
    printf("launch: 4 MiB image (1024 NORMAL pages) + 1 GiB memory (512 ZERO 2M pages): %.2f s\n",
           t_launch);
    ops = openssl_signs_per_s(2000);
    rps = reports_per_s(m, 2000);
    ops = (ops + openssl_signs_per_s(2000)) / 2; /* bracket the firmware run */
    printf("reports: %.0f/s through SNP_GUEST_REQUEST; raw OpenSSL ECDSA P-384: %.0f/s; "
           "ratio %.2f (goal >= 0.85)\n",
           rps, ops, rps / ops);
    snp_machine_free(m);
    return 0;
}
