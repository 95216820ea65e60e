/*
 * host/fwimage.c - the small firmware image snpkit launches, and the default kernel/initrd.
 *
 * The image is not x86 code (guest code is C run as the vCPU coroutine, docs/sim.md) but its
 * metadata is real: an OVMF GUIDed footer table (hardware.md §7.2) with the SEV-ES reset block,
 * the SEV hashes table block and the SEV metadata offset, and an "ASEV" metadata header
 * (§7.3) listing the sections of the snpkit CVM layout (snpkit/vmm.h). So snp_ovmf_parse(),
 * `snpkit measure` and sev-snp-measure compute the MEASUREMENT the simulated PSP reports.
 * The last page starts with the boot block the guest reads (docs/vmm.md); it is measured.
 */
#include "base/rd.h"
#include "host/vmm_int.h"

#include "snpkit/vmsa.h"

#include <string.h>

/* GUIDs in their on-disk (EFI little-endian) byte order, §7.2. */
static const uint8_t g_footer[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                     0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
static const uint8_t g_reset[16] = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                    0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
static const uint8_t g_meta[16] = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                   0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
static const uint8_t g_hashes[16] = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                     0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};

#define FW_RESET_EIP UINT32_C(0xFFFFF100) /* AP start: CS base 0xFFFF0000, IP 0xF100 */
#define FW_META_OFF  0xC00u               /* metadata header at image end - 0xC00 */

/* One footer entry ending at @end, walking down: data | u16 length | GUID. New end. */
static size_t
entry(uint8_t *img, size_t end, const uint8_t guid[16], const uint8_t *data, size_t dlen)
{
    size_t elen = dlen + 18;

    memcpy(img + end - 16, guid, 16);
    img[end - 18] = (uint8_t)elen;
    img[end - 17] = (uint8_t)(elen >> 8);
    memcpy(img + end - elen, data, dlen);
    return end - elen;
}

/* The boot block (docs/vmm.md): the GPAs of the boot contract, measured with the image. */
static void
boot_block(uint8_t *b)
{
    memcpy(b, "SNPKBOOT", 8);
    snp_put_le32(b + 0x08, 1);
    snp_put_le32(b + 0x0C, SNP_VMM_MEM_PAGES);
    snp_put_le64(b + 0x10, SNP_VMM_GHCB_GPA);
    snp_put_le64(b + 0x18, SNP_VMM_REQ_GPA);
    snp_put_le64(b + 0x20, SNP_VMM_RSP_GPA);
    snp_put_le64(b + 0x28, SNP_VMM_CERTS_GPA);
    snp_put_le32(b + 0x30, SNP_VMM_CERTS_PAGES);
    snp_put_le32(b + 0x34, SNP_VMM_CHAN_PAGES);
    snp_put_le64(b + 0x38, SNP_VMM_CHAN_TX_GPA);
    snp_put_le64(b + 0x40, SNP_VMM_CHAN_RX_GPA);
    snp_put_le64(b + 0x48, SNP_VMM_CMDLINE_GPA);
    snp_put_le64(b + 0x50, SNP_VMM_SECRETS_GPA);
    snp_put_le64(b + 0x58, SNP_VMM_CPUID_GPA);
    snp_put_le64(b + 0x60, SNP_VMM_HASHES_GPA);
    snp_put_le64(b + 0x68, SNP_VMM_SECTIONS_GPA);
    snp_put_le64(b + 0x70, (SNP_VMM_SECTIONS_END - SNP_VMM_SECTIONS_GPA) / 4096);
}

