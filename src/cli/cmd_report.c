/*
 * cli/cmd_report.c - `snpkit report show`: every field of an attestation report, by its spec
 * name, as human text, JSON (schema in docs/report-json.md) or a raw layout walk; and
 * `snpkit report example`: an unsigned sample report for trying the tools without hardware.
 *
 * Input may be the raw 1184 bytes, hex or base64 text (the forms users paste).
 */
#include "cli.h"

#include "snpkit/policy.h"
#include "snpkit/report.h"
#include "snpkit/util.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum out_format { OUT_HUMAN, OUT_JSON, OUT_RAW };

struct show_opts {
    enum cli_in_format in;
    enum out_format out;
    enum snp_product product; /* --product, for v2 reports */
};

static void
report_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit report show [--json | --raw] [--product NAME] [--in-format F] FILE|-\n"
            "       snpkit report example [--report-version 2|3|5] [--product NAME] [--force]\n"
            "                             --out FILE|-\n"
            "\n"
            "show: print every field of an ATTESTATION_REPORT with its spec name: version,\n"
            "  policy bits, TCBs decoded per product, platform info, signer info, digests,\n"
            "  chip id, firmware versions and the signature's R and S. It decodes; it does not\n"
            "  verify (see 'snpkit verify').\n"
            "  FILE          the report; '-' reads standard input\n"
            "  --json        stable JSON (schema snpkit.report.v1, docs/report-json.md)\n"
            "  --raw         walk the layout table: offset, size, name, bytes as received\n"
            "  --product P   milan | genoa | turin (siena, bergamo = genoa): the TCB layout of\n"
            "                a version-2 report, which carries no CPUID; v3+ reports name their\n"
            "                product and a conflicting --product is an error\n"
            "  --in-format F auto (default) | bin | hex | base64. auto: exactly 1184 bytes is\n"
            "                binary, else hex text, else base64 text\n"
            "\n"
            "example: write an UNSIGNED sample report (SIGNING_KEY = none, zero signature),\n"
            "  for trying 'show' without hardware. Binary is not written to a terminal unless\n"
            "  --force. Defaults: --report-version 3 --product genoa.\n"
            "\n"
            "exit codes: 0 decoded, 1 not a valid report, 2 usage error, 3 I/O error\n");
}

/* ---- human output ------------------------------------------------------------------------- */

#define LABEL_W 20

static void
put_hex_field(FILE *o, const char *name, const uint8_t *p, size_t n)
{
    char buf[2 * 64 + 1];

    for (size_t off = 0; off < n; off += 32) {
        size_t k = n - off < 32 ? n - off : 32;
        if (snp_hex_encode(buf, sizeof(buf), p + off, k) != SNP_OK) {
            buf[0] = '\0';
        }
        fprintf(o, "  %-*s %s\n", LABEL_W, off == 0 ? name : "", buf);
    }
}

/* The policy's flag bits: without the ABI version bytes and the must-be-one bit 17. */
static uint64_t
policy_flag_bits(uint64_t policy)
{
    return policy & ~(SNP_POLICY_ABI_MAJOR_MASK | SNP_POLICY_ABI_MINOR_MASK | SNP_POLICY_RSVD_MBO);
}

/* The name of bit i in a table, or NULL. */
static const char *
bit_name(unsigned i, const struct snp_bit_name *names)
{
    for (const struct snp_bit_name *b = names; b->name != NULL; b++) {
        if (b->bit == i) {
            return b->name;
        }
    }
    return NULL;
}

/* Set bits by name; bits without a name print as "bitN" so nothing set goes unseen. */
static void
put_bits(FILE *o, uint64_t v, const struct snp_bit_name *names)
{
    bool first = true;

    for (unsigned i = 0; i < 64; i++) {
        if ((v >> i) & 1) {
            const char *n = bit_name(i, names);
            if (n != NULL) {
                fprintf(o, "%s%s", first ? "  " : " ", n);
            } else {
                fprintf(o, "%sbit%u", first ? "  " : " ", i);
            }
            first = false;
        }
    }
}

