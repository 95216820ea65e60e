/*
 * snpkit/measure.h - the launch measurement: the page list of a launch and the PAGE_INFO digest
 * step (hardware.md §7, §8). @module measure
 *
 * One implementation, two users: `snpkit measure` (the expected MEASUREMENT of an image) and the
 * simulated PSP, whose SNP_LAUNCH_UPDATE calls snp_ld_update_page() once per 4 KiB chunk
 * (hardware.md §6.7, §8.2). The digest step never allocates and never starts a thread unless
 * the caller sets snp_ld.threads above 1 and hashes a range (snp_ld_update_range()).
 *
 * Layers, bottom up:
 *   snp_ld_*         the digest chain (§8.2): init, one step per chunk, ranges, 2 MB pages, final;
 *   snp_ovmf_parse   the GUIDed footer table and SEV metadata of an OVMF or SVSM image (§7.2,
 *                    §7.3), with a named reason and byte offset for every refusal;
 *   snp_sev_hashes_* the SEV hashes table for measured direct boot (§7.4);
 *   snp_vcpu_sig_*   the CPUID signature QEMU puts in RDX of every initial VMSA (§7.6);
 *   snp_measure      the whole launch in QEMU/KVM order (§7.5, §8.4) for SNP, SNP with an
 *                    SVSM, SEV-ES and SEV (§8.3);
 *   snp_measure_pages the same SNP launch as a page list (type, GPA, contents per
 *                    LAUNCH_UPDATE), which snp_measure hashes and a host launches.
 */
#ifndef SNPKIT_MEASURE_H
#define SNPKIT_MEASURE_H

#include "snpkit/err.h"
#include "snpkit/pageinfo.h"
#include "snpkit/vmsa.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_LD_SIZE         48 /* SHA-384 launch digest */
#define SNP_MEASURE_PAGE    4096u
#define SNP_MEASURE_2M      (2u << 20)
#define SNP_MEASURE_GPA_4G  UINT64_C(0x100000000) /* firmware images end here (§7.1) */
#define SNP_MEASURE_MAX_OUT 48                    /* SNP: 48 bytes; SEV, SEV-ES: 32 */

/* ---- the digest chain (§8.2) --------------------------------------------------------------- */

/* One chain step as the trace callback sees it. */
struct snp_ld_step {
    uint64_t index;                /* 0-based step count since snp_ld_init() */
    uint64_t gpa;                  /* PAGE_INFO.GPA */
    uint8_t page_type;             /* enum snp_page_type */
    bool imi_page;                 /* PAGE_INFO.IMI_PAGE */
    uint8_t vmpl_perms[3];         /* VMPL1..3 */
    uint8_t contents[SNP_LD_SIZE]; /* PAGE_INFO.CONTENTS */
    uint8_t digest[SNP_LD_SIZE];   /* the running digest after this step */
    const char *what;              /* snp_ld.what at the time of the step (may be NULL) */
};

typedef void (*snp_ld_trace_fn)(void *arg, const struct snp_ld_step *step);

/*
 * An incremental launch digest. Plain data: copy it to fork a chain. Fields other than
 * `digest` and `steps` are caller settings and may be changed between steps.
 */
struct snp_ld {
    uint8_t digest[SNP_LD_SIZE]; /* LD_n */
    uint64_t steps;              /* n */
    unsigned threads;      /* > 1: snp_ld_update_range() hashes contents on that many threads */
    snp_ld_trace_fn trace; /* optional: called after every step */
    void *trace_arg;
    const char *what; /* optional label copied into each traced step ("OVMF", "CPUID", ...) */
};

/*
 * snp_ld_init() - start a chain (SNP_LAUNCH_START: LD_0 = 48 zero bytes).
 * @start: NULL for LD_0 = 0, else 48 bytes to resume from (e.g. a precomputed OVMF digest).
 * threads = 1, no trace, no label.
 */
