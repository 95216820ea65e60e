/*
 * host/vmm.c - create and launch an SNP guest the way QEMU/KVM do (hardware.md §6, §7.5).
 *
 * Platform: SNP_INIT (if not done), WBINVD, SNP_DF_FLUSH. Guest: GCTX_CREATE, LAUNCH_START,
 * ACTIVATE (KVM order, §6.4), then LAUNCH_UPDATE in the order snp_measure() hashes: the
 * firmware image as NORMAL pages from 4 GiB - len, the SEV metadata sections in descriptor
 * order (SEC_MEM ZERO, SECRETS, CPUID, KERNEL_HASHES as one NORMAL page holding the SEV
 * hashes table), one VMSA per vCPU (snp_measure_vmsa(): the exact bytes measure/ hashes), and
 * LAUNCH_FINISH. Each page is RMPUPDATEd to PRE_GUEST first (§6.7 check 2), as KVM's
 * rmp_make_private(immutable) does. Everything goes through sim/host_if.h.
 */
#include "base/rd.h"
#include "host/vmm_int.h"

#include "snpkit/cpuid_page.h"
#include "snpkit/fwstatus.h"
#include "snpkit/machine.h"
#include "snpkit/psp_abi.h"

#include <stdlib.h>
#include <string.h>

snp_err
snp_vmm_psp(struct snp_vmm *v, uint32_t cmd, const uint8_t *buf, size_t len, uint32_t *fw)
{
    uint8_t page[0x100];
    uint64_t pf = 0;

    if (len > sizeof(page)) {
        return SNP_E_ARG;
    }
    memset(page, 0, sizeof(page));
    if (len > 0) {
        memcpy(page, buf, len);
    }
    if (snp_host_write(v->m, v->cmd_spa, page, sizeof(page), &pf) != SNP_HW_OK) {
        return SNP_E_STATE;
    }
    return snp_host_psp_command(v->m, cmd, v->cmd_spa, fw);
}

/* A command that must succeed: SNP_E_STATE with the status recorded otherwise. */
static snp_err
psp_ok(struct snp_vmm *v, uint32_t cmd, const uint8_t *buf, size_t len)
{
    uint32_t fw = 0xFFFF;

    SNP_TRY(snp_vmm_psp(v, cmd, buf, len, &fw));
    v->info.gctx_status = fw;
    return fw == SNP_FW_SUCCESS ? SNP_OK : SNP_E_STATE;
}

static snp_err
alloc_pages(struct snp_vmm *v, uint64_t n, uint64_t *spa)
{
    struct snp_machine_config c;

    snp_machine_config_get(v->m, &c);
    if (n > (c.dram_size - v->next_spa) / SNP_PAGE_SIZE) {
        return SNP_E_STATE;
    }
    *spa = v->next_spa;
    v->next_spa += n * SNP_PAGE_SIZE;
    return SNP_OK;
}

static snp_err
rmp_set(struct snp_vmm *v, uint64_t spa, bool assigned, bool immutable, uint32_t asid, uint64_t gpa)
{
    struct snp_rmpupdate_desc d;

    memset(&d, 0, sizeof(d));
    d.assigned = assigned;
    d.immutable = immutable;
    d.asid = asid;
    d.gpa = gpa;
    return snp_host_rmpupdate(v->m, spa, &d) == SNP_RMP_SUCCESS ? SNP_OK : SNP_E_STATE;
}

bool
snp_vmm_ram_spa(const struct snp_vmm *v, uint64_t gpa, size_t len, uint64_t *spa)
{
    const uint64_t ram = (uint64_t)SNP_VMM_MEM_PAGES * SNP_PAGE_SIZE;

    if (gpa >= ram || len > ram - gpa) {
        return false;
    }
    *spa = v->ram_spa + gpa;
    return true;
}

snp_err
snp_vmm_gpa_read(struct snp_vmm *v, uint64_t gpa, void *buf, size_t len)
{
    uint64_t spa;

    SNP_ENSURE(snp_vmm_ram_spa(v, gpa, len, &spa), SNP_E_RANGE);
    return snp_host_read(v->m, spa, buf, len) == SNP_HW_OK ? SNP_OK : SNP_E_STATE;
}

