/*
 * snpkit/kds.h - collateral for verification: AMD's Key Distribution Service (KDS) client and
 * the local store of VCEKs, certificate chains and CRLs (attestation.md §5, docs/store.md).
 * @module verify
 *
 * Offline first: every lookup tries the store before the network, and in offline mode the
 * network is never touched. What comes from the network is checked before it is stored or
 * returned: a VCEK must be one DER certificate, a cert_chain exactly two PEM certificates, a
 * CRL one DER CRL. A 404 page or an HTML body is refused, never saved (user-needs.md item 8).
 * The key server rate-limits (HTTP 429): Retry-After is honoured, waits are bounded, other 4xx
 * are never retried (user-needs.md item 1).
 *
 * No trust decision is made here: signatures, chains, names and TCB binding are the
 * verifier's (snpkit/verify.h). The library never prints; progress goes to an optional trace
 * callback, and time and sleeping are injected (STYLE.md §8) so tests never really wait.
 */
#ifndef SNPKIT_KDS_H
#define SNPKIT_KDS_H

#include "snpkit/err.h"
#include "snpkit/report.h"
#include "snpkit/tcb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_KDS_DEFAULT_BASE "https://kdsintf.amd.com"
#define SNP_KDS_URL_MAX      512
#define SNP_KDS_PATH_MAX     1024
#define SNP_KDS_MSG_MAX      640
#define SNP_KDS_BODY_MAX     (256u * 1024u) /* a larger response is refused */
#define SNP_KDS_HWID_MAX     64

/* Which certificate family: the report's SIGNING_KEY (0 VCEK, 1 VLEK). */
enum snp_kds_key {
    SNP_KDS_KEY_VCEK = 0,
    SNP_KDS_KEY_VLEK = 1,
};

/* What is fetched or stored. */
enum snp_kds_item {
    SNP_KDS_ITEM_VCEK = 0,  /* the per-chip, per-TCB leaf (DER) */
    SNP_KDS_ITEM_CHAIN = 1, /* ASK (or ASVK) then ARK (PEM) */
    SNP_KDS_ITEM_CRL = 2,   /* the ARK's CRL over ASK (or ASVK) (DER) */
};

/* "vcek", "vlek". */
const char *snp_kds_key_name(enum snp_kds_key k);
/* "vcek", "cert_chain", "crl". */
const char *snp_kds_item_name(enum snp_kds_item i);

/* ---- URLs (attestation.md §5) ------------------------------------------------------------- */

/*
 * snp_kds_hwid_len() - how many CHIP_ID bytes name a chip at the KDS: 64 on Milan and Genoa,
 * 8 on Turin (CHIP_ID[0..8]; the 64-byte form gets a 404 there). 0 for UNKNOWN.
 */
size_t snp_kds_hwid_len(enum snp_product p);

/*
 * snp_kds_url_vcek() - the VCEK URL for a chip and its REPORTED_TCB:
 *   Milan/Genoa: {base}/vcek/v1/{Line}/{128 hex}?blSPL=B&teeSPL=T&snpSPL=S&ucodeSPL=U
 *   Turin:       {base}/vcek/v1/Turin/{16 hex}?fmcSPL=F&blSPL=B&teeSPL=T&snpSPL=S&ucodeSPL=U
 * SPL values in decimal without padding, from snp_tcb_decode(reported_tcb, product).
 * @out:     out, NUL-terminated; "" on failure.
 * @base:    NULL for SNP_KDS_DEFAULT_BASE; must start with http:// or https://; trailing '/'
 *           are dropped.
 * @chip_id: the report's 64-byte CHIP_ID; on Turin only the first 8 bytes are used.
 * Returns SNP_OK; SNP_E_ARG (unknown product, bad base); SNP_E_UNSUPPORTED when the hwID is
 * all zero (MASK_CHIP_ID: the KDS cannot name the chip); SNP_E_SPACE when out is too small.
 */
snp_err snp_kds_url_vcek(char *out, size_t out_size, const char *base, enum snp_product product,
                         const uint8_t chip_id[64], uint64_t reported_tcb);

/* {base}/{vcek|vlek}/v1/{Line}/cert_chain. Errors as snp_kds_url_vcek(). */
snp_err snp_kds_url_chain(char *out, size_t out_size, const char *base, enum snp_product product,
                          enum snp_kds_key key);

