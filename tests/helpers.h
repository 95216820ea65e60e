/*
 * tests/helpers.h - assertions and vector access shared by the cmocka tests (STYLE.md §11.1).
 */
#ifndef SNP_TESTS_HELPERS_H
#define SNP_TESTS_HELPERS_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "snpkit/err.h"

#include <stdbool.h>

#define T_OK(expr)        assert_int_equal((expr), SNP_OK)
#define T_ERR(expr, want) assert_int_equal((expr), (want))
#define T_FW(expr, want)  assert_int_equal((expr), (want))

/* On mismatch: the first differing offset and hex of both around it, then fail. */
#define t_memeq(a, b, n) t_memeq_at((a), (b), (n), __FILE__, __LINE__)
void t_memeq_at(const void *a, const void *b, size_t n, const char *file, int line);

/*
 * The external vectors live in ../shared/vectors (or $SNPKIT_VECTORS). A user's fresh clone has
 * none: then t_vector() prints a visible "SKIP" line and calls cmocka's skip().
 * Returns the directory, or NULL when absent (t_vectors_dir only; never skips).
 */
const char *t_vectors_dir(void);

/*
 * t_vector() - read vectors/<rel> whole into a malloc'd buffer (caller frees). Skips the test
 * (visibly) when the vectors are absent; fails the test when the file is missing though the
 * vectors directory exists, since then the manifest and the test disagree.
 */
uint8_t *t_vector(const char *rel, size_t *len);

/* t_read_file() - read any file whole; NULL when it cannot be read. */
uint8_t *t_read_file(const char *path, size_t *len);

/* t_unhex() - decode a hex literal of exactly n bytes into out (fails the test otherwise). */
void t_unhex(uint8_t *out, size_t n, const char *hex);

/* Deterministic bytes for tests: a simple xorshift stream from seed. */
void t_fill(uint8_t *out, size_t n, uint64_t seed);

/* rm -r dir: a test's own temporary directory (symlinks are removed, never followed). */
void t_rm_tree(const char *dir);

#endif /* SNP_TESTS_HELPERS_H */
