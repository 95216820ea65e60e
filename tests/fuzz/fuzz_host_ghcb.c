/*
 * tests/fuzz/fuzz_host_ghcb.c - every GHCB request the honest VMM parses is hostile input
 * (hardware.md §5.5). One machine with one launched CVM is built on the first call; each input
 * is a GHCB page (the first 4096 bytes, zero-padded) handed to snp_vmm_handle_ghcb() as the
 * VMGEXIT handler would, followed by the machine's invariant check. Requests with effects
 * (page state changes, guest requests to the PSP, device I/O) really happen.
 */
#include "snpkit/machine.h"
#include "snpkit/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
idle_guest(struct snp_guest *g, void *arg)
{
    (void)g;
    (void)arg;
}

static struct snp_machine *m;
static struct snp_vmm *vmm;

static void
setup(void)
{
    struct snp_machine_config c;
    struct snp_vmm_launch l;

    snp_machine_config_default(&c);
    c.dram_size = (size_t)16 << 20;
    c.guest_max_pages = 0x100000;
    c.max_vms = 1;
    c.cache_lines = 8;
    if (snp_machine_new(&m, &c) != SNP_OK) {
        abort();
    }
    snp_vmm_launch_default(&l);
    l.entry = idle_guest;
    if (snp_vmm_new(&vmm, m, &l, NULL) != SNP_OK) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t page[4096];
    char why[200];

    if (vmm == NULL) {
        setup();
    }
    memset(page, 0, sizeof(page));
    if (size > 0) {
        memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
    }
    (void)snp_vmm_handle_ghcb(vmm, page);
    if (snp_machine_check_invariants(m, why, sizeof(why)) != SNP_OK) {
        fprintf(stderr, "invariant: %s\n", why);
        abort();
    }
    return 0;
}
