/*
 * tests/unit/abi/test_idblock.c - ID_BLOCK, ID_AUTH_INFO and ECDSA public key codecs
 * (attestation.md §9). Known answers from vectors/MANIFEST.md §5 (lit-sev-snp-utils and
 * virtee-sev), read in place with t_vector(); the virtee ID block is the manifest's base64.
 * Synthetic cases: truncation sweeps, layout tables, field placement, every MBZ byte, the
 * coordinate range rule and the big-endian conversion helpers.
 */
#include "helpers.h"

#include "snpkit/idblock.h"
#include "snpkit/layout.h"
#include "snpkit/util.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static void
hex_eq(const uint8_t *got, const char *hex)
{
    uint8_t want[128];
    size_t n = strlen(hex) / 2;

    assert_true(n <= sizeof(want));
    t_unhex(want, n, hex);
    t_memeq(got, want, n);
}

static void
sha384_eq(const uint8_t *data, size_t len, const char *hex)
{
    uint8_t md[48];
    unsigned int mdlen = 0;

    assert_int_equal(EVP_Digest(data, len, md, &mdlen, EVP_sha384(), NULL), 1);
    assert_int_equal(mdlen, 48);
    hex_eq(md, hex);
}

/* The row named name (the first one; "reserved" rows are addressed by offset instead). */
static const struct snp_field *
row(const struct snp_field *t, const char *name)
{
    const struct snp_field *f = snp_layout_find(t, name);

    assert_non_null(f);
    return f;
}

/* The little-endian integer of the row named name in buf equals v. */
static void
le_at(const uint8_t *buf, const struct snp_field *t, const char *name, uint64_t v)
{
    const struct snp_field *f = row(t, name);

    assert_int_equal(f->kind, SNP_F_LE);
    for (size_t i = 0; i < f->size; i++) {
        assert_int_equal(buf[f->off + i], (uint8_t)(v >> (8 * i)));
    }
}

/* The bytes of the row named name in buf equal p (the row's size). */
static void
bytes_at(const uint8_t *buf, const struct snp_field *t, const char *name, const uint8_t *p,
         size_t n)
{
    const struct snp_field *f = row(t, name);

    assert_int_equal(f->size, n);
    t_memeq(buf + f->off, p, n);
}

/* Bytes of the rows of kind `kind` are all zero in buf. */
static void
rows_zero(const uint8_t *buf, const struct snp_field *t, enum snp_field_kind kind)
{
    for (; t->name != NULL; t++) {
        if (t->kind != kind) {
            continue;
        }
        for (size_t i = 0; i < t->size; i++) {
            assert_int_equal(buf[t->off + i], 0);
        }
    }
}

typedef snp_err (*decode_fn)(const uint8_t *buf, size_t len, size_t *err_off);

static snp_err
dec_id_block(const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_id_block b;
    return snp_id_block_decode(&b, buf, len, err_off);
}

static snp_err
dec_pubkey(const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_ecdsa_pubkey k;
    return snp_ecdsa_pubkey_decode(&k, buf, len, err_off);
}

static snp_err
dec_id_auth(const uint8_t *buf, size_t len, size_t *err_off)
{
    struct snp_id_auth a;
    return snp_id_auth_decode(&a, buf, len, err_off);
}

/* §7.8 item 2: every n < size is TRUNCATED, size + 1 is TRAILING at size. */
static void
truncation_sweep(decode_fn dec, const uint8_t *good, size_t size)
{
    uint8_t *big = calloc(1, size + 1);
    size_t off = 7;

    assert_non_null(big);
    memcpy(big, good, size);
    T_OK(dec(big, size, &off));
    for (size_t n = 0; n < size; n++) {
        T_ERR(dec(big, n, &off), SNP_E_TRUNCATED);
    }
    T_ERR(dec(big, size + 1, &off), SNP_E_TRAILING);
    assert_int_equal(off, size);
    free(big);
}

/* §7.8 item 4: each MBZ byte set non-zero, one at a time, is RESERVED at that byte. KEEP rows
 * set non-zero still decode. */
