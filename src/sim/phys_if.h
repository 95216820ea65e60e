/*
 * sim/phys_if.h - the physical attacker (THREAT-MODEL.md N8): raw DRAM cells, address
 * aliasing (BadRAM-style SPD tampering), and a bus probe. Kept apart from host_if.h so no
 * hypervisor scenario uses it by accident. Out of the SNP guarantees by design.
 */
#ifndef SNP_SIM_PHYS_IF_H
#define SNP_SIM_PHYS_IF_H

#include "snpkit/machine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read/write the DRAM cells behind [spa, spa+len): no cache, no key, no RMP. SNP_E_RANGE. */
snp_err snp_phys_read(struct snp_machine *m, uint64_t spa, void *buf, size_t len);
snp_err snp_phys_write(struct snp_machine *m, uint64_t spa, const void *buf, size_t len);

/* Make the page at @alias_spa reach the DRAM cells of @target_spa (both 4K aligned). The
 * memory controller still tweaks by the SPA used. SNP_E_RANGE / SNP_E_ARG. */
snp_err snp_phys_alias(struct snp_machine *m, uint64_t alias_spa, uint64_t target_spa);

/* A probe on the memory bus: called for every DRAM transfer with the bytes carried
 * (ciphertext for encrypted pages). NULL removes it. */
typedef void (*snp_phys_probe_fn)(void *ctx, uint64_t spa, bool write, const uint8_t *data,
                                  size_t len);
void snp_phys_probe(struct snp_machine *m, snp_phys_probe_fn fn, void *ctx);

#endif /* SNP_SIM_PHYS_IF_H */
