/*
 * cli/cmd_sim.c - `snpkit sim`: boot a confidential VM on the simulated SNP platform and attest
 * it (run), or write the default CVM's launch inputs for other tools (export).
 *
 * Glue only: the machine (snpkit/machine.h), the honest VMM (snpkit/vmm.h), the guest program
 * (guest/app.h), the simulated vendor (snpkit/vendor.h) and the verifier (snpkit/verify.h) do
 * the work. The chip's state persists in --state DIR: the vendor's state (docs/vendor.md), the
 * chip seed (chip.seed) and the PSP's NV blob (psp.bin, snp_machine_psp_save), all mode 0600,
 * so a report from one run still verifies against the same root the next day.
 * Exit codes: 0 booted and the report verified; 1 the report was rejected or the guest
 * terminated; 2 usage; 3 environment (state directory, vendor, machine).
 */
#include "cli.h"
#include "sim_int.h"

#include "crypto/crypto.h"
#include "guest/app.h"
#include "snpkit/certtable.h"
#include "snpkit/machine.h"
#include "snpkit/measure.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/vendor.h"
#include "snpkit/verify.h"
#include "snpkit/verify_policy.h"
#include "snpkit/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
sim_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit sim run [--vcpus N] [--product milan|genoa|turin] [--policy HEX]\n"
            "                      [--app agent|kv] [--report-data HEX] [--report-out FILE]\n"
            "                      [--certs-out DIR] [--state DIR] [--rsa-bits N] [--json]\n"
            "                      [--plain]\n"
            "       snpkit sim serve [--listen 127.0.0.1:PORT] [--unix PATH] [--state DIR]\n"
            "                        [--allow-remote] [--json]   (see snpkit sim serve --help)\n"
            "       snpkit sim export DIR\n"
            "\n"
            "run     boot a CVM (the snpkit firmware, kernel and the guest app the measured\n"
            "        command line names), print the launch and its MEASUREMENT, get a report\n"
            "        from inside the guest and verify it against the simulated vendor's root.\n"
            "  --report-data HEX  up to 64 bytes for REPORT_DATA (zero-padded; default zeros)\n"
            "  --report-out FILE  write the raw 1184-byte report\n"
            "  --certs-out DIR    write DIR/vcek.pem, ask.pem, ark.pem (and crl.der)\n"
            "  --state DIR        the chip and vendor state (default: the vendor's default\n"
            "                     directory, e.g. ~/.local/share/snpkit/sim); kept across runs\n"
            "  --rsa-bits N       size of vendor CA keys generated on first use (default 4096)\n"
            "  --json             machine-readable summary (docs/vmm.md)\n"
            "  --plain            SEV off: the same guest in a plain VM (no protection, no\n"
            "                     attestation: report requests fail), the baseline\n"
            "export  write DIR/firmware.fd, kernel.bin, initrd.img, cmdline.txt and launch.json:\n"
            "        the default CVM's inputs for `snpkit measure` or sev-snp-measure.\n"
            "\n"
            "exit codes: 0 verified, 1 rejected or guest terminated, 2 usage, 3 environment\n");
}

/* ---- files in the state directory --------------------------------------------------------- */

static snp_err
read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        return errno == ENOENT ? SNP_E_NOTFOUND : SNP_E_IO;
    }
    *len = fread(buf, 1, cap, f);
    fclose(f);
    return SNP_OK;
}

static snp_err
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ssize_t n;

    if (fd < 0) {
        return SNP_E_IO;
    }
    n = write(fd, buf, len);
    if (close(fd) != 0 || n < 0 || (size_t)n != len) {
        return SNP_E_IO;
    }
    return SNP_OK;
}

static snp_err
path_join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? SNP_E_SPACE : SNP_OK;
}