static void
put_tcb(FILE *o, const char *name, uint64_t raw, enum snp_product product)
{
    struct snp_tcb t;

    fprintf(o, "  %-*s 0x%016llx", LABEL_W, name, (unsigned long long)raw);
    if (snp_tcb_decode(&t, raw, product) == SNP_OK) {
        if (product == SNP_PRODUCT_TURIN) {
            fprintf(o, "  fmc=%u", t.fmc);
            fprintf(o, " bl=%u", t.boot_loader);
        } else {
            fprintf(o, "  bl=%u", t.boot_loader);
        }
        fprintf(o, " tee=%u snp=%u ucode=%u", t.tee, t.snp, t.microcode);
        if (!snp_tcb_reserved_zero(&t)) {
            fprintf(o, " (reserved bytes non-zero)");
        }
    }
    fputc('\n', o);
}

struct product_view {
    enum snp_product product; /* what the report (or --product) says; may be UNKNOWN */
    enum snp_product layout;  /* the TCB layout used: product, or Milan/Genoa when unknown */
    const char *source;       /* "cpuid", "option", "assumed" */
};

static void
show_human(FILE *o, const char *path, const struct snp_report *r, const struct product_view *pv,
           snp_err strict, size_t strict_off)
{
    struct snp_signer_info si;
    uint8_t rbe[SNP_P384_SIZE];
    uint8_t sbe[SNP_P384_SIZE];

    fprintf(o, "ATTESTATION_REPORT %s (%d bytes)\n", path, SNP_REPORT_SIZE);
    fprintf(o, "  %-*s %u\n", LABEL_W, "VERSION", r->version);
    if (r->version >= 3) {
        fprintf(o, "  %-*s %s (CPUID family 0x%02x model 0x%02x stepping %u)\n", LABEL_W, "product",
                pv->product == SNP_PRODUCT_UNKNOWN ? "unknown" : snp_product_name(pv->product),
                r->cpuid_fam_id, r->cpuid_mod_id, r->cpuid_step);
    } else if (strcmp(pv->source, "option") == 0) {
        fprintf(o, "  %-*s %s (from --product; a v2 report carries no CPUID)\n", LABEL_W, "product",
                snp_product_name(pv->product));
    } else {
        fprintf(o,
                "  %-*s unknown (v2 report: no CPUID; TCBs shown in the Milan/Genoa layout,"
                " use --product turin for Turin)\n",
                LABEL_W, "product");
    }
    fprintf(o, "  %-*s %u\n", LABEL_W, "GUEST_SVN", r->guest_svn);
    fprintf(o, "  %-*s 0x%016llx  ABI %u.%u", LABEL_W, "POLICY", (unsigned long long)r->policy,
            snp_policy_abi_major(r->policy), snp_policy_abi_minor(r->policy));
    put_bits(o, policy_flag_bits(r->policy), snp_policy_bit_names);
    fputc('\n', o);
    put_hex_field(o, "FAMILY_ID", r->family_id, sizeof(r->family_id));
    put_hex_field(o, "IMAGE_ID", r->image_id, sizeof(r->image_id));
    fprintf(o, "  %-*s %u\n", LABEL_W, "VMPL", r->vmpl);
    fprintf(o, "  %-*s %u%s\n", LABEL_W, "SIGNATURE_ALGO", r->signature_algo,
            r->signature_algo == SNP_SIG_ALGO_ECDSA_P384_SHA384 ? " (ECDSA P-384 with SHA-384)"
                                                                : " (unknown)");
    put_tcb(o, "CURRENT_TCB", r->current_tcb, pv->layout);
    fprintf(o, "  %-*s 0x%016llx", LABEL_W, "PLATFORM_INFO", (unsigned long long)r->platform_info);
    put_bits(o, r->platform_info, snp_platform_bit_names);
    fputc('\n', o);
    if (snp_signer_info_decode(&si, r->signer_info) == SNP_OK) {
        fprintf(o, "  %-*s 0x%08x  SIGNING_KEY=%s AUTHOR_KEY_EN=%u MASK_CHIP_KEY=%u\n", LABEL_W,
                "signer info", r->signer_info, snp_signing_key_name(si.signing_key),
                si.author_key_en, si.mask_chip_key);
    } else {
        fprintf(o, "  %-*s 0x%08x  (reserved bits or SIGNING_KEY value set)\n", LABEL_W,
                "signer info", r->signer_info);
    }
    put_hex_field(o, "REPORT_DATA", r->report_data, sizeof(r->report_data));
    put_hex_field(o, "MEASUREMENT", r->measurement, sizeof(r->measurement));
    put_hex_field(o, "HOST_DATA", r->host_data, sizeof(r->host_data));
    put_hex_field(o, "ID_KEY_DIGEST", r->id_key_digest, sizeof(r->id_key_digest));
    put_hex_field(o, "AUTHOR_KEY_DIGEST", r->author_key_digest, sizeof(r->author_key_digest));
    put_hex_field(o, "REPORT_ID", r->report_id, sizeof(r->report_id));
    put_hex_field(o, "REPORT_ID_MA", r->report_id_ma, sizeof(r->report_id_ma));
    put_tcb(o, "REPORTED_TCB", r->reported_tcb, pv->layout);
    put_hex_field(o, "CHIP_ID", r->chip_id, sizeof(r->chip_id));
    if (snp_ct_is_zero(r->chip_id, sizeof(r->chip_id))) {
        fprintf(o, "  %-*s (all zero: MASK_CHIP_ID set, or a VLEK-signed report)\n", LABEL_W, "");
    }
    put_tcb(o, "COMMITTED_TCB", r->committed_tcb, pv->layout);
    fprintf(o, "  %-*s %u.%u build %u\n", LABEL_W, "CURRENT version", r->current_major,
            r->current_minor, r->current_build);
    fprintf(o, "  %-*s %u.%u build %u\n", LABEL_W, "COMMITTED version", r->committed_major,
            r->committed_minor, r->committed_build);
    put_tcb(o, "LAUNCH_TCB", r->launch_tcb, pv->layout);
    if (r->version >= 5) {
        fprintf(o, "  %-*s 0x%016llx\n", LABEL_W, "LAUNCH_MIT_VECTOR",
                (unsigned long long)r->launch_mit_vector);
        fprintf(o, "  %-*s 0x%016llx\n", LABEL_W, "CURRENT_MIT_VECTOR",
                (unsigned long long)r->current_mit_vector);
    }
    for (size_t i = 0; i < SNP_P384_SIZE; i++) {
        rbe[i] = r->signature.r[SNP_P384_SIZE - 1 - i];
        sbe[i] = r->signature.s[SNP_P384_SIZE - 1 - i];
    }
    put_hex_field(o, "SIGNATURE R", rbe, sizeof(rbe));
    put_hex_field(o, "SIGNATURE S", sbe, sizeof(sbe));
    if (strict == SNP_OK) {
        fprintf(o, "  %-*s ok (reserved bytes zero, policy bit 17 set, VMPL in range)\n", LABEL_W,
                "strict form");
    } else {
        fprintf(o, "  %-*s NOT strict: offset 0x%03zx: %s (%s)\n", LABEL_W, "strict form",
                strict_off, snp_err_str(strict), snp_err_name(strict));
    }
    fprintf(o, "  %-*s decoded only; the signature and chain are not verified here\n", LABEL_W,
            "note");
}

