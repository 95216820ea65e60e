/*
 * guest/runtime.c - guest runtime core: construction, the GHCB calls (MSR protocol §5.3 and
 * full protocol §5.4), boot negotiation (SEV_STATUS, protocol range, hypervisor features, GHCB
 * GPA registration), termination (§5.8) and the vCPU -> runtime registry.
 *
 * Uses only sim/guest_if.h of the simulator. Every answer goes through ghcb_resp.c first.
 */
#include "guest/runtime_int.h"

#include "guest/ghcb_resp.h"
#include "sim/guest_if.h"
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- the vCPU -> runtime link --------------------------------------------------------------- */

/*
 * The #VC handler gets the vCPU only; the runtime is found through the vCPU's per-CPU pointer
 * (sim/guest_if.h: what GS_BASE is to a real kernel), so there is no process-wide state in
 * guest/ and nothing outlives a vCPU that the host killed mid-run.
 */
snp_err
snp_grt_registry_add(struct snp_guest *g, struct snp_grt *rt)
{
    snp_guest_set_percpu(g, rt);
    return SNP_OK;
}

void
snp_grt_registry_del(struct snp_guest *g)
{
    snp_guest_set_percpu(g, NULL);
}

struct snp_grt *
snp_grt_registry_find(struct snp_guest *g)
{
    return snp_guest_percpu(g);
}

/* ---- construction -------------------------------------------------------------------------- */

snp_err
snp_grt_new(struct snp_grt **out, struct snp_guest *g, const struct snp_grt_config *c)
{
    struct snp_grt *rt;
    snp_err err;

    if (out == NULL || g == NULL || c == NULL || c->mem_pages == 0 ||
        c->mem_pages > (UINT64_C(1) << 36) || c->n_prevalidated > SNP_GRT_MAX_PREVALIDATED ||
        (c->ghcb_gpa & (SNP_GHCB_SIZE - 1)) != 0 || c->vmpck_id > 3) {
        return SNP_E_ARG;
    }
    *out = NULL;
    rt = calloc(1, sizeof(*rt));
    if (rt == NULL) {
        return SNP_E_NOMEM;
    }
    rt->bitmap = calloc(1, (size_t)((c->mem_pages + 7) / 8));
    if (rt->bitmap == NULL) {
        free(rt);
        return SNP_E_NOMEM;
    }
    rt->g = g;
    rt->cfg = *c;
    rt->cbit_mask = snp_guest_cbit_mask(g);
    err = snp_grt_registry_add(g, rt);
    if (err != SNP_OK) {
        free(rt->bitmap);
        free(rt);
        return err;
    }
    snp_guest_set_vc_handler(g, snp_grt_vc_handler);
    *out = rt;
    return SNP_OK;
}

void
snp_grt_free(struct snp_grt *rt)
{
    if (rt == NULL) {
        return;
    }
    snp_guest_set_vc_handler(rt->g, NULL);
    snp_grt_registry_del(rt->g);
    snp_grt_cpuid_free(rt);
    free(rt->bitmap);
    free(rt);
}

uint64_t
snp_grt_hv_features(const struct snp_grt *rt)
{
    return rt->hv_features;
}

const struct snp_grt_config *
snp_grt_config(const struct snp_grt *rt)
{
    return &rt->cfg;
}

uint64_t
snp_grt_vc_count(const struct snp_grt *rt)
{
    return rt->vc_count;
}

/* ---- GHCB calls ------------------------------------------------------------------------------ */

uint64_t
snp_grt_msr_call(struct snp_grt *rt, uint64_t req)
{
    uint64_t v = 0;

    (void)snp_guest_wrmsr(rt->g, SNP_MSR_GHCB, req);
    snp_guest_vmgexit(rt->g);
    (void)snp_guest_rdmsr(rt->g, SNP_MSR_GHCB, &v);
    return v;
}

