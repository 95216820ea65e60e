/*
 * sim/memctl.c - the memory controller: per-ASID keys, the 16-byte-block XTS cipher with an
 * SPA tweak, and the write-back plaintext cache (hardware.md §3.1-§3.3).
 *
 * Bytes move a page at a time: a line fill decrypts one page with two EVP calls, a write-back
 * encrypts one page; copies in and out of lines are memcpy. A write that covers a whole line
 * skips the fill. Relies on crypto/aes.h for the cipher, on the caller for every RMP check.
 */
#include "sim/memctl.h"

#include "snpkit/util.h"

#include <stdio.h>
#include <string.h>

static uint8_t *
line_bytes(const struct snp_memctl *mc, size_t i)
{
    return mc->line_data + i * SNP_PAGE_SIZE;
}

static uint8_t *
dram_page(const struct snp_memctl *mc, uint64_t pfn)
{
    return mc->dram + mc->frame[pfn] * SNP_PAGE_SIZE;
}

static void
trace(struct snp_memctl *mc, uint64_t spa, bool write, const uint8_t *data, size_t len)
{
    if (mc->trace != NULL) {
        mc->trace(mc->trace_ctx, spa, write, data, len);
    }
}

/* Whether DRAM holds lines of @key as ciphertext (§3.1: every guest key; the mutation
 * check's broken chip ignores the C-bit and stores plaintext). */
static bool
encrypted(const struct snp_memctl *mc, uint16_t key)
{
    if ((mc->mutations & SNP_MUT_NO_MEM_ENCRYPTION) != 0) {
        return false;
    }
    return key != SNP_KEY_PLAIN;
}

/* DRAM <- line (encrypting under the line's key). */
static snp_err
writeback(struct snp_memctl *mc, size_t i)
{
    struct snp_cache_line *l = &mc->line[i];
    uint8_t *d = dram_page(mc, l->pfn);
    uint64_t spa = l->pfn << SNP_PAGE_SHIFT;
    snp_err err = SNP_OK;

    if (!l->valid || !l->dirty) {
        return SNP_OK;
    }
    if (!encrypted(mc, l->key)) {
        memcpy(d, line_bytes(mc, i), SNP_PAGE_SIZE);
    } else {
        /* §3.2: C = E_K(P ^ T(spa)) ^ T(spa) per 16-byte block, K = the ASID's key. */
        err = snp_aes_xts_crypt(mc->slot[l->key], true, spa, line_bytes(mc, i), d, SNP_PAGE_SIZE);
        *mc->cycles += SNP_CYC_AES_PAGE;
    }
    *mc->cycles += SNP_CYC_DRAM_PAGE;
    trace(mc, spa, true, d, SNP_PAGE_SIZE);
    l->dirty = false;
    return err;
}

static snp_err
fill(struct snp_memctl *mc, size_t i, uint64_t pfn, uint16_t key, bool no_fetch)
{
    struct snp_cache_line *l = &mc->line[i];
    const uint8_t *d = dram_page(mc, pfn);
    uint64_t spa = pfn << SNP_PAGE_SHIFT;
    snp_err err = SNP_OK;

    l->pfn = pfn;
    l->key = key;
    l->valid = true;
    l->dirty = false;
    if (no_fetch) {
        return SNP_OK; /* the caller overwrites the whole line */
    }
    trace(mc, spa, false, d, SNP_PAGE_SIZE);
    *mc->cycles += SNP_CYC_DRAM_PAGE;
    if (!encrypted(mc, key)) {
        memcpy(line_bytes(mc, i), d, SNP_PAGE_SIZE);
    } else {
        err = snp_aes_xts_crypt(mc->slot[key], false, spa, d, line_bytes(mc, i), SNP_PAGE_SIZE);
        *mc->cycles += SNP_CYC_AES_PAGE;
    }
    if (err != SNP_OK) {
        l->valid = false;
    }
    return err;
}

static void
drop(struct snp_memctl *mc, size_t i)
{
    mc->line[i].valid = false;
    mc->line[i].dirty = false;
    snp_wipe(line_bytes(mc, i), SNP_PAGE_SIZE);
}

