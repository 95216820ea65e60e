/*
 * tests/unit/abi/test_vmsa.c - VMSA codec and reset VMSA (hardware.md §4).
 *
 * Every sev-snp-measure generated VMSA page (vectors/MANIFEST.md §4) decodes and re-encodes
 * byte for byte, and snp_vmsa_reset() rebuilds each one from the case's parameters; the §4.2
 * byte list for the QEMU BSP; the layout table against §4.1, the decoder and the encoder;
 * truncation. Vectors are read in place (t_vector), never copied.
 */
#include "helpers.h"
#include "layout_map.h"

#include "snpkit/secrets.h"
#include "snpkit/vmsa.h"

#include <stdlib.h>
#include <string.h>

#define GV     "sev-snp-measure/generated-vmsa/"
#define AP_EIP 0x0080B004u /* the SEV-ES reset address of the AmdSev OVMF used by the vectors */

struct vcase {
    const char *dir;
    unsigned nvcpus;
    enum snp_vmm_type vmm;
    uint32_t sig;
    uint64_t features;
};

/* MANIFEST §4 and hardware.md §7.6: case parameters from the directory names. */
static const struct vcase vcases[] = {
    {"seves-qemu-epycv4-2vcpu", 2, SNP_VMM_QEMU, 0x00800F12, 0x0},
    {"snp-ec2-epycv4-1vcpu-gf0x21-kernel", 1, SNP_VMM_EC2, 0x00800F12, 0x21},
    {"snp-gce-4vcpu-gf0x1-kernel", 4, SNP_VMM_GCE, 0, 0x1},
    {"snp-qemu-epycgenoa-2vcpu-gf0x1-nokernel", 2, SNP_VMM_QEMU, 0x00A10F10, 0x1},
    {"snp-qemu-epycmilan-2vcpu-gf0x1-nokernel", 2, SNP_VMM_QEMU, 0x00A00F11, 0x1},
    {"snp-qemu-epycturin-2vcpu-gf0x1-nokernel", 2, SNP_VMM_QEMU, 0x00B00F00, 0x1},
    {"snp-qemu-epycv4-1vcpu-gf0x21-kernel", 1, SNP_VMM_QEMU, 0x00800F12, 0x21},
    {"snp-qemu-epycv4-4vcpu-gf0x1-nokernel", 4, SNP_VMM_QEMU, 0x00800F12, 0x1},
};

#define SVSM_DIR   "snp-svsm-qemu-epycv4-2vcpu-gf0x21"
#define SVSM_RIP   UINT64_C(0xFFAEA000) /* read from the vector: the coconut SVSM entry */
#define SVSM_NVCPU 2

static uint8_t *
load(const char *dir, unsigned idx)
{
    char rel[256];
    size_t len = 0;
    uint8_t *buf;

    snprintf(rel, sizeof(rel), GV "%s/vmsa%u.bin", dir, idx);
    buf = t_vector(rel, &len);
    assert_int_equal(len, SNP_VMSA_SIZE);
    return buf;
}

static void
roundtrip(const uint8_t *page)
{
    struct snp_vmsa v;
    uint8_t out[SNP_VMSA_SIZE];

    T_OK(snp_vmsa_decode(&v, page, SNP_VMSA_SIZE, NULL));
    T_OK(snp_vmsa_encode(out, &v));
    t_memeq(out, page, SNP_VMSA_SIZE);
}

static void
test_vectors_roundtrip(void **state)
{
    (void)state;
    for (size_t c = 0; c < (sizeof(vcases) / sizeof(vcases[0])); c++) {
        for (unsigned i = 0; i < vcases[c].nvcpus; i++) {
            uint8_t *page = load(vcases[c].dir, i);
            roundtrip(page);
            free(page);
        }
    }
    for (unsigned i = 0; i < SVSM_NVCPU; i++) {
        uint8_t *page = load(SVSM_DIR, i);
        roundtrip(page);
        free(page);
    }
}

