/*
 * verify/policy.c - the relying party's policy checks on a decoded report
 * (attestation.md §10, checklist items 12-24).
 *
 * Each configured item becomes one named check, PASS or FAIL, with the expected and the actual
 * value in the detail; the defaults that always apply (debug and MIGRATE_MA forbidden,
 * REPORTED_TCB <= CURRENT_TCB) are listed too, so nothing is accepted silently. Pure: reads
 * the decoded fields only, no crypto, never prints. Expected values are compared with
 * snp_ct_eq() (REPORT_DATA carries nonces and key hashes).
 */
#include "snpkit/verify_policy.h"

#include "snpkit/policy.h"
#include "snpkit/util.h"

#include <stdio.h>
#include <string.h>

void
snp_verify_policy_default(struct snp_verify_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->allow_debug = false;
    p->allow_migrate_ma = false;
    p->allow_smt = true;
    p->allow_cxl = true;
}

/* ---- helpers ------------------------------------------------------------------------------ */

/* Hex of p[0..n), abbreviated to the first 32 bytes and "..." beyond 48 bytes (detail space). */
static void
hex_abbr(char *out, size_t out_size, const uint8_t *p, size_t n)
{
    size_t k = n > 48 ? 32 : n;

    if (snp_hex_encode(out, out_size, p, k) != SNP_OK) {
        out[0] = '\0';
        return;
    }
    if (k < n && strlen(out) + 4 <= out_size) {
        strcat(out, "...");
    }
}

static size_t
first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return i;
        }
    }
    return n;
}

/*
 * One expected byte string against a report field of field_len bytes. err is the error a
 * mismatch gives (SNP_E_BINDING for REPORT_DATA, SNP_E_MISMATCH otherwise).
 */
static void
check_bytes(struct snp_verify_result *res, const char *name, const struct snp_vp_bytes *want,
            const uint8_t *field, size_t field_len, snp_err err)
{
    char e[2 * 48 + 4];
    char a[2 * 48 + 4];
    size_t n = want->len;
    bool ok;

    if (n == 0) {
        return;
    }
    if (n > field_len) {
        snp_verify_add(res, name, SNP_CHECK_FAIL, SNP_E_ARG,
                       "expected value is %zu bytes, the field has only %zu", n, field_len);
        return;
    }
    /* Constant time over the compared bytes: the value may be a nonce or a key hash. */
    ok = snp_ct_eq(want->v, field, n);
    if (ok && !want->prefix && n < field_len) {
        /* A short exact value (Turin hwID in CHIP_ID): the rest of the field must be zero. */
        ok = snp_ct_is_zero(field + n, field_len - n);
    }
    if (ok) {
        hex_abbr(a, sizeof(a), field, n);
        snp_verify_add(res, name, SNP_CHECK_PASS, SNP_OK, "%s%s%s",
                       want->prefix ? "first bytes match: " : "matches: ", a,
                       !want->prefix && n < field_len ? " (rest zero)" : "");
        return;
    }
    hex_abbr(e, sizeof(e), want->v, n);
    hex_abbr(a, sizeof(a), field, n);
    if (snp_ct_eq(want->v, field, n)) {
        hex_abbr(a, sizeof(a), field + n, field_len - n);
        snp_verify_add(res, name, SNP_CHECK_FAIL, err, "bytes %zu.. are not zero: %s", n, a);
        return;
    }
    snp_verify_add(res, name, SNP_CHECK_FAIL, err, "differs from byte %zu: expected %s%s, got %s",
                   first_diff(want->v, field, n), want->prefix ? "prefix " : "", e, a);
}

static bool
digest_in(const uint8_t list[][SNP_VP_DIGEST_SIZE], size_t n, const uint8_t d[48], size_t *idx)
{
    bool found = false;

    /* Scan all entries (no early exit): the list position must not leak through timing. */
    for (size_t i = 0; i < n; i++) {
        if (snp_ct_eq(list[i], d, SNP_VP_DIGEST_SIZE) && !found) {
            found = true;
            *idx = i;
        }
    }
    return found;
}

