/*
 * sim/phys.c - phys_if.h: the physical attacker's reach (THREAT-MODEL.md N8). DRAM cells
 * without cache, key or RMP; page aliasing in the address decoder; a bus probe.
 */
#include "sim/phys_if.h"

#include "sim/sim_int.h"

snp_err
snp_phys_read(struct snp_machine *m, uint64_t spa, void *buf, size_t len)
{
    return snp_memctl_raw(&m->mc, spa, buf, len, false);
}

snp_err
snp_phys_write(struct snp_machine *m, uint64_t spa, const void *buf, size_t len)
{
    /* memctl_raw writes through a non-const pointer only when @write; the cast keeps one
     * implementation for both directions. */
    return snp_memctl_raw(&m->mc, spa, (void *)(uintptr_t)buf, len, true);
}

snp_err
snp_phys_alias(struct snp_machine *m, uint64_t alias_spa, uint64_t target_spa)
{
    uint64_t a = alias_spa >> SNP_PAGE_SHIFT;
    uint64_t t = target_spa >> SNP_PAGE_SHIFT;

    if (((alias_spa | target_spa) & (SNP_PAGE_SIZE - 1)) != 0) {
        return SNP_E_ARG;
    }
    if (a >= m->mc.npages || t >= m->mc.npages) {
        return SNP_E_RANGE;
    }
    m->mc.frame[a] = m->mc.frame[t];
    m->mc.phys_touched = true;
    return SNP_OK;
}

void
snp_phys_probe(struct snp_machine *m, snp_phys_probe_fn fn, void *ctx)
{
    m->mc.trace = fn;
    m->mc.trace_ctx = ctx;
}
