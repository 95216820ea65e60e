/*
 * amd/leaf.c - the simulated vendor's leaves: chips registered by seed, their VCEK certificate
 * per TCB, and VLEK certificates per cloud provider (attestation.md §4.3, §4.4).
 *
 * Keys come from crypto/vcek_kdf.c, the one derivation the simulated firmware shares; the
 * certificate shape follows AMD's real leaves per generation (extension order, productName,
 * hwID length, and the Turin VCEK's PSS parameters without the trailer field). Chip secrets are
 * read, used and wiped within one call.
 */
#include "amd/amd_int.h"

#include "crypto/gcm.h"
#include "crypto/kdf.h"
#include "crypto/vcek_kdf.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

/* §4.4: the SPL extensions in the order AMD writes them. */
static const uint8_t order_legacy[] = {SNP_AMD_SPL_BL,  SNP_AMD_SPL_TEE,  SNP_AMD_SPL_4,
                                       SNP_AMD_SPL_5,   SNP_AMD_SPL_6,    SNP_AMD_SPL_7,
                                       SNP_AMD_SPL_SNP, SNP_AMD_SPL_UCODE};
static const uint8_t order_turin[] = {SNP_AMD_SPL_FMC, SNP_AMD_SPL_BL,   SNP_AMD_SPL_TEE,
                                      SNP_AMD_SPL_SNP, SNP_AMD_SPL_5,    SNP_AMD_SPL_6,
                                      SNP_AMD_SPL_7,   SNP_AMD_SPL_UCODE};

static size_t
hwid_len_of(enum snp_product p)
{
    return p == SNP_PRODUCT_TURIN ? 8 : 64; /* §4.4 hwID, §5 */
}

/* The extensions of a leaf for tcb: structVersion, productName, the SPLs of p's layout (§2). */
static snp_err
leaf_ext(struct snp_amd_ext *a, enum snp_product p, uint64_t tcb, bool vlek)
{
    struct snp_tcb t;
    bool turin = p == SNP_PRODUCT_TURIN;

    memset(a, 0, sizeof(*a));
    SNP_TRY(snp_tcb_decode(&t, tcb, p));
    /* The KDS URL has no place for reserved bytes, so no certificate can carry them. */
    SNP_ENSURE(snp_tcb_reserved_zero(&t), SNP_E_RANGE);
    a->has_struct_version = true;
    a->struct_version = turin ? 1 : 0;
    a->has_product_name = true;
    /* §4.4: Milan VCEKs say "Milan-B0" whatever the stepping; VLEKs and later lines, the line. */
    snprintf(a->product_name, sizeof(a->product_name), "%s%s", snp_product_name(p),
             p == SNP_PRODUCT_MILAN && !vlek ? "-B0" : "");
    a->spl[SNP_AMD_SPL_BL] = t.boot_loader;
    a->spl[SNP_AMD_SPL_TEE] = t.tee;
    a->spl[SNP_AMD_SPL_SNP] = t.snp;
    a->spl[SNP_AMD_SPL_UCODE] = t.microcode;
    a->spl[SNP_AMD_SPL_FMC] = t.fmc;
    a->has_spl[SNP_AMD_SPL_BL] = a->has_spl[SNP_AMD_SPL_TEE] = true;
    a->has_spl[SNP_AMD_SPL_SNP] = a->has_spl[SNP_AMD_SPL_UCODE] = true;
    a->has_spl[SNP_AMD_SPL_5] = a->has_spl[SNP_AMD_SPL_6] = a->has_spl[SNP_AMD_SPL_7] = true;
    a->has_spl[SNP_AMD_SPL_4] = !turin;  /* structVersion 0 only */
    a->has_spl[SNP_AMD_SPL_FMC] = turin; /* structVersion 1 only */
    return SNP_OK;
}