/* §10 item 23: the ID block's keys. */
static void
check_id_keys(const struct snp_verify_policy *p, const struct snp_report *r,
              struct snp_verify_result *res)
{
    bool author_en = (r->signer_info & SNP_SIGNER_AUTHOR_KEY_EN) != 0;
    char d[2 * 48 + 4];
    size_t idx = 0;

    if (p->require_author_key) {
        /* "Require author key" implies "require ID block": AUTHOR_KEY_EN is only set with one. */
        hex_abbr(d, sizeof(d), r->author_key_digest, sizeof(r->author_key_digest));
        if (!author_en) {
            snp_verify_add(res, "policy.author_key", SNP_CHECK_FAIL, SNP_E_POLICY,
                           "author key required, but AUTHOR_KEY_EN is 0 (no author-signed ID "
                           "block at launch)");
        } else if (p->n_author_key_digests == 0) {
            snp_verify_add(res, "policy.author_key", SNP_CHECK_PASS, SNP_OK,
                           "AUTHOR_KEY_EN is 1 (no digest allow-list given): %s", d);
        } else if (digest_in(p->author_key_digests, p->n_author_key_digests, r->author_key_digest,
                             &idx)) {
            snp_verify_add(res, "policy.author_key", SNP_CHECK_PASS, SNP_OK,
                           "AUTHOR_KEY_DIGEST is trusted entry %zu: %s", idx + 1, d);
        } else {
            snp_verify_add(res, "policy.author_key", SNP_CHECK_FAIL, SNP_E_POLICY,
                           "AUTHOR_KEY_DIGEST %s is not among the %zu trusted", d,
                           p->n_author_key_digests);
        }
        return;
    }
    if (p->n_id_key_digests == 0 && p->n_author_key_digests == 0) {
        return;
    }
    hex_abbr(d, sizeof(d), r->id_key_digest, sizeof(r->id_key_digest));
    if (p->n_id_key_digests > 0 &&
        digest_in(p->id_key_digests, p->n_id_key_digests, r->id_key_digest, &idx)) {
        snp_verify_add(res, "policy.id_key", SNP_CHECK_PASS, SNP_OK,
                       "ID_KEY_DIGEST is trusted entry %zu: %s", idx + 1, d);
    } else if (author_en && p->n_author_key_digests > 0 &&
               digest_in(p->author_key_digests, p->n_author_key_digests, r->author_key_digest,
                         &idx)) {
        snp_verify_add(res, "policy.id_key", SNP_CHECK_PASS, SNP_OK,
                       "ID key signed by trusted author key (entry %zu)", idx + 1);
    } else {
        snp_verify_add(res, "policy.id_key", SNP_CHECK_FAIL, SNP_E_POLICY,
                       "ID_KEY_DIGEST %s is not among the %zu trusted%s", d, p->n_id_key_digests,
                       author_en ? ", nor is AUTHOR_KEY_DIGEST" : " (AUTHOR_KEY_EN is 0)");
    }
}

/* ---- TCB ---------------------------------------------------------------------------------- */

static const struct {
    const char *check;
    const char *field;
} tcb_names[SNP_VP_TCB_COUNT] = {
    {"policy.min_tcb.reported", "REPORTED_TCB"},
    {"policy.min_tcb.current", "CURRENT_TCB"},
    {"policy.min_tcb.committed", "COMMITTED_TCB"},
    {"policy.min_tcb.launch", "LAUNCH_TCB"},
};

static uint64_t
tcb_field(const struct snp_report *r, enum snp_vp_tcb_which w)
{
    switch (w) {
    case SNP_VP_TCB_REPORTED:
        return r->reported_tcb;
    case SNP_VP_TCB_CURRENT:
        return r->current_tcb;
    case SNP_VP_TCB_COMMITTED:
        return r->committed_tcb;
    case SNP_VP_TCB_LAUNCH:
    case SNP_VP_TCB_COUNT:
        break;
    }
    return r->launch_tcb;
}

