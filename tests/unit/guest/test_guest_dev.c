/*
 * tests/unit/guest/test_guest_dev.c - the Linux back ends of the attestation driver:
 * /dev/sev-guest ioctl structures checked against the system's <linux/sev-guest.h>
 * (attestation.md §8.2) and the exitinfo2/errno verdicts; configfs-tsm (§8.3) against an
 * ordinary directory that imitates configfs through the back end's hooks (attribute files on
 * mkdir, generation bumped on every write): success, extended report, a generation race (lost
 * once: retried; lost always: refused), privlevel below the floor, a wrong provider, an
 * oversized outblob/auxblob, and the errno mapping (EFBIG, EINVAL, ENXIO).
 */
#include "helpers.h"

#include "guest/gdev_int.h"
#include "guest/sevguest_abi.h"
#include "guest/tsm.h"
#include "snpkit/guest.h"

#include <errno.h>
#include <linux/sev-guest.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- /dev/sev-guest ------------------------------------------------------------------------ */

static void
test_ioctl_abi_matches_system_header(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct snp_guest_request_ioctl), SNP_SG_IOCTL_SIZE);
    assert_int_equal(offsetof(struct snp_guest_request_ioctl, req_data), SNP_SG_IOCTL_OFF_REQ);
    assert_int_equal(offsetof(struct snp_guest_request_ioctl, resp_data), SNP_SG_IOCTL_OFF_RESP);
    assert_int_equal(offsetof(struct snp_guest_request_ioctl, exitinfo2),
                     SNP_SG_IOCTL_OFF_EXITINFO2);
    assert_int_equal(offsetof(struct snp_guest_request_ioctl, fw_error), 0x18);
    assert_int_equal(offsetof(struct snp_guest_request_ioctl, vmm_error), 0x1C);
    assert_int_equal(sizeof(struct snp_report_req), SNP_SG_REPORT_REQ_SIZE);
    assert_int_equal(offsetof(struct snp_report_req, vmpl), 0x40);
    assert_int_equal(sizeof(struct snp_report_resp), SNP_SG_REPORT_RESP_SIZE);
    assert_int_equal(sizeof(struct snp_derived_key_req), SNP_SG_KEY_REQ_SIZE);
    assert_int_equal(offsetof(struct snp_derived_key_req, guest_field_select), 0x08);
    assert_int_equal(offsetof(struct snp_derived_key_req, vmpl), 0x10);
    assert_int_equal(offsetof(struct snp_derived_key_req, guest_svn), 0x14);
    assert_int_equal(offsetof(struct snp_derived_key_req, tcb_version), 0x18);
    assert_int_equal(sizeof(struct snp_derived_key_resp), SNP_SG_KEY_RESP_SIZE);
    assert_int_equal(sizeof(struct snp_ext_report_req), SNP_SG_EXT_REQ_SIZE);
    assert_int_equal(offsetof(struct snp_ext_report_req, certs_address), SNP_SG_EXT_OFF_CERTS_ADDR);
    assert_int_equal(offsetof(struct snp_ext_report_req, certs_len), SNP_SG_EXT_OFF_CERTS_LEN);
    assert_int_equal((uint32_t)SNP_GET_REPORT, SNP_SG_GET_REPORT);
    assert_int_equal((uint32_t)SNP_GET_DERIVED_KEY, SNP_SG_GET_DERIVED_KEY);
    assert_int_equal((uint32_t)SNP_GET_EXT_REPORT, SNP_SG_GET_EXT_REPORT);
    assert_int_equal(SNP_GUEST_VMM_ERR_INVALID_LEN, 1);
    assert_int_equal(SNP_GUEST_VMM_ERR_BUSY, 2);
}

