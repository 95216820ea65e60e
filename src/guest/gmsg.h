/*
 * guest/gmsg.h - the guest side of the SNP guest message protocol (attestation.md §7): one
 * VMPCK, its sequence numbers, AES-256-GCM sealing of requests and every check of responses,
 * and the rule that ANY unexpected failure once a request has been exposed to the hypervisor
 * wipes the VMPCK for good (STYLE.md §8; see gmsg_fail() for the reasoning in full).
 *
 * The transport is a callback (struct snp_gmsg_xport): the simulator back end sends through
 * the GHCB (gdev_sim.c), and the tests plug in a fake PSP. No simulator types here.
 */
#ifndef SNP_GUEST_GMSG_H
#define SNP_GUEST_GMSG_H

#include "base/compiler.h"
#include "snpkit/guest.h"
#include "snpkit/guestmsg.h"
#include "snpkit/secrets.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snp_gcm;

/*
 * How a sealed request travels. send() hands the 4 KiB request page to the hypervisor and
 * receives the 4 KiB response page and SW_EXITINFO2 (fw_error low, vmm_error high). For an
 * extended request (@ext) @certs / *@certs_pages describe the certificate buffer; the host
 * answers INVALID_LEN with *certs_pages = pages needed. send() returns SNP_OK when the exit
 * completed, whatever exitinfo2 says; an error when the GHCB protocol itself failed.
 */
struct snp_gmsg_xport {
    snp_err (*send)(void *ctx, bool ext, const uint8_t req[SNP_MSG_PAGE_SIZE],
                    uint8_t rsp[SNP_MSG_PAGE_SIZE], uint8_t *certs, size_t *certs_pages,
                    uint64_t *exitinfo2);
    /* Optional: persist the new sequence number (the secrets page OS area, §8.1). */
    void (*store_seqno)(void *ctx, uint8_t vmpck_id, uint64_t seqno);
    /* Optional: wipe the VMPCK where it lives too (the secrets page). */
    void (*disable)(void *ctx, uint8_t vmpck_id);
    void *ctx;
};

/* BUSY (vmm_error 2) retries with the same ciphertext before giving up (Linux: 60 s of 2 s). */
#define SNP_GMSG_BUSY_RETRIES 30

struct snp_gmsg {
    uint8_t vmpck[SNP_VMPCK_SIZE]; /* SECRET */
    uint8_t vmpck_id;              /* MSG_VMPCK */
    bool disabled;                 /* wiped after a failure: refuse for good */
    uint64_t seqno;                /* last response MSG_SEQNO; next request = seqno + 1 */
    snp_err disabled_by;           /* the failure that wiped the key (diagnostics) */
    struct snp_gcm *gcm;
};

/*
 * snp_gmsg_init() - take a copy of VMPCK @id (0..3) and the stored counter (§8.1: the last
 * response seqno; 0 at launch). An all-zero VMPCK is one the firmware did not provide or a
 * previous owner wiped: SNP_E_STATE. Returns SNP_OK, SNP_E_ARG, SNP_E_STATE, SNP_E_NOMEM.
 */
SNP_MUST_CHECK snp_err snp_gmsg_init(struct snp_gmsg *m, const uint8_t vmpck[SNP_VMPCK_SIZE],
                                     uint8_t id, uint64_t seqno);
/* snp_gmsg_fini() - wipe the key and free the cipher context. */
void snp_gmsg_fini(struct snp_gmsg *m);

/*
 * snp_gmsg_request() - one request/response exchange.
 * @type, @version:    MSG_TYPE (a request type) and MSG_VERSION.
 * @req, @req_len:     plaintext payload (1..4000 bytes).
 * @rsp, @rsp_cap:     out, the decrypted response payload (a secret for MSG_KEY_RSP: the
 *                     caller wipes it); *@rsp_len its length.
 * @certs, @certs_pages: NULL for a plain request (NAE 0x8000_0011); else an extended one
 *                     (0x8000_0012) with a buffer of *certs_pages pages; with SNP_E_SPACE,
 *                     *certs_pages is what the host asked for.
 * Returns SNP_OK; SNP_E_STATE (key disabled, or the firmware returned an error: st->fw_error);
 * SNP_E_SPACE (certificate buffer too small: the message was resent as a plain request so the
 * counters stay in step, and this response consumed); SNP_E_RANGE (counter exhausted; or a
 * response header field out of range); SNP_E_REPLAY / SNP_E_MISMATCH / SNP_E_VERSION /
 * SNP_E_RESERVED / SNP_E_AUTH (the response failed a §7.3 check); SNP_E_IO (the hypervisor
 * failed the exit). Every failure after the request was exposed leaves the key wiped.
 */
SNP_MUST_CHECK snp_err snp_gmsg_request(struct snp_gmsg *m, const struct snp_gmsg_xport *x,
                                        uint8_t type, uint8_t version, const uint8_t *req,
                                        size_t req_len, uint8_t *rsp, size_t rsp_cap,
                                        size_t *rsp_len, uint8_t *certs, size_t *certs_pages,
                                        struct snp_guest_status *st);

/*
 * snp_gmsg_seal() / snp_gmsg_open_page() - the AEAD halves, exposed for the fake PSP of the
 * tests and for the fuzz target. seal writes header + ciphertext of @hdr (authtag filled) into
 * @page; open decodes the header of @page, authenticates and decrypts its payload with @key
 * into @out (MSG_SIZE bytes, at most @out_cap). open checks only what it needs (HDR_SIZE,
 * MSG_SIZE within the page and @out_cap), not the §7.3 relations to a request.
 */
SNP_MUST_CHECK snp_err snp_gmsg_seal(struct snp_gcm *gcm, const uint8_t key[SNP_VMPCK_SIZE],
                                     const struct snp_msg_hdr *hdr, const uint8_t *payload,
                                     uint8_t page[SNP_MSG_PAGE_SIZE]);
SNP_MUST_CHECK snp_err snp_gmsg_open_page(struct snp_gcm *gcm, const uint8_t key[SNP_VMPCK_SIZE],
                                          const uint8_t page[SNP_MSG_PAGE_SIZE],
                                          struct snp_msg_hdr *hdr, uint8_t *out, size_t out_cap);

#endif /* SNP_GUEST_GMSG_H */
