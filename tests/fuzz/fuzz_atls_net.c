/*
 * tests/fuzz/fuzz_atls_net.c - the NET message of the device channel as the aTLS guest app
 * receives it from the (hostile) host: snp_atls_net_parse() (snpkit/atls.h) and the guest
 * app's whole state machine behind it (snp_atls_gapp_net(), atls/atls_int.h: connections, TLS
 * server pipes, bounds), with the dummy evidence provider of
 * tests/unit/atls/atls_evidence_stub.h.
 *
 * Properties: never crash or read out of bounds; an accepted message re-encodes to exactly the
 * same bytes and its records point inside it; the guest side never accepts an action kind and
 * the host side never an event kind; the app's answer always parses as a guest -> host message
 * and it never holds more than SNP_ATLS_NET_MAX_CONNS connections. The first input byte picks
 * the echo or the proxy app (one of each lives across inputs, as in a long-running guest).
 * Any violation abort()s.
 */
#include "../unit/atls/atls_evidence_stub.h"

#include "atls/atls_int.h"
#include "snpkit/atls.h"
#include "snpkit/vmm.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
    if (!cond) {
        abort();
    }
}

static struct snp_atls_net_rec g_recs[SNP_CHAN_MAX / SNP_ATLS_NET_REC_HDR + 1];
static uint8_t g_out[SNP_CHAN_MAX];

static void
parse_props(const uint8_t *data, size_t size, bool guest_side)
{
    size_t n = 0, off = SNP_ATLS_NET_HDR, err_off = 0;
    uint32_t flags = 0;

    if (snp_atls_net_parse(data, size, guest_side, &flags, g_recs,
                           sizeof(g_recs) / sizeof(g_recs[0]), &n, &err_off) != SNP_OK) {
        check(n == 0 && err_off <= size);
        return;
    }
    check(size >= SNP_ATLS_NET_HDR);
    for (size_t i = 0; i < n; i++) {
        const struct snp_atls_net_rec *r = &g_recs[i];
        check((r->kind & 0x80) == (guest_side ? 0 : 0x80));
        check(r->len == 0 || (r->data >= data && r->data + r->len <= data + size));
    }
    if (size > sizeof(g_out)) {
        return; /* longer than any channel message: no room to re-encode here */
    }
    memcpy(g_out, data, SNP_ATLS_NET_HDR);
    for (size_t i = 0; i < n; i++) {
        const struct snp_atls_net_rec *r = &g_recs[i];
        check(snp_atls_net_put(g_out, sizeof(g_out), &off, r->id, r->kind, r->data, r->len) ==
              SNP_OK);
    }
    check(off == size && memcmp(g_out, data, size) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct snp_atls_gapp *apps[2];
    struct snp_atls_gapp_stats st;
    size_t len = 0, n = 0;
    uint32_t flags = 0;
    int which;

    parse_props(data, size, true);
    parse_props(data, size, false);
    if (size == 0) {
        return 0;
    }
    which = data[0] & 1;
    if (apps[which] == NULL) {
        check(snp_atls_gapp_new(&apps[which], which == 1, atls_stub_evidence, NULL) == SNP_OK);
    }
    if (snp_atls_gapp_net(apps[which], data + 1, size - 1, g_out, sizeof(g_out), &len) == SNP_OK) {
        check(len >= SNP_ATLS_NET_HDR && len <= sizeof(g_out));
        check(snp_atls_net_parse(g_out, len, false, &flags, g_recs,
                                 sizeof(g_recs) / sizeof(g_recs[0]), &n, NULL) == SNP_OK);
    }
    snp_atls_gapp_stats(apps[which], &st);
    check(st.conns <= SNP_ATLS_NET_MAX_CONNS);
    return 0;
}
