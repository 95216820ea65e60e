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
 * The aTLS CVM of `snpkit atls serve`/`proxy` on the simulator (atls_sim.c): the guest runs the
 * TLS server (snp_atls_guest_main()); this process is its untrusted network device. The VMM
 * runs on the thread that calls atls_cvm_run(); the network loop atls_cvm_netloop() on another.
 */
struct atls_cvm;

#define ATLS_CVM_CMDLINE_ECHO  "console=ttyS0 snpkit.app=atls"
#define ATLS_CVM_CMDLINE_PROXY "console=ttyS0 snpkit.app=atls-proxy"

/* Boot the aTLS CVM of o->state (@proxy: atls-proxy, else the echo app) with the vendor's
 * certificates stapled. Prints why not (cli_errorf). SNP_E_IO (state), SNP_E_STATE (launch),
 * SNP_E_NOMEM. */
snp_err atls_cvm_boot(struct atls_cvm **out, struct simopts *o, bool proxy);
/* The launch MEASUREMENT (48 bytes). */
const uint8_t *atls_cvm_measurement(const struct atls_cvm *c);
/* The simulated vendor's certificates for clients (sim_write_certs()). */
snp_err atls_cvm_write_certs(const struct atls_cvm *c, const char *dir);
/* Run the VM on this thread until atls_cvm_stop() (then true) or the guest stops by itself. */
bool atls_cvm_run(struct atls_cvm *c);
/* Make atls_cvm_run() and atls_cvm_netloop() return soon: the guest gets SHUTDOWN.
 * Async-signal-safe. */
void atls_cvm_stop(struct atls_cvm *c);
/* Wait until the guest app is up (its TLS key made, its first evidence fetched): true; false
 * when the VM stopped first. */
bool atls_cvm_wait_ready(struct atls_cvm *c);

struct atls_net_stats {
    uint64_t accepted, refused, closed, messages, bytes_to_backend;
    size_t peak;
};

/*
 * atls_cvm_netloop() - the network device: accept on @lfd (made non-blocking), relay every
 * connection to and from the guest as NET messages, dial @bhost:@bport when the guest asks
 * (NULL: no backend), until atls_cvm_stop(). SNP_OK after a stop; SNP_E_STATE when the VM went
 * away; the guest's refusal of a message; SNP_E_NETWORK (backend address); SNP_E_IO; NOMEM.
 */
snp_err atls_cvm_netloop(struct atls_cvm *c, int lfd, const char *bhost, const char *bport,
                         struct atls_net_stats *st);
/* NULL is a no-op; atls_cvm_run() MUST have returned. */
void atls_cvm_free(struct atls_cvm *c);

#endif /* SNP_CLI_SIM_INT_H */