static void
test_vectors_decoded_values(void **state)
{
    struct snp_vmsa v;
    uint8_t *page = load("snp-qemu-epycv4-1vcpu-gf0x21-kernel", 0);

    (void)state;
    T_OK(snp_vmsa_decode(&v, page, SNP_VMSA_SIZE, NULL));
    assert_int_equal(v.cs.selector, 0xF000);
    assert_int_equal(v.cs.attrib, 0x9B);
    assert_int_equal(v.cs.limit, 0xFFFF);
    assert_int_equal(v.cs.base, 0xFFFF0000);
    assert_int_equal(v.rip, 0xFFF0);
    assert_int_equal(v.rdx, 0x00800F12);
    assert_int_equal(v.sev_features, SNP_VMSA_FEAT_SNP_ACTIVE | SNP_VMSA_FEAT_DEBUG_SWAP);
    assert_int_equal(v.g_pat, UINT64_C(0x0007040600070406));
    assert_int_equal(v.mxcsr, 0x1F80);
    assert_int_equal(v.x87_fcw, 0x37F);
    free(page);
}

static void
reset_matches(const struct snp_vmsa *v, const uint8_t *page)
{
    uint8_t out[SNP_VMSA_SIZE];

    T_OK(snp_vmsa_encode(out, v));
    t_memeq(out, page, SNP_VMSA_SIZE);
}

static void
test_reset_reproduces_vectors(void **state)
{
    struct snp_vmsa v;

    (void)state;
    for (size_t c = 0; c < (sizeof(vcases) / sizeof(vcases[0])); c++) {
        for (unsigned i = 0; i < vcases[c].nvcpus; i++) {
            uint8_t *page = load(vcases[c].dir, i);
            uint32_t eip = i == 0 ? SNP_VMSA_BSP_EIP : AP_EIP;
            T_OK(snp_vmsa_reset(&v, vcases[c].vmm, eip, vcases[c].sig, vcases[c].features));
            reset_matches(&v, page);
            free(page);
        }
    }
}

static void
test_reset_svsm_vector(void **state)
{
    struct snp_vmsa v;

    (void)state;
    for (unsigned i = 0; i < SVSM_NVCPU; i++) {
        uint8_t *page = load(SVSM_DIR, i);
        /* sev-snp-measure writes SEV_FEATURES 0x1 although the case's guest features are 0x21 */
        T_OK(snp_vmsa_reset_svsm(&v, SVSM_RIP, 0x00800F12, SNP_VMSA_FEAT_SNP_ACTIVE));
        reset_matches(&v, page);
        free(page);
    }
}

/* Build a page from hardware.md §4.2's "offset:bytes" list. */
static void
page_from_list(uint8_t page[SNP_VMSA_SIZE], const char *list)
{
    const char *p = list;

    memset(page, 0, SNP_VMSA_SIZE);
    while (*p != '\0') {
        char *end;
        unsigned long off = strtoul(p, &end, 16);
        assert_int_equal(*end, ':');
        p = end + 1;
        while (*p != '\0' && *p != ' ') {
            char hx[3] = {p[0], p[1], 0};
            assert_true(off < SNP_VMSA_SIZE);
            page[off++] = (uint8_t)strtoul(hx, NULL, 16);
            p += 2;
        }
        while (*p == ' ') {
            p++;
        }
    }
}

/* hardware.md §4.2: byte-exact non-zero content of the QEMU BSP VMSA (features 0x1,
 * signature 0x800F12), transcribed from the spec text. */
static const char qemu_bsp_list[] =
    "0x002:93 0x004:ffff 0x011:f09b 0x014:ffff 0x01a:ffff 0x022:93 0x024:ffff 0x032:93 "
    "0x034:ffff 0x042:93 0x044:ffff 0x052:93 0x054:ffff 0x064:ffff 0x072:82 0x074:ffff "
    "0x084:ffff 0x092:8b 0x094:ffff 0x0d1:10 0x148:40 0x158:10 0x161:04 0x168:f00fffff "
    "0x170:02 0x178:f0ff 0x268:060407 0x26c:060407 0x310:120f80 0x3b0:01 0x3e8:01 0x408:801f "
    "0x410:7f03";

