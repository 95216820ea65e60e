/*
 * cli/sim_int.h - what `snpkit sim run` (cmd_sim.c) and `snpkit sim serve` (cmd_sim_serve.c)
 * share: the options, the booted CVM with its chip and vendor, and the helpers that open the
 * chip from --state and staple the vendor's certificates. Internal to cli/.
 */
#ifndef SNP_CLI_SIM_INT_H
#define SNP_CLI_SIM_INT_H

#include "snpkit/err.h"
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

/* `snpkit sim serve` (argv[0] = "serve"). */
int sim_serve(int argc, char **argv);

#endif /* SNP_CLI_SIM_INT_H */
