/*
 * crypto/x509.h - AMD's X.509 certificates and CRLs, over OpenSSL, with no OpenSSL type in sight.
 *
 * Parsing keeps what the verifier needs as plain data (struct snp_x509_info): names, serial,
 * validity, CA flags, key type and the AMD extensions of attestation.md §4.4. Signature checks
 * accept only AMD's RSASSA-PSS parameters (§4.2: SHA-384, MGF1-SHA-384, salt 48, trailer 1), in
 * the two DER encodings AMD has used (trailerField written out, and omitted as the DER default);
 * anything else is refused before any RSA work is done.
 *
 * Policy (which certificate may sign which, pins, times) lives in verify/. Internal header: only
 * crypto/ and verify/ (and tests, benchmarks, and the simulated vendor) include it.
 */
#ifndef SNP_CRYPTO_X509_H
#define SNP_CRYPTO_X509_H

#include "base/compiler.h"
#include "crypto/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_X509_FP_SIZE    32 /* SHA-256 of the DER */
#define SNP_X509_CN_MAX     64
#define SNP_X509_SERIAL_MAX 20 /* RFC 5280 §4.1.2.2: at most 20 octets */
#define SNP_AMD_HWID_MAX    64
#define SNP_AMD_PRODUCT_MAX 32
#define SNP_AMD_CSP_ID_MAX  128

/* The signature algorithm of a certificate or CRL (§4.2). */
enum snp_x509_sigalg {
    SNP_X509_SIG_OTHER = 0,         /* anything else: never verified */
    SNP_X509_SIG_PSS_AMD = 1,       /* AMD's PSS parameters, trailerField written (72 bytes) */
    SNP_X509_SIG_PSS_AMD_NOTRL = 2, /* the same, trailerField omitted (67 bytes; Turin VCEK) */
};

enum snp_x509_keytype {
    SNP_X509_KEY_OTHER = 0,
    SNP_X509_KEY_RSA = 1,
    SNP_X509_KEY_P384 = 2,
};

/* Index of the TCB SPL extensions, 1.3.6.1.4.1.3704.1.3.<i> (§4.4). */
enum snp_amd_spl {
    SNP_AMD_SPL_BL = 1,
    SNP_AMD_SPL_TEE = 2,
    SNP_AMD_SPL_SNP = 3,
    SNP_AMD_SPL_4 = 4,
    SNP_AMD_SPL_5 = 5,
    SNP_AMD_SPL_6 = 6,
    SNP_AMD_SPL_7 = 7,
    SNP_AMD_SPL_UCODE = 8,
    SNP_AMD_SPL_FMC = 9, /* Turin (structVersion 1) */
    SNP_AMD_SPL_COUNT = 10
};

/* The AMD extensions of a VCEK/VLEK (arc 1.3.6.1.4.1.3704.1, §4.4). */
struct snp_amd_ext {
    bool has_struct_version; /* .1 */
    uint32_t struct_version;
    bool has_product_name; /* .2, IA5String */
    char product_name[SNP_AMD_PRODUCT_MAX];
    bool has_spl[SNP_AMD_SPL_COUNT]; /* .3.1 .. .3.9 */
    uint8_t spl[SNP_AMD_SPL_COUNT];
    bool has_hwid;     /* .4: raw bytes, or an OCTET STRING around them */
    bool hwid_wrapped; /* true when the OCTET STRING form was seen */
    size_t hwid_len;
    uint8_t hwid[SNP_AMD_HWID_MAX];
    bool has_csp_id; /* .5, IA5String (VLEK) */
    char csp_id[SNP_AMD_CSP_ID_MAX];
    unsigned n_unknown; /* other extensions under the AMD arc */
    unsigned n_bad;     /* AMD extensions whose value did not parse */
};

struct snp_x509_info {
    uint8_t fp[SNP_X509_FP_SIZE];
    char subject_cn[SNP_X509_CN_MAX];
    char issuer_cn[SNP_X509_CN_MAX];
    bool self_issued;                    /* subject DN == issuer DN (whole names, not just CN) */
    uint8_t serial[SNP_X509_SERIAL_MAX]; /* big-endian magnitude, no leading zeros; 0 -> len 0 */
    size_t serial_len;
    bool serial_negative;
    long version;       /* 2 for X.509 v3 */
    int64_t not_before; /* seconds since the epoch, UTC */
    int64_t not_after;
    enum snp_x509_sigalg sigalg; /* the TBS and outer algorithm, when byte-equal; else OTHER */
    enum snp_x509_keytype key_type;
    unsigned key_bits;
    bool has_basic_constraints;
    bool is_ca;
    long pathlen; /* -1: absent */
    bool has_key_usage;
    uint32_t key_usage;          /* SNP_X509_KU_* */
    unsigned n_critical_unknown; /* critical extensions we do not understand */
    struct snp_amd_ext amd;
};