static void
test_reset_qemu_bsp_spec_bytes(void **state)
{
    struct snp_vmsa v;
    uint8_t want[SNP_VMSA_SIZE];
    uint8_t out[SNP_VMSA_SIZE];

    (void)state;
    page_from_list(want, qemu_bsp_list);
    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0x00800F12, 0x1));
    T_OK(snp_vmsa_encode(out, &v));
    t_memeq(out, want, SNP_VMSA_SIZE);

    /* "AP with reset address 0x80B004 differs only in 0x01a:80 and 0x178:04b0" */
    want[0x01a] = 0x80;
    want[0x01b] = 0x00;
    want[0x178] = 0x04;
    want[0x179] = 0xb0;
    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, AP_EIP, 0x00800F12, 0x1));
    T_OK(snp_vmsa_encode(out, &v));
    t_memeq(out, want, SNP_VMSA_SIZE);
}

static void
test_reset_ec2_ap_and_bad_vmm(void **state)
{
    struct snp_vmsa v;

    (void)state;
    /* §4.2: EC2 uses CS attr 0x9A only for the BSP */
    T_OK(snp_vmsa_reset(&v, SNP_VMM_EC2, AP_EIP, 0x1234, 0x1));
    assert_int_equal(v.cs.attrib, 0x9B);
    assert_int_equal(v.ss.attrib, 0x92);
    assert_int_equal(v.tr.attrib, 0x83);
    assert_int_equal(v.rdx, SNP_VMSA_EC2_GCE_RDX);
    assert_int_equal(v.mxcsr, 0);
    T_OK(snp_vmsa_reset(&v, SNP_VMM_EC2, SNP_VMSA_BSP_EIP, 0x1234, 0x1));
    assert_int_equal(v.cs.attrib, 0x9A);
    T_ERR(snp_vmsa_reset(&v, (enum snp_vmm_type)7, SNP_VMSA_BSP_EIP, 0, 1), SNP_E_ARG);
    T_ERR(snp_vmsa_reset(NULL, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0, 1), SNP_E_ARG);
    T_ERR(snp_vmsa_reset_svsm(NULL, 0, 0, 1), SNP_E_ARG);
}

