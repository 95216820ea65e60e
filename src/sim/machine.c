/*
 * sim/machine.c - building and tearing down a machine: the one allocation of the hardware
 * model (STYLE.md §6), configuration, invariants across units, and the firmware hooks of
 * keyslot.h. Must not: keep global state (several machines live side by side).
 */
#include "sim/keyslot.h"
#include "sim/psp/psp.h"
#include "sim/sim_int.h"

#include "snpkit/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
snp_machine_config_default(struct snp_machine_config *c)
{
    memset(c, 0, sizeof(*c));
    c->product = SNP_PRODUCT_GENOA;
    c->dram_size = (size_t)256 << 20;
    c->max_asid = 15;
    c->max_vms = 4;
    c->max_vcpus = 8;
    c->vcpu_stack_size = (size_t)256 << 10;
    c->guest_max_pages = 65536; /* 256 MiB of GPA space */
    c->cache_lines = 64;
    c->mitigations = 0;
    c->sev_enabled = true;
    c->psp = true; /* the firmware (sim/psp/): default seed, TCB and version, system RNG */
    c->smt = true;
}

static snp_err
config_check(const struct snp_machine_config *c)
{
    if (c->product != SNP_PRODUCT_MILAN && c->product != SNP_PRODUCT_GENOA &&
        c->product != SNP_PRODUCT_TURIN) {
        return SNP_E_ARG;
    }
    if (c->dram_size == 0 || c->dram_size % SNP_2M_SIZE != 0 || c->max_asid == 0 ||
        c->max_asid > 1023 || c->max_vms == 0 || c->max_vcpus == 0 || c->vcpu_stack_size < 65536 ||
        c->guest_max_pages == 0 || c->guest_max_pages > (UINT64_C(1) << 27) ||
        c->cache_lines < SNP_CACHE_WAYS || c->cache_lines % SNP_CACHE_WAYS != 0 ||
        (c->mutations & ~SNP_MUT_ALL) != 0) {
        return SNP_E_ARG;
    }
    return SNP_OK;
}

static snp_err
alloc_parts(struct snp_machine *m)
{
    const struct snp_machine_config *c = &m->cfg;
    uint64_t npages = c->dram_size / SNP_PAGE_SIZE;

    m->mc.dram = calloc(npages, SNP_PAGE_SIZE);
    m->mc.frame = calloc(npages, sizeof(uint64_t));
    m->mc.slot = calloc((size_t)c->max_asid + 1, sizeof(*m->mc.slot));
    m->mc.line = calloc(c->cache_lines, sizeof(*m->mc.line));
    m->mc.line_data = calloc(c->cache_lines, SNP_PAGE_SIZE);
    m->rmp.e = calloc(npages, sizeof(*m->rmp.e));
    m->rmp.asid_count = calloc((size_t)c->max_asid + 1, sizeof(uint64_t));
    m->vms = calloc(c->max_vms, sizeof(*m->vms));
    m->vcpus = calloc(c->max_vcpus, sizeof(*m->vcpus));
    if (m->mc.dram == NULL || m->mc.frame == NULL || m->mc.slot == NULL || m->mc.line == NULL ||
        m->mc.line_data == NULL || m->rmp.e == NULL || m->rmp.asid_count == NULL ||
        m->vms == NULL || m->vcpus == NULL) {
        return SNP_E_NOMEM;
    }
    for (uint32_t i = 0; i < c->max_vms; i++) {
        m->vms[i].npt = calloc(c->guest_max_pages, sizeof(uint64_t));
        if (m->vms[i].npt == NULL) {
            return SNP_E_NOMEM;
        }
    }
    for (uint32_t a = 1; a <= c->max_asid; a++) {
        SNP_TRY(snp_aes_xts_new(&m->mc.slot[a]));
    }
    for (uint64_t p = 0; p < npages; p++) {
        m->mc.frame[p] = p;
    }
    m->mc.npages = npages;
    m->mc.max_asid = c->max_asid;
    m->mc.nlines = c->cache_lines;
    m->mc.cycles = &m->cycles;
    m->mc.mutations = c->mutations;
    snp_rmp_init(&m->rmp, m->rmp.e, m->rmp.asid_count, npages, c->max_asid);
    m->rmp.mutations = c->mutations;
    return snp_cpu_init(m);
}

