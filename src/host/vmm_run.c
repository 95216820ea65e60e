/*
 * host/vmm_run.c - the VMRUN loop and the GHCB protocol, hypervisor side (hardware.md §5).
 *
 * A VMGEXIT with GHCB MSR info != 0 is the MSR protocol (§5.3); info 0 is a full GHCB request at
 * that GPA, which must be the registered one (§5.2). Every byte the guest wrote is hostile: the
 * MSR value is decoded strictly (snp_ghcb_msr_decode), the GHCB page with the codec, required
 * inputs are checked against VALID_BITMAP (§5.4, KVM's sev_es_validate_vmgexit), GPAs against
 * the guest's RAM, and a request that fails a check gets MALFORMED_INPUT with its reason (§5.5).
 * Answers set the valid bits of the outputs they return.
 *
 * A plain VM (SEV off) has no GHCB: CPUID, IOIO and MSR exit straight to us and we read and
 * write its registers in the host-readable save area (plain_exit()), as KVM does for a
 * traditional guest. The same device models answer.
 */
#include "host/vmm_int.h"

#include "snpkit/machine.h"
#include "snpkit/pageinfo.h"
#include "snpkit/vmsa.h"

#include <string.h>

/* §5.7: SNP and the AP creation NAE (what KVM advertises). */
#define HV_FEATURES (SNP_GHCB_HV_FT_SNP | SNP_GHCB_HV_FT_SNP_AP_CREATION)

static void
msr_reply(struct snp_vmm *v, const struct snp_ghcb_msr *r)
{
    uint64_t out = 0;

    if (snp_ghcb_msr_encode(r, &out) == SNP_OK) {
        (void)snp_host_ghcb_msr_set(v->m, v->vcpu_ids[v->cur], out);
    }
}

/* §5.3. Unknown or malformed requests leave the MSR unchanged (KVM). */
static void
msr_protocol(struct snp_vmm *v, uint64_t val)
{
    struct snp_ghcb_msr q, r;
    uint32_t cpuid[4];

    if (snp_ghcb_msr_decode(&q, val, NULL) != SNP_OK) {
        return;
    }
    memset(&r, 0, sizeof(r));
    switch (q.info) {
    case SNP_GHCB_MSR_SEV_INFO_REQ:
        snp_host_cpuid(v->m, 0x8000001F, 0, cpuid);
        r.info = SNP_GHCB_MSR_SEV_INFO_RESP;
        r.max_proto = SNP_GHCB_PROTOCOL_SNP;
        r.min_proto = SNP_GHCB_PROTOCOL_MIN;
        r.cbit = (uint8_t)(cpuid[1] & 0x3F); /* §0.2: EBX[5:0] */
        break;
    case SNP_GHCB_MSR_CPUID_REQ:
        snp_host_cpuid(v->m, q.cpuid_fn, 0, cpuid);
        r.info = SNP_GHCB_MSR_CPUID_RESP;
        r.cpuid_reg = q.cpuid_reg;
        r.value = cpuid[q.cpuid_reg & 3];
        break;
    case SNP_GHCB_MSR_PREF_GPA_REQ:
        r.info = SNP_GHCB_MSR_PREF_GPA_RESP;
        r.gfn = SNP_GHCB_MSR_GFN_NONE;
        break;
    case SNP_GHCB_MSR_REG_GPA_REQ:
        /* The GHCB must be a shared page of our RAM; otherwise answer a GFN that is not the
         * one asked (the guest terminates, §5.3). */
        r.info = SNP_GHCB_MSR_REG_GPA_RESP;
        if (q.gfn < SNP_VMM_MEM_PAGES) {
            v->ghcb_gpa = q.gfn << SNP_PAGE_SHIFT;
            r.gfn = q.gfn;
        } else {
            r.gfn = SNP_GHCB_MSR_GFN_NONE;
        }
        break;
    case SNP_GHCB_MSR_PSC_REQ:
        r.info = SNP_GHCB_MSR_PSC_RESP;
        if (snp_vmm_psc_page(v, q.gfn, q.psc_op == SNP_PSC_OP_PRIVATE) != SNP_OK) {
            r.error = SNP_GHCB_MSR_PSC_ERR_GENERIC;
        }
        break;
    case SNP_GHCB_MSR_HV_FEATURES_REQ:
        r.info = SNP_GHCB_MSR_HV_FEATURES_RESP;
        r.data = HV_FEATURES;
        break;
    case SNP_GHCB_MSR_TERM_REQ:
        v->status.stop = SNP_VMM_STOP_TERMINATED;
        v->status.term_set = q.reason_set;
        v->status.term_code = q.reason_code;
        return;
    default:
        return; /* AP reset hold, Run-VMPL: not offered */
    }
    msr_reply(v, &r);
}

