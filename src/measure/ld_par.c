/*
 * measure/ld_par.c - snp_ld_update_range() with page contents hashed on several threads.
 *
 * The PAGE_INFO chain (§8.2) is sequential by construction: step n+1 hashes LD_n. Only the
 * per-page CONTENTS hashes are independent, so threads take 256 KiB chunks of pages from a
 * shared counter and hash them into a digest array, while the calling thread chains finished
 * chunks strictly in order and, when the next chunk is not ready yet, hashes one itself. The
 * chain therefore sees exactly the CONTENTS values the single-threaded path computes, in the
 * same order: the result is identical by construction, and the tests compare both paths.
 */
#include "measure/measure_int.h"

#include "base/compiler.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LD_PAR_MAX_THREADS 64

struct par {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum snp_page_type type;
    const uint8_t *data;
    size_t npages;
    size_t nchunks;
    size_t next;      /* next chunk nobody has claimed (under mu) */
    uint8_t *done;    /* per chunk: hashes written (under mu) */
    uint8_t *digests; /* npages x 48 bytes */
    snp_err err;      /* first hashing error (under mu) */
};

static snp_err
hash_chunk(struct par *p, size_t c)
{
    size_t first = c * LD_PAR_PAGES;
    size_t last = first + LD_PAR_PAGES < p->npages ? first + LD_PAR_PAGES : p->npages;

    for (size_t i = first; i < last; i++) {
        SNP_TRY(
            ld_hash_chunk(p->type, p->data + i * SNP_MEASURE_PAGE, p->digests + i * SNP_LD_SIZE));
    }
    return SNP_OK;
}

/* Claim and hash one chunk; called and returns with mu held. False when none is left. */
static bool
claim_and_hash(struct par *p)
{
    size_t c;
    snp_err e;

    if (p->next >= p->nchunks || p->err != SNP_OK) {
        return false;
    }
    c = p->next++;
    pthread_mutex_unlock(&p->mu);
    e = hash_chunk(p, c);
    pthread_mutex_lock(&p->mu);
    p->done[c] = 1;
    if (e != SNP_OK && p->err == SNP_OK) {
        p->err = e;
    }
    pthread_cond_broadcast(&p->cv);
    return true;
}

static void *
worker(void *arg)
{
    struct par *p = arg;

    pthread_mutex_lock(&p->mu);
    while (claim_and_hash(p)) {
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Wait until chunk c is hashed, helping meanwhile. Returns the hashing error, if any. */
static snp_err
wait_chunk(struct par *p, size_t c)
{
    snp_err err;

    pthread_mutex_lock(&p->mu);
    while (!p->done[c] && p->err == SNP_OK) {
        if (!claim_and_hash(p)) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
    }
    err = p->err;
    pthread_mutex_unlock(&p->mu);
    return err;
}

/* Chain every page of chunk c from the digest array into work. */
static snp_err
chain_chunk(struct par *p, struct snp_ld *work, size_t c, uint64_t gpa, const uint8_t *vmpl_perms,
            bool imi)
{
    size_t first = c * LD_PAR_PAGES;
    size_t last = first + LD_PAR_PAGES < p->npages ? first + LD_PAR_PAGES : p->npages;

    for (size_t i = first; i < last; i++) {
        SNP_TRY(snp_ld_update_digest(work, p->type, gpa + (uint64_t)i * SNP_MEASURE_PAGE,
                                     p->digests + i * SNP_LD_SIZE, vmpl_perms, imi));
    }
    return SNP_OK;
}

snp_err
ld_update_range_par(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa, const uint8_t *data,
                    size_t len, const uint8_t *vmpl_perms, bool imi)
{
    snp_err err = SNP_E_NOMEM;
    struct par p;
    struct snp_ld work = *ld; /* the caller's chain changes only on success */
    pthread_t tids[LD_PAR_MAX_THREADS];
    size_t nthreads = 0;
    size_t want = ld->threads > LD_PAR_MAX_THREADS ? LD_PAR_MAX_THREADS : ld->threads;
    bool sync_ok = false;

    memset(&p, 0, sizeof(p));
    p.type = type;
    p.data = data;
    p.npages = len / SNP_MEASURE_PAGE;
    p.nchunks = (p.npages + LD_PAR_PAGES - 1) / LD_PAR_PAGES;
    p.done = calloc(p.nchunks, 1);
    p.digests = malloc(p.npages * SNP_LD_SIZE);
    if (p.done == NULL || p.digests == NULL) {
        goto out;
    }
    if (pthread_mutex_init(&p.mu, NULL) != 0) {
        goto out;
    }
    if (pthread_cond_init(&p.cv, NULL) != 0) {
        pthread_mutex_destroy(&p.mu);
        goto out;
    }
    sync_ok = true;
    /* The calling thread is one of the `want` hashers. A thread that cannot be started is no
     * error: the remaining ones (at least this one) do its share. */
    for (size_t i = 0; i + 1 < want; i++) {
        if (pthread_create(&tids[nthreads], NULL, worker, &p) == 0) {
            nthreads++;
        }
    }
    err = SNP_OK;
    for (size_t c = 0; c < p.nchunks && err == SNP_OK; c++) {
        err = wait_chunk(&p, c);
        if (err == SNP_OK) {
            err = chain_chunk(&p, &work, c, gpa, vmpl_perms, imi);
        }
    }
    if (err != SNP_OK) {
        pthread_mutex_lock(&p.mu);
        if (p.err == SNP_OK) {
            p.err = err; /* stop the workers early */
        }
        pthread_mutex_unlock(&p.mu);
    }
    for (size_t i = 0; i < nthreads; i++) {
        pthread_join(tids[i], NULL);
    }
    if (err == SNP_OK) {
        *ld = work;
    }
out:
    if (sync_ok) {
        pthread_cond_destroy(&p.cv);
        pthread_mutex_destroy(&p.mu);
    }
    free(p.done);
    free(p.digests);
    return err;
}