/* Issue a leaf for key k with extensions a, signed by CA mid of line p. */
static snp_err
leaf_issue(struct snp_vendor *v, enum snp_product p, const struct snp_amd_ext *a,
           const struct snp_eckey *k, bool vlek, uint8_t **der, size_t *len)
{
    struct amd_line *l;
    struct snp_x509_spec s;
    char issuer[SNP_X509_CN_MAX];
    int64_t today = amd_now(v) / DAY * DAY;
    bool turin = p == SNP_PRODUCT_TURIN;

    SNP_TRY(amd_line_get(v, p, &l));
    SNP_TRY(amd_ca_cn(issuer, sizeof(issuer), p, vlek ? SNP_VENDOR_ASVK : SNP_VENDOR_ASK));
    memset(&s, 0, sizeof(s));
    s.role = SNP_X509_ROLE_LEAF;
    s.subject_cn = vlek ? "SEV-VLEK" : "SEV-VCEK";
    s.issuer_cn = issuer;
    s.serial = 0; /* §4.3: AMD's leaves carry serial 0 */
    s.not_before = today - DAY;
    s.not_after = today + (vlek ? 365 : 7 * 365 + 1) * DAY; /* §4.3: 7 years; VLEK 1 year */
    s.amd = a;
    s.dn = &amd_sim_dn;
    s.spl_order = turin ? order_turin : order_legacy;
    s.n_spl_order = turin ? sizeof(order_turin) : sizeof(order_legacy);
    /* §4.2: real Turin VCEKs omit the PSS trailer field; every other certificate writes it. */
    s.pss_no_trailer = turin && !vlek;
    return snp_x509_issue(der, len, &s, NULL, k, l->key[vlek ? SNP_VENDOR_ASVK : SNP_VENDOR_ASK]);
}

static snp_err
chip_path(const struct snp_vendor *v, enum snp_product p, const uint8_t *hwid,
          char out[SNP_VENDOR_PATH_MAX])
{
    char hex[2 * SNP_VENDOR_CHIP_ID + 1];

    SNP_TRY(snp_hex_encode(hex, sizeof(hex), hwid, hwid_len_of(p)));
    return amd_fmt(out, SNP_VENDOR_PATH_MAX, "%s/chips/%s/%s.secret", v->dir, snp_product_name(p),
                   hex);
}

snp_err
snp_vendor_chip_add(struct snp_vendor *v, enum snp_product p, const uint8_t *seed, size_t seed_len,
                    uint8_t chip_id[SNP_VENDOR_CHIP_ID])
{
    uint8_t secret[SNP_CHIP_SECRET_SIZE];
    char path[SNP_VENDOR_PATH_MAX];
    snp_err err;

    memset(chip_id, 0, SNP_VENDOR_CHIP_ID);
    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    err = snp_chip_secret_from_seed(secret, seed, seed_len);
    if (err == SNP_OK) {
        err = snp_chip_id_derive(chip_id, secret, p);
    }
    if (err == SNP_OK) {
        err = chip_path(v, p, chip_id, path);
    }
    if (err == SNP_OK) {
        err = amd_secret_write(path, secret, sizeof(secret));
    }
    snp_wipe(secret, sizeof(secret));
    return err;
}

static snp_err
vcek_cache_path(const struct snp_vendor *v, enum snp_product p, const uint8_t *hwid, uint64_t tcb,
                char out[SNP_VENDOR_PATH_MAX])
{
    char hex[2 * SNP_VENDOR_CHIP_ID + 1];
    char t[17];

    SNP_TRY(snp_hex_encode(hex, sizeof(hex), hwid, hwid_len_of(p)));
    for (unsigned i = 0; i < 8; i++) {
        snprintf(t + 2 * i, 3, "%02x", (unsigned)(uint8_t)(tcb >> (8 * i))); /* report order */
    }
    return amd_fmt(out, SNP_VENDOR_PATH_MAX, "%s/certs/%s/vcek/%s/%s.der", v->dir,
                   snp_product_name(p), hex, t);
}

/* The secret of the registered chip named by hwid (wiped by the caller, and on failure). */
static snp_err
chip_secret(const struct snp_vendor *v, enum snp_product p, const uint8_t *hwid, size_t hwid_len,
            uint8_t secret[SNP_CHIP_SECRET_SIZE])
{
    uint8_t id[SNP_CHIP_ID_SIZE];
    char path[SNP_VENDOR_PATH_MAX];
    snp_err err;

    SNP_ENSURE(amd_product_ok(p) && hwid != NULL, SNP_E_ARG);
    SNP_ENSURE(hwid_len == hwid_len_of(p), SNP_E_ARG);
    SNP_TRY(chip_path(v, p, hwid, path));
    err = amd_secret_read(path, secret, SNP_CHIP_SECRET_SIZE);
    if (err != SNP_OK) {
        return err; /* SNP_E_NOTFOUND: no such chip, like the KDS's 404 */
    }
    /* A chip's file is named by its hwID: refuse one whose secret says otherwise. */
    err = snp_chip_id_derive(id, secret, p);
    if (err == SNP_OK && !snp_ct_eq(id, hwid, hwid_len)) {
        err = SNP_E_FORMAT;
    }
    if (err != SNP_OK) {
        snp_wipe(secret, SNP_CHIP_SECRET_SIZE);
    }
    return err;
}