static void
malformed(struct snp_ghcb *g, uint64_t why)
{
    g->sw_exitinfo1 = SNP_GHCB_RESULT_MALFORMED_INPUT;
    g->sw_exitinfo2 = why;
}

/* §5.6: PSC buffer at SW_SCRATCH; we accept it inside the GHCB shared buffer only. */
static void
nae_psc(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    struct snp_psc p;
    size_t err_off = 0;

    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_SW_SCRATCH)) {
        malformed(g, SNP_GHCB_ERR_MISSING_INPUT);
        return;
    }
    if (g->sw_scratch != v->ghcb_gpa + SNP_GHCB_OFF_SHARED_BUFFER) {
        malformed(g, SNP_GHCB_ERR_INVALID_SCRATCH_AREA);
        return;
    }
    if (snp_psc_decode(&p, g->shared_buffer, SNP_PSC_SIZE, &err_off) != SNP_OK) {
        g->sw_exitinfo2 =
            err_off < SNP_PSC_HDR_SIZE ? SNP_PSC_STATUS_INVALID_HDR : SNP_PSC_STATUS_INVALID_ENTRY;
        return;
    }
    g->sw_exitinfo2 = SNP_PSC_STATUS_OK;
    while (p.cur_entry <= p.end_entry) {
        struct snp_psc_entry *e = &p.entries[p.cur_entry];
        if (e->operation == SNP_PSC_OP_PRIVATE || e->operation == SNP_PSC_OP_SHARED) {
            if (e->page_size != SNP_PSC_PAGE_4K ||
                snp_vmm_psc_page(v, e->gfn, e->operation == SNP_PSC_OP_PRIVATE) != SNP_OK) {
                g->sw_exitinfo2 = SNP_PSC_STATUS_GENERIC; /* no 2M pages in our RAM */
                break;
            }
            e->cur_page = 1;
        } else {
            /* PSMASH/UNSMASH: nothing to do with 4K-only RAM (KVM skips them too). */
            e->cur_page = e->page_size == SNP_PSC_PAGE_2M ? 512 : 1;
        }
        p.cur_entry++;
    }
    (void)snp_psc_encode(g->shared_buffer, &p);
}

static void
nae_cpuid(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    uint32_t out[4];

    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RAX) || !snp_ghcb_is_valid(in, SNP_GHCB_OFF_RCX)) {
        malformed(g, SNP_GHCB_ERR_MISSING_INPUT);
        return;
    }
    if ((uint32_t)g->rax == 0xD && !snp_ghcb_is_valid(in, SNP_GHCB_OFF_XCR0)) {
        malformed(g, SNP_GHCB_ERR_MISSING_INPUT); /* §5.4: XCR0 required for leaf 0xD */
        return;
    }
    snp_host_cpuid(v->m, (uint32_t)g->rax, (uint32_t)g->rcx, out);
    g->rax = out[0];
    g->rbx = out[1];
    g->rcx = out[2];
    g->rdx = out[3];
    (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RAX);
    (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RBX);
    (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RCX);
    (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RDX);
}

/* §5.4 MSR: RDMSR answers 0, WRMSR is ignored: no MSR of ours is the guest's business. */
static void
nae_msr(const struct snp_ghcb *in, struct snp_ghcb *g)
{
    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RCX) || in->sw_exitinfo1 > 1 ||
        (in->sw_exitinfo1 == 1 &&
         (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RAX) || !snp_ghcb_is_valid(in, SNP_GHCB_OFF_RDX)))) {
        malformed(g, SNP_GHCB_ERR_MISSING_INPUT);
        return;
    }
    if (in->sw_exitinfo1 == 0) {
        g->rax = 0;
        g->rdx = 0;
        (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RAX);
        (void)snp_ghcb_set_valid(g, SNP_GHCB_OFF_RDX);
    }
}

