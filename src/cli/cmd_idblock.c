/*
 * cli/cmd_idblock.c - `snpkit idblock`: an ID_BLOCK for an expected launch digest, and its
 * ID_AUTH_INFO signed with an ID key and optionally an author key (attestation.md §9), in binary
 * and in the base64 form QEMU's sev-snp-guest id-block= / id-auth= options take.
 *
 * Everything is built and signed before the first file is written.
 */
#include "cli.h"

#include "measure/idauth.h"
#include "snpkit/idblock.h"
#include "snpkit/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_POLICY 0x30000 /* SMT allowed, bit 17 (must be one); sev-snp-measure's default */

static void
idblock_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit idblock --measurement HEX --id-key PEM [--author-key PEM]\n"
            "         [--family-id HEX] [--image-id HEX] [--svn N] [--policy HEX]\n"
            "         [--out-dir DIR] [--json]\n"
            "\n"
            "Build the ID_BLOCK for an expected launch measurement (see 'snpkit measure') and the\n"
            "ID_AUTH_INFO that signs it. Writes, in DIR (default .):\n"
            "  id_block.bin, id_auth.bin          the 96- and 4096-byte structures\n"
            "  id_block.base64, id_auth.base64    the same for QEMU: -object sev-snp-guest,...,\n"
            "                                     id-block=<base64>,id-auth=<base64>\n"
            "                                     (add author-key-enabled=on with --author-key)\n"
            "and prints the ID key and author key digests the guest's reports will carry.\n"
            "\n"
            "  --measurement HEX  the 48-byte launch digest (hex or base64)\n"
            "  --id-key PEM       P-384 private key that signs the ID block\n"
            "  --author-key PEM   P-384 private key that signs the ID key (optional)\n"
            "  --family-id HEX    16 bytes (default zero)\n"
            "  --image-id HEX     16 bytes (default zero)\n"
            "  --svn N            guest SVN (default 0)\n"
            "  --policy HEX       guest policy; must equal the launch policy (default 0x30000)\n"
            "  --json             print the digests and the base64 forms as JSON\n"
            "\n"
            "ECDSA signatures are randomized: two runs give different id_auth bytes, both valid.\n"
            "exit codes: 0 written, 1 bad key, 2 usage error, 3 I/O error\n");
}

/* Hex, or base64 as sev-snp-measure prints digests; exactly n bytes. */
static bool
decode_exact(const char *s, uint8_t *out, size_t n)
{
    size_t got = 0;
    uint8_t tmp[64];

    if (n > sizeof(tmp)) {
        return false;
    }
    if (snp_hex_decode(tmp, sizeof(tmp), &got, s, strlen(s), NULL) == SNP_OK && got == n) {
        memcpy(out, tmp, n);
        return true;
    }
    if (snp_b64_decode(tmp, sizeof(tmp), &got, s, strlen(s), NULL) == SNP_OK && got == n) {
        memcpy(out, tmp, n);
        return true;
    }
    return false;
}

static snp_err
load_key(const char *path, struct snp_eckey **k)
{
    uint8_t *pem = NULL;
    size_t len = 0;
    snp_err err;

    *k = NULL;
    err = cli_read_input(path, &pem, &len);
    if (err != SNP_OK) {
        return err; /* cli_read_input printed the reason */
    }
    err = snp_eckey_from_pem(k, pem, len);
    snp_wipe(pem, len);
    free(pem);
    if (err != SNP_OK) {
        cli_errorf(path, "not a P-384 key: %s (%s)", snp_err_str(err), snp_err_name(err));
    } else if (!snp_eckey_has_private(*k)) {
        cli_errorf(path, "a public key cannot sign: give the private key");
        snp_eckey_free(*k);
        *k = NULL;
        err = SNP_E_ARG;
    }
    return err;
}

struct idopts {
    const char *id_key, *author_key, *out_dir;
    bool have_ld, json;
    struct snp_id_block b;
};

enum { O_LD = 256, O_IDKEY, O_AUTHKEY, O_FAM, O_IMG, O_SVN, O_POLICY, O_OUT, O_JSON, O_HELP };

static int
parse_opts(struct idopts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"measurement", required_argument, NULL, O_LD},
        {"id-key", required_argument, NULL, O_IDKEY},
        {"author-key", required_argument, NULL, O_AUTHKEY},
        {"family-id", required_argument, NULL, O_FAM},
        {"image-id", required_argument, NULL, O_IMG},
        {"svn", required_argument, NULL, O_SVN},
        {"policy", required_argument, NULL, O_POLICY},
        {"out-dir", required_argument, NULL, O_OUT},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case O_LD:
            if (!decode_exact(optarg, o->b.ld, sizeof(o->b.ld))) {
                cli_errorf(NULL, "--measurement: want 48 bytes of hex or base64");
                return CLI_EXIT_USAGE;
            }
            o->have_ld = true;
            break;
        case O_FAM:
        case O_IMG:
            if (!decode_exact(optarg, c == O_FAM ? o->b.family_id : o->b.image_id, 16)) {
                cli_errorf(NULL, "--%s: want 16 bytes of hex",
                           c == O_FAM ? "family-id" : "image-id");
                return CLI_EXIT_USAGE;
            }
            break;
        case O_SVN:
        case O_POLICY: {
            unsigned long long v;

            errno = 0;
            v = strtoull(optarg, &end, c == O_SVN ? 0 : 16);
            if (errno != 0 || *end != '\0' || optarg[0] == '-' || optarg[0] == '\0' ||
                (c == O_SVN && v > UINT32_MAX)) {
                cli_errorf(NULL, "--%s: bad value '%s'", c == O_SVN ? "svn" : "policy", optarg);
                return CLI_EXIT_USAGE;
            }
            if (c == O_SVN) {
                o->b.guest_svn = (uint32_t)v;
            } else {
                o->b.policy = v;
            }
            break;
        }
        case O_IDKEY:
            o->id_key = optarg;
            break;
        case O_AUTHKEY:
            o->author_key = optarg;
            break;
        case O_OUT:
            o->out_dir = optarg;
            break;
        case O_JSON:
            o->json = true;
            break;
        case O_HELP:
        case 'h':
            idblock_usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "see 'snpkit idblock --help'\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_errorf(NULL, "unexpected argument '%s' (see 'snpkit idblock --help')", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (!o->have_ld || o->id_key == NULL) {
        cli_errorf(NULL, "--measurement and --id-key are required (see 'snpkit idblock --help')");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* The four output files, each written atomically. */