/* ---- JSON output -------------------------------------------------------------------------- */

static void
json_u64(FILE *o, const char *key, uint64_t v, bool comma)
{
    fprintf(o, "  \"%s\": \"0x%016llx\"%s\n", key, (unsigned long long)v, comma ? "," : "");
}

static void
json_hex(FILE *o, const char *key, const uint8_t *p, size_t n)
{
    fprintf(o, "  \"%s\": ", key);
    cli_json_hex(o, p, n);
    fputs(",\n", o);
}

static void
json_bits(FILE *o, uint64_t v, const struct snp_bit_name *names)
{
    bool first = true;

    fputc('[', o);
    for (unsigned i = 0; i < 64; i++) {
        if ((v >> i) & 1) {
            const char *n = bit_name(i, names);
            if (n != NULL) {
                fprintf(o, "%s\"%s\"", first ? "" : ", ", n);
            } else {
                fprintf(o, "%s\"bit%u\"", first ? "" : ", ", i);
            }
            first = false;
        }
    }
    fputc(']', o);
}

static void
json_tcb(FILE *o, const char *key, uint64_t raw, enum snp_product product)
{
    struct snp_tcb t;

    fprintf(o, "  \"%s\": {\"raw\": \"0x%016llx\"", key, (unsigned long long)raw);
    if (snp_tcb_decode(&t, raw, product) == SNP_OK) {
        if (product == SNP_PRODUCT_TURIN) {
            fprintf(o, ", \"fmc\": %u", t.fmc);
        } else {
            fputs(", \"fmc\": null", o);
        }
        fprintf(o, ", \"boot_loader\": %u, \"tee\": %u, \"snp\": %u, \"microcode\": %u",
                t.boot_loader, t.tee, t.snp, t.microcode);
        fprintf(o, ", \"reserved_zero\": %s", snp_tcb_reserved_zero(&t) ? "true" : "false");
    }
    fputs("},\n", o);
}