static void
mbz_sweep(decode_fn dec, const uint8_t *good, size_t size, const struct snp_field *t)
{
    uint8_t *img = malloc(size);
    size_t mbz = 0;

    assert_non_null(img);
    for (; t->name != NULL; t++) {
        if (t->kind != SNP_F_MBZ && t->kind != SNP_F_KEEP) {
            continue;
        }
        for (size_t i = 0; i < t->size; i++) {
            size_t off = 0;
            memcpy(img, good, size);
            img[t->off + i] = (uint8_t)(1u << (i % 8));
            if (t->kind == SNP_F_MBZ) {
                T_ERR(dec(img, size, &off), SNP_E_RESERVED);
                assert_int_equal(off, t->off + i);
                mbz++;
            } else {
                T_OK(dec(img, size, &off));
            }
        }
    }
    assert_true(mbz > 0);
    free(img);
}

/* ---- a synthetic, valid ID_AUTH_INFO ---- */

static void
synth_pubkey(struct snp_ecdsa_pubkey *k, uint64_t seed)
{
    memset(k, 0, sizeof(*k));
    k->curve = SNP_ECDSA_CURVE_P384;
    t_fill(k->qx, 48, seed);
    t_fill(k->qy, 48, seed + 1);
}

static void
synth_id_auth(struct snp_id_auth *a)
{
    memset(a, 0, sizeof(*a));
    a->id_key_algo = SNP_ID_AUTH_ALGO_P384_SHA384;
    a->author_key_algo = SNP_ID_AUTH_ALGO_P384_SHA384;
    t_fill(a->id_block_sig.r, 48, 11);
    t_fill(a->id_block_sig.s, 48, 12);
    synth_pubkey(&a->id_key, 13);
    t_fill(a->id_key_sig.r, 48, 15);
    t_fill(a->id_key_sig.s, 48, 16);
    synth_pubkey(&a->author_key, 17);
}

/* ---- ID_BLOCK ---- */

#define LIT_LD                                                                                     \
    "ffb0cb7f01a5d5b122430d66f211326ab5cf11a9a5d3189ec53adf9a60730bc63d9856fe9fe602abd662861d0ee3" \
    "6007"

static void
test_id_block_lit_golden(void **state)
{
    size_t len = 0;
    uint8_t *buf;
    struct snp_id_block b;
    uint8_t out[SNP_ID_BLOCK_SIZE];
    static const uint8_t zero16[16];

    (void)state;
    buf = t_vector("lit-sev-snp-utils/id_block.b64.bin", &len);
    assert_int_equal(len, SNP_ID_BLOCK_SIZE);
    T_OK(snp_id_block_decode(&b, buf, len, NULL));
    hex_eq(b.ld, LIT_LD);
    t_memeq(b.family_id, zero16, 16);
    t_memeq(b.image_id, zero16, 16);
    assert_int_equal(b.version, 1);
    assert_int_equal(b.guest_svn, 0);
    assert_true(b.policy == UINT64_C(0x30000));
    T_OK(snp_id_block_encode(out, &b));
    t_memeq(out, buf, SNP_ID_BLOCK_SIZE);
    free(buf);
}

/* MANIFEST §5, virtee tests/id-block.rs: the ID block as the manifest gives it, in base64. */
static const char virtee_id_block_b64[] =
    "oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZdF"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA";

static void
test_id_block_virtee_b64(void **state)
{
    uint8_t raw[128];
    size_t n = 0;
    struct snp_id_block b;
    uint8_t out[SNP_ID_BLOCK_SIZE];

    (void)state;
    T_OK(snp_b64_decode(raw, sizeof(raw), &n, virtee_id_block_b64, strlen(virtee_id_block_b64),
                        NULL));
    assert_int_equal(n, SNP_ID_BLOCK_SIZE);
    T_OK(snp_id_block_decode(&b, raw, n, NULL));
    hex_eq(b.ld, "a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c2317"
                 "15b38e263dc6059745");
    assert_int_equal(b.version, 1);
    assert_int_equal(b.guest_svn, 0);
    assert_true(b.policy == UINT64_C(0x30000));
    T_OK(snp_id_block_encode(out, &b));
    t_memeq(out, raw, SNP_ID_BLOCK_SIZE);
}

