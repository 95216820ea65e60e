/*
 * tests/unit/psp/test_psp_launch_kat.c - a launch through the firmware of the same inputs as a
 * `snpkit measure` known answer gives the same MEASUREMENT (hardware.md §7.5, §8.4).
 *
 * The host walks snp_measure_pages() (the page list snp_measure() itself hashes) and issues one
 * SNP_LAUNCH_UPDATE per 4 KiB page through the mailbox: the page's plaintext written through the
 * host view, RMPUPDATE to PRE_GUEST with the page's GPA in the RMP entry (the GPA is only the
 * value there and in PAGE_INFO, as with KVM, so OVMF's pages just below 4 GiB and the VMSAs at
 * 0xFFFFFFFFF000 need no guest memory at those addresses). After LAUNCH_FINISH the guest asks
 * for a report (MSG_REPORT_REQ) and its MEASUREMENT is compared with the published answer of
 * sev-snp-measure's tests (vectors/sev-snp-measure, skipped visibly when absent) and, self-
 * contained, with snp_measure() of a synthetic OVMF-like image for each VMM flavour.
 */
#include "psp_fixture.h"

#include "snpkit/report.h"
#include "unit/measure/synth_ovmf.h"

#define SSM     "sev-snp-measure/"
#define SYN_LEN (16u * 4096)

/* The host's side of one launch. */
struct host {
    struct snp_machine *m;
    uint64_t next_spa;    /* next free page for the guest */
    uint64_t secrets_spa; /* where the SECRETS page went (0: none) */
    size_t updates;       /* LAUNCH_UPDATEs issued */
    size_t vmsas;
    struct snp_ld ld; /* the chain, recomputed from what the host issued (cross-check) */
};

/* One run of the page list: one LAUNCH_UPDATE per 4 KiB page, as KVM does. */
static snp_err
launch_run(void *ctx, const struct snp_measure_page *pg)
{
    static const uint8_t zero[SNP_PAGE_SIZE];
    struct host *h = ctx;

    for (size_t i = 0; i < pg->npages; i++) {
        uint64_t spa = h->next_spa;
        uint64_t gpa = pg->gpa + i * SNP_PAGE_SIZE;
        const uint8_t *data = pg->contents != NULL ? pg->contents + i * SNP_PAGE_SIZE : NULL;

        assert_true(spa + SNP_PAGE_SIZE <= PX_DRAM);
        h->next_spa += SNP_PAGE_SIZE;
        /* A CPUID page is validated, not measured: an empty table (count 0) passes (§9.1). */
        px_stage(h->m, spa, gpa, pg->type == SNP_PAGE_TYPE_CPUID ? zero : data);
        T_FW(px_update(h->m, PX_GCTX_SPA, spa, pg->type, false, NULL), SNP_FW_SUCCESS);
        T_OK(snp_ld_update_page(&h->ld, pg->type, gpa, data, NULL, false));
        if (pg->type == SNP_PAGE_TYPE_SECRETS) {
            h->secrets_spa = spa;
        }
        h->vmsas += pg->type == SNP_PAGE_TYPE_VMSA ? 1 : 0;
        h->updates++;
    }
    return SNP_OK;
}

/*
 * Launch @p through the firmware of a fresh machine and return the report's MEASUREMENT.
 * Also checks it against the host's own recomputation of the chain.
 */
static void
fw_launch(const struct snp_measure_params *p, uint8_t out[48], size_t *updates)
{
    static uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
    struct host h;
    struct snp_secrets s;
    struct snp_msg_report_req q;
    struct snp_msg_hdr rh;
    struct snp_report r;
    uint8_t req[SNP_MSG_REPORT_REQ_SIZE], pg[SNP_PAGE_SIZE], ld[48];
    size_t n = 0;

    memset(&h, 0, sizeof(h));
    h.m = px_machine();
    h.next_spa = PX_GUEST_SPA;
    snp_ld_init(&h.ld, NULL);
    px_init(h.m);
    px_fw_page(h.m, PX_GCTX_SPA);
    T_FW(px_cmd_u64(h.m, SNP_CMD_SNP_GCTX_CREATE, PX_GCTX_SPA), SNP_FW_SUCCESS);
    T_FW(px_launch_start(h.m, PX_GCTX_SPA, PX_POLICY), SNP_FW_SUCCESS);
    T_FW(px_activate(h.m, PX_GCTX_SPA, PX_ASID), SNP_FW_SUCCESS);
    T_OK(snp_measure_pages(p, launch_run, &h, NULL));
    assert_int_equal(h.vmsas, p->vcpus);
    assert_true(h.secrets_spa != 0);
    T_FW(px_finish(h.m, PX_GCTX_SPA, 0, NULL), SNP_FW_SUCCESS);
    px_inv(h.m);

    /* The guest: VMPCK0 from its secrets page, then MSG_REPORT_REQ. */
    T_OK(snp_fw_mem_read(h.m, h.secrets_spa, PX_ASID, pg, sizeof(pg)));
    T_OK(snp_secrets_decode(&s, pg, sizeof(pg), NULL));
    snp_wipe(pg, sizeof(pg));
    memset(&q, 0, sizeof(q));
    t_fill(q.report_data, sizeof(q.report_data), 5);
    T_OK(snp_msg_report_req_encode(req, &q));
    T_FW(px_guest_msg(h.m, &s, 0, 1, SNP_MSG_REPORT_REQ, 1, req, sizeof(req), rsp, &n, &rh),
         SNP_FW_SUCCESS);
    assert_int_equal(n, SNP_MSG_REPORT_RSP_SIZE);
    T_FW((uint32_t)px_get64(rsp, 0), SNP_FW_SUCCESS);
    T_OK(snp_report_decode(&r, rsp + 0x20, SNP_REPORT_SIZE, NULL));
    assert_int_equal(r.policy, PX_POLICY);
    snp_ld_final(&h.ld, ld);
    t_memeq(r.measurement, ld, 48);
    memcpy(out, r.measurement, 48);
    if (updates != NULL) {
        *updates = h.updates;
    }
    snp_secrets_wipe(&s);
    px_inv(h.m);
    snp_machine_free(h.m);
}

