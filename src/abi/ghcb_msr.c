/*
 * abi/ghcb_msr.c - the GHCB MSR protocol (hardware.md §5.3) and termination reason names
 * (§5.8).
 *
 * An MSR value is data[63:12] | info[11:0]. Each info code has a fixed set of data bits; any
 * other bit set is SNP_E_RESERVED, so a decoded message re-encodes to the same value. The
 * hypervisor model decodes guest requests with this, the guest decodes hypervisor responses:
 * both sides are untrusted by the other, hence strict.
 */
#include "snpkit/ghcb.h"

#include "base/compiler.h"

#include <string.h>

#define BITS(hi, lo) ((~UINT64_C(0) >> (63 - (hi))) & (~UINT64_C(0) << (lo)))

/* The data bits each message uses (§5.3 table); everything else above bit 11 is reserved. */
static bool
msr_used_bits(uint16_t info, uint64_t *used)
{
    switch (info) {
    case SNP_GHCB_MSR_SEV_INFO_RESP:
        *used = BITS(63, 24); /* max proto, min proto, C-bit; 23:12 reserved */
        return true;
    case SNP_GHCB_MSR_CPUID_REQ:
    case SNP_GHCB_MSR_CPUID_RESP:
        *used = BITS(63, 30); /* fn or value, register selector */
        return true;
    case SNP_GHCB_MSR_AP_RESET_HOLD_RESP:
    case SNP_GHCB_MSR_PREF_GPA_RESP:
    case SNP_GHCB_MSR_REG_GPA_REQ:
    case SNP_GHCB_MSR_REG_GPA_RESP:
    case SNP_GHCB_MSR_HV_FEATURES_RESP:
        *used = BITS(63, 12);
        return true;
    case SNP_GHCB_MSR_PSC_REQ:
        *used = BITS(55, 12); /* GFN 51:12, op 55:52; 63:56 reserved */
        return true;
    case SNP_GHCB_MSR_PSC_RESP:
    case SNP_GHCB_MSR_RUN_VMPL_RESP:
        *used = BITS(63, 32); /* error */
        return true;
    case SNP_GHCB_MSR_RUN_VMPL_REQ:
        *used = BITS(39, 32); /* target VMPL */
        return true;
    case SNP_GHCB_MSR_TERM_REQ:
        *used = BITS(23, 12); /* reason set 15:12, code 23:16 */
        return true;
    case SNP_GHCB_MSR_SEV_INFO_REQ:
    case SNP_GHCB_MSR_AP_RESET_HOLD_REQ:
    case SNP_GHCB_MSR_PREF_GPA_REQ:
    case SNP_GHCB_MSR_HV_FEATURES_REQ:
        *used = 0; /* requests without data */
        return true;
    default:
        return false;
    }
}

static size_t
lowest_bit(uint64_t v)
{
    size_t i = 0;

    while (i < 63 && ((v >> i) & 1u) == 0) {
        i++;
    }
    return i;
}

static snp_err
msr_fail(snp_err err, size_t bit, size_t *err_bit)
{
    if (err_bit != NULL) {
        *err_bit = bit;
    }
    return err;
}

snp_err
snp_ghcb_msr_decode(struct snp_ghcb_msr *m, uint64_t msr, size_t *err_bit)
{
    uint16_t info = (uint16_t)(msr & SNP_GHCB_MSR_INFO_MASK);
    uint64_t used = 0;
    uint64_t rsvd;

    if (m == NULL) {
        return SNP_E_ARG;
    }
    memset(m, 0, sizeof(*m));
    if (!msr_used_bits(info, &used)) {
        return msr_fail(SNP_E_UNSUPPORTED, 0, err_bit); /* KVM leaves the MSR unchanged */
    }
    rsvd = msr & ~used & ~SNP_GHCB_MSR_INFO_MASK;
    if (rsvd != 0) {
        return msr_fail(SNP_E_RESERVED, lowest_bit(rsvd), err_bit);
    }
    m->info = info;
    switch (info) {
    case SNP_GHCB_MSR_SEV_INFO_RESP:
        m->max_proto = (uint16_t)(msr >> 48);
        m->min_proto = (uint16_t)(msr >> 32);
        m->cbit = (uint8_t)(msr >> 24);
        break;
    case SNP_GHCB_MSR_CPUID_REQ:
        m->cpuid_fn = (uint32_t)(msr >> 32);
        m->cpuid_reg = (uint8_t)((msr >> 30) & 3);
        break;
    case SNP_GHCB_MSR_CPUID_RESP:
        m->value = (uint32_t)(msr >> 32);
        m->cpuid_reg = (uint8_t)((msr >> 30) & 3); /* KVM edits the request in place */
        break;
    case SNP_GHCB_MSR_PREF_GPA_RESP:
    case SNP_GHCB_MSR_REG_GPA_REQ:
    case SNP_GHCB_MSR_REG_GPA_RESP:
        m->gfn = msr >> 12;
        break;
    case SNP_GHCB_MSR_AP_RESET_HOLD_RESP:
    case SNP_GHCB_MSR_HV_FEATURES_RESP:
        m->data = msr >> 12;
        break;
    case SNP_GHCB_MSR_PSC_REQ:
        m->gfn = (msr >> 12) & BITS(39, 0);
        m->psc_op = (uint8_t)((msr >> 52) & 0xF);
        if (m->psc_op != SNP_PSC_OP_PRIVATE && m->psc_op != SNP_PSC_OP_SHARED) {
            memset(m, 0, sizeof(*m));
            return msr_fail(SNP_E_RANGE, 52, err_bit); /* 4K private/shared only */
        }
        break;
    case SNP_GHCB_MSR_PSC_RESP:
    case SNP_GHCB_MSR_RUN_VMPL_RESP:
        m->error = (uint32_t)(msr >> 32);
        break;
    case SNP_GHCB_MSR_RUN_VMPL_REQ:
        m->vmpl = (uint8_t)(msr >> 32);
        break;
    case SNP_GHCB_MSR_TERM_REQ:
        m->reason_set = (uint8_t)((msr >> 12) & 0xF);
        m->reason_code = (uint8_t)(msr >> 16);
        break;
    default:
        break; /* no data */
    }
    return SNP_OK;
}