/* The chip: a seed made once per state directory, the PSP blob restored if there is one. */
snp_err
sim_machine_open(const struct simopts *o, struct sim *s)
{
    struct snp_machine_config c;
    char path[SNP_VENDOR_PATH_MAX + 32];
    uint8_t seed[32], blob[SNP_PSP_STATE_MAX];
    size_t n = 0;
    snp_err err;

    SNP_TRY(path_join(path, sizeof(path), o->state, "chip.seed"));
    err = read_file(path, seed, sizeof(seed), &n);
    if (err == SNP_E_NOTFOUND) {
        SNP_TRY(snp_random(seed, sizeof(seed)));
        SNP_TRY(write_file(path, seed, sizeof(seed), 0600));
        n = sizeof(seed);
    } else if (err != SNP_OK || n != sizeof(seed)) {
        return SNP_E_IO;
    }
    snp_machine_config_default(&c);
    c.product = o->product;
    c.dram_size = (size_t)32 << 20;
    c.guest_max_pages = 0x100000;
    c.max_vms = 2;
    memcpy(c.chip_seed, seed, sizeof(seed));
    c.chip_seed_len = sizeof(seed);
    err = snp_machine_new(&s->m, &c);
    if (err == SNP_OK) {
        err = snp_vendor_chip_add(s->vendor, o->product, seed, sizeof(seed), s->chip_id);
    }
    snp_wipe(seed, sizeof(seed));
    SNP_TRY(err);
    SNP_TRY(path_join(path, sizeof(path), o->state, "psp.bin"));
    err = read_file(path, blob, sizeof(blob), &n);
    if (err == SNP_OK) {
        err = snp_machine_psp_restore(s->m, blob, n);
    } else if (err == SNP_E_NOTFOUND) {
        err = snp_machine_psp_save(s->m, blob, sizeof(blob), &n);
        if (err == SNP_OK) {
            err = write_file(path, blob, n, 0600);
        }
    }
    snp_wipe(blob, sizeof(blob));
    return err;
}

/* ---- the outside world of the guest: a short script on the channel ----------------------- */

struct script {
    const struct simopts *o;
    int step;
    char hello[16];
    uint8_t report[SNP_REPORT_SIZE];
    bool have_report;
    uint8_t report_status; /* the guest's answer to REPORT (an snp_err) */
    bool kv_ok;
    uint8_t sealed[64];
    size_t sealed_len;
};

static void
put_report_req(uint8_t *to, const uint8_t rd[64], size_t *to_len)
{
    memset(to, 0, 4 + 68);
    to[0] = SNP_CHAN_OP_REPORT;
    memcpy(to + 4, rd, 64);
    *to_len = 4 + 68;
}

static snp_err
run_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct script *s = ctx;
    bool kv = strcmp(s->o->app, "kv") == 0;

    (void)cap;
    if (len >= 4 && s->step == 1) {
        s->report_status = from[1];
    }
    if (len < 4) {
        return SNP_E_FORMAT;
    }
    switch (s->step++) {
    case 0: /* HELLO */
        memcpy(s->hello, from + 4, len - 4 < sizeof(s->hello) - 1 ? len - 4 : sizeof(s->hello) - 1);
        put_report_req(to, s->o->report_data, to_len);
        return SNP_OK;
    case 1:
        if (from[1] == SNP_OK && len == 4 + SNP_REPORT_SIZE) {
            memcpy(s->report, from + 4, SNP_REPORT_SIZE);
            s->have_report = true;
        }
        if (kv) { /* PUT "demo" = "hello from the host" */
            memset(to, 0, 4);
            to[0] = SNP_CHAN_OP_KV_PUT;
            to[4] = 4;
            to[5] = 0;
            memcpy(to + 6, "demo", 4);
            memcpy(to + 10, "hello from the host", 19);
            *to_len = 29;
            return SNP_OK;
        }
        break;
    case 2:
        if (kv && from[1] == SNP_OK && len - 4 <= sizeof(s->sealed)) {
            memcpy(s->sealed, from + 4, len - 4);
            s->sealed_len = len - 4;
            memset(to, 0, 4);
            to[0] = SNP_CHAN_OP_KV_GET;
            to[4] = 4;
            memcpy(to + 6, "demo", 4);
            memcpy(to + 10, s->sealed, s->sealed_len);
            *to_len = 10 + s->sealed_len;
            return SNP_OK;
        }
        break;
    case 3:
        s->kv_ok =
            from[1] == SNP_OK && len == 4 + 19 && memcmp(from + 4, "hello from the host", 19) == 0;
        break;
    default:
        break;
    }
    memset(to, 0, 4);
    to[0] = SNP_CHAN_OP_SHUTDOWN;
    *to_len = 4;
    return SNP_OK;
}