void snp_ld_init(struct snp_ld *ld, const uint8_t *start);

/*
 * snp_ld_update_page() - one LAUNCH_UPDATE step for one 4 KiB chunk:
 * LD = SHA-384(PAGE_INFO{LD, CONTENTS, 0x70, type, imi, perms, gpa}) (§8.1, §8.2).
 * @type:       1..6. CONTENTS is SHA-384 of @contents for NORMAL and VMSA (for VMSA with
 *              GUEST_TSC_SCALE/OFFSET at 0x2F0/0x2F8 read as zero, §8.2), 48 zero bytes else.
 * @gpa:        the GPA of the chunk (any value; the PSP model checks alignment itself).
 * @contents:   4096 bytes for NORMAL and VMSA; ignored (may be NULL) for the other types.
 * @vmpl_perms: VMPL1..3 permission bytes, NULL for all zero. Packed in firmware order (§8.1).
 * Returns SNP_OK; SNP_E_RANGE for a type outside 1..6; SNP_E_ARG for NULL ld or NULL contents
 * where needed; SNP_E_CRYPTO. On error the chain is unchanged.
 */
snp_err snp_ld_update_page(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                           const uint8_t *contents, const uint8_t *vmpl_perms, bool imi);

/*
 * snp_ld_update_digest() - the same step with CONTENTS supplied (48 bytes, used as is). For
 * callers that hashed the page elsewhere; for non-hashed types pass 48 zero bytes.
 */
snp_err snp_ld_update_digest(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                             const uint8_t contents_digest[SNP_LD_SIZE], const uint8_t *vmpl_perms,
                             bool imi);

/*
 * snp_ld_update_range() - len/4096 consecutive steps at gpa, gpa + 0x1000, ... with one type.
 * @data: len bytes for NORMAL and VMSA (each 4 KiB chunk hashed), ignored otherwise.
 * @len:  a multiple of 4096 (SNP_E_ARG otherwise); 0 is a no-op.
 * With ld->threads > 1 the chunk hashes are computed on that many threads (allocates a digest
 * array; SNP_E_NOMEM, SNP_E_CRYPTO possible) while the chain itself stays sequential; the
 * result is identical to the single-threaded path. On error the chain is unchanged.
 */
snp_err snp_ld_update_range(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                            const uint8_t *data, size_t len, const uint8_t *vmpl_perms, bool imi);

/*
 * snp_ld_update_2m() - a 2 MB LAUNCH_UPDATE: 512 steps (§8.2, "2M LAUNCH_UPDATE = 512 chain
 * steps with GPA += 0x1000"). @gpa MUST be 2 MB aligned (SNP_E_ARG); @contents 2 MiB for
 * NORMAL/VMSA, ignored otherwise.
 */
snp_err snp_ld_update_2m(struct snp_ld *ld, enum snp_page_type type, uint64_t gpa,
                         const uint8_t *contents, const uint8_t *vmpl_perms, bool imi);

/* snp_ld_final() - the current digest (LAUNCH_FINISH's MEASUREMENT). The chain may go on. */
void snp_ld_final(const struct snp_ld *ld, uint8_t out[SNP_LD_SIZE]);

/* ---- why an image or a request was refused ------------------------------------------------- */

