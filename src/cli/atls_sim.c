/*
 * cli/atls_sim.c - the booted agent CVM as the evidence provider of `snpkit atls serve` and
 * `snpkit atls proxy` on the simulator (docs/atls.md §5, §7).
 *
 * The same broker as `snpkit sim serve`: the VMM runs on one thread; the guest's attestation
 * agent is the server of the device channel, so the channel callback blocks until a request is
 * queued, hands it to the guest and returns the answer to the waiting thread on the next
 * doorbell. The request is the existing EXT_REPORT op (docs/guest.md): REPORT_DATA[64], VMPL 0
 * -> report, u32 table length, the certificate table the honest VMM staples. Nothing here
 * sees a key or the PSP: the report is made by guest code through its own VMPCK.
 */
#include "cli.h"
#include "sim_int.h"

#include "base/compiler.h"
#include "base/rd.h"
#include "guest/app.h"
#include "snpkit/machine.h"
#include "snpkit/util.h"
#include "snpkit/vmm.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cvm_job {
    uint8_t req[4 + 68];
    size_t req_len;
    uint8_t *rsp; /* malloc'd by the channel callback */
    size_t rsp_len;
    bool done;
};

struct atls_cvm {
    struct simopts o;
    struct sim s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_mutex_t serial;   /* one request in the guest at a time */
    struct cvm_job *pending;  /* queued by a requesting thread */
    struct cvm_job *inflight; /* in the guest */
    bool gone;                /* the VM is not running (any more) */
    volatile sig_atomic_t stop;
    uint8_t measurement[48];
};