static void
run_console(void *ctx, const char *line)
{
    const struct simopts *o = ctx;
    if (!o->json) {
        printf("  guest console: %s\n", line);
    }
}

/* ---- collateral -------------------------------------------------------------------------- */

snp_err
sim_collateral(const struct simopts *o, struct sim *s)
{
    struct snp_cert_blob b[4] = {{SNP_GUID_VCEK_INIT, NULL, 0},
                                 {SNP_GUID_ASK_INIT, NULL, 0},
                                 {SNP_GUID_ARK_INIT, NULL, 0},
                                 {SNP_GUID_CRL_INIT, NULL, 0}};
    uint8_t *table = NULL;
    size_t cap, tlen = 0;
    uint64_t cur = 0;
    snp_err err;

    SNP_TRY(snp_vmm_platform_tcb(s->vmm, &s->reported_tcb, &cur));
    SNP_TRY(snp_vendor_vcek_cert(s->vendor, o->product, s->chip_id,
                                 o->product == SNP_PRODUCT_TURIN ? 8 : 64, s->reported_tcb,
                                 &s->vcek, &s->vcek_len));
    SNP_TRY(snp_vendor_ca_cert(s->vendor, o->product, SNP_VENDOR_ASK, &s->ask, &s->ask_len));
    SNP_TRY(snp_vendor_ca_cert(s->vendor, o->product, SNP_VENDOR_ARK, &s->ark, &s->ark_len));
    SNP_TRY(snp_vendor_crl(s->vendor, o->product, SNP_VENDOR_VCEK, &s->crl, &s->crl_len));
    b[0].data = s->vcek, b[0].len = s->vcek_len;
    b[1].data = s->ask, b[1].len = s->ask_len;
    b[2].data = s->ark, b[2].len = s->ark_len;
    b[3].data = s->crl, b[3].len = s->crl_len;
    cap = s->vcek_len + s->ask_len + s->ark_len + s->crl_len + 5 * SNP_CERT_ENTRY_SIZE;
    table = malloc(cap);
    SNP_ENSURE(table != NULL, SNP_E_NOMEM);
    err = snp_cert_table_encode(table, cap, &tlen, b, 4);
    if (err == SNP_OK) {
        err = snp_vmm_set_certs(s->vmm, table, tlen);
    }
    free(table);
    return err;
}

void
sim_free(struct sim *s)
{
    snp_vmm_free(s->vmm);
    snp_machine_free(s->m);
    snp_vendor_free(s->vendor);
    free(s->vcek);
    free(s->ask);
    free(s->ark);
    free(s->crl);
}

/* PEM of one DER certificate. */
static snp_err
write_pem(const char *path, const uint8_t *der, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = 64 + (len + 2) / 3 * 4 + (len / 48 + 2) + 64, n = 0;
    char *out = malloc(cap);
    snp_err err;

    SNP_ENSURE(out != NULL, SNP_E_NOMEM);
    n += (size_t)sprintf(out, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
                     (i + 2 < len ? der[i + 2] : 0);
        out[n++] = b64[v >> 18 & 63];
        out[n++] = b64[v >> 12 & 63];
        out[n++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
        out[n++] = i + 2 < len ? b64[v & 63] : '=';
        if ((i / 3 + 1) % 16 == 0 || i + 3 >= len) {
            out[n++] = '\n';
        }
    }
    n += (size_t)sprintf(out + n, "-----END CERTIFICATE-----\n");
    err = write_file(path, out, n, 0644);
    free(out);
    return err;
}

snp_err
sim_write_certs(const char *dir, const struct sim *s)
{
    char p[SNP_VENDOR_PATH_MAX + 32];

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return SNP_E_IO;
    }
    SNP_TRY(path_join(p, sizeof(p), dir, "vcek.pem"));
    SNP_TRY(write_pem(p, s->vcek, s->vcek_len));
    SNP_TRY(path_join(p, sizeof(p), dir, "ask.pem"));
    SNP_TRY(write_pem(p, s->ask, s->ask_len));
    SNP_TRY(path_join(p, sizeof(p), dir, "ark.pem"));
    SNP_TRY(write_pem(p, s->ark, s->ark_len));
    SNP_TRY(path_join(p, sizeof(p), dir, "crl.der"));
    return write_file(p, s->crl, s->crl_len, 0644);
}

