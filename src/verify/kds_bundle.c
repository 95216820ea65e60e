/*
 * verify/kds_bundle.c - snp_kds_fetch_for_report(): the collateral one report needs, store
 * first, network second (unless offline), everything fetched checked and then stored.
 *
 * Which items (attestation.md §4.1, §5): a VCEK-signed report needs its VCEK (by product
 * line, hwID and REPORTED_TCB), the VCEK cert_chain (ASK+ARK) and the VCEK CRL; a
 * VLEK-signed report needs the VLEK cert_chain (ASVK+ARK) and CRL, while the VLEK itself is
 * issued to cloud providers only and reaches relying parties through the host's certificate
 * table. CRLs are re-fetched once past their nextUpdate (user-needs.md item 9).
 */
#include "snpkit/kds.h"

#include "snpkit/policy.h"
#include "verify/kds_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct run {
    const struct snp_kds_opts *o;
    char dir[SNP_KDS_PATH_MAX]; /* "" without a store */
    const char *gave_up;        /* why later items are not requested; NULL while all is well */
};

static void blob_msg(struct snp_kds_blob *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
blob_msg(struct snp_kds_blob *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(b->msg, sizeof(b->msg), fmt, ap); /* cut to fit, always terminated */
    va_end(ap);
}

static void trace(const struct snp_kds_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(const struct snp_kds_opts *o, const char *fmt, ...)
{
    char line[SNP_KDS_PATH_MAX + 64];
    va_list ap;

    if (o->hooks == NULL || o->hooks->trace == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    o->hooks->trace(o->hooks->ctx, line);
}

static int64_t
now_s(const struct snp_kds_opts *o)
{
    if (o->hooks != NULL && o->hooks->now != NULL) {
        return o->hooks->now(o->hooks->ctx);
    }
    return (int64_t)time(NULL);
}

/* "2026-10-04T00:00:00Z" */
static void
fmt_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "(no date)");
    }
}

static bool
crl_fresh(const struct snp_kds_blob *b, int64_t now)
{
    return b->crl_next_update >= 0 && now < b->crl_next_update;
}

/* A checked copy from the store, or SNP_E_NOTFOUND; a file that fails the check is ignored. */
static snp_err
from_store(struct run *run, enum snp_kds_item item, struct snp_kds_blob *b)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    snp_err err;

    if (b->path[0] == '\0') {
        return SNP_E_NOTFOUND;
    }
    err = snp_kds_store_read(b->path, &buf, &len);
    if (err != SNP_OK) {
        return err == SNP_E_NOTFOUND ? err : SNP_E_NOTFOUND;
    }
    err = snp_kds_check_content(item, buf, len, &b->crl_next_update);
    if (err != SNP_OK) {
        trace(run->o, "store: %s is not %s (%s); ignored", b->path, snp_kds_item_name(item),
              snp_err_str(err));
        free(buf);
        return SNP_E_NOTFOUND;
    }
    trace(run->o, "store: %s", b->path);
    b->data = buf;
    b->len = len;
    b->source = SNP_KDS_SRC_STORE;
    b->state = SNP_KDS_ST_OK;
    b->err = SNP_OK;
    return SNP_OK;
}