snp_err
snp_vmm_gpa_write(struct snp_vmm *v, uint64_t gpa, const void *buf, size_t len)
{
    uint64_t spa, pf = 0;

    SNP_ENSURE(snp_vmm_ram_spa(v, gpa, len, &spa), SNP_E_RANGE);
    return snp_host_write(v->m, spa, buf, len, &pf) == SNP_HW_OK ? SNP_OK : SNP_E_STATE;
}

snp_err
snp_vmm_psc_page(struct snp_vmm *v, uint64_t gfn, bool to_private)
{
    struct snp_rmpread r;
    uint64_t spa;

    SNP_ENSURE(gfn < SNP_VMM_MEM_PAGES, SNP_E_RANGE);
    SNP_ENSURE(snp_vmm_ram_spa(v, gfn << SNP_PAGE_SHIFT, SNP_PAGE_SIZE, &spa), SNP_E_RANGE);
    if (snp_host_rmpread(v->m, spa, &r) != SNP_RMP_SUCCESS) {
        return SNP_E_STATE;
    }
    /* Already in the requested state: leave it (a second RMPUPDATE would clear Validated,
     * which an honest hypervisor has no reason to do). */
    if (to_private && r.assigned && r.asid == v->asid && r.gpa == gfn << SNP_PAGE_SHIFT &&
        !r.immutable) {
        return SNP_OK;
    }
    if (!to_private && !r.assigned) {
        return SNP_OK;
    }
    if (r.immutable) {
        return SNP_E_STATE; /* firmware pages are not the guest's to convert */
    }
    if (to_private) {
        return rmp_set(v, spa, true, false, v->asid, gfn << SNP_PAGE_SHIFT);
    }
    return rmp_set(v, spa, false, false, 0, 0);
}

/* Launch statistics (snp_vmm_info()). */
static void
count_page(struct snp_vmm *v, unsigned type)
{
    switch (type) {
    case SNP_PAGE_TYPE_NORMAL:
        v->info.pages_normal++;
        break;
    case SNP_PAGE_TYPE_VMSA:
        v->info.pages_vmsa++;
        break;
    case SNP_PAGE_TYPE_ZERO:
        v->info.pages_zero++;
        break;
    case SNP_PAGE_TYPE_UNMEASURED:
        v->info.pages_unmeasured++;
        break;
    case SNP_PAGE_TYPE_SECRETS:
        v->info.pages_secrets++;
        break;
    case SNP_PAGE_TYPE_CPUID:
        v->info.pages_cpuid++;
        break;
    default:
        break;
    }
}

/* LAUNCH_UPDATE of one 4 KiB page (§6.7 buffer). */
static snp_err
launch_update(struct snp_vmm *v, uint64_t spa, uint64_t gpa, unsigned type, const uint8_t *data)
{
    uint8_t b[0x20];
    uint64_t pf = 0;
    uint32_t fw = 0xFFFF;

    if (data != NULL && snp_host_write(v->m, spa, data, SNP_PAGE_SIZE, &pf) != SNP_HW_OK) {
        return SNP_E_STATE;
    }
    SNP_TRY(rmp_set(v, spa, true, true, v->asid, gpa));
    memset(b, 0, sizeof(b));
    snp_put_le64(b, v->gctx_spa);
    snp_put_le32(b + 8, (uint32_t)type << 1);
    snp_put_le64(b + 0x10, spa);
    SNP_TRY(snp_vmm_psp(v, SNP_CMD_SNP_LAUNCH_UPDATE, b, sizeof(b), &fw));
    if (type == SNP_PAGE_TYPE_CPUID) {
        v->info.cpuid_status = fw;
    }
    if (fw == SNP_FW_INVALID_PARAM && type == SNP_PAGE_TYPE_CPUID) {
        /* §6.7: the firmware wrote the corrected table back, unencrypted, and left the page
         * PRE_GUEST. KVM hands it to userspace; we accept the firmware's table and retry. */
        SNP_TRY(snp_vmm_psp(v, SNP_CMD_SNP_LAUNCH_UPDATE, b, sizeof(b), &fw));
    }
    v->info.gctx_status = fw;
    if (fw != SNP_FW_SUCCESS) {
        return SNP_E_STATE;
    }
    count_page(v, type);
    return SNP_OK;
}