/* The verdict on the report, with the simulated ARK as the root and the expected values. */
static snp_err
verify(const struct sim *s, const uint8_t report[SNP_REPORT_SIZE], const uint8_t ld[48],
       const uint8_t rd[64], struct snp_verify_result *res)
{
    struct snp_collateral *c = NULL;
    struct snp_verifier *v = NULL;
    struct snp_verify_opts o;
    struct snp_verify_policy p;
    char hex[129];
    snp_err err;

    snp_verify_opts_init(&o);
    o.root = s->ark;
    o.root_len = s->ark_len;
    snp_verify_policy_default(&p);
    err = snp_hex_encode(hex, sizeof(hex), ld, 48);
    if (err == SNP_OK) {
        err = snp_verify_policy_set(&p, "expect-measurement", hex, NULL, 0);
    }
    if (err == SNP_OK) {
        err = snp_hex_encode(hex, sizeof(hex), rd, 64);
    }
    if (err == SNP_OK) {
        err = snp_verify_policy_set(&p, "expect-report-data", hex, NULL, 0);
    }
    if (err == SNP_OK) {
        err = snp_collateral_new(&c);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(c, s->vcek, s->vcek_len);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(c, s->ask, s->ask_len);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(c, s->ark, s->ark_len);
    }
    if (err == SNP_OK) {
        err = snp_collateral_add(c, s->crl, s->crl_len);
    }
    if (err == SNP_OK) {
        err = snp_verifier_new(&v);
    }
    if (err == SNP_OK) {
        err = snp_verify_report(v, report, SNP_REPORT_SIZE, c, &o, &p, res);
    }
    snp_verifier_free(v);
    snp_collateral_free(c);
    return err;
}

static void
print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

static void
print_run(const struct simopts *o, const struct sim *s, const struct script *sc,
          const struct snp_vmm_status *st, const struct snp_verify_result *res, snp_err verdict)
{
    const struct snp_vmm_launch_info *i = snp_vmm_info(s->vmm);

    if (o->json) {
        printf("{\n  \"schema\": \"snpkit.sim.run.v1\",\n  \"product\": \"%s\",\n",
               snp_product_name(o->product));
        printf("  \"vcpus\": %u,\n  \"policy\": \"0x%llx\",\n  \"app\": ", o->vcpus,
               (unsigned long long)o->policy);
        cli_json_str(stdout, sc->hello);
        printf(",\n  \"pages\": {\"normal\": %llu, \"zero\": %llu, \"secrets\": %llu, "
               "\"cpuid\": %llu, \"vmsa\": %llu},\n  \"measurement\": ",
               (unsigned long long)i->pages_normal, (unsigned long long)i->pages_zero,
               (unsigned long long)i->pages_secrets, (unsigned long long)i->pages_cpuid,
               (unsigned long long)i->pages_vmsa);
        cli_json_hex(stdout, i->measurement, 48);
        printf(",\n  \"guest_stop\": %d,\n  \"report\": ", (int)st->stop);
        if (sc->have_report) {
            cli_json_hex(stdout, sc->report, SNP_REPORT_SIZE);
        } else {
            printf("null");
        }
        printf(",\n  \"verdict\": ");
        cli_json_str(stdout, verdict == SNP_OK ? "verified" : snp_err_name(verdict));
        printf("\n}\n");
        return;
    }
    printf("launch: %llu NORMAL, %llu ZERO, %llu SECRETS, %llu CPUID, %llu VMSA pages "
           "(%u vCPU, policy 0x%llx, %s)\n",
           (unsigned long long)i->pages_normal, (unsigned long long)i->pages_zero,
           (unsigned long long)i->pages_secrets, (unsigned long long)i->pages_cpuid,
           (unsigned long long)i->pages_vmsa, o->vcpus, (unsigned long long)o->policy,
           snp_product_name(o->product));
    printf("MEASUREMENT: ");
    print_hex(i->measurement, 48);
    printf("\nguest app: %s\n", sc->hello);
    if (strcmp(o->app, "kv") == 0) {
        printf("kv: PUT/GET of a sealed value %s\n", sc->kv_ok ? "ok" : "FAILED");
    }
    if (st->stop == SNP_VMM_STOP_TERMINATED) {
        printf("guest terminated: reason set %u code %u\n", st->term_set, st->term_code);
    }
    if (res != NULL && sc->have_report) {
        for (size_t k = 0; k < res->n; k++) {
            if (res->checks[k].status != SNP_CHECK_PASS) {
                printf("  %-5s %s: %s\n", snp_check_status_name(res->checks[k].status),
                       res->checks[k].name, res->checks[k].detail);
            }
        }
    }
    printf("verdict: %s\n",
           verdict == SNP_OK ? "VERIFIED (simulated vendor root)" : snp_err_str(verdict));
}