#define SNP_MEASURE_WHY(X)                                                                         \
    X(SNP_MW_NONE, "no problem")                                                                   \
    X(SNP_MW_IMAGE_SIZE, "image size is zero, not a multiple of 4 KiB, or above 4 GiB")            \
    X(SNP_MW_NO_FOOTER, "no GUIDed footer table (footer GUID missing at end - 48)")                \
    X(SNP_MW_TABLE_LEN, "footer table length is out of bounds")                                    \
    X(SNP_MW_ENTRY_LEN, "footer table entry length is out of bounds")                              \
    X(SNP_MW_ENTRY_DATA, "footer table entry data has the wrong size")                             \
    X(SNP_MW_NO_METADATA, "no SEV metadata (GUID dc886566-984a-4798-a75e-5585a7bf67cc)")           \
    X(SNP_MW_METADATA_OFF, "SEV metadata offset points outside the image")                         \
    X(SNP_MW_METADATA_SIG, "SEV metadata signature is not \"ASEV\"")                               \
    X(SNP_MW_METADATA_VERSION, "SEV metadata version is not 1")                                    \
    X(SNP_MW_METADATA_LEN, "SEV metadata length does not match its descriptor count")              \
    X(SNP_MW_TOO_MANY_SECTIONS, "too many SEV metadata sections")                                  \
    X(SNP_MW_SECTION_TYPE, "unknown SEV metadata section type")                                    \
    X(SNP_MW_SECTION_ALIGN, "SEV metadata section is empty or not 4 KiB aligned")                  \
    X(SNP_MW_SECTION_RANGE, "SEV metadata section ends above 4 GiB")                               \
    X(SNP_MW_SECTION_OVERLAP, "SEV metadata sections overlap")                                     \
    X(SNP_MW_SECTION_IN_IMAGE, "SEV metadata section overlaps the firmware image")                 \
    X(SNP_MW_NO_RESET_BLOCK, "no SEV-ES reset block (GUID 00f771de-...) for the AP start address") \
    X(SNP_MW_NO_KERNEL_HASHES,                                                                     \
      "kernel given but the OVMF metadata has no SNP_KERNEL_HASHES section")                       \
    X(SNP_MW_NO_HASHES_BLOCK, "kernel given but the OVMF has no SEV hashes table block")           \
    X(SNP_MW_HASHES_TOO_SMALL, "SEV hashes table area is smaller than the padded table")           \
    X(SNP_MW_HASHES_OUTSIDE, "SEV hashes table is not inside the SNP_KERNEL_HASHES page")          \
    X(SNP_MW_KERNEL_HASHES_SIZE, "SNP_KERNEL_HASHES section is not one page")                      \
    X(SNP_MW_VCPUS, "vCPU count is 0 or above the maximum")                                        \
    X(SNP_MW_NO_SVSM_INFO, "SVSM image has no SVSM info entry (GUID a789a612-...)")                \
    X(SNP_MW_SVSM_PLACEMENT, "SVSM image does not fit below the OVMF and its vars")                \
    X(SNP_MW_SVSM_KERNEL, "direct kernel boot is not measured in SNP:SVSM mode")                   \
    X(SNP_MW_OVMF_HASH_MODE, "a precomputed OVMF hash applies only to SNP without SVSM")           \
    X(SNP_MW_FEATURES, "SNP guest features must have bit 0 (SNPActive) set")

#define SNP_MW_ENUM_(name, msg) name,
enum snp_measure_why { SNP_MEASURE_WHY(SNP_MW_ENUM_) SNP_MW_COUNT_ };
#undef SNP_MW_ENUM_

/* Where and why a measurement was refused; filled by the functions that take it. */
struct snp_measure_diag {
    enum snp_measure_why why;
    size_t off;       /* byte offset in the image concerned (when it applies) */
    const char *what; /* which image: "ovmf" or "svsm" (NULL when none applies) */
};

/* One line of text for a reason ("SEV metadata sections overlap"); never NULL. */
const char *snp_measure_why_str(enum snp_measure_why why);

/* ---- OVMF / SVSM image metadata (§7.2, §7.3) ----------------------------------------------- */

enum snp_ovmf_section_type {
    SNP_OVMF_SEC_SNP_SEC_MEM = 1,
    SNP_OVMF_SEC_SNP_SECRETS = 2,
    SNP_OVMF_SEC_CPUID = 3,
    SNP_OVMF_SEC_SVSM_CAA = 4,
    SNP_OVMF_SEC_SNP_KERNEL_HASHES = 0x10,
};

