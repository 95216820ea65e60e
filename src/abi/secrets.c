/*
 * abi/secrets.c - secrets page encode/decode and helpers.
 *
 * Layout: hardware.md §6.12 and attestation.md §8.1 (guest-OS area per the GHCB spec, SVSM
 * fields per Linux, LAUNCH_MIT_VECTOR per ABI 1.58). Everything unnamed is KEEP. The struct
 * holds VMPCKs: failures wipe it, and the caller wipes it after use (snp_secrets_wipe()).
 */
#include "snpkit/secrets.h"

#include "snpkit/util.h"

#include "base/rd.h"
#include "base/wr.h"

const uint8_t snp_secrets_default_tweak_bitmap[SNP_VMSA_TWEAK_BITMAP_SIZE] = {
    /* hardware.md §6.12, FW 1.55 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x88, /* RIP 0x178; RSP 0x1D8; RAX 0x1F8 */
    0x00, 0x00, 0x00, 0x00, 0xee, 0xff, 0x00, 0x00, /* RCX..RDI (not 0x320), R8..R15 */
    0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* FPREG_X87 0x420 .. */
    0xff, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* .. FPREG_YMM end 0x670 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, /* AVX-512 K 0x980 .. */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* ZMM_Hi256 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* Hi16_ZMM */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, /* .. 0xFC0 */
};

snp_err
snp_secrets_decode(struct snp_secrets *s, const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_rd rd;
    snp_err err;

    if (s == NULL) {
        return SNP_E_ARG;
    }
    snp_wipe(s, sizeof(*s));
    snp_rd_init(&rd, buf, len);
    s->version = snp_rd_u32le(&rd);                          /* 0x000 VERSION */
    s->imi_en = snp_rd_u32le(&rd);                           /* 0x004 IMI_EN */
    s->fms = snp_rd_u32le(&rd);                              /* 0x008 FMS */
    snp_rd_bytes(&rd, s->rsvd_0x00c, sizeof(s->rsvd_0x00c)); /* 0x00C reserved, KEEP */
    snp_rd_bytes(&rd, s->gosvw, sizeof(s->gosvw));           /* 0x010 GOSVW */
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        snp_rd_bytes(&rd, s->vmpck[i], SNP_VMPCK_SIZE); /* 0x020 + 0x20i VMPCKi */
    }
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        s->msg_seqno_lo[i] = snp_rd_u32le(&rd); /* 0x0A0 + 4i msg_seqno_i */
    }
    s->ap_jump_table_pa = snp_rd_u64le(&rd); /* 0x0B0 AP jump table PA */
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        s->msg_seqno_hi[i] = snp_rd_u32le(&rd); /* 0x0B8 + 4i high halves */
    }
    snp_rd_bytes(&rd, s->rsvd_0x0c8, sizeof(s->rsvd_0x0c8));   /* 0x0C8 reserved, KEEP */
    s->os_area_version = snp_rd_u16le(&rd);                    /* 0x0DE area version */
    snp_rd_bytes(&rd, s->guest_usage, sizeof(s->guest_usage)); /* 0x0E0 guest usage */
    snp_rd_bytes(&rd, s->vmsa_tweak_bitmap, sizeof(s->vmsa_tweak_bitmap)); /* 0x100 */
    s->svsm_base = snp_rd_u64le(&rd);                                      /* 0x140 SVSM_BASE */
    s->svsm_size = snp_rd_u64le(&rd);                                      /* 0x148 SVSM_SIZE */
    s->svsm_caa = snp_rd_u64le(&rd);                                       /* 0x150 SVSM_CAA */
    s->svsm_max_version = snp_rd_u32le(&rd);                 /* 0x158 SVSM_MAX_VERSION */
    s->svsm_guest_vmpl = snp_rd_u8(&rd);                     /* 0x15C SVSM_GUEST_VMPL */
    snp_rd_bytes(&rd, s->rsvd_0x15d, sizeof(s->rsvd_0x15d)); /* 0x15D reserved, KEEP */
    s->tsc_factor = snp_rd_u32le(&rd);                       /* 0x160 TSC_FACTOR */
    snp_rd_bytes(&rd, s->rsvd_0x164, sizeof(s->rsvd_0x164)); /* 0x164 reserved, KEEP */
    s->launch_mit_vector = snp_rd_u64le(&rd);                /* 0x168 LAUNCH_MIT_VECTOR */
    snp_rd_bytes(&rd, s->rsvd_0x170, sizeof(s->rsvd_0x170)); /* 0x170 reserved, KEEP */

    err = snp_rd_done(&rd); /* exactly 4096 bytes */
    if (err != SNP_OK) {
        snp_wipe(s, sizeof(*s));
        if (err_off != NULL) {
            *err_off = rd.err_off;
        }
    }
    return err;
}