/* --plain: no attestation to verify; the guest ran (and kv worked) or not. */
static int
print_plain(const struct simopts *o, const struct script *sc, const struct snp_vmm_status *st)
{
    bool kv = strcmp(o->app, "kv") == 0;
    bool ok = st->stop == SNP_VMM_STOP_SHUTDOWN && (!kv || sc->kv_ok);

    if (o->json) {
        printf("{\n  \"schema\": \"snpkit.sim.run.v1\",\n  \"mode\": \"plain\",\n  "
               "\"vcpus\": %u,\n  \"app\": ",
               o->vcpus);
        cli_json_str(stdout, sc->hello);
        printf(",\n  \"guest_stop\": %d,\n  \"report\": null,\n  \"report_error\": ",
               (int)st->stop);
        cli_json_str(stdout, snp_err_name((snp_err)sc->report_status));
        if (kv) {
            printf(",\n  \"kv\": %s", sc->kv_ok ? "true" : "false");
        }
        printf(",\n  \"verdict\": \"not-attested\"\n}\n");
        return ok ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
    }
    printf("plain VM (SEV off): no encryption, no RMP, no PSP launch; the host can read and\n"
           "change all guest memory and registers\n");
    printf("guest app: %s\n", sc->hello);
    printf("report request: %s (no PSP attestation in a plain VM)\n",
           snp_err_str((snp_err)sc->report_status));
    if (kv) {
        printf("kv: PUT/GET of a value %s (sealing key held in guest memory)\n",
               sc->kv_ok ? "ok" : "FAILED");
    }
    printf("verdict: NOT ATTESTED (plain VM)\n");
    return ok ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
}

static int
sim_run(struct simopts *o)
{
    struct sim s;
    struct snp_vendor_opts vo;
    struct snp_vmm_launch l;
    struct snp_vmm_status st;
    struct script sc;
    struct snp_verify_result *res = NULL;
    char cmdline[64];
    uint32_t fw = 0;
    snp_err err, verdict = SNP_E_STATE;
    int rc = CLI_EXIT_ENV;

    memset(&s, 0, sizeof(s));
    memset(&sc, 0, sizeof(sc));
    memset(&st, 0, sizeof(st));
    sc.o = o;
    if (o->state[0] == '\0' && snp_vendor_state_default(o->state, sizeof(o->state)) != SNP_OK) {
        cli_errorf(NULL, "no state directory: give --state DIR");
        return CLI_EXIT_ENV;
    }
    memset(&vo, 0, sizeof(vo));
    vo.state_dir = o->state;
    vo.rsa_bits = o->rsa_bits;
    err = snp_vendor_open(&s.vendor, &vo);
    if (err == SNP_OK) {
        err = sim_machine_open(o, &s);
    }
    if (err != SNP_OK) {
        cli_errorf(o->state, "cannot open the simulated chip: %s", snp_err_str(err));
        goto out;
    }
    snprintf(cmdline, sizeof(cmdline), "console=ttyS0 snpkit.app=%s", o->app);
    snp_vmm_launch_default(&l);
    l.cmdline = cmdline;
    l.vcpus = o->vcpus;
    l.policy = o->policy;
    l.entry = snp_guest_app_main;
    l.plain = o->plain;
    err = snp_vmm_new(&s.vmm, s.m, &l, &fw);
    if (err != SNP_OK) {
        cli_errorf(NULL, "launch failed: %s (firmware status 0x%x)", snp_err_str(err), fw);
        rc = err == SNP_E_STATE ? CLI_EXIT_REJECTED : CLI_EXIT_ENV;
        goto out;
    }
    err = sim_collateral(o, &s);
    if (err != SNP_OK) {
        cli_errorf(o->state, "vendor certificates: %s", snp_err_str(err));
        goto out;
    }
    snp_vmm_set_channel(s.vmm, run_chan, &sc);
    snp_vmm_set_console(s.vmm, run_console, o);
    err = snp_vmm_run(s.vmm, 0, &st);
    if (err != SNP_OK) {
        cli_errorf(NULL, "VM run failed: %s", snp_err_str(err));
        goto out;
    }
    if (o->plain) {
        rc = print_plain(o, &sc, &st);
        goto out;
    }
    res = calloc(1, sizeof(*res));
    if (res == NULL) {
        goto out;
    }
    if (sc.have_report) {
        verdict = verify(&s, sc.report, snp_vmm_info(s.vmm)->measurement, o->report_data, res);
    }
    print_run(o, &s, &sc, &st, res, verdict);
    rc = verdict == SNP_OK ? CLI_EXIT_OK : cli_exit_for(verdict);
    if (!sc.have_report || (strcmp(o->app, "kv") == 0 && !sc.kv_ok)) {
        rc = CLI_EXIT_REJECTED;
    }
    if (sc.have_report && o->report_out != NULL &&
        cli_write_output(o->report_out, sc.report, SNP_REPORT_SIZE, true) != 0) {
        rc = CLI_EXIT_ENV;
    }
    if (o->certs_out != NULL && sim_write_certs(o->certs_out, &s) != SNP_OK) {
        cli_errorf(o->certs_out, "cannot write the certificates");
        rc = CLI_EXIT_ENV;
    }
out:
    free(res);
    sim_free(&s);
    return rc;
}

