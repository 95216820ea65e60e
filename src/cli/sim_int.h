/*
 * cli/sim_int.h - what `snpkit sim run` (cmd_sim.c) and `snpkit sim serve` (cmd_sim_serve.c)
 * share: the options, the booted CVM with its chip and vendor, and the helpers that open the
 * chip from --state and staple the vendor's certificates. Internal to cli/.
 */
#ifndef SNP_CLI_SIM_INT_H
#define SNP_CLI_SIM_INT_H

#include "snpkit/err.h"
#include "snpkit/report.h"
#include "snpkit/vendor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_machine;
struct snp_vmm;

struct simopts {
    uint32_t vcpus;
    enum snp_product product;
    uint64_t policy;
    const char *app;
    uint8_t report_data[64];
    const char *report_out;
    const char *certs_out;
    char state[SNP_VENDOR_PATH_MAX];
    unsigned rsa_bits;
    bool json;
    bool plain; /* --plain: SEV off, the unprotected baseline */
};

/* A booted CVM with its chip and vendor. */
struct sim {
    struct snp_machine *m;
    struct snp_vendor *vendor;
    struct snp_vmm *vmm;
    uint8_t chip_id[64];
    uint64_t reported_tcb;
    uint8_t *vcek, *ask, *ark, *crl;
    size_t vcek_len, ask_len, ark_len, crl_len;
};

/* The chip of o->state (seed made once, PSP blob restored); s->vendor MUST be open. */
snp_err sim_machine_open(const struct simopts *o, struct sim *s);
/* VCEK at the chip's REPORTED_TCB, ASK, ARK, CRL into s and stapled to s->vmm. */
snp_err sim_collateral(const struct simopts *o, struct sim *s);
void sim_free(struct sim *s);
/* DIR/vcek.pem, ask.pem, ark.pem and crl.der of s (DIR made if missing). SNP_E_IO ... */
snp_err sim_write_certs(const char *dir, const struct sim *s);

/* `snpkit sim serve` (argv[0] = "serve"). */
int sim_serve(int argc, char **argv);

/*
 * The agent CVM as the evidence provider of `snpkit atls serve`/`proxy` (atls_sim.c). The VMM
 * runs on the thread that calls atls_cvm_run(); any other thread may ask the guest for evidence
 * with atls_cvm_evidence() (an snp_atls_evidence_fn: the EXT_REPORT op of the device channel),
 * one request in the guest at a time.
 */
struct atls_cvm;

/* Boot the default agent CVM of o->state with the vendor's certificates stapled. Prints why
 * not (cli_errorf). SNP_E_IO (state), SNP_E_STATE (launch), SNP_E_NOMEM. */
snp_err atls_cvm_boot(struct atls_cvm **out, struct simopts *o);
/* The launch MEASUREMENT (48 bytes). */
const uint8_t *atls_cvm_measurement(const struct atls_cvm *c);
/* The simulated vendor's certificates for clients (sim_write_certs()). */
snp_err atls_cvm_write_certs(const struct atls_cvm *c, const char *dir);
/* Run the VM on this thread until atls_cvm_stop() (then true) or the guest stops by itself. */
bool atls_cvm_run(struct atls_cvm *c);
/* Make atls_cvm_run() return soon: the guest gets SHUTDOWN. Async-signal-safe. */
void atls_cvm_stop(struct atls_cvm *c);
/* @ctx: the struct atls_cvm. SNP_E_STATE when the guest is not running; the guest's error;
 * SNP_E_FORMAT for a malformed answer; SNP_E_SPACE when the table exceeds certs_cap. */
snp_err atls_cvm_evidence(void *ctx, const uint8_t report_data[64], uint8_t report[SNP_REPORT_SIZE],
                          uint8_t *certs, size_t certs_cap, size_t *certs_len);
/* NULL is a no-op; atls_cvm_run() MUST have returned. */
void atls_cvm_free(struct atls_cvm *c);

#endif /* SNP_CLI_SIM_INT_H */
