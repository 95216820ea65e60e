/*
 * snpkit/vendor.h - the simulated vendor: a stand-in for AMD that certifies simulated chips,
 * and a key server with AMD's KDS URL layout in front of it (attestation.md §4, §5).
 * @module amd
 *
 * Per product line (Milan, Genoa, Turin) the vendor has an ARK (self-signed RSA, RSASSA-PSS
 * SHA-384 / MGF1-SHA-384 / salt 48), an ASK and an ASVK signed by it, and a CRL; it issues
 * VCEKs for registered chips at any TCB and VLEKs for cloud providers, in AMD's exact X.509
 * shape. The names keep the CNs verifiers look for (ARK-<Line>, SEV-<Line>, SEV-VLEK-<Line>,
 * SEV-VCEK, SEV-VLEK) but every other name part says "snpkit simulation", and the ARK is not
 * AMD's: a verifier accepts its chains only when told to trust this ARK (snpkit verify --root),
 * and rejects them against AMD's pins (chain.ark_pinned). The simulator can never be taken for
 * real hardware.
 *
 * Chips are named by a seed: the chip secret, CHIP_ID and per-TCB VCEK key derive from it
 * (crypto/vcek_kdf.h, docs/vendor.md), so the simulated firmware given the same seed signs
 * with the key this vendor certifies.
 *
 * Everything persists in a state directory (layout in docs/vendor.md), written atomically,
 * private keys and secrets mode 0600, shared by concurrent processes through a lock file. RSA
 * keys are generated on first use per product only (4096 bits take seconds).
 *
 * A struct snp_vendor is used by one thread at a time (the key server serialises its calls).
 */
#ifndef SNPKIT_VENDOR_H
#define SNPKIT_VENDOR_H

#include "snpkit/err.h"
#include "snpkit/tcb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_VENDOR_PATH_MAX   1024
#define SNP_VENDOR_CHIP_ID    64  /* CHIP_ID bytes (Turin: the first 8 are meaningful) */
#define SNP_VENDOR_CSP_ID_MAX 127 /* the VLEK csp_id extension, IA5String */

/* The vendor's certificate authorities of one product line (attestation.md §4.1). */
enum snp_vendor_ca {
    SNP_VENDOR_ARK = 0,  /* root: signs ASK, ASVK and the CRLs */
    SNP_VENDOR_ASK = 1,  /* signs VCEKs */
    SNP_VENDOR_ASVK = 2, /* signs VLEKs */
};

/* The two leaf families, as in the KDS URLs (vcek/..., vlek/...). */
enum snp_vendor_family {
    SNP_VENDOR_VCEK = 0,
    SNP_VENDOR_VLEK = 1,
};

struct snp_vendor_opts {
    const char *state_dir; /* NULL: snp_vendor_state_default() */
    unsigned rsa_bits;     /* size of CA keys generated from now on: 0 = 4096 (AMD's). 2048
                              makes tests fast; verifiers accept it only under --root */
    void *ctx;
    int64_t (*now)(void *ctx); /* UNIX seconds for validity dates; NULL: time() */
};

struct snp_vendor;

/*
 * snp_vendor_state_default() - "$XDG_DATA_HOME/snpkit/sim" when XDG_DATA_HOME is absolute,
 * else "$HOME/.local/share/snpkit/sim". SNP_E_NOTFOUND when neither is set; SNP_E_SPACE.
 */
snp_err snp_vendor_state_default(char *out, size_t out_size);

/*
 * snp_vendor_open() - open (creating it if needed, mode 0700) a vendor state directory.
 * Nothing is generated yet. o may be NULL (defaults).
 * Returns SNP_OK; SNP_E_IO (cannot create or use the directory); SNP_E_NOTFOUND (no default
 * directory); SNP_E_ARG (rsa_bits not 0 or 2048..8192); SNP_E_NOMEM.
 */
snp_err snp_vendor_open(struct snp_vendor **out, const struct snp_vendor_opts *o);

/* snp_vendor_free() - wipes the CA keys held in memory; NULL is a no-op. */
void snp_vendor_free(struct snp_vendor *v);

/* The state directory in use. */
const char *snp_vendor_state_dir(const struct snp_vendor *v);

/* ---- certificate authorities ------------------------------------------------------------- */

/*
 * snp_vendor_ca_cert() - the DER certificate of a CA of product p (generated and stored on
 * first use, with its key). *der is malloc'd (caller frees).
 * Returns SNP_OK; SNP_E_ARG (UNKNOWN product); SNP_E_IO; SNP_E_FORMAT (a corrupt state file);
 * SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_vendor_ca_cert(struct snp_vendor *v, enum snp_product p, enum snp_vendor_ca which,
                           uint8_t **der, size_t *len);

/*
 * snp_vendor_ca_path() - the file holding a CA's certificate in PEM, e.g. the path to give
 * `snpkit verify --root` (generated on first use). Errors as snp_vendor_ca_cert(), SNP_E_SPACE.
 */