static void
synth_id_block(struct snp_id_block *b)
{
    memset(b, 0, sizeof(*b));
    t_fill(b->ld, sizeof(b->ld), 1);
    t_fill(b->family_id, sizeof(b->family_id), 2);
    t_fill(b->image_id, sizeof(b->image_id), 3);
    b->version = SNP_ID_BLOCK_VERSION;
    b->guest_svn = 0x11223344;
    b->policy = UINT64_C(0x8877665544332211);
}

static void
test_id_block_layout_and_placement(void **state)
{
    const struct snp_field *t = snp_id_block_layout();
    struct snp_id_block b, back;
    uint8_t out[SNP_ID_BLOCK_SIZE];

    (void)state;
    T_OK(snp_layout_check(t, SNP_ID_BLOCK_SIZE));
    synth_id_block(&b);
    T_OK(snp_id_block_encode(out, &b));
    bytes_at(out, t, "LD", b.ld, 48);
    bytes_at(out, t, "FAMILY_ID", b.family_id, 16);
    bytes_at(out, t, "IMAGE_ID", b.image_id, 16);
    le_at(out, t, "VERSION", 1);
    le_at(out, t, "GUEST_SVN", 0x11223344);
    le_at(out, t, "POLICY", UINT64_C(0x8877665544332211));
    assert_int_equal(row(t, "VERSION")->off, SNP_ID_BLOCK_OFF_VERSION);
    assert_int_equal(row(t, "POLICY")->off, SNP_ID_BLOCK_OFF_POLICY);
    T_OK(snp_id_block_decode(&back, out, sizeof(out), NULL));
    assert_memory_equal(&back, &b, sizeof(b));
}

static void
test_id_block_truncation_and_version(void **state)
{
    struct snp_id_block b;
    uint8_t out[SNP_ID_BLOCK_SIZE];
    static const uint32_t bad[] = {0, 2, 3, 0x100, 0xFFFFFFFFu};

    (void)state;
    synth_id_block(&b);
    T_OK(snp_id_block_encode(out, &b));
    truncation_sweep(dec_id_block, out, SNP_ID_BLOCK_SIZE);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t off = 0;
        b.version = bad[i];
        T_OK(snp_id_block_encode(out, &b)); /* encoders do not judge */
        T_ERR(snp_id_block_decode(&b, out, sizeof(out), &off), SNP_E_VERSION);
        assert_int_equal(off, SNP_ID_BLOCK_OFF_VERSION);
        assert_int_equal(b.version, 0); /* zeroed on failure */
    }
    /* Truncation wins over the version check. */
    T_ERR(dec_id_block(out, SNP_ID_BLOCK_SIZE - 1, NULL), SNP_E_TRUNCATED);
}

/* ---- ECDSA public key ---- */

static void
test_pubkey_layout_placement_sweeps(void **state)
{
    const struct snp_field *t = snp_ecdsa_pubkey_layout();
    struct snp_ecdsa_pubkey k, back;
    uint8_t out[SNP_ECDSA_PUBKEY_SIZE];

    (void)state;
    T_OK(snp_layout_check(t, SNP_ECDSA_PUBKEY_SIZE));
    synth_pubkey(&k, 5);
    k.curve = 0xA1B2C3D4; /* distinct value; curves are not the decoder's business */
    T_OK(snp_ecdsa_pubkey_encode(out, &k));
    le_at(out, t, "CURVE", 0xA1B2C3D4);
    bytes_at(out, t, "QX", k.qx, 72);
    bytes_at(out, t, "QY", k.qy, 72);
    rows_zero(out, t, SNP_F_MBZ);
    assert_int_equal(row(t, "QY")->off, SNP_ECDSA_PUBKEY_OFF_QY);
    T_OK(snp_ecdsa_pubkey_decode(&back, out, sizeof(out), NULL));
    assert_memory_equal(&back, &k, sizeof(k));

    truncation_sweep(dec_pubkey, out, SNP_ECDSA_PUBKEY_SIZE);
    mbz_sweep(dec_pubkey, out, SNP_ECDSA_PUBKEY_SIZE, t);
}