static void
show_json(FILE *o, const char *path, const struct snp_report *r, const struct product_view *pv,
          snp_err strict, size_t strict_off)
{
    struct snp_signer_info si;
    bool si_ok = snp_signer_info_decode(&si, r->signer_info) == SNP_OK;
    uint8_t rbe[SNP_P384_SIZE];
    uint8_t sbe[SNP_P384_SIZE];

    fputs("{\n  \"schema\": \"snpkit.report.v1\",\n  \"file\": ", o);
    cli_json_str(o, path);
    fprintf(o, ",\n  \"version\": %u,\n", r->version);
    if (pv->product == SNP_PRODUCT_UNKNOWN) {
        fputs("  \"product\": null,\n", o);
    } else {
        fprintf(o, "  \"product\": \"%s\",\n", snp_product_name(pv->product));
    }
    fprintf(o, "  \"product_source\": \"%s\",\n", pv->source);
    if (r->version >= 3) {
        fprintf(o, "  \"cpuid\": {\"family\": %u, \"model\": %u, \"stepping\": %u},\n",
                r->cpuid_fam_id, r->cpuid_mod_id, r->cpuid_step);
    } else {
        fputs("  \"cpuid\": null,\n", o);
    }
    fprintf(o, "  \"guest_svn\": %u,\n", r->guest_svn);
    fprintf(o,
            "  \"policy\": {\"raw\": \"0x%016llx\", \"abi_major\": %u, \"abi_minor\": %u, "
            "\"flags\": ",
            (unsigned long long)r->policy, snp_policy_abi_major(r->policy),
            snp_policy_abi_minor(r->policy));
    json_bits(o, policy_flag_bits(r->policy), snp_policy_bit_names);
    fputs("},\n", o);
    json_hex(o, "family_id", r->family_id, sizeof(r->family_id));
    json_hex(o, "image_id", r->image_id, sizeof(r->image_id));
    fprintf(o, "  \"vmpl\": %u,\n  \"signature_algo\": %u,\n", r->vmpl, r->signature_algo);
    json_tcb(o, "current_tcb", r->current_tcb, pv->layout);
    fprintf(o, "  \"platform_info\": {\"raw\": \"0x%016llx\", \"flags\": ",
            (unsigned long long)r->platform_info);
    json_bits(o, r->platform_info, snp_platform_bit_names);
    fputs("},\n", o);
    fprintf(o, "  \"signer_info\": {\"raw\": \"0x%08x\", \"signing_key\": ", r->signer_info);
    if (si_ok) {
        fprintf(o, "\"%s\", \"author_key_en\": %s, \"mask_chip_key\": %s},\n",
                snp_signing_key_name(si.signing_key), si.author_key_en ? "true" : "false",
                si.mask_chip_key ? "true" : "false");
    } else {
        fputs("null, \"author_key_en\": null, \"mask_chip_key\": null},\n", o);
    }
    json_hex(o, "report_data", r->report_data, sizeof(r->report_data));
    json_hex(o, "measurement", r->measurement, sizeof(r->measurement));
    json_hex(o, "host_data", r->host_data, sizeof(r->host_data));
    json_hex(o, "id_key_digest", r->id_key_digest, sizeof(r->id_key_digest));
    json_hex(o, "author_key_digest", r->author_key_digest, sizeof(r->author_key_digest));
    json_hex(o, "report_id", r->report_id, sizeof(r->report_id));
    json_hex(o, "report_id_ma", r->report_id_ma, sizeof(r->report_id_ma));
    json_tcb(o, "reported_tcb", r->reported_tcb, pv->layout);
    json_hex(o, "chip_id", r->chip_id, sizeof(r->chip_id));
    json_tcb(o, "committed_tcb", r->committed_tcb, pv->layout);
    fprintf(o, "  \"current_version\": {\"major\": %u, \"minor\": %u, \"build\": %u},\n",
            r->current_major, r->current_minor, r->current_build);
    fprintf(o, "  \"committed_version\": {\"major\": %u, \"minor\": %u, \"build\": %u},\n",
            r->committed_major, r->committed_minor, r->committed_build);
    json_tcb(o, "launch_tcb", r->launch_tcb, pv->layout);
    if (r->version >= 5) {
        json_u64(o, "launch_mit_vector", r->launch_mit_vector, true);
        json_u64(o, "current_mit_vector", r->current_mit_vector, true);
    } else {
        fputs("  \"launch_mit_vector\": null,\n  \"current_mit_vector\": null,\n", o);
    }
    for (size_t i = 0; i < SNP_P384_SIZE; i++) {
        rbe[i] = r->signature.r[SNP_P384_SIZE - 1 - i];
        sbe[i] = r->signature.s[SNP_P384_SIZE - 1 - i];
    }
    fputs("  \"signature\": {\"r\": ", o);
    cli_json_hex(o, rbe, sizeof(rbe));
    fputs(", \"s\": ", o);
    cli_json_hex(o, sbe, sizeof(sbe));
    fputs("},\n", o);
    if (strict == SNP_OK) {
        fputs("  \"strict\": {\"ok\": true, \"error\": null, \"offset\": null}\n}\n", o);
    } else {
        fprintf(o, "  \"strict\": {\"ok\": false, \"error\": \"%s\", \"offset\": %zu}\n}\n",
                snp_err_name(strict), strict_off);
    }
}