/* The CPUID table the host proposes (§9.1): the physical CPU's answers for a few leaves; the
 * firmware validates it (§9.2) and corrects what it does not allow. */
static snp_err
cpuid_table(struct snp_vmm *v, uint8_t page[SNP_PAGE_SIZE])
{
    static const uint32_t leaves[] = {0x0, 0x1, 0x80000000, 0x80000001, 0x80000008, 0x8000001F};
    struct snp_cpuid_page p;

    memset(&p, 0, sizeof(p));
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        uint32_t out[4];
        snp_host_cpuid(v->m, leaves[i], 0, out);
        p.entries[p.count].eax_in = leaves[i];
        p.entries[p.count].eax = out[0];
        p.entries[p.count].ebx = out[1];
        p.entries[p.count].ecx = out[2];
        p.entries[p.count].edx = out[3];
        p.count++;
    }
    return snp_cpuid_page_encode(page, &p);
}

static snp_err
platform_init(struct snp_vmm *v)
{
    uint32_t fw = 0xFFFF;

    SNP_TRY(snp_vmm_psp(v, SNP_CMD_SNP_INIT, NULL, 0, &fw));
    if (fw != SNP_FW_SUCCESS && fw != SNP_FW_INVALID_PLATFORM_STATE) {
        v->info.gctx_status = fw;
        return SNP_E_STATE;
    }
    SNP_TRY(snp_host_wbinvd(v->m));
    return psp_ok(v, SNP_CMD_SNP_DF_FLUSH, NULL, 0);
}

/* The launch as snp_measure_pages() lists it (the one implementation of the page order). */
struct launch_walk {
    struct snp_vmm *v;
    uint8_t *page;        /* scratch: the CPUID table */
    const uint8_t *cpuid; /* snp_vmm_launch.cpuid_page, or NULL */
};

/* The SPA backing launch page @gpa (VMSAs: the vCPU's own page). */
static bool
launch_spa(const struct snp_vmm *v, const struct snp_measure_page *pg, uint64_t gpa, uint64_t *spa)
{
    if (pg->type == SNP_PAGE_TYPE_VMSA) {
        if (pg->vcpu >= v->vcpus) {
            return false;
        }
        *spa = v->vmsa_spa[pg->vcpu];
        return true;
    }
    if (gpa >= v->fw_gpa && gpa - v->fw_gpa < v->fw_pages * SNP_PAGE_SIZE) {
        *spa = v->fw_spa + (gpa - v->fw_gpa);
        return true;
    }
    return snp_vmm_ram_spa(v, gpa, SNP_PAGE_SIZE, spa); /* our RAM holds every section */
}

/* One run of LAUNCH_UPDATEs, one per 4 KiB page as KVM issues them (§6.7). */
static snp_err
launch_run(void *ctx, const struct snp_measure_page *pg)
{
    struct launch_walk *w = ctx;
    struct snp_vmm *v = w->v;

    for (size_t i = 0; i < pg->npages; i++) {
        uint64_t gpa = pg->gpa + i * SNP_PAGE_SIZE, spa;
        const uint8_t *data = pg->contents != NULL ? pg->contents + i * SNP_PAGE_SIZE : NULL;

        SNP_ENSURE(launch_spa(v, pg, gpa, &spa), SNP_E_RANGE);
        if (pg->type == SNP_PAGE_TYPE_CPUID) {
            /* §9.1: the host supplies the table; it is validated, not measured. */
            if (w->cpuid != NULL) {
                memcpy(w->page, w->cpuid, SNP_PAGE_SIZE);
            } else {
                SNP_TRY(cpuid_table(v, w->page));
            }
            data = w->page;
        }
        if (v->plain) {
            /* No PSP: the image is copied in as is; other pages start zeroed. */
            static const uint8_t zero[SNP_PAGE_SIZE];
            uint64_t pf = 0;
            if (snp_host_write(v->m, spa, data != NULL ? data : zero, SNP_PAGE_SIZE, &pf) !=
                SNP_HW_OK) {
                return SNP_E_STATE;
            }
            count_page(v, pg->type);
            continue;
        }
        SNP_TRY(launch_update(v, spa, gpa, pg->type, data));
    }
    return SNP_OK;
}

