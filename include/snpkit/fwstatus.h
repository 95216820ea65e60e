/*
 * snpkit/fwstatus.h - SEV firmware status codes (attestation.md §7.8, hardware.md §6.2).
 *
 * Firmware status is data, not a library error (STYLE.md §5.2): it is what the firmware writes
 * into MSG_*_RSP STATUS and returns for a command, and its values are part of the modelled ABI.
 * Names are SNP_FW_<spec name>, values are the spec's. Keep it apart from snp_err.
 */
#ifndef SNPKIT_FWSTATUS_H
#define SNPKIT_FWSTATUS_H

#include <stdbool.h>
#include <stdint.h>

/* One list: enum value and spec name cannot drift apart. Never renumber. */
#define SNP_FW_STATUSES(X)                                                                         \
    X(SNP_FW_SUCCESS, 0x00, "SUCCESS")                                                             \
    X(SNP_FW_INVALID_PLATFORM_STATE, 0x01, "INVALID_PLATFORM_STATE")                               \
    X(SNP_FW_INVALID_GUEST_STATE, 0x02, "INVALID_GUEST_STATE")                                     \
    X(SNP_FW_INVALID_CONFIG, 0x03, "INVALID_CONFIG")                                               \
    X(SNP_FW_INVALID_LEN, 0x04, "INVALID_LEN")                                                     \
    X(SNP_FW_ALREADY_OWNED, 0x05, "ALREADY_OWNED")                                                 \
    X(SNP_FW_INVALID_CERTIFICATE, 0x06, "INVALID_CERTIFICATE")                                     \
    X(SNP_FW_POLICY_FAILURE, 0x07, "POLICY_FAILURE")                                               \
    X(SNP_FW_INACTIVE, 0x08, "INACTIVE")                                                           \
    X(SNP_FW_INVALID_ADDRESS, 0x09, "INVALID_ADDRESS")                                             \
    X(SNP_FW_BAD_SIGNATURE, 0x0A, "BAD_SIGNATURE")                                                 \
    X(SNP_FW_BAD_MEASUREMENT, 0x0B, "BAD_MEASUREMENT")                                             \
    X(SNP_FW_ASID_OWNED, 0x0C, "ASID_OWNED")                                                       \
    X(SNP_FW_INVALID_ASID, 0x0D, "INVALID_ASID")                                                   \
    X(SNP_FW_WBINVD_REQUIRED, 0x0E, "WBINVD_REQUIRED")                                             \
    X(SNP_FW_DFFLUSH_REQUIRED, 0x0F, "DFFLUSH_REQUIRED")                                           \
    X(SNP_FW_INVALID_GUEST, 0x10, "INVALID_GUEST")                                                 \
    X(SNP_FW_INVALID_COMMAND, 0x11, "INVALID_COMMAND")                                             \
    X(SNP_FW_ACTIVE, 0x12, "ACTIVE")                                                               \
    X(SNP_FW_HWERROR_PLATFORM, 0x13, "HWERROR_PLATFORM")                                           \
    X(SNP_FW_HWERROR_UNSAFE, 0x14, "HWERROR_UNSAFE")                                               \
    X(SNP_FW_UNSUPPORTED, 0x15, "UNSUPPORTED")                                                     \
    X(SNP_FW_INVALID_PARAM, 0x16, "INVALID_PARAM")                                                 \
    X(SNP_FW_RESOURCE_LIMIT, 0x17, "RESOURCE_LIMIT")                                               \
    X(SNP_FW_SECURE_DATA_INVALID, 0x18, "SECURE_DATA_INVALID")                                     \
    X(SNP_FW_INVALID_PAGE_SIZE, 0x19, "INVALID_PAGE_SIZE")                                         \
    X(SNP_FW_INVALID_PAGE_STATE, 0x1A, "INVALID_PAGE_STATE")                                       \
    X(SNP_FW_INVALID_MDATA_ENTRY, 0x1B, "INVALID_MDATA_ENTRY")                                     \
    X(SNP_FW_INVALID_PAGE_OWNER, 0x1C, "INVALID_PAGE_OWNER")                                       \
    X(SNP_FW_AEAD_OFLOW, 0x1D, "AEAD_OFLOW")                                                       \
    /* 0x1E is unused (hardware.md §6.2 note; an old Linux enum implied otherwise) */             \
    X(SNP_FW_EXIT_RING_BUFFER, 0x1F, "EXIT_RING_BUFFER")                                           \
    X(SNP_FW_RMP_INIT_REQUIRED, 0x20, "RMP_INIT_REQUIRED")                                         \
    X(SNP_FW_BAD_SVN, 0x21, "BAD_SVN")                                                             \
    X(SNP_FW_BAD_VERSION, 0x22, "BAD_VERSION")                                                     \
    X(SNP_FW_SHUTDOWN_REQUIRED, 0x23, "SHUTDOWN_REQUIRED")                                         \
    X(SNP_FW_UPDATE_FAILED, 0x24, "UPDATE_FAILED")                                                 \
    X(SNP_FW_RESTORE_REQUIRED, 0x25, "RESTORE_REQUIRED")                                           \
    X(SNP_FW_RMP_INITIALIZATION_FAILED, 0x26, "RMP_INITIALIZATION_FAILED")                         \
    X(SNP_FW_INVALID_KEY, 0x27, "INVALID_KEY")                                                     \
    X(SNP_FW_SHUTDOWN_INCOMPLETE, 0x28, "SHUTDOWN_INCOMPLETE")
/* XXX(h2): 0x30..0x3F (TIO / buffer-length codes of the kernel's psp-sev.h) have no names in
 * our spec and are not listed: snp_fw_status_name() calls them "UNKNOWN". */

#define SNP_FW_STATUS_ENUM_(name, val, spec) name = val,
enum snp_fw_status { SNP_FW_STATUSES(SNP_FW_STATUS_ENUM_) };
#undef SNP_FW_STATUS_ENUM_

/*
 * snp_fw_status_name() - the spec's name of a status value ("INVALID_PARAM" for 0x16), taken
 * as the raw u32 of a STATUS field so any wire value can be named. "UNKNOWN" for a value not
 * in the table. Never NULL.
 */
const char *snp_fw_status_name(uint32_t status);

/* snp_fw_status_known() - true when status is one of the values of SNP_FW_STATUSES. */
bool snp_fw_status_known(uint32_t status);

#endif /* SNPKIT_FWSTATUS_H */