/*
 * The line for (@pfn, @key), filling it if needed. Coherence across keys: a line of the same
 * SPA under another key is written back and dropped first, so the new key sees DRAM.
 */
static snp_err
lookup(struct snp_memctl *mc, uint64_t pfn, uint16_t key, bool whole, size_t *out)
{
    size_t nsets = mc->nlines / SNP_CACHE_WAYS;
    size_t set = (size_t)(pfn % nsets) * SNP_CACHE_WAYS;
    size_t victim = set;

    for (size_t w = set; w < set + SNP_CACHE_WAYS; w++) {
        struct snp_cache_line *l = &mc->line[w];
        if (l->valid && l->pfn == pfn) {
            if (l->key == key) {
                l->lru = ++mc->lru_clock;
                *mc->cycles += SNP_CYC_CACHE_HIT;
                *out = w;
                return SNP_OK;
            }
            SNP_TRY(writeback(mc, w));
            drop(mc, w);
            victim = w;
            goto refill;
        }
        if (!mc->line[victim].valid) {
            continue;
        }
        if (!l->valid || l->lru < mc->line[victim].lru) {
            victim = w;
        }
    }
    SNP_TRY(writeback(mc, victim));
refill:
    SNP_TRY(fill(mc, victim, pfn, key, whole));
    mc->line[victim].lru = ++mc->lru_clock;
    *out = victim;
    return SNP_OK;
}

static snp_err
check_args(const struct snp_memctl *mc, uint64_t spa, uint16_t key, size_t len)
{
    uint64_t end;

    if (snp_add_overflow(spa, (uint64_t)len, &end) || end > (mc->npages << SNP_PAGE_SHIFT)) {
        return SNP_E_RANGE;
    }
    if (key != SNP_KEY_PLAIN && (key > mc->max_asid || !snp_aes_xts_has_key(mc->slot[key]))) {
        return SNP_E_STATE;
    }
    return SNP_OK;
}

snp_err
snp_memctl_read(struct snp_memctl *mc, uint64_t spa, uint16_t key, void *buf, size_t len)
{
    uint8_t *p = buf;

    SNP_TRY(check_args(mc, spa, key, len));
    while (len > 0) {
        size_t off = (size_t)(spa & (SNP_PAGE_SIZE - 1));
        size_t n = SNP_PAGE_SIZE - off < len ? SNP_PAGE_SIZE - off : len;
        size_t i;

        SNP_TRY(lookup(mc, spa >> SNP_PAGE_SHIFT, key, false, &i));
        memcpy(p, line_bytes(mc, i) + off, n);
        p += n;
        spa += n;
        len -= n;
    }
    return SNP_OK;
}

snp_err
snp_memctl_write(struct snp_memctl *mc, uint64_t spa, uint16_t key, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    SNP_TRY(check_args(mc, spa, key, len));
    while (len > 0) {
        size_t off = (size_t)(spa & (SNP_PAGE_SIZE - 1));
        size_t n = SNP_PAGE_SIZE - off < len ? SNP_PAGE_SIZE - off : len;
        size_t i;

        SNP_TRY(lookup(mc, spa >> SNP_PAGE_SHIFT, key, n == SNP_PAGE_SIZE, &i));
        memcpy(line_bytes(mc, i) + off, p, n);
        mc->line[i].dirty = true;
        p += n;
        spa += n;
        len -= n;
    }
    return SNP_OK;
}

snp_err
snp_memctl_wbinvd(struct snp_memctl *mc)
{
    for (size_t i = 0; i < mc->nlines; i++) {
        SNP_TRY(writeback(mc, i));
        drop(mc, i);
    }
    return SNP_OK;
}

snp_err
snp_memctl_invd(struct snp_memctl *mc, bool fixed)
{
    /* CacheWarp (Zhang et al. 2024): INVD discards dirty lines, reverting guest memory to the
     * stale DRAM value. The microcode fix makes INVD behave as WBINVD. */
    if (fixed) {
        return snp_memctl_wbinvd(mc);
    }
    for (size_t i = 0; i < mc->nlines; i++) {
        drop(mc, i);
    }
    return SNP_OK;
}