static snp_err
launch_finish(struct snp_vmm *v, const struct snp_vmm_launch *l)
{
    uint8_t b[0x68];
    uint64_t idb = 0, ida = 0, pf = 0, flags = 0;

    if (l->id_block != NULL && l->id_auth != NULL) {
        SNP_TRY(alloc_pages(v, 2, &idb));
        ida = idb + SNP_PAGE_SIZE;
        if (snp_host_write(v->m, idb, l->id_block, 0x60, &pf) != SNP_HW_OK ||
            snp_host_write(v->m, ida, l->id_auth, 0x1000, &pf) != SNP_HW_OK) {
            return SNP_E_STATE;
        }
        flags = 1 | (l->auth_key_en ? 2u : 0u); /* §6.8: ID_BLOCK_EN, AUTH_KEY_EN */
    }
    memset(b, 0, sizeof(b));
    snp_put_le64(b, v->gctx_spa);
    snp_put_le64(b + 8, idb);
    snp_put_le64(b + 0x10, ida);
    snp_put_le64(b + 0x18, flags);
    memcpy(b + 0x20, l->host_data, 32);
    return psp_ok(v, SNP_CMD_SNP_LAUNCH_FINISH, b, sizeof(b));
}

/* GCTX_CREATE, LAUNCH_START, VM slot, ACTIVATE (KVM order, §6.4). */
static snp_err
launch_start(struct snp_vmm *v, const struct snp_vmm_launch *l)
{
    uint8_t b[0x30];

    SNP_TRY(rmp_set(v, v->gctx_spa, true, true, 0, 0)); /* FIRMWARE pages (§1.5) */
    SNP_TRY(rmp_set(v, v->rsp_spa, true, true, 0, 0));
    memset(b, 0, sizeof(b));
    snp_put_le64(b, v->gctx_spa);
    SNP_TRY(psp_ok(v, SNP_CMD_SNP_GCTX_CREATE, b, 8));
    snp_put_le64(b + 8, l->policy);
    SNP_TRY(psp_ok(v, SNP_CMD_SNP_LAUNCH_START, b, 0x30));
    SNP_TRY(snp_host_vm_create(v->m, SNP_VM_SNP, v->asid, &v->vm));
    v->vm_created = true;
    memset(b, 0, sizeof(b));
    snp_put_le64(b, v->gctx_spa);
    snp_put_le32(b + 8, v->asid);
    SNP_TRY(psp_ok(v, SNP_CMD_SNP_ACTIVATE, b, 0x10));
    v->launched = true;
    return SNP_OK;
}

static snp_err
launch_guest(struct snp_vmm *v, const struct snp_vmm_launch *l, const struct snp_measure_params *p)
{
    uint8_t cmd[SNP_PAGE_SIZE];
    size_t clen;
    const char *cmdline = l->cmdline != NULL ? l->cmdline : SNP_VMM_DEFAULT_CMDLINE;
    struct launch_walk w;
    snp_err err;

    if (v->plain) {
        /* A plain VM (no SEV): ASID 0, no PSP, no RMP; the host sees everything. */
        SNP_TRY(snp_host_vm_create(v->m, SNP_VM_PLAIN, 0, &v->vm));
        v->vm_created = true;
    } else {
        SNP_TRY(launch_start(v, l));
    }
    /* Nested page tables: RAM and the firmware image, 1:1 onto our pages. */
    for (uint64_t i = 0; i < SNP_VMM_MEM_PAGES; i++) {
        SNP_TRY(snp_host_npt_set(
            v->m, v->vm, i, (v->ram_spa + i * SNP_PAGE_SIZE) | SNP_NPT_PRESENT | SNP_NPT_WRITE));
    }
    for (uint64_t i = 0; i < v->fw_pages; i++) {
        SNP_TRY(
            snp_host_npt_set(v->m, v->vm, (v->fw_gpa >> SNP_PAGE_SHIFT) + i,
                             (v->fw_spa + i * SNP_PAGE_SIZE) | SNP_NPT_PRESENT | SNP_NPT_WRITE));
    }
    /* The command line, in shared memory like fw_cfg: the guest checks it against the
     * measured SEV hashes table before using it. */
    clen = strlen(cmdline);
    memset(cmd, 0, sizeof(cmd));
    snp_put_le32(cmd, (uint32_t)clen);
    memcpy(cmd + 4, cmdline, clen);
    SNP_TRY(snp_vmm_gpa_write(v, SNP_VMM_CMDLINE_GPA, cmd, sizeof(cmd)));

    /* §7.5: firmware image, metadata sections, VMSAs -- in snp_measure_pages()'s order, the
     * list snp_measure() hashes (a plain VM gets the same pages, copied). */
    w.v = v;
    w.cpuid = l->cpuid_page;
    w.page = calloc(1, SNP_PAGE_SIZE);
    SNP_ENSURE(w.page != NULL, SNP_E_NOMEM);
    err = snp_measure_pages(p, launch_run, &w, NULL);
    free(w.page);
    SNP_TRY(err);
    return v->plain ? SNP_OK : launch_finish(v, l);
}