/* "fmc=1 bl=3 tee=0 snp=8 ucode=115" (fmc on Turin only). */
static void
tcb_str(char *out, size_t n, const struct snp_tcb *t)
{
    if (t->product == SNP_PRODUCT_TURIN) {
        snprintf(out, n, "fmc=%u bl=%u tee=%u snp=%u ucode=%u", t->fmc, t->boot_loader, t->tee,
                 t->snp, t->microcode);
    } else {
        snprintf(out, n, "bl=%u tee=%u snp=%u ucode=%u", t->boot_loader, t->tee, t->snp,
                 t->microcode);
    }
}

/* The components of a that are above b, e.g. "snp 9 > 8" (for failure details). */
static void
tcb_excess(char *out, size_t n, const struct snp_tcb *a, const struct snp_tcb *b)
{
    static const char *const names[] = {"fmc", "bl", "tee", "snp", "ucode"};
    unsigned av[5] = {a->fmc, a->boot_loader, a->tee, a->snp, a->microcode};
    unsigned bv[5] = {b->fmc, b->boot_loader, b->tee, b->snp, b->microcode};
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = a->product == SNP_PRODUCT_TURIN ? 0 : 1; i < 5; i++) {
        if (av[i] > bv[i] && used < n) {
            int k = snprintf(out + used, n - used, "%s%s %u > %u", used > 0 ? ", " : "", names[i],
                             av[i], bv[i]);
            if (k < 0) {
                return;
            }
            used += (size_t)k;
        }
    }
}

static void
check_min_tcb(const struct snp_verify_policy *p, const struct snp_report *r,
              enum snp_product product, enum snp_vp_tcb_which w, struct snp_verify_result *res)
{
    const struct snp_vp_tcb_min *m = &p->min_tcb[w];
    struct snp_tcb min = {0};
    struct snp_tcb act;
    char ms[64];
    char as[64];
    char ex[96];

    if (!m->set) {
        return;
    }
    if (snp_tcb_decode(&act, tcb_field(r, w), product) != SNP_OK) {
        snp_verify_add(res, tcb_names[w].check, SNP_CHECK_ERROR, SNP_E_ARG,
                       "product unknown: %s cannot be decoded (name the product)",
                       tcb_names[w].field);
        return;
    }
    min.product = product;
    min.fmc = product == SNP_PRODUCT_TURIN ? m->fmc : 0;
    min.boot_loader = m->boot_loader;
    min.tee = m->tee;
    min.snp = m->snp;
    min.microcode = m->microcode;
    tcb_str(ms, sizeof(ms), &min);
    tcb_str(as, sizeof(as), &act);
    if (snp_tcb_le(&min, &act)) {
        snp_verify_add(res, tcb_names[w].check, SNP_CHECK_PASS, SNP_OK, "%s %s >= minimum %s%s",
                       tcb_names[w].field, as, ms,
                       product != SNP_PRODUCT_TURIN && m->fmc != 0 ? " (fmc: Turin only, ignored)"
                                                                   : "");
        return;
    }
    tcb_excess(ex, sizeof(ex), &min, &act);
    snp_verify_add(res, tcb_names[w].check, SNP_CHECK_FAIL, SNP_E_TCB,
                   "%s %s is below minimum %s (minimum %s)", tcb_names[w].field, as, ms, ex);
}

/* §10 item 13, always: the TCB the VCEK was derived for cannot exceed the running one. */
static void
check_reported_le_current(const struct snp_report *r, enum snp_product product,
                          struct snp_verify_result *res)
{
    static const char name[] = "policy.reported_tcb_le_current";
    struct snp_tcb rep;
    struct snp_tcb cur;
    char rs[64];
    char cs[64];

    if (snp_tcb_decode(&rep, r->reported_tcb, product) != SNP_OK ||
        snp_tcb_decode(&cur, r->current_tcb, product) != SNP_OK) {
        snp_verify_add(res, name, SNP_CHECK_ERROR, SNP_E_ARG,
                       "product unknown: TCBs cannot be decoded (name the product)");
        return;
    }
    tcb_str(rs, sizeof(rs), &rep);
    tcb_str(cs, sizeof(cs), &cur);
    if (snp_tcb_le(&rep, &cur)) {
        snp_verify_add(res, name, SNP_CHECK_PASS, SNP_OK, "REPORTED %s <= CURRENT %s", rs, cs);
    } else {
        snp_verify_add(res, name, SNP_CHECK_FAIL, SNP_E_TCB,
                       "REPORTED_TCB %s is above CURRENT_TCB %s", rs, cs);
    }
}