static void
test_truncation(void **state)
{
    uint8_t *buf = calloc(1, SNP_VMSA_SIZE + 1);
    struct snp_vmsa v;
    size_t off = 0;

    (void)state;
    assert_non_null(buf);
    t_fill(buf, SNP_VMSA_SIZE + 1, 11);
    for (size_t n = 0; n < SNP_VMSA_SIZE; n++) {
        T_ERR(snp_vmsa_decode(&v, buf, n, &off), SNP_E_TRUNCATED);
        assert_true(off <= n);
    }
    T_ERR(snp_vmsa_decode(&v, buf, SNP_VMSA_SIZE + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, SNP_VMSA_SIZE);
    T_OK(snp_vmsa_decode(&v, buf, SNP_VMSA_SIZE, NULL));
    T_ERR(snp_vmsa_decode(NULL, buf, SNP_VMSA_SIZE, NULL), SNP_E_ARG);
    free(buf);
}

/* ---- layout ---- */

static const struct t_map vmsa_map[] = {
    T_MAP("ES.SELECTOR", struct snp_vmsa, es.selector),
    T_MAP("ES.ATTRIB", struct snp_vmsa, es.attrib),
    T_MAP("ES.LIMIT", struct snp_vmsa, es.limit),
    T_MAP("ES.BASE", struct snp_vmsa, es.base),
    T_MAP("CS.SELECTOR", struct snp_vmsa, cs.selector),
    T_MAP("CS.ATTRIB", struct snp_vmsa, cs.attrib),
    T_MAP("CS.LIMIT", struct snp_vmsa, cs.limit),
    T_MAP("CS.BASE", struct snp_vmsa, cs.base),
    T_MAP("SS.SELECTOR", struct snp_vmsa, ss.selector),
    T_MAP("SS.ATTRIB", struct snp_vmsa, ss.attrib),
    T_MAP("SS.LIMIT", struct snp_vmsa, ss.limit),
    T_MAP("SS.BASE", struct snp_vmsa, ss.base),
    T_MAP("DS.SELECTOR", struct snp_vmsa, ds.selector),
    T_MAP("DS.ATTRIB", struct snp_vmsa, ds.attrib),
    T_MAP("DS.LIMIT", struct snp_vmsa, ds.limit),
    T_MAP("DS.BASE", struct snp_vmsa, ds.base),
    T_MAP("FS.SELECTOR", struct snp_vmsa, fs.selector),
    T_MAP("FS.ATTRIB", struct snp_vmsa, fs.attrib),
    T_MAP("FS.LIMIT", struct snp_vmsa, fs.limit),
    T_MAP("FS.BASE", struct snp_vmsa, fs.base),
    T_MAP("GS.SELECTOR", struct snp_vmsa, gs.selector),
    T_MAP("GS.ATTRIB", struct snp_vmsa, gs.attrib),
    T_MAP("GS.LIMIT", struct snp_vmsa, gs.limit),
    T_MAP("GS.BASE", struct snp_vmsa, gs.base),
    T_MAP("GDTR.SELECTOR", struct snp_vmsa, gdtr.selector),
    T_MAP("GDTR.ATTRIB", struct snp_vmsa, gdtr.attrib),
    T_MAP("GDTR.LIMIT", struct snp_vmsa, gdtr.limit),
    T_MAP("GDTR.BASE", struct snp_vmsa, gdtr.base),
    T_MAP("LDTR.SELECTOR", struct snp_vmsa, ldtr.selector),
    T_MAP("LDTR.ATTRIB", struct snp_vmsa, ldtr.attrib),
    T_MAP("LDTR.LIMIT", struct snp_vmsa, ldtr.limit),
    T_MAP("LDTR.BASE", struct snp_vmsa, ldtr.base),
    T_MAP("IDTR.SELECTOR", struct snp_vmsa, idtr.selector),
    T_MAP("IDTR.ATTRIB", struct snp_vmsa, idtr.attrib),
    T_MAP("IDTR.LIMIT", struct snp_vmsa, idtr.limit),
    T_MAP("IDTR.BASE", struct snp_vmsa, idtr.base),
    T_MAP("TR.SELECTOR", struct snp_vmsa, tr.selector),
    T_MAP("TR.ATTRIB", struct snp_vmsa, tr.attrib),
    T_MAP("TR.LIMIT", struct snp_vmsa, tr.limit),
    T_MAP("TR.BASE", struct snp_vmsa, tr.base),
    T_MAP("PL0_SSP", struct snp_vmsa, pl0_ssp),
    T_MAP("PL1_SSP", struct snp_vmsa, pl1_ssp),
    T_MAP("PL2_SSP", struct snp_vmsa, pl2_ssp),
    T_MAP("PL3_SSP", struct snp_vmsa, pl3_ssp),
    T_MAP("U_CET", struct snp_vmsa, u_cet),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x0c8),
    T_MAP("VMPL", struct snp_vmsa, vmpl),
    T_MAP("CPL", struct snp_vmsa, cpl),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x0cc),
    T_MAP("EFER", struct snp_vmsa, efer),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x0d8),
    T_MAP("XSS", struct snp_vmsa, xss),
    T_MAP("CR4", struct snp_vmsa, cr4),
    T_MAP("CR3", struct snp_vmsa, cr3),
    T_MAP("CR0", struct snp_vmsa, cr0),
    T_MAP("DR7", struct snp_vmsa, dr7),
    T_MAP("DR6", struct snp_vmsa, dr6),
    T_MAP("RFLAGS", struct snp_vmsa, rflags),
    T_MAP("RIP", struct snp_vmsa, rip),
    T_MAP("DR0", struct snp_vmsa, dr0),
    T_MAP("DR1", struct snp_vmsa, dr1),
    T_MAP("DR2", struct snp_vmsa, dr2),
    T_MAP("DR3", struct snp_vmsa, dr3),
    T_MAP("DR0_ADDR_MASK", struct snp_vmsa, dr0_addr_mask),
    T_MAP("DR1_ADDR_MASK", struct snp_vmsa, dr1_addr_mask),
    T_MAP("DR2_ADDR_MASK", struct snp_vmsa, dr2_addr_mask),
    T_MAP("DR3_ADDR_MASK", struct snp_vmsa, dr3_addr_mask),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x1c0),
    T_MAP("RSP", struct snp_vmsa, rsp),
    T_MAP("S_CET", struct snp_vmsa, s_cet),
    T_MAP("SSP", struct snp_vmsa, ssp),
    T_MAP("ISST_ADDR", struct snp_vmsa, isst_addr),
    T_MAP("RAX", struct snp_vmsa, rax),
    T_MAP("STAR", struct snp_vmsa, star),
    T_MAP("LSTAR", struct snp_vmsa, lstar),
    T_MAP("CSTAR", struct snp_vmsa, cstar),
    T_MAP("SFMASK", struct snp_vmsa, sfmask),
    T_MAP("KERNEL_GS_BASE", struct snp_vmsa, kernel_gs_base),
    T_MAP("SYSENTER_CS", struct snp_vmsa, sysenter_cs),
    T_MAP("SYSENTER_ESP", struct snp_vmsa, sysenter_esp),
    T_MAP("SYSENTER_EIP", struct snp_vmsa, sysenter_eip),
    T_MAP("CR2", struct snp_vmsa, cr2),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x248),
    T_MAP("G_PAT", struct snp_vmsa, g_pat),
    T_MAP("DBGCTL", struct snp_vmsa, dbgctl),
    T_MAP("BR_FROM", struct snp_vmsa, br_from),
    T_MAP("BR_TO", struct snp_vmsa, br_to),
    T_MAP("LAST_EXCP_FROM", struct snp_vmsa, last_excp_from),
    T_MAP("LAST_EXCP_TO", struct snp_vmsa, last_excp_to),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x298),
    T_MAP("SPEC_CTRL", struct snp_vmsa, spec_ctrl),
    T_MAP("PKRU", struct snp_vmsa, pkru),
    T_MAP("TSC_AUX", struct snp_vmsa, tsc_aux),
    T_MAP("GUEST_TSC_SCALE", struct snp_vmsa, guest_tsc_scale),
    T_MAP("GUEST_TSC_OFFSET", struct snp_vmsa, guest_tsc_offset),
    T_MAP("REG_PROT_NONCE", struct snp_vmsa, reg_prot_nonce),
    T_MAP("RCX", struct snp_vmsa, rcx),
    T_MAP("RDX", struct snp_vmsa, rdx),
    T_MAP("RBX", struct snp_vmsa, rbx),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x320),
    T_MAP("RBP", struct snp_vmsa, rbp),
    T_MAP("RSI", struct snp_vmsa, rsi),
    T_MAP("RDI", struct snp_vmsa, rdi),
    T_MAP("R8", struct snp_vmsa, r8),
    T_MAP("R9", struct snp_vmsa, r9),
    T_MAP("R10", struct snp_vmsa, r10),
    T_MAP("R11", struct snp_vmsa, r11),
    T_MAP("R12", struct snp_vmsa, r12),
    T_MAP("R13", struct snp_vmsa, r13),
    T_MAP("R14", struct snp_vmsa, r14),
    T_MAP("R15", struct snp_vmsa, r15),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x380),
    T_MAP("GUEST_EXITINFO1", struct snp_vmsa, guest_exitinfo1),
    T_MAP("GUEST_EXITINFO2", struct snp_vmsa, guest_exitinfo2),
    T_MAP("GUEST_EXITINTINFO", struct snp_vmsa, guest_exitintinfo),
    T_MAP("GUEST_NRIP", struct snp_vmsa, guest_nrip),
    T_MAP("SEV_FEATURES", struct snp_vmsa, sev_features),
    T_MAP("VINTR_CTRL", struct snp_vmsa, vintr_ctrl),
    T_MAP("GUEST_EXIT_CODE", struct snp_vmsa, guest_exit_code),
    T_MAP("VIRTUAL_TOM", struct snp_vmsa, virtual_tom),
    T_MAP("TLB_ID", struct snp_vmsa, tlb_id),
    T_MAP("PCPU_ID", struct snp_vmsa, pcpu_id),
    T_MAP("EVENT_INJ", struct snp_vmsa, event_inj),
    T_MAP("XCR0", struct snp_vmsa, xcr0),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x3f0),
    T_MAP("X87_DP", struct snp_vmsa, x87_dp),
    T_MAP("MXCSR", struct snp_vmsa, mxcsr),
    T_MAP("X87_FTW", struct snp_vmsa, x87_ftw),
    T_MAP("X87_FSW", struct snp_vmsa, x87_fsw),
    T_MAP("X87_FCW", struct snp_vmsa, x87_fcw),
    T_MAP("X87_FOP", struct snp_vmsa, x87_fop),
    T_MAP("X87_DS", struct snp_vmsa, x87_ds),
    T_MAP("X87_CS", struct snp_vmsa, x87_cs),
    T_MAP("X87_RIP", struct snp_vmsa, x87_rip),
    T_MAP("FPREG_X87", struct snp_vmsa, fpreg_x87),
    T_MAP("FPREG_XMM", struct snp_vmsa, fpreg_xmm),
    T_MAP("FPREG_YMM", struct snp_vmsa, fpreg_ymm),
    T_MAP("LBR_STACK", struct snp_vmsa, lbr_stack),
    T_MAP("LBR_SELECT", struct snp_vmsa, lbr_select),
    T_MAP("IBS_FETCH_CTL", struct snp_vmsa, ibs_fetch_ctl),
    T_MAP("IBS_FETCH_LINADDR", struct snp_vmsa, ibs_fetch_linaddr),
    T_MAP("IBS_OP_CTL", struct snp_vmsa, ibs_op_ctl),
    T_MAP("IBS_OP_RIP", struct snp_vmsa, ibs_op_rip),
    T_MAP("IBS_OP_DATA", struct snp_vmsa, ibs_op_data),
    T_MAP("IBS_OP_DATA2", struct snp_vmsa, ibs_op_data2),
    T_MAP("IBS_OP_DATA3", struct snp_vmsa, ibs_op_data3),
    T_MAP("IBS_DC_LINADDR", struct snp_vmsa, ibs_dc_linaddr),
    T_MAP("BP_IBSTGT_RIP", struct snp_vmsa, bp_ibstgt_rip),
    T_MAP("IC_IBS_EXTD_CTL", struct snp_vmsa, ic_ibs_extd_ctl),
    T_MAP("reserved", struct snp_vmsa, rsvd_0x7c8),
    T_MAP("AVX512_K", struct snp_vmsa, avx512_k),
    T_MAP("ZMM_HI256", struct snp_vmsa, zmm_hi256),
    T_MAP("HI16_ZMM", struct snp_vmsa, hi16_zmm),
    T_MAP("reserved", struct snp_vmsa, rsvd_0xfc0),
    T_MAP_END,
};