/*
 * §5.4 AP creation: EXITINFO1 [63:32] APIC ID, [19:16] VMPL, low bits the request;
 * EXITINFO2 the VMSA GPA; RAX the new VMSA's SEV_FEATURES (KVM: must equal the VM's). Our
 * APIC IDs are the vCPU indexes. We serve "create now" with the launch VMSA of that vCPU (the
 * measured one, at the GPA the launch gave it, §8.2) and "destroy"; create-on-INIT (we model
 * no INIT/SIPI) and VMSAs the guest made itself (RMPADJUST, §2.4) are refused as invalid input.
 */
static void
nae_ap_creation(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    uint64_t req = in->sw_exitinfo1 & 0xFFFF, vmpl = (in->sw_exitinfo1 >> 16) & 0xF;
    uint64_t apic = in->sw_exitinfo1 >> 32;

    if ((req != SNP_NAE_AP_CREATE && req != SNP_NAE_AP_DESTROY) || vmpl != 0 || apic == 0 ||
        apic >= v->vcpus || (in->sw_exitinfo1 & 0xFFF00000u) != 0) {
        malformed(g, SNP_GHCB_ERR_INVALID_INPUT);
        return;
    }
    if (req == SNP_NAE_AP_DESTROY) {
        if (v->vcpu_state[apic] == SNP_VMM_VCPU_ON) {
            v->vcpu_state[apic] = SNP_VMM_VCPU_OFF; /* no longer run: its VMSA stays */
        }
        return;
    }
    if (!snp_ghcb_is_valid(in, SNP_GHCB_OFF_RAX)) {
        malformed(g, SNP_GHCB_ERR_MISSING_INPUT);
        return;
    }
    if (in->rax != v->guest_features || in->sw_exitinfo2 != SNP_PAGE_INFO_VMSA_GPA ||
        v->vcpu_state[apic] != SNP_VMM_VCPU_OFF) {
        malformed(g, SNP_GHCB_ERR_INVALID_INPUT);
        return;
    }
    v->vcpu_state[apic] = SNP_VMM_VCPU_ON;
}

static void
dispatch(struct snp_vmm *v, const struct snp_ghcb *in, struct snp_ghcb *g)
{
    switch (g->sw_exitcode) {
    case SNP_NAE_CPUID:
        nae_cpuid(v, in, g);
        break;
    case SNP_NAE_IOIO:
        if (!snp_vmm_ioio(v, in, g)) {
            malformed(g, SNP_GHCB_ERR_INVALID_INPUT);
        }
        break;
    case SNP_NAE_MSR:
        nae_msr(in, g);
        break;
    case SNP_NAE_MMIO_READ:
    case SNP_NAE_MMIO_WRITE:
        if (!snp_vmm_mmio(v, in, g, g->sw_exitcode == SNP_NAE_MMIO_WRITE)) {
            malformed(g, SNP_GHCB_ERR_INVALID_INPUT);
        }
        break;
    case SNP_NAE_PSC:
        nae_psc(v, in, g);
        break;
    case SNP_NAE_GUEST_REQUEST:
    case SNP_NAE_EXT_GUEST_REQUEST:
        snp_vmm_guest_request(v, in, g, g->sw_exitcode == SNP_NAE_EXT_GUEST_REQUEST);
        break;
    case SNP_NAE_AP_CREATION:
        nae_ap_creation(v, in, g);
        break;
    case SNP_NAE_HV_FEATURES:
        g->sw_exitinfo2 = HV_FEATURES;
        break;
    case SNP_NAE_TERM_REQUEST:
        v->status.stop = SNP_VMM_STOP_TERMINATED;
        v->status.term_set = (uint8_t)(in->sw_exitinfo1 & 0xF);
        v->status.term_code = (uint8_t)(in->sw_exitinfo1 >> 4);
        break;
    default:
        malformed(g, SNP_GHCB_ERR_INVALID_EVENT);
        break;
    }
}

