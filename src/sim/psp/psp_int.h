/*
 * sim/psp/psp_int.h - the firmware's state, shared by the files of sim/psp/ only (STYLE.md §3).
 *
 * Secrets (STYLE.md §8) live in three places only: struct psp_nv.chip_secret and the VLEK CSP
 * secret (NV), struct psp_guest_keys (per guest: VEK, VMPCK0-3, VMRK), and the derived signing
 * keys. Each is wiped when it goes away; none is ever written to host-readable memory.
 */
#ifndef SNP_SIM_PSP_INT_H
#define SNP_SIM_PSP_INT_H

#include "sim/psp/psp.h"

#include "crypto/crypto.h"
#include "crypto/gcm.h"
#include "sim/keyslot.h"
#include "snpkit/measure.h"
#include "snpkit/psp_abi.h"

#include <stdbool.h>
#include <stdint.h>

/* Platform states accepted by a command (bit mask), hardware.md §6.3. */
#define FW_ST_UNINIT 0x1u
#define FW_ST_INIT   0x2u
#define FW_ST_ANY    (FW_ST_UNINIT | FW_ST_INIT)

/* Guest states (hardware.md §6.3, stored in the GCTX). */
#define GSTATE_INIT    0
#define GSTATE_LAUNCH  1
#define GSTATE_RUNNING 2

/* Activation (hardware.md §6.3: inactive, pending, active). */
enum psp_act { ACT_INACTIVE = 0, ACT_PENDING = 1, ACT_ACTIVE = 2 };

/* Per-ASID bookkeeping (hardware.md §6.3; one CCX modelled). */
enum psp_asid { ASID_CLEAN = 0, ASID_DIRTY = 1, ASID_INUSE = 2 };

#define PSP_VEK_MAX 64 /* AES-256-XTS key; AES-128-XTS uses the first 32 bytes */

/* SECRET: one guest's keys (LAUNCH_START / GCTX_CREATE, hardware.md §6.4, §6.6). */
struct psp_guest_keys {
    uint8_t vek[PSP_VEK_MAX];
    uint8_t vmpck[4][32];
    uint8_t vmrk[32];
};

/* A guest context (what real firmware keeps in the GCTX page). */
struct psp_guest {
    bool used;
    uint64_t gctx_spa;
    uint8_t state; /* GSTATE_* */
    enum psp_act act;
    uint32_t asid; /* 0 until ACTIVATE */
    uint64_t policy;
    bool ma_en, imi_en;
    uint8_t gosvw[16];
    uint32_t desired_tsc_khz;
    struct snp_ld ld; /* the launch digest (measure/, the one implementation) */
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t launch_tcb;
    bool id_block_en, author_key_en, vcek_dis;
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t guest_svn;
    uint64_t msg_count[4]; /* per-VMPCK sequence counters (attestation.md §7.3) */
    struct psp_guest_keys keys;
};

/* The NV state: what survives a power cycle (snp_psp_save). */
struct psp_nv {
    enum snp_product product;
    uint8_t chip_secret[32]; /* SECRET */
    uint64_t current_tcb;    /* installed */
    uint64_t committed_tcb;
    uint64_t config_tcb; /* SNP_CONFIG REPORTED_TCB; 0 = follow the committed TCB */
    uint8_t cur_ver[3];  /* build, minor, major */
    uint8_t com_ver[3];
    bool mask_chip_id, mask_chip_key;
    bool vlek_loaded;
    uint8_t vlek_csp[32]; /* SECRET: the CSP secret of the loaded hashstick */
    uint64_t vlek_tcb;
    uint32_t report_version;
    bool smt;
};

struct snp_psp {
    struct snp_machine *m;
    struct psp_nv nv;
    snp_rng_fn rng;
    void *rng_ctx;
    uint64_t dram_size;
    uint32_t max_asid;
    uint32_t fms;       /* CPUID 1 EAX of the platform */
    uint32_t mutations; /* SNP_MUT_* (test-only broken chip): GREQ_SEQNO, VMSA_SEAL */
    uint8_t chip_id[64];
    /* volatile platform state */
    uint8_t state; /* SNP_PLATFORM_STATE_* */
    bool rmp_init; /* initialised since power-on */
    uint32_t guest_count;
    uint8_t *asid_state;   /* [max_asid + 1], enum psp_asid */
    uint64_t dirty_wbinvd; /* WBINVD count when an ASID last became dirty */
    uint32_t max_guests;
    struct psp_guest *guests;
    struct snp_eckey *vcek; /* for vcek_tcb; derived at INIT, CONFIG, firmware update */
    uint64_t vcek_tcb;
    struct snp_eckey *vlek;
    struct snp_gcm *gcm;
    snp_err fault; /* set by a handler when the model itself failed */
    /* scratch (wiped after use) */
    uint8_t page[SNP_PAGE_SIZE];
    uint8_t page2[SNP_PAGE_SIZE];
};