static snp_err
check_launch(const struct snp_vmm_launch *l)
{
    SNP_ENSURE(l->vcpus >= 1 && l->vcpus <= SNP_VMM_MAX_VCPUS, SNP_E_ARG);
    SNP_ENSURE(l->entry != NULL, SNP_E_ARG);
    SNP_ENSURE(l->cmdline == NULL || strlen(l->cmdline) <= 4000, SNP_E_ARG);
    SNP_ENSURE(l->fw == NULL || (l->fw_len > 0 && l->fw_len % SNP_PAGE_SIZE == 0 &&
                                 l->fw_len <= (size_t)64 * SNP_PAGE_SIZE),
               SNP_E_ARG);
    return SNP_OK;
}

snp_err
snp_vmm_new(struct snp_vmm **out, struct snp_machine *m, const struct snp_vmm_launch *l,
            uint32_t *fw_status)
{
    struct snp_vmm *v = NULL;
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t *fw = NULL;
    size_t mlen = 0;
    snp_err err = SNP_E_ARG;

    *out = NULL;
    if (fw_status != NULL) {
        *fw_status = 0;
    }
    if (m == NULL || l == NULL || check_launch(l) != SNP_OK) {
        goto out;
    }
    err = SNP_E_NOMEM;
    v = calloc(1, sizeof(*v));
    fw = malloc(SNP_VMM_FW_SIZE);
    if (v == NULL || fw == NULL) {
        goto out;
    }
    v->m = m;
    v->asid = l->asid != 0 ? l->asid : 1;
    v->vcpus = l->vcpus;
    v->next_spa = SNP_VMM_SPA_BASE + (uint64_t)(v->asid - 1) * 0x100000;
    v->plain = l->plain;
    v->guest_features = l->guest_features;
    v->vcpu_state[0] = SNP_VMM_VCPU_ON; /* the BSP; APs wait for AP creation (§5.4) */
    err = snp_vmm_measure_params(l, fw, &h, &p);
    if (err == SNP_OK) {
        err = snp_measure(&p, v->info.measurement, &mlen, NULL);
    }
    if (err != SNP_OK) {
        goto out;
    }
    v->fw_pages = p.ovmf_len / SNP_PAGE_SIZE;
    v->fw_gpa = SNP_MEASURE_GPA_4G - p.ovmf_len;
    err = alloc_pages(v, 4, &v->cmd_spa);
    if (err == SNP_OK) {
        v->gctx_spa = v->cmd_spa + SNP_PAGE_SIZE;
        v->req_spa = v->cmd_spa + 2 * SNP_PAGE_SIZE;
        v->rsp_spa = v->cmd_spa + 3 * SNP_PAGE_SIZE;
        err = alloc_pages(v, SNP_VMM_MEM_PAGES, &v->ram_spa);
    }
    if (err == SNP_OK) {
        err = alloc_pages(v, v->fw_pages, &v->fw_spa);
    }
    for (uint32_t i = 0; err == SNP_OK && i < v->vcpus; i++) {
        err = alloc_pages(v, 1, &v->vmsa_spa[i]);
    }
    if (err == SNP_OK && !v->plain) {
        err = platform_init(v);
    }
    if (err == SNP_OK) {
        err = launch_guest(v, l, &p);
    }
    for (uint32_t i = 0; err == SNP_OK && i < v->vcpus; i++) {
        /* Every vCPU gets the launched image; only vCPU 0 is run until the guest creates
         * the APs with NAE AP_CREATION (vmm_run.c). */
        err =
            snp_host_vcpu_create(m, v->vm, v->vmsa_spa[i], l->entry, l->entry_arg, &v->vcpu_ids[i]);
        if (err == SNP_OK) {
            v->nvcpu_created++;
        }
    }
    if (err != SNP_OK) {
        goto out;
    }
    *out = v;
    v = NULL; /* transferred */
out:
    if (fw_status != NULL && v != NULL) {
        *fw_status = v->info.gctx_status;
    }
    snp_vmm_free(v);
    free(fw);
    return err;
}

