/*
 * snpkit/attack.h - the adversarial hypervisor: the threat model (../shared/THREAT-MODEL.md
 * C1-C3, I1-I4, A1-A3, N1-N10) and the published attacks (../shared/spec/attacks.md) as
 * executable scenarios against the simulated platform (STYLE.md §9.3, docs/attacks.md).
 * @module host
 *
 * A scenario acts only through sim/host_if.h (sim/phys_if.h for the physical attacker) and the
 * honest VMM's own bookkeeping, and returns what it OBSERVED: the bytes it read, the fault the
 * hardware raised, the firmware status, what the guest detected, what the verifier said. The
 * runner builds a fresh machine per profile, runs the scenario, and compares the observed
 * outcome with the one the descriptor expects for that profile. Nothing is hard-coded: a model
 * with a protection removed makes the scenarios that depend on it mismatch.
 *
 * The guest program and the verifier are supplied by the caller (struct snp_atk_env): host/
 * may not include guest/ or verify/ (ARCHITECTURE.md). Library code never prints: the steps go
 * to the trace callback.
 */
#ifndef SNPKIT_ATTACK_H
#define SNPKIT_ATTACK_H

#include "snpkit/err.h"
#include "snpkit/vmm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What happened to the attack (STYLE.md §9.3, plus SUCCEEDED for the baselines). */
enum snp_atk_outcome {
    SNP_ATK_SUCCEEDED = 0,         /* the attacker got what it wanted (plain VM, unpatched) */
    SNP_ATK_BLOCKED_HW = 1,        /* an RMP or encryption fault / ciphertext only */
    SNP_ATK_REJECTED_FW = 2,       /* the PSP firmware refused (status in the evidence) */
    SNP_ATK_DETECTED_GUEST = 3,    /* the guest noticed and stopped or refused */
    SNP_ATK_DETECTED_VERIFIER = 4, /* the attestation verifier rejected the evidence */
    SNP_ATK_ALLOWED_DOS = 5,       /* conceded by the threat model (availability) */
    SNP_ATK_NOT_RUN = 6,           /* the scenario could not be staged (see evidence) */
    SNP_ATK_BLOCKED_GUEST = 7,     /* the guest's own protection (e.g. TLS) left the attacker
                                      only ciphertext */
};
#define SNP_ATK_OUTCOMES 8

const char *snp_atk_outcome_name(enum snp_atk_outcome o);

/* The platforms a scenario runs on: a fresh machine each. */
enum snp_atk_profile {
    SNP_ATK_PLAIN = 0,       /* SEV off: the traditional trust model (hypervisor trusted) */
    SNP_ATK_SNP = 1,         /* SEV-SNP, default TCB, no optional mitigation */
    SNP_ATK_SNP_PATCHED = 2, /* SEV-SNP with the fixes of the fix table (CacheWarp microcode) */
};
#define SNP_ATK_PROFILES       3
#define SNP_ATK_PROFILE_BIT(p) (1u << (unsigned)(p))

const char *snp_atk_profile_name(enum snp_atk_profile p);
/* "plain", "snp", "snp-patched" -> profile. SNP_E_ARG for anything else. */
snp_err snp_atk_profile_parse(const char *name, enum snp_atk_profile *out);

/*
 * The protections a deliberately broken chip can lack (struct snp_atk_env.mutations, SNP_MUT_*
 * of snpkit/machine.h), by the name `snpkit attack run --without` takes: "rmp-gpa-check",
 * "vmsa-sealing", "host-write-rmp", "memory-encryption", "greq-seqno".
 * snp_atk_mutation_name(): the name of one SNP_MUT_* bit, NULL for anything else.
 * snp_atk_mutation_parse(): name -> bit in *bit; SNP_E_ARG for an unknown name.
 * snp_atk_mutation_at(): the @i-th (0-based) name and bit, for listing them; SNP_E_RANGE past
 * the last.
 */
const char *snp_atk_mutation_name(unsigned bit);
snp_err snp_atk_mutation_parse(const char *name, unsigned *bit);
snp_err snp_atk_mutation_at(size_t i, const char **name, unsigned *bit);

/* Who a trace line is about. */
enum snp_atk_actor {
    SNP_ATK_ACT_HV = 0,       /* what the hypervisor did */
    SNP_ATK_ACT_HW = 1,       /* what the hardware answered */
    SNP_ATK_ACT_FW = 2,       /* what the PSP firmware answered */
    SNP_ATK_ACT_GUEST = 3,    /* what the guest did or said */
    SNP_ATK_ACT_VERIFIER = 4, /* what the verifier said */
};

const char *snp_atk_actor_name(enum snp_atk_actor a);

typedef void (*snp_atk_trace_fn)(void *ctx, enum snp_atk_actor who, const char *line);