snp_err
snp_memctl_flush_key(struct snp_memctl *mc, uint16_t key)
{
    for (size_t i = 0; i < mc->nlines; i++) {
        if (mc->line[i].valid && mc->line[i].key == key) {
            SNP_TRY(writeback(mc, i));
            drop(mc, i);
        }
    }
    return SNP_OK;
}

snp_err
snp_memctl_set_key(struct snp_memctl *mc, uint32_t asid, const uint8_t *key, size_t key_len)
{
    if (asid == 0 || asid > mc->max_asid) {
        return SNP_E_ARG;
    }
    SNP_TRY(snp_memctl_flush_key(mc, (uint16_t)asid));
    return snp_aes_xts_set_key(mc->slot[asid], key, key_len);
}

snp_err
snp_memctl_clear_key(struct snp_memctl *mc, uint32_t asid)
{
    if (asid == 0 || asid > mc->max_asid) {
        return SNP_E_ARG;
    }
    if (snp_aes_xts_has_key(mc->slot[asid])) {
        SNP_TRY(snp_memctl_flush_key(mc, (uint16_t)asid));
    }
    snp_aes_xts_clear_key(mc->slot[asid]);
    return SNP_OK;
}

bool
snp_memctl_has_key(const struct snp_memctl *mc, uint32_t asid)
{
    return asid != 0 && asid <= mc->max_asid && snp_aes_xts_has_key(mc->slot[asid]);
}

snp_err
snp_memctl_raw(struct snp_memctl *mc, uint64_t spa, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;

    SNP_TRY(check_args(mc, spa, SNP_KEY_PLAIN, len));
    if (write) {
        mc->phys_touched = true;
    }
    while (len > 0) {
        size_t off = (size_t)(spa & (SNP_PAGE_SIZE - 1));
        size_t n = SNP_PAGE_SIZE - off < len ? SNP_PAGE_SIZE - off : len;
        uint8_t *d = dram_page(mc, spa >> SNP_PAGE_SHIFT) + off;

        if (write) {
            memcpy(d, p, n);
        } else {
            memcpy(p, d, n);
        }
        p += n;
        spa += n;
        len -= n;
    }
    return SNP_OK;
}

snp_err
snp_memctl_check_invariants(const struct snp_memctl *mc, uint8_t *scratch, char *why,
                            size_t why_size)
{
    for (size_t i = 0; i < mc->nlines; i++) {
        const struct snp_cache_line *l = &mc->line[i];
        if (!l->valid) {
            if (l->dirty) {
                snprintf(why, why_size, "cache: invalid line %zu is dirty", i);
                return SNP_E_STATE;
            }
            continue;
        }
        if (l->pfn >= mc->npages || l->key > mc->max_asid ||
            (l->key != SNP_KEY_PLAIN && !snp_aes_xts_has_key(mc->slot[l->key]))) {
            snprintf(why, why_size, "cache: line %zu tag out of range or unkeyed", i);
            return SNP_E_STATE;
        }
        for (size_t j = i + 1; j < mc->nlines; j++) {
            if (mc->line[j].valid && mc->line[j].pfn == l->pfn) {
                snprintf(why, why_size, "cache: two lines for pfn 0x%llx (incoherent)",
                         (unsigned long long)l->pfn);
                return SNP_E_STATE;
            }
        }
        if (l->dirty || mc->phys_touched) {
            continue;
        }
        if (!encrypted(mc, l->key)) {
            memcpy(scratch, dram_page(mc, l->pfn), SNP_PAGE_SIZE);
        } else if (snp_aes_xts_crypt(mc->slot[l->key], false, l->pfn << SNP_PAGE_SHIFT,
                                     dram_page(mc, l->pfn), scratch, SNP_PAGE_SIZE) != SNP_OK) {
            snprintf(why, why_size, "cache: decrypt failed");
            return SNP_E_STATE;
        }
        if (memcmp(scratch, line_bytes(mc, i), SNP_PAGE_SIZE) != 0) {
            snprintf(why, why_size, "cache: clean line %zu differs from DRAM", i);
            return SNP_E_STATE;
        }
    }
    return SNP_OK;
}