snp_err
snp_vmm_gpa_spa(const struct snp_vmm *v, uint64_t gpa, uint64_t *spa)
{
    SNP_ENSURE(snp_vmm_ram_spa(v, gpa, 1, spa), SNP_E_RANGE);
    return SNP_OK;
}

bool
snp_vmm_is_plain(const struct snp_vmm *v)
{
    return v->plain;
}

const struct snp_vmm_launch_info *
snp_vmm_info(const struct snp_vmm *v)
{
    return &v->info;
}

void
snp_vmm_set_channel(struct snp_vmm *v, snp_vmm_chan_fn fn, void *ctx)
{
    v->chan_fn = fn;
    v->chan_ctx = ctx;
}

void
snp_vmm_set_console(struct snp_vmm *v, snp_vmm_console_fn fn, void *ctx)
{
    v->console_fn = fn;
    v->console_ctx = ctx;
}

snp_err
snp_vmm_set_certs(struct snp_vmm *v, const uint8_t *table, size_t len)
{
    uint8_t *c = NULL;

    SNP_ENSURE(len <= SNP_VMM_CERTS_MAX, SNP_E_RANGE);
    if (len > 0) {
        c = malloc(len);
        SNP_ENSURE(c != NULL, SNP_E_NOMEM);
        memcpy(c, table, len);
    }
    free(v->certs);
    v->certs = c;
    v->certs_len = len;
    return SNP_OK;
}

snp_err
snp_vmm_platform_tcb(struct snp_vmm *v, uint64_t *reported_tcb, uint64_t *current_tcb)
{
    struct snp_platform_status st;
    uint8_t b[8], out[SNP_PLATFORM_STATUS_SIZE];
    uint32_t fw = 0xFFFF;

    /* §6.4: the output page must be FIRMWARE (or DEFAULT) while INIT: the bounce page is. */
    snp_put_le64(b, v->rsp_spa);
    SNP_TRY(snp_vmm_psp(v, SNP_CMD_SNP_PLATFORM_STATUS, b, sizeof(b), &fw));
    SNP_ENSURE(fw == SNP_FW_SUCCESS, SNP_E_STATE);
    SNP_ENSURE(snp_host_read(v->m, v->rsp_spa, out, sizeof(out)) == SNP_HW_OK, SNP_E_STATE);
    SNP_TRY(snp_platform_status_decode(&st, out, sizeof(out), NULL));
    *reported_tcb = st.reported_tcb;
    *current_tcb = st.current_tcb;
    return SNP_OK;
}

void
snp_vmm_free(struct snp_vmm *v)
{
    uint8_t b[8];
    uint32_t fw = 0;

    if (v == NULL) {
        return;
    }
    for (uint32_t i = 0; i < v->nvcpu_created; i++) {
        (void)snp_host_vcpu_destroy(v->m, v->vcpu_ids[i]);
    }
    if (v->gctx_spa != 0 && !v->plain) {
        snp_put_le64(b, v->gctx_spa);
        (void)snp_vmm_psp(v, SNP_CMD_SNP_DECOMMISSION, b, sizeof(b), &fw);
    }
    if (v->vm_created) {
        (void)snp_host_vm_destroy(v->m, v->vm);
    }
    free(v->certs);
    free(v);
}