static void
test_pubkey_coordinate_range(void **state)
{
    struct snp_ecdsa_pubkey k;
    uint8_t good[SNP_ECDSA_PUBKEY_SIZE], img[SNP_ECDSA_PUBKEY_SIZE];

    (void)state;
    synth_pubkey(&k, 9);
    T_OK(snp_ecdsa_pubkey_encode(good, &k));
    /* §9.3: zero-extended 72-byte fields; a P-384 coordinate has 48 bytes. */
    for (size_t c = 0; c < 2; c++) {
        size_t base = c == 0 ? SNP_ECDSA_PUBKEY_OFF_QX : SNP_ECDSA_PUBKEY_OFF_QY;
        for (size_t i = 48; i < 72; i++) {
            size_t off = 0;
            memcpy(img, good, sizeof(img));
            img[base + i] = 0x80;
            T_ERR(snp_ecdsa_pubkey_decode(&k, img, sizeof(img), &off), SNP_E_RANGE);
            assert_int_equal(off, base + i);
        }
    }
    /* The first error in offset order wins: a QX range error before a reserved byte. */
    memcpy(img, good, sizeof(img));
    img[SNP_ECDSA_PUBKEY_OFF_QX + 50] = 1;
    img[SNP_ECDSA_PUBKEY_OFF_RSVD] = 1;
    size_t off = 0;
    T_ERR(snp_ecdsa_pubkey_decode(&k, img, sizeof(img), &off), SNP_E_RANGE);
    assert_int_equal(off, SNP_ECDSA_PUBKEY_OFF_QX + 50);
    /* An all-zero key (absent author key) decodes. */
    memset(img, 0, sizeof(img));
    T_OK(snp_ecdsa_pubkey_decode(&k, img, sizeof(img), NULL));
    assert_int_equal(k.curve, 0);
}

static void
test_pubkey_check_and_be_conversion(void **state)
{
    struct snp_ecdsa_pubkey k;
    uint8_t x[48], y[48], x2[48], y2[48];

    (void)state;
    for (size_t i = 0; i < 48; i++) {
        x[i] = (uint8_t)(i + 1);    /* big-endian 01 02 .. 30 */
        y[i] = (uint8_t)(0xF0 - i); /* f0 ef .. */
    }
    snp_ecdsa_pubkey_from_p384(&k, x, y);
    assert_int_equal(k.curve, SNP_ECDSA_CURVE_P384);
    assert_int_equal(k.qx[0], 0x30); /* least significant byte first */
    assert_int_equal(k.qx[47], 0x01);
    assert_int_equal(k.qy[0], 0xF0 - 47);
    assert_int_equal(k.qy[47], 0xF0);
    for (size_t i = 48; i < 72; i++) {
        assert_int_equal(k.qx[i], 0);
        assert_int_equal(k.qy[i], 0);
    }
    T_OK(snp_ecdsa_pubkey_check_p384(&k));
    T_OK(snp_ecdsa_pubkey_to_p384(x2, y2, &k));
    t_memeq(x2, x, 48);
    t_memeq(y2, y, 48);

    k.curve = SNP_ECDSA_CURVE_SECP256K1;
    T_ERR(snp_ecdsa_pubkey_check_p384(&k), SNP_E_UNSUPPORTED);
    T_ERR(snp_ecdsa_pubkey_to_p384(x2, y2, &k), SNP_E_UNSUPPORTED);
    for (size_t i = 0; i < 48; i++) {
        assert_int_equal(x2[i], 0); /* outputs zeroed on failure */
        assert_int_equal(y2[i], 0);
    }
    k.curve = 0;
    T_ERR(snp_ecdsa_pubkey_check_p384(&k), SNP_E_RANGE);
    k.curve = 3;
    T_ERR(snp_ecdsa_pubkey_check_p384(&k), SNP_E_RANGE);
    k.curve = SNP_ECDSA_CURVE_P384;
    k.qy[71] = 1;
    T_ERR(snp_ecdsa_pubkey_check_p384(&k), SNP_E_RANGE);
}

