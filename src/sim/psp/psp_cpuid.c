/*
 * sim/psp/psp_cpuid.c - the firmware's CPUID policy (hardware.md §9.2), shared by
 * LAUNCH_UPDATE type CPUID and MSG_CPUID_REQ.
 *
 * §9.2 "Model guidance: implement the rule *types* with a configurable platform CPUID table":
 * the platform table is the machine's own CPUID (snp_host_cpuid), the rules are §9.2's per leaf.
 * Each rule corrects the register to the allowed value: EXACT -> the platform value, MASK ->
 * value & platform, LESSTHAN -> min(value, platform); custom rules for XSAVE sizes (0xD.0/1) and
 * 8000_001F. Bits a rule leaves to the guest/HV (OSXSAVE, OSPKE, the hypervisor bit, ...) are an
 * "ignore" mask kept as supplied. Leaves outside 0..FFFF and 8000_0000..8000_FFFF are not checked;
 * a standard/extended leaf missing from the table must be all zero.
 * XXX(model): "reserved bits must be 0" needs per-CPU reserved masks we do not have: not checked.
 */
#include "sim/psp/psp_int.h"

#include "sim/host_if.h"

enum rule { U = 0, EX = 1, MK = 2, LT = 3, XS = 4 /* XSAVE size, EBX of 0xD.0/0xD.1 */ };

#define ANY UINT32_MAX

struct leaf_rule {
    uint32_t leaf;
    uint32_t sub_lo, sub_hi; /* ANY: not indexed */
    uint8_t r[4];            /* EAX, EBX, ECX, EDX */
    uint32_t ignore[4];      /* bits left as supplied */
};

#define E8(l) (0x80000000u | (l))

static const struct leaf_rule rules[] = {
    {0x0, ANY, ANY, {LT, U, U, U}, {0}},
    /* 1: EAX FMS must not exceed the real one; CLFLUSH size (EBX 15:8) exact; ECX/EDX mask with
     * OSXSAVE (ECX 27) and the hypervisor bit (ECX 31) unchecked; EBX 31:16, 7:0 unchecked. */
    {0x1, ANY, ANY, {LT, EX, MK, MK}, {0, 0xFFFF00FFu, (1u << 27) | (1u << 31), 0}},
    {0x2, ANY, ANY, {U, U, U, U}, {0}},
    {0x4, ANY, ANY, {U, U, U, U}, {0}},
    {0x5, ANY, ANY, {U, U, U, U}, {0}},
    {0x6, ANY, ANY, {MK, EX, MK, EX}, {0}},
    {0x7, 0, 0, {LT, MK, MK, MK}, {0, 0, 1u << 4, 0}}, /* OSPKE unchecked */
    {0x7, 1, 1, {MK, EX, EX, EX}, {0}},
    {0xB, 0, 2, {U, U, U, U}, {0}},
    {0xD, 0, 1, {MK, XS, MK, MK}, {0}},
    {0xD, 2, 2, {EX, EX, EX, EX}, {0}},
    {0xD, 5, 7, {EX, EX, MK, EX}, {0}},
    {0xD, 9, 9, {EX, EX, EX, EX}, {0}},
    {0xD, 0xB, 0xC, {EX, EX, EX, EX}, {0}},
    {0xF, 0, 0, {EX, U, EX, U}, {0}},
    {0xF, 1, 1, {U, U, U, U}, {0}},
    {0x10, 0, 0, {EX, U, EX, EX}, {0}},
    {0x10, 1, 1, {U, U, U, U}, {0}},
    {E8(0x00), ANY, ANY, {LT, U, U, U}, {0}},
    {E8(0x01), ANY, ANY, {MK, MK, MK, MK}, {0}},
    {E8(0x02), ANY, ANY, {U, U, U, U}, {0}},
    {E8(0x03), ANY, ANY, {U, U, U, U}, {0}},
    {E8(0x04), ANY, ANY, {U, U, U, U}, {0}},
    {E8(0x05), ANY, ANY, {U, U, U, U}, {0}},
    {E8(0x06), ANY, ANY, {U, U, U, U}, {0}},
    {E8(0x07), ANY, ANY, {EX, MK, U, MK}, {0}},
    /* 8000_0008: physical/linear/guest address sizes (EAX 23:0) exact, EBX mask. */
    {E8(0x08), ANY, ANY, {EX, MK, U, U}, {0xFF000000u, 0, 0, 0}},
    {E8(0x0A), ANY, ANY, {U, U, EX, MK}, {0}},
    {E8(0x19), ANY, ANY, {U, U, EX, EX}, {0}},
    {E8(0x1A), ANY, ANY, {U, EX, EX, EX}, {0}},
    {E8(0x1B), ANY, ANY, {MK, EX, EX, EX}, {0}},
    {E8(0x1D), 0, 3, {U, U, U, U}, {0}},
    {E8(0x1D), 4, 4, {U, EX, U, EX}, {0}},
    {E8(0x1E), ANY, ANY, {U, U, U, U}, {0}},
    /* 8000_001F: EAX mask; EBX exact except 11:6 unchecked and the VMPL count (15:12) <=
     * platform (handled in sanitize_one); ECX/EDX unchecked. */
    {E8(0x1F), ANY, ANY, {MK, EX, U, U}, {0, 0x0000FFC0u, 0, 0}},
    {E8(0x20), 0, 0, {EX, U, EX, EX}, {0}},
    {E8(0x20), 1, 2, {U, EX, EX, U}, {0}},
    {E8(0x20), 3, 3, {EX, U, MK, EX}, {0}},
    {E8(0x21), ANY, ANY, {MK, U, EX, EX}, {0}},
    {E8(0x22), ANY, ANY, {MK, MK, MK, MK}, {0}}, /* "custom": treated as mask */
    {E8(0x23), ANY, ANY, {MK, U, EX, EX}, {0}},
    {E8(0x24), 0, 0, {LT, MK, MK, EX}, {0}},
    {E8(0x24), 1, 1, {MK, EX, EX, EX}, {0}},
    {E8(0x26), 0, 3, {U, U, U, U}, {0}},
};