snp_err
snp_ghcb_msr_encode(const struct snp_ghcb_msr *m, uint64_t *msr)
{
    uint64_t used = 0;
    uint64_t v;

    if (m == NULL || msr == NULL) {
        return SNP_E_ARG;
    }
    *msr = 0;
    if (!msr_used_bits(m->info, &used)) {
        return SNP_E_UNSUPPORTED;
    }
    v = m->info;
    switch (m->info) {
    case SNP_GHCB_MSR_SEV_INFO_RESP:
        v |= (uint64_t)m->max_proto << 48 | (uint64_t)m->min_proto << 32 | (uint64_t)m->cbit << 24;
        break;
    case SNP_GHCB_MSR_CPUID_REQ:
    case SNP_GHCB_MSR_CPUID_RESP:
        SNP_ENSURE(m->cpuid_reg <= 3, SNP_E_RANGE);
        v |= (uint64_t)(m->info == SNP_GHCB_MSR_CPUID_REQ ? m->cpuid_fn : m->value) << 32 |
             (uint64_t)m->cpuid_reg << 30;
        break;
    case SNP_GHCB_MSR_PREF_GPA_RESP:
    case SNP_GHCB_MSR_REG_GPA_REQ:
    case SNP_GHCB_MSR_REG_GPA_RESP:
        SNP_ENSURE(m->gfn <= BITS(51, 0), SNP_E_RANGE);
        v |= m->gfn << 12;
        break;
    case SNP_GHCB_MSR_AP_RESET_HOLD_RESP:
    case SNP_GHCB_MSR_HV_FEATURES_RESP:
        SNP_ENSURE(m->data <= BITS(51, 0), SNP_E_RANGE);
        v |= m->data << 12;
        break;
    case SNP_GHCB_MSR_PSC_REQ:
        SNP_ENSURE(m->gfn <= BITS(39, 0), SNP_E_RANGE);
        SNP_ENSURE(m->psc_op == SNP_PSC_OP_PRIVATE || m->psc_op == SNP_PSC_OP_SHARED, SNP_E_RANGE);
        v |= m->gfn << 12 | (uint64_t)m->psc_op << 52;
        break;
    case SNP_GHCB_MSR_PSC_RESP:
    case SNP_GHCB_MSR_RUN_VMPL_RESP:
        v |= (uint64_t)m->error << 32;
        break;
    case SNP_GHCB_MSR_RUN_VMPL_REQ:
        v |= (uint64_t)m->vmpl << 32;
        break;
    case SNP_GHCB_MSR_TERM_REQ:
        SNP_ENSURE(m->reason_set <= 0xF, SNP_E_RANGE);
        v |= (uint64_t)m->reason_set << 12 | (uint64_t)m->reason_code << 16;
        break;
    default:
        break;
    }
    *msr = v;
    return SNP_OK;
}

/* §5.8 */
const char *
snp_term_reason_str(uint8_t set, uint8_t code)
{
    static const char *const general[] = {
        "general termination request",
        "GHCB protocol range not supported",
        "SEV-SNP feature(s) not supported",
    };
    static const char *const linux_set[] = {
        "GHCB GPA registration failure",
        "page state change failure",
        "PVALIDATE failure",
        "not running at VMPL0",
        "CPUID validation failure",
        "CPUID failure during hypervisor fallback",
        "secrets page failure",
        "SVSM not advertised in secrets page",
        "SVSM present but claims VMPL0",
        "SVSM CAA not page aligned",
    };

    if (set == SNP_TERM_SET_GENERAL && code < sizeof(general) / sizeof(general[0])) {
        return general[code];
    }
    if (set == SNP_TERM_SET_LINUX && code < sizeof(linux_set) / sizeof(linux_set[0])) {
        return linux_set[code];
    }
    return NULL;
}