void
snp_grt_terminate(struct snp_grt *rt, uint8_t set, uint8_t code)
{
    /* §5.3 TERMINATE_REQ: the hypervisor tears the VM down. A hypervisor that resumes us
     * instead gets the same request again: the guest never continues past an attack. */
    for (;;) {
        (void)snp_grt_msr_call(rt, snp_ghcb_msr_term_req(set, code));
    }
}

snp_err
snp_grt_ghcb_call(struct snp_grt *rt, struct snp_ghcb *in, struct snp_ghcb *out)
{
    uint8_t page[SNP_GHCB_SIZE];
    uint64_t exitinfo2 = 0;
    snp_err err;

    /* §5.2: version, usage, exit code and infos always valid; the GHCB is shared memory. */
    in->protocol_version = SNP_GHCB_PROTOCOL_SNP;
    in->ghcb_usage = SNP_GHCB_USAGE_STANDARD;
    SNP_TRY(snp_ghcb_set_valid(in, SNP_GHCB_OFF_SW_EXITCODE));
    SNP_TRY(snp_ghcb_set_valid(in, SNP_GHCB_OFF_SW_EXITINFO1));
    SNP_TRY(snp_ghcb_set_valid(in, SNP_GHCB_OFF_SW_EXITINFO2));
    SNP_TRY(snp_ghcb_encode(page, in));
    snp_guest_write(rt->g, rt->cfg.ghcb_gpa, page, sizeof(page));
    (void)snp_guest_wrmsr(rt->g, SNP_MSR_GHCB, rt->cfg.ghcb_gpa);
    snp_guest_vmgexit(rt->g);
    snp_guest_read(rt->g, rt->cfg.ghcb_gpa, page, sizeof(page));
    err = snp_ghcb_decode(out, page, sizeof(page), NULL);
    if (err != SNP_OK) {
        return SNP_E_IO;
    }
    err = snp_grt_resp_result(out, &exitinfo2);
    out->sw_exitinfo2 = exitinfo2;
    return err;
}

/* A GHCB for @exitcode with no other input. */
static void
ghcb_init(struct snp_ghcb *g, uint64_t exitcode, uint64_t info1, uint64_t info2)
{
    memset(g, 0, sizeof(*g));
    g->sw_exitcode = exitcode;
    g->sw_exitinfo1 = info1;
    g->sw_exitinfo2 = info2;
}

snp_err
snp_grt_mmio_read(struct snp_grt *rt, uint64_t gpa, void *buf, size_t len)
{
    struct snp_ghcb in, out;

    if (len == 0 || len > 8) {
        return SNP_E_ARG;
    }
    /* §5.4: EXITINFO1 = GPA, EXITINFO2 = length, SW_SCRATCH = the shared buffer in the GHCB. */
    ghcb_init(&in, SNP_NAE_MMIO_READ, gpa, len);
    in.sw_scratch = rt->cfg.ghcb_gpa + SNP_GHCB_OFF_SHARED_BUFFER;
    SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_SW_SCRATCH));
    SNP_TRY(snp_grt_ghcb_call(rt, &in, &out));
    memcpy(buf, out.shared_buffer, len);
    return SNP_OK;
}

snp_err
snp_grt_mmio_write(struct snp_grt *rt, uint64_t gpa, const void *buf, size_t len)
{
    struct snp_ghcb in, out;

    if (len == 0 || len > 8) {
        return SNP_E_ARG;
    }
    ghcb_init(&in, SNP_NAE_MMIO_WRITE, gpa, len);
    in.sw_scratch = rt->cfg.ghcb_gpa + SNP_GHCB_OFF_SHARED_BUFFER;
    memcpy(in.shared_buffer, buf, len);
    SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_SW_SCRATCH));
    return snp_grt_ghcb_call(rt, &in, &out);
}