/* §9.2 0xD.0/0xD.1: "EBX must equal the XSAVE size computed from xcr0_in/xss_in". */
static uint32_t
xsave_size(uint64_t xcr0, uint64_t xss, bool with_xss)
{
    uint64_t f = xcr0 | (with_xss ? xss : 0);
    uint32_t n = 0x240;

    n += (f & (1u << 2)) ? 0x100 : 0; /* AVX */
    n += (f & (1u << 5)) ? 0x40 : 0;  /* opmask K */
    n += (f & (1u << 6)) ? 0x200 : 0; /* ZMM_Hi256 */
    n += (f & (1u << 7)) ? 0x400 : 0; /* Hi16_ZMM */
    n += (f & (1u << 9)) ? 8 : 0;     /* PKRU */
    n += (f & (1u << 11)) ? 0x10 : 0; /* CET_U */
    n += (f & (1u << 12)) ? 0x18 : 0; /* CET_S */
    return n;
}

static const struct leaf_rule *
find_rule(uint32_t leaf, uint32_t sub)
{
    for (size_t i = 0; i < SNP_ARRAY_LEN(rules); i++) {
        const struct leaf_rule *r = &rules[i];
        if (r->leaf == leaf && (r->sub_lo == ANY || (sub >= r->sub_lo && sub <= r->sub_hi))) {
            return r;
        }
    }
    return NULL;
}

/* One entry; true when nothing changed. */
static bool
sanitize_one(const struct snp_psp *p, struct psp_cpuid_ent *e)
{
    const struct leaf_rule *r;
    uint32_t plat[4], want[4];
    bool ok = true;

    /* "others, e.g. hypervisor leaves 0x4000_xxxx, are not checked". */
    if (!(e->eax_in <= 0xFFFFu || (e->eax_in >= 0x80000000u && e->eax_in <= 0x8000FFFFu))) {
        return true;
    }
    r = find_rule(e->eax_in, e->ecx_in);
    snp_host_cpuid(p->m, e->eax_in, e->ecx_in, plat);
    for (unsigned i = 0; i < 4; i++) {
        uint32_t v = e->regs[i], keep = r != NULL ? r->ignore[i] : 0;
        uint32_t pv = plat[i] & ~keep, vv = v & ~keep;
        switch (r != NULL ? r->r[i] : EX) {
        case U:
            want[i] = v;
            continue;
        case EX:
            vv = r == NULL ? 0 : pv; /* "absent from the table must have all outputs 0" */
            keep = r == NULL ? 0 : keep;
            break;
        case MK:
            vv &= pv;
            break;
        case LT:
            vv = vv <= pv ? vv : pv;
            break;
        case XS:
            vv = xsave_size(e->xcr0_in, e->xss_in, e->ecx_in == 1);
            keep = 0;
            break;
        default:
            break;
        }
        want[i] = vv | (v & keep);
    }
    if (e->eax_in == 0x8000001Fu) {
        /* VMPL count (EBX 15:12) may be lower than the platform's, not higher. */
        uint32_t vc = (e->regs[1] >> 12) & 0xFu, pc = (plat[1] >> 12) & 0xFu;
        want[1] = (want[1] & ~0xF000u) | ((vc <= pc ? vc : pc) << 12);
    }
    for (unsigned i = 0; i < 4; i++) {
        ok = ok && want[i] == e->regs[i];
        e->regs[i] = want[i];
    }
    return ok;
}

bool
psp_cpuid_sanitize(const struct snp_psp *p, struct psp_cpuid_ent *e, size_t n)
{
    bool ok = true;

    for (size_t i = 0; i < n; i++) {
        ok = sanitize_one(p, &e[i]) && ok; /* every entry is corrected, not just the first */
    }
    return ok;
}