/* Fetch b->url into b (and the store). On failure b is untouched except msg/err. */
static snp_err
from_network(struct run *run, enum snp_kds_item item, struct snp_kds_blob *b,
             struct snp_kds_status *st)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int64_t next = -1;
    snp_err err;

    if (run->gave_up != NULL) {
        memset(st, 0, sizeof(*st));
        st->fail = SNP_KDS_FAIL_THROTTLED;
        snprintf(st->msg, sizeof(st->msg), "not requested: %s", run->gave_up);
        return SNP_E_NETWORK;
    }
    err = snp_kds_get(run->o, b->url, item, &buf, &len, st);
    if (err != SNP_OK) {
        /* The retry budget was spent on a server that throttles or cannot be reached: asking
         * again for the next item would spend it again for the same answer. */
        if (st->fail == SNP_KDS_FAIL_THROTTLED) {
            run->gave_up = "the key server throttled an earlier request";
        } else if (st->fail == SNP_KDS_FAIL_CONNECT || st->fail == SNP_KDS_FAIL_TIMEOUT) {
            run->gave_up = "the key server could not be reached for an earlier request";
        }
        return err;
    }
    if (snp_kds_check_content(item, buf, len, &next) != SNP_OK) {
        free(buf); /* snp_kds_get() checked it already; cannot happen */
        return SNP_E_NETWORK;
    }
    free(b->data);
    b->data = buf;
    b->len = len;
    b->crl_next_update = next;
    b->source = SNP_KDS_SRC_NETWORK;
    b->state = SNP_KDS_ST_OK;
    b->err = SNP_OK;
    b->msg[0] = '\0';
    if (b->path[0] != '\0') {
        if (snp_kds_store_write(b->path, buf, len) == SNP_OK) {
            trace(run->o, "stored: %s", b->path);
        } else {
            blob_msg(b, "fetched, but could not be saved to %s", b->path);
        }
    }
    return SNP_OK;
}

static void
missing(struct snp_kds_blob *b, snp_err err)
{
    b->state = SNP_KDS_ST_MISSING;
    b->source = SNP_KDS_SRC_NONE;
    b->err = err;
}

/* One item: store, then network; CRLs also refresh when past nextUpdate. */
static void
get_item(struct run *run, enum snp_kds_item item, struct snp_kds_blob *b)
{
    struct snp_kds_status st;
    char when[32];
    int64_t now = now_s(run->o);
    bool have = from_store(run, item, b) == SNP_OK;
    snp_err err;

    if (have && (item != SNP_KDS_ITEM_CRL || crl_fresh(b, now))) {
        return;
    }
    if (run->o->offline) {
        if (have) { /* only a CRL gets here with a copy */
            fmt_time(when, b->crl_next_update);
            b->state = SNP_KDS_ST_STALE;
            b->err = SNP_E_EXPIRED;
            blob_msg(b, "CRL in the store is past its nextUpdate (%s); offline, not refreshed",
                     when);
            return;
        }
        missing(b, SNP_E_NOTFOUND);
        if (b->path[0] != '\0') {
            blob_msg(b, "%s not in the store (%s) and offline", snp_kds_item_name(item), b->path);
        } else {
            blob_msg(b, "%s: no store and offline", snp_kds_item_name(item));
        }
        return;
    }
    err = from_network(run, item, b, &st);
    if (err == SNP_OK) {
        if (item == SNP_KDS_ITEM_CRL && !crl_fresh(b, now)) {
            fmt_time(when, b->crl_next_update);
            b->state = SNP_KDS_ST_STALE;
            b->err = SNP_E_EXPIRED;
            blob_msg(b, "the key server's CRL is itself past its nextUpdate (%s)", when);
        }
        return;
    }
    if (have) {
        fmt_time(when, b->crl_next_update);
        b->state = SNP_KDS_ST_STALE;
        b->err = SNP_E_EXPIRED;
        blob_msg(b, "CRL in the store is past its nextUpdate (%s) and the refresh failed: %s", when,
                 st.msg);
        return;
    }
    missing(b, err);
    blob_msg(b, "%s", st.msg);
}

static void
blob_init(struct snp_kds_blob *b)
{
    memset(b, 0, sizeof(*b));
    b->crl_next_update = -1;
    b->state = SNP_KDS_ST_MISSING;
}