#define SNP_X509_KU_DIGITAL_SIGNATURE 0x0080u
#define SNP_X509_KU_KEY_CERT_SIGN     0x0004u
#define SNP_X509_KU_CRL_SIGN          0x0002u

struct snp_x509;     /* a parsed certificate; immutable once parsed, so shareable across threads */
struct snp_x509_crl; /* a parsed CRL; the same */

/*
 * snp_x509_from_der() - parse one DER certificate at the start of der.
 * @used: out: the bytes it took (der may hold more, e.g. concatenated DER).
 * Returns SNP_OK; SNP_E_FORMAT (not a certificate; the AMD extensions are parsed leniently and
 * flagged in info.amd.n_bad rather than refused); SNP_E_NOMEM; SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_x509_from_der(struct snp_x509 **out, const uint8_t *der, size_t len,
                                         size_t *used);
void snp_x509_free(struct snp_x509 *c);

/* The plain data of c: never NULL, valid as long as c. */
const struct snp_x509_info *snp_x509_info(const struct snp_x509 *c);

/* The DER bytes as parsed (what the fingerprint covers). */
const uint8_t *snp_x509_der(const struct snp_x509 *c, size_t *len);

/* The P-384 public key of a leaf, parsed once (NULL unless info.key_type is P384). Borrowed. */
const struct snp_eckey *snp_x509_eckey(const struct snp_x509 *c);

/*
 * snp_x509_verify_by() - check c's signature with issuer's public key, AMD's PSS only.
 * Does not look at names, times or CA flags (verify/ does).
 * Returns SNP_OK; SNP_E_UNSUPPORTED (c's algorithm is not AMD's PSS, or the TBS and outer
 * algorithms differ, or issuer's key is not RSA); SNP_E_SIG (does not verify); SNP_E_NOMEM;
 * SNP_E_CRYPTO.
 */
SNP_MUST_CHECK snp_err snp_x509_verify_by(const struct snp_x509 *c, const struct snp_x509 *issuer);

/* ---- CRLs ------------------------------------------------------------------------------------ */

struct snp_x509_crl_info {
    uint8_t fp[SNP_X509_FP_SIZE];
    char issuer_cn[SNP_X509_CN_MAX];
    int64_t this_update;
    bool has_next_update;
    int64_t next_update;
    enum snp_x509_sigalg sigalg;
    size_t n_revoked;
};

/* As snp_x509_from_der(), for a DER CRL. */
SNP_MUST_CHECK snp_err snp_x509_crl_from_der(struct snp_x509_crl **out, const uint8_t *der,
                                             size_t len, size_t *used);
void snp_x509_crl_free(struct snp_x509_crl *crl);
const struct snp_x509_crl_info *snp_x509_crl_info(const struct snp_x509_crl *crl);

/* As snp_x509_verify_by(), for the CRL's signature (AMD's PSS only). */
SNP_MUST_CHECK snp_err snp_x509_crl_verify_by(const struct snp_x509_crl *crl,
                                              const struct snp_x509 *issuer);

/*
 * snp_x509_crl_revoked() - is the serial (big-endian magnitude as in snp_x509_info) listed?
 * @when: out, optional: the revocation date.
 */
bool snp_x509_crl_revoked(const struct snp_x509_crl *crl, const uint8_t *serial, size_t len,
                          int64_t *when);

/* ---- bundles -----------------------------------------------------------------------------------
 */

/*
 * The sink of snp_x509_load(): receives each object in order and owns it (exactly one of cert,
 * crl is non-NULL). A non-SNP_OK return stops the load and is returned.
 */
typedef snp_err (*snp_x509_sink)(void *ctx, struct snp_x509 *cert, struct snp_x509_crl *crl);

/*
 * snp_x509_load() - every certificate and CRL in buf: PEM (any number of CERTIFICATE and
 * X509 CRL blocks, other blocks and text between them ignored) or DER (one or more concatenated
 * certificates/CRLs, nothing else).
 * Returns SNP_OK (at least one object); SNP_E_FORMAT (nothing recognisable, a PEM block that does
 * not parse, or DER followed by bytes that are no object); SNP_E_NOMEM; the sink's error.
 */
SNP_MUST_CHECK snp_err snp_x509_load(const uint8_t *buf, size_t len, snp_x509_sink sink, void *ctx);