/* ---- raw output --------------------------------------------------------------------------- */

static void
show_raw(FILE *o, const struct snp_report *r)
{
    const struct snp_field *t = snp_report_layout(r->version);
    char hex[2 * 32 + 1];

    fprintf(o, "# ATTESTATION_REPORT version %u layout: offset size kind name bytes\n", r->version);
    for (const struct snp_field *f = t; f != NULL && f->name != NULL; f++) {
        for (size_t off = 0; off < f->size; off += 32) {
            size_t k = f->size - off < 32 ? f->size - off : 32;
            if (snp_hex_encode(hex, sizeof(hex), r->raw + f->off + off, k) != SNP_OK) {
                hex[0] = '\0';
            }
            if (off == 0) {
                fprintf(o, "0x%03zx %4zu %-5s %-20s %s\n", f->off, f->size,
                        snp_layout_kind_name(f->kind), f->name, hex);
            } else {
                fprintf(o, "%-38s %s\n", "", hex);
            }
        }
    }
}

/* ---- show --------------------------------------------------------------------------------- */

static void
decode_failure(const char *path, const uint8_t *buf, size_t len, snp_err err, size_t off)
{
    if (err == SNP_E_UNSUPPORTED) {
        cli_errorf(path,
                   "offset 0x000: report VERSION 4 is not supported: its layout is not "
                   "public, so it is refused rather than misread (%s)",
                   snp_err_name(err));
    } else if (err == SNP_E_VERSION) {
        cli_errorf(path, "offset 0x000: report VERSION %u is not one of 2, 3, 5 (%s)",
                   len >= 4 ? (unsigned)buf[0] | (unsigned)buf[1] << 8 | (unsigned)buf[2] << 16 |
                                  (unsigned)buf[3] << 24
                            : 0u,
                   snp_err_name(err));
    } else if (err == SNP_E_TRUNCATED) {
        cli_errorf(path, "offset 0x%03zx: %zu bytes, a report is %d: %s (%s)", off, len,
                   SNP_REPORT_SIZE, snp_err_str(err), snp_err_name(err));
    } else if (err == SNP_E_TRAILING) {
        cli_errorf(path, "offset 0x%03zx: %zu bytes, a report is %d: %s (%s)", off, len,
                   SNP_REPORT_SIZE, snp_err_str(err), snp_err_name(err));
    } else {
        cli_errorf(path, "offset 0x%03zx: %s (%s)", off, snp_err_str(err), snp_err_name(err));
    }
}

