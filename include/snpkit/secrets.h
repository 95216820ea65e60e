/*
 * snpkit/secrets.h - the 4096-byte SNP secrets page (hardware.md §6.12, attestation.md §8.1).
 *
 * The firmware writes it at launch (LAUNCH_UPDATE type SECRETS); the guest reads it and keeps
 * its own state in the guest-OS area. We observe it, so reserved bytes are KEEP and the round
 * trip is exact for every 4 KiB input.
 *
 * SECRETS: struct snp_secrets holds the four VMPCKs. Whoever decodes into one MUST wipe it
 * with snp_secrets_wipe() (or snp_wipe()) on every path, and must never print or trace it.
 */
#ifndef SNPKIT_SECRETS_H
#define SNPKIT_SECRETS_H

#include "snpkit/err.h"
#include "snpkit/layout.h"

#include <stddef.h>
#include <stdint.h>

#define SNP_SECRETS_SIZE           4096
#define SNP_SECRETS_VERSION_FW     3 /* what FW 1.55 writes */
#define SNP_VMPCK_COUNT            4
#define SNP_VMPCK_SIZE             32
#define SNP_SECRETS_GOSVW_SIZE     16
#define SNP_VMSA_TWEAK_BITMAP_SIZE 64
#define SNP_SECRETS_IMI_EN         UINT32_C(0x1) /* 0x004 bit 0; the rest MBZ per spec */

/* Offsets other modules need. */
#define SNP_SECRETS_OFF_VMPCK0     0x020
#define SNP_SECRETS_OFF_OS_AREA    0x0A0
#define SNP_SECRETS_OFF_TWEAK      0x100
#define SNP_SECRETS_OFF_SVSM_BASE  0x140
#define SNP_SECRETS_OFF_TSC_FACTOR 0x160

#define SNP_SECRETS_OS_AREA_VERSION 1 /* GHCB 2.01 layout of the guest-OS area */

struct snp_secrets {
    uint32_t version;                               /* 0x000 VERSION */
    uint32_t imi_en;                                /* 0x004 bit 0 IMI_EN; the word as read */
    uint32_t fms;                                   /* 0x008 FMS (CPUID 1 EAX) */
    uint8_t rsvd_0x00c[4];                          /* 0x00C */
    uint8_t gosvw[SNP_SECRETS_GOSVW_SIZE];          /* 0x010 GOSVW */
    uint8_t vmpck[SNP_VMPCK_COUNT][SNP_VMPCK_SIZE]; /* 0x020 VMPCK0..3 -- SECRET */
    /* guest-OS area 0x0A0..0x100 (GHCB spec) */
    uint32_t msg_seqno_lo[SNP_VMPCK_COUNT];                /* 0x0A0 msg_seqno_0..3, low 32 bits */
    uint64_t ap_jump_table_pa;                             /* 0x0B0 */
    uint32_t msg_seqno_hi[SNP_VMPCK_COUNT];                /* 0x0B8 high halves (GHCB 2.01+) */
    uint8_t rsvd_0x0c8[22];                                /* 0x0C8 */
    uint16_t os_area_version;                              /* 0x0DE (1 = GHCB 2.01) */
    uint8_t guest_usage[32];                               /* 0x0E0 */
    uint8_t vmsa_tweak_bitmap[SNP_VMSA_TWEAK_BITMAP_SIZE]; /* 0x100 VMSA_TWEAK_BITMAP */
    /* 0x140..0x160 reserved for the guest OS; used by the SVSM protocol (Linux names) */
    uint64_t svsm_base;         /* 0x140 */
    uint64_t svsm_size;         /* 0x148 */
    uint64_t svsm_caa;          /* 0x150 */
    uint32_t svsm_max_version;  /* 0x158 */
    uint8_t svsm_guest_vmpl;    /* 0x15C */
    uint8_t rsvd_0x15d[3];      /* 0x15D */
    uint32_t tsc_factor;        /* 0x160 TSC_FACTOR */
    uint8_t rsvd_0x164[4];      /* 0x164 */
    uint64_t launch_mit_vector; /* 0x168 LAUNCH_MIT_VECTOR (ABI 1.58) */
    uint8_t rsvd_0x170[0xE90];  /* 0x170 .. 0x1000 */
};

/*
 * snp_secrets_decode() - decode a secrets page.
 * @s:       out; always overwritten; wiped on failure. The caller MUST wipe it after use.
 * @len:     MUST equal SNP_SECRETS_SIZE.
 * @err_off: out, optional.
 * No value is checked (KEEP). Returns SNP_OK, SNP_E_TRUNCATED, SNP_E_TRAILING, SNP_E_ARG.
 */
snp_err snp_secrets_decode(struct snp_secrets *s, const uint8_t *buf, size_t len, size_t *err_off);

/* snp_secrets_encode() - the exact inverse. @out then holds secrets: wipe it after use. */
snp_err snp_secrets_encode(uint8_t out[SNP_SECRETS_SIZE], const struct snp_secrets *s);

/* snp_secrets_wipe() - wipe the whole struct (not optimised away). NULL is a no-op. */
void snp_secrets_wipe(struct snp_secrets *s);

const struct snp_field *snp_secrets_layout(void);

/*
 * The 64-bit message sequence number of VMPCK @vmpck (low | high << 32, attestation.md §8.1):
 * the last response seqno; the next request uses stored + 1. @vmpck MUST be < 4.
 */
uint64_t snp_secrets_msg_seqno(const struct snp_secrets *s, unsigned vmpck);
void snp_secrets_set_msg_seqno(struct snp_secrets *s, unsigned vmpck, uint64_t seqno);

/*
 * snp_secrets_mask_for_vmpl() - zero the VMPCKs a guest at @vmpl must not hold (VMPCK0 ..
 * VMPCK(vmpl-1)), as an SVSM does before handing a copy to a lower VMPL (hardware.md §6.12).
 * Returns SNP_E_RANGE when vmpl > 3.
 */
snp_err snp_secrets_mask_for_vmpl(struct snp_secrets *s, unsigned vmpl);

/*
 * The default VMSA tweak bitmap of FW 1.55 (hardware.md §6.12): bit i of byte j covers VMSA
 * qword 8j+i; set for RIP, RSP, RAX, RCX..R15 (not the 0x320 hole), x87/XMM/YMM, AVX-512.
 */
extern const uint8_t snp_secrets_default_tweak_bitmap[SNP_VMSA_TWEAK_BITMAP_SIZE];

#endif /* SNPKIT_SECRETS_H */
