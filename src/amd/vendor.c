/*
 * amd/vendor.c - the simulated vendor's certificate authorities: ARK, ASK and ASVK per product
 * line (attestation.md §4.1-§4.3), the KDS cert_chain bodies, and the ARK's CRLs.
 *
 * Relies on crypto/x509_issue.c for AMD's exact certificate shape (RSASSA-PSS SHA-384, MGF1
 * SHA-384, salt 48, explicit trailer; six-RDN names; AMD's extensions) and gives it the
 * simulation's names (amd_sim_dn). CA keys are generated once per line, on first use, under the
 * state lock, and kept in memory until snp_vendor_free(), which wipes them.
 */
#include "amd/amd_int.h"

#include "snpkit/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Not AMD: every name part except the CN says so (C "ZZ" is ISO 3166's user-assigned code). */
const struct snp_x509_dn amd_sim_dn = {
    .ou = "snpkit simulated vendor",
    .c = "ZZ",
    .l = "Simulation",
    .st = "NA",
    .o = "snpkit simulation, not AMD",
};

/* Where the simulated CRLs claim to live: .invalid (RFC 2606) never resolves. */
#define SIM_KDS_BASE "https://kds.snpkit.invalid"

#define DAY      INT64_C(86400)
#define CA_YEARS 25

static const char *const ca_file[3] = {"ark", "ask", "asvk"};

/* attestation.md §4.3: AMD's serial numbers, reused so the shapes match. */
uint64_t
snp_vendor_ca_serial(enum snp_product p, enum snp_vendor_ca which)
{
    static const uint64_t serial[AMD_NLINES][3] = {
        {0, 0, 0},
        {0x010000, 0x010001, 0x010101}, /* Milan */
        {0x020000, 0x020002, 0x020101}, /* Genoa */
        {0x030000, 0x030001, 0x030101}, /* Turin */
    };

    if (!amd_product_ok(p) || (unsigned)which > SNP_VENDOR_ASVK) {
        return 0;
    }
    return serial[p][which];
}

snp_err
amd_ca_cn(char *out, size_t out_size, enum snp_product p, enum snp_vendor_ca which)
{
    static const char *const prefix[3] = {"ARK-", "SEV-", "SEV-VLEK-"};

    SNP_ENSURE(amd_product_ok(p) && (unsigned)which <= SNP_VENDOR_ASVK, SNP_E_ARG);
    return amd_fmt(out, out_size, "%s%s", prefix[which], snp_product_name(p));
}

snp_err
snp_vendor_state_default(char *out, size_t out_size)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (out_size > 0) {
        out[0] = '\0';
    }
    if (xdg != NULL && xdg[0] == '/') {
        return amd_fmt(out, out_size, "%s/snpkit/sim", xdg);
    }
    SNP_ENSURE(home != NULL && home[0] != '\0', SNP_E_NOTFOUND);
    return amd_fmt(out, out_size, "%s/.local/share/snpkit/sim", home);
}

snp_err
snp_vendor_open(struct snp_vendor **out, const struct snp_vendor_opts *o)
{
    struct snp_vendor *v;
    char dir[SNP_VENDOR_PATH_MAX];
    unsigned bits = o != NULL ? o->rsa_bits : 0;
    snp_err err;

    *out = NULL;
    SNP_ENSURE(bits == 0 || (bits >= 2048 && bits <= 8192), SNP_E_ARG);
    if (o != NULL && o->state_dir != NULL) {
        SNP_ENSURE(o->state_dir[0] != '\0', SNP_E_ARG);
        SNP_TRY(amd_fmt(dir, sizeof(dir), "%s", o->state_dir));
    } else {
        SNP_TRY(snp_vendor_state_default(dir, sizeof(dir)));
    }
    err = amd_mkdirs(dir, 0700);
    if (err != SNP_OK) {
        return err;
    }
    v = calloc(1, sizeof(*v));
    SNP_ENSURE(v != NULL, SNP_E_NOMEM);
    memcpy(v->dir, dir, sizeof(dir));
    v->rsa_bits = bits != 0 ? bits : 4096;
    if (o != NULL) {
        v->ctx = o->ctx;
        v->now = o->now;
    }
    *out = v;
    return SNP_OK;
}