snp_err
snp_secrets_encode(uint8_t out[SNP_SECRETS_SIZE], const struct snp_secrets *s)
{
    struct snp_wr wr;

    if (out == NULL || s == NULL) {
        return SNP_E_ARG;
    }
    snp_wr_init(&wr, out, SNP_SECRETS_SIZE);
    snp_wr_u32le(&wr, s->version);                           /* 0x000 */
    snp_wr_u32le(&wr, s->imi_en);                            /* 0x004 */
    snp_wr_u32le(&wr, s->fms);                               /* 0x008 */
    snp_wr_bytes(&wr, s->rsvd_0x00c, sizeof(s->rsvd_0x00c)); /* 0x00C */
    snp_wr_bytes(&wr, s->gosvw, sizeof(s->gosvw));           /* 0x010 */
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        snp_wr_bytes(&wr, s->vmpck[i], SNP_VMPCK_SIZE); /* 0x020 */
    }
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        snp_wr_u32le(&wr, s->msg_seqno_lo[i]); /* 0x0A0 */
    }
    snp_wr_u64le(&wr, s->ap_jump_table_pa); /* 0x0B0 */
    for (size_t i = 0; i < SNP_VMPCK_COUNT; i++) {
        snp_wr_u32le(&wr, s->msg_seqno_hi[i]); /* 0x0B8 */
    }
    snp_wr_bytes(&wr, s->rsvd_0x0c8, sizeof(s->rsvd_0x0c8));               /* 0x0C8 */
    snp_wr_u16le(&wr, s->os_area_version);                                 /* 0x0DE */
    snp_wr_bytes(&wr, s->guest_usage, sizeof(s->guest_usage));             /* 0x0E0 */
    snp_wr_bytes(&wr, s->vmsa_tweak_bitmap, sizeof(s->vmsa_tweak_bitmap)); /* 0x100 */
    snp_wr_u64le(&wr, s->svsm_base);                                       /* 0x140 */
    snp_wr_u64le(&wr, s->svsm_size);                                       /* 0x148 */
    snp_wr_u64le(&wr, s->svsm_caa);                                        /* 0x150 */
    snp_wr_u32le(&wr, s->svsm_max_version);                                /* 0x158 */
    snp_wr_u8(&wr, s->svsm_guest_vmpl);                                    /* 0x15C */
    snp_wr_bytes(&wr, s->rsvd_0x15d, sizeof(s->rsvd_0x15d));               /* 0x15D */
    snp_wr_u32le(&wr, s->tsc_factor);                                      /* 0x160 */
    snp_wr_bytes(&wr, s->rsvd_0x164, sizeof(s->rsvd_0x164));               /* 0x164 */
    snp_wr_u64le(&wr, s->launch_mit_vector);                               /* 0x168 */
    snp_wr_bytes(&wr, s->rsvd_0x170, sizeof(s->rsvd_0x170));               /* 0x170 */
    return snp_wr_done(&wr);
}

void
snp_secrets_wipe(struct snp_secrets *s)
{
    if (s != NULL) {
        snp_wipe(s, sizeof(*s));
    }
}

