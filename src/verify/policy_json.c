/*
 * verify/policy_json.c - the policy's keys: one table, two surfaces. The command line gives
 * `--KEY VALUE` (snp_verify_policy_set()); a JSON policy file gives {"KEY": value}
 * (snp_verify_policy_parse_json()). A JSON value is turned into the same text the command line
 * would give and applied by the same code, so a file and the equivalent flags cannot disagree.
 *
 * Input is hostile: every length, number and name is checked, unknown keys are refused (a
 * typo must not silently drop a requirement), and a failed call leaves the policy unchanged.
 * Never prints; errors go to the caller's errbuf. Key reference: docs/verify-policy.md.
 */
#include "snpkit/verify_policy.h"

#include "snpkit/policy.h"
#include "snpkit/util.h"
#include "base/compiler.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the key table ------------------------------------------------------------------------ */

enum kind {
    K_HEX,     /* a hex byte string (JSON string) */
    K_DIGEST,  /* a 48-byte hex digest, repeatable (JSON string or array of strings) */
    K_BOOL,    /* a switch (JSON true/false) */
    K_UINT,    /* a decimal number (JSON integer) */
    K_VERSION, /* MAJOR.MINOR (JSON string) */
    K_TCB,     /* WHICH:COMP=N,... (JSON object {WHICH: {COMP: N}} or the string form) */
    K_NAMES,   /* bit names, comma-separated, repeatable (JSON string or array of strings) */
    K_MASK,    /* a 64-bit mask, 0x-hex or decimal (JSON string or integer) */
};

