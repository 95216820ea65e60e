/*
 * host/attacks/atk_watch.c - the hypervisor's view of the shared channel pages, shared by
 * n4-io-plain and n4-io-atls (THREAT-MODEL.md N4: what the guest sends through shared pages,
 * the hypervisor reads; the same data under TLS terminated inside the guest, it does not).
 *
 * The channel of the device model is two shared 8-page buffers (tx guest -> host, rx host ->
 * guest, docs/guest.md): shared pages are C-bit clear by design (the host must read them to
 * emulate the device), so memory encryption never covers them. After EVERY exchange the
 * scenario, as the hypervisor, reads both buffers whole through its own host view
 * (snp_host_read() at the SPAs its nested page table names) and searches them for the secret.
 */
#include "host/attacks/atk_int.h"

#include <stdlib.h>
#include <string.h>

#define CHAN_BYTES ((size_t)SNP_VMM_CHAN_PAGES * SNP_PAGE_SIZE)
#define NEEDLE_LEN 16u /* a hit on 16 bytes of the secret is plaintext */

/* The secret the client hands the guest (known to the scenario: its oracle, as in c3). */
static const char io_secret[] = ATK_IO_SECRET;

snp_err
atk_watch_init(struct atk_io_watch *w, const struct atk_vm *vm)
{
    memset(w, 0, sizeof(*w));
    w->c = vm->c;
    for (unsigned i = 0; i < SNP_VMM_CHAN_PAGES; i++) {
        uint64_t off = (uint64_t)i * SNP_PAGE_SIZE;
        if (!atk_gpa_spa(vm, SNP_VMM_CHAN_TX_GPA + off, &w->tx[i]) ||
            !atk_gpa_spa(vm, SNP_VMM_CHAN_RX_GPA + off, &w->rx[i])) {
            return SNP_E_STATE;
        }
    }
    w->txb = malloc(CHAN_BYTES);
    w->rxb = malloc(CHAN_BYTES);
    return w->txb != NULL && w->rxb != NULL ? SNP_OK : SNP_E_NOMEM;
}

void
atk_watch_free(struct atk_io_watch *w)
{
    free(w->txb);
    free(w->rxb);
    w->txb = w->rxb = NULL;
}

/* Offset of the first NEEDLE_LEN bytes of the secret in @b, or -1. */
static long
find_secret(const uint8_t *b, size_t n)
{
    const uint8_t *s = (const uint8_t *)io_secret;

    for (size_t i = 0; i + NEEDLE_LEN <= n; i++) {
        if (b[i] == s[0] && memcmp(b + i, s, NEEDLE_LEN) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* Read one 8-page buffer (host view, page by page) and search it. */
static snp_err
watch_buf(struct atk_io_watch *w, const uint64_t *spa, uint8_t *buf, size_t *hits, uint64_t *first,
          const char *name)
{
    long at;

    for (unsigned i = 0; i < SNP_VMM_CHAN_PAGES; i++) {
        if (snp_host_read(w->c->m, spa[i], buf + (size_t)i * SNP_PAGE_SIZE, SNP_PAGE_SIZE) !=
            SNP_HW_OK) {
            return SNP_E_STATE;
        }
    }
    at = find_secret(buf, CHAN_BYTES);
    if (at >= 0) {
        uint64_t where = spa[(size_t)at / SNP_PAGE_SIZE] + ((uint64_t)at & (SNP_PAGE_SIZE - 1));
        if ((*hits)++ == 0) {
            *first = where;
        }
        atk_trace(w->c, SNP_ATK_ACT_HV, "read the secret in plaintext in the %s page at SPA 0x%llx",
                  name, (unsigned long long)where);
    }
    return SNP_OK;
}

/* What the hypervisor does after every exchange: read both channel buffers whole. */
snp_err
atk_watch_scan(struct atk_io_watch *w)
{
    SNP_TRY(watch_buf(w, w->tx, w->txb, &w->hits_tx, &w->spa_tx, "tx (guest -> host)"));
    SNP_TRY(watch_buf(w, w->rx, w->rxb, &w->hits_rx, &w->spa_rx, "rx (host -> guest)"));
    w->reads++;
    return SNP_OK;
}

/* After SHUTDOWN was handed over: let the guest return (it frees what its app holds). */
snp_err
atk_io_vm_finish(struct atk_vm *vm)
{
    for (unsigned i = 0; i < 64 && vm->st.stop == SNP_VMM_RUNNING; i++) {
        SNP_TRY(atk_vm_step(vm));
    }
    return SNP_OK;
}