snp_err
snp_grt_ap_create(struct snp_grt *rt, uint32_t apic_id, uint64_t vmsa_gpa)
{
    struct snp_ghcb in, out;
    uint64_t status = 0;

    if (rt->plain || !rt->booted || (rt->hv_features & SNP_GHCB_HV_FT_SNP_AP_CREATION) == 0) {
        return SNP_E_UNSUPPORTED;
    }
    if (apic_id == 0 || (vmsa_gpa & 0xFFF) != 0) {
        return SNP_E_ARG;
    }
    if (snp_guest_rdmsr(rt->g, SNP_MSR_SEV_STATUS, &status) != SNP_HW_OK) {
        return SNP_E_STATE;
    }
    /* §5.4: EXITINFO1 [63:32] APIC ID, [19:16] VMPL 0, request 1 = create now. */
    ghcb_init(&in, SNP_NAE_AP_CREATION, (uint64_t)apic_id << 32 | SNP_NAE_AP_CREATE, vmsa_gpa);
    in.rax = status >> 2; /* §4.3: SEV_STATUS bit = SEV_FEATURES bit + 2 */
    SNP_TRY(snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX));
    return snp_grt_ghcb_call(rt, &in, &out) == SNP_OK ? SNP_OK : SNP_E_IO;
}

/* ---- boot --------------------------------------------------------------------------------------
 */

snp_err
snp_grt_boot(struct snp_grt *rt)
{
    uint64_t status = 0, gfn = rt->cfg.ghcb_gpa >> 12;
    uint8_t cbit = 0;
    snp_err err;

    /* §0.1 SEV_STATUS bit 2: SNP active. Without it none of the below is meaningful. */
    if (snp_guest_rdmsr(rt->g, SNP_MSR_SEV_STATUS, &status) != SNP_HW_OK || (status & 0x4) == 0) {
        /* No SEV at all (bit 0 clear): a plain VM. Memory needs no acceptance and there is
         * no GHCB; the caller may go on without protection (snp_grt_plain()). */
        rt->plain = (status & 0x1) == 0;
        rt->cbit_mask = rt->plain ? 0 : rt->cbit_mask;
        return SNP_E_UNSUPPORTED;
    }
    /* §5.3 SEV_INFO: the protocol range must include 2; the C-bit must be the CPU's. */
    err = snp_grt_resp_msr_sev_info(snp_grt_msr_call(rt, SNP_GHCB_MSR_SEV_INFO_REQ), &cbit);
    if (err != SNP_OK || cbit != snp_guest_cbit(rt->g)) {
        snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_PROTOCOL_UNSUPPORTED);
    }
    /* §5.7: the hypervisor must support SNP. */
    if (snp_grt_resp_msr_hv_features(snp_grt_msr_call(rt, SNP_GHCB_MSR_HV_FEATURES_REQ),
                                     &rt->hv_features) != SNP_OK ||
        (rt->hv_features & SNP_GHCB_HV_FT_SNP) == 0) {
        snp_grt_terminate(rt, SNP_TERM_SET_GENERAL, SNP_TERM_SNP_UNSUPPORTED);
    }
    /* §5.2: for SNP the GHCB GPA must be registered; the echo must match (§5.3). */
    if (snp_grt_resp_msr_reg_gpa(snp_grt_msr_call(rt, snp_ghcb_msr_reg_gpa_req(gfn)), gfn) !=
        SNP_OK) {
        snp_grt_terminate(rt, SNP_TERM_SET_LINUX, SNP_TERM_LINUX_REGISTER);
    }
    for (size_t i = 0; i < rt->cfg.n_prevalidated; i++) {
        SNP_TRY(snp_grt_mark_prevalidated(rt, rt->cfg.prevalidated[i].gpa,
                                          rt->cfg.prevalidated[i].pages));
    }
    SNP_TRY(snp_grt_cpuid_load(rt));
    rt->booted = true;
    return SNP_OK;
}

bool
snp_grt_plain(const struct snp_grt *rt)
{
    return rt->plain;
}