/*
 * The verifier the caller plugs in (host/ cannot reach verify/). It verifies @report against
 * the chip's collateral with the default policy plus @policy: NULL-terminated (key, value)
 * pairs in snp_verify_policy_set() form, e.g. {"expect-measurement", "ab12..", NULL}.
 * *accepted gets the verdict; @why (NUL-terminated) the first failed check's name and detail.
 * Returns SNP_OK when the verifier ran (either verdict), an error when it could not check.
 */
typedef snp_err (*snp_atk_verify_fn)(void *ctx, const uint8_t *report, size_t len,
                                     const char *const *policy, bool *accepted, char *why,
                                     size_t why_size);

/* The key a forged report is signed with (THREAT-MODEL.md N10, A1). */
enum snp_atk_key {
    SNP_ATK_KEY_LEAKED_VCEK = 0, /* the scenario chip's VCEK at a given TCB, as if extracted */
    SNP_ATK_KEY_UNCERTIFIED = 1, /* a fresh P-384 key no vendor ever certified */
};

/*
 * The signer the caller plugs in (host/ cannot derive a VCEK: crypto/ is not a host/
 * dependency). It signs bytes 0x000..0x29F of the ATTESTATION_REPORT @report (@len must be
 * SNP_REPORT_SIZE) with @key (for SNP_ATK_KEY_LEAKED_VCEK: the VCEK of the chip made from
 * SNP_ATK_CHIP_SEED at TCB_VERSION @tcb; @tcb is ignored otherwise) and writes the signature
 * block at 0x2A0. Returns SNP_OK or the error of the signing.
 */
typedef snp_err (*snp_atk_sign_fn)(void *ctx, enum snp_atk_key key, uint64_t tcb, uint8_t *report,
                                   size_t len);

/*
 * The forger with a leaked ASK private key (THREAT-MODEL.md N10), plugged in by the caller
 * (host/ holds no vendor key and no X.509 code). It makes a fresh P-384 key, issues a VCEK
 * certificate for it with the leaked ASK in the vendor's exact shape (names, serial 0, validity
 * and AMD extensions of the chip's genuine VCEK at @report's REPORTED_TCB: hwID = CHIP_ID and
 * the TCB's SPLs), signs bytes 0x000..0x29F of @report (@len must be SNP_REPORT_SIZE) with the
 * new key and writes the signature block at 0x2A0. @certs (@certs_size bytes) receives an
 * extended-report certificate table (snpkit/certtable.h): the forged VCEK, the vendor's ASK and
 * ARK; *certs_len its length. The new key is freed before returning.
 * Returns SNP_OK, SNP_E_SPACE (@certs too small) or the error of a step.
 */
typedef snp_err (*snp_atk_forge_fn)(void *ctx, uint8_t *report, size_t len, uint8_t *certs,
                                    size_t certs_size, size_t *certs_len);

/*
 * The verifier given the collateral the host staples to the report (@certs: the certificate
 * table of an extended report) instead of fetching the VCEK from the vendor itself. It still
 * trusts only its own ARK and checks the vendor's CRL. Otherwise as snp_atk_verify_fn (called
 * with the env's verify_ctx).
 */
typedef snp_err (*snp_atk_verify_certs_fn)(void *ctx, const uint8_t *report, size_t len,
                                           const uint8_t *certs, size_t certs_len,
                                           const char *const *policy, bool *accepted, char *why,
                                           size_t why_size);

/*
 * The wire of one TLS connection (THREAT-MODEL.md N4), owned by the scenario: the hypervisor
 * is the guest's network device. It carries the @len bytes the client sends (TLS records) to
 * the guest and returns in @from (@cap bytes) what the guest sent back to the client,
 * *from_len bytes (0: nothing). Returns SNP_OK; an error when the guest stopped, closed the
 * connection or answered what does not parse or fit.
 */
typedef snp_err (*snp_atk_wire_fn)(void *wire_ctx, const uint8_t *to_guest, size_t len,
                                   uint8_t *from, size_t cap, size_t *from_len);

/* One aTLS client connection, run by the plug-in (snp_atk_tls_fn). */
struct snp_atk_tls {
    /* in */
    const uint8_t *measurement; /* 48 bytes: the MEASUREMENT the client requires */
    uint64_t reported_tcb;      /* the platform's REPORTED_TCB: the chip VCEK the client takes
                                   from the vendor when the evidence carries no certificates */
    const uint8_t *msg;         /* plaintext the client sends once the guest is verified */
    size_t msg_len;             /* at most sizeof(echo) */
    snp_atk_wire_fn wire;
    void *wire_ctx;
    /* out */
    bool verified;     /* the handshake completed with the evidence verified */
    snp_err verdict;   /* SNP_OK, or why the client refused the guest */
    char why[160];     /* the first failed check when refused */
    uint8_t echo[256]; /* plaintext the client read back */
    size_t echo_len;
};