/* hardware.md §4.1, transcribed again: name, offset, size. */
static const struct {
    const char *name;
    size_t off;
    size_t size;
} spec_rows[] = {
    {"ES.SELECTOR", 0x000, 2},
    {"CS.SELECTOR", 0x010, 2},
    {"SS.ATTRIB", 0x022, 2},
    {"GDTR.LIMIT", 0x064, 4},
    {"TR.BASE", 0x098, 8},
    {"PL0_SSP", 0x0A0, 8},
    {"U_CET", 0x0C0, 8},
    {"VMPL", 0x0CA, 1},
    {"CPL", 0x0CB, 1},
    {"EFER", 0x0D0, 8},
    {"XSS", 0x140, 8},
    {"CR4", 0x148, 8},
    {"CR3", 0x150, 8},
    {"CR0", 0x158, 8},
    {"DR7", 0x160, 8},
    {"DR6", 0x168, 8},
    {"RFLAGS", 0x170, 8},
    {"RIP", 0x178, 8},
    {"DR3_ADDR_MASK", 0x1B8, 8},
    {"RSP", 0x1D8, 8},
    {"S_CET", 0x1E0, 8},
    {"SSP", 0x1E8, 8},
    {"ISST_ADDR", 0x1F0, 8},
    {"RAX", 0x1F8, 8},
    {"STAR", 0x200, 8},
    {"CR2", 0x240, 8},
    {"G_PAT", 0x268, 8},
    {"DBGCTL", 0x270, 8},
    {"LAST_EXCP_TO", 0x290, 8},
    {"SPEC_CTRL", 0x2E0, 8},
    {"PKRU", 0x2E8, 4},
    {"TSC_AUX", 0x2EC, 4},
    {"GUEST_TSC_SCALE", 0x2F0, 8},
    {"GUEST_TSC_OFFSET", 0x2F8, 8},
    {"REG_PROT_NONCE", 0x300, 8},
    {"RCX", 0x308, 8},
    {"RDX", 0x310, 8},
    {"RBX", 0x318, 8},
    {"RBP", 0x328, 8},
    {"RSI", 0x330, 8},
    {"RDI", 0x338, 8},
    {"R8", 0x340, 8},
    {"R15", 0x378, 8},
    {"GUEST_EXITINFO1", 0x390, 8},
    {"GUEST_EXITINFO2", 0x398, 8},
    {"GUEST_EXITINTINFO", 0x3A0, 8},
    {"GUEST_NRIP", 0x3A8, 8},
    {"SEV_FEATURES", 0x3B0, 8},
    {"VINTR_CTRL", 0x3B8, 8},
    {"GUEST_EXIT_CODE", 0x3C0, 8},
    {"VIRTUAL_TOM", 0x3C8, 8},
    {"TLB_ID", 0x3D0, 8},
    {"PCPU_ID", 0x3D8, 8},
    {"EVENT_INJ", 0x3E0, 8},
    {"XCR0", 0x3E8, 8},
    {"X87_DP", 0x400, 8},
    {"MXCSR", 0x408, 4},
    {"X87_FTW", 0x40C, 2},
    {"X87_FSW", 0x40E, 2},
    {"X87_FCW", 0x410, 2},
    {"X87_FOP", 0x412, 2},
    {"X87_DS", 0x414, 2},
    {"X87_CS", 0x416, 2},
    {"X87_RIP", 0x418, 8},
    {"FPREG_X87", 0x420, 80},
    {"FPREG_XMM", 0x470, 256},
    {"FPREG_YMM", 0x570, 256},
    {"LBR_STACK", 0x670, 256},
    {"LBR_SELECT", 0x770, 8},
    {"IC_IBS_EXTD_CTL", 0x7C0, 8},
    {"AVX512_K", 0x980, 64},
    {"ZMM_HI256", 0x9C0, 512},
    {"HI16_ZMM", 0xBC0, 1024},
};