/* {base}/{vcek|vlek}/v1/{Line}/crl. Errors as snp_kds_url_vcek(). */
snp_err snp_kds_url_crl(char *out, size_t out_size, const char *base, enum snp_product product,
                        enum snp_kds_key key);

/* ---- options, injected services, status ---------------------------------------------------- */

/*
 * Time, sleep and trace, injected (STYLE.md §8). Any NULL member gets the system default:
 * time(), nanosleep(), silence. Called from the calling thread only.
 */
struct snp_kds_hooks {
    void *ctx;
    int64_t (*now)(void *ctx);                  /* UNIX seconds, UTC */
    void (*sleep_ms)(void *ctx, uint64_t ms);   /* wait before a retry */
    void (*trace)(void *ctx, const char *line); /* one line of progress, no newline */
};

/*
 * Options. All-zero is valid and means: AMD's KDS, the default store, online, and the default
 * limits given per field.
 */
struct snp_kds_opts {
    const char *base_url;              /* NULL: SNP_KDS_DEFAULT_BASE */
    const char *store_dir;             /* NULL: snp_kds_store_default() (none if that fails) */
    bool no_store;                     /* neither read nor write a store */
    bool offline;                      /* never touch the network */
    uint32_t connect_timeout_ms;       /* 0: 10 000 */
    uint32_t timeout_ms;               /* whole request incl. body; 0: 30 000 */
    uint32_t max_attempts;             /* per URL, first try included; 0: 5 */
    uint32_t backoff_initial_ms;       /* 0: 1 000; doubled per retry */
    uint32_t backoff_max_ms;           /* 0: 30 000 per wait */
    uint32_t retry_after_max_ms;       /* 0: 60 000; a longer Retry-After ends the attempts */
    uint32_t total_wait_max_ms;        /* 0: 120 000 of waiting per URL */
    const struct snp_kds_hooks *hooks; /* NULL: system clock, real sleep, no trace */
};

/* Why a fetch failed (finer than snp_err, for messages and tests). */
enum snp_kds_fail {
    SNP_KDS_FAIL_NONE = 0,
    SNP_KDS_FAIL_HTTP = 1,      /* final HTTP status not 200 (see http_status) */
    SNP_KDS_FAIL_THROTTLED = 2, /* 429/503 until the attempt or wait budget ran out */
    SNP_KDS_FAIL_TIMEOUT = 3,   /* connect or transfer timeout */
    SNP_KDS_FAIL_CONNECT = 4,   /* DNS, connection, TLS, or another transport failure */
    SNP_KDS_FAIL_TRUNCATED = 5, /* body shorter than its Content-Length */
    SNP_KDS_FAIL_CONTENT = 6,   /* HTTP 200 but not what was asked for (content_err says why) */
    SNP_KDS_FAIL_TOO_LARGE = 7, /* body above SNP_KDS_BODY_MAX */
    SNP_KDS_FAIL_OFFLINE = 8,   /* offline mode: not tried */
};

struct snp_kds_status {
    long http_status;   /* last HTTP status seen; 0 when none */
    unsigned attempts;  /* requests made */
    uint64_t waited_ms; /* total asked of sleep_ms */
    enum snp_kds_fail fail;
    snp_err content_err;       /* FAIL_CONTENT: the content check's error */
    char msg[SNP_KDS_MSG_MAX]; /* one human line; "" on success */
};

/* ---- content checks -------------------------------------------------------------------------- */

/*
 * snp_kds_check_content() - is buf what the KDS returns for item? VCEK: exactly one DER X.509
 * certificate. CHAIN: PEM with exactly two CERTIFICATE blocks and nothing else. CRL: exactly
 * one DER X.509 CRL, its nextUpdate (UNIX seconds; -1 when absent) in *crl_next_update
 * (optional). No signature or trust check.
 * Returns SNP_OK; SNP_E_TRUNCATED (cut off); SNP_E_TRAILING (bytes after the object);
 * SNP_E_FORMAT (not that kind of object, or a chain of other than 2 certificates);
 * SNP_E_RANGE (empty, or above SNP_KDS_BODY_MAX); SNP_E_NOMEM; SNP_E_ARG (bad item).
 */