static int
sim_export(const char *dir)
{
    struct snp_vmm_launch l;
    uint8_t *fw = malloc(SNP_VMM_FW_SIZE);
    const uint8_t *k, *i;
    size_t klen = 0, ilen = 0;
    char p[4096], json[512];
    snp_err err = SNP_E_NOMEM;
    int n;

    if (fw == NULL) {
        return CLI_EXIT_ENV;
    }
    snp_vmm_launch_default(&l);
    snp_vmm_fw_build(fw);
    k = snp_vmm_default_kernel(&klen);
    i = snp_vmm_default_initrd(&ilen);
    n = snprintf(json, sizeof(json),
                 "{\n  \"vcpus\": %u,\n  \"vcpu_type\": \"EPYC-Genoa\",\n  \"vcpu_sig\": "
                 "\"0x%x\",\n  \"vmm_type\": \"qemu\",\n  \"guest_features\": \"0x%llx\",\n"
                 "  \"policy\": \"0x%llx\",\n  \"ovmf\": \"firmware.fd\",\n  \"kernel\": "
                 "\"kernel.bin\",\n  \"initrd\": \"initrd.img\",\n  \"append\": \"%s\"\n}\n",
                 l.vcpus, l.vcpu_sig, (unsigned long long)l.guest_features,
                 (unsigned long long)l.policy, SNP_VMM_DEFAULT_CMDLINE);
    err = (mkdir(dir, 0755) == 0 || errno == EEXIST) ? SNP_OK : SNP_E_IO;
    if (err == SNP_OK && (err = path_join(p, sizeof(p), dir, "firmware.fd")) == SNP_OK) {
        err = write_file(p, fw, SNP_VMM_FW_SIZE, 0644);
    }
    if (err == SNP_OK && (err = path_join(p, sizeof(p), dir, "kernel.bin")) == SNP_OK) {
        err = write_file(p, k, klen, 0644);
    }
    if (err == SNP_OK && (err = path_join(p, sizeof(p), dir, "initrd.img")) == SNP_OK) {
        err = write_file(p, i, ilen, 0644);
    }
    if (err == SNP_OK && (err = path_join(p, sizeof(p), dir, "cmdline.txt")) == SNP_OK) {
        err = write_file(p, SNP_VMM_DEFAULT_CMDLINE, strlen(SNP_VMM_DEFAULT_CMDLINE), 0644);
    }
    if (err == SNP_OK && (err = path_join(p, sizeof(p), dir, "launch.json")) == SNP_OK) {
        err = write_file(p, json, (size_t)n, 0644);
    }
    free(fw);
    if (err != SNP_OK) {
        cli_errorf(dir, "cannot write the launch inputs: %s", snp_err_str(err));
        return CLI_EXIT_ENV;
    }
    return CLI_EXIT_OK;
}