/* The guest's side of every request; runs on the VMM's thread. */
static snp_err
cvm_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct atls_cvm *c = ctx;
    struct cvm_job *j;

    pthread_mutex_lock(&c->mu);
    if (c->inflight != NULL) {
        c->inflight->rsp = malloc(len > 0 ? len : 1);
        if (c->inflight->rsp != NULL) {
            memcpy(c->inflight->rsp, from, len);
            c->inflight->rsp_len = len;
        }
        c->inflight->done = true;
        c->inflight = NULL;
        pthread_cond_broadcast(&c->cv);
    }
    while (c->pending == NULL && !c->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000; /* the stop flag is set by a signal: look now and then */
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    if (!c->stop && c->pending != NULL && c->pending->req_len <= cap) {
        j = c->pending;
        c->pending = NULL;
        c->inflight = j;
        memcpy(to, j->req, j->req_len);
        *to_len = j->req_len;
    } else {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    pthread_mutex_unlock(&c->mu);
    return SNP_OK;
}

snp_err
atls_cvm_boot(struct atls_cvm **out, struct simopts *o)
{
    struct snp_vendor_opts vo;
    struct snp_vmm_launch l;
    struct atls_cvm *c;
    uint32_t fw = 0;
    snp_err err;

    *out = NULL;
    if (o->state[0] == '\0' && snp_vendor_state_default(o->state, sizeof(o->state)) != SNP_OK) {
        cli_errorf(NULL, "no state directory: give --state DIR");
        return SNP_E_IO;
    }
    c = calloc(1, sizeof(*c));
    SNP_ENSURE(c != NULL, SNP_E_NOMEM);
    c->o = *o;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_mutex_init(&c->serial, NULL);
    c->gone = true;
    memset(&vo, 0, sizeof(vo));
    vo.state_dir = c->o.state;
    vo.rsa_bits = c->o.rsa_bits;
    err = snp_vendor_open(&c->s.vendor, &vo);
    if (err == SNP_OK) {
        err = sim_machine_open(&c->o, &c->s);
    }
    if (err != SNP_OK) {
        cli_errorf(c->o.state, "cannot open the simulated chip: %s", snp_err_str(err));
        atls_cvm_free(c);
        return SNP_E_IO;
    }
    snp_vmm_launch_default(&l);
    l.cmdline = SNP_VMM_DEFAULT_CMDLINE; /* the attestation agent */
    l.policy = c->o.policy;
    l.vcpus = c->o.vcpus;
    l.entry = snp_guest_app_main;
    err = snp_vmm_new(&c->s.vmm, c->s.m, &l, &fw);
    if (err == SNP_OK) {
        memcpy(c->measurement, snp_vmm_info(c->s.vmm)->measurement, 48);
        err = sim_collateral(&c->o, &c->s);
    }
    if (err != SNP_OK) {
        cli_errorf(NULL, "launch failed: %s (firmware status 0x%x)", snp_err_str(err), fw);
        atls_cvm_free(c);
        return SNP_E_STATE;
    }
    snp_vmm_set_channel(c->s.vmm, cvm_chan, c);
    c->gone = false;
    *out = c;
    return SNP_OK;
}

const uint8_t *
atls_cvm_measurement(const struct atls_cvm *c)
{
    return c->measurement;
}

snp_err
atls_cvm_write_certs(const struct atls_cvm *c, const char *dir)
{
    return sim_write_certs(dir, &c->s);
}

bool
atls_cvm_run(struct atls_cvm *c)
{
    struct snp_vmm_status st;
    snp_err err;

    memset(&st, 0, sizeof(st));
    err = snp_vmm_run(c->s.vmm, 0, &st);
    pthread_mutex_lock(&c->mu);
    c->gone = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (err != SNP_OK || !c->stop) {
        cli_errorf(NULL, "the guest stopped (stop %d, %s)", (int)st.stop, snp_err_str(err));
        return false;
    }
    return true;
}

void
atls_cvm_stop(struct atls_cvm *c)
{
    c->stop = 1;
}

/* Queue @j and wait for the guest's answer. false when the VM is gone. */
static bool
submit(struct atls_cvm *c, struct cvm_job *j)
{
    bool ok;

    pthread_mutex_lock(&c->serial);
    pthread_mutex_lock(&c->mu);
    if (!c->gone && !c->stop) {
        c->pending = j;
        pthread_cond_broadcast(&c->cv);
        while (!j->done && !c->gone) {
            pthread_cond_wait(&c->cv, &c->mu);
        }
    }
    if (c->pending == j) {
        c->pending = NULL;
    }
    if (c->inflight == j) { /* the VM stopped with our request in it */
        c->inflight = NULL;
    }
    ok = j->done && j->rsp != NULL && j->rsp_len >= 4;
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_unlock(&c->serial);
    return ok;
}

snp_err
atls_cvm_evidence(void *ctx, const uint8_t report_data[64], uint8_t report[SNP_REPORT_SIZE],
                  uint8_t *certs, size_t certs_cap, size_t *certs_len)
{
    struct atls_cvm *c = ctx;
    struct cvm_job j;
    size_t tlen;
    snp_err err = SNP_OK;

    *certs_len = 0;
    memset(&j, 0, sizeof(j));
    j.req[0] = SNP_CHAN_OP_EXT_REPORT;
    memcpy(j.req + 4, report_data, 64); /* then u32 VMPL = 0 */
    j.req_len = sizeof(j.req);
    if (!submit(c, &j)) {
        free(j.rsp);
        return SNP_E_STATE;
    }
    if (j.rsp[0] != (SNP_CHAN_OP_EXT_REPORT | SNP_CHAN_OP_RESPONSE)) {
        err = SNP_E_FORMAT;
    } else if (j.rsp[1] != SNP_OK) {
        err = (snp_err)j.rsp[1];
    } else if (j.rsp_len < 8 + SNP_REPORT_SIZE) {
        err = SNP_E_FORMAT;
    } else {
        tlen = snp_le32(j.rsp + 4 + SNP_REPORT_SIZE);
        if (tlen > j.rsp_len - 8 - SNP_REPORT_SIZE) {
            err = SNP_E_FORMAT;
        } else if (tlen > certs_cap) {
            err = SNP_E_SPACE;
        } else {
            memcpy(report, j.rsp + 4, SNP_REPORT_SIZE);
            if (tlen > 0) {
                memcpy(certs, j.rsp + 8 + SNP_REPORT_SIZE, tlen);
            }
            *certs_len = tlen;
        }
    }
    free(j.rsp);
    return err;
}

void
atls_cvm_free(struct atls_cvm *c)
{
    if (c == NULL) {
        return;
    }
    sim_free(&c->s);
    pthread_mutex_destroy(&c->serial);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
