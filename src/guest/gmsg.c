/*
 * guest/gmsg.c - guest messages as the guest builds them (attestation.md §7): header, AEAD
 * (AES-256-GCM, IV = MSG_SEQNO, AAD = header 0x30..0x60), sequence numbers (§7.3), response
 * checks, and the VMPCK wipe on failure (STYLE.md §8).
 *
 * Relies on abi/guestmsg.c for the header codec and the §7.3 response-header relations, and on
 * crypto/gcm.c (tags compared with snp_ct_eq there). Never prints; never sees the simulator.
 */
#include "guest/gmsg.h"

#include "crypto/gcm.h"
#include "snpkit/fwstatus.h"
#include "snpkit/util.h"

#include <string.h>

snp_err
snp_gmsg_init(struct snp_gmsg *m, const uint8_t vmpck[SNP_VMPCK_SIZE], uint8_t id, uint64_t seqno)
{
    memset(m, 0, sizeof(*m));
    if (vmpck == NULL || id > SNP_MSG_VMPCK_MAX) {
        return SNP_E_ARG;
    }
    /* An all-zero VMPCK was never provisioned, or was wiped after a failure: never use it. */
    if (snp_ct_is_zero(vmpck, SNP_VMPCK_SIZE)) {
        m->disabled = true;
        m->disabled_by = SNP_E_STATE;
        return SNP_E_STATE;
    }
    SNP_TRY(snp_gcm_new(&m->gcm));
    memcpy(m->vmpck, vmpck, SNP_VMPCK_SIZE);
    m->vmpck_id = id;
    m->seqno = seqno;
    return SNP_OK;
}

void
snp_gmsg_fini(struct snp_gmsg *m)
{
    if (m == NULL) {
        return;
    }
    snp_wipe(m->vmpck, sizeof(m->vmpck));
    snp_gcm_free(m->gcm);
    m->gcm = NULL;
    m->disabled = true;
}

snp_err
snp_gmsg_seal(struct snp_gcm *gcm, const uint8_t key[SNP_VMPCK_SIZE], const struct snp_msg_hdr *hdr,
              const uint8_t *payload, uint8_t page[SNP_MSG_PAGE_SIZE])
{
    uint8_t iv[SNP_MSG_IV_LEN];
    uint8_t tag[SNP_MSG_TAG_LEN];

    if (hdr->msg_size > SNP_MSG_PAYLOAD_MAX) {
        return SNP_E_RANGE;
    }
    memset(page, 0, SNP_MSG_PAGE_SIZE);
    SNP_TRY(snp_msg_hdr_encode(page, hdr));
    memset(page + SNP_MSG_HDR_OFF_AUTHTAG, 0, SNP_MSG_AUTHTAG_SIZE);
    /* §7.2: IV = MSG_SEQNO LE in bytes 0..7; AAD = the encoded header 0x30..0x60. */
    snp_msg_iv(iv, hdr->msg_seqno);
    SNP_TRY(snp_gcm_seal(gcm, key, iv, snp_msg_hdr_aad(page), SNP_MSG_AAD_LEN, payload,
                         page + SNP_MSG_HDR_SIZE, hdr->msg_size, tag));
    memcpy(page + SNP_MSG_HDR_OFF_AUTHTAG, tag, sizeof(tag));
    return SNP_OK;
}

snp_err
snp_gmsg_open_page(struct snp_gcm *gcm, const uint8_t key[SNP_VMPCK_SIZE],
                   const uint8_t page[SNP_MSG_PAGE_SIZE], struct snp_msg_hdr *hdr, uint8_t *out,
                   size_t out_cap)
{
    uint8_t iv[SNP_MSG_IV_LEN];

    SNP_TRY(snp_msg_hdr_decode(hdr, page, SNP_MSG_HDR_SIZE, NULL));
    if (hdr->hdr_size != SNP_MSG_HDR_SIZE || hdr->msg_size == 0 ||
        hdr->msg_size > SNP_MSG_PAYLOAD_MAX || hdr->msg_size > out_cap) {
        return SNP_E_RANGE;
    }
    snp_msg_iv(iv, hdr->msg_seqno);
    /* The AAD is the header as received, never a re-encoding (STYLE.md §7.6). */
    return snp_gcm_open(gcm, key, iv, snp_msg_hdr_aad(page), SNP_MSG_AAD_LEN,
                        page + SNP_MSG_HDR_SIZE, out, hdr->msg_size,
                        page + SNP_MSG_HDR_OFF_AUTHTAG);
}

