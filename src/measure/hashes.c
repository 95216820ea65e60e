/*
 * measure/hashes.c - the SEV hashes table of measured direct boot (hardware.md §7.4) and the
 * vCPU signatures QEMU puts in RDX of the initial VMSA (§7.6).
 *
 * Table layout (packed, 0xA8 bytes, zero-padded to 176): table GUID, u16 length 0xA8, then three
 * entries {GUID, u16 length 50, SHA-256} for cmdline, initrd and kernel, in that order.
 */
#include "snpkit/measure.h"

#include "crypto/crypto.h"

#include <string.h>

static const uint8_t guid_table[16] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
                                       0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21};
static const uint8_t guid_cmdline[16] = {0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
                                         0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a};
static const uint8_t guid_initrd[16] = {0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
                                        0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d};
static const uint8_t guid_kernel[16] = {0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
                                        0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b};

#define ENTRY_SIZE 50 /* GUID + u16 length + SHA-256 */

_Static_assert(16 + 2 + 3 * ENTRY_SIZE == SNP_SEV_HASHES_TABLE_SIZE, "SevHashTable is 0xA8");
_Static_assert(SNP_SEV_HASHES_PADDED % 16 == 0 && SNP_SEV_HASHES_PADDED >= 0xA8, "padding");

snp_err
snp_sev_hashes_compute(struct snp_sev_hashes *h, const uint8_t *kernel, size_t klen,
                       const uint8_t *initrd, size_t ilen, const char *cmdline)
{
    static const uint8_t empty[1];

    if (h == NULL || (kernel == NULL && klen != 0) || (initrd == NULL && ilen != 0)) {
        return SNP_E_ARG;
    }
    memset(h, 0, sizeof(*h));
    /* §7.4: the kernel hash is SHA-256 of the unmodified bzImage file. */
    SNP_TRY(snp_sha256(h->kernel, kernel != NULL ? kernel : empty, klen));
    /* §7.4: no initrd hashes like an empty one. */
    SNP_TRY(snp_sha256(h->initrd, initrd != NULL ? initrd : empty, ilen));
    /* §7.4: SHA-256(cmdline + terminating NUL); no cmdline -> SHA-256("\0"). */
    if (cmdline == NULL) {
        cmdline = "";
    }
    return snp_sha256(h->cmdline, cmdline, strlen(cmdline) + 1);
}

static uint8_t *
put_entry(uint8_t *p, const uint8_t guid[16], const uint8_t sha[32])
{
    memcpy(p, guid, 16);
    p[16] = ENTRY_SIZE;
    p[17] = 0;
    memcpy(p + 18, sha, 32);
    return p + ENTRY_SIZE;
}

void
snp_sev_hashes_encode(uint8_t out[SNP_SEV_HASHES_PADDED], const struct snp_sev_hashes *h)
{
    uint8_t *p = out;

    memset(out, 0, SNP_SEV_HASHES_PADDED);
    memcpy(p, guid_table, 16);
    p[16] = SNP_SEV_HASHES_TABLE_SIZE;
    p[17] = 0;
    p += 18;
    p = put_entry(p, guid_cmdline, h->cmdline);
    p = put_entry(p, guid_initrd, h->initrd);
    (void)put_entry(p, guid_kernel, h->kernel);
}

/* ---- vCPU signatures (§7.6) ----------------------------------------------------------------- */

uint32_t
snp_vcpu_sig(unsigned family, unsigned model, unsigned stepping)
{
    unsigned base_family = family > 0xF ? 0xF : family;
    unsigned ext_family = family > 0xF ? family - 0xF : 0;

    return (uint32_t)((ext_family & 0xFF) << 20 | ((model >> 4) & 0xF) << 16 |
                      (base_family & 0xF) << 8 | (model & 0xF) << 4 | (stepping & 0xF));
}

/*
 * QEMU's EPYC models (§7.6 table). Versioned names keep their model's family/model/stepping
 * (QEMU versions change CPUID feature bits, never the signature); the versions beyond the
 * spec's table (Rome-v4/v5, Milan-v3, Genoa-v2, Turin-v1) follow that rule.
 */
static const struct vcpu_type {
    const char *name;
    unsigned char family, model, stepping;
} vcpu_types[] = {
    {"EPYC", 23, 1, 2},           {"EPYC-v1", 23, 1, 2},       {"EPYC-v2", 23, 1, 2},
    {"EPYC-v3", 23, 1, 2},        {"EPYC-v4", 23, 1, 2},       {"EPYC-IBPB", 23, 1, 2},
    {"EPYC-Rome", 23, 49, 0},     {"EPYC-Rome-v1", 23, 49, 0}, {"EPYC-Rome-v2", 23, 49, 0},
    {"EPYC-Rome-v3", 23, 49, 0},  {"EPYC-Rome-v4", 23, 49, 0}, {"EPYC-Rome-v5", 23, 49, 0},
    {"EPYC-Milan", 25, 1, 1},     {"EPYC-Milan-v1", 25, 1, 1}, {"EPYC-Milan-v2", 25, 1, 1},
    {"EPYC-Milan-v3", 25, 1, 1},  {"EPYC-Genoa", 25, 17, 0},   {"EPYC-Genoa-v1", 25, 17, 0},
    {"EPYC-Genoa-v2", 25, 17, 0}, {"EPYC-Turin", 26, 0, 0},    {"EPYC-Turin-v1", 26, 0, 0},
};

snp_err
snp_vcpu_sig_lookup(const char *name, uint32_t *sig)
{
    if (name == NULL || sig == NULL) {
        return SNP_E_ARG;
    }
    for (size_t i = 0; i < sizeof(vcpu_types) / sizeof(vcpu_types[0]); i++) {
        if (strcmp(vcpu_types[i].name, name) == 0) {
            *sig = snp_vcpu_sig(vcpu_types[i].family, vcpu_types[i].model, vcpu_types[i].stepping);
            return SNP_OK;
        }
    }
    return SNP_E_NOTFOUND;
}

const char *
snp_vcpu_type_name(size_t i)
{
    return i < sizeof(vcpu_types) / sizeof(vcpu_types[0]) ? vcpu_types[i].name : NULL;
}