uint64_t
snp_secrets_msg_seqno(const struct snp_secrets *s, unsigned vmpck)
{
    if (s == NULL || vmpck >= SNP_VMPCK_COUNT) {
        return 0;
    }
    return (uint64_t)s->msg_seqno_hi[vmpck] << 32 | s->msg_seqno_lo[vmpck];
}

void
snp_secrets_set_msg_seqno(struct snp_secrets *s, unsigned vmpck, uint64_t seqno)
{
    if (s == NULL || vmpck >= SNP_VMPCK_COUNT) {
        return;
    }
    s->msg_seqno_lo[vmpck] = (uint32_t)seqno;
    s->msg_seqno_hi[vmpck] = (uint32_t)(seqno >> 32);
}

snp_err
snp_secrets_mask_for_vmpl(struct snp_secrets *s, unsigned vmpl)
{
    if (s == NULL || vmpl >= SNP_VMPCK_COUNT) {
        return SNP_E_RANGE;
    }
    for (unsigned i = 0; i < vmpl; i++) {
        snp_wipe(s->vmpck[i], SNP_VMPCK_SIZE); /* a VMPL may not hold a more privileged key */
    }
    return SNP_OK;
}

static const struct snp_field secrets_layout[] = {
    /* name, offset, size, kind -- hardware.md §6.12, attestation.md §8.1 */
    {"VERSION", 0x000, 4, SNP_F_LE},
    {"IMI_EN", 0x004, 4, SNP_F_LE},
    {"FMS", 0x008, 4, SNP_F_LE},
    {"reserved", 0x00C, 4, SNP_F_KEEP},
    {"GOSVW", 0x010, 16, SNP_F_BYTES},
    {"VMPCK0", 0x020, 32, SNP_F_BYTES},
    {"VMPCK1", 0x040, 32, SNP_F_BYTES},
    {"VMPCK2", 0x060, 32, SNP_F_BYTES},
    {"VMPCK3", 0x080, 32, SNP_F_BYTES},
    {"MSG_SEQNO_0", 0x0A0, 4, SNP_F_LE},
    {"MSG_SEQNO_1", 0x0A4, 4, SNP_F_LE},
    {"MSG_SEQNO_2", 0x0A8, 4, SNP_F_LE},
    {"MSG_SEQNO_3", 0x0AC, 4, SNP_F_LE},
    {"AP_JUMP_TABLE_PA", 0x0B0, 8, SNP_F_LE},
    {"MSG_SEQNO_0_HI", 0x0B8, 4, SNP_F_LE},
    {"MSG_SEQNO_1_HI", 0x0BC, 4, SNP_F_LE},
    {"MSG_SEQNO_2_HI", 0x0C0, 4, SNP_F_LE},
    {"MSG_SEQNO_3_HI", 0x0C4, 4, SNP_F_LE},
    {"reserved", 0x0C8, 22, SNP_F_KEEP},
    {"OS_AREA_VERSION", 0x0DE, 2, SNP_F_LE},
    {"GUEST_USAGE", 0x0E0, 32, SNP_F_BYTES},
    {"VMSA_TWEAK_BITMAP", 0x100, 64, SNP_F_BYTES},
    {"SVSM_BASE", 0x140, 8, SNP_F_LE},
    {"SVSM_SIZE", 0x148, 8, SNP_F_LE},
    {"SVSM_CAA", 0x150, 8, SNP_F_LE},
    {"SVSM_MAX_VERSION", 0x158, 4, SNP_F_LE},
    {"SVSM_GUEST_VMPL", 0x15C, 1, SNP_F_LE},
    {"reserved", 0x15D, 3, SNP_F_KEEP},
    {"TSC_FACTOR", 0x160, 4, SNP_F_LE},
    {"reserved", 0x164, 4, SNP_F_KEEP},
    {"LAUNCH_MIT_VECTOR", 0x168, 8, SNP_F_LE},
    {"reserved", 0x170, 0xE90, SNP_F_KEEP},
    {NULL, 0, 0, SNP_F_BYTES},
};

const struct snp_field *
snp_secrets_layout(void)
{
    return secrets_layout;
}
