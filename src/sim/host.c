/*
 * sim/host.c - host_if.h: the hypervisor's view. Memory goes through the memory controller as
 * ASID 0 with C=0 (guest-private pages read as DRAM ciphertext, hardware.md §1.6.1), writes
 * are RMP-checked per page, RMP instructions are the functions of rmp.c, and VMs, nested
 * tables and vCPUs are slots allocated at machine creation. Nothing here returns key bytes or
 * an SEV-ES/SNP guest's registers.
 */
#include "sim/sim_int.h"

#include "snpkit/util.h"

#include <string.h>

static bool
range_ok(const struct snp_machine *m, uint64_t spa, size_t len)
{
    uint64_t end;
    return !snp_add_overflow(spa, (uint64_t)len, &end) && end <= m->cfg.dram_size;
}

enum snp_hw_fault
snp_host_read(struct snp_machine *m, uint64_t spa, void *buf, size_t len)
{
    if (!range_ok(m, spa, len)) {
        return SNP_HW_GP;
    }
    m->cycles += 1;
    /* §1.6.1: "read | any | allowed": the plain view of whatever DRAM holds. */
    return snp_memctl_read(&m->mc, spa, SNP_KEY_PLAIN, buf, len) == SNP_OK ? SNP_HW_OK : SNP_HW_GP;
}

enum snp_hw_fault
snp_host_write(struct snp_machine *m, uint64_t spa, const void *buf, size_t len, uint64_t *pf_err)
{
    const uint8_t *p = buf;

    *pf_err = 0;
    if (!range_ok(m, spa, len)) {
        return SNP_HW_GP;
    }
    while (len > 0) {
        size_t off = (size_t)(spa & (SNP_PAGE_SIZE - 1));
        size_t n = SNP_PAGE_SIZE - off < len ? SNP_PAGE_SIZE - off : len;

        m->cycles += 1;
        /* §1.6.1 (I1); the mutation check's broken chip skips it. */
        if (m->cfg.sev_enabled && (m->cfg.mutations & SNP_MUT_NO_HOST_WRITE_RMP) == 0 &&
            snp_rmp_check_host(&m->rmp, spa, SNP_ACC_WRITE, false, pf_err) != SNP_HW_OK) {
            return SNP_HW_PF;
        }
        if (snp_memctl_write(&m->mc, spa, SNP_KEY_PLAIN, p, n) != SNP_OK) {
            return SNP_HW_GP;
        }
        p += n;
        spa += n;
        len -= n;
    }
    return SNP_HW_OK;
}

enum snp_rmp_ret
snp_host_rmpupdate(struct snp_machine *m, uint64_t spa, const struct snp_rmpupdate_desc *d)
{
    m->cycles += 100;
    if (!m->cfg.sev_enabled) {
        return SNP_RMP_FAIL_INPUT; /* XXX: #UD on a part without SNPEn; no fault channel here */
    }
    return snp_rmp_update(&m->rmp, spa, d);
}

enum snp_rmp_ret
snp_host_psmash(struct snp_machine *m, uint64_t spa)
{
    m->cycles += 100;
    if (!m->cfg.sev_enabled) {
        return SNP_RMP_FAIL_INPUT;
    }
    return snp_rmp_psmash(&m->rmp, spa);
}

enum snp_rmp_ret
snp_host_rmpread(struct snp_machine *m, uint64_t spa, struct snp_rmpread *out)
{
    m->cycles += 10;
    return snp_rmp_read(&m->rmp, spa, out);
}

snp_err
snp_host_wbinvd(struct snp_machine *m)
{
    m->cycles += 5000;
    m->wbinvd_count++; /* the PSP's DF_FLUSH precondition (sim/psp/, hardware.md §6.4) */
    return snp_memctl_wbinvd(&m->mc);
}

snp_err
snp_host_invd(struct snp_machine *m)
{
    m->cycles += 100;
    return snp_memctl_invd(&m->mc, (m->cfg.mitigations & SNP_MIT_INVD_FIX) != 0);
}

uint64_t
snp_host_cycles(const struct snp_machine *m)
{
    return m->cycles;
}