static void
test_layout_table(void **state)
{
    const struct snp_field *t = snp_vmsa_layout();

    (void)state;
    T_OK(snp_layout_check(t, SNP_VMSA_SIZE));
    for (size_t i = 0; i < (sizeof(spec_rows) / sizeof(spec_rows[0])); i++) {
        const struct snp_field *f = snp_layout_find(t, spec_rows[i].name);
        assert_non_null(f);
        assert_int_equal(f->off, spec_rows[i].off);
        assert_int_equal(f->size, spec_rows[i].size);
    }
    for (const struct snp_field *f = t; f->name != NULL; f++) {
        if (strcmp(f->name, "reserved") == 0) {
            assert_int_equal(f->kind, SNP_F_KEEP); /* the VMSA is observed: nothing MBZ */
        }
    }
    assert_int_equal(snp_layout_find(t, "RIP")->off, SNP_VMSA_OFF_RIP);
    assert_int_equal(snp_layout_find(t, "RDX")->off, SNP_VMSA_OFF_RDX);
    assert_int_equal(snp_layout_find(t, "SEV_FEATURES")->off, SNP_VMSA_OFF_SEV_FEATURES);
    assert_int_equal(snp_layout_find(t, "GUEST_TSC_SCALE")->off, SNP_VMSA_OFF_GUEST_TSC_SCALE);
    assert_int_equal(snp_layout_find(t, "GUEST_TSC_OFFSET")->off, SNP_VMSA_OFF_GUEST_TSC_OFFSET);
    assert_int_equal(snp_layout_find(t, "REG_PROT_NONCE")->off, SNP_VMSA_OFF_REG_PROT_NONCE);
}

