/*
 * verify/kds_int.h - helpers shared by kds.c, kds_url.c and store.c (internal to verify/).
 */
#ifndef SNP_VERIFY_KDS_INT_H
#define SNP_VERIFY_KDS_INT_H

#include "base/compiler.h"
#include "snpkit/kds.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * kds_hwid_hex() - the chip's hwID as lower-case hex (128 digits on Milan/Genoa, 16 on Turin).
 * SNP_E_ARG for an unknown product; SNP_E_UNSUPPORTED when the hwID bytes are all zero.
 */
SNP_MUST_CHECK snp_err kds_hwid_hex(char out[2 * SNP_KDS_HWID_MAX + 1], enum snp_product p,
                                    const uint8_t chip_id[64]);

/* The 8 TCB_VERSION bytes in report (little-endian) order as 16 hex digits. */
void kds_tcb_hex(char out[17], uint64_t tcb);

/* snprintf into out; SNP_E_SPACE (and out = "") when it does not fit. */
SNP_MUST_CHECK snp_err kds_fmt(char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same for callers holding a va_list. */
SNP_MUST_CHECK snp_err kds_vfmt(char *out, size_t out_size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* The store directory the options select, or "" for none. */
void kds_store_dir(char out[SNP_KDS_PATH_MAX], const struct snp_kds_opts *o);

#endif /* SNP_VERIFY_KDS_INT_H */
