/*
 * sim/psp/psp.h - the simulated SNP firmware (the PSP's SEV firmware, hardware.md §6): its
 * entry points for the rest of sim/ and for the firmware tests. Nothing outside sim/ includes
 * this (scripts/check-deps.sh); host software reaches it only through the mailbox,
 * snp_host_psp_command() in sim/host_if.h.
 *
 * Bytes in, status out (STYLE.md §9.2): a command is an id and the physical address of its
 * buffer in modelled memory, which the firmware reads and writes through the memory controller.
 * The model allocates only in snp_psp_new(); OpenSSL allocates internally for signatures.
 */
#ifndef SNP_SIM_PSP_H
#define SNP_SIM_PSP_H

#include "base/compiler.h"
#include "snpkit/fwstatus.h"
#include "snpkit/machine.h"

#include <stddef.h>
#include <stdint.h>

struct snp_psp;

/*
 * snp_psp_new() - the firmware of machine @m, with the NV state @c describes (chip seed, TCB,
 * firmware version, report version, SMT, RNG). Platform state UNINIT. Does not attach itself
 * to the mailbox (machine.c does). Returns SNP_OK, SNP_E_ARG (report version, product),
 * SNP_E_NOMEM, SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_psp_new(struct snp_psp **out, struct snp_machine *m,
                                   const struct snp_machine_config *c);

/* snp_psp_free() - wipe every secret and release; NULL is a no-op. */
void snp_psp_free(struct snp_psp *p);

/*
 * snp_fw_command() - run firmware command @cmd whose buffer is at system physical address
 * @cmd_spa. *status gets the firmware status (hardware.md §6.2). Returns SNP_OK whenever the
 * firmware produced a status, however bad the command; an snp_err (SNP_E_CRYPTO, ...) only
 * when the model itself failed (status then HWERROR_PLATFORM).
 */
SNP_MUST_CHECK snp_err snp_fw_command(struct snp_psp *p, uint32_t cmd, uint64_t cmd_spa,
                                      enum snp_fw_status *status);

/* The mailbox adapter machine.c attaches (snp_psp_handler_fn of sim_int.h); @ctx is the psp. */
snp_err snp_psp_mailbox(void *ctx, struct snp_machine *m, uint32_t cmd, uint64_t cmd_spa,
                        uint32_t *fw_status);

/* NV state blob (snpkit/machine.h, snp_machine_psp_save / _restore). */
SNP_MUST_CHECK snp_err snp_psp_save(const struct snp_psp *p, uint8_t *out, size_t out_size,
                                    size_t *out_len);
SNP_MUST_CHECK snp_err snp_psp_restore(struct snp_psp *p, const uint8_t *buf, size_t len);

/*
 * snp_psp_check_invariants() - the firmware's view agrees with the RMP and key slots: every
 * guest context's page is in CONTEXT state, ASIDs in use belong to exactly one context and are
 * keyed, guest_count matches, launched guests are in a legal (state, activation) pair.
 * SNP_OK or SNP_E_STATE with the first violation in @why.
 */
snp_err snp_psp_check_invariants(const struct snp_psp *p, char *why, size_t why_size);

#endif /* SNP_SIM_PSP_H */
