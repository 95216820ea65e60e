/*
 * sim/memctl.h - DRAM, the memory controller and its plaintext cache (hardware.md §3),
 * internal to sim/.
 *
 * DRAM holds what the memory bus carries: ciphertext for pages written with a guest key,
 * plaintext for host and shared accesses (key tag 0). The cache between the CPUs and the
 * controller holds plaintext lines of one 4 KiB page each, tagged by SPA and key, written back
 * on eviction, and coherent across keys (at most one line per SPA: an access under another key
 * writes the line back and refetches, §0.2 EAX[10] SME_COHERENT). Key slots hold one AES-XTS
 * context per ASID; only keyslot.h programs them. No check happens here: RMP and permission
 * checks are the caller's (cpu, host_if); this layer only moves and transforms bytes.
 */
#ifndef SNP_SIM_MEMCTL_H
#define SNP_SIM_MEMCTL_H

#include "base/compiler.h"
#include "crypto/aes.h"
#include "snpkit/machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_KEY_PLAIN  0 /* key tag of host (ASID 0) and shared (C=0) accesses */
#define SNP_CACHE_WAYS 4

/* Bus trace hook (phys_if.h): every DRAM transfer, with the bytes on the bus. */
typedef void (*snp_bus_trace_fn)(void *ctx, uint64_t spa, bool write, const uint8_t *data,
                                 size_t len);

struct snp_cache_line {
    uint64_t pfn;
    uint64_t lru;
    uint16_t key;
    bool valid;
    bool dirty;
};

struct snp_memctl {
    uint8_t *dram; /* npages * 4 KiB */
    uint64_t npages;
    uint64_t *frame; /* SPA pfn -> DRAM frame (identity unless aliased) */
    uint32_t max_asid;
    struct snp_aes_xts **slot; /* [max_asid + 1]; [0] unused */
    size_t nlines;             /* multiple of SNP_CACHE_WAYS */
    struct snp_cache_line *line;
    uint8_t *line_data; /* nlines * 4 KiB plaintext */
    uint64_t lru_clock;
    uint64_t *cycles; /* the machine's cycle counter */
    snp_bus_trace_fn trace;
    void *trace_ctx;
    bool phys_touched;  /* a physical attacker wrote or aliased DRAM: clean lines may differ */
    uint32_t mutations; /* SNP_MUT_* (test-only broken chip): NO_MEM_ENCRYPTION here */
};

/* Cycle costs charged to *cycles (arbitrary but fixed: timing channels need only ordering). */
#define SNP_CYC_CACHE_HIT 4
#define SNP_CYC_DRAM_PAGE 200
#define SNP_CYC_AES_PAGE  150

/* Access @len bytes at @spa under key tag @key (0 plain, else an ASID whose slot is keyed).
 * May cross pages. SNP_E_RANGE outside DRAM, SNP_E_STATE for an unkeyed ASID, SNP_E_CRYPTO. */
SNP_MUST_CHECK snp_err snp_memctl_read(struct snp_memctl *mc, uint64_t spa, uint16_t key, void *buf,
                                       size_t len);
SNP_MUST_CHECK snp_err snp_memctl_write(struct snp_memctl *mc, uint64_t spa, uint16_t key,
                                        const void *buf, size_t len);

/* WBINVD: write back every dirty line, then invalidate all. */
SNP_MUST_CHECK snp_err snp_memctl_wbinvd(struct snp_memctl *mc);
/* INVD: without the CacheWarp fix, drop every line (dirty data lost); with it, WBINVD. */
SNP_MUST_CHECK snp_err snp_memctl_invd(struct snp_memctl *mc, bool fixed);
/* Write back and invalidate every line of key @key (before a key slot changes). */
SNP_MUST_CHECK snp_err snp_memctl_flush_key(struct snp_memctl *mc, uint16_t key);

/* Key slots (through keyslot.h only). */
SNP_MUST_CHECK snp_err snp_memctl_set_key(struct snp_memctl *mc, uint32_t asid, const uint8_t *key,
                                          size_t key_len);
SNP_MUST_CHECK snp_err snp_memctl_clear_key(struct snp_memctl *mc, uint32_t asid);
bool snp_memctl_has_key(const struct snp_memctl *mc, uint32_t asid);

/* Physical access to DRAM cells, bypassing cache, keys and checks (phys_if.h). */
SNP_MUST_CHECK snp_err snp_memctl_raw(struct snp_memctl *mc, uint64_t spa, void *buf, size_t len,
                                      bool write);

/* Invariant: one line per SPA, tags in range, clean lines match DRAM (unless phys_touched).
 * @scratch: a 4 KiB buffer. */
snp_err snp_memctl_check_invariants(const struct snp_memctl *mc, uint8_t *scratch, char *why,
                                    size_t why_size);

#endif /* SNP_SIM_MEMCTL_H */