/* ---- the published known answers (sev-snp-measure's tests, MANIFEST §4) -------------------- */

enum kmode { K_NONE, K_EMPTY_APPEND_EMPTY, K_EMPTY_APPEND_CONSOLE };

struct kat {
    const char *name;
    enum snp_vmm_type vmm;
    const char *ovmf;
    uint32_t vcpus;
    uint64_t features;
    enum kmode kernel;
    const char *want;
};

/* The same rows as tests/unit/measure/test_measure.c (sev-snp-measure's published answers). */
static const struct kat kats[] = {
    {"test_snp_ovmf_hash_gen_default", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x21,
     K_EMPTY_APPEND_EMPTY,
     "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef"
     "198"},
    {"test_snp_ovmf_hash_gen_feature_snp_only", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x1,
     K_EMPTY_APPEND_EMPTY,
     "ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa385281"
     "9b5"},
    {"test_snp_default", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x21, K_EMPTY_APPEND_CONSOLE,
     "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228"
     "977"},
    {"test_snp_guest_feature_snp_only", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x1,
     K_EMPTY_APPEND_CONSOLE,
     "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b0"
     "8fa"},
    {"test_snp_with_multiple_vcpus_default", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 4, 0x21,
     K_EMPTY_APPEND_EMPTY,
     "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631"
     "942"},
    {"test_snp_with_multiple_vcpus_feature_snp_only", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 4,
     0x1, K_EMPTY_APPEND_EMPTY,
     "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046"
     "ad5"},
    {"test_snp_ec2_default", SNP_VMM_EC2, "ovmf_AmdSev_suffix.bin", 1, 0x21, K_EMPTY_APPEND_EMPTY,
     "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d6"
     "7fb"},
    {"test_snp_gce_with_multiple_vcpus_default", SNP_VMM_GCE, "ovmf_AmdSev_suffix.bin", 4, 0x1,
     K_EMPTY_APPEND_EMPTY,
     "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e"
     "29d"},
    {"test_snp_without_kernel_default", SNP_VMM_QEMU, "ovmf_AmdSev_suffix.bin", 1, 0x21, K_NONE,
     "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0"
     "e2b"},
    {"test_snp_with_ovmfx64_without_kernel_feature_snp_only", SNP_VMM_QEMU,
     "ovmf_OvmfX64_suffix.bin", 1, 0x1, K_NONE,
     "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4"
     "005"},
};

static void
set_kernel(struct snp_sev_hashes *h, enum kmode k)
{
    static const uint8_t empty[1];

    switch (k) {
    case K_NONE:
        break;
    case K_EMPTY_APPEND_EMPTY:
        T_OK(snp_sev_hashes_compute(h, empty, 0, empty, 0, ""));
        break;
    case K_EMPTY_APPEND_CONSOLE:
        T_OK(snp_sev_hashes_compute(h, empty, 0, empty, 0, "console=ttyS0 loglevel=7"));
        break;
    }
}

static void
base_params(struct snp_measure_params *p, const uint8_t *img, size_t len)
{
    memset(p, 0, sizeof(*p));
    p->mode = SNP_MEASURE_MODE_SNP;
    p->vmm = SNP_VMM_QEMU;
    p->ovmf = img;
    p->ovmf_len = len;
    p->vcpus = 1;
    T_OK(snp_vcpu_sig_lookup("EPYC-v4", &p->vcpu_sig));
    p->guest_features = SNP_VMSA_FEAT_SNP_ACTIVE;
}