static void
test_ioctl_verdicts(void **state)
{
    struct snp_guest_status st;

    (void)state;
    T_OK(snp_gdev_sevguest_verdict(0, 0, 0, &st));
    T_ERR(snp_gdev_sevguest_verdict(-1, EIO, UINT64_C(1) << 32, &st), SNP_E_SPACE);
    assert_int_equal(st.vmm_error, 1);
    T_ERR(snp_gdev_sevguest_verdict(-1, EIO, 0x16, &st), SNP_E_STATE);
    assert_int_equal(st.fw_error, 0x16);
    /* the kernel's "never reached the firmware" markers are not firmware statuses */
    T_ERR(snp_gdev_sevguest_verdict(-1, EIO, 0xff, &st), SNP_E_IO);
    assert_int_equal(st.fw_error, 0);
    T_ERR(snp_gdev_sevguest_verdict(-1, EIO, UINT64_MAX, &st), SNP_E_IO);
    T_ERR(snp_gdev_sevguest_verdict(-1, EINVAL, 0xff, &st), SNP_E_ARG);
    T_ERR(snp_gdev_sevguest_verdict(-1, ENOTTY, 0, NULL), SNP_E_IO);
}

static void
test_open_missing_and_not_a_device(void **state)
{
    struct snp_guest_dev_opts o;
    struct snp_guest_dev *d = NULL;
    uint8_t rd[64] = {0}, report[SNP_REPORT_SIZE];
    char path[] = "/tmp/snpkit-sg-XXXXXX";
    int fd;

    (void)state;
    snp_guest_dev_opts_default(&o);
    o.backend = SNP_GUEST_BACKEND_SEV_GUEST;
    o.dev_path = "/nonexistent/sev-guest";
    T_ERR(snp_guest_dev_open(&d, &o), SNP_E_NOTFOUND);
    assert_null(d);
    o.backend = SNP_GUEST_BACKEND_AUTO;
    o.tsm_root = "/nonexistent/tsm/report";
    T_ERR(snp_guest_dev_open(&d, &o), SNP_E_NOTFOUND);
    o.backend = SNP_GUEST_BACKEND_SIM;
    T_ERR(snp_guest_dev_open(&d, &o), SNP_E_ARG);
    /* an ordinary file: opens, but the ioctl fails (ENOTTY) -> SNP_E_IO, report zeroed */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    o.backend = SNP_GUEST_BACKEND_SEV_GUEST;
    o.dev_path = path;
    T_OK(snp_guest_dev_open(&d, &o));
    assert_int_equal(snp_guest_dev_backend(d), SNP_GUEST_BACKEND_SEV_GUEST);
    memset(report, 0xEE, sizeof(report));
    T_ERR(snp_guest_dev_get_report(d, rd, 0, report, NULL), SNP_E_IO);
    assert_int_equal(report[0], 0);
    T_ERR(snp_guest_dev_get_report(d, rd, 4, report, NULL), SNP_E_ARG);
    snp_guest_dev_close(d);
    unlink(path);
}

/* ---- configfs-tsm imitation ---------------------------------------------------------------- */

struct imit {
    const char *provider;
    const char *floor; /* NULL: no privlevel_floor file */
    size_t outblob_len;
    size_t auxblob_len;
    unsigned extra_bumps; /* writes by "another process" (generation) per report */
    bool bump_always;
    unsigned long gen;
    char dir[4096];
};

static void
put(const char *dir, const char *name, const void *buf, size_t len)
{
    char p[4200];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "wb");
    assert_non_null(f);
    if (len > 0) {
        assert_int_equal(fwrite(buf, 1, len, f), len);
    }
    fclose(f);
}

static void
put_gen(struct imit *m)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%lu\n", m->gen);
    put(m->dir, "generation", b, (size_t)n);
}

static void
imit_mkdir(const char *dir, void *arg)
{
    struct imit *m = arg;
    uint8_t *blob;
    size_t n = m->outblob_len > m->auxblob_len ? m->outblob_len : m->auxblob_len;

    snprintf(m->dir, sizeof(m->dir), "%s", dir);
    put(dir, "provider", m->provider, strlen(m->provider));
    if (m->floor != NULL) {
        put(dir, "privlevel_floor", m->floor, strlen(m->floor));
    }
    put(dir, "privlevel", "", 0);
    put(dir, "inblob", "", 0);
    blob = calloc(1, n + 1);
    assert_non_null(blob);
    t_fill(blob, n, 7);
    put(dir, "outblob", blob, m->outblob_len);
    /* an auxblob that is a valid empty table followed by padding is not needed: bytes */
    put(dir, "auxblob", blob, m->auxblob_len);
    free(blob);
    put_gen(m);
}