snp_err snp_vendor_ca_path(struct snp_vendor *v, enum snp_product p, enum snp_vendor_ca which,
                           char *out, size_t out_size);

/* The serial number of a CA certificate (AMD's numbering, attestation.md §4.3); 0 if unknown. */
uint64_t snp_vendor_ca_serial(enum snp_product p, enum snp_vendor_ca which);

/*
 * snp_vendor_cert_chain() - the KDS cert_chain body: PEM of the ASK (VCEK family) or ASVK
 * (VLEK family), then the ARK, nothing else. *pem is malloc'd, NUL-terminated (caller frees).
 * Errors as snp_vendor_ca_cert().
 */
snp_err snp_vendor_cert_chain(struct snp_vendor *v, enum snp_product p, enum snp_vendor_family f,
                              char **pem, size_t *len);

/*
 * snp_vendor_crl() - the KDS crl body: a DER X.509 v2 CRL signed by the ARK (RSASSA-PSS, AMD's
 * parameters), thisUpdate now, nextUpdate in 7 days, listing the product's revoked serials.
 * Errors as snp_vendor_ca_cert().
 */
snp_err snp_vendor_crl(struct snp_vendor *v, enum snp_product p, enum snp_vendor_family f,
                       uint8_t **der, size_t *len);

/*
 * snp_vendor_revoke() - add serial to product p's revocation list (both CRLs of the line), or
 * with revoked = false take it off. Persisted. Returns SNP_OK; SNP_E_ARG; SNP_E_IO; SNP_E_SPACE
 * (more than 64 serials).
 */
snp_err snp_vendor_revoke(struct snp_vendor *v, enum snp_product p, uint64_t serial, bool revoked);

/* ---- chips and leaves ------------------------------------------------------------------- */

/*
 * snp_vendor_chip_add() - register the chip of product p made from seed (the same seed the
 * simulated firmware is given) and return its CHIP_ID. Registering again is harmless.
 * Returns SNP_OK; SNP_E_ARG; SNP_E_IO; SNP_E_CRYPTO.
 */
snp_err snp_vendor_chip_add(struct snp_vendor *v, enum snp_product p, const uint8_t *seed,
                            size_t seed_len, uint8_t chip_id[SNP_VENDOR_CHIP_ID]);

/*
 * snp_vendor_vcek_cert() - the VCEK certificate of the registered chip named by hwid (the KDS
 * hwID: 64 bytes on Milan/Genoa, 8 on Turin) at TCB tcb (TCB_VERSION in p's layout). Issued on
 * first request and then served from the state directory, so a chip and TCB always get the
 * same bytes. *der is malloc'd (caller frees).
 * Returns SNP_OK; SNP_E_NOTFOUND (no such chip); SNP_E_ARG (hwid length not the product's);
 * SNP_E_RANGE (tcb has non-zero reserved bytes); SNP_E_IO; SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_vendor_vcek_cert(struct snp_vendor *v, enum snp_product p, const uint8_t *hwid,
                             size_t hwid_len, uint64_t tcb, uint8_t **der, size_t *len);

/*
 * snp_vendor_vlek_cert() - a VLEK certificate for cloud provider csp_id (e.g.
 * "CN=cc-us-east-2.example") at tcb, signed by the ASVK. The key is derived from the vendor's
 * VLEK master secret, csp_id, p and tcb (crypto/vcek_kdf.h). Not cached.
 * Returns SNP_OK; SNP_E_ARG (empty or too long csp_id, bad product); SNP_E_RANGE; SNP_E_IO;
 * SNP_E_NOMEM; SNP_E_CRYPTO.
 */
snp_err snp_vendor_vlek_cert(struct snp_vendor *v, enum snp_product p, const char *csp_id,
                             uint64_t tcb, uint8_t **der, size_t *len);

/*
 * snp_vendor_vlek_private() - the VLEK private scalar (48 bytes, big-endian) of csp_id at tcb:
 * the key the firmware signs with once snp_vendor_vlek_wrapped()'s hashstick is loaded
 * (SNP_VLEK_LOAD). A secret: the caller wipes it.
 * Errors as snp_vendor_vlek_cert().
 */
snp_err snp_vendor_vlek_private(struct snp_vendor *v, enum snp_product p, const char *csp_id,
                                uint64_t tcb, uint8_t d[48]);