/*
 * The attested-TLS client the caller plugs in (host/ cannot reach atls/): a TLS 1.3 client that
 * verifies the guest's evidence inside the handshake (the simulated vendor's ARK as the root,
 * the default policy plus t->measurement), then writes t->msg and reads until as many bytes
 * came back or the connection ended. Every byte it sends or receives passes through t->wire.
 * Returns SNP_OK when the connection ran (either verdict: t->verified, t->verdict); an error
 * when it could not (the wire's, SNP_E_NOMEM, SNP_E_CRYPTO, ...).
 */
typedef snp_err (*snp_atk_tls_fn)(void *ctx, struct snp_atk_tls *t);

/* The chip every scenario machine is built from (Genoa): a verifier fetches its VCEK from a
 * vendor that knows this seed. */
#define SNP_ATK_CHIP_SEED "snpkit attack chip"

/*
 * Fixes whose security-patch level AMD has not published. Named here, in one place, and used
 * by the snp-patched profile (installed TCB) and by the scenario's verifier policy.
 * XXX(spec): the CacheWarp (CVE-2023-20592) microcode SPL per product is not public; the value
 * is the model's default Genoa microcode SPL (0x54) + 1, not AMD's number.
 */
#define SNP_ATK_FIX_CACHEWARP_UCODE_GENOA 0x55

struct snp_atk_env {
    snp_vmm_entry_fn guest;   /* the victim program (snp_guest_app_main); NULL: guest
                                 scenarios report SNP_ATK_NOT_RUN */
    snp_atk_verify_fn verify; /* NULL: verifier scenarios report SNP_ATK_NOT_RUN */
    void *verify_ctx;
    snp_atk_sign_fn sign; /* NULL: forged-evidence scenarios report SNP_ATK_NOT_RUN */
    void *sign_ctx;
    snp_atk_verify_certs_fn verify_certs; /* with host-supplied certificates (verify_ctx);
                                             NULL: n10-leaked-ask reports SNP_ATK_NOT_RUN */
    snp_atk_forge_fn forge;               /* leaked-ASK forger; NULL: the same */
    void *forge_ctx;
    snp_vmm_entry_fn guest_atls; /* the aTLS guest program (snp_atls_guest_main); NULL:
                                    n4-io-atls reports SNP_ATK_NOT_RUN */
    snp_atk_tls_fn tls;          /* the aTLS client; NULL: the same */
    void *tls_ctx;
    snp_atk_trace_fn trace; /* NULL: no trace */
    void *trace_ctx;
    /* SNP_MUT_* (snpkit/machine.h) applied to every machine the runner builds: a deliberately
     * broken chip (the mutation check, `snpkit attack run --without`); 0 for every real run.
     * The expected outcomes stay those of the genuine chip, so a scenario that depends on a
     * removed protection mismatches. */
    unsigned mutations;
};

struct snp_atk_observed {
    enum snp_atk_outcome outcome;
    char evidence[512]; /* what was observed, one line: bytes, fault, status, verdict */
};

struct snp_atk_ctx; /* one run: the machine, the VM, the env (internal) */

struct snp_atk_scenario {
    const char *id;        /* stable name, e.g. "c1-read-private" */
    const char *title;     /* one line */
    const char *ref;       /* claim (THREAT-MODEL.md) or paper (attacks.md) */
    const char *cap;       /* attacker capability, "H1".."H7" or "phys" */
    const char *condition; /* what enables it */
    const char *defence;   /* what stops it */
    unsigned profiles;     /* SNP_ATK_PROFILE_BIT() of each profile it runs on */
    enum snp_atk_outcome expect[SNP_ATK_PROFILES];
    /* Stage the attack on c's fresh machine; fill *obs. An error means "could not stage". */
    snp_err (*run)(struct snp_atk_ctx *c, struct snp_atk_observed *obs);
};

/* The scenario table, in priority order: *count descriptors (each defined in a file of its own). */
const struct snp_atk_scenario *const *snp_atk_scenarios(size_t *count);
/* By id; NULL when unknown. */
const struct snp_atk_scenario *snp_atk_find(const char *id);

/* Whether @p can be staged by this build (plain needs the VMM's plain mode). */
bool snp_atk_profile_available(enum snp_atk_profile p);

struct snp_atk_result {
    const struct snp_atk_scenario *s;
    enum snp_atk_profile profile;
    enum snp_atk_outcome expected;
    struct snp_atk_observed observed;
    bool match; /* observed.outcome == expected */
};

/*
 * snp_atk_run() - run @s on a fresh machine of profile @p and compare. A scenario that could
 * not be staged is reported as SNP_ATK_NOT_RUN with the error in the evidence (a mismatch).
 * Returns SNP_OK with *res filled; SNP_E_ARG when @s does not declare @p; SNP_E_UNSUPPORTED
 * when @p is not available in this build.
 */
snp_err snp_atk_run(const struct snp_atk_scenario *s, enum snp_atk_profile p,
                    const struct snp_atk_env *env, struct snp_atk_result *res);

#endif /* SNPKIT_ATTACK_H */
