/*
 * abi/fwstatus.c - names of the SEV firmware status codes (attestation.md §7.8).
 *
 * Pure table lookup over SNP_FW_STATUSES; no state.
 */
#include "snpkit/fwstatus.h"

#include <stddef.h>

struct fw_status_row {
    uint32_t value;
    const char *name;
};

#define FW_STATUS_ROW_(name, val, spec) {(val), (spec)},
static const struct fw_status_row fw_status_rows[] = {SNP_FW_STATUSES(FW_STATUS_ROW_)};
#undef FW_STATUS_ROW_

static const char *
fw_status_lookup(uint32_t status)
{
    for (size_t i = 0; i < sizeof(fw_status_rows) / sizeof(fw_status_rows[0]); i++) {
        if (fw_status_rows[i].value == status) {
            return fw_status_rows[i].name;
        }
    }
    return NULL;
}

const char *
snp_fw_status_name(uint32_t status)
{
    const char *name = fw_status_lookup(status);

    return name != NULL ? name : "UNKNOWN";
}

bool
snp_fw_status_known(uint32_t status)
{
    return fw_status_lookup(status) != NULL;
}