static void
test_published_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        const struct kat *k = &kats[i];
        struct snp_measure_params p;
        struct snp_sev_hashes h;
        uint8_t want[48], got[48], sw[48];
        char rel[128];
        size_t len, n = 0;
        uint8_t *ovmf;

        snprintf(rel, sizeof(rel), SSM "%s", k->ovmf);
        ovmf = t_vector(rel, &len); /* skips the test, visibly, without the vectors */
        base_params(&p, ovmf, len);
        p.vmm = k->vmm;
        p.vcpus = k->vcpus;
        p.guest_features = k->features;
        set_kernel(&h, k->kernel);
        p.hashes = k->kernel == K_NONE ? NULL : &h;
        t_unhex(want, 48, k->want);
        fw_launch(&p, got, NULL);
        if (memcmp(got, want, 48) != 0) {
            print_error("known answer %s: the firmware's MEASUREMENT differs\n", k->name);
        }
        t_memeq(got, want, 48);
        T_OK(snp_measure(&p, sw, &n, NULL));
        t_memeq(sw, want, 48);
        free(ovmf);
    }
}

/* sev-snp-measure's --snp-ovmf-hash: the host still launches the OVMF pages (precomputed), and
 * the firmware, which starts from zero, gets the same MEASUREMENT as the resumed chain. */
static void
test_published_ovmf_hash(void **state)
{
    struct snp_measure_params p;
    struct snp_sev_hashes h;
    uint8_t oh[48], want[48], got[48];
    size_t len, upd = 0;
    uint8_t *ovmf = t_vector(SSM "ovmf_AmdSev_suffix.bin", &len);

    (void)state;
    T_OK(snp_measure_ovmf_hash(ovmf, len, 1, oh, NULL));
    base_params(&p, ovmf, len);
    p.guest_features = 0x21;
    set_kernel(&h, K_EMPTY_APPEND_EMPTY);
    p.hashes = &h;
    p.ovmf_hash = oh;
    fw_launch(&p, got, &upd);
    t_unhex(want, 48, kats[0].want);
    t_memeq(got, want, 48);
    /* 1 OVMF page + 31 pages of sections (§8.7: 9+3+1+1+1+1+15) + 1 VMSA. */
    assert_int_equal(upd, 1 + 31 + 1);
    free(ovmf);
}

/* ---- self-contained: a synthetic OVMF-like image, every VMM flavour -------------------------- */

static void
test_synthetic_image(void **state)
{
    static const enum snp_vmm_type vmms[] = {SNP_VMM_QEMU, SNP_VMM_EC2, SNP_VMM_GCE};
    uint8_t *img = malloc(SYN_LEN);
    struct synth syn;
    struct snp_sev_hashes h;
    struct snp_measure_params p;
    uint8_t want[48], got[48];
    size_t n = 0, upd = 0;

    (void)state;
    assert_non_null(img);
    synth_amdsev(&syn);
    (void)synth_build(img, SYN_LEN, &syn);
    T_OK(snp_sev_hashes_compute(&h, (const uint8_t *)"kernel", 6, (const uint8_t *)"initrd", 6,
                                "console=ttyS0"));
    for (size_t i = 0; i < sizeof(vmms) / sizeof(vmms[0]); i++) {
        for (int with_kernel = 0; with_kernel <= 1; with_kernel++) {
            base_params(&p, img, SYN_LEN);
            p.vmm = vmms[i];
            p.vcpus = 3;
            p.guest_features = vmms[i] == SNP_VMM_GCE ? 0x1 : 0x21;
            p.hashes = with_kernel ? &h : NULL;
            T_OK(snp_measure(&p, want, &n, NULL));
            assert_int_equal(n, 48);
            fw_launch(&p, got, &upd);
            t_memeq(got, want, 48);
            assert_int_equal(upd, SYN_LEN / SNP_PAGE_SIZE + 31 + 3);
        }
    }
    free(img);
}

/* The page list is the launch: changing any input the list carries changes the MEASUREMENT. */
static void
test_synthetic_inputs_matter(void **state)
{
    uint8_t *img = malloc(SYN_LEN);
    struct synth syn;
    struct snp_measure_params p;
    uint8_t a[48], b[48];

    (void)state;
    assert_non_null(img);
    synth_amdsev(&syn);
    (void)synth_build(img, SYN_LEN, &syn);
    base_params(&p, img, SYN_LEN);
    fw_launch(&p, a, NULL);
    p.vcpus = 2; /* one more VMSA */
    fw_launch(&p, b, NULL);
    assert_false(memcmp(a, b, 48) == 0);
    p.vcpus = 1;
    img[100] ^= 1; /* one OVMF bit */
    fw_launch(&p, b, NULL);
    assert_false(memcmp(a, b, 48) == 0);
    free(img);
}

int
main(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_image),
        cmocka_unit_test(test_synthetic_inputs_matter),
        cmocka_unit_test(test_published_known_answers),
        cmocka_unit_test(test_published_ovmf_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