static snp_err
prepare_vcek(struct run *run, const struct snp_report *r, struct snp_kds_bundle *out)
{
    struct snp_kds_blob *b = &out->vcek;
    snp_err err;

    if (out->key == SNP_KDS_KEY_VLEK) {
        b->state = SNP_KDS_ST_NOT_APPLICABLE;
        blob_msg(b, "VLEK-signed report: the VLEK certificate is not fetchable from the KDS by "
                    "relying parties; take it from the host's certificate table (extended "
                    "report or configfs-tsm auxblob) or a file");
        return SNP_OK;
    }
    err = snp_kds_url_vcek(b->url, sizeof(b->url), run->o->base_url, out->product, r->chip_id,
                           r->reported_tcb);
    if (err == SNP_E_UNSUPPORTED) {
        missing(b, err);
        blob_msg(b, "CHIP_ID is all zero (MASK_CHIP_ID): the KDS cannot name this chip; take "
                    "the VCEK from the host's certificate table or a file");
        return err;
    }
    if (err != SNP_OK) {
        missing(b, err);
        blob_msg(b, "cannot build the VCEK URL (%s)", snp_err_str(err));
        return err;
    }
    if (run->dir[0] != '\0' &&
        snp_kds_store_path(b->path, sizeof(b->path), run->dir, SNP_KDS_ITEM_VCEK, out->key,
                           out->product, r->chip_id, r->reported_tcb) != SNP_OK) {
        b->path[0] = '\0';
    }
    get_item(run, SNP_KDS_ITEM_VCEK, b);
    return b->state == SNP_KDS_ST_OK ? SNP_OK : b->err;
}

static snp_err
prepare_line(struct run *run, struct snp_kds_bundle *out, enum snp_kds_item item,
             struct snp_kds_blob *b)
{
    snp_err err =
        item == SNP_KDS_ITEM_CHAIN
            ? snp_kds_url_chain(b->url, sizeof(b->url), run->o->base_url, out->product, out->key)
            : snp_kds_url_crl(b->url, sizeof(b->url), run->o->base_url, out->product, out->key);
    if (err != SNP_OK) {
        missing(b, err);
        blob_msg(b, "cannot build the %s URL (%s)", snp_kds_item_name(item), snp_err_str(err));
        return err;
    }
    if (run->dir[0] != '\0' && snp_kds_store_path(b->path, sizeof(b->path), run->dir, item,
                                                  out->key, out->product, NULL, 0) != SNP_OK) {
        b->path[0] = '\0';
    }
    get_item(run, item, b);
    return b->state == SNP_KDS_ST_OK || b->state == SNP_KDS_ST_STALE ? SNP_OK : b->err;
}

snp_err
snp_kds_fetch_for_report(const struct snp_kds_opts *o, const struct snp_report *r,
                         enum snp_product product, struct snp_kds_bundle *out)
{
    static const struct snp_kds_opts defaults;
    struct run run;
    unsigned sk;
    snp_err first = SNP_OK;
    snp_err err;

    memset(out, 0, sizeof(*out));
    blob_init(&out->vcek);
    blob_init(&out->chain);
    blob_init(&out->crl);
    out->product = product;
    SNP_ENSURE(r != NULL && snp_kds_hwid_len(product) != 0, SNP_E_ARG);
    /* SNP-ABI signer info, attestation.md §1.4: SIGNING_KEY 0 VCEK, 1 VLEK, 7 none. */
    sk = (r->signer_info & SNP_SIGNER_SIGNING_KEY_MASK) >> SNP_SIGNER_SIGNING_KEY_SHIFT;
    SNP_ENSURE(sk == SNP_SIGNING_KEY_VCEK || sk == SNP_SIGNING_KEY_VLEK, SNP_E_ARG);
    out->key = sk == SNP_SIGNING_KEY_VLEK ? SNP_KDS_KEY_VLEK : SNP_KDS_KEY_VCEK;

    memset(&run, 0, sizeof(run));
    run.o = o != NULL ? o : &defaults;
    kds_store_dir(run.dir, run.o);

    err = prepare_vcek(&run, r, out);
    first = err;
    err = prepare_line(&run, out, SNP_KDS_ITEM_CHAIN, &out->chain);
    first = first != SNP_OK ? first : err;
    err = prepare_line(&run, out, SNP_KDS_ITEM_CRL, &out->crl);
    first = first != SNP_OK ? first : err;
    return first;
}

void
snp_kds_bundle_free(struct snp_kds_bundle *b)
{
    if (b == NULL) {
        return;
    }
    free(b->vcek.data);
    free(b->chain.data);
    free(b->crl.data);
    b->vcek.data = b->chain.data = b->crl.data = NULL;
    b->vcek.len = b->chain.len = b->crl.len = 0;
}
