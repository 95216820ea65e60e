/*
 * base/compiler.h - attributes and the two control-flow macros of STYLE.md §5.3.
 */
#ifndef SNP_BASE_COMPILER_H
#define SNP_BASE_COMPILER_H

#include "snpkit/err.h"

#include <stdio.h>
#include <stdlib.h>

#if defined(__GNUC__) || defined(__clang__)
#define SNP_MUST_CHECK              __attribute__((warn_unused_result))
#define SNP_NONNULL(...)            __attribute__((nonnull(__VA_ARGS__)))
#define SNP_UNUSED                  __attribute__((unused))
#define snp_add_overflow(a, b, res) __builtin_add_overflow((a), (b), (res))
#define snp_mul_overflow(a, b, res) __builtin_mul_overflow((a), (b), (res))
#else
#define SNP_MUST_CHECK
#define SNP_NONNULL(...)
#define SNP_UNUSED
#error "snpkit needs GCC or clang for the overflow builtins"
#endif

#define SNP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A broken model invariant: a bug, never something an input can trigger. Aborts in every build. */
#define SNP_BUG_ON(cond)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            fprintf(stderr, "snpkit BUG at %s:%d: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define SNP_TRY(expr)                                                                              \
    do {                                                                                           \
        snp_err try_err_ = (expr);                                                                 \
        if (try_err_ != SNP_OK) {                                                                  \
            return try_err_;                                                                       \
        }                                                                                          \
    } while (0)

#define SNP_ENSURE(cond, err)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            return (err);                                                                          \
        }                                                                                          \
    } while (0)

#endif /* SNP_BASE_COMPILER_H */