/* "SNP_SEC_MEM", ...; NULL for an unknown type. */
const char *snp_ovmf_section_name(uint32_t type);

struct snp_ovmf_section {
    uint32_t gpa;  /* 4 KiB aligned */
    uint32_t size; /* non-zero multiple of 4 KiB */
    uint32_t type; /* enum snp_ovmf_section_type */
};

#define SNP_OVMF_MAX_SECTIONS 32

struct snp_ovmf {
    size_t len;            /* image length */
    bool has_reset_block;  /* 00f771de-...: SEV-ES AP reset address */
    uint32_t reset_eip;    /*   CS.base = eip & 0xFFFF0000, IP = eip & 0xFFFF */
    bool has_metadata;     /* dc886566-...: SEV metadata */
    size_t metadata_off;   /*   byte offset of the "ASEV" header in the image */
    bool has_hashes_block; /* 7255371f-...: SEV hashes table block */
    uint32_t hashes_gpa;   /*   where the table goes */
    uint32_t hashes_size;  /*   size of the area reserved for it */
    bool has_secret_block; /* 4c2eb361-...: legacy SEV launch secret */
    uint32_t secret_gpa;
    uint32_t secret_size;
    bool has_svsm_info;  /* a789a612-...: coconut SVSM info */
    uint32_t svsm_entry; /*   entry offset from the SVSM image start */
    size_t nsections;
    struct snp_ovmf_section sections[SNP_OVMF_MAX_SECTIONS]; /* descriptor order */
};

/*
 * snp_ovmf_parse() - read the GUIDed footer table and the SEV metadata of a firmware image.
 * @o:     out; zeroed first.
 * @img:   the whole image (or, as in the published fixtures, its last pages); not retained.
 * @diag:  optional: reason and byte offset on failure (what = NULL: the caller names the file).
 *
 * Checks every length against the image, descriptor alignment and types, the 4 GiB bound, and
 * that no two sections overlap. It does not check sections against the image's placement
 * (snp_measure does, since placement depends on the launch). Unknown footer GUIDs are skipped.
 * An image without SEV metadata parses (has_metadata false): SEV can launch it, SNP cannot.
 * Returns SNP_OK; SNP_E_FORMAT (footer table malformed or absent, metadata malformed);
 * SNP_E_RANGE (section alignment, range, overlap, type); SNP_E_ARG for NULL o or img.
 */
snp_err snp_ovmf_parse(struct snp_ovmf *o, const uint8_t *img, size_t len,
                       struct snp_measure_diag *diag);

/* ---- SEV hashes table (§7.4) ---------------------------------------------------------------- */

#define SNP_SEV_HASHES_TABLE_SIZE 168 /* 0xA8 */
#define SNP_SEV_HASHES_PADDED     176 /* padded with zeros to a multiple of 16 */

struct snp_sev_hashes {
    uint8_t cmdline[32]; /* SHA-256(cmdline bytes + NUL) */
    uint8_t initrd[32];  /* SHA-256(initrd file), SHA-256("") when none */
    uint8_t kernel[32];  /* SHA-256(bzImage file) */
};

/*
 * snp_sev_hashes_compute() - the three SHA-256 values from the launch inputs.
 * @kernel:  the kernel file (len may be 0 for an empty file; NULL only when klen is 0).
 * @initrd:  the initrd, or NULL/0 for none (hashed as the empty string, as QEMU does).
 * @cmdline: the command line without NUL, or NULL for none (hashed as "\0").
 * Returns SNP_OK or SNP_E_CRYPTO; SNP_E_ARG for NULL h.
 */
snp_err snp_sev_hashes_compute(struct snp_sev_hashes *h, const uint8_t *kernel, size_t klen,
                               const uint8_t *initrd, size_t ilen, const char *cmdline);

/* snp_sev_hashes_encode() - the padded table: header GUID, cmdline, initrd, kernel entries. */
void snp_sev_hashes_encode(uint8_t out[SNP_SEV_HASHES_PADDED], const struct snp_sev_hashes *h);

