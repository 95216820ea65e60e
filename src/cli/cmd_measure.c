/*
 * cli/cmd_measure.c - `snpkit measure`: the launch MEASUREMENT a real PSP will report for a
 * firmware image, kernel, initrd, command line, vCPU count and type (hardware.md §7, §8).
 *
 * All the work is measure/'s; this file parses options, reads files, and prints. Everything is
 * computed before anything is written, so a refusal never leaves half an output behind.
 */
#include "cli.h"

#include "snpkit/measure.h"
#include "snpkit/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_GUEST_FEATURES 0x1 /* sev-snp-measure's CLI default (hardware.md §11.3) */
#define MAX_INPUT              (UINT64_C(4) << 30)

enum out_fmt { FMT_HEX, FMT_BASE64, FMT_JSON };

struct mopts {
    const char *ovmf, *kernel, *initrd, *append, *svsm, *dump_dir;
    const char *vcpu_type;
    bool have_sig, have_fms, have_vars, snp_ovmf_hash, explain;
    unsigned family, model, stepping, fms_set;
    uint64_t vars_size;
    uint8_t ovmf_hash[48];
    bool have_ovmf_hash;
    enum out_fmt fmt;
    struct snp_measure_params p;
};

static void
measure_usage(FILE *out)
{
    fprintf(
        out,
        "usage: snpkit measure --ovmf FILE [--kernel FILE [--initrd FILE] [--append STR]]\n"
        "         [--vcpus N] [--vcpu-type NAME | --vcpu-sig HEX |\n"
        "          --vcpu-family N --vcpu-model N --vcpu-stepping N]\n"
        "         [--vmm-type qemu|ec2|gce] [--guest-features HEX] [--mode snp|seves|sev]\n"
        "         [--svsm FILE --vars-size N] [--ovmf-hash HEX] [--snp-ovmf-hash]\n"
        "         [--output-format hex|base64|json] [--dump-vmsa DIR] [--explain]\n"
        "\n"
        "Compute the launch MEASUREMENT the AMD security processor will put in the guest's\n"
        "attestation reports (same algorithm and page order as QEMU/KVM, EC2 and GCE).\n"
        "\n"
        "  --ovmf FILE          the firmware image (placed to end at 4 GiB)\n"
        "  --kernel FILE        direct kernel boot: measure the SEV hashes table\n"
        "                       (needs an AmdSev OVMF with an SNP_KERNEL_HASHES section)\n"
        "  --initrd FILE        the initrd (default: none, hashed as empty)\n"
        "  --append STR         the kernel command line (default: none)\n"
        "  --vcpus N            number of vCPUs, 1..%u (default 1)\n"
        "  --vcpu-type NAME     QEMU CPU model, e.g. EPYC-v4, EPYC-Milan, EPYC-Genoa, EPYC-Turin\n"
        "                       (needed for qemu; ec2 and gce put 0x600 in RDX instead)\n"
        "  --vcpu-sig HEX       the CPUID(1).EAX signature instead, e.g. 0x800f12\n"
        "  --vcpu-family/--vcpu-model/--vcpu-stepping N   or the signature from its parts\n"
        "  --vmm-type T         qemu (default), ec2 or gce\n"
        "  --guest-features HEX SEV_FEATURES of the VMSAs. DEFAULT 0x1 (SNPActive only), as\n"
        "                       sev-snp-measure's CLI and QEMU with KVM_SEV_INIT2; older\n"
        "                       KVM/QEMU stacks used 0x21 (DebugSwap). Must match your host.\n"
        "  --mode M             snp (default, SHA-384), seves or sev (SHA-256)\n"
        "  --svsm FILE          a coconut SVSM image: SNP:SVSM mode (needs --vars-size)\n"
        "  --vars-size N        size in bytes of the OVMF vars between SVSM and OVMF\n"
        "  --ovmf-hash HEX      start from a precomputed OVMF digest (see --snp-ovmf-hash)\n"
        "  --snp-ovmf-hash      print only the digest after the OVMF pages, then exit\n"
        "  --output-format F    hex (default), base64 or json\n"
        "  --dump-vmsa DIR      also write DIR/vmsa<N>.bin, the VMSA page of each vCPU\n"
        "  --explain            print the pages as measured: region, type, GPA, length,\n"
        "                       running digest (to find where two measurements diverge)\n"
        "  --threads N          hash on N threads (default: online CPUs)\n"
        "\n"
        "QEMU CPU models known: ",
        SNP_MEASURE_MAX_VCPUS);
    for (size_t i = 0; snp_vcpu_type_name(i) != NULL; i++) {
        fprintf(out, "%s%s", i != 0 ? ", " : "", snp_vcpu_type_name(i));
    }
    fprintf(out, "\n\nexit codes: 0 computed, 1 image or parameters unusable for a launch,\n"
                 "            2 usage error, 3 I/O error\n");
}