static void
test_placement_decode(void **state)
{
    uint8_t *buf = malloc(SNP_VMSA_SIZE);
    uint8_t out[SNP_VMSA_SIZE];
    struct snp_vmsa v;

    (void)state;
    assert_non_null(buf);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        t_fill(buf, SNP_VMSA_SIZE, seed);
        T_OK(snp_vmsa_decode(&v, buf, SNP_VMSA_SIZE, NULL));
        t_check_placement(snp_vmsa_layout(), vmsa_map, &v, buf);
        T_OK(snp_vmsa_encode(out, &v));
        t_memeq(out, buf, SNP_VMSA_SIZE);
    }
    free(buf);
}

static snp_err
enc_vmsa(uint8_t *out, const void *s)
{
    return snp_vmsa_encode(out, s);
}

static void
test_placement_encode(void **state)
{
    struct snp_vmsa v;

    (void)state;
    T_OK(snp_vmsa_reset(&v, SNP_VMM_QEMU, SNP_VMSA_BSP_EIP, 0x00A10F10, 0x1));
    t_check_encode_placement(snp_vmsa_layout(), vmsa_map, &v, sizeof(v), SNP_VMSA_SIZE, enc_vmsa);
}

/* §6.12's default tweak bitmap covers only named register rows of §4.1, never reserved ones;
 * a cross-check between two spec tables. */