snp_err
snp_machine_new(struct snp_machine **out, const struct snp_machine_config *c)
{
    struct snp_machine *m;
    snp_err err;

    *out = NULL;
    if (c == NULL) {
        return SNP_E_ARG;
    }
    SNP_TRY(config_check(c));
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return SNP_E_NOMEM;
    }
    m->cfg = *c;
    m->cbit = 51; /* CPUID 8000_001F EBX[5:0] on Milan/Genoa/Turin parts (§0.2) */
    err = alloc_parts(m);
    if (err == SNP_OK && c->psp) {
        err = snp_psp_new(&m->fw, m, c);
        if (err == SNP_OK) {
            snp_machine_attach_psp(m, snp_psp_mailbox, m->fw);
        }
    }
    if (err != SNP_OK) {
        snp_machine_free(m);
        return err;
    }
    *out = m;
    return SNP_OK;
}

void
snp_machine_free(struct snp_machine *m)
{
    if (m == NULL) {
        return;
    }
    snp_psp_free(m->fw);
    m->fw = NULL;
    snp_cpu_fini(m);
    if (m->mc.slot != NULL) {
        for (uint32_t a = 1; a <= m->cfg.max_asid; a++) {
            snp_aes_xts_free(m->mc.slot[a]);
        }
    }
    if (m->vms != NULL) {
        for (uint32_t i = 0; i < m->cfg.max_vms; i++) {
            free(m->vms[i].npt);
        }
    }
    /* DRAM and cache hold guest plaintext or ciphertext: wiped before release. */
    if (m->mc.dram != NULL) {
        snp_free_secret(m->mc.dram, m->cfg.dram_size);
    }
    if (m->mc.line_data != NULL) {
        snp_free_secret(m->mc.line_data, m->cfg.cache_lines * SNP_PAGE_SIZE);
    }
    free(m->mc.frame);
    free(m->mc.slot);
    free(m->mc.line);
    free(m->rmp.e);
    free(m->rmp.asid_count);
    free(m->vms);
    free(m->vcpus);
    snp_wipe(m, sizeof(*m));
    free(m);
}

void
snp_machine_config_get(const struct snp_machine *m, struct snp_machine_config *out)
{
    *out = m->cfg;
}

const char *
snp_hw_fault_name(enum snp_hw_fault f)
{
    switch (f) {
    case SNP_HW_OK:
        return "OK";
    case SNP_HW_PF:
        return "#PF";
    case SNP_HW_NPF:
        return "#NPF";
    case SNP_HW_VC:
        return "#VC";
    case SNP_HW_GP:
        return "#GP";
    case SNP_HW_UD:
        return "#UD";
    case SNP_HW_INVALID:
        return "VMEXIT_INVALID";
    }
    return "unknown";
}

snp_err
snp_machine_check_invariants(const struct snp_machine *m, char *why, size_t why_size)
{
    char dummy[8];
    /* The scratch page is model-internal; checking does not change architectural state. */
    uint8_t *scratch = ((struct snp_machine *)(uintptr_t)m)->page_tmp;

    if (why == NULL) {
        why = dummy;
        why_size = sizeof(dummy);
    }
    why[0] = '\0';
    SNP_TRY(snp_rmp_check_invariants(&m->rmp, why, why_size));
    SNP_TRY(snp_memctl_check_invariants(&m->mc, scratch, why, why_size));
    if (m->fw != NULL) {
        SNP_TRY(snp_psp_check_invariants(m->fw, why, why_size));
    }
    for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
        const struct snp_vcpu *v = &m->vcpus[i];
        if (v->state == VCPU_FREE) {
            continue;
        }
        if (v->vm >= m->cfg.max_vms || !m->vms[v->vm].used || v->state == VCPU_RUNNING) {
            snprintf(why, why_size, "cpu: vcpu %u bound to a dead VM or still running", i);
            return SNP_E_STATE;
        }
    }
    return SNP_OK;
}