/* §10 item 12: committed == current, or committed <= current with provisional firmware. */
static void
check_committed(const struct snp_verify_policy *p, const struct snp_report *r,
                enum snp_product product, struct snp_verify_result *res)
{
    struct snp_tcb com;
    struct snp_tcb cur;
    char c1[64];
    char c2[64];
    bool prov = p->allow_provisional_firmware;
    unsigned vcom;
    unsigned vcur;

    if (!p->require_committed_current) {
        return;
    }
    if (snp_tcb_decode(&com, r->committed_tcb, product) != SNP_OK ||
        snp_tcb_decode(&cur, r->current_tcb, product) != SNP_OK) {
        snp_verify_add(res, "policy.committed_tcb", SNP_CHECK_ERROR, SNP_E_ARG,
                       "product unknown: TCBs cannot be decoded (name the product)");
    } else {
        tcb_str(c1, sizeof(c1), &com);
        tcb_str(c2, sizeof(c2), &cur);
        if (prov ? snp_tcb_le(&com, &cur) : r->committed_tcb == r->current_tcb) {
            snp_verify_add(res, "policy.committed_tcb", SNP_CHECK_PASS, SNP_OK,
                           "COMMITTED %s %s CURRENT %s", c1, prov ? "<=" : "==", c2);
        } else {
            snp_verify_add(res, "policy.committed_tcb", SNP_CHECK_FAIL, SNP_E_TCB,
                           "COMMITTED_TCB %s %s CURRENT_TCB %s%s", c1,
                           prov ? "is not <=" : "!=", c2,
                           prov ? "" : " (provisional firmware not allowed)");
        }
    }
    vcom =
        (unsigned)r->committed_major << 16 | (unsigned)r->committed_minor << 8 | r->committed_build;
    vcur = (unsigned)r->current_major << 16 | (unsigned)r->current_minor << 8 | r->current_build;
    if (prov ? vcom <= vcur : vcom == vcur) {
        snp_verify_add(res, "policy.committed_firmware", SNP_CHECK_PASS, SNP_OK,
                       "committed %u.%u build %u %s current %u.%u build %u", r->committed_major,
                       r->committed_minor, r->committed_build, prov ? "<=" : "==", r->current_major,
                       r->current_minor, r->current_build);
    } else {
        snp_verify_add(res, "policy.committed_firmware", SNP_CHECK_FAIL, SNP_E_TCB,
                       "committed %u.%u build %u %s current %u.%u build %u%s", r->committed_major,
                       r->committed_minor, r->committed_build,
                       prov ? "is not <=" : "!=", r->current_major, r->current_minor,
                       r->current_build, prov ? "" : " (provisional firmware not allowed)");
    }
}

/* §10 items 15, 18, 20: minimum versions and SVN. */
static void
check_versions(const struct snp_verify_policy *p, const struct snp_report *r,
               struct snp_verify_result *res)
{
    unsigned cur = (unsigned)r->current_major << 8 | r->current_minor;
    unsigned abi = (unsigned)snp_policy_abi_major(r->policy) << 8 | snp_policy_abi_minor(r->policy);

