/*
 * tests/fuzz/fuzz_psp_guest_msg.c - guest message bytes into SNP_GUEST_REQUEST of a launched
 * guest (attestation.md §7). Byte 0 bit 0: the rest is the raw request page (header checks,
 * AEAD failures); otherwise bytes 1..8 are header fields (VMPCK, seqno offset, type, version,
 * size) and the rest the payload, encrypted with the right VMPCK so the payload decoders behind
 * the AEAD are reached. Invariants after each request; a response must decrypt and carry
 * seqno + 1.
 */
#include "crypto/gcm.h"
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "snpkit/fwstatus.h"
#include "snpkit/guestmsg.h"
#include "snpkit/machine.h"
#include "snpkit/psp_abi.h"
#include "snpkit/secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GCTX 0x12000u
#define REQ  0x14000u
#define RSP  0x15000u
#define SEC  0x200000u

static snp_err
rng(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s = *s * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (uint8_t)(*s >> 56);
    }
    return SNP_OK;
}

static uint32_t
cmd(struct snp_machine *m, uint32_t id, const uint8_t *buf, size_t len)
{
    uint64_t pf = 0;
    uint32_t st = 0;
    uint8_t b[0x80];
    memset(b, 0, sizeof(b));
    if (len > 0) {
        memcpy(b, buf, len);
    }
    if (snp_host_write(m, 0x10000, b, sizeof(b), &pf) != SNP_HW_OK ||
        snp_host_psp_command(m, id, 0x10000, &st) != SNP_OK) {
        abort();
    }
    return st;
}

static void
put64(uint8_t *b, uint64_t v)
{
    memcpy(b, &v, 8); /* little-endian hosts only (x86-64, aarch64) */
}

static int
launch(struct snp_machine *m, struct snp_secrets *s)
{
    struct snp_rmpupdate_desc fw = {.assigned = true, .immutable = true};
    struct snp_rmpupdate_desc pg = {.gpa = 0, .assigned = true, .immutable = true, .asid = 1};
    uint8_t b[0x68], page[4096];

    cmd(m, SNP_CMD_SNP_INIT, NULL, 0);
    (void)snp_host_wbinvd(m);
    cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0);
    (void)snp_host_rmpupdate(m, GCTX, &fw);
    (void)snp_host_rmpupdate(m, RSP, &fw);
    memset(b, 0, sizeof(b));
    put64(b, GCTX);
    cmd(m, SNP_CMD_SNP_GCTX_CREATE, b, 8);
    put64(b + 8, 0x30000);
    cmd(m, SNP_CMD_SNP_LAUNCH_START, b, 0x30);
    memset(b + 8, 0, 8);
    b[8] = 1;
    cmd(m, SNP_CMD_SNP_ACTIVATE, b, 0x10);
    (void)snp_host_rmpupdate(m, SEC, &pg);
    memset(b + 8, 0, 0x20);
    b[8] = 5 << 1;
    put64(b + 0x10, SEC);
    cmd(m, SNP_CMD_SNP_LAUNCH_UPDATE, b, 0x20);
    memset(b + 8, 0, 0x60);
    if (cmd(m, SNP_CMD_SNP_LAUNCH_FINISH, b, 0x68) != SNP_FW_SUCCESS ||
        snp_fw_mem_read(m, SEC, 1, page, sizeof(page)) != SNP_OK ||
        snp_secrets_decode(s, page, sizeof(page), NULL) != SNP_OK) {
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL;
    struct snp_secrets s;
    struct snp_gcm *g = NULL;
    uint64_t seed = 7, pf = 0;
    static uint8_t page[4096];
    uint8_t b[0x18], iv[12];
    char why[200];

    if (size < 9) {
        return 0;
    }
    snp_machine_config_default(&c);
    c.dram_size = (size_t)4 << 20;
    c.guest_max_pages = 64;
    c.max_vcpus = 1;
    c.max_vms = 1;
    c.cache_lines = 8;
    c.rng = rng;
    c.rng_ctx = &seed;
    if (snp_machine_new(&m, &c) != SNP_OK) {
        return 0;
    }
    if (launch(m, &s) != 0 || snp_gcm_new(&g) != SNP_OK) {
        abort();
    }
    memset(page, 0, sizeof(page));
    if (data[0] & 1) {
        memcpy(page, data + 1, size - 1 < sizeof(page) ? size - 1 : sizeof(page));
    } else {
        struct snp_msg_hdr h;
        size_t len = size - 9 < SNP_MSG_PAYLOAD_MAX ? size - 9 : SNP_MSG_PAYLOAD_MAX;
        memset(&h, 0, sizeof(h));
        h.msg_vmpck = data[1] & 3;
        h.msg_seqno = 1 + (data[2] & 3);
        h.algo = 1;
        h.hdr_version = 1;
        h.hdr_size = 0x60;
        h.msg_type = data[3];
        h.msg_version = data[4];
        h.msg_size = (data[5] & 1) ? (uint16_t)(data[6] | data[7] << 8) : (uint16_t)len;
        if (snp_msg_hdr_encode(page, &h) != SNP_OK) {
            abort();
        }
        snp_msg_iv(iv, h.msg_seqno);
        if (snp_gcm_seal(g, s.vmpck[h.msg_vmpck], iv, page + 0x30, 48, data + 9, page + 0x60, len,
                         page) != SNP_OK) {
            abort();
        }
    }
    if (snp_host_write(m, REQ, page, sizeof(page), &pf) != SNP_HW_OK) {
        abort();
    }
    put64(b, GCTX);
    put64(b + 8, REQ);
    put64(b + 16, RSP);
    if (cmd(m, SNP_CMD_SNP_GUEST_REQUEST, b, sizeof(b)) == SNP_FW_SUCCESS) {
        struct snp_msg_hdr rh, qh;
        static uint8_t plain[4096];
        if (snp_host_read(m, RSP, page, sizeof(page)) != SNP_HW_OK ||
            snp_msg_hdr_decode(&rh, page, 0x60, NULL) != SNP_OK || rh.msg_size > 4000) {
            abort();
        }
        snp_msg_iv(iv, rh.msg_seqno);
        if (snp_gcm_open(g, s.vmpck[rh.msg_vmpck], iv, page + 0x30, 48, page + 0x60, plain,
                         rh.msg_size, page) != SNP_OK) {
            abort();
        }
        (void)snp_host_read(m, REQ, page, sizeof(page));
        (void)snp_msg_hdr_decode(&qh, page, 0x60, NULL);
        if (rh.msg_seqno != qh.msg_seqno + 1) {
            abort();
        }
    }
    if (snp_machine_check_invariants(m, why, sizeof(why)) != SNP_OK) {
        fprintf(stderr, "invariant: %s\n", why);
        abort();
    }
    snp_secrets_wipe(&s);
    snp_gcm_free(g);
    snp_machine_free(m);
    return 0;
}