/* Read a whole file, or a pipe or device such as /dev/null (no 64 MiB cap: initrds can be
 * large). Prints its own error. */
static snp_err
read_all(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    size_t cap = 0, n = 0;
    snp_err err = SNP_E_IO;

    *buf = NULL;
    *len = 0;
    if (f == NULL) {
        cli_errorf(path, "cannot open: %s", strerror(errno));
        return SNP_E_IO;
    }
    for (;;) {
        size_t got;

        if (n == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 1u << 20;
            uint8_t *nb;

            if ((uint64_t)cap >= MAX_INPUT) {
                cli_errorf(path, "larger than 4 GiB");
                goto out;
            }
            nb = realloc(b, ncap);
            if (nb == NULL) {
                cli_errorf(path, "out of memory");
                err = SNP_E_NOMEM;
                goto out;
            }
            b = nb;
            cap = ncap;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        cli_errorf(path, "read error: %s", strerror(errno));
        goto out;
    }
    *buf = b;
    *len = n;
    b = NULL; /* transferred */
    err = SNP_OK;
out:
    free(b);
    fclose(f);
    return err;
}

static bool
parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-') {
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

enum {
    O_OVMF = 256,
    O_KERNEL,
    O_INITRD,
    O_APPEND,
    O_VCPUS,
    O_VTYPE,
    O_VSIG,
    O_VFAM,
    O_VMOD,
    O_VSTEP,
    O_VMM,
    O_FEAT,
    O_SVSM,
    O_VARS,
    O_OHASH,
    O_SNP_OHASH,
    O_FMT,
    O_DUMP,
    O_EXPLAIN,
    O_MODE,
    O_THREADS,
    O_HELP
};

static const struct option long_opts[] = {
    {"ovmf", required_argument, NULL, O_OVMF},
    {"kernel", required_argument, NULL, O_KERNEL},
    {"initrd", required_argument, NULL, O_INITRD},
    {"append", required_argument, NULL, O_APPEND},
    {"vcpus", required_argument, NULL, O_VCPUS},
    {"vcpu-type", required_argument, NULL, O_VTYPE},
    {"vcpu-sig", required_argument, NULL, O_VSIG},
    {"vcpu-family", required_argument, NULL, O_VFAM},
    {"vcpu-model", required_argument, NULL, O_VMOD},
    {"vcpu-stepping", required_argument, NULL, O_VSTEP},
    {"vmm-type", required_argument, NULL, O_VMM},
    {"guest-features", required_argument, NULL, O_FEAT},
    {"svsm", required_argument, NULL, O_SVSM},
    {"vars-size", required_argument, NULL, O_VARS},
    {"ovmf-hash", required_argument, NULL, O_OHASH},
    {"snp-ovmf-hash", no_argument, NULL, O_SNP_OHASH},
    {"output-format", required_argument, NULL, O_FMT},
    {"dump-vmsa", required_argument, NULL, O_DUMP},
    {"explain", no_argument, NULL, O_EXPLAIN},
    {"mode", required_argument, NULL, O_MODE},
    {"threads", required_argument, NULL, O_THREADS},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

/* One option; returns -1 to go on, else the exit code. */
static int
take_opt(struct mopts *o, int c, const char *arg)
{
    uint64_t v = 0;
    size_t n = 0;

    switch (c) {
    case O_OVMF:
        o->ovmf = arg;
        break;
    case O_KERNEL:
        o->kernel = arg;
        break;
    case O_INITRD:
        o->initrd = arg;
        break;
    case O_APPEND:
        o->append = arg;
        break;
    case O_SVSM:
        o->svsm = arg;
        break;
    case O_DUMP:
        o->dump_dir = arg;
        break;
    case O_VTYPE:
        o->vcpu_type = arg;
        break;
    case O_SNP_OHASH:
        o->snp_ovmf_hash = true;
        break;
    case O_EXPLAIN:
        o->explain = true;
        break;
    case O_VCPUS:
        if (!parse_u64(arg, 10, SNP_MEASURE_MAX_VCPUS, &v) || v == 0) {
            cli_errorf(NULL, "--vcpus: want 1..%u, got '%s'", SNP_MEASURE_MAX_VCPUS, arg);
            return CLI_EXIT_USAGE;
        }
        o->p.vcpus = (uint32_t)v;
        break;
    case O_VSIG:
        if (!parse_u64(arg, 16, UINT32_MAX, &v)) {
            cli_errorf(NULL, "--vcpu-sig: want a 32-bit hex value, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        o->p.vcpu_sig = (uint32_t)v;
        o->have_sig = true;
        break;
    case O_VFAM:
    case O_VMOD:
    case O_VSTEP:
        if (!parse_u64(arg, 0, c == O_VFAM ? 0xFF + 0xF : c == O_VMOD ? 0xFF : 0xF, &v)) {
            cli_errorf(NULL, "--vcpu-%s: out of range: '%s'",
                       c == O_VFAM   ? "family"
                       : c == O_VMOD ? "model"
                                     : "stepping",
                       arg);
            return CLI_EXIT_USAGE;
        }
        *(c == O_VFAM ? &o->family : c == O_VMOD ? &o->model : &o->stepping) = (unsigned)v;
        o->fms_set |= c == O_VFAM ? 1u : c == O_VMOD ? 2u : 4u;
        break;
    case O_VMM:
        if (strcmp(arg, "qemu") == 0) {
            o->p.vmm = SNP_VMM_QEMU;
        } else if (strcmp(arg, "ec2") == 0) {
            o->p.vmm = SNP_VMM_EC2;
        } else if (strcmp(arg, "gce") == 0) {
            o->p.vmm = SNP_VMM_GCE;
        } else {
            cli_errorf(NULL, "--vmm-type: want qemu, ec2 or gce, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        break;
    case O_FEAT:
        if (!parse_u64(arg, 16, UINT64_MAX, &v)) {
            cli_errorf(NULL, "--guest-features: want a hex value, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        o->p.guest_features = v;
        break;
    case O_VARS:
        if (!parse_u64(arg, 0, MAX_INPUT, &v)) {
            cli_errorf(NULL, "--vars-size: want a byte count, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        o->vars_size = v;
        o->have_vars = true;
        break;
    case O_OHASH:
        if (snp_hex_decode(o->ovmf_hash, sizeof(o->ovmf_hash), &n, arg, strlen(arg), NULL) !=
                SNP_OK ||
            n != 48) {
            cli_errorf(NULL, "--ovmf-hash: want 48 bytes of hex (96 digits)");
            return CLI_EXIT_USAGE;
        }
        o->have_ovmf_hash = true;
        break;
    case O_FMT:
        if (strcmp(arg, "hex") == 0) {
            o->fmt = FMT_HEX;
        } else if (strcmp(arg, "base64") == 0) {
            o->fmt = FMT_BASE64;
        } else if (strcmp(arg, "json") == 0) {
            o->fmt = FMT_JSON;
        } else {
            cli_errorf(NULL, "--output-format: want hex, base64 or json, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        break;
    case O_MODE:
        if (strcmp(arg, "snp") == 0) {
            o->p.mode = SNP_MEASURE_MODE_SNP;
        } else if (strcmp(arg, "seves") == 0) {
            o->p.mode = SNP_MEASURE_MODE_SEV_ES;
        } else if (strcmp(arg, "sev") == 0) {
            o->p.mode = SNP_MEASURE_MODE_SEV;
        } else {
            cli_errorf(NULL, "--mode: want snp, seves or sev, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        break;
    case O_THREADS:
        if (!parse_u64(arg, 10, 64, &v) || v == 0) {
            cli_errorf(NULL, "--threads: want 1..64, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        o->p.threads = (unsigned)v;
        break;
    case O_HELP:
        measure_usage(stdout);
        return CLI_EXIT_OK;
    default:
        fprintf(stderr, "see 'snpkit measure --help'\n");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* Cross-option rules; returns -1 when the combination is usable. */
static int
check_opts(struct mopts *o)
{
    int nsig = (o->vcpu_type != NULL) + o->have_sig + (o->fms_set != 0);

    if (o->ovmf == NULL) {
        cli_errorf(NULL, "--ovmf FILE is required (see 'snpkit measure --help')");
        return CLI_EXIT_USAGE;
    }
    if (nsig > 1) {
        cli_errorf(NULL, "give only one of --vcpu-type, --vcpu-sig, --vcpu-family/model/stepping");
        return CLI_EXIT_USAGE;
    }
    if (o->fms_set != 0 && o->fms_set != 7) {
        cli_errorf(NULL, "--vcpu-family, --vcpu-model and --vcpu-stepping go together");
        return CLI_EXIT_USAGE;
    }
    if (o->vcpu_type != NULL && snp_vcpu_sig_lookup(o->vcpu_type, &o->p.vcpu_sig) != SNP_OK) {
        cli_errorf(NULL, "--vcpu-type: unknown CPU model '%s' (see --help for the list)",
                   o->vcpu_type);
        return CLI_EXIT_USAGE;
    }
    if (o->fms_set == 7) {
        o->p.vcpu_sig = snp_vcpu_sig(o->family, o->model, o->stepping);
    }
    if (nsig == 0 && !o->snp_ovmf_hash && o->p.mode != SNP_MEASURE_MODE_SEV &&
        (o->p.vmm == SNP_VMM_QEMU || o->svsm != NULL)) {
        cli_errorf(NULL, "QEMU puts the CPU signature in every VMSA: give --vcpu-type (e.g. "
                         "EPYC-v4), --vcpu-sig or --vcpu-family/model/stepping");
        return CLI_EXIT_USAGE;
    }
    if ((o->initrd != NULL || o->append != NULL) && o->kernel == NULL) {
        cli_errorf(NULL, "--initrd and --append are measured only with --kernel");
        return CLI_EXIT_USAGE;
    }
    if ((o->svsm != NULL) != o->have_vars) {
        cli_errorf(NULL, "--svsm and --vars-size go together");
        return CLI_EXIT_USAGE;
    }
    if ((o->svsm != NULL || o->have_ovmf_hash) && o->p.mode != SNP_MEASURE_MODE_SNP) {
        cli_errorf(NULL, "--svsm and --ovmf-hash apply to --mode snp only");
        return CLI_EXIT_USAGE;
    }
    if (o->explain && o->p.mode != SNP_MEASURE_MODE_SNP) {
        cli_errorf(NULL, "--explain lists the SNP page chain: it needs --mode snp");
        return CLI_EXIT_USAGE;
    }
    if (o->dump_dir != NULL && o->p.mode == SNP_MEASURE_MODE_SEV) {
        cli_errorf(NULL, "--dump-vmsa: SEV (without -ES) has no VMSA");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* ---- --explain: consecutive pages of one region and type are one line ---------------------- */

struct explain {
    FILE *out;
    bool json;
    bool open, any;
    struct snp_ld_step first, last;
    uint64_t pages;
};

static void
explain_flush(struct explain *e)
{
    char hex[97];

    if (!e->open) {
        return;
    }
    if (snp_hex_encode(hex, sizeof(hex), e->last.digest, 48) != SNP_OK) {
        hex[0] = '\0';
    }
    if (e->json) {
        fprintf(e->out, "%s\n    {\"step\": %llu, \"region\": ", e->any ? "," : "",
                (unsigned long long)e->first.index);
        cli_json_str(e->out, e->first.what != NULL ? e->first.what : "");
        fprintf(e->out,
                ", \"type\": \"%s\", \"gpa\": \"0x%llx\", \"length\": %llu, \"digest\": \"%s\"}",
                snp_page_type_name(e->first.page_type), (unsigned long long)e->first.gpa,
                (unsigned long long)(e->pages * SNP_MEASURE_PAGE), hex);
    } else {
        fprintf(e->out, "%6llu  %-17s %-10s gpa 0x%012llx  len 0x%08llx  %s\n",
                (unsigned long long)e->first.index, e->first.what != NULL ? e->first.what : "-",
                snp_page_type_name(e->first.page_type), (unsigned long long)e->first.gpa,
                (unsigned long long)(e->pages * SNP_MEASURE_PAGE), hex);
    }
    e->any = true;
    e->open = false;
}

static void
explain_step(void *arg, const struct snp_ld_step *st)
{
    struct explain *e = arg;

    if (e->open && st->page_type == e->last.page_type && st->what == e->last.what &&
        st->page_type != SNP_PAGE_TYPE_VMSA && st->gpa == e->last.gpa + SNP_MEASURE_PAGE) {
        e->last = *st;
        e->pages++;
        return;
    }
    explain_flush(e);
    e->first = *st;
    e->last = *st;
    e->pages = 1;
    e->open = true;
}

/* ---- output ------------------------------------------------------------------------------- */

static void
print_json_head(const struct mopts *o)
{
    static const char *const modes[] = {"snp", "seves", "sev"};
    static const char *const vmms[] = {"qemu", "ec2", "gce"};

    printf("{\n  \"mode\": \"%s%s\",\n", modes[o->p.mode], o->svsm != NULL ? ":svsm" : "");
    printf("  \"vmm_type\": \"%s\",\n  \"vcpus\": %u,\n  \"vcpu_sig\": \"0x%x\",\n", vmms[o->p.vmm],
           o->p.vcpus, o->p.vcpu_sig);
    printf("  \"guest_features\": \"0x%llx\",\n", (unsigned long long)o->p.guest_features);
    printf("  \"kernel_hashes\": %s,\n", o->p.hashes != NULL ? "true" : "false");
}

static int
print_digest(const struct mopts *o, const char *key, const uint8_t *d, size_t n)
{
    char text[2 * SNP_MEASURE_MAX_OUT + 1];
    snp_err err;

    if (o->fmt == FMT_JSON) {
        printf("  \"%s\": ", key);
        cli_json_hex(stdout, d, n);
        printf("\n}\n");
        return CLI_EXIT_OK;
    }
    err = o->fmt == FMT_BASE64 ? snp_b64_encode(text, sizeof(text), d, n)
                               : snp_hex_encode(text, sizeof(text), d, n);
    if (err != SNP_OK) {
        cli_errorf(NULL, "cannot format the digest (%s)", snp_err_name(err));
        return CLI_EXIT_ENV;
    }
    printf("%s\n", text);
    return CLI_EXIT_OK;
}

static int
refusal(const struct snp_measure_diag *d, snp_err err, const struct mopts *o)
{
    const char *path = d->what == NULL ? NULL : strcmp(d->what, "svsm") == 0 ? o->svsm : o->ovmf;

    if (d->why == SNP_MW_NONE) {
        cli_errorf(path, "%s (%s)", snp_err_str(err), snp_err_name(err));
    } else if (path != NULL) {
        cli_errorf(path, "%s (at offset 0x%zx) (%s)", snp_measure_why_str(d->why), d->off,
                   snp_err_name(err));
    } else {
        cli_errorf(NULL, "%s (%s)", snp_measure_why_str(d->why), snp_err_name(err));
    }
    return cli_exit_for(err);
}

/* Write DIR/vmsa<N>.bin for every vCPU; called only after the measurement succeeded. */
static int
dump_vmsas(const struct mopts *o)
{
    uint8_t page[SNP_VMSA_SIZE];
    struct snp_measure_diag d;
    char path[4096];
    int rc;

    if (mkdir(o->dump_dir, 0755) != 0 && errno != EEXIST) {
        cli_errorf(o->dump_dir, "cannot create directory: %s", strerror(errno));
        return CLI_EXIT_ENV;
    }
    for (uint32_t i = 0; i < o->p.vcpus; i++) {
        snp_err err = snp_measure_vmsa(&o->p, i, page, &d);
        if (err != SNP_OK) {
            return refusal(&d, err, o);
        }
        snprintf(path, sizeof(path), "%s/vmsa%u.bin", o->dump_dir, i);
        rc = cli_write_output(path, page, sizeof(page), true);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    return CLI_EXIT_OK;
}

static int
run(struct mopts *o, uint8_t *files[4], size_t lens[4], struct snp_sev_hashes *h)
{
    uint8_t digest[SNP_MEASURE_MAX_OUT];
    size_t n = 0;
    struct snp_measure_diag d;
    struct explain ex;
    snp_err err;
    int rc;

    if (read_all(o->ovmf, &files[0], &lens[0]) != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    if (o->snp_ovmf_hash) {
        err = snp_measure_ovmf_hash(files[0], lens[0], o->p.threads, digest, &d);
        if (err != SNP_OK) {
            return refusal(&d, err, o);
        }
        if (o->fmt == FMT_JSON) {
            printf("{\n");
        }
        return print_digest(o, "ovmf_hash", digest, 48);
    }
    if ((o->kernel != NULL && read_all(o->kernel, &files[1], &lens[1]) != SNP_OK) ||
        (o->initrd != NULL && read_all(o->initrd, &files[2], &lens[2]) != SNP_OK) ||
        (o->svsm != NULL && read_all(o->svsm, &files[3], &lens[3]) != SNP_OK)) {
        return CLI_EXIT_ENV;
    }
    o->p.ovmf = files[0];
    o->p.ovmf_len = lens[0];
    o->p.svsm = files[3];
    o->p.svsm_len = lens[3];
    o->p.vars_size = o->vars_size;
    o->p.ovmf_hash = o->have_ovmf_hash ? o->ovmf_hash : NULL;
    if (o->kernel != NULL) {
        err = snp_sev_hashes_compute(h, files[1], lens[1], files[2], lens[2], o->append);
        if (err != SNP_OK) {
            cli_errorf(o->kernel, "cannot hash: %s (%s)", snp_err_str(err), snp_err_name(err));
            return cli_exit_for(err);
        }
        o->p.hashes = h;
    }
    memset(&ex, 0, sizeof(ex));
    ex.out = stdout;
    ex.json = o->fmt == FMT_JSON;
    if (o->explain && o->p.mode == SNP_MEASURE_MODE_SNP) {
        /* Trace into a memory stream: nothing is printed unless the whole launch measures. */
        o->p.trace = explain_step;
        o->p.trace_arg = &ex;
    }
    char *trace_text = NULL;
    size_t trace_len = 0;
    if (o->p.trace != NULL) {
        ex.out = open_memstream(&trace_text, &trace_len);
        if (ex.out == NULL) {
            cli_errorf(NULL, "out of memory");
            return CLI_EXIT_ENV;
        }
    }
    err = snp_measure(&o->p, digest, &n, &d);
    if (o->p.trace != NULL) {
        explain_flush(&ex);
        fclose(ex.out);
    }
    if (err != SNP_OK) {
        free(trace_text);
        return refusal(&d, err, o);
    }
    if (o->dump_dir != NULL && (rc = dump_vmsas(o)) != CLI_EXIT_OK) {
        free(trace_text);
        return rc;
    }
    if (o->fmt == FMT_JSON) {
        print_json_head(o);
        if (trace_text != NULL) {
            printf("  \"pages\": [%s\n  ],\n", trace_text);
        }
    } else if (trace_text != NULL) {
        printf(
            "  step  region            type       gpa                 length      digest after\n");
        fputs(trace_text, stdout);
    }
    free(trace_text);
    return print_digest(o, "measurement", digest, n);
}

int
cmd_measure(int argc, char **argv)
{
    struct mopts o;
    struct snp_sev_hashes h;
    uint8_t *files[4] = {NULL, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int c, rc;

    memset(&o, 0, sizeof(o));
    o.p.mode = SNP_MEASURE_MODE_SNP;
    o.p.vmm = SNP_VMM_QEMU;
    o.p.vcpus = 1;
    o.p.guest_features = DEFAULT_GUEST_FEATURES;
    o.p.threads = ncpu > 1 ? (unsigned)(ncpu > 64 ? 64 : ncpu) : 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        rc = take_opt(&o, c == 'h' ? O_HELP : c, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        cli_errorf(NULL, "unexpected argument '%s' (see 'snpkit measure --help')", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    rc = check_opts(&o);
    if (rc >= 0) {
        return rc;
    }
    rc = run(&o, files, lens, &h);
    for (size_t i = 0; i < 4; i++) {
        free(files[i]);
    }
    return rc;
}