/* X(id, name, kind, arg, help) - documentation order. */
#define SNP_VP_KEYS(X)                                                                             \
    X(EXPECT_MEASUREMENT, "expect-measurement", K_HEX, "HEX", "MEASUREMENT equals (48 bytes)")     \
    X(EXPECT_MEASUREMENT_PREFIX, "expect-measurement-prefix", K_HEX, "HEX",                        \
      "MEASUREMENT starts with (1-48 bytes)")                                                      \
    X(EXPECT_HOST_DATA, "expect-host-data", K_HEX, "HEX", "HOST_DATA equals (32 bytes)")           \
    X(EXPECT_HOST_DATA_PREFIX, "expect-host-data-prefix", K_HEX, "HEX",                            \
      "HOST_DATA starts with (1-32 bytes)")                                                        \
    X(EXPECT_REPORT_DATA, "expect-report-data", K_HEX, "HEX", "REPORT_DATA equals (64 bytes)")     \
    X(EXPECT_REPORT_DATA_PREFIX, "expect-report-data-prefix", K_HEX, "HEX",                        \
      "REPORT_DATA starts with (1-64 bytes), e.g. a 32-byte nonce hash")                           \
    X(EXPECT_FAMILY_ID, "expect-family-id", K_HEX, "HEX", "FAMILY_ID equals (16 bytes)")           \
    X(EXPECT_IMAGE_ID, "expect-image-id", K_HEX, "HEX", "IMAGE_ID equals (16 bytes)")              \
    X(EXPECT_REPORT_ID, "expect-report-id", K_HEX, "HEX", "REPORT_ID equals (32 bytes)")           \
    X(EXPECT_REPORT_ID_MA, "expect-report-id-ma", K_HEX, "HEX", "REPORT_ID_MA equals (32 bytes)")  \
    X(EXPECT_CHIP_ID, "expect-chip-id", K_HEX, "HEX",                                              \
      "CHIP_ID equals (64 bytes; or 8, a Turin hwID, rest zero)")                                  \
    X(TRUSTED_ID_KEY_DIGEST, "trusted-id-key-digest", K_DIGEST, "HEX",                             \
      "trust this ID_KEY_DIGEST (48 bytes; repeatable, up to 16)")                                 \
    X(TRUSTED_AUTHOR_KEY_DIGEST, "trusted-author-key-digest", K_DIGEST, "HEX",                     \
      "trust this AUTHOR_KEY_DIGEST (48 bytes; repeatable, up to 16)")                             \
    X(REQUIRE_AUTHOR_KEY, "require-author-key", K_BOOL, NULL,                                      \
      "require AUTHOR_KEY_EN (and a trusted author digest when listed)")                           \
    X(MIN_TCB, "min-tcb", K_TCB, "WHICH:COMP=N,...",                                               \
      "minimum TCB; WHICH reported|current|committed|launch, COMP fmc|bl|tee|snp|ucode")           \
    X(MIN_GUEST_SVN, "min-guest-svn", K_UINT, "N", "GUEST_SVN at least N")                         \
    X(MIN_BUILD, "min-build", K_UINT, "N", "CURRENT_BUILD at least N (0-255)")                     \
    X(MIN_FIRMWARE, "min-firmware", K_VERSION, "MAJOR.MINOR",                                      \
      "CURRENT_MAJOR.CURRENT_MINOR at least this")                                                 \
    X(MIN_ABI, "min-abi", K_VERSION, "MAJOR.MINOR", "guest POLICY ABI_MAJOR.ABI_MINOR at least")   \
    X(REQUIRE_COMMITTED_CURRENT, "require-committed-current", K_BOOL, NULL,                        \
      "COMMITTED_TCB and committed firmware version equal the current ones")                       \
    X(ALLOW_PROVISIONAL_FIRMWARE, "allow-provisional-firmware", K_BOOL, NULL,                      \
      "with require-committed-current: committed <= current suffices")                             \
    X(ALLOW_DEBUG, "allow-debug", K_BOOL, NULL, "accept POLICY.DEBUG (default: rejected)")         \
    X(ALLOW_MIGRATE_MA, "allow-migrate-ma", K_BOOL, NULL,                                          \
      "accept POLICY.MIGRATE_MA (default: rejected)")                                              \
    X(ALLOW_SMT, "allow-smt", K_BOOL, NULL, "accept POLICY.SMT (default: yes; =false rejects)")    \
    X(ALLOW_CXL, "allow-cxl", K_BOOL, NULL,                                                        \
      "accept POLICY.CXL_ALLOW (default: yes; =false rejects)")                                    \
    X(REQUIRE_POLICY, "require-policy", K_NAMES, "NAME[,NAME]",                                    \
      "guest POLICY bits that must be set: SINGLE_SOCKET MEM_AES_256_XTS RAPL_DIS "                \
      "CIPHERTEXT_HIDING PAGE_SWAP_DISABLE")                                                       \
    X(REQUIRE_PLATFORM, "require-platform", K_NAMES, "NAME[,NAME]",                                \
      "PLATFORM_INFO bits that must be set, e.g. ALIAS_CHECK_COMPLETE")                            \
    X(FORBID_PLATFORM, "forbid-platform", K_NAMES, "NAME[,NAME]",                                  \
      "PLATFORM_INFO bits that must be clear, e.g. SMT_EN,TSME_EN,TIO_EN")                         \
    X(REQUIRE_VMPL, "require-vmpl", K_UINT, "N", "VMPL equals N (0-3)")                            \
    X(REQUIRE_LAUNCH_MIT_VECTOR, "require-launch-mit-vector", K_MASK, "MASK",                      \
      "LAUNCH_MIT_VECTOR has these bits (report v5+)")                                             \
    X(REQUIRE_CURRENT_MIT_VECTOR, "require-current-mit-vector", K_MASK, "MASK",                    \
      "CURRENT_MIT_VECTOR has these bits (report v5+)")

#define KEY_ENUM_(id, name, kind, arg, help) KEY_##id,
enum key_id { SNP_VP_KEYS(KEY_ENUM_) KEY_COUNT };
#undef KEY_ENUM_

#define KEY_PUB_(id, name, kind, arg, help) {name, kind != K_BOOL, arg, help},
const struct snp_vp_key snp_verify_policy_keys[] = {SNP_VP_KEYS(KEY_PUB_){NULL, false, NULL, NULL}};
#undef KEY_PUB_