/* ---- vCPU signatures (§7.6) ----------------------------------------------------------------- */

/* sig = ext_family << 20 | ext_model << 16 | base_family << 8 | base_model << 4 | stepping. */
uint32_t snp_vcpu_sig(unsigned family, unsigned model, unsigned stepping);

/*
 * snp_vcpu_sig_lookup() - the signature of a QEMU EPYC CPU model name ("EPYC-v4", "EPYC-Milan",
 * ...; exact, case-sensitive as QEMU spells them). Returns SNP_OK or SNP_E_NOTFOUND.
 */
snp_err snp_vcpu_sig_lookup(const char *name, uint32_t *sig);

/* The i-th known name (for --help listings); NULL past the end. */
const char *snp_vcpu_type_name(size_t i);

/* ---- a whole launch (§7.5, §8.3, §8.4) ------------------------------------------------------ */

enum snp_measure_mode {
    SNP_MEASURE_MODE_SNP = 0,    /* SHA-384 PAGE_INFO chain; with svsm set: SNP:SVSM */
    SNP_MEASURE_MODE_SEV_ES = 1, /* SHA-256(OVMF || padded hashes table || VMSAs) */
    SNP_MEASURE_MODE_SEV = 2,    /* SHA-256(OVMF || padded hashes table) */
};

#define SNP_MEASURE_MAX_VCPUS 4096u /* KVM's x86 maximum */

struct snp_measure_params {
    enum snp_measure_mode mode;
    enum snp_vmm_type vmm; /* QEMU, EC2 or GCE (SNP only; SEV-ES uses QEMU's VMSAs) */
    const uint8_t *ovmf;   /* the firmware image, placed to end at 4 GiB (§7.1) */
    size_t ovmf_len;
    const uint8_t *ovmf_hash; /* optional, SNP without SVSM: 48-byte LD after the OVMF pages;
                                 the image is then parsed for metadata but not hashed */
    const uint8_t *svsm;      /* optional, SNP: a coconut SVSM image (SNP:SVSM, §7.5) */
    size_t svsm_len;
    uint64_t vars_size;                  /* SVSM: the OVMF vars size between SVSM and OVMF */
    const struct snp_sev_hashes *hashes; /* NULL: no direct kernel boot */
    uint32_t vcpus;                      /* 1..SNP_MEASURE_MAX_VCPUS */
    uint32_t vcpu_sig;                   /* RDX for QEMU (§7.6); EC2/GCE use 0x600 */
    uint64_t guest_features;             /* SEV_FEATURES of SNP VMSAs (SNP; must have bit 0) */
    unsigned threads;                    /* > 1: hash OVMF/SVSM pages on that many threads */
    snp_ld_trace_fn trace;               /* optional, SNP: every chain step, labelled */
    void *trace_arg;
};

/*
 * snp_measure() - the expected measurement of a launch.
 * @p:       the launch; not retained.
 * @out:     48 bytes (SNP) or 32 bytes (SEV, SEV-ES) are written; *out_len says which.
 * @diag:    optional: the reason and image offset of a refusal.
 *
 * SNP order (QEMU/KVM, §7.5/§8.4): OVMF NORMAL pages from 4 GiB - len; metadata sections in
 * descriptor order (SEC_MEM and SVSM_CAA ZERO, or UNMEASURED on GCE; SECRETS; CPUID, deferred
 * after the others on EC2; KERNEL_HASHES as one NORMAL page holding the hashes table when a
 * kernel is given, ZERO pages otherwise); then one VMSA per vCPU at 0xFFFFFFFFF000 (BSP at the
 * reset vector, APs at the SEV-ES reset address). SNP:SVSM: OVMF pages, SVSM pages (ending at
 * ovmf_gpa - vars_size), the SVSM's own metadata sections, then vcpus identical SVSM VMSAs.
 * Returns SNP_OK; SNP_E_FORMAT / SNP_E_RANGE / SNP_E_UNSUPPORTED with @diag for images and
 * parameters a real launch could not use; SNP_E_ARG; SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_measure(const struct snp_measure_params *p, uint8_t out[SNP_MEASURE_MAX_OUT],
                    size_t *out_len, struct snp_measure_diag *diag);

/* ---- the page list of an SNP launch (§7.5, §8.4) ------------------------------------------ */

