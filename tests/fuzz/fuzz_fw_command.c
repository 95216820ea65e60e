/*
 * tests/fuzz/fuzz_fw_command.c - firmware commands from the input bytes into a fresh machine
 * (STYLE.md §11.4): byte 0 picks the starting state (UNINIT, INIT, INIT with a guest context
 * in LAUNCH), then each 0x41-byte record is a command selector and its buffer. Address fields
 * are steered to the interesting pages when the selector asks, so hostile buffers reach the
 * handlers' deep checks. After every command: the machine and firmware invariants, and a save
 * / restore / save round trip of the NV blob that must reproduce it byte for byte.
 */
#include "sim/host_if.h"
#include "sim/keyslot.h"
#include "snpkit/fwstatus.h"
#include "snpkit/machine.h"
#include "snpkit/psp_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAM ((size_t)4 << 20)

static const uint32_t cmds[] = {
    SNP_CMD_SNP_INIT,          SNP_CMD_SNP_SHUTDOWN,      SNP_CMD_SNP_PLATFORM_STATUS,
    SNP_CMD_SNP_DF_FLUSH,      SNP_CMD_SNP_INIT_EX,       SNP_CMD_SNP_SHUTDOWN_EX,
    SNP_CMD_SNP_DECOMMISSION,  SNP_CMD_SNP_ACTIVATE,      SNP_CMD_SNP_GUEST_STATUS,
    SNP_CMD_SNP_GCTX_CREATE,   SNP_CMD_SNP_GUEST_REQUEST, SNP_CMD_SNP_LAUNCH_START,
    SNP_CMD_SNP_LAUNCH_UPDATE, SNP_CMD_SNP_LAUNCH_FINISH, SNP_CMD_SNP_PAGE_RECLAIM,
    SNP_CMD_SNP_PAGE_UNSMASH,  SNP_CMD_SNP_CONFIG,        SNP_CMD_SNP_COMMIT,
    SNP_CMD_SNP_VLEK_LOAD,     SNP_CMD_SIM_FW_UPDATE,
};
static const uint64_t pages[] = {0x10000, 0x11000, 0x12000, 0x200000, 0x201000, 0x3FF000, 0};

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

static void
die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz_fw_command: %s: %s\n", what, why);
    abort();
}

static uint32_t
cmd(struct snp_machine *m, uint32_t id, const uint8_t *buf, size_t len)
{
    uint64_t pf = 0;
    uint32_t st = 0;
    uint8_t b[0x80];
    memset(b, 0, sizeof(b));
    if (len > 0) {
        memcpy(b, buf, len < sizeof(b) ? len : sizeof(b));
    }
    if (snp_host_write(m, 0x10000, b, sizeof(b), &pf) != SNP_HW_OK ||
        snp_host_psp_command(m, id, 0x10000, &st) != SNP_OK) {
        die("command", "transport failure");
    }
    return st;
}

static void
fw_page(struct snp_machine *m, uint64_t spa)
{
    struct snp_rmpupdate_desc d = {.assigned = true, .immutable = true};
    (void)snp_host_rmpupdate(m, spa, &d);
}

static void
prestate(struct snp_machine *m, uint8_t sel)
{
    uint8_t b[0x30];
    uint64_t g = 0x12000;
    if (sel % 3 == 0) {
        return;
    }
    (void)cmd(m, SNP_CMD_SNP_INIT, NULL, 0);
    (void)snp_host_wbinvd(m);
    (void)cmd(m, SNP_CMD_SNP_DF_FLUSH, NULL, 0);
    fw_page(m, 0x11000);
    if (sel % 3 == 2) {
        struct snp_rmpupdate_desc d = {.gpa = 0, .assigned = true, .immutable = true, .asid = 1};
        fw_page(m, g);
        memset(b, 0, sizeof(b));
        memcpy(b, &g, 8);
        (void)cmd(m, SNP_CMD_SNP_GCTX_CREATE, b, 8);
        b[8] = 0;
        b[9] = 0;
        b[10] = 3; /* policy 0x30000 */
        (void)cmd(m, SNP_CMD_SNP_LAUNCH_START, b, 0x30);
        memset(b + 8, 0, 8);
        b[8] = 1;
        (void)cmd(m, SNP_CMD_SNP_ACTIVATE, b, 0x10);
        (void)snp_host_rmpupdate(m, 0x200000, &d);
    }
}

static void
check(struct snp_machine *m, struct snp_machine *spare)
{
    char why[200];
    uint8_t a[SNP_PSP_STATE_MAX], b[SNP_PSP_STATE_MAX];
    size_t na = 0, nb = 0;

    if (snp_machine_check_invariants(m, why, sizeof(why)) != SNP_OK) {
        die("invariant", why);
    }
    if (snp_machine_psp_save(m, a, sizeof(a), &na) != SNP_OK ||
        snp_machine_psp_restore(spare, a, na) != SNP_OK ||
        snp_machine_psp_save(spare, b, sizeof(b), &nb) != SNP_OK || na != nb ||
        memcmp(a, b, na) != 0) {
        die("state blob", "save/restore/save is not the identity");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snp_machine_config c;
    struct snp_machine *m = NULL, *spare = NULL;
    uint64_t seed = 1, seed2 = 2;

    if (size < 1) {
        return 0;
    }
    snp_machine_config_default(&c);
    c.dram_size = DRAM;
    c.guest_max_pages = 64;
    c.max_vcpus = 1;
    c.max_vms = 1;
    c.cache_lines = 8;
    c.rng = rng;
    c.rng_ctx = &seed;
    if (snp_machine_new(&m, &c) != SNP_OK) {
        return 0;
    }
    c.rng_ctx = &seed2;
    if (snp_machine_new(&spare, &c) != SNP_OK) {
        snp_machine_free(m);
        return 0;
    }
    prestate(m, data[0]);
    check(m, spare);
    for (size_t off = 1; off + 0x41 <= size; off += 0x41) {
        const uint8_t *r = data + off + 1;
        uint8_t buf[0x80];
        uint8_t sel = data[off];
        uint32_t id = (sel & 0x80) ? (uint32_t)r[0] | (uint32_t)r[1] << 8
                                   : cmds[sel % (sizeof(cmds) / sizeof(cmds[0]))];
        memset(buf, 0, sizeof(buf));
        memcpy(buf, r, 0x40);
        if (sel & 0x40) { /* steer the address fields */
            for (size_t k = 0; k < 3; k++) {
                uint64_t v = pages[r[k] % (sizeof(pages) / sizeof(pages[0]))];
                memcpy(buf + 8 * k, &v, 8);
            }
        }
        (void)cmd(m, id, buf, sizeof(buf));
        check(m, spare);
    }
    snp_machine_free(spare);
    snp_machine_free(m);
    return 0;
}