static void
imit_write(const char *dir, const char *attr, void *arg)
{
    struct imit *m = arg;
    (void)dir;
    (void)attr;
    m->gen++; /* configfs: every write bumps generation */
    if (m->extra_bumps > 0 || m->bump_always) {
        if (m->extra_bumps > 0) {
            m->extra_bumps--;
        }
        m->gen++; /* someone else wrote too */
    }
    put_gen(m);
}

static void
rm_rf(const char *dir)
{
    static const char *names[] = {"provider", "privlevel_floor", "privlevel", "inblob",
                                  "outblob",  "auxblob",         "generation"};
    char p[4200];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static struct snp_guest_dev *
tsm_open(char *root, struct imit *m)
{
    struct snp_guest_dev_opts o;
    struct snp_guest_dev *d = NULL;
    struct snp_gdev_tsm_hooks h = {imit_mkdir, imit_write, m};

    assert_non_null(mkdtemp(root));
    snp_guest_dev_opts_default(&o);
    o.backend = SNP_GUEST_BACKEND_TSM;
    o.tsm_root = root;
    T_OK(snp_guest_dev_open(&d, &o));
    T_OK(snp_gdev_tsm_set_hooks(d, &h));
    return d;
}

static snp_err
tsm_run(struct imit *m, uint32_t vmpl, uint8_t *certs, size_t certs_size, size_t *certs_len,
        uint8_t report[SNP_REPORT_SIZE])
{
    char root[] = "/tmp/snpkit-tsm-XXXXXX";
    struct snp_guest_dev *d = tsm_open(root, m);
    uint8_t rd[64];
    snp_err err;

    memset(rd, 0x42, sizeof(rd));
    if (certs_len != NULL) {
        err = snp_guest_dev_get_ext_report(d, rd, vmpl, report, certs, certs_size, certs_len, NULL);
    } else {
        err = snp_guest_dev_get_report(d, rd, vmpl, report, NULL);
    }
    if (m->dir[0] != '\0') {
        uint8_t in[128];
        char p[4200];
        FILE *f;
        snprintf(p, sizeof(p), "%s/inblob", m->dir);
        f = fopen(p, "rb");
        if (f != NULL && err == SNP_OK) {
            assert_int_equal(fread(in, 1, sizeof(in), f), 64); /* exactly 64 for sev_guest */
            t_memeq(in, rd, 64);
        }
        if (f != NULL) {
            fclose(f);
        }
        rm_rf(m->dir);
    }
    snp_guest_dev_close(d);
    rmdir(root);
    return err;
}

static void
imit_default(struct imit *m)
{
    memset(m, 0, sizeof(*m));
    m->provider = "sev_guest\n";
    m->floor = "0\n";
    m->outblob_len = SNP_REPORT_SIZE;
    m->gen = 5;
}

static void
test_tsm_report(void **state)
{
    struct imit m;
    uint8_t report[SNP_REPORT_SIZE], want[SNP_REPORT_SIZE];

    (void)state;
    imit_default(&m);
    T_OK(tsm_run(&m, 0, NULL, 0, NULL, report));
    t_fill(want, sizeof(want), 7);
    t_memeq(report, want, sizeof(want));
}

static void
test_tsm_ext_report(void **state)
{
    struct imit m;
    uint8_t report[SNP_REPORT_SIZE], certs[4096];
    size_t len = 0;

    (void)state;
    imit_default(&m);
    m.auxblob_len = 3000;
    T_OK(tsm_run(&m, 2, certs, sizeof(certs), &len, report));
    assert_int_equal(len, 3000);
    imit_default(&m);
    m.auxblob_len = 3000;
    T_ERR(tsm_run(&m, 2, certs, 100, &len, report), SNP_E_SPACE);
    assert_int_equal(len, 3000); /* the size needed */
    imit_default(&m);
    m.auxblob_len = SNP_GUEST_CERTS_MAX + 1; /* the EFBIG case */
    T_ERR(tsm_run(&m, 0, certs, sizeof(certs), &len, report), SNP_E_SPACE);
}

static void
test_tsm_generation_race(void **state)
{
    struct imit m;
    uint8_t report[SNP_REPORT_SIZE];

    (void)state;
    imit_default(&m);
    m.extra_bumps = 1; /* lost once: retried with fresh writes */
    T_OK(tsm_run(&m, 0, NULL, 0, NULL, report));
    imit_default(&m);
    m.bump_always = true; /* lost every time: refused, report zeroed */
    memset(report, 0xEE, sizeof(report));
    T_ERR(tsm_run(&m, 0, NULL, 0, NULL, report), SNP_E_STATE);
    assert_int_equal(report[100], 0);
}

static void
test_tsm_errors(void **state)
{
    struct imit m;
    uint8_t report[SNP_REPORT_SIZE];

    (void)state;
    imit_default(&m);
    m.floor = "2\n";
    T_ERR(tsm_run(&m, 1, NULL, 0, NULL, report), SNP_E_ARG); /* privlevel below the floor */
    imit_default(&m);
    m.provider = "tdx_guest\n";
    T_ERR(tsm_run(&m, 0, NULL, 0, NULL, report), SNP_E_UNSUPPORTED);
    imit_default(&m);
    m.outblob_len = SNP_REPORT_SIZE + 1;
    T_ERR(tsm_run(&m, 0, NULL, 0, NULL, report), SNP_E_SPACE);
    imit_default(&m);
    m.outblob_len = 100;
    T_ERR(tsm_run(&m, 0, NULL, 0, NULL, report), SNP_E_FORMAT);
    imit_default(&m);
    m.floor = NULL; /* older kernels: no floor file, privlevel still written */
    T_OK(tsm_run(&m, 3, NULL, 0, NULL, report));
    T_ERR(snp_gdev_tsm_read_errno(EFBIG), SNP_E_SPACE);
    T_ERR(snp_gdev_tsm_read_errno(EINVAL), SNP_E_STATE);
    T_ERR(snp_gdev_tsm_read_errno(ENXIO), SNP_E_STATE);
    T_ERR(snp_gdev_tsm_read_errno(EIO), SNP_E_IO);
}

static void
test_tsm_no_key_derivation(void **state)
{
    char root[] = "/tmp/snpkit-tsm-XXXXXX";
    struct imit m;
    struct snp_guest_dev *d;
    struct snp_msg_key_req k;
    struct snp_derived_key key;

    (void)state;
    imit_default(&m);
    d = tsm_open(root, &m);
    memset(&k, 0, sizeof(k));
    k.msg_version = 1;
    T_ERR(snp_guest_dev_get_derived_key(d, &k, &key, NULL), SNP_E_UNSUPPORTED);
    snp_guest_dev_close(d);
    rmdir(root);
}

static void
test_certs_used(void **state)
{
    uint8_t t[4096];

    (void)state;
    memset(t, 0, sizeof(t));
    assert_int_equal(snp_gdev_certs_used(t, sizeof(t)), 0); /* empty table */
    t[0] = 0x63;                                            /* one entry: offset 48, len 100 */
    t[16] = 48;
    t[20] = 100;
    assert_int_equal(snp_gdev_certs_used(t, sizeof(t)), 148);
    t[21] = 0xFF; /* beyond the buffer: kept whole for the verifier to refuse */
    assert_int_equal(snp_gdev_certs_used(t, sizeof(t)), sizeof(t));
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioctl_abi_matches_system_header),
        cmocka_unit_test(test_ioctl_verdicts),
        cmocka_unit_test(test_open_missing_and_not_a_device),
        cmocka_unit_test(test_tsm_report),
        cmocka_unit_test(test_tsm_ext_report),
        cmocka_unit_test(test_tsm_generation_race),
        cmocka_unit_test(test_tsm_errors),
        cmocka_unit_test(test_tsm_no_key_derivation),
        cmocka_unit_test(test_certs_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