snp_err
snp_vmm_handle_ghcb(struct snp_vmm *v, const uint8_t page[SNP_GHCB_SIZE])
{
    struct snp_ghcb g, in;
    uint8_t out[SNP_GHCB_SIZE];

    SNP_TRY(snp_ghcb_decode(&g, page, SNP_GHCB_SIZE, NULL));
    /* §5.1: the reader copies and clears the bitmap (KVM); handlers check inputs in @in and
     * mark the outputs they return in @g. */
    in = g;
    snp_ghcb_clear_all_valid(&g);
    v->status.last_exit = g.sw_exitcode;
    if (g.ghcb_usage != SNP_GHCB_USAGE_STANDARD) {
        malformed(&g, SNP_GHCB_ERR_INVALID_USAGE);
    } else if (!snp_ghcb_is_valid(&in, SNP_GHCB_OFF_SW_EXITCODE) ||
               !snp_ghcb_is_valid(&in, SNP_GHCB_OFF_SW_EXITINFO1) ||
               !snp_ghcb_is_valid(&in, SNP_GHCB_OFF_SW_EXITINFO2)) {
        malformed(&g, SNP_GHCB_ERR_MISSING_INPUT);
    } else {
        g.sw_exitinfo1 = SNP_GHCB_RESULT_OK;
        dispatch(v, &in, &g);
    }
    (void)snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO1);
    (void)snp_ghcb_set_valid(&g, SNP_GHCB_OFF_SW_EXITINFO2);
    SNP_TRY(snp_ghcb_encode(out, &g));
    return snp_vmm_gpa_write(v, v->ghcb_gpa, out, sizeof(out));
}

static snp_err
vmgexit(struct snp_vmm *v)
{
    uint8_t page[SNP_GHCB_SIZE];
    uint64_t msr = 0;
    snp_err err;

    SNP_TRY(snp_host_ghcb_msr_get(v->m, v->vcpu_ids[v->cur], &msr));
    if ((msr & SNP_GHCB_MSR_INFO_MASK) != 0) {
        v->status.last_exit = msr & SNP_GHCB_MSR_INFO_MASK;
        msr_protocol(v, msr);
        return SNP_OK;
    }
    if (msr == 0) {
        return SNP_OK; /* §5.2: GPA 0, just resume */
    }
    if (v->ghcb_gpa == 0 || msr != v->ghcb_gpa) {
        /* §5.2: SNP requires the GPA to be registered; KVM fails the VMGEXIT. */
        v->status.stop = SNP_VMM_STOP_ERROR;
        v->status.last_exit = SNP_EXIT_VMGEXIT;
        return SNP_OK;
    }
    err = snp_vmm_gpa_read(v, v->ghcb_gpa, page, sizeof(page));
    if (err == SNP_OK) {
        err = snp_vmm_handle_ghcb(v, page);
    }
    if (err != SNP_OK && v->stop_err == SNP_OK) {
        v->status.stop = SNP_VMM_STOP_ERROR; /* the GHCB page is not readable/writable */
    }
    return SNP_OK;
}

/* The save area of a plain VM's vCPU 0: plaintext, host-readable and writable (§4.1). */
static snp_err
plain_regs(struct snp_vmm *v, struct snp_vmsa *s, bool write)
{
    uint8_t page[SNP_VMSA_SIZE];
    uint64_t pf = 0;
    snp_err err = SNP_E_STATE;

    if (write) {
        err = snp_vmsa_encode(page, s);
        if (err == SNP_OK &&
            snp_host_write(v->m, v->vmsa_spa[0], page, sizeof(page), &pf) != SNP_HW_OK) {
            err = SNP_E_STATE;
        }
    } else if (snp_host_read(v->m, v->vmsa_spa[0], page, sizeof(page)) == SNP_HW_OK) {
        err = snp_vmsa_decode(s, page, sizeof(page), NULL);
    }
    memset(page, 0, sizeof(page));
    return err;
}

/*
 * An intercepted CPUID / IOIO / MSR of a plain VM: the register operands are in the save area,
 * so the request is put in GHCB form and answered by the same handlers the GHCB path uses.
 * false: the exit cannot be served (the VM stops).
 */