static void
line_clear(struct amd_line *l)
{
    for (int i = 0; i < 3; i++) {
        snp_rsakey_free(l->key[i]); /* OpenSSL clears RSA private parts on free */
        free(l->der[i]);
    }
    memset(l, 0, sizeof(*l));
}

void
snp_vendor_free(struct snp_vendor *v)
{
    if (v == NULL) {
        return;
    }
    for (int p = 0; p < AMD_NLINES; p++) {
        line_clear(&v->line[p]);
    }
    free(v);
}

const char *
snp_vendor_state_dir(const struct snp_vendor *v)
{
    return v->dir;
}

static snp_err
ca_path(const struct snp_vendor *v, enum snp_product p, int i, const char *ext,
        char out[SNP_VENDOR_PATH_MAX])
{
    return amd_fmt(out, SNP_VENDOR_PATH_MAX, "%s/vendor/%s/%s.%s", v->dir, snp_product_name(p),
                   ca_file[i], ext);
}

static snp_err
ok_path(const struct snp_vendor *v, enum snp_product p, char out[SNP_VENDOR_PATH_MAX])
{
    return amd_fmt(out, SNP_VENDOR_PATH_MAX, "%s/vendor/%s/complete", v->dir, snp_product_name(p));
}

/* PEM of one DER object: "-----BEGIN label-----", base64 in 64-column lines, END line. */
snp_err
amd_pem(char **out, size_t *out_len, const uint8_t *der, size_t len, const char *label)
{
    size_t b64 = 4 * ((len + 2) / 3), cap = b64 + b64 / 64 + 2 * strlen(label) + 64, n = 0;
    char *b = NULL, *pem = NULL;
    snp_err err = SNP_E_NOMEM;
    int k;

    *out = NULL;
    *out_len = 0;
    b = malloc(b64 + 1);
    pem = malloc(cap);
    if (b == NULL || pem == NULL) {
        goto out;
    }
    err = snp_b64_encode(b, b64 + 1, der, len);
    if (err != SNP_OK) {
        goto out;
    }
    k = snprintf(pem, cap, "-----BEGIN %s-----\n", label);
    n = (size_t)k;
    for (size_t i = 0; i < b64; i += 64) {
        size_t m = b64 - i < 64 ? b64 - i : 64;
        memcpy(pem + n, b + i, m);
        n += m;
        pem[n++] = '\n';
    }
    k = snprintf(pem + n, cap - n, "-----END %s-----\n", label);
    n += (size_t)k;
    *out = pem;
    *out_len = n;
    pem = NULL; /* transferred */
    err = SNP_OK;
out:
    free(b);
    free(pem);
    return err;
}