static int
report_show(const char *path, const struct show_opts *opt)
{
    uint8_t *in = NULL;
    size_t in_len = 0;
    uint8_t bytes[2 * SNP_REPORT_SIZE];
    size_t n = 0;
    struct snp_report *r = NULL;
    struct product_view pv = {SNP_PRODUCT_UNKNOWN, SNP_PRODUCT_MILAN, "assumed"};
    size_t off = 0;
    snp_err err;
    int rc;

    err = cli_read_input(path, &in, &in_len);
    if (err != SNP_OK) {
        return CLI_EXIT_ENV;
    }
    err = cli_report_bytes(path, opt->in, in, in_len, bytes, sizeof(bytes), &n);
    if (err != SNP_OK) {
        rc = CLI_EXIT_REJECTED;
        goto out;
    }
    r = malloc(sizeof(*r));
    if (r == NULL) {
        cli_errorf(path, "out of memory");
        rc = CLI_EXIT_ENV;
        goto out;
    }
    err = snp_report_decode(r, bytes, n, &off);
    if (err != SNP_OK) {
        decode_failure(path, bytes, n, err, off);
        rc = CLI_EXIT_REJECTED;
        goto out;
    }
    err = snp_report_product(r, opt->product, &pv.product);
    if (err == SNP_E_MISMATCH) {
        cli_errorf(path,
                   "--product %s conflicts with the report's CPUID (family 0x%02x model "
                   "0x%02x)",
                   snp_product_name(opt->product), r->cpuid_fam_id, r->cpuid_mod_id);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (err == SNP_OK) {
        pv.source = r->version >= 3 ? "cpuid" : "option";
    } else {
        /* v2 without --product, or a CPUID we do not know: Milan and Genoa share the layout. */
        pv.product = SNP_PRODUCT_UNKNOWN;
        pv.source = "assumed";
    }
    pv.layout = pv.product != SNP_PRODUCT_UNKNOWN ? pv.product : SNP_PRODUCT_MILAN;
    size_t strict_off = 0;
    snp_err strict = snp_report_check_strict(r, &strict_off);

    if (opt->out == OUT_JSON) {
        show_json(stdout, path, r, &pv, strict, strict_off);
    } else if (opt->out == OUT_RAW) {
        show_raw(stdout, r);
    } else {
        show_human(stdout, path, r, &pv, strict, strict_off);
    }
    rc = CLI_EXIT_OK;
out:
    free(r);
    free(in);
    return rc;
}

/* ---- example ------------------------------------------------------------------------------ */

/*
 * An unsigned sample: plausible field values, SIGNING_KEY = none and a zero signature, so no
 * verifier can mistake it for evidence. Deterministic, so golden tests can rely on it.
 */
static snp_err
build_example(uint8_t out[SNP_REPORT_SIZE], uint32_t version, enum snp_product product)
{
    struct snp_report r;
    struct snp_tcb tcb = {0};
    struct snp_signer_info si = {false, false, SNP_SIGNING_KEY_NONE};

    memset(&r, 0, sizeof(r));
    r.version = version;
    r.policy = SNP_POLICY_RSVD_MBO | SNP_POLICY_SMT;
    r.vmpl = 0;
    r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
    tcb.product = product;
    tcb.fmc = product == SNP_PRODUCT_TURIN ? 1 : 0;
    tcb.boot_loader = product == SNP_PRODUCT_MILAN ? 4 : 10;
    tcb.snp = product == SNP_PRODUCT_MILAN ? 24 : 23;
    tcb.microcode = product == SNP_PRODUCT_MILAN ? 219 : 84;
    r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = snp_tcb_encode(&tcb);
    r.platform_info = SNP_PLATFORM_SMT_EN | SNP_PLATFORM_ECC_EN;
    r.signer_info = snp_signer_info_encode(&si);
    memcpy(r.report_data, "snpkit example report: unsigned, not evidence", 46);
    for (size_t i = 0; i < sizeof(r.measurement); i++) {
        r.measurement[i] = (uint8_t)(0xa0 + i);
    }
    memset(r.report_id, 0x5a, sizeof(r.report_id));
    memset(r.report_id_ma, 0xff, sizeof(r.report_id_ma));
    if (version >= 3) {
        r.cpuid_fam_id = product == SNP_PRODUCT_TURIN ? 0x1a : 0x19;
        r.cpuid_mod_id = product == SNP_PRODUCT_MILAN   ? 0x01
                         : product == SNP_PRODUCT_GENOA ? 0x11
                                                        : 0x02;
        r.cpuid_step = 1;
    }
    for (size_t i = 0; i < (product == SNP_PRODUCT_TURIN ? 8u : sizeof(r.chip_id)); i++) {
        r.chip_id[i] = (uint8_t)(0x11 * (i % 15 + 1));
    }
    r.current_major = r.committed_major = 1;
    r.current_minor = r.committed_minor = 55;
    r.current_build = r.committed_build = 40;
    if (version >= 5) {
        r.launch_mit_vector = r.current_mit_vector = 0x3;
    }
    return snp_report_encode(out, &r);
}

static int
report_example(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"report-version", required_argument, NULL, 'v'},
        {"product", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint32_t version = 3;
    enum snp_product product = SNP_PRODUCT_GENOA;
    const char *outpath = NULL;
    bool force = false;
    uint8_t buf[SNP_REPORT_SIZE];
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            if (strcmp(optarg, "2") == 0 || strcmp(optarg, "3") == 0 || strcmp(optarg, "5") == 0) {
                version = (uint32_t)(optarg[0] - '0');
            } else {
                cli_errorf(NULL, "--report-version must be 2, 3 or 5, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'p':
            if (snp_product_parse(optarg, &product) != SNP_OK) {
                cli_errorf(NULL, "unknown product '%s' (milan, genoa, turin)", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'f':
            force = true;
            break;
        case 'h':
            report_usage(stdout);
            return CLI_EXIT_OK;
        default:
            report_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (outpath == NULL || optind != argc) {
        cli_errorf(NULL, "report example needs --out FILE|- and no other argument");
        return CLI_EXIT_USAGE;
    }
    if (build_example(buf, version, product) != SNP_OK) {
        cli_errorf(NULL, "internal error building the example report");
        return CLI_EXIT_ENV;
    }
    return cli_write_output(outpath, buf, sizeof(buf), force);
}

int
cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},          {"raw", no_argument, NULL, 'r'},
        {"product", required_argument, NULL, 'p'}, {"in-format", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct show_opts opt = {CLI_IN_AUTO, OUT_HUMAN, SNP_PRODUCT_UNKNOWN};
    int c;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        report_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "example") == 0) {
        return report_example(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "show") != 0) {
        cli_errorf(NULL, "unknown 'report' subcommand '%s' (show, example)", argv[1]);
        return CLI_EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            opt.out = OUT_JSON;
            break;
        case 'r':
            opt.out = OUT_RAW;
            break;
        case 'p':
            if (snp_product_parse(optarg, &opt.product) != SNP_OK) {
                cli_errorf(NULL, "unknown product '%s' (milan, genoa, turin)", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'i':
            if (strcmp(optarg, "auto") == 0) {
                opt.in = CLI_IN_AUTO;
            } else if (strcmp(optarg, "bin") == 0) {
                opt.in = CLI_IN_BIN;
            } else if (strcmp(optarg, "hex") == 0) {
                opt.in = CLI_IN_HEX;
            } else if (strcmp(optarg, "base64") == 0) {
                opt.in = CLI_IN_B64;
            } else {
                cli_errorf(NULL, "--in-format must be auto, bin, hex or base64");
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            report_usage(stdout);
            return CLI_EXIT_OK;
        default:
            report_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_errorf(NULL, "report show needs exactly one FILE (or - for standard input)");
        return CLI_EXIT_USAGE;
    }
    return report_show(argv[optind], &opt);
}