static bool
plain_exit(struct snp_vmm *v, const struct snp_vmexit *ex)
{
    struct snp_vmsa s;
    struct snp_ghcb in, g;

    if (plain_regs(v, &s, false) != SNP_OK) {
        return false;
    }
    memset(&in, 0, sizeof(in));
    in.sw_exitinfo1 = ex->info1;
    in.rax = s.rax;
    in.rcx = s.rcx;
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RAX);
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_RCX);
    (void)snp_ghcb_set_valid(&in, SNP_GHCB_OFF_XCR0);
    g = in;
    snp_ghcb_clear_all_valid(&g);
    g.sw_exitinfo1 = SNP_GHCB_RESULT_OK;
    if (ex->code == SNP_EXIT_IOIO) {
        if (!snp_vmm_ioio(v, &in, &g)) {
            return false;
        }
        s.rax = g.rax;
    } else if (ex->code == SNP_EXIT_CPUID) {
        nae_cpuid(v, &in, &g);
        s.rax = g.rax;
        s.rbx = g.rbx;
        s.rcx = g.rcx;
        s.rdx = g.rdx;
    } else if (ex->info1 == 0) { /* RDMSR: 0, as nae_msr() answers */
        s.rax = 0;
        s.rdx = 0;
    }
    return g.sw_exitinfo1 == SNP_GHCB_RESULT_OK && plain_regs(v, &s, true) == SNP_OK;
}

/* The next vCPU to run after vCPU cur, round-robin over the ones that are on. */
static uint32_t
next_vcpu(const struct snp_vmm *v)
{
    for (uint32_t k = 1; k <= v->vcpus; k++) {
        uint32_t i = (v->cur + k) % v->vcpus;
        if (v->vcpu_state[i] == SNP_VMM_VCPU_ON) {
            return i;
        }
    }
    return 0;
}

snp_err
snp_vmm_run(struct snp_vmm *v, uint64_t max_exits, struct snp_vmm_status *st)
{
    struct snp_vmexit ex;

    v->status.stop = SNP_VMM_RUNNING;
    v->stop_err = SNP_OK;
    while (v->status.stop == SNP_VMM_RUNNING && (max_exits == 0 || v->status.exits < max_exits)) {
        uint32_t i = next_vcpu(v);

        v->cur = i;
        v->ghcb_gpa = v->ghcb_gpas[i];
        SNP_TRY(snp_host_vmrun(v->m, v->vcpu_ids[i], &ex));
        v->status.exits++;
        v->status.last_exit = ex.code; /* a VMGEXIT's handler puts the SW exit code here */
        v->status.exit_info1 = ex.info1;
        v->status.exit_info2 = ex.info2;
        if (ex.code == SNP_EXIT_VMGEXIT && !v->plain) {
            SNP_TRY(vmgexit(v));
        } else if (v->plain && (ex.code == SNP_EXIT_IOIO || ex.code == SNP_EXIT_CPUID ||
                                ex.code == SNP_EXIT_MSR)) {
            if (!plain_exit(v, &ex)) {
                v->status.stop = SNP_VMM_STOP_ERROR;
                v->status.last_exit = ex.code;
            }
        } else if (ex.code == SNP_EXIT_SHUTDOWN && i != 0) {
            v->vcpu_state[i] = SNP_VMM_VCPU_DEAD; /* an AP whose code returned is off */
        } else if (ex.code == SNP_EXIT_SHUTDOWN) {
            v->status.stop = SNP_VMM_STOP_SHUTDOWN;
        } else if (ex.code == SNP_EXIT_INTR || ex.code == SNP_EXIT_HLT) {
            /* HLT: nothing to wake it for but time; the others run first (round-robin). */
        } else {
            v->status.stop = SNP_VMM_STOP_ERROR;
            v->status.last_exit = ex.code;
        }
        v->ghcb_gpas[i] = v->ghcb_gpa;
        if (v->stop_err != SNP_OK) {
            break;
        }
    }
    if (st != NULL) {
        *st = v->status;
    }
    return v->stop_err;
}