    if (p->has_min_build) {
        bool ok = r->current_build >= p->min_build;
        snp_verify_add(res, "policy.min_build", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                       ok ? SNP_OK : SNP_E_TCB, "CURRENT_BUILD %u %s minimum %u", r->current_build,
                       ok ? ">=" : "is below", p->min_build);
    }
    if (p->min_firmware.set) {
        unsigned want = (unsigned)p->min_firmware.major << 8 | p->min_firmware.minor;
        bool ok = cur >= want;
        snp_verify_add(res, "policy.min_firmware", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                       ok ? SNP_OK : SNP_E_TCB, "firmware %u.%u %s minimum %u.%u", r->current_major,
                       r->current_minor, ok ? ">=" : "is below", p->min_firmware.major,
                       p->min_firmware.minor);
    }
    if (p->min_abi.set) {
        unsigned want = (unsigned)p->min_abi.major << 8 | p->min_abi.minor;
        bool ok = abi >= want;
        snp_verify_add(res, "policy.min_abi", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                       ok ? SNP_OK : SNP_E_POLICY, "POLICY ABI %u.%u %s minimum %u.%u",
                       snp_policy_abi_major(r->policy), snp_policy_abi_minor(r->policy),
                       ok ? ">=" : "is below", p->min_abi.major, p->min_abi.minor);
    }
    if (p->has_min_guest_svn) {
        bool ok = r->guest_svn >= p->min_guest_svn;
        snp_verify_add(res, "policy.min_guest_svn", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                       ok ? SNP_OK : SNP_E_POLICY, "GUEST_SVN %u %s minimum %u", r->guest_svn,
                       ok ? ">=" : "is below", p->min_guest_svn);
    }
}

/* ---- bits --------------------------------------------------------------------------------- */

static const char *
bit_name(const struct snp_bit_name *t, unsigned bit)
{
    for (; t->name != NULL; t++) {
        if (t->bit == bit) {
            return t->name;
        }
    }
    return "?";
}

/* A check name "prefix" + lower-cased bit name, e.g. "policy.platform.alias_check_complete". */
static void
bit_check_name(char *out, size_t n, const char *prefix, const char *bit)
{
    size_t i = 0;
    int k = snprintf(out, n, "%s", prefix);

    if (k < 0 || (size_t)k >= n) {
        return;
    }
    for (i = (size_t)k; *bit != '\0' && i + 1 < n; bit++, i++) {
        out[i] = (*bit >= 'A' && *bit <= 'Z') ? (char)(*bit - 'A' + 'a') : *bit;
    }
    out[i] = '\0';
}

/* A guest POLICY bit the verifier does not allow (set => FAIL). */
static void
check_not_allowed(struct snp_verify_result *res, const char *name, const struct snp_report *r,
                  uint64_t bit, const char *bitname)
{
    if ((r->policy & bit) != 0) {
        snp_verify_add(res, name, SNP_CHECK_FAIL, SNP_E_POLICY,
                       "guest POLICY has %s set, which is not allowed", bitname);
    } else {
        snp_verify_add(res, name, SNP_CHECK_PASS, SNP_OK, "%s is clear (not allowed)", bitname);
    }
}

static void
check_bits(const struct snp_verify_policy *p, const struct snp_report *r,
           struct snp_verify_result *res)
{
    char name[SNP_CHECK_NAME_MAX];

    /* §10 item 16: defaults that always apply, then the optional ones. */
    if (!p->allow_debug) {
        check_not_allowed(res, "policy.debug", r, SNP_POLICY_DEBUG, "DEBUG");
    }
    if (!p->allow_migrate_ma) {
        check_not_allowed(res, "policy.migrate_ma", r, SNP_POLICY_MIGRATE_MA, "MIGRATE_MA");
    }
    if (!p->allow_smt) {
        check_not_allowed(res, "policy.smt", r, SNP_POLICY_SMT, "SMT");
    }
    if (!p->allow_cxl) {
        check_not_allowed(res, "policy.cxl_allow", r, SNP_POLICY_CXL_ALLOW, "CXL_ALLOW");
    }
    for (unsigned b = 0; b < 64; b++) {
        uint64_t m = UINT64_C(1) << b;
        const char *bn;
        /* §10 item 17: required guest POLICY bits. */
        if ((p->require_policy & m) != 0) {
            bn = bit_name(snp_policy_bit_names, b);
            bool ok = (r->policy & m) != 0;
            bit_check_name(name, sizeof(name), "policy.guest_policy.", bn);
            snp_verify_add(res, name, ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                           ok ? SNP_OK : SNP_E_POLICY, "guest POLICY %s is %s (required)", bn,
                           ok ? "set" : "clear");
        }
        /* §10 item 19: PLATFORM_INFO, required set or required clear. */
        if (((p->require_platform | p->forbid_platform) & m) != 0) {
            bool want = (p->require_platform & m) != 0;
            bool ok = ((r->platform_info & m) != 0) == want;
            bn = bit_name(snp_platform_bit_names, b);
            bit_check_name(name, sizeof(name), "policy.platform.", bn);
            snp_verify_add(res, name, ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                           ok ? SNP_OK : SNP_E_POLICY, "PLATFORM_INFO %s is %s (%s)", bn,
                           (r->platform_info & m) != 0 ? "set" : "clear",
                           want ? "required" : "forbidden");
        }
    }
}