snp_err
snp_vendor_vcek_cert(struct snp_vendor *v, enum snp_product p, const uint8_t *hwid, size_t hwid_len,
                     uint64_t tcb, uint8_t **der, size_t *len)
{
    uint8_t secret[SNP_CHIP_SECRET_SIZE];
    char cache[SNP_VENDOR_PATH_MAX];
    struct snp_amd_ext a;
    struct snp_eckey *k = NULL;
    snp_err err;

    *der = NULL;
    *len = 0;
    SNP_ENSURE(amd_product_ok(p) && hwid != NULL, SNP_E_ARG);
    SNP_ENSURE(hwid_len == hwid_len_of(p), SNP_E_ARG);
    SNP_TRY(leaf_ext(&a, p, tcb, false));
    SNP_TRY(vcek_cache_path(v, p, hwid, tcb, cache));
    err = chip_secret(v, p, hwid, hwid_len, secret);
    if (err != SNP_OK) {
        goto out;
    }
    err = amd_read_file(cache, der, len);
    if (err != SNP_E_NOTFOUND) {
        goto out; /* served as issued before, or an I/O error */
    }
    a.has_hwid = true;
    a.hwid_len = hwid_len;
    memcpy(a.hwid, hwid, hwid_len);
    err = snp_vcek_derive(&k, secret, p, tcb);
    if (err == SNP_OK) {
        err = leaf_issue(v, p, &a, k, false, der, len);
    }
    if (err == SNP_OK) {
        err = amd_write_atomic(cache, *der, *len, 0644);
    }
out:
    if (err != SNP_OK) {
        free(*der);
        *der = NULL;
        *len = 0;
    }
    snp_eckey_free(k);
    snp_wipe(secret, sizeof(secret));
    return err;
}

/* ---- VLEK ------------------------------------------------------------------------------------
 */

/* The vendor's VLEK master secret: random, made once under the lock. */
static snp_err
vlek_master(const struct snp_vendor *v, uint8_t out[SNP_CSP_SECRET_SIZE])
{
    char path[SNP_VENDOR_PATH_MAX];
    int fd = -1;
    snp_err err;

    SNP_TRY(amd_fmt(path, sizeof(path), "%s/vendor/vlek-master.secret", v->dir));
    err = amd_secret_read(path, out, SNP_CSP_SECRET_SIZE);
    if (err != SNP_E_NOTFOUND) {
        return err;
    }
    SNP_TRY(amd_lock(v, &fd));
    err = amd_secret_read(path, out, SNP_CSP_SECRET_SIZE);
    if (err == SNP_E_NOTFOUND) {
        err = snp_random(out, SNP_CSP_SECRET_SIZE);
        if (err == SNP_OK) {
            err = amd_secret_write(path, out, SNP_CSP_SECRET_SIZE);
        }
    }
    amd_unlock(fd);
    if (err != SNP_OK) {
        snp_wipe(out, SNP_CSP_SECRET_SIZE);
    }
    return err;
}

static snp_err
csp_secret(const struct snp_vendor *v, const char *csp_id, uint8_t out[SNP_CSP_SECRET_SIZE])
{
    uint8_t master[SNP_CSP_SECRET_SIZE];
    snp_err err;

    SNP_ENSURE(csp_id != NULL && csp_id[0] != '\0' && strlen(csp_id) <= SNP_VENDOR_CSP_ID_MAX,
               SNP_E_ARG);
    for (const char *c = csp_id; *c != '\0'; c++) {
        SNP_ENSURE(*c >= 0x20 && *c < 0x7f, SNP_E_ARG); /* IA5String, printable */
    }
    err = vlek_master(v, master);
    if (err == SNP_OK) {
        err = snp_csp_secret_derive(out, master, csp_id);
    }
    snp_wipe(master, sizeof(master));
    return err;
}

snp_err
snp_vendor_vlek_private(struct snp_vendor *v, enum snp_product p, const char *csp_id, uint64_t tcb,
                        uint8_t d[48])
{
    uint8_t secret[SNP_CSP_SECRET_SIZE];
    struct snp_amd_ext a;
    snp_err err;

    memset(d, 0, 48);
    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    SNP_TRY(leaf_ext(&a, p, tcb, true));
    err = csp_secret(v, csp_id, secret);
    if (err == SNP_OK) {
        err = snp_vlek_derive_scalar(d, secret, p, tcb);
    }
    snp_wipe(secret, sizeof(secret));
    return err;
}