/* The P-384 public point of a PEM private key, as big-endian X and Y. */
static void
pem_point(const char *rel, uint8_t x[48], uint8_t y[48])
{
    size_t len = 0;
    uint8_t *pem = t_vector(rel, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pk;
    uint8_t pt[97];
    size_t ptlen = 0;

    assert_non_null(bio);
    /* The lit files hold the private keys (PKCS#8); the public point comes with them. */
    pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    assert_non_null(pk);
    assert_int_equal(
        EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen), 1);
    assert_int_equal(ptlen, 97);
    assert_int_equal(pt[0], 0x04); /* uncompressed */
    memcpy(x, pt + 1, 48);
    memcpy(y, pt + 49, 48);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    free(pem);
}

/* ---- ID_AUTH_INFO ---- */

static void
test_id_auth_lit_golden(void **state)
{
    size_t len = 0;
    uint8_t *buf;
    struct snp_id_auth a;
    uint8_t *out;
    uint8_t key[SNP_ECDSA_PUBKEY_SIZE];
    uint8_t x[48], y[48];
    struct snp_ecdsa_pubkey k;

    (void)state;
    buf = t_vector("lit-sev-snp-utils/auth_info.b64.bin", &len); /* first: it may skip */
    out = malloc(SNP_ID_AUTH_SIZE);
    assert_non_null(out);
    assert_int_equal(len, SNP_ID_AUTH_SIZE);
    T_OK(snp_id_auth_decode(&a, buf, len, NULL));
    assert_int_equal(a.id_key_algo, 1);
    assert_int_equal(a.author_key_algo, 1);
    assert_int_equal(a.id_key.curve, SNP_ECDSA_CURVE_P384);
    assert_int_equal(a.author_key.curve, SNP_ECDSA_CURVE_P384);
    hex_eq(a.id_key.qx, "485215abb30f7a2f89794c0ae30345ea3846c5439d6ff89265ea862505be7bc2e4d642c2"
                        "f94a6c1b813ffd66fb21ff64");
    hex_eq(a.id_block_sig.r, "776aaace68af45d6c1ceaf64523b748e");
    T_OK(snp_ecdsa_pubkey_check_p384(&a.id_key));
    T_OK(snp_ecdsa_pubkey_check_p384(&a.author_key));
    T_OK(snp_id_auth_encode(out, &a));
    t_memeq(out, buf, SNP_ID_AUTH_SIZE);

    /* §9.4: key fingerprints = SHA-384 of the re-encoded 0x404-byte key fields (MANIFEST §5). */
    T_OK(snp_ecdsa_pubkey_encode(key, &a.id_key));
    sha384_eq(key, sizeof(key),
              "64a7dce6dcc44a98f0db95301dec5d33def24ffd71df2911663dd8603e18a6831ac6fafd2b67d983b3"
              "38305db818516c");
    T_OK(snp_ecdsa_pubkey_encode(key, &a.author_key));
    sha384_eq(key, sizeof(key),
              "bbb27d63ea847e0412b5b07ccdd673a46212545aceaf6b87521467ab66b982ead7901a9a190bdd1ffa"
              "cf656c7ac1e9cc");

    /* The big-endian helpers against OpenSSL's view of the same keys (id-key.pem). */
    pem_point("lit-sev-snp-utils/id-key.pem", x, y);
    snp_ecdsa_pubkey_from_p384(&k, x, y);
    assert_memory_equal(&k, &a.id_key, sizeof(k));
    T_OK(snp_ecdsa_pubkey_encode(key, &k));
    t_memeq(key, buf + SNP_ID_AUTH_OFF_ID_KEY, SNP_ECDSA_PUBKEY_SIZE);
    pem_point("lit-sev-snp-utils/author-key.pem", x, y);
    snp_ecdsa_pubkey_from_p384(&k, x, y);
    assert_memory_equal(&k, &a.author_key, sizeof(k));
    free(buf);
    free(out);
}