snp_err snp_kds_check_content(enum snp_kds_item item, const uint8_t *buf, size_t len,
                              int64_t *crl_next_update);

/* ---- the HTTP client ------------------------------------------------------------------------ */

/*
 * snp_kds_get() - GET url and return its checked body.
 * @o:     options (base_url and store fields are not used here).
 * @item:  what the body must be (snp_kds_check_content()).
 * @body:  out; malloc'd on success (caller frees), NULL otherwise.
 * @st:    out, optional: attempts, waits, HTTP status, a human message.
 *
 * Retries, within max_attempts and total_wait_max_ms: 429 and 503 after Retry-After (seconds
 * or HTTP-date; never sooner than asked; a value above retry_after_max_ms ends the attempts)
 * or, without it, exponential backoff; 500/502/504, timeouts, connection failures and cut-off
 * bodies after exponential backoff. Never retried: other 4xx, and a 200 whose body fails the
 * content check.
 * Returns SNP_OK; SNP_E_NOTFOUND (HTTP 404); SNP_E_NETWORK (every other failure, st->fail
 * says which); SNP_E_STATE (offline); SNP_E_NOMEM; SNP_E_ARG.
 */
snp_err snp_kds_get(const struct snp_kds_opts *o, const char *url, enum snp_kds_item item,
                    uint8_t **body, size_t *body_len, struct snp_kds_status *st);

/* ---- the store (layout: docs/store.md) ------------------------------------------------------ */

/*
 * snp_kds_store_default() - "$XDG_CACHE_HOME/snpkit" when XDG_CACHE_HOME is an absolute path,
 * else "$HOME/.cache/snpkit". SNP_E_NOTFOUND when neither is set; SNP_E_SPACE.
 */
snp_err snp_kds_store_default(char *out, size_t out_size);

/*
 * snp_kds_store_path() - where item lives under dir:
 *   vcek/{Line}/{hwid hex}/{tcb hex}.der   (VCEK; hwid as in the URL, tcb = the 8 REPORTED_TCB
 *                                           bytes in report order, 16 hex digits)
 *   chain/{Line}/{vcek|vlek}.pem
 *   crl/{Line}/{vcek|vlek}.der
 * chip_id and reported_tcb are used for ITEM_VCEK only (may be NULL / 0 otherwise).
 * Returns SNP_OK; SNP_E_ARG (unknown product, VLEK leaf, no chip_id); SNP_E_UNSUPPORTED
 * (all-zero hwID); SNP_E_SPACE.
 */
snp_err snp_kds_store_path(char *out, size_t out_size, const char *dir, enum snp_kds_item item,
                           enum snp_kds_key key, enum snp_product product, const uint8_t *chip_id,
                           uint64_t reported_tcb);

/*
 * snp_kds_store_read() - the whole file at path into a malloc'd buffer (at most
 * SNP_KDS_BODY_MAX bytes). SNP_E_NOTFOUND when absent; SNP_E_IO; SNP_E_RANGE (too large);
 * SNP_E_NOMEM.
 */
snp_err snp_kds_store_read(const char *path, uint8_t **buf, size_t *len);

/*
 * snp_kds_store_write() - write buf to path atomically: missing directories are created, the
 * bytes go to a temporary file beside it which is flushed and then renamed over path, so a
 * reader sees the old file or the new one, never a part. SNP_E_IO on failure (nothing left
 * behind).
 */
snp_err snp_kds_store_write(const char *path, const uint8_t *buf, size_t len);

/* One stored file, as snp_kds_store_list() reports it. */
struct snp_kds_entry {
    enum snp_kds_item item;
    enum snp_kds_key key;
    enum snp_product product;
    char hwid[2 * SNP_KDS_HWID_MAX + 1]; /* VCEK: hex; "" otherwise */
    uint8_t tcb[8];                      /* VCEK: REPORTED_TCB bytes in report order */
    char path[SNP_KDS_PATH_MAX];
    size_t size;
    snp_err content_err;     /* snp_kds_check_content() of the file: SNP_OK when usable */
    int64_t crl_next_update; /* CRL: nextUpdate, -1 when absent or unreadable */
};