static void
test_tweak_bitmap_covers_registers(void **state)
{
    const struct snp_field *t = snp_vmsa_layout();
    size_t covered = 0;

    (void)state;
    for (size_t q = 0; q < SNP_VMSA_SIZE / 8; q++) {
        if ((snp_secrets_default_tweak_bitmap[q / 8] >> (q % 8) & 1) == 0) {
            continue;
        }
        const struct snp_field *f = t;
        while (f->name != NULL && !(q * 8 >= f->off && q * 8 < f->off + f->size)) {
            f++;
        }
        assert_non_null(f->name);
        assert_string_not_equal(f->name, "reserved");
        covered++;
    }
    /* RIP, RSP, RAX (3) + 14 GPRs + x87/XMM/YMM (0x250/8 = 74) + AVX-512 (0x640/8 = 200) */
    assert_int_equal(covered, 3 + 14 + 74 + 200);
    assert_int_equal(snp_vmsa_features_to_sev_status(SNP_VMSA_FEAT_SNP_ACTIVE), 4);
    /* §4.3: bits 0..12, 14..16 and 21 are named; 13 is reserved */
    assert_int_equal(SNP_VMSA_FEAT_KNOWN, UINT64_C(0x21DFFF));
    assert_int_equal(SNP_VMSA_FEAT_VMSA_REG_PROT, UINT64_C(1) << 14);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_roundtrip),
        cmocka_unit_test(test_vectors_decoded_values),
        cmocka_unit_test(test_reset_reproduces_vectors),
        cmocka_unit_test(test_reset_svsm_vector),
        cmocka_unit_test(test_reset_qemu_bsp_spec_bytes),
        cmocka_unit_test(test_reset_ec2_ap_and_bad_vmm),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_layout_table),
        cmocka_unit_test(test_placement_decode),
        cmocka_unit_test(test_placement_encode),
        cmocka_unit_test(test_tweak_bitmap_covers_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