#define KEY_KIND_(id, name, kind, arg, help) kind,
static const enum kind key_kinds[KEY_COUNT] = {SNP_VP_KEYS(KEY_KIND_)};
#undef KEY_KIND_

static int
key_find(const char *name)
{
    for (int i = 0; i < KEY_COUNT; i++) {
        if (strcmp(snp_verify_policy_keys[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* ---- text values -------------------------------------------------------------------------- */

static snp_err fail(char *errbuf, size_t errlen, snp_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static snp_err
fail(char *errbuf, size_t errlen, snp_err err, const char *fmt, ...)
{
    va_list ap;

    if (errbuf != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* A decimal (or 0x-hex) number <= max. No sign, no spaces, no trailing text. */
static snp_err
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    size_t i = 0;

    if (s[0] == '-') {
        return SNP_E_RANGE;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (s[i] == '\0') {
        return SNP_E_FORMAT;
    }
    for (; s[i] != '\0'; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A' + 10);
        } else {
            return SNP_E_FORMAT;
        }
        if (v > (UINT64_MAX - d) / base) {
            return SNP_E_RANGE;
        }
        v = v * base + d;
    }
    if (v > max) {
        return SNP_E_RANGE;
    }
    *out = v;
    return SNP_OK;
}

static snp_err
set_uint(const char *key, const char *s, uint64_t max, uint64_t *out, char *eb, size_t el)
{
    snp_err err = parse_uint(s, max, out);

    if (err == SNP_E_RANGE) {
        return fail(eb, el, err, "%s: '%s' is out of range (0-%llu)", key, s,
                    (unsigned long long)max);
    }
    if (err != SNP_OK) {
        return fail(eb, el, err, "%s: '%s' is not a number", key, s);
    }
    return SNP_OK;
}

/* Hex of exactly want bytes (exact), or 1..want bytes (prefix). */
static snp_err
set_hex(const char *key, const char *s, size_t want, bool prefix, struct snp_vp_bytes *out,
        char *eb, size_t el)
{
    struct snp_vp_bytes b;
    size_t off = 0;
    snp_err err;

    memset(&b, 0, sizeof(b));
    err = snp_hex_decode(b.v, sizeof(b.v), &b.len, s, strlen(s), &off);
    if (err == SNP_E_SPACE) {
        return fail(eb, el, SNP_E_RANGE, "%s: more than %zu bytes of hex", key, want);
    }
    if (err != SNP_OK) {
        return fail(eb, el, SNP_E_FORMAT, "%s: not hex (bad digit or odd length at offset %zu)",
                    key, off);
    }
    if (prefix ? (b.len == 0 || b.len > want) : b.len != want) {
        if (prefix) {
            return fail(eb, el, SNP_E_RANGE, "%s: %zu bytes, want 1 to %zu", key, b.len, want);
        }
        return fail(eb, el, SNP_E_RANGE, "%s: %zu bytes, want %zu (use %s-prefix for a prefix)",
                    key, b.len, want, key);
    }
    b.prefix = prefix;
    *out = b;
    return SNP_OK;
}

static snp_err
set_chip_id(const char *key, const char *s, struct snp_vp_bytes *out, char *eb, size_t el)
{
    struct snp_vp_bytes b;
    snp_err err = set_hex(key, s, 64, true, &b, eb, el);

    if (err != SNP_OK) {
        return err;
    }
    if (b.len != 64 && b.len != 8) {
        return fail(eb, el, SNP_E_RANGE, "%s: %zu bytes, want 64 (or 8 for a Turin hwID)", key,
                    b.len);
    }
    b.prefix = false; /* 8 bytes: exact, and the rest of CHIP_ID must be zero */
    *out = b;
    return SNP_OK;
}

static snp_err
set_digest(const char *key, const char *s, uint8_t list[][SNP_VP_DIGEST_SIZE], size_t *n, char *eb,
           size_t el)
{
    struct snp_vp_bytes b;
    snp_err err = set_hex(key, s, SNP_VP_DIGEST_SIZE, false, &b, eb, el);

    if (err != SNP_OK) {
        return err;
    }
    if (*n >= SNP_VP_MAX_DIGESTS) {
        return fail(eb, el, SNP_E_SPACE, "%s: more than %d digests", key, SNP_VP_MAX_DIGESTS);
    }
    memcpy(list[*n], b.v, SNP_VP_DIGEST_SIZE);
    (*n)++;
    return SNP_OK;
}

static snp_err
set_bool(const char *key, const char *s, bool *out, char *eb, size_t el)
{
    static const char *const yes[] = {"true", "yes", "1", "on"};
    static const char *const no[] = {"false", "no", "0", "off"};

    if (s == NULL) {
        *out = true;
        return SNP_OK;
    }
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return SNP_OK;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return SNP_OK;
        }
    }
    return fail(eb, el, SNP_E_FORMAT, "%s: '%s' is not true or false", key, s);
}

static snp_err
set_version(const char *key, const char *s, struct snp_vp_version *out, char *eb, size_t el)
{
    char buf[16];
    char *dot;
    uint64_t maj = 0;
    uint64_t min = 0;

    if (strlen(s) >= sizeof(buf) || (dot = strchr(strcpy(buf, s), '.')) == NULL) {
        return fail(eb, el, SNP_E_FORMAT, "%s: '%s' is not MAJOR.MINOR", key, s);
    }
    *dot = '\0';
    if (parse_uint(buf, 255, &maj) != SNP_OK || parse_uint(dot + 1, 255, &min) != SNP_OK) {
        return fail(eb, el, SNP_E_FORMAT, "%s: '%s' is not MAJOR.MINOR (each 0-255)", key, s);
    }
    out->set = true;
    out->major = (uint8_t)maj;
    out->minor = (uint8_t)min;
    return SNP_OK;
}

static char
upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Case-insensitive: the NUL-terminated a equals the blen bytes at b. */
static bool
name_eq(const char *a, const char *b, size_t blen)
{
    size_t i = 0;

    for (; i < blen && a[i] != '\0'; i++) {
        if (upper(a[i]) != upper(b[i])) {
            return false;
        }
    }
    return i == blen && a[i] == '\0';
}

/* Comma-separated bit names from table into *mask; allowed restricts the acceptable bits. */
static snp_err
set_names(const char *key, const char *s, const struct snp_bit_name *table, uint64_t allowed,
          uint64_t *mask, char *eb, size_t el)
{
    uint64_t m = 0;
    const char *p = s;

    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const struct snp_bit_name *t = table;
        for (; t->name != NULL; t++) {
            if (name_eq(t->name, p, len) && (allowed & (UINT64_C(1) << t->bit)) != 0) {
                break;
            }
        }
        if (t->name == NULL) {
            return fail(eb, el, SNP_E_FORMAT, "%s: unknown bit name '%.*s'", key,
                        (int)(len > 40 ? 40 : len), p);
        }
        m |= UINT64_C(1) << t->bit;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *mask |= m;
    return SNP_OK;
}

#define GUEST_REQUIRABLE                                                                           \
    (SNP_POLICY_SINGLE_SOCKET | SNP_POLICY_MEM_AES_256_XTS | SNP_POLICY_RAPL_DIS |                 \
     SNP_POLICY_CIPHERTEXT_HIDING | SNP_POLICY_PAGE_SWAP_DISABLE)
#define PLATFORM_NAMED                                                                             \
    (SNP_PLATFORM_SMT_EN | SNP_PLATFORM_TSME_EN | SNP_PLATFORM_ECC_EN | SNP_PLATFORM_RAPL_DIS |    \
     SNP_PLATFORM_CIPHERTEXT_HIDING_EN | SNP_PLATFORM_ALIAS_CHECK_COMPLETE | SNP_PLATFORM_TIO_EN)

static const char *const tcb_which_names[SNP_VP_TCB_COUNT] = {"reported", "current", "committed",
                                                              "launch"};

/* "reported:bl=3,snp=8,ucode=115": replaces the minimum of that TCB field. */
static snp_err
set_tcb(const char *key, const char *s, struct snp_verify_policy *p, char *eb, size_t el)
{
    struct snp_vp_tcb_min m = {true, 0, 0, 0, 0, 0};
    const char *colon = strchr(s, ':');
    const char *q;
    int w = -1;

    for (int i = 0; colon != NULL && i < SNP_VP_TCB_COUNT; i++) {
        if (name_eq(tcb_which_names[i], s, (size_t)(colon - s))) {
            w = i;
        }
    }
    if (w < 0) {
        return fail(eb, el, SNP_E_FORMAT,
                    "%s: '%s' does not start with reported:, current:, committed: or launch:", key,
                    s);
    }
    for (q = colon + 1;;) {
        const char *end = strchr(q, ',');
        const char *eq = strchr(q, '=');
        size_t len = end != NULL ? (size_t)(end - q) : strlen(q);
        char num[8];
        uint64_t v = 0;
        uint8_t *dst = NULL;

        if (eq == NULL || (end != NULL && eq > end)) {
            return fail(eb, el, SNP_E_FORMAT, "%s: '%.*s' is not COMPONENT=N", key,
                        (int)(len > 40 ? 40 : len), q);
        }
        size_t nlen = (size_t)(eq - q);
        size_t vlen = len - nlen - 1;
        if (nlen == 3 && strncmp(q, "fmc", 3) == 0) {
            dst = &m.fmc;
        } else if ((nlen == 2 && strncmp(q, "bl", 2) == 0) ||
                   (nlen == 11 && strncmp(q, "boot_loader", 11) == 0)) {
            dst = &m.boot_loader;
        } else if (nlen == 3 && strncmp(q, "tee", 3) == 0) {
            dst = &m.tee;
        } else if (nlen == 3 && strncmp(q, "snp", 3) == 0) {
            dst = &m.snp;
        } else if ((nlen == 5 && strncmp(q, "ucode", 5) == 0) ||
                   (nlen == 9 && strncmp(q, "microcode", 9) == 0)) {
            dst = &m.microcode;
        } else {
            return fail(eb, el, SNP_E_FORMAT,
                        "%s: unknown component '%.*s' (fmc, bl, tee, snp, ucode)", key,
                        (int)(nlen > 20 ? 20 : nlen), q);
        }
        if (vlen == 0 || vlen >= sizeof(num)) {
            return fail(eb, el, SNP_E_RANGE, "%s: value of '%.*s' is not 0-255", key, (int)nlen, q);
        }
        memcpy(num, eq + 1, vlen);
        num[vlen] = '\0';
        if (parse_uint(num, 255, &v) != SNP_OK) {
            return fail(eb, el, SNP_E_RANGE, "%s: value of '%.*s' is not 0-255", key, (int)nlen, q);
        }
        *dst = (uint8_t)v;
        if (end == NULL) {
            break;
        }
        q = end + 1;
    }
    p->min_tcb[w] = m;
    return SNP_OK;
}

/* Apply key id with text value s to p (which may be left partly changed on failure). */
static snp_err
apply(struct snp_verify_policy *p, int id, const char *s, char *eb, size_t el)
{
    const char *k = snp_verify_policy_keys[id].name;
    uint64_t v = 0;
    snp_err err;

    switch ((enum key_id)id) {
    case KEY_EXPECT_MEASUREMENT:
        return set_hex(k, s, 48, false, &p->measurement, eb, el);
    case KEY_EXPECT_MEASUREMENT_PREFIX:
        return set_hex(k, s, 48, true, &p->measurement, eb, el);
    case KEY_EXPECT_HOST_DATA:
        return set_hex(k, s, 32, false, &p->host_data, eb, el);
    case KEY_EXPECT_HOST_DATA_PREFIX:
        return set_hex(k, s, 32, true, &p->host_data, eb, el);
    case KEY_EXPECT_REPORT_DATA:
        return set_hex(k, s, 64, false, &p->report_data, eb, el);
    case KEY_EXPECT_REPORT_DATA_PREFIX:
        return set_hex(k, s, 64, true, &p->report_data, eb, el);
    case KEY_EXPECT_FAMILY_ID:
        return set_hex(k, s, 16, false, &p->family_id, eb, el);
    case KEY_EXPECT_IMAGE_ID:
        return set_hex(k, s, 16, false, &p->image_id, eb, el);
    case KEY_EXPECT_REPORT_ID:
        return set_hex(k, s, 32, false, &p->report_id, eb, el);
    case KEY_EXPECT_REPORT_ID_MA:
        return set_hex(k, s, 32, false, &p->report_id_ma, eb, el);
    case KEY_EXPECT_CHIP_ID:
        return set_chip_id(k, s, &p->chip_id, eb, el);
    case KEY_TRUSTED_ID_KEY_DIGEST:
        return set_digest(k, s, p->id_key_digests, &p->n_id_key_digests, eb, el);
    case KEY_TRUSTED_AUTHOR_KEY_DIGEST:
        return set_digest(k, s, p->author_key_digests, &p->n_author_key_digests, eb, el);
    case KEY_REQUIRE_AUTHOR_KEY:
        return set_bool(k, s, &p->require_author_key, eb, el);
    case KEY_MIN_TCB:
        return set_tcb(k, s, p, eb, el);
    case KEY_MIN_GUEST_SVN:
        SNP_TRY(set_uint(k, s, UINT32_MAX, &v, eb, el));
        p->has_min_guest_svn = true;
        p->min_guest_svn = (uint32_t)v;
        return SNP_OK;
    case KEY_MIN_BUILD:
        SNP_TRY(set_uint(k, s, 255, &v, eb, el));
        p->has_min_build = true;
        p->min_build = (uint8_t)v;
        return SNP_OK;
    case KEY_MIN_FIRMWARE:
        return set_version(k, s, &p->min_firmware, eb, el);
    case KEY_MIN_ABI:
        return set_version(k, s, &p->min_abi, eb, el);
    case KEY_REQUIRE_COMMITTED_CURRENT:
        return set_bool(k, s, &p->require_committed_current, eb, el);
    case KEY_ALLOW_PROVISIONAL_FIRMWARE:
        return set_bool(k, s, &p->allow_provisional_firmware, eb, el);
    case KEY_ALLOW_DEBUG:
        return set_bool(k, s, &p->allow_debug, eb, el);
    case KEY_ALLOW_MIGRATE_MA:
        return set_bool(k, s, &p->allow_migrate_ma, eb, el);
    case KEY_ALLOW_SMT:
        return set_bool(k, s, &p->allow_smt, eb, el);
    case KEY_ALLOW_CXL:
        return set_bool(k, s, &p->allow_cxl, eb, el);
    case KEY_REQUIRE_POLICY:
        return set_names(k, s, snp_policy_bit_names, GUEST_REQUIRABLE, &p->require_policy, eb, el);
    case KEY_REQUIRE_PLATFORM:
    case KEY_FORBID_PLATFORM:
        err = set_names(k, s, snp_platform_bit_names, PLATFORM_NAMED,
                        id == KEY_REQUIRE_PLATFORM ? &p->require_platform : &p->forbid_platform, eb,
                        el);
        if (err == SNP_OK && (p->require_platform & p->forbid_platform) != 0) {
            return fail(eb, el, SNP_E_ARG,
                        "%s: a PLATFORM_INFO bit is both required and "
                        "forbidden",
                        k);
        }
        return err;
    case KEY_REQUIRE_VMPL:
        SNP_TRY(set_uint(k, s, 3, &v, eb, el));
        p->has_vmpl = true;
        p->vmpl = (uint32_t)v;
        return SNP_OK;
    case KEY_REQUIRE_LAUNCH_MIT_VECTOR:
        return set_uint(k, s, UINT64_MAX, &p->require_launch_mit_vector, eb, el);
    case KEY_REQUIRE_CURRENT_MIT_VECTOR:
        return set_uint(k, s, UINT64_MAX, &p->require_current_mit_vector, eb, el);
    case KEY_COUNT:
        break;
    }
    return fail(eb, el, SNP_E_ARG, "%s: not a policy key", k);
}

snp_err
snp_verify_policy_set(struct snp_verify_policy *p, const char *key, const char *value, char *errbuf,
                      size_t errlen)
{
    struct snp_verify_policy tmp;
    int id;
    snp_err err;

    if (errbuf != NULL && errlen > 0) {
        errbuf[0] = '\0';
    }
    if (p == NULL || key == NULL) {
        return fail(errbuf, errlen, SNP_E_ARG, "no policy or key");
    }
    id = key_find(key);
    if (id < 0) {
        return fail(errbuf, errlen, SNP_E_ARG, "unknown policy key '%.60s'", key);
    }
    if (key_kinds[id] != K_BOOL && value == NULL) {
        return fail(errbuf, errlen, SNP_E_ARG, "%s: needs a value (%s)", key,
                    snp_verify_policy_keys[id].arg);
    }
    tmp = *p;
    err = apply(&tmp, id, value, errbuf, errlen);
    if (err == SNP_OK) {
        *p = tmp;
    }
    return err;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static const char *
json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

static snp_err
wrong_type(const char *key, const json_t *v, const char *want, char *eb, size_t el)
{
    return fail(eb, el, SNP_E_FORMAT, "%s: want %s, got %s", key, want, json_type_name(v));
}

/* A JSON integer as text, refusing negatives with the same message as the command line. */
static snp_err
int_text(const char *key, const json_t *v, char *buf, size_t n, char *eb, size_t el)
{
    json_int_t i = json_integer_value(v);

    if (i < 0) {
        return fail(eb, el, SNP_E_RANGE, "%s: %lld is negative", key, (long long)i);
    }
    snprintf(buf, n, "%llu", (unsigned long long)i);
    return SNP_OK;
}

/* {"reported": {"bl": 3, "snp": 8}, "launch": {...}}: each member as "WHICH:COMP=N,...". */
static snp_err
json_tcb(struct snp_verify_policy *p, int id, json_t *obj, char *eb, size_t el)
{
    const char *k = snp_verify_policy_keys[id].name;
    const char *which;
    json_t *comps;

    json_object_foreach(obj, which, comps)
    {
        char text[160];
        size_t used;
        const char *comp;
        json_t *val;
        int n = snprintf(text, sizeof(text), "%.20s:", which);

        if (!json_is_object(comps)) {
            return fail(eb, el, SNP_E_FORMAT, "%s.%.20s: want an object of components, got %s", k,
                        which, json_type_name(comps));
        }
        if (json_object_size(comps) == 0) {
            return fail(eb, el, SNP_E_FORMAT, "%s.%.20s: no components", k, which);
        }
        used = (size_t)n;
        json_object_foreach(comps, comp, val)
        {
            if (!json_is_integer(val)) {
                return fail(eb, el, SNP_E_FORMAT, "%s.%.20s.%.20s: want an integer, got %s", k,
                            which, comp, json_type_name(val));
            }
            if (json_integer_value(val) < 0 || json_integer_value(val) > 255) {
                return fail(eb, el, SNP_E_RANGE, "%s.%.20s.%.20s: %lld is not 0-255", k, which,
                            comp, (long long)json_integer_value(val));
            }
            n = snprintf(text + used, sizeof(text) - used, "%s%.20s=%lld",
                         used > strlen(which) + 1 ? "," : "", comp,
                         (long long)json_integer_value(val));
            if (n < 0 || (size_t)n >= sizeof(text) - used) {
                return fail(eb, el, SNP_E_RANGE, "%s.%.20s: too many components", k, which);
            }
            used += (size_t)n;
        }
        SNP_TRY(apply(p, id, text, eb, el));
    }
    return SNP_OK;
}

/* One JSON member: check its type for the key's kind, turn it into text, apply. */
static snp_err
json_member(struct snp_verify_policy *p, int id, json_t *v, char *eb, size_t el)
{
    const char *k = snp_verify_policy_keys[id].name;
    char num[32];

    switch (key_kinds[id]) {
    case K_HEX:
    case K_VERSION:
        if (!json_is_string(v)) {
            return wrong_type(k, v, "a string", eb, el);
        }
        return apply(p, id, json_string_value(v), eb, el);
    case K_DIGEST:
    case K_NAMES:
        if (json_is_string(v)) {
            return apply(p, id, json_string_value(v), eb, el);
        }
        if (!json_is_array(v)) {
            return wrong_type(k, v, "a string or an array of strings", eb, el);
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (!json_is_string(e)) {
                return fail(eb, el, SNP_E_FORMAT, "%s[%zu]: want a string, got %s", k, i,
                            json_type_name(e));
            }
            SNP_TRY(apply(p, id, json_string_value(e), eb, el));
        }
        return SNP_OK;
    case K_BOOL:
        if (!json_is_boolean(v)) {
            return wrong_type(k, v, "true or false", eb, el);
        }
        return apply(p, id, json_is_true(v) ? "true" : "false", eb, el);
    case K_UINT:
        if (!json_is_integer(v)) {
            return wrong_type(k, v, "an integer", eb, el);
        }
        SNP_TRY(int_text(k, v, num, sizeof(num), eb, el));
        return apply(p, id, num, eb, el);
    case K_MASK:
        if (json_is_string(v)) {
            return apply(p, id, json_string_value(v), eb, el);
        }
        if (!json_is_integer(v)) {
            return wrong_type(k, v, "an integer or a \"0x...\" string", eb, el);
        }
        SNP_TRY(int_text(k, v, num, sizeof(num), eb, el));
        return apply(p, id, num, eb, el);
    case K_TCB:
        if (json_is_string(v)) {
            return apply(p, id, json_string_value(v), eb, el);
        }
        if (!json_is_object(v)) {
            return wrong_type(k, v, "an object {\"reported\": {\"bl\": N, ...}}", eb, el);
        }
        return json_tcb(p, id, v, eb, el);
    }
    return fail(eb, el, SNP_E_ARG, "%s: not a policy key", k);
}

snp_err
snp_verify_policy_parse_json(struct snp_verify_policy *p, const char *json, size_t len,
                             char *errbuf, size_t errlen)
{
    struct snp_verify_policy tmp;
    json_error_t jerr;
    json_t *root = NULL;
    const char *key;
    json_t *v;
    snp_err err = SNP_E_ARG;

    if (errbuf != NULL && errlen > 0) {
        errbuf[0] = '\0';
    }
    if (p == NULL || (json == NULL && len > 0)) {
        return fail(errbuf, errlen, SNP_E_ARG, "no policy or text");
    }
    root = json_loadb(json != NULL ? json : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return fail(errbuf, errlen, SNP_E_FORMAT, "not valid JSON: line %d, column %d: %s",
                    jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(root)) {
        err = fail(errbuf, errlen, SNP_E_FORMAT, "the policy must be a JSON object, got %s",
                   json_type_name(root));
        goto out;
    }
    tmp = *p;
    json_object_foreach(root, key, v)
    {
        int id;
        if (strcmp(key, "comment") == 0) {
            if (!json_is_string(v)) {
                err = wrong_type("comment", v, "a string", errbuf, errlen);
                goto out;
            }
            continue;
        }
        id = key_find(key);
        if (id < 0) {
            err = fail(errbuf, errlen, SNP_E_FORMAT,
                       "unknown key \"%.60s\" (keys are the command-line option names, see "
                       "docs/verify-policy.md)",
                       key);
            goto out;
        }
        err = json_member(&tmp, id, v, errbuf, errlen);
        if (err != SNP_OK) {
            goto out;
        }
    }
    *p = tmp;
    err = SNP_OK;
out:
    json_decref(root);
    return err;
}
