/*
 * tests/unit/attacks/test_attack_forge.c - the leaked-ASK forger of `snpkit attack`
 * (cli/attack_verifier.h, atk_forge_cb; THREAT-MODEL.md N10): the VCEK certificate it makes
 * for its fresh key has the exact shape of the chip's genuine VCEK (same length, same bytes
 * except the subject public key and the ASK's signature) and is signed by the vendor's ASK;
 * its table carries the vendor's ASK and ARK; the report's signature checks under the forged
 * certificate's key and not under the chip's real VCEK.
 */
#include "helpers.h"

#include "cli/attack_verifier.h"
#include "snpkit/certtable.h"

#include <stdlib.h>
#include <string.h>

#define GENOA_TCB  UINT64_C(0x541700000000000A) /* the model's default Genoa TCB */
#define KEY_BYTES  97u                          /* uncompressed P-384 point */
#define SIG_BYTES  256u                         /* RSA-2048 signature of the (test) ASK */
#define CERTS_SIZE 16384u

static void
test_forged_vcek_has_the_genuine_shape(void **state)
{
    struct atk_verifier a;
    struct snp_report r;
    struct snp_cert_entry e[8];
    struct snp_x509 *forged = NULL, *ask = NULL;
    struct snp_signature sig;
    struct snp_eckey *chip = NULL;
    uint8_t secret[SNP_CHIP_SECRET_SIZE];
    uint8_t rep[SNP_REPORT_SIZE], *certs = malloc(CERTS_SIZE), *gder = NULL, *ader = NULL;
    size_t n = 0, count = 0, idx = 0, gl = 0, al = 0, used = 0, first = SIZE_MAX, last = 0;
    const uint8_t *f;

    (void)state;
    assert_non_null(certs);
    T_OK(atk_verifier_open(&a));
    memset(&r, 0, sizeof(r));
    r.version = 3;
    r.reported_tcb = GENOA_TCB;
    memcpy(r.chip_id, a.chip, 64);
    T_OK(snp_report_encode(rep, &r));
    T_OK(atk_forge_cb(&a, rep, sizeof(rep), certs, CERTS_SIZE, &n));
    assert_true(n > 0 && n <= CERTS_SIZE);

    /* the table: VCEK (forged), ASK and ARK (the vendor's) */
    T_OK(snp_cert_table_decode(e, 8, &count, certs, n, NULL));
    assert_int_equal(count, 3);
    T_OK(snp_cert_table_find(e, count, SNP_CERT_ASK, 0, &idx));
    T_OK(snp_vendor_ca_cert(a.vendor, SNP_PRODUCT_GENOA, SNP_VENDOR_ASK, &ader, &al));
    assert_int_equal(e[idx].length, al);
    assert_memory_equal(certs + e[idx].offset, ader, al);
    T_OK(snp_cert_table_find(e, count, SNP_CERT_VCEK, 0, &idx));
    f = certs + e[idx].offset;

    /* the genuine VCEK of that chip and TCB: the same bytes but key and signature */
    T_OK(snp_vendor_vcek_cert(a.vendor, SNP_PRODUCT_GENOA, a.chip, 64, GENOA_TCB, &gder, &gl));
    assert_int_equal(e[idx].length, gl);
    for (size_t i = 0; i < gl; i++) {
        if (f[i] != gder[i] && i < gl - SIG_BYTES) {
            first = i < first ? i : first;
            last = i;
        }
    }
    assert_true(first != SIZE_MAX);        /* another key */
    assert_true(last - first < KEY_BYTES); /* and nothing else before the signature */
    assert_memory_not_equal(f + gl - SIG_BYTES, gder + gl - SIG_BYTES, SIG_BYTES);

    /* issued by the real ASK; the report's signature is the forged key's */
    T_OK(snp_x509_from_der(&forged, f, gl, &used));
    T_OK(snp_x509_from_der(&ask, ader, al, &used));
    T_OK(snp_x509_verify_by(forged, ask));
    assert_memory_equal(snp_x509_info(forged)->amd.hwid, a.chip, 64);
    T_OK(snp_signature_decode(&sig, rep + SNP_REPORT_SIGNED_LEN, SNP_SIG_SIZE, NULL));
    T_OK(snp_ecdsa_p384_verify(snp_x509_eckey(forged), rep, SNP_REPORT_SIGNED_LEN, &sig));
    /* ... and not the chip's VCEK (the key the vendor certifies for that chip and TCB) */
    T_OK(snp_chip_secret_from_seed(secret, (const uint8_t *)SNP_ATK_CHIP_SEED,
                                   sizeof(SNP_ATK_CHIP_SEED) - 1));
    T_OK(snp_vcek_derive(&chip, secret, SNP_PRODUCT_GENOA, GENOA_TCB));
    snp_wipe(secret, sizeof(secret));
    T_ERR(snp_ecdsa_p384_verify(chip, rep, SNP_REPORT_SIGNED_LEN, &sig), SNP_E_SIG);
    snp_eckey_free(chip);

    snp_x509_free(forged);
    snp_x509_free(ask);
    free(gder);
    free(ader);
    free(certs);
    atk_verifier_close(&a);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged_vcek_has_the_genuine_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
