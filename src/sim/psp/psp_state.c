/*
 * sim/psp/psp_state.c - the firmware's NV state as a versioned blob (STYLE.md §9.2; the
 * libtpms/swtpm habit), so a simulated chip persists across runs. Layout (little-endian):
 *
 *   0x00  8  magic "SNPKPSP1"
 *   0x08  4  format version (1)          0x0C  4  minimum reader version (1)
 *   0x10  4  total length                0x14  4  product (enum snp_product)
 *   0x18 32  chip secret                 (SECRET)
 *   0x38  8  installed TCB               0x40  8  committed TCB
 *   0x48  8  SNP_CONFIG REPORTED_TCB (0: follow the committed TCB)
 *   0x50  3  installed version (build, minor, major)   0x53  3  committed version
 *   0x56  1  flags: bit0 MASK_CHIP_ID, bit1 MASK_CHIP_KEY, bit2 VLEK loaded, bit3 SMT
 *   0x57  1  reserved (0)
 *   0x58  4  report version              0x5C  4  reserved (0)
 *   0x60 32  VLEK CSP secret (SECRET; zero when none)   0x80  8  VLEK TCB
 *   0x88 32  SHA-256 of bytes 0 .. length-32 (corruption check, not authentication)
 *
 * A reader accepts any format version whose minimum reader version is <= its own, reading the
 * prefix it knows; a blob that needs a newer reader is refused with SNP_E_VERSION.
 */
#include "sim/psp/psp_int.h"

#include "crypto/vcek_kdf.h"
#include "snpkit/util.h"

#include <string.h>

#define BLOB_MAGIC      "SNPKPSP1"
#define BLOB_VERSION    1u
#define BLOB_MIN_READER 1u
#define BLOB_BODY       0x88u
#define BLOB_SIZE       (BLOB_BODY + SNP_SHA256_SIZE)

_Static_assert(BLOB_SIZE <= SNP_PSP_STATE_MAX, "blob fits the public maximum");

snp_err
snp_psp_save(const struct snp_psp *p, uint8_t *out, size_t out_size, size_t *out_len)
{
    const struct psp_nv *nv = &p->nv;

    *out_len = 0;
    if (out_size < BLOB_SIZE) {
        return SNP_E_SPACE;
    }
    memset(out, 0, BLOB_SIZE);
    memcpy(out, BLOB_MAGIC, 8);
    psp_wr32(out, 0x08, BLOB_VERSION);
    psp_wr32(out, 0x0C, BLOB_MIN_READER);
    psp_wr32(out, 0x10, BLOB_SIZE);
    psp_wr32(out, 0x14, (uint32_t)nv->product);
    memcpy(out + 0x18, nv->chip_secret, 32);
    psp_wr64(out, 0x38, nv->current_tcb);
    psp_wr64(out, 0x40, nv->committed_tcb);
    psp_wr64(out, 0x48, nv->config_tcb);
    memcpy(out + 0x50, nv->cur_ver, 3);
    memcpy(out + 0x53, nv->com_ver, 3);
    out[0x56] = (uint8_t)((nv->mask_chip_id ? 1u : 0u) | (nv->mask_chip_key ? 2u : 0u) |
                          (nv->vlek_loaded ? 4u : 0u) | (nv->smt ? 8u : 0u));
    psp_wr32(out, 0x58, nv->report_version);
    memcpy(out + 0x60, nv->vlek_csp, 32);
    psp_wr64(out, 0x80, nv->vlek_tcb);
    SNP_TRY(snp_sha256(out + BLOB_BODY, out, BLOB_BODY));
    *out_len = BLOB_SIZE;
    return SNP_OK;
}

static snp_err
blob_parse(struct psp_nv *nv, const uint8_t *b, size_t len)
{
    uint8_t sum[SNP_SHA256_SIZE];
    uint32_t total;

    if (len < 0x18 || memcmp(b, BLOB_MAGIC, 8) != 0) {
        return SNP_E_FORMAT;
    }
    if (psp_rd32(b, 0x0C) > BLOB_VERSION) {
        return SNP_E_VERSION; /* written for a newer reader: refused, not misread */
    }
    total = psp_rd32(b, 0x10);
    if (total != len || total < BLOB_SIZE) {
        return SNP_E_FORMAT;
    }
    SNP_TRY(snp_sha256(sum, b, total - SNP_SHA256_SIZE));
    if (!snp_ct_eq(sum, b + total - SNP_SHA256_SIZE, sizeof(sum))) {
        return SNP_E_FORMAT;
    }
    memset(nv, 0, sizeof(*nv));
    nv->product = (enum snp_product)psp_rd32(b, 0x14);
    memcpy(nv->chip_secret, b + 0x18, 32);
    nv->current_tcb = psp_rd64(b, 0x38);
    nv->committed_tcb = psp_rd64(b, 0x40);
    nv->config_tcb = psp_rd64(b, 0x48);
    memcpy(nv->cur_ver, b + 0x50, 3);
    memcpy(nv->com_ver, b + 0x53, 3);
    nv->mask_chip_id = (b[0x56] & 1u) != 0;
    nv->mask_chip_key = (b[0x56] & 2u) != 0;
    nv->vlek_loaded = (b[0x56] & 4u) != 0;
    nv->smt = (b[0x56] & 8u) != 0;
    nv->report_version = psp_rd32(b, 0x58);
    memcpy(nv->vlek_csp, b + 0x60, 32);
    nv->vlek_tcb = psp_rd64(b, 0x80);
    if ((b[0x56] & 0xF0u) != 0 || b[0x57] != 0 || psp_rd32(b, 0x5C) != 0 ||
        (nv->report_version != 2 && nv->report_version != 3 && nv->report_version != 5)) {
        return SNP_E_RANGE;
    }
    return SNP_OK;
}

snp_err
snp_psp_restore(struct snp_psp *p, const uint8_t *buf, size_t len)
{
    struct psp_nv nv;
    uint8_t chip_id[64];
    struct snp_eckey *vlek = NULL;
    snp_err err;

    if (p->state != SNP_PLATFORM_STATE_UNINIT) {
        return SNP_E_STATE;
    }
    err = blob_parse(&nv, buf, len);
    if (err == SNP_OK && nv.product != p->nv.product) {
        err = SNP_E_RANGE; /* a chip's product line is silicon, not NV state */
    }
    if (err == SNP_OK) {
        err = snp_chip_id_derive(chip_id, nv.chip_secret, nv.product);
    }
    if (err == SNP_OK && nv.vlek_loaded) {
        err = snp_vlek_derive(&vlek, nv.vlek_csp, nv.product, nv.vlek_tcb);
    }
    if (err != SNP_OK) {
        snp_wipe(&nv, sizeof(nv));
        return err;
    }
    snp_wipe(&p->nv, sizeof(p->nv));
    p->nv = nv;
    snp_wipe(&nv, sizeof(nv));
    memcpy(p->chip_id, chip_id, sizeof(chip_id));
    snp_eckey_free(p->vcek); /* re-derived at the next INIT */
    p->vcek = NULL;
    snp_eckey_free(p->vlek);
    p->vlek = vlek;
    return SNP_OK;
}