/*
 * snp_kds_store_list() - call cb for every file of the layout under dir, in sorted order
 * (products, then hwIDs, then TCBs). Files outside the layout and temporary files are
 * skipped. cb returning other than SNP_OK stops the walk with that error.
 * Returns SNP_OK (also for a missing dir: an empty store); SNP_E_IO; SNP_E_NOMEM.
 */
snp_err snp_kds_store_list(const char *dir, snp_err (*cb)(void *ctx, const struct snp_kds_entry *e),
                           void *ctx);

/* ---- everything a report needs ------------------------------------------------------------- */

enum snp_kds_source {
    SNP_KDS_SRC_NONE = 0,    /* absent */
    SNP_KDS_SRC_STORE = 1,   /* read from the store */
    SNP_KDS_SRC_NETWORK = 2, /* fetched now (and stored, unless no_store) */
};

enum snp_kds_state {
    SNP_KDS_ST_OK = 0,             /* present and current */
    SNP_KDS_ST_MISSING = 1,        /* absent: err and msg say why */
    SNP_KDS_ST_STALE = 2,          /* CRL present but past its nextUpdate */
    SNP_KDS_ST_NOT_APPLICABLE = 3, /* the VLEK leaf, which the KDS does not hand out */
};

const char *snp_kds_source_name(enum snp_kds_source s); /* "none", "store", "network" */
const char *snp_kds_state_name(enum snp_kds_state s);   /* "ok", "missing", "stale", "n/a" */

struct snp_kds_blob {
    uint8_t *data; /* malloc'd; NULL when absent */
    size_t len;
    enum snp_kds_source source;
    enum snp_kds_state state;
    snp_err err;                 /* MISSING: why; STALE: SNP_E_EXPIRED; else SNP_OK */
    int64_t crl_next_update;     /* CRL: nextUpdate (UNIX s), -1 when absent */
    char url[SNP_KDS_URL_MAX];   /* where it is fetched from; "" when not fetchable */
    char path[SNP_KDS_PATH_MAX]; /* its store file; "" without a store */
    char msg[SNP_KDS_MSG_MAX];   /* one human line: what happened or what is missing */
};

struct snp_kds_bundle {
    enum snp_product product;
    enum snp_kds_key key;
    struct snp_kds_blob vcek;  /* VCEK DER; NOT_APPLICABLE for a VLEK-signed report */
    struct snp_kds_blob chain; /* ASK+ARK or ASVK+ARK, PEM */
    struct snp_kds_blob crl;   /* the line's CRL for ASK or ASVK, DER */
};

/*
 * snp_kds_fetch_for_report() - the collateral to verify r: for a VCEK-signed report the VCEK
 * for (product, hwID, REPORTED_TCB), the VCEK cert_chain and CRL; for a VLEK-signed report the
 * VLEK cert_chain and CRL only (the VLEK itself must come from the host's certificate table).
 * Each item is taken from the store when there, else fetched (unless offline) and stored.
 * A stored CRL past its nextUpdate (by hooks->now) is re-fetched when online; if that fails,
 * or when offline, it is returned with state STALE. After a fetch was throttled, or found the
 * server unreachable, to the end of its retry budget, the remaining items are not requested
 * (they would meet the same answer) and are MISSING with SNP_E_NETWORK.
 * @product: the report's product line (snp_report_product()); not UNKNOWN.
 * @out:     out; always initialised, release with snp_kds_bundle_free() whatever the result.
 *
 * Returns SNP_OK when every applicable item is present (a STALE CRL counts as present: the
 * verifier judges freshness at its own time); otherwise the first missing item's error
 * (SNP_E_NOTFOUND when offline or a 404, SNP_E_NETWORK, SNP_E_UNSUPPORTED for a masked
 * CHIP_ID), with every item's state, source and msg filled. SNP_E_ARG for a report that is
 * not signed (SIGNING_KEY none) or an UNKNOWN product.
 */
snp_err snp_kds_fetch_for_report(const struct snp_kds_opts *o, const struct snp_report *r,
                                 enum snp_product product, struct snp_kds_bundle *out);

/* Free the three buffers (NULL-safe); the struct itself is the caller's. */
void snp_kds_bundle_free(struct snp_kds_bundle *b);

#endif /* SNPKIT_KDS_H */