static void
test_id_auth_virtee_golden(void **state)
{
    size_t len = 0, slen = 0;
    uint8_t *buf, *sig;
    struct snp_id_auth a;
    uint8_t *out;
    uint8_t key[SNP_ECDSA_PUBKEY_SIZE];
    uint8_t sigbuf[SNP_SIG_SIZE];

    (void)state;
    buf = t_vector("virtee-sev/test_auth_block.bin", &len); /* first: it may skip */
    out = malloc(SNP_ID_AUTH_SIZE);
    assert_non_null(out);
    assert_int_equal(len, SNP_ID_AUTH_SIZE);
    T_OK(snp_id_auth_decode(&a, buf, len, NULL));
    T_OK(snp_id_auth_encode(out, &a));
    t_memeq(out, buf, SNP_ID_AUTH_SIZE);
    T_OK(snp_ecdsa_pubkey_encode(key, &a.id_key));
    sha384_eq(key, sizeof(key),
              "59fb2c686dfa4fef49f38339aa775c90051c28d57383ddc3baf3b5eb4b1496df3b0dbbdcbae5fe2767"
              "7a644820773fe2");
    T_OK(snp_ecdsa_pubkey_encode(key, &a.author_key));
    sha384_eq(key, sizeof(key),
              "eed81169fb0cb5e0ec34794f128fd4e0c4a46f67c65a1adfa81fcb24bcc088c272369b7ffc3eb2b6af"
              "6a4284a1b36c5f");
    /* The separate signature files are the two embedded signature blocks. */
    sig = t_vector("virtee-sev/test_id_sig.bin", &slen);
    assert_int_equal(slen, SNP_SIG_SIZE);
    T_OK(snp_signature_encode(sigbuf, &a.id_block_sig));
    t_memeq(sigbuf, sig, SNP_SIG_SIZE);
    free(sig);
    sig = t_vector("virtee-sev/test_auth_sig.bin", &slen);
    assert_int_equal(slen, SNP_SIG_SIZE);
    T_OK(snp_signature_encode(sigbuf, &a.id_key_sig));
    t_memeq(sigbuf, sig, SNP_SIG_SIZE);
    free(sig);
    free(buf);
    free(out);
}

