/*
 * guest/sevguest_abi.h - the Linux /dev/sev-guest ioctl ABI as attestation.md §8.2 describes
 * it, written out by us so the back end builds where the system header is missing or old.
 * gdev_sevguest.c static-asserts these against <linux/sev-guest.h> when it is present, and
 * tests/unit/guest/test_guest_dev.c checks them again at run time.
 */
#ifndef SNP_GUEST_SEVGUEST_ABI_H
#define SNP_GUEST_SEVGUEST_ABI_H

#include "base/compiler.h"
#include "snpkit/guest.h"

#include <stdint.h>

/* struct snp_guest_request_ioctl (32 bytes). */
#define SNP_SG_IOCTL_SIZE          32
#define SNP_SG_IOCTL_OFF_VERSION   0x00 /* u8 msg_version, != 0 */
#define SNP_SG_IOCTL_OFF_REQ       0x08 /* u64 req_data (user pointer) */
#define SNP_SG_IOCTL_OFF_RESP      0x10 /* u64 resp_data */
#define SNP_SG_IOCTL_OFF_EXITINFO2 0x18 /* u64: fw_error u32 @0x18, vmm_error u32 @0x1C */

/* _IOWR('S', n, 32): dir 3 << 30 | size 32 << 16 | 'S' << 8 | n. */
#define SNP_SG_GET_REPORT      UINT32_C(0xC0205300)
#define SNP_SG_GET_DERIVED_KEY UINT32_C(0xC0205301)
#define SNP_SG_GET_EXT_REPORT  UINT32_C(0xC0205302)

#define SNP_SG_REPORT_REQ_SIZE    96   /* user_data[64], vmpl u32, rsvd[28] (KEY_SEL @0x44) */
#define SNP_SG_REPORT_RESP_SIZE   4000 /* data[4000]: MSG_REPORT_RSP */
#define SNP_SG_KEY_REQ_SIZE       32
#define SNP_SG_KEY_RESP_SIZE      64
#define SNP_SG_EXT_REQ_SIZE       112 /* report req, certs_address u64 @96, certs_len u32 @104 */
#define SNP_SG_EXT_OFF_CERTS_ADDR 96
#define SNP_SG_EXT_OFF_CERTS_LEN  104
#define SNP_SG_CERTS_DEFAULT      0x4000 /* SEV_FW_BLOB_MAX_SIZE; multiple of 4096 */

/*
 * snp_gdev_sevguest_verdict() - turn an ioctl outcome into our error (pure; tested alone).
 * @rc, @errnum: the ioctl's return value and errno; @exitinfo2: what the kernel copied back.
 * @st: filled with fw_error (low half) / vmm_error (high half) unless the kernel left its
 *      "never reached the firmware" marker (0xff or all ones), which is reported as 0.
 * Returns SNP_OK (rc == 0); SNP_E_SPACE (vmm_error INVALID_LEN); SNP_E_STATE (fw_error set);
 * SNP_E_ARG (EINVAL without a firmware error); SNP_E_IO otherwise.
 */
SNP_MUST_CHECK snp_err snp_gdev_sevguest_verdict(int rc, int errnum, uint64_t exitinfo2,
                                                 struct snp_guest_status *st);

#endif /* SNP_GUEST_SEVGUEST_ABI_H */