void
snp_vmm_fw_build(uint8_t *img)
{
    static const uint32_t secs[][3] = {
        /* gpa, size, type (§7.3), in the AmdSev order */
        {0x10000, 0x4000, 1},    {0x14000, 0x1000, 2}, {0x15000, 0x1000, 3},
        {0x16000, 0x1000, 0x10}, {0x17000, 0x9000, 1},
    };
    const size_t len = SNP_VMM_FW_SIZE, nsec = sizeof(secs) / sizeof(secs[0]);
    size_t meta = len - FW_META_OFF, end = len - 32, p;
    uint8_t d[8];

    /* Code stand-in: a recognisable deterministic pattern. */
    for (size_t i = 0; i < len; i++) {
        img[i] = (uint8_t)(i * 13 + (i >> 12) + 0x5A);
    }
    memset(img + len - 4096, 0, 4096);
    boot_block(img + len - 4096);
    memcpy(img + meta, "ASEV", 4);
    snp_put_le32(img + meta + 4, (uint32_t)(16 + 12 * nsec));
    snp_put_le32(img + meta + 8, 1);
    snp_put_le32(img + meta + 12, (uint32_t)nsec);
    for (size_t i = 0; i < nsec; i++) {
        snp_put_le32(img + meta + 16 + 12 * i, secs[i][0]);
        snp_put_le32(img + meta + 20 + 12 * i, secs[i][1]);
        snp_put_le32(img + meta + 24 + 12 * i, secs[i][2]);
    }
    p = end - 18;
    snp_put_le32(d, (uint32_t)(len - meta));
    p = entry(img, p, g_meta, d, 4);
    snp_put_le32(d, (uint32_t)SNP_VMM_HASHES_GPA);
    snp_put_le32(d + 4, 0x400);
    p = entry(img, p, g_hashes, d, 8);
    snp_put_le32(d, FW_RESET_EIP);
    p = entry(img, p, g_reset, d, 4);
    memcpy(img + end - 16, g_footer, 16);
    img[end - 18] = (uint8_t)(end - p);
    img[end - 17] = (uint8_t)((end - p) >> 8);
}

static const uint8_t default_kernel[] = "snpkit simulated guest kernel v1: the guest runtime and "
                                        "apps of src/guest/, selected by snpkit.app=\n";
static const uint8_t default_initrd[] = "snpkit initrd v1\n";

const uint8_t *
snp_vmm_default_kernel(size_t *len)
{
    *len = sizeof(default_kernel) - 1;
    return default_kernel;
}

const uint8_t *
snp_vmm_default_initrd(size_t *len)
{
    *len = sizeof(default_initrd) - 1;
    return default_initrd;
}

void
snp_vmm_launch_default(struct snp_vmm_launch *l)
{
    memset(l, 0, sizeof(*l));
    l->vcpus = 1;
    l->vcpu_sig = 0x00A10F10; /* EPYC-Genoa (§7.6) */
    l->guest_features = SNP_VMSA_FEAT_SNP_ACTIVE;
    l->policy = UINT64_C(0x30000);
    l->asid = 1;
}

snp_err
snp_vmm_measure_params(const struct snp_vmm_launch *l, uint8_t *fw_buf,
                       struct snp_sev_hashes *hashes, struct snp_measure_params *p)
{
    const uint8_t *k = l->kernel, *i = l->initrd;
    size_t klen = l->kernel_len, ilen = l->initrd_len;

    if (k == NULL) {
        k = snp_vmm_default_kernel(&klen);
    }
    if (i == NULL) {
        i = snp_vmm_default_initrd(&ilen);
    }
    SNP_TRY(snp_sev_hashes_compute(hashes, k, klen, i, ilen,
                                   l->cmdline != NULL ? l->cmdline : SNP_VMM_DEFAULT_CMDLINE));
    memset(p, 0, sizeof(*p));
    p->mode = SNP_MEASURE_MODE_SNP;
    p->vmm = SNP_VMM_QEMU;
    if (l->fw != NULL) {
        p->ovmf = l->fw;
        p->ovmf_len = l->fw_len;
    } else {
        snp_vmm_fw_build(fw_buf);
        p->ovmf = fw_buf;
        p->ovmf_len = SNP_VMM_FW_SIZE;
    }
    p->hashes = hashes;
    p->vcpus = l->vcpus;
    p->vcpu_sig = l->vcpu_sig;
    p->guest_features = l->guest_features;
    p->threads = 1;
    return SNP_OK;
}