enum {
    O_VCPUS = 256,
    O_PRODUCT,
    O_POLICY,
    O_APP,
    O_RD,
    O_ROUT,
    O_COUT,
    O_STATE,
    O_RSA,
    O_JSON,
    O_PLAIN,
    O_HELP
};

static const struct option sim_opts[] = {
    {"vcpus", required_argument, NULL, O_VCPUS},
    {"product", required_argument, NULL, O_PRODUCT},
    {"policy", required_argument, NULL, O_POLICY},
    {"app", required_argument, NULL, O_APP},
    {"report-data", required_argument, NULL, O_RD},
    {"report-out", required_argument, NULL, O_ROUT},
    {"certs-out", required_argument, NULL, O_COUT},
    {"state", required_argument, NULL, O_STATE},
    {"rsa-bits", required_argument, NULL, O_RSA},
    {"json", no_argument, NULL, O_JSON},
    {"plain", no_argument, NULL, O_PLAIN},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

/* One option of `sim run`; -1 to go on, else an exit code. */
static int
take(struct simopts *o, int c, const char *arg)
{
    char *end = NULL;
    size_t n = 0;

    switch (c) {
    case O_VCPUS:
        o->vcpus = (uint32_t)strtoul(arg, &end, 10);
        if (*end != '\0' || o->vcpus < 1 || o->vcpus > 8) {
            cli_errorf(NULL, "--vcpus: want 1..8, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        return -1;
    case O_PRODUCT:
        if (snp_product_parse(arg, &o->product) != SNP_OK) {
            cli_errorf(NULL, "--product: unknown product '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        return -1;
    case O_POLICY:
        o->policy = strtoull(arg, &end, 16);
        if (*end != '\0') {
            cli_errorf(NULL, "--policy: not hex: '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        return -1;
    case O_APP:
        if (strcmp(arg, "agent") != 0 && strcmp(arg, "kv") != 0) {
            cli_errorf(NULL, "--app: want agent or kv, got '%s'", arg);
            return CLI_EXIT_USAGE;
        }
        o->app = arg;
        return -1;
    case O_RD:
        if (snp_hex_decode(o->report_data, sizeof(o->report_data), &n, arg, strlen(arg), NULL) !=
            SNP_OK) {
            cli_errorf(NULL, "--report-data: want up to 64 bytes of hex");
            return CLI_EXIT_USAGE;
        }
        return -1;
    case O_ROUT:
        o->report_out = arg;
        return -1;
    case O_COUT:
        o->certs_out = arg;
        return -1;
    case O_STATE:
        if (strlen(arg) >= sizeof(o->state)) {
            cli_errorf(arg, "path too long");
            return CLI_EXIT_USAGE;
        }
        strcpy(o->state, arg);
        return -1;
    case O_RSA:
        o->rsa_bits = (unsigned)strtoul(arg, &end, 10);
        return *end == '\0' ? -1 : CLI_EXIT_USAGE;
    case O_JSON:
        o->json = true;
        return -1;
    case O_PLAIN:
        o->plain = true;
        return -1;
    case O_HELP:
        sim_usage(stdout);
        return CLI_EXIT_OK;
    default:
        sim_usage(stderr);
        return CLI_EXIT_USAGE;
    }
}

int
cmd_sim(int argc, char **argv)
{
    struct simopts o;
    int c, rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        sim_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "export") == 0) {
        if (argc != 3) {
            sim_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        return sim_export(argv[2]);
    }
    if (strcmp(argv[1], "serve") == 0) {
        return sim_serve(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "run") != 0) {
        cli_errorf(NULL, "sim: unknown subcommand '%s' (run, export, serve)", argv[1]);
        return CLI_EXIT_USAGE;
    }
    memset(&o, 0, sizeof(o));
    o.vcpus = 1;
    o.product = SNP_PRODUCT_GENOA;
    o.policy = UINT64_C(0x30000);
    o.app = "agent";
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", sim_opts, NULL)) != -1) {
        rc = take(&o, c, optarg);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind != argc - 1) {
        sim_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return sim_run(&o);
}
