/*
 * sim/keyslot.h - the hooks the PSP model (sim/psp/, next issue) holds on the silicon: key
 * slots of the memory controller, direct RMP writes, and firmware memory access. Only sim/
 * may include this header (ARCHITECTURE.md: "per-ASID keys in slots only the PSP programs").
 * Nothing here returns key bytes: a slot can be written and cleared, never read.
 */
#ifndef SNP_SIM_KEYSLOT_H
#define SNP_SIM_KEYSLOT_H

#include "sim/rmp.h"
#include "sim/sim_int.h"

/*
 * snp_keyslot_program() - install the VEK of @asid (hardware.md §3.1 "programmed into the
 * memory controller at ACTIVATE"): 32 bytes for AES-128-XTS, 64 for AES-256-XTS (§3.2, policy
 * bit 22). Lines cached under the old key are written back first. SNP_E_ARG, SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_keyslot_program(struct snp_machine *m, uint32_t asid, const uint8_t *key,
                                           size_t key_len);
/* snp_keyslot_clear() - write back the ASID's lines and forget the key (DECOMMISSION). */
SNP_MUST_CHECK snp_err snp_keyslot_clear(struct snp_machine *m, uint32_t asid);

/* snp_fw_rmp_set() - the PSP writes the 4K RMP entry of @spa (FIRMWARE, PRE_GUEST, ...). */
SNP_MUST_CHECK snp_err snp_fw_rmp_set(struct snp_machine *m, uint64_t spa,
                                      const struct snp_rmp_entry *e);

/* Firmware DMA: read/write memory under @asid's key (0 = plain), no RMP check. */
SNP_MUST_CHECK snp_err snp_fw_mem_read(struct snp_machine *m, uint64_t spa, uint32_t asid,
                                       void *buf, size_t len);
SNP_MUST_CHECK snp_err snp_fw_mem_write(struct snp_machine *m, uint64_t spa, uint32_t asid,
                                        const void *buf, size_t len);

/* ---- more firmware hooks (sim/psp/) ---- */

/* The governing entry of @spa (§1.4) and its GPA; NULL outside DRAM. */
const struct snp_rmp_entry *snp_fw_rmp_governing(struct snp_machine *m, uint64_t spa,
                                                 uint64_t *gpa);
/* See rmp.h: snp_rmp_fw_reset / snp_rmp_fw_set_2m / snp_rmp_fw_unsmash. */
void snp_fw_rmp_reset(struct snp_machine *m);
SNP_MUST_CHECK snp_err snp_fw_rmp_set_2m(struct snp_machine *m, uint64_t spa,
                                         const struct snp_rmp_entry *e);
SNP_MUST_CHECK snp_err snp_fw_rmp_unsmash(struct snp_machine *m, uint64_t spa);
/* Pages the RMP counts for @asid (§1.1 per-ASID counter; SNP_ACTIVATE needs it 0). */
uint64_t snp_fw_rmp_asid_pages(const struct snp_machine *m, uint32_t asid);
/* WBINVDs executed so far (SNP_DF_FLUSH: "WBINVD must have been executed", §6.4). */
uint64_t snp_fw_wbinvd_count(const struct snp_machine *m);

/* Attach the PSP: snp_host_psp_command() calls @fn from then on. */
void snp_machine_attach_psp(struct snp_machine *m, snp_psp_handler_fn fn, void *ctx);

#endif /* SNP_SIM_KEYSLOT_H */