/* Load one CA's key (PEM) and certificate (DER) from the state directory. */
static snp_err
ca_load(const struct snp_vendor *v, enum snp_product p, int i, struct amd_line *l)
{
    char path[SNP_VENDOR_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    snp_err err;

    SNP_TRY(ca_path(v, p, i, "key", path));
    SNP_TRY(amd_read_file(path, &buf, &len));
    err = snp_rsakey_from_pem(&l->key[i], buf, len);
    snp_free_secret(buf, len + 1);
    SNP_TRY(err);
    SNP_TRY(ca_path(v, p, i, "der", path));
    return amd_read_file(path, &l->der[i], &l->der_len[i]);
}

/* Issue CA i of line p (ARK self-signed, ASK/ASVK by the ARK) into l. */
static snp_err
ca_issue(const struct snp_vendor *v, enum snp_product p, int i, struct amd_line *l)
{
    char cn[SNP_X509_CN_MAX], issuer[SNP_X509_CN_MAX], dp[128];
    struct snp_x509_spec s;
    int64_t today = amd_now(v) / DAY * DAY;

    SNP_TRY(amd_ca_cn(cn, sizeof(cn), p, (enum snp_vendor_ca)i));
    SNP_TRY(amd_ca_cn(issuer, sizeof(issuer), p, SNP_VENDOR_ARK));
    /* §4.3: the ARK and ASK point at the VCEK CRL, the ASVK at the VLEK one. */
    SNP_TRY(amd_fmt(dp, sizeof(dp), SIM_KDS_BASE "/%s/v1/%s/crl",
                    i == SNP_VENDOR_ASVK ? "vlek" : "vcek", snp_product_name(p)));
    memset(&s, 0, sizeof(s));
    s.role = i == SNP_VENDOR_ARK ? SNP_X509_ROLE_ARK : SNP_X509_ROLE_ASK;
    s.subject_cn = cn;
    s.issuer_cn = issuer;
    s.serial = snp_vendor_ca_serial(p, (enum snp_vendor_ca)i);
    s.not_before = today - DAY;
    s.not_after = today + (CA_YEARS * 365 + CA_YEARS / 4) * DAY; /* §4.3: 25 years */
    s.dn = &amd_sim_dn;
    s.crl_dp = dp;
    SNP_TRY(snp_rsakey_generate(&l->key[i], v->rsa_bits));
    return snp_x509_issue(&l->der[i], &l->der_len[i], &s, l->key[i], NULL, l->key[SNP_VENDOR_ARK]);
}

/* Store CA i of l: the key (0600), the certificate as DER and PEM (0644). */
static snp_err
ca_store(const struct snp_vendor *v, enum snp_product p, int i, const struct amd_line *l)
{
    char path[SNP_VENDOR_PATH_MAX];
    char *pem = NULL;
    size_t len = 0;
    snp_err err;

    SNP_TRY(ca_path(v, p, i, "key", path));
    SNP_TRY(snp_rsakey_to_pem(l->key[i], &pem, &len));
    err = amd_write_atomic(path, pem, len, 0600);
    snp_free_secret(pem, len);
    SNP_TRY(err);
    SNP_TRY(ca_path(v, p, i, "der", path));
    SNP_TRY(amd_write_atomic(path, l->der[i], l->der_len[i], 0644));
    SNP_TRY(amd_pem(&pem, &len, l->der[i], l->der_len[i], "CERTIFICATE"));
    err = ca_path(v, p, i, "pem", path);
    if (err == SNP_OK) {
        err = amd_write_atomic(path, pem, len, 0644);
    }
    free(pem);
    return err;
}

/* Generate and store a whole line. "complete" is removed first and written last, so a crash
 * half-way leaves a line that is regenerated, never a mix of two generations. */
static snp_err
line_generate(const struct snp_vendor *v, enum snp_product p, struct amd_line *l)
{
    char ok[SNP_VENDOR_PATH_MAX];

    SNP_TRY(ok_path(v, p, ok));
    SNP_ENSURE(unlink(ok) == 0 || access(ok, F_OK) != 0, SNP_E_IO);
    for (int i = 0; i < 3; i++) {
        SNP_TRY(ca_issue(v, p, i, l));
    }
    for (int i = 0; i < 3; i++) {
        SNP_TRY(ca_store(v, p, i, l));
    }
    return amd_write_atomic(ok, "ok\n", 3, 0644);
}

static snp_err
line_load(const struct snp_vendor *v, enum snp_product p, struct amd_line *l)
{
    char ok[SNP_VENDOR_PATH_MAX];

    SNP_TRY(ok_path(v, p, ok));
    SNP_ENSURE(access(ok, F_OK) == 0, SNP_E_NOTFOUND);
    for (int i = 0; i < 3; i++) {
        SNP_TRY(ca_load(v, p, i, l));
    }
    return SNP_OK;
}

snp_err
amd_line_get(struct snp_vendor *v, enum snp_product p, struct amd_line **out)
{
    struct amd_line *l;
    int fd = -1;
    snp_err err;

    *out = NULL;
    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    l = &v->line[p];
    if (l->loaded) {
        *out = l;
        return SNP_OK;
    }
    err = line_load(v, p, l);
    if (err == SNP_E_NOTFOUND) {
        /* Under the lock, look again: another process may have just made it. */
        line_clear(l);
        err = amd_lock(v, &fd);
        if (err == SNP_OK) {
            err = line_load(v, p, l);
            if (err == SNP_E_NOTFOUND) {
                line_clear(l);
                err = line_generate(v, p, l);
            }
        }
        amd_unlock(fd);
    }
    if (err != SNP_OK) {
        line_clear(l);
        return err == SNP_E_NOTFOUND ? SNP_E_IO : err;
    }
    l->loaded = true;
    *out = l;
    return SNP_OK;
}

snp_err
snp_vendor_ca_cert(struct snp_vendor *v, enum snp_product p, enum snp_vendor_ca which,
                   uint8_t **der, size_t *len)
{
    struct amd_line *l;

    *der = NULL;
    *len = 0;
    SNP_ENSURE((unsigned)which <= SNP_VENDOR_ASVK, SNP_E_ARG);
    SNP_TRY(amd_line_get(v, p, &l));
    *der = malloc(l->der_len[which]);
    SNP_ENSURE(*der != NULL, SNP_E_NOMEM);
    memcpy(*der, l->der[which], l->der_len[which]);
    *len = l->der_len[which];
    return SNP_OK;
}

snp_err
snp_vendor_ca_path(struct snp_vendor *v, enum snp_product p, enum snp_vendor_ca which, char *out,
                   size_t out_size)
{
    struct amd_line *l;

    if (out_size > 0) {
        out[0] = '\0';
    }
    SNP_ENSURE((unsigned)which <= SNP_VENDOR_ASVK, SNP_E_ARG);
    SNP_TRY(amd_line_get(v, p, &l));
    return amd_fmt(out, out_size, "%s/vendor/%s/%s.pem", v->dir, snp_product_name(p),
                   ca_file[which]);
}

snp_err
snp_vendor_cert_chain(struct snp_vendor *v, enum snp_product p, enum snp_vendor_family f,
                      char **pem, size_t *len)
{
    struct amd_line *l;
    char *mid = NULL, *ark = NULL;
    size_t mid_len = 0, ark_len = 0;
    int m = f == SNP_VENDOR_VLEK ? SNP_VENDOR_ASVK : SNP_VENDOR_ASK;
    snp_err err;

    *pem = NULL;
    *len = 0;
    SNP_ENSURE(f == SNP_VENDOR_VCEK || f == SNP_VENDOR_VLEK, SNP_E_ARG);
    SNP_TRY(amd_line_get(v, p, &l));
    /* §5: ASK (or ASVK) block then ARK block, nothing else. */
    err = amd_pem(&mid, &mid_len, l->der[m], l->der_len[m], "CERTIFICATE");
    if (err == SNP_OK) {
        err = amd_pem(&ark, &ark_len, l->der[SNP_VENDOR_ARK], l->der_len[SNP_VENDOR_ARK],
                      "CERTIFICATE");
    }
    if (err == SNP_OK) {
        *pem = malloc(mid_len + ark_len + 1);
        err = *pem == NULL ? SNP_E_NOMEM : SNP_OK;
    }
    if (err == SNP_OK) {
        memcpy(*pem, mid, mid_len);
        memcpy(*pem + mid_len, ark, ark_len);
        (*pem)[mid_len + ark_len] = '\0';
        *len = mid_len + ark_len;
    }
    free(mid);
    free(ark);
    return err;
}

/* ---- revocation ------------------------------------------------------------------------------
 */

static snp_err
revoked_path(const struct snp_vendor *v, enum snp_product p, char out[SNP_VENDOR_PATH_MAX])
{
    return amd_fmt(out, SNP_VENDOR_PATH_MAX, "%s/vendor/%s/revoked", v->dir, snp_product_name(p));
}

/* The revoked serials of line p: one hex number per line. A missing file is an empty list. */
static snp_err
revoked_read(const struct snp_vendor *v, enum snp_product p, uint64_t out[AMD_REVOKE_MAX],
             size_t *n)
{
    char path[SNP_VENDOR_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    char *line, *save = NULL;
    snp_err err;

    *n = 0;
    SNP_TRY(revoked_path(v, p, path));
    err = amd_read_file(path, &buf, &len);
    if (err == SNP_E_NOTFOUND) {
        return SNP_OK;
    }
    SNP_TRY(err);
    for (line = strtok_r((char *)buf, "\n", &save); line != NULL && err == SNP_OK;
         line = strtok_r(NULL, "\n", &save)) {
        char *end = NULL;
        unsigned long long s = strtoull(line, &end, 16);
        if (end == line || *end != '\0') {
            err = SNP_E_FORMAT;
        } else if (*n >= AMD_REVOKE_MAX) {
            err = SNP_E_SPACE;
        } else {
            out[(*n)++] = (uint64_t)s;
        }
    }
    free(buf);
    return err;
}

snp_err
snp_vendor_revoke(struct snp_vendor *v, enum snp_product p, uint64_t serial, bool revoked)
{
    uint64_t list[AMD_REVOKE_MAX];
    char path[SNP_VENDOR_PATH_MAX];
    char text[AMD_REVOKE_MAX * 18];
    size_t n = 0, k = 0, len = 0;
    int fd = -1;
    snp_err err;

    SNP_ENSURE(amd_product_ok(p), SNP_E_ARG);
    SNP_TRY(revoked_path(v, p, path));
    SNP_TRY(amd_lock(v, &fd));
    err = revoked_read(v, p, list, &n);
    for (size_t i = 0; i < n && err == SNP_OK; i++) {
        if (list[i] != serial) {
            list[k++] = list[i];
        }
    }
    if (err == SNP_OK && revoked) {
        if (k >= AMD_REVOKE_MAX) {
            err = SNP_E_SPACE;
        } else {
            list[k++] = serial;
        }
    }
    for (size_t i = 0; i < k && err == SNP_OK; i++) {
        len +=
            (size_t)snprintf(text + len, sizeof(text) - len, "%llx\n", (unsigned long long)list[i]);
    }
    if (err == SNP_OK) {
        err = amd_write_atomic(path, text, len, 0644);
    }
    amd_unlock(fd);
    return err;
}

snp_err
snp_vendor_crl(struct snp_vendor *v, enum snp_product p, enum snp_vendor_family f, uint8_t **der,
               size_t *len)
{
    struct amd_line *l;
    uint64_t list[AMD_REVOKE_MAX];
    size_t n = 0;
    char ark[SNP_X509_CN_MAX];
    int64_t now = amd_now(v);

    *der = NULL;
    *len = 0;
    SNP_ENSURE(f == SNP_VENDOR_VCEK || f == SNP_VENDOR_VLEK, SNP_E_ARG);
    SNP_TRY(amd_line_get(v, p, &l));
    SNP_TRY(revoked_read(v, p, list, &n));
    SNP_TRY(amd_ca_cn(ark, sizeof(ark), p, SNP_VENDOR_ARK));
    /* A minute of slack for clocks a little behind ours; a week ahead, like a KDS CRL. */
    return snp_x509_issue_crl_dn(der, len, &amd_sim_dn, ark, now - 60, now + 7 * DAY, list, n,
                                 l->key[SNP_VENDOR_ARK]);
}