/*
 * One run of LAUNCH_UPDATEs the host issues: @npages consecutive 4 KiB pages of one type, the
 * first at PAGE_INFO.GPA @gpa, the next at gpa + 0x1000, ... (the GPA is the value the host puts
 * in each page's RMP entry; the firmware takes it from there, hardware.md §6.7). A host issues
 * one SNP_LAUNCH_UPDATE per 4 KiB page (or one per 2 MB page where a run covers an aligned
 * 2 MB range); the digest is the same either way (§8.2).
 */
struct snp_measure_page {
    enum snp_page_type type;
    uint64_t gpa;
    size_t npages;
    const uint8_t *contents; /* NORMAL, VMSA: npages * 4096 bytes the host copies into the pages
                                before LAUNCH_UPDATE; valid during the callback only. NULL for
                                ZERO, SECRETS, CPUID, UNMEASURED: their bytes are not measured
                                (the host still supplies a valid CPUID table, §9.1) */
    const char *what;        /* "OVMF", "SVSM", the section name ("SNP_SECRETS", ...), "VMSA" */
    uint32_t vcpu;           /* VMSA: the vCPU index (0 = BSP); 0 otherwise */
    bool precomputed;        /* inside params.ovmf_hash: the host launches these pages, but the
                                digest chain starts after them */
};

/* Called once per run, in launch order; a non-SNP_OK return stops the walk and is returned. */
typedef snp_err (*snp_measure_page_fn)(void *ctx, const struct snp_measure_page *pg);

/*
 * snp_measure_pages() - every LAUNCH_UPDATE of the SNP launch @p, in the order QEMU/KVM issue
 * them (see snp_measure() for the order). This is the one implementation: snp_measure() is the
 * digest of exactly these runs (skipping the precomputed ones), and a host that launches them
 * through the firmware gets the same MEASUREMENT.
 * @p:    mode MUST be SNP_MEASURE_MODE_SNP (SNP_E_ARG otherwise); threads and trace are ignored.
 * @fn:   the consumer; @ctx is passed to it.
 * @diag: optional, as for snp_measure().
 * Returns SNP_OK; the refusals of snp_measure() (checked before the first call of @fn);
 * SNP_E_ARG; SNP_E_CRYPTO (encoding a VMSA); or the first error @fn returned.
 */
snp_err snp_measure_pages(const struct snp_measure_params *p, snp_measure_page_fn fn, void *ctx,
                          struct snp_measure_diag *diag);

/*
 * snp_measure_ovmf_hash() - the SNP digest after the OVMF pages only (sev-snp-measure's
 * "snp:ovmf-hash"), resumable with snp_measure_params.ovmf_hash. Returns as snp_measure().
 */
snp_err snp_measure_ovmf_hash(const uint8_t *ovmf, size_t len, unsigned threads,
                              uint8_t out[SNP_LD_SIZE], struct snp_measure_diag *diag);

/*
 * snp_measure_vmsa() - the 4096-byte VMSA page vCPU @index is launched with under @p (the
 * bytes snp_measure() hashes; SNP_MEASURE_MODE_SEV has none: SNP_E_ARG).
 * Returns SNP_OK, or the refusal snp_measure() would give for these parameters' images.
 */
snp_err snp_measure_vmsa(const struct snp_measure_params *p, uint32_t index,
                         uint8_t out[SNP_VMSA_SIZE], struct snp_measure_diag *diag);

#endif /* SNPKIT_MEASURE_H */