/*
 * gmsg_fail() - wipe the VMPCK and refuse to use it again, then return @why.
 *
 * Why, in full (STYLE.md §8; the Linux sev-guest driver does the same): once a request has been
 * handed to the hypervisor, its ciphertext is bound to a sequence number the firmware may or may
 * not have consumed. If anything unexpected happens from then on (the hypervisor fails the exit,
 * the firmware refuses, or the response is malformed, replayed, out of sequence, or fails its
 * tag) we no longer know the firmware's counter. Retrying with the same sequence number and a
 * different payload would reuse an AES-GCM IV under the same key, which leaks the keystream
 * XOR of the two plaintexts and lets the GHASH key be recovered, i.e. lets the hypervisor forge
 * messages; retrying with a fresh number the firmware never expected would just fail, and a
 * hypervisor that can make us try again and again gets an oracle. The only safe move is to
 * stop using this VMPCK for the lifetime of the guest: it is wiped here and in the secrets page.
 * The guest loses attestation through this VMPCK, which the threat model concedes (a hostile
 * hypervisor can always deny service); it never loses confidentiality or integrity.
 */
static snp_err
gmsg_fail(struct snp_gmsg *m, const struct snp_gmsg_xport *x, snp_err why)
{
    snp_wipe(m->vmpck, sizeof(m->vmpck));
    m->disabled = true;
    m->disabled_by = why;
    if (x != NULL && x->disable != NULL) {
        x->disable(x->ctx, m->vmpck_id);
    }
    return why;
}

/* Hand the sealed page over: BUSY retried with the same ciphertext (§7.3). */
static snp_err
send_retry(const struct snp_gmsg_xport *x, bool ext, const uint8_t *req, uint8_t *rsp,
           uint8_t *certs, size_t *certs_pages, uint64_t *exitinfo2)
{
    for (unsigned i = 0;; i++) {
        SNP_TRY(x->send(x->ctx, ext, req, rsp, certs, certs_pages, exitinfo2));
        if ((*exitinfo2 >> 32) != SNP_GUEST_VMM_ERR_BUSY) {
            return SNP_OK;
        }
        if (i + 1 >= SNP_GMSG_BUSY_RETRIES) {
            return SNP_E_IO; /* still busy: the request may or may not be consumed */
        }
    }
}

/* The response checks of §7.3, in order, then decryption. */
static snp_err
check_response(struct snp_gmsg *m, const struct snp_msg_hdr *req_hdr,
               const uint8_t rsp_page[SNP_MSG_PAGE_SIZE], uint8_t *rsp, size_t rsp_cap,
               size_t *rsp_len)
{
    struct snp_msg_hdr h;

    /* Header reserved bytes MBZ (the firmware builds response headers from zero). */
    SNP_TRY(snp_msg_hdr_decode(&h, rsp_page, SNP_MSG_HDR_SIZE, NULL));
    /* seqno = req + 1 (SNP_E_REPLAY), type = req + 1, same version and VMPCK (SNP_E_MISMATCH),
     * ALGO / HDR_VERSION / HDR_SIZE, MSG_SIZE within the page. */
    SNP_TRY(snp_msg_hdr_check_response(&h, req_hdr, NULL));
    /* §7.3 "MSG_SIZE + 16 fits the receive buffer": our buffer is the caller's payload. */
    if (h.msg_size > rsp_cap) {
        return SNP_E_RANGE;
    }
    SNP_TRY(snp_gmsg_open_page(m->gcm, m->vmpck, rsp_page, &h, rsp, rsp_cap));
    *rsp_len = h.msg_size;
    return SNP_OK;
}

