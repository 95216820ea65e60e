/*
 * cli/main.c - snpkit: one binary, subcommands from a table. main only dispatches; each
 * subcommand lives in cmd_<name>.c and parses its own options.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifndef SNPKIT_VERSION
#define SNPKIT_VERSION "dev"
#endif

static const struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cmds[] = {
    {"report", cmd_report, "decode and show an attestation report"},
    {"verify", cmd_verify, "verify a report: chain, signature, TCB, policy, expected values"},
    {"measure", cmd_measure, "compute the expected launch measurement of an image"},
    {"idblock", cmd_idblock, "create and sign an ID block and ID auth structure"},
    {"kds", cmd_kds, "fetch VCEK/VLEK certificates, chains and CRLs into the store"},
    {"sim", cmd_sim, "run the simulated SNP platform and its guests"},
    {"attack", cmd_attack, "list or run the adversarial-hypervisor scenarios"},
    {"atls", cmd_atls, "attested TLS server, client and proxy"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: snpkit COMMAND [ARGS...]\n\n"
                 "snpkit - an open implementation of the AMD SEV-SNP system.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
    }
    fprintf(out, "  %-9s %s\n", "help", "help COMMAND prints that command's --help");
    fprintf(out, "  %-9s %s\n", "version", "print the version");
    fprintf(out, "\nexit codes: 0 success/verified, 1 evidence rejected, 2 usage error,\n"
                 "            3 environment error (I/O, memory, crypto library)\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("snpkit %s\n", SNPKIT_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        name = argv[2];
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
            if (strcmp(cmds[i].name, name) == 0) {
                char help[] = "--help";
                char *hargv[] = {argv[2], help, NULL};
                return cmds[i].run(2, hargv);
            }
        }
        fprintf(stderr, "snpkit: unknown command '%s' (see 'snpkit --help')\n", name);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(cmds[i].name, name) == 0) {
            return cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "snpkit: unknown command '%s' (see 'snpkit --help')\n", name);
    return CLI_EXIT_USAGE;
}