static uint32_t
signature(enum snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN:
        return 0x00A00F11u; /* family 19h model 01h */
    case SNP_PRODUCT_GENOA:
        return 0x00A10F11u; /* family 19h model 11h */
    case SNP_PRODUCT_TURIN:
        return 0x00B00F21u; /* family 1Ah model 02h */
    case SNP_PRODUCT_UNKNOWN:
        break;
    }
    return 0;
}

void
snp_host_cpuid(const struct snp_machine *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    (void)subleaf;
    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf == 1) {
        out[0] = signature(m->cfg.product);
    } else if (leaf == 0x80000000u) {
        out[0] = 0x80000021u;
    } else if (leaf == 0x8000001Fu && m->cfg.sev_enabled) {
        /* §0.2: EAX SME|SEV|VM_PAGE_FLUSH|SEV-ES|SNP|VMPL|RMPQUERY|..., SME_COHERENT(10),
         * RestrictedInjection(12), AlternateInjection(13); EBX C-bit, 1 reduced phys bit,
         * 4 VMPLs; ECX max ASID; EDX min SEV-only ASID. */
        out[0] = 0x3Fu | (1u << 6) | (1u << 10) | (1u << 12) | (1u << 13);
        out[1] = m->cbit | (1u << 6) | (4u << 12);
        out[2] = m->cfg.max_asid;
        out[3] = m->cfg.max_asid + 1;
    }
}

/* ---- VMs and nested page tables ------------------------------------------------------ */

snp_err
snp_host_vm_create(struct snp_machine *m, enum snp_vm_type type, uint32_t asid, uint32_t *vm)
{
    *vm = UINT32_MAX;
    if (type != SNP_VM_PLAIN && type != SNP_VM_SEV_ES && type != SNP_VM_SNP) {
        return SNP_E_ARG;
    }
    if (type == SNP_VM_PLAIN) {
        asid = 0;
    } else if (!m->cfg.sev_enabled) {
        return SNP_E_STATE;
    } else if (asid == 0 || asid > m->cfg.max_asid) {
        return SNP_E_ARG;
    }
    for (uint32_t i = 0; i < m->cfg.max_vms; i++) {
        if (m->vms[i].used && asid != 0 && m->vms[i].asid == asid) {
            return SNP_E_STATE;
        }
    }
    for (uint32_t i = 0; i < m->cfg.max_vms; i++) {
        if (!m->vms[i].used) {
            m->vms[i].used = true;
            m->vms[i].type = type;
            m->vms[i].asid = asid;
            memset(m->vms[i].npt, 0, m->cfg.guest_max_pages * sizeof(uint64_t));
            *vm = i;
            return SNP_OK;
        }
    }
    return SNP_E_STATE;
}

static struct snp_vm *
vm_get(struct snp_machine *m, uint32_t vm)
{
    return vm < m->cfg.max_vms && m->vms[vm].used ? &m->vms[vm] : NULL;
}

static struct snp_vcpu *
vcpu_get(struct snp_machine *m, uint32_t id)
{
    return id < m->cfg.max_vcpus && m->vcpus[id].state != VCPU_FREE ? &m->vcpus[id] : NULL;
}

snp_err
snp_host_vm_destroy(struct snp_machine *m, uint32_t vm)
{
    struct snp_vm *v = vm_get(m, vm);

    if (v == NULL) {
        return SNP_E_ARG;
    }
    for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
        if (m->vcpus[i].state != VCPU_FREE && m->vcpus[i].vm == vm) {
            SNP_TRY(snp_host_vcpu_destroy(m, i));
        }
    }
    v->used = false;
    v->asid = 0;
    return SNP_OK;
}

snp_err
snp_host_npt_set(struct snp_machine *m, uint32_t vm, uint64_t gfn, uint64_t entry)
{
    struct snp_vm *v = vm_get(m, vm);
    uint64_t known =
        SNP_NPT_PRESENT | SNP_NPT_WRITE | SNP_NPT_RSVD | SNP_NPT_LEAF_2M | SNP_NPT_FRAME_MASK;

    if (v == NULL || (entry & ~known) != 0) {
        return SNP_E_ARG;
    }
    if (gfn >= m->cfg.guest_max_pages ||
        ((entry & SNP_NPT_FRAME_MASK) >> SNP_PAGE_SHIFT) >= m->rmp.npages) {
        return SNP_E_RANGE;
    }
    v->npt[gfn] = entry;
    return SNP_OK;
}

