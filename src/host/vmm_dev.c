/*
 * host/vmm_dev.c - device models behind IOIO and MMIO NAE events (hardware.md §5.4): a serial
 * console (port 0x3F8, one byte per OUT) and the device channel (doorbell port 0x5E0 over two
 * shared multi-page buffers, docs/guest.md), plus an empty MMIO bus (reads all ones).
 *
 * The channel buffers are guest-shared memory: the length and sequence number read from them
 * are checked against the buffer before anything is copied.
 */
#include "base/rd.h"
#include "host/vmm_int.h"

#include <stdlib.h>
#include <string.h>

/* IOIO EXITINFO1 (§5.4). */
#define IOIO_IN     UINT64_C(0x1)
#define IOIO_STRING UINT64_C(0x4)
#define IOIO_REP    UINT64_C(0x8)
#define IOIO_SZ8    UINT64_C(0x10)
#define IOIO_SZ16   UINT64_C(0x20)
#define IOIO_SZ32   UINT64_C(0x40)

static void
console_out(struct snp_vmm *v, uint8_t c)
{
    if (c == '\n' || v->console_len + 1 >= SNP_VMM_CONSOLE_MAX) {
        v->console[v->console_len] = '\0';
        if (v->console_fn != NULL) {
            v->console_fn(v->console_ctx, v->console);
        }
        v->console_len = 0;
        if (c == '\n') {
            return;
        }
    }
    /* Printable ASCII only: the console is a log line, not a terminal. */
    v->console[v->console_len++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
}

/* The doorbell: tx holds a message with sequence number @seq; answer into rx. */
static void
chan_doorbell(struct snp_vmm *v, uint32_t seq)
{
    const size_t size = (size_t)SNP_VMM_CHAN_PAGES * 4096u;
    uint8_t *tx = malloc(size), *rx = calloc(1, size);
    size_t out_len = 0;
    uint32_t len;
    snp_err err = SNP_E_NOMEM;

    if (tx == NULL || rx == NULL) {
        goto out;
    }
    err = snp_vmm_gpa_read(v, SNP_VMM_CHAN_TX_GPA, tx, SNP_VMM_CHAN_HDR);
    if (err != SNP_OK) {
        goto out;
    }
    len = snp_le32(tx);
    if (len > SNP_CHAN_MAX || snp_le32(tx + 4) != seq) {
        /* A malformed message is the guest's problem: it gets an empty answer. */
        len = 0;
    } else {
        err =
            snp_vmm_gpa_read(v, SNP_VMM_CHAN_TX_GPA + SNP_VMM_CHAN_HDR, tx + SNP_VMM_CHAN_HDR, len);
        if (err != SNP_OK) {
            goto out;
        }
    }
    if (v->chan_fn != NULL) {
        err = v->chan_fn(v->chan_ctx, tx + SNP_VMM_CHAN_HDR, len, rx + SNP_VMM_CHAN_HDR,
                         SNP_CHAN_MAX, &out_len);
        if (err != SNP_OK) {
            goto out;
        }
        if (out_len > SNP_CHAN_MAX) {
            err = SNP_E_RANGE;
            goto out;
        }
    } else {
        rx[SNP_VMM_CHAN_HDR] = SNP_CHAN_OP_SHUTDOWN; /* nobody listens: the app stops */
        out_len = SNP_CHAN_MSG_HDR;
    }
    snp_put_le32(rx, (uint32_t)out_len);
    snp_put_le32(rx + 4, seq);
    err = snp_vmm_gpa_write(v, SNP_VMM_CHAN_RX_GPA, rx, SNP_VMM_CHAN_HDR + out_len);
out:
    if (err == SNP_OK) {
        v->chan_seq = seq;
    } else {
        v->stop_err = err;
        v->status.stop = SNP_VMM_STOP_ERROR;
    }
    free(tx);
    free(rx);
}

bool
snp_vmm_ioio(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    uint64_t info = in->sw_exitinfo1;
    uint16_t port = (uint16_t)(info >> 16);
    bool is_in = (info & IOIO_IN) != 0;
    uint32_t val = 0, mask;

    if ((info & (IOIO_STRING | IOIO_REP)) != 0) {
        return false; /* string I/O: not offered by these devices */
    }
    if ((info & IOIO_SZ32) != 0) {
        mask = UINT32_MAX;
    } else if ((info & IOIO_SZ16) != 0) {
        mask = 0xFFFF;
    } else if ((info & IOIO_SZ8) != 0) {
        mask = 0xFF;
    } else {
        return false;
    }
    if (!is_in) {
        if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RAX)) {
            return false;
        }
        val = (uint32_t)g->rax & mask;
        if (port == SNP_VMM_PORT_CONSOLE) {
            console_out(v, (uint8_t)val);
        } else if (port == SNP_VMM_PORT_CHAN && mask == UINT32_MAX) {
            chan_doorbell(v, val);
        }
        return true; /* writes to other ports are dropped */
    }
    if (port == SNP_VMM_PORT_CHAN) {
        val = v->chan_seq;
    } else if (port == SNP_VMM_PORT_CHAN_Q) {
        val = 0;
    } else {
        val = UINT32_MAX; /* nothing decodes the port: all ones, like a bus */
    }
    g->rax = (g->rax & ~(uint64_t)mask) | (val & mask);
    (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RAX);
    return true;
}

bool
snp_vmm_mmio(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g, bool write)
{
    uint64_t len = in->sw_exitinfo2, buf = v->ghcb_gpa + SNP_GHCB_OFF_SHARED_BUFFER, off;

    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_SW_SCRATCH) || len == 0 || len > 8) {
        return false;
    }
    /* §5.5: the scratch area must lie in the shared buffer (we do not accept other pages). */
    if (g->sw_scratch < buf || g->sw_scratch - buf > SNP_GHCB_SHARED_BUFFER_SIZE - len) {
        return false;
    }
    off = g->sw_scratch - buf;
    if (!write) {
        memset(g->shared_buffer + off, 0xFF, (size_t)len); /* no MMIO device is mapped */
    }
    return true;
}