snp_err
snp_gmsg_request(struct snp_gmsg *m, const struct snp_gmsg_xport *x, uint8_t type, uint8_t version,
                 const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, size_t *rsp_len,
                 uint8_t *certs, size_t *certs_pages, struct snp_guest_status *st)
{
    static const uint8_t zero_page[SNP_MSG_PAGE_SIZE];
    uint8_t req_page[SNP_MSG_PAGE_SIZE];
    uint8_t rsp_page[SNP_MSG_PAGE_SIZE];
    struct snp_msg_hdr h;
    uint64_t exitinfo2 = 0;
    size_t need_pages = 0;
    bool too_small = false;
    snp_err err;

    *rsp_len = 0;
    if (m->disabled) {
        return SNP_E_STATE; /* wiped after an earlier failure: never again */
    }
    if (req == NULL || req_len == 0 || req_len > SNP_MSG_PAYLOAD_MAX || rsp == NULL ||
        (certs != NULL && certs_pages == NULL)) {
        return SNP_E_ARG;
    }
    /* §7.3: request = last + 1, response = request + 1; neither may wrap (seqno 0 is never
     * valid). Checked before anything is exposed, so the key stays usable... for nothing: the
     * counter is exhausted, so we disable it without calling it an attack. */
    if (m->seqno >= UINT64_MAX - 2) {
        m->disabled = true;
        snp_wipe(m->vmpck, sizeof(m->vmpck));
        return SNP_E_RANGE;
    }
    memset(&h, 0, sizeof(h));
    h.msg_seqno = m->seqno + 1;
    h.algo = SNP_MSG_ALGO_AES_256_GCM;
    h.hdr_version = SNP_MSG_HDR_VERSION;
    h.hdr_size = SNP_MSG_HDR_SIZE;
    h.msg_type = type;
    h.msg_version = version;
    h.msg_size = (uint16_t)req_len;
    h.msg_vmpck = m->vmpck_id;
    err = snp_gmsg_seal(m->gcm, m->vmpck, &h, req, req_page);
    if (err != SNP_OK) {
        goto out; /* nothing exposed: the key stays good */
    }

    /* ---- exposed from here: any unexpected failure wipes the key ---- */
    memcpy(rsp_page, zero_page, sizeof(rsp_page));
    err = send_retry(x, certs != NULL, req_page, rsp_page, certs, certs_pages, &exitinfo2);
    if (err == SNP_OK && certs != NULL && (exitinfo2 >> 32) == SNP_GUEST_VMM_ERR_INVALID_LEN) {
        /* §6.3/§7.3: the host did not pass the request to the PSP. Resend THE SAME ciphertext
         * as a plain request so the firmware consumes this sequence number; re-encrypting
         * something else under it later would reuse the IV. */
        need_pages = *certs_pages;
        too_small = true;
        memcpy(rsp_page, zero_page, sizeof(rsp_page));
        err = send_retry(x, false, req_page, rsp_page, NULL, NULL, &exitinfo2);
    }
    if (st != NULL) {
        st->fw_error = (uint32_t)exitinfo2;
        st->vmm_error = (uint32_t)(exitinfo2 >> 32);
    }
    if (err != SNP_OK) {
        err = gmsg_fail(m, x, err);
        goto out;
    }
    if (exitinfo2 != 0) {
        /* The firmware refused (no response was produced) or the host reported an error. */
        err = gmsg_fail(m, x, (uint32_t)exitinfo2 != 0 ? SNP_E_STATE : SNP_E_IO);
        goto out;
    }
    err = check_response(m, &h, rsp_page, rsp, rsp_cap, rsp_len);
    if (err != SNP_OK) {
        *rsp_len = 0;
        err = gmsg_fail(m, x, err);
        goto out;
    }
    m->seqno = h.msg_seqno + 1; /* the response's number: the firmware's counter now */
    if (x->store_seqno != NULL) {
        x->store_seqno(x->ctx, m->vmpck_id, m->seqno);
    }
    if (too_small) {
        *certs_pages = need_pages;
        err = SNP_E_SPACE;
    }
out:
    snp_wipe(rsp_page, sizeof(rsp_page)); /* ciphertext only, but cheap */
    snp_wipe(req_page, sizeof(req_page));
    return err;
}
