/*
 * base/ct.c - constant-time helpers and secure wipe (libc only).
 *
 * The compare loops OR every difference into one accumulator and branch only at the end, so
 * their running time depends on the length, not on where (or whether) the inputs differ.
 */
#include "snpkit/util.h"

#include <stdlib.h>
#include <string.h>

bool
snp_ct_eq(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *pa = a;
    const volatile uint8_t *pb = b;
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++) {
        acc |= (uint8_t)(pa[i] ^ pb[i]);
    }
    return acc == 0;
}

bool
snp_ct_is_zero(const void *p, size_t n)
{
    const volatile uint8_t *q = p;
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++) {
        acc |= q[i];
    }
    return acc == 0;
}

uint32_t
snp_ct_select_u32(uint32_t bit, uint32_t a, uint32_t b)
{
    /* bit is 0 or 1, so -bit is all zeros or all ones: a mask that picks a or b. */
    uint32_t mask = (uint32_t)0 - bit;
    return (a & mask) | (b & ~mask);
}

/* Calling memset through a volatile pointer stops the compiler from proving the store dead. */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

void
snp_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0) {
        wipe_memset(p, 0, n);
    }
}

void
snp_free_secret(void *p, size_t n)
{
    if (p == NULL) {
        return;
    }
    snp_wipe(p, n);
    free(p);
}