snp_err
snp_vendor_vlek_cert(struct snp_vendor *v, enum snp_product p, const char *csp_id, uint64_t tcb,
                     uint8_t **der, size_t *len)
{
    uint8_t secret[SNP_CSP_SECRET_SIZE];
    struct snp_amd_ext a;
    struct snp_eckey *k = NULL;
    snp_err err;

    *der = NULL;
    *len = 0;
    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    SNP_TRY(leaf_ext(&a, p, tcb, true));
    err = csp_secret(v, csp_id, secret);
    if (err == SNP_OK) {
        err = snp_vlek_derive(&k, secret, p, tcb);
    }
    if (err == SNP_OK) {
        a.has_csp_id = true;
        snprintf(a.csp_id, sizeof(a.csp_id), "%s", csp_id);
        err = leaf_issue(v, p, &a, k, true, der, len);
    }
    snp_eckey_free(k);
    snp_wipe(secret, sizeof(secret));
    return err;
}

/*
 * The SNP_VLEK_LOAD hashstick (simulator format, docs/psp.md):
 *   0x000 iv[12]  0x00C rsvd[4]  0x010 wrapped[0x180]  0x190 tcb u64  0x198 rsvd[8]  0x1A0 tag[16]
 * wrapped = AES-256-GCM(snp_vlek_wrap_key(chip secret), iv, AAD = bytes 0x190..0x1A0,
 *                       CSP secret[32] || zeros[0x160]).
 * The TCB is in the AAD, so a hashstick cannot be replayed at another TCB; the key is the
 * chip's, so it loads into that chip only.
 */
#define VLEK_OFF_WRAPPED 0x010
#define VLEK_WRAPPED_LEN 0x180
#define VLEK_OFF_TCB     0x190
#define VLEK_OFF_TAG     0x1A0
_Static_assert(VLEK_OFF_TAG + 16 == SNP_VENDOR_VLEK_WRAPPED_SIZE, "hashstick layout");

static snp_err
vlek_seal(const uint8_t chip[SNP_CHIP_SECRET_SIZE], const uint8_t *plain, uint64_t tcb,
          uint8_t out[SNP_VENDOR_VLEK_WRAPPED_SIZE])
{
    uint8_t key[32];
    struct snp_gcm *g = NULL;
    snp_err err;

    memset(out, 0, SNP_VENDOR_VLEK_WRAPPED_SIZE);
    for (unsigned i = 0; i < 8; i++) {
        out[VLEK_OFF_TCB + i] = (uint8_t)(tcb >> (8 * i));
    }
    err = snp_random(out, SNP_GCM_IV_SIZE); /* a fresh IV per hashstick */
    if (err == SNP_OK) {
        err = snp_vlek_wrap_key(key, chip);
    }
    if (err == SNP_OK) {
        err = snp_gcm_new(&g);
    }
    if (err == SNP_OK) {
        err = snp_gcm_seal(g, key, out, out + VLEK_OFF_TCB, 16, plain, out + VLEK_OFF_WRAPPED,
                           VLEK_WRAPPED_LEN, out + VLEK_OFF_TAG);
    }
    snp_gcm_free(g);
    snp_wipe(key, sizeof(key));
    if (err != SNP_OK) {
        memset(out, 0, SNP_VENDOR_VLEK_WRAPPED_SIZE);
    }
    return err;
}

snp_err
snp_vendor_vlek_wrapped(struct snp_vendor *v, enum snp_product p, const uint8_t *hwid,
                        size_t hwid_len, const char *csp_id, uint64_t tcb,
                        uint8_t out[SNP_VENDOR_VLEK_WRAPPED_SIZE])
{
    uint8_t chip[SNP_CHIP_SECRET_SIZE];
    uint8_t plain[VLEK_WRAPPED_LEN];
    struct snp_amd_ext a;
    snp_err err;

    memset(out, 0, SNP_VENDOR_VLEK_WRAPPED_SIZE);
    memset(plain, 0, sizeof(plain));
    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    SNP_TRY(leaf_ext(&a, p, tcb, true)); /* a TCB a VLEK certificate can name */
    err = chip_secret(v, p, hwid, hwid_len, chip);
    if (err != SNP_OK) {
        return err;
    }
    err = csp_secret(v, csp_id, plain);
    if (err == SNP_OK) {
        err = vlek_seal(chip, plain, tcb, out);
    }
    snp_wipe(plain, sizeof(plain));
    snp_wipe(chip, sizeof(chip));
    return err;
}