/* ---- issuing (the simulated vendor, tests, benchmarks) --------------------------------------- */

struct snp_rsakey; /* an RSA key pair */

/* A fresh RSA key of bits (2048..8192), e = 65537. 4096 is slow (seconds): tests use 2048. */
SNP_MUST_CHECK snp_err snp_rsakey_generate(struct snp_rsakey **out, unsigned bits);
void snp_rsakey_free(struct snp_rsakey *k);

/* PEM (PKCS#8, unencrypted) of the private key; *pem is malloc'd: free with snp_free_secret(). */
SNP_MUST_CHECK snp_err snp_rsakey_to_pem(const struct snp_rsakey *k, char **pem, size_t *pem_len);

/* An RSA private key from PEM. SNP_E_FORMAT (no key); SNP_E_UNSUPPORTED (not RSA >= 2048). */
SNP_MUST_CHECK snp_err snp_rsakey_from_pem(struct snp_rsakey **out, const uint8_t *pem, size_t len);

/* The five fixed RDNs of an AMD-shaped name (§4.3), in AMD's order; NULL members keep AMD's
 * value. The simulated vendor replaces all five so its certificates never claim to be AMD's. */
struct snp_x509_dn {
    const char *ou; /* "Engineering" */
    const char *c;  /* "US" (PrintableString: two letters) */
    const char *l;  /* "Santa Clara" */
    const char *st; /* "CA" */
    const char *o;  /* "Advanced Micro Devices" */
};

enum snp_x509_role {
    SNP_X509_ROLE_ARK = 0,  /* CA, keyCertSign + cRLSign, self-signed */
    SNP_X509_ROLE_ASK = 1,  /* CA pathlen 0, keyCertSign (also the ASVK) */
    SNP_X509_ROLE_LEAF = 2, /* VCEK/VLEK: the AMD extensions only */
};

struct snp_x509_spec {
    enum snp_x509_role role;
    const char *subject_cn; /* the DN is AMD's six RDNs with this CN (§4.3) */
    const char *issuer_cn;
    uint64_t serial;
    int64_t not_before;
    int64_t not_after;
    const struct snp_amd_ext *amd; /* LEAF: the extensions to write (has_* select them) */
    bool pss_no_trailer;           /* emit the 67-byte algorithm (Turin VCEK) not the 72-byte */
    const struct snp_x509_dn *dn;  /* NULL: AMD's names; else these, subject and issuer alike */
    const char *crl_dp;            /* ARK/ASK: one CRL distribution point URI; NULL: none */
    const uint8_t *spl_order;      /* LEAF: SPL indices (enum snp_amd_spl) in the order to write
                                      them (AMD's differs per generation, §4.4); NULL: 1..9 */
    size_t n_spl_order;
};

/*
 * snp_x509_issue() - make a certificate in AMD's shape, signed with issuer_key (RSA-PSS, AMD
 * parameters). The subject key is subject_rsa (ARK/ASK) or subject_ec (LEAF).
 * @der: out, malloc'd; caller frees.
 */
SNP_MUST_CHECK snp_err snp_x509_issue(uint8_t **der, size_t *der_len,
                                      const struct snp_x509_spec *spec,
                                      const struct snp_rsakey *subject_rsa,
                                      const struct snp_eckey *subject_ec,
                                      const struct snp_rsakey *issuer_key);

/* snp_x509_issue_crl() - an AMD-shaped CRL (v2, PSS) revoking the given serials. */
SNP_MUST_CHECK snp_err snp_x509_issue_crl(uint8_t **der, size_t *der_len, const char *issuer_cn,
                                          int64_t this_update, int64_t next_update,
                                          const uint64_t *revoked, size_t n_revoked,
                                          const struct snp_rsakey *issuer_key);

/* snp_x509_issue_crl_dn() - the same, with the issuer's name built from dn (NULL: AMD's). */
SNP_MUST_CHECK snp_err snp_x509_issue_crl_dn(uint8_t **der, size_t *der_len,
                                             const struct snp_x509_dn *dn, const char *issuer_cn,
                                             int64_t this_update, int64_t next_update,
                                             const uint64_t *revoked, size_t n_revoked,
                                             const struct snp_rsakey *issuer_key);

/* snp_x509_time_parse() - "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC only) to epoch seconds. */
SNP_MUST_CHECK snp_err snp_x509_time_parse(const char *text, int64_t *out);

/* snp_x509_epoch() - seconds since the epoch of a UTC civil time (no libc timezone use). */
int64_t snp_x509_epoch(int year, int mon, int mday, int hour, int min, int sec);

#endif /* SNP_CRYPTO_X509_H */