snp_err
snp_host_npt_get(struct snp_machine *m, uint32_t vm, uint64_t gfn, uint64_t *entry)
{
    struct snp_vm *v = vm_get(m, vm);

    *entry = 0;
    if (v == NULL) {
        return SNP_E_ARG;
    }
    if (gfn >= m->cfg.guest_max_pages) {
        return SNP_E_RANGE;
    }
    *entry = v->npt[gfn];
    return SNP_OK;
}

/* ---- vCPUs ------------------------------------------------------------------------------ */

snp_err
snp_host_vcpu_create(struct snp_machine *m, uint32_t vm, uint64_t vmsa_spa,
                     snp_guest_entry_fn entry, void *arg, uint32_t *vcpu)
{
    *vcpu = UINT32_MAX;
    if (vm_get(m, vm) == NULL || entry == NULL) {
        return SNP_E_ARG;
    }
    for (uint32_t i = 0; i < m->cfg.max_vcpus; i++) {
        struct snp_vcpu *v = &m->vcpus[i];
        if (v->state != VCPU_FREE) {
            continue;
        }
        v->state = VCPU_READY;
        v->vm = vm;
        v->vmsa_spa = vmsa_spa;
        v->entry = entry;
        v->arg = arg;
        v->vmpl = 0;
        v->sev_features = 0;
        v->ghcb_msr = 0;
        v->eventinj = 0;
        v->pending_event = 0;
        v->tick = 0;
        v->ops_left = 0;
        v->exit_code = v->exit_info1 = v->exit_info2 = 0;
        v->vc_handler = NULL;
        v->event_handler = NULL;
        v->percpu = NULL;
        v->vc_depth = 0;
        memset(&v->regs, 0, sizeof(v->regs));
        *vcpu = i;
        return SNP_OK;
    }
    return SNP_E_STATE;
}

snp_err
snp_host_vcpu_destroy(struct snp_machine *m, uint32_t id)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    if (v == NULL) {
        return SNP_E_ARG;
    }
    if (v->state == VCPU_RUNNING) {
        return SNP_E_STATE;
    }
    snp_wipe(&v->regs, sizeof(v->regs));
    snp_wipe(v->stack, m->cfg.vcpu_stack_size);
    v->state = VCPU_FREE;
    return SNP_OK;
}

snp_err
snp_host_vcpu_set_vmsa(struct snp_machine *m, uint32_t id, uint64_t vmsa_spa)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    SNP_ENSURE(v != NULL, SNP_E_ARG);
    v->vmsa_spa = vmsa_spa;
    return SNP_OK;
}

snp_err
snp_host_vcpu_set_tick(struct snp_machine *m, uint32_t id, uint64_t ops)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    SNP_ENSURE(v != NULL, SNP_E_ARG);
    v->tick = ops;
    return SNP_OK;
}

snp_err
snp_host_ghcb_msr_get(struct snp_machine *m, uint32_t id, uint64_t *val)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    *val = 0;
    SNP_ENSURE(v != NULL, SNP_E_ARG);
    *val = v->ghcb_msr;
    return SNP_OK;
}

snp_err
snp_host_ghcb_msr_set(struct snp_machine *m, uint32_t id, uint64_t val)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    SNP_ENSURE(v != NULL, SNP_E_ARG);
    v->ghcb_msr = val;
    return SNP_OK;
}

snp_err
snp_host_inject(struct snp_machine *m, uint32_t id, uint64_t eventinj)
{
    struct snp_vcpu *v = vcpu_get(m, id);

    SNP_ENSURE(v != NULL, SNP_E_ARG);
    v->eventinj = eventinj;
    return SNP_OK;
}

snp_err
snp_host_psp_command(struct snp_machine *m, uint32_t cmd, uint64_t cmd_spa, uint32_t *fw_status)
{
    *fw_status = 0;
    if (m->psp == NULL) {
        return SNP_E_UNSUPPORTED;
    }
    return m->psp(m->psp_ctx, m, cmd, cmd_spa, fw_status);
}