/* ---- keyslot.h ---------------------------------------------------------------------- */

snp_err
snp_keyslot_program(struct snp_machine *m, uint32_t asid, const uint8_t *key, size_t key_len)
{
    return snp_memctl_set_key(&m->mc, asid, key, key_len);
}

snp_err
snp_keyslot_clear(struct snp_machine *m, uint32_t asid)
{
    return snp_memctl_clear_key(&m->mc, asid);
}

snp_err
snp_fw_rmp_set(struct snp_machine *m, uint64_t spa, const struct snp_rmp_entry *e)
{
    return snp_rmp_fw_set(&m->rmp, spa >> SNP_PAGE_SHIFT, e);
}

snp_err
snp_fw_mem_read(struct snp_machine *m, uint64_t spa, uint32_t asid, void *buf, size_t len)
{
    if (asid > m->cfg.max_asid) {
        return SNP_E_ARG;
    }
    return snp_memctl_read(&m->mc, spa, (uint16_t)asid, buf, len);
}

snp_err
snp_fw_mem_write(struct snp_machine *m, uint64_t spa, uint32_t asid, const void *buf, size_t len)
{
    if (asid > m->cfg.max_asid) {
        return SNP_E_ARG;
    }
    return snp_memctl_write(&m->mc, spa, (uint16_t)asid, buf, len);
}

void
snp_machine_attach_psp(struct snp_machine *m, snp_psp_handler_fn fn, void *ctx)
{
    m->psp = fn;
    m->psp_ctx = ctx;
}

/* ---- psp-facing hooks (sim/psp/) ------------------------------------------------------ */

const struct snp_rmp_entry *
snp_fw_rmp_governing(struct snp_machine *m, uint64_t spa, uint64_t *gpa)
{
    uint64_t pfn = spa >> SNP_PAGE_SHIFT;

    if (pfn >= m->rmp.npages) {
        return NULL;
    }
    return snp_rmp_governing(&m->rmp, pfn, gpa);
}

void
snp_fw_rmp_reset(struct snp_machine *m)
{
    snp_rmp_fw_reset(&m->rmp);
}

snp_err
snp_fw_rmp_set_2m(struct snp_machine *m, uint64_t spa, const struct snp_rmp_entry *e)
{
    return snp_rmp_fw_set_2m(&m->rmp, spa >> SNP_PAGE_SHIFT, e);
}

snp_err
snp_fw_rmp_unsmash(struct snp_machine *m, uint64_t spa)
{
    return snp_rmp_fw_unsmash(&m->rmp, spa >> SNP_PAGE_SHIFT);
}

uint64_t
snp_fw_rmp_asid_pages(const struct snp_machine *m, uint32_t asid)
{
    return asid <= m->cfg.max_asid ? m->rmp.asid_count[asid] : 0;
}

uint64_t
snp_fw_wbinvd_count(const struct snp_machine *m)
{
    return m->wbinvd_count;
}

snp_err
snp_machine_psp_save(const struct snp_machine *m, uint8_t *out, size_t out_size, size_t *out_len)
{
    *out_len = 0;
    if (m->fw == NULL) {
        return SNP_E_STATE;
    }
    return snp_psp_save(m->fw, out, out_size, out_len);
}

snp_err
snp_machine_psp_restore(struct snp_machine *m, const uint8_t *buf, size_t len)
{
    if (m->fw == NULL) {
        return SNP_E_STATE;
    }
    return snp_psp_restore(m->fw, buf, len);
}