/* §10 item 24 (v5+): every required mitigation bit present. */
static void
check_mit(struct snp_verify_result *res, const char *name, const char *field, uint64_t want,
          uint64_t have, uint32_t version)
{
    if (want == 0) {
        return;
    }
    if (version < 5) {
        snp_verify_add(res, name, SNP_CHECK_FAIL, SNP_E_POLICY,
                       "report version %u carries no %s (v5+); required 0x%llx", version, field,
                       (unsigned long long)want);
        return;
    }
    if ((have & want) == want) {
        snp_verify_add(res, name, SNP_CHECK_PASS, SNP_OK, "%s 0x%llx has required 0x%llx", field,
                       (unsigned long long)have, (unsigned long long)want);
    } else {
        snp_verify_add(res, name, SNP_CHECK_FAIL, SNP_E_POLICY,
                       "%s 0x%llx lacks required 0x%llx (missing 0x%llx)", field,
                       (unsigned long long)have, (unsigned long long)want,
                       (unsigned long long)(want & ~have));
    }
}

/* ---- the whole policy ---------------------------------------------------------------------- */

void
snp_verify_policy_check(const struct snp_verify_policy *p, const struct snp_report *r,
                        enum snp_product product, struct snp_verify_result *res)
{
    /* §10 item 22: expected values. */
    check_bytes(res, "policy.measurement", &p->measurement, r->measurement, sizeof(r->measurement),
                SNP_E_MISMATCH);
    check_bytes(res, "policy.host_data", &p->host_data, r->host_data, sizeof(r->host_data),
                SNP_E_MISMATCH);
    check_bytes(res, "policy.report_data", &p->report_data, r->report_data, sizeof(r->report_data),
                SNP_E_BINDING);
    check_bytes(res, "policy.family_id", &p->family_id, r->family_id, sizeof(r->family_id),
                SNP_E_MISMATCH);
    check_bytes(res, "policy.image_id", &p->image_id, r->image_id, sizeof(r->image_id),
                SNP_E_MISMATCH);
    check_bytes(res, "policy.report_id", &p->report_id, r->report_id, sizeof(r->report_id),
                SNP_E_MISMATCH);
    check_bytes(res, "policy.report_id_ma", &p->report_id_ma, r->report_id_ma,
                sizeof(r->report_id_ma), SNP_E_MISMATCH);
    check_bytes(res, "policy.chip_id", &p->chip_id, r->chip_id, sizeof(r->chip_id), SNP_E_MISMATCH);
    check_id_keys(p, r, res);

    /* §10 items 12-15: TCB and firmware versions. */
    for (int w = 0; w < SNP_VP_TCB_COUNT; w++) {
        check_min_tcb(p, r, product, (enum snp_vp_tcb_which)w, res);
    }
    check_reported_le_current(r, product, res);
    check_committed(p, r, product, res);
    check_versions(p, r, res);

    /* §10 items 16, 17, 19. */
    check_bits(p, r, res);

    /* §10 item 21. */
    if (p->has_vmpl) {
        bool ok = r->vmpl == p->vmpl;
        snp_verify_add(res, "policy.vmpl", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                       ok ? SNP_OK : SNP_E_POLICY, "VMPL %u, required %u", r->vmpl, p->vmpl);
    }

    /* §10 item 24. */
    check_mit(res, "policy.mit_vector.launch", "LAUNCH_MIT_VECTOR", p->require_launch_mit_vector,
              r->launch_mit_vector, r->version);
    check_mit(res, "policy.mit_vector.current", "CURRENT_MIT_VECTOR", p->require_current_mit_vector,
              r->current_mit_vector, r->version);
}
