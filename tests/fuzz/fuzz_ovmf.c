/*
 * tests/fuzz/fuzz_ovmf.c - libFuzzer target for the OVMF footer table / SEV metadata parser
 * (hardware.md §7.2, §7.3) and, on images it accepts, the whole SNP measurement.
 *
 * Properties, each abort()ing on violation:
 *   - parse fails => the struct is all zero and a reason is named;
 *   - parse succeeds => every section is 4 KiB aligned, non-empty, below 4 GiB and disjoint from
 *     the others, and the metadata header lies inside the input;
 *   - a 4 KiB-multiple input that parses either measures or is refused with a named reason, and
 *     measuring twice gives the same digest.
 * Seeds in corpus/fuzz_ovmf are synthetic images (tests/unit/measure/synth_ovmf.h layout).
 */
#include "snpkit/measure.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_parsed(const struct snp_ovmf *o, size_t size)
{
    if (o->nsections > SNP_OVMF_MAX_SECTIONS || (o->has_metadata && o->metadata_off + 16 > size)) {
        abort();
    }
    for (size_t i = 0; i < o->nsections; i++) {
        const struct snp_ovmf_section *s = &o->sections[i];
        uint64_t end = (uint64_t)s->gpa + s->size;

        if (s->size == 0 || s->gpa % 4096 != 0 || s->size % 4096 != 0 || end > SNP_MEASURE_GPA_4G ||
            snp_ovmf_section_name(s->type) == NULL) {
            abort();
        }
        for (size_t j = 0; j < i; j++) {
            const struct snp_ovmf_section *t = &o->sections[j];
            if (s->gpa < (uint64_t)t->gpa + t->size && t->gpa < end) {
                abort();
            }
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t zero[sizeof(struct snp_ovmf)];
    struct snp_ovmf o;
    struct snp_measure_diag d;
    snp_err err = snp_ovmf_parse(&o, data, size, &d);

    if (err != SNP_OK) {
        if (memcmp(&o, zero, sizeof(o)) != 0 || d.why == SNP_MW_NONE) {
            abort();
        }
        return 0;
    }
    check_parsed(&o, size);
    if (size != 0 && size % 4096 == 0 && size <= (1u << 20)) {
        struct snp_measure_params p;
        struct snp_sev_hashes h;
        uint8_t a[48], b[48];
        size_t na = 0, nb = 0;

        memset(&p, 0, sizeof(p));
        memset(&h, 0x11, sizeof(h));
        p.mode = SNP_MEASURE_MODE_SNP;
        p.ovmf = data;
        p.ovmf_len = size;
        p.vcpus = 2;
        p.vcpu_sig = 0x00800F12;
        p.guest_features = 1;
        p.hashes = (size & 4096) != 0 ? &h : NULL;
        err = snp_measure(&p, a, &na, &d);
        if (err != SNP_OK && d.why == SNP_MW_NONE) {
            abort();
        }
        if (err == SNP_OK && (snp_measure(&p, b, &nb, NULL) != SNP_OK || na != 48 || nb != 48 ||
                              memcmp(a, b, 48) != 0)) {
            abort();
        }
    }
    return 0;
}