static void
test_id_auth_layout_and_placement(void **state)
{
    const struct snp_field *t = snp_id_auth_layout();
    struct snp_id_auth a, back;
    uint8_t *out = malloc(SNP_ID_AUTH_SIZE);

    (void)state;
    assert_non_null(out);
    T_OK(snp_layout_check(t, SNP_ID_AUTH_SIZE));
    synth_id_auth(&a);
    a.id_key_algo = 0x01020304;
    a.author_key_algo = 0x05060708;
    a.id_key.curve = 0x0A0B0C0D;
    a.author_key.curve = 0x1A1B1C1D;
    t_fill(a.id_block_sig.rsvd_0x090, sizeof(a.id_block_sig.rsvd_0x090), 21); /* KEEP */
    t_fill(a.id_key_sig.rsvd_0x090, sizeof(a.id_key_sig.rsvd_0x090), 22);
    T_OK(snp_id_auth_encode(out, &a));
    le_at(out, t, "ID_KEY_ALGO", 0x01020304);
    le_at(out, t, "AUTHOR_KEY_ALGO", 0x05060708);
    bytes_at(out, t, "ID_BLOCK_SIG.R", a.id_block_sig.r, 72);
    bytes_at(out, t, "ID_BLOCK_SIG.S", a.id_block_sig.s, 72);
    le_at(out, t, "ID_KEY.CURVE", 0x0A0B0C0D);
    bytes_at(out, t, "ID_KEY.QX", a.id_key.qx, 72);
    bytes_at(out, t, "ID_KEY.QY", a.id_key.qy, 72);
    bytes_at(out, t, "ID_KEY_SIG.R", a.id_key_sig.r, 72);
    bytes_at(out, t, "ID_KEY_SIG.S", a.id_key_sig.s, 72);
    le_at(out, t, "AUTHOR_KEY.CURVE", 0x1A1B1C1D);
    bytes_at(out, t, "AUTHOR_KEY.QX", a.author_key.qx, 72);
    bytes_at(out, t, "AUTHOR_KEY.QY", a.author_key.qy, 72);
    t_memeq(out + 0x0D0, a.id_block_sig.rsvd_0x090, 368); /* signature tails are KEEP */
    t_memeq(out + 0x710, a.id_key_sig.rsvd_0x090, 368);
    rows_zero(out, t, SNP_F_MBZ);
    assert_int_equal(row(t, "ID_BLOCK_SIG.R")->off, SNP_ID_AUTH_OFF_ID_BLOCK_SIG);
    assert_int_equal(row(t, "ID_KEY.CURVE")->off, SNP_ID_AUTH_OFF_ID_KEY);
    assert_int_equal(row(t, "ID_KEY_SIG.R")->off, SNP_ID_AUTH_OFF_ID_KEY_SIG);
    assert_int_equal(row(t, "AUTHOR_KEY.CURVE")->off, SNP_ID_AUTH_OFF_AUTHOR_KEY);
    T_OK(snp_id_auth_decode(&back, out, SNP_ID_AUTH_SIZE, NULL));
    assert_memory_equal(&back, &a, sizeof(a));
    free(out);
}

static void
test_id_auth_sweeps(void **state)
{
    struct snp_id_auth a;
    uint8_t *out = malloc(SNP_ID_AUTH_SIZE);
    uint8_t *img = malloc(SNP_ID_AUTH_SIZE);

    (void)state;
    assert_non_null(out);
    assert_non_null(img);
    synth_id_auth(&a);
    T_OK(snp_id_auth_encode(out, &a));
    truncation_sweep(dec_id_auth, out, SNP_ID_AUTH_SIZE);
    mbz_sweep(dec_id_auth, out, SNP_ID_AUTH_SIZE, snp_id_auth_layout());

    /* Key coordinates wider than 48 bytes, at ID_AUTH_INFO offsets. */
    static const size_t coords[] = {0x244, 0x28C, 0x884, 0x8CC};
    for (size_t c = 0; c < 4; c++) {
        for (size_t i = 48; i < 72; i++) {
            size_t off = 0;
            memcpy(img, out, SNP_ID_AUTH_SIZE);
            img[coords[c] + i] = 0xFF;
            T_ERR(dec_id_auth(img, SNP_ID_AUTH_SIZE, &off), SNP_E_RANGE);
            assert_int_equal(off, coords[c] + i);
        }
    }
    /* Algorithms and curves are the firmware's to judge: a zero author key decodes. */
    memset(out + SNP_ID_AUTH_OFF_AUTHOR_KEY, 0, SNP_ECDSA_PUBKEY_SIZE);
    out[SNP_ID_AUTH_OFF_AUTHOR_KEY_ALGO] = 0;
    T_OK(snp_id_auth_decode(&a, out, SNP_ID_AUTH_SIZE, NULL));
    assert_int_equal(a.author_key.curve, 0);
    free(out);
    free(img);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_block_lit_golden),
        cmocka_unit_test(test_id_block_virtee_b64),
        cmocka_unit_test(test_id_block_layout_and_placement),
        cmocka_unit_test(test_id_block_truncation_and_version),
        cmocka_unit_test(test_pubkey_layout_placement_sweeps),
        cmocka_unit_test(test_pubkey_coordinate_range),
        cmocka_unit_test(test_pubkey_check_and_be_conversion),
        cmocka_unit_test(test_id_auth_lit_golden),
        cmocka_unit_test(test_id_auth_virtee_golden),
        cmocka_unit_test(test_id_auth_layout_and_placement),
        cmocka_unit_test(test_id_auth_sweeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