static int
write_outputs(const char *dir, const uint8_t *blk, const uint8_t *auth, const char *blk64,
              const char *auth64)
{
    static const char *const names[] = {"id_block.bin", "id_auth.bin", "id_block.base64",
                                        "id_auth.base64"};
    const uint8_t *data[] = {blk, auth, (const uint8_t *)blk64, (const uint8_t *)auth64};
    size_t lens[] = {SNP_ID_BLOCK_SIZE, SNP_ID_AUTH_SIZE, strlen(blk64), strlen(auth64)};
    char path[4096];

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        cli_errorf(dir, "cannot create directory: %s", strerror(errno));
        return CLI_EXIT_ENV;
    }
    for (size_t i = 0; i < 4; i++) {
        int rc;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = cli_write_output(path, data[i], lens[i], true);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    return CLI_EXIT_OK;
}

static void
print_result(const struct idopts *o, const uint8_t id_dig[48], const uint8_t *auth_dig,
             const char *blk64, const char *auth64, const char *dir)
{
    char hex[97];

    if (o->json) {
        printf("{\n  \"id_key_digest\": ");
        cli_json_hex(stdout, id_dig, 48);
        printf(",\n  \"author_key_digest\": ");
        if (auth_dig != NULL) {
            cli_json_hex(stdout, auth_dig, 48);
        } else {
            printf("null");
        }
        printf(",\n  \"id_block\": \"%s\",\n  \"id_auth\": \"%s\",\n  \"out_dir\": ", blk64,
               auth64);
        cli_json_str(stdout, dir);
        printf("\n}\n");
        return;
    }
    (void)snp_hex_encode(hex, sizeof(hex), id_dig, 48);
    printf("id_key_digest:     %s\n", hex);
    if (auth_dig != NULL) {
        (void)snp_hex_encode(hex, sizeof(hex), auth_dig, 48);
        printf("author_key_digest: %s\n", hex);
    } else {
        printf("author_key_digest: (none: launch without author-key-enabled)\n");
    }
    printf("wrote %s/id_block.bin, id_auth.bin, id_block.base64, id_auth.base64\n", dir);
}

int
cmd_idblock(int argc, char **argv)
{
    struct idopts o;
    struct snp_eckey *idk = NULL, *authk = NULL;
    struct snp_id_auth auth;
    uint8_t blk[SNP_ID_BLOCK_SIZE], authb[SNP_ID_AUTH_SIZE];
    uint8_t id_dig[48], auth_dig[48];
    char blk64[4 * (SNP_ID_BLOCK_SIZE / 3 + 1) + 1], auth64[4 * (SNP_ID_AUTH_SIZE / 3 + 1) + 1];
    snp_err err;
    int rc;

    memset(&o, 0, sizeof(o));
    o.out_dir = ".";
    o.b.version = SNP_ID_BLOCK_VERSION;
    o.b.policy = DEFAULT_POLICY;
    rc = parse_opts(&o, argc, argv);
    if (rc >= 0) {
        return rc;
    }
    err = load_key(o.id_key, &idk);
    if (err == SNP_OK && o.author_key != NULL) {
        err = load_key(o.author_key, &authk);
    }
    if (err != SNP_OK) {
        rc = cli_exit_for(err);
        goto out;
    }
    (void)snp_id_block_encode(blk, &o.b);
    err = snp_id_auth_sign(&auth, blk, idk, authk);
    if (err == SNP_OK) {
        err = snp_id_auth_encode(authb, &auth);
    }
    if (err == SNP_OK) {
        err = snp_key_digest(idk, NULL, id_dig);
    }
    if (err == SNP_OK && authk != NULL) {
        err = snp_key_digest(authk, NULL, auth_dig);
    }
    if (err == SNP_OK) {
        err = snp_b64_encode(blk64, sizeof(blk64), blk, sizeof(blk));
    }
    if (err == SNP_OK) {
        err = snp_b64_encode(auth64, sizeof(auth64), authb, sizeof(authb));
    }
    if (err != SNP_OK) {
        cli_errorf(NULL, "cannot sign the ID block: %s (%s)", snp_err_str(err), snp_err_name(err));
        rc = cli_exit_for(err);
        goto out;
    }
    rc = write_outputs(o.out_dir, blk, authb, blk64, auth64);
    if (rc == CLI_EXIT_OK) {
        print_result(&o, id_dig, authk != NULL ? auth_dig : NULL, blk64, auth64, o.out_dir);
    }
out:
    snp_eckey_free(idk);
    snp_eckey_free(authk);
    return rc;
}