/*
 * snp_vendor_vlek_wrapped() - the VLEK of cloud provider csp_id at tcb, wrapped for one chip:
 * the 0x1B0-byte "hashstick" that SNP_VLEK_LOAD takes (simulator format, docs/psp.md). It
 * carries the provider's CSP secret (the firmware derives the same key snp_vendor_vlek_cert()
 * certifies) under AES-256-GCM with the chip's wrapping key and tcb as additional data, so it
 * loads into that chip only and at that TCB only. A fresh random IV each call.
 * @hwid: the registered chip's KDS hwID (64 bytes, Turin 8), as for snp_vendor_vcek_cert().
 * @out:  always overwritten (zero on failure). Not secret once sealed.
 * Returns SNP_OK; SNP_E_NOTFOUND (no such chip); SNP_E_ARG (product, hwid length, csp_id);
 * SNP_E_RANGE (tcb with non-zero reserved bytes); SNP_E_FORMAT; SNP_E_IO; SNP_E_CRYPTO.
 */
#define SNP_VENDOR_VLEK_WRAPPED_SIZE 0x1B0
snp_err snp_vendor_vlek_wrapped(struct snp_vendor *v, enum snp_product p, const uint8_t *hwid,
                                size_t hwid_len, const char *csp_id, uint64_t tcb,
                                uint8_t out[SNP_VENDOR_VLEK_WRAPPED_SIZE]);

/* ---- the key server's request grammar (pure: no I/O, fuzzed) ---------------------------- */

enum snp_kds_req_kind {
    SNP_KDS_REQ_VCEK = 0,  /* /vcek/v1/{Line}/{hwid}?...SPL=... */
    SNP_KDS_REQ_CHAIN = 1, /* /{vcek|vlek}/v1/{Line}/cert_chain */
    SNP_KDS_REQ_CRL = 2,   /* /{vcek|vlek}/v1/{Line}/crl */
};

struct snp_kds_req {
    enum snp_kds_req_kind kind;
    enum snp_vendor_family family;
    enum snp_product product;
    uint8_t hwid[SNP_VENDOR_CHIP_ID]; /* VCEK only */
    size_t hwid_len;                  /* 64 (Milan/Genoa) or 8 (Turin) */
    uint64_t tcb;                     /* VCEK only: TCB_VERSION built in the product's layout */
};

/*
 * snp_kds_req_parse() - parse a request target ("/path?query", as on the request line; no
 * percent-decoding: AMD's grammar has no use for it) the way AMD's KDS answers it
 * (attestation.md §5): VCEK queries need blSPL, teeSPL, snpSPL, ucodeSPL (and fmcSPL on Turin
 * only), each a decimal 0..255 (leading zeros allowed, as snpguest sends), each once, nothing
 * else; hwid is hex of the product's hwID length. Queries on cert_chain and crl are ignored.
 * @out: always overwritten (zero on failure).
 * Returns SNP_OK; SNP_E_NOTFOUND (HTTP 404: no such resource, unknown product, a hwID of the
 * wrong length e.g. the 64-byte form on Turin); SNP_E_FORMAT (HTTP 400: malformed or missing
 * parameters, non-hex hwID); SNP_E_ARG (NULL).
 */
snp_err snp_kds_req_parse(struct snp_kds_req *out, const char *target, size_t len);

/* ---- the key server (libmicrohttpd) ---------------------------------------------------- */

struct snp_kds_server_opts {
    const char *listen;  /* "ADDR:PORT" (IPv4 dotted quad); NULL: "127.0.0.1:0" (ephemeral) */
    bool allow_nonlocal; /* MUST be set to bind anything but a 127.0.0.0/8 address */
    unsigned rate_per_s; /* token bucket: this many requests per second, burst as many; 0: none.
                            Excess requests get 429 with Retry-After (whole seconds) */
    void *ctx;           /* for the hooks below */
    int64_t (*now_ms)(void *ctx);             /* rate-limit clock; NULL: CLOCK_MONOTONIC */
    void (*log)(void *ctx, const char *line); /* one line per request; NULL: none */
};

struct snp_kds_server;

/*
 * snp_kds_server_start() - serve v on a background thread until snp_kds_server_stop(). The
 * server calls v from that thread only; the caller MUST NOT use v meanwhile.
 * Returns SNP_OK; SNP_E_ARG (bad listen address, non-loopback without allow_nonlocal);
 * SNP_E_IO (cannot bind); SNP_E_NOMEM.
 */
snp_err snp_kds_server_start(struct snp_kds_server **out, struct snp_vendor *v,
                             const struct snp_kds_server_opts *o);

/* The bound port (the ephemeral one when listen asked for port 0). */
uint16_t snp_kds_server_port(const struct snp_kds_server *s);

/* Stop serving, wait for the thread, free; NULL is a no-op. v is the caller's again. */
void snp_kds_server_stop(struct snp_kds_server *s);

#endif /* SNPKIT_VENDOR_H */