/* A handler: returns the status; sets p->fault (and returns HWERROR_PLATFORM) on model failure. */
typedef enum snp_fw_status (*fw_handler)(struct snp_psp *p, const uint8_t *buf);

/* ---- helpers (psp.c) ---- */
enum snp_fw_status psp_fail(struct snp_psp *p, snp_err err);
snp_err psp_random(struct snp_psp *p, uint8_t *out, size_t len);
uint64_t psp_rd64(const uint8_t *b, size_t off);
uint32_t psp_rd32(const uint8_t *b, size_t off);
void psp_wr64(uint8_t *b, size_t off, uint64_t v);
void psp_wr32(uint8_t *b, size_t off, uint32_t v);
bool psp_in_dram(const struct snp_psp *p, uint64_t spa, uint64_t len);
/* The effective REPORTED_TCB (SNP_CONFIG value, or the committed TCB). */
uint64_t psp_reported_tcb(const struct snp_psp *p);
/* Re-derive the VCEK for the reported TCB (INIT, CONFIG, firmware update). */
snp_err psp_vcek_refresh(struct snp_psp *p);
/* Component-wise a <= b in the product's layout (attestation.md §2). */
bool psp_tcb_le(const struct snp_psp *p, uint64_t a, uint64_t b);

/* RMP page-state predicates (hardware.md §1.5) on a governing entry. */
bool psp_is_firmware(const struct snp_rmp_entry *e);
bool psp_is_context(const struct snp_rmp_entry *e);
bool psp_is_pre_guest(const struct snp_rmp_entry *e);

/*
 * psp_gctx() - resolve a GCTX address: low 12 bits reserved (INVALID_PARAM, §6.1 address
 * convention), inside DRAM (INVALID_ADDRESS), CONTEXT page with a context (INVALID_GUEST).
 */
enum snp_fw_status psp_gctx(struct snp_psp *p, uint64_t gctx, struct psp_guest **g);
/* psp_out_page_ok() - an output area of @len bytes: no page crossing, in DRAM, and (platform
 * INIT) in a FIRMWARE page (hardware.md §6.4 PLATFORM_STATUS / GUEST_STATUS). */
enum snp_fw_status psp_out_area(struct snp_psp *p, uint64_t spa, size_t len);

/* ---- handlers ---- */
/* psp_platform.c */
enum snp_fw_status psp_cmd_init(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_init_ex(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_shutdown(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_shutdown_ex(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_platform_status(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_df_flush(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_config(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_commit(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_vlek_load(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_sim_fw_update(struct snp_psp *p, const uint8_t *buf);
/* psp_gctx.c */
enum snp_fw_status psp_cmd_gctx_create(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_decommission(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_activate(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_guest_status(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_page_reclaim(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_page_unsmash(struct snp_psp *p, const uint8_t *buf);
/* psp_launch.c */
enum snp_fw_status psp_cmd_launch_start(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_launch_update(struct snp_psp *p, const uint8_t *buf);
enum snp_fw_status psp_cmd_launch_finish(struct snp_psp *p, const uint8_t *buf);
/* psp_guestmsg.c */
enum snp_fw_status psp_cmd_guest_request(struct snp_psp *p, const uint8_t *buf);

/* psp_cpuid.c: the §9.2 rules over a table; true when nothing had to be corrected. */
struct psp_cpuid_ent {
    uint32_t eax_in, ecx_in;
    uint64_t xcr0_in, xss_in;
    uint32_t regs[4];
};
bool psp_cpuid_sanitize(const struct snp_psp *p, struct psp_cpuid_ent *e, size_t n);

/* psp_report.c: MSG_REPORT_REQ and MSG_KEY_REQ bodies; write the response payload. */
snp_err psp_msg_report(struct snp_psp *p, struct psp_guest *g, uint8_t vmpck, const uint8_t *req,
                       size_t req_len, uint8_t *rsp, size_t *rsp_len);
snp_err psp_msg_key(struct snp_psp *p, struct psp_guest *g, uint8_t vmpck, uint8_t msg_version,
                    const uint8_t *req, size_t req_len, uint8_t *rsp, size_t *rsp_len);
/* psp_msgcpuid.c: MSG_CPUID_REQ and MSG_TSC_INFO_REQ. */
snp_err psp_msg_cpuid(struct snp_psp *p, const struct psp_guest *g, uint8_t type,
                      const uint8_t *req, size_t req_len, uint8_t *rsp, size_t *rsp_len);

#endif /* SNP_SIM_PSP_INT_H */
