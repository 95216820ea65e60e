/*
 * guest/app.h - the guest program of a snpkit CVM: the runtime boot, then the app the measured
 * kernel command line selects (`snpkit.app=agent` or `snpkit.app=kv`, or an app linked in from
 * another module with snp_guest_app_main_ext()), serving requests that arrive on the device
 * channel (docs/guest.md). Internal to guest/ and the CLI that launches it.
 *
 * The constants below are the guest's transcription of the boot block and channel ABI
 * (docs/vmm.md, docs/guest.md); the host has its own in snpkit/vmm.h. A test boots the one
 * against the other, so they cannot drift silently.
 */
#ifndef SNP_GUEST_APP_H
#define SNP_GUEST_APP_H

#include "snpkit/err.h"

#include <stddef.h>
#include <stdint.h>

struct snp_guest;

#define SNP_APP_BOOT_GPA     UINT64_C(0xFFFFF000) /* boot block: last page of the firmware */
#define SNP_APP_BOOT_SIZE    0x78
#define SNP_APP_PORT_CONSOLE 0x3F8
#define SNP_APP_PORT_CHAN    0x5E0
#define SNP_APP_CHAN_HDR     16u
#define SNP_APP_CMDLINE_MAX  4000u

/* Channel ops (docs/guest.md). */
#define SNP_APP_OP_HELLO      0x00
#define SNP_APP_OP_REPORT     0x01
#define SNP_APP_OP_EXT_REPORT 0x02
#define SNP_APP_OP_KEY        0x03
#define SNP_APP_OP_KV_PUT     0x10
#define SNP_APP_OP_KV_GET     0x11
#define SNP_APP_OP_ACCEPT     0x20 /* u64 gpa, u32 pages: accept as private memory */
#define SNP_APP_OP_CPUID      0x21 /* u32 leaf, u32 subleaf -> u32 eax, ebx, ecx, edx */
#define SNP_APP_OP_EVENTS     0x22 /* -> u32 count, u8 last vector, u8 last type */
#define SNP_APP_OP_NET        0x30 /* an app of snp_guest_app_main_ext(): atls, atls-proxy */
#define SNP_APP_OP_SHUTDOWN   0xFF
#define SNP_APP_OP_RESPONSE   0x80
#define SNP_APP_KV_KEY_MAX    256u
#define SNP_APP_KV_SEAL_OVER  28u /* nonce[12] || tag[16] in front of the ciphertext */

/* Agent diagnostics for `snpkit attack` N2, N5, N6 and WeSee (docs/guest.md), test fixtures:
 * 0x23 WORK: u32 units -> u32 units done, u32 checksum; 0x24 IRQWORK: u32 rounds -> u32
 * steps done, u32 secret; 0x25 NOTE: u16 off, u16 len, bytes (DELIBERATELY BUGGY bound);
 * 0x26 ADMIN -> 32-byte secret while "authorised"; 0x27 REGHOLD -> u64 RAX, u64 RDX after an
 * idle HLT, u64 RCX held, u32 #VC handled. */
#define SNP_APP_OP_WORK     0x23
#define SNP_APP_OP_IRQWORK  0x24
#define SNP_APP_OP_NOTE     0x25
#define SNP_APP_OP_ADMIN    0x26
#define SNP_APP_OP_REGHOLD  0x27
#define SNP_APP_WORK_MAX    100000u
#define SNP_APP_IRQWORK_MAX 32u

/* The kv app's working page (free RAM, docs/vmm.md): accepted as private memory at start; it
 * holds the last value stored or fetched (u16 klen, key, u32 vlen, value at offset 0x40) as a
 * real store holds its data in memory. In a plain VM it also holds the sealing key (offset 0),
 * since there is no PSP to derive one: the host reads both (the baseline attack). */
#define SNP_APP_KV_PAGE_GPA UINT64_C(0x38000)
#define SNP_APP_KV_REC_OFF  0x40u

/* SMP (docs/guest.md): the BSP starts at the reset vector (RIP 0xFFF0, §4.2), APs at the
 * SEV-ES reset block, so RIP at entry tells the two apart. The BSP creates the APs (NAE
 * AP_CREATION with the launch VMSA, at the GPA the launch measured it, §8.2), one at a time:
 * it writes the APIC ID in the SMP page (private, accepted by the BSP) and waits until the AP
 * has set its bit there. Each AP uses its own shared GHCB in the low free RAM. */
#define SNP_APP_BSP_RIP         UINT64_C(0xFFF0)
#define SNP_APP_LAUNCH_VMSA_GPA UINT64_C(0xFFFFFFFFF000)
#define SNP_APP_MAX_VCPUS       8u
#define SNP_APP_SMP_PAGE_GPA    UINT64_C(0x39000) /* u32 next APIC ID, u32 bitmap of APs up */
#define SNP_APP_AP_GHCB_GPA(id) ((uint64_t)(id)*0x1000u)

/* `snpkit.app=psctest` (tests): converts SNP_APP_PSC_PAGES pages at SNP_APP_PSC_GPA private ->
 * shared -> private and says so on the console ("psctest: shared", "psctest: private"). */
#define SNP_APP_PSC_GPA    UINT64_C(0x3A000)
#define SNP_APP_PSC_PAGES  2u
#define SNP_APP_PSC_SHARED "psctest shared value"
#define SNP_APP_PSC_SECRET "psctest secret two"

/*
 * snp_guest_app_main() - the vCPU entry point (snp_vmm_launch.entry). @arg is host-supplied
 * and ignored: everything the guest relies on comes from measured memory (boot block, SEV
 * hashes table) or is checked against it (the command line). Returns when the host sends
 * SHUTDOWN; terminates the VM (GHCB termination request) when the launch is not what it
 * should be.
 */
void snp_guest_app_main(struct snp_guest *g, void *arg);

/*
 * An app implemented outside guest/ (e.g. atls/, which may include this header; guest/ never
 * includes it back), served by the same boot, command-line check and channel loop. While it
 * runs, the channel carries only HELLO (its name), SHUTDOWN and the ops its handler knows: the
 * agent's ops (REPORT, EXT_REPORT, KEY, diagnostics) are NOT served, so the host cannot have
 * the guest attest anything the app did not choose to attest.
 */
struct snp_guest_dev;
struct snp_guest_app_ext {
    const char *const *names; /* the snpkit.app= values it serves; NULL-terminated */
    void *ctx;
    /* Once, after boot and the command-line check, before the first request: @dev is the
     * guest's attestation device (owned by the program). An error stops the guest. */
    snp_err (*start)(void *ctx, const char *name, struct snp_guest_dev *dev);
    /* One request: op, body (hostile: shared memory). Writes at most @cap bytes of response
     * body at @out, *out_len. Its error becomes the response status (no body). */
    snp_err (*handle)(void *ctx, uint8_t op, const uint8_t *body, size_t len, uint8_t *out,
                      size_t cap, size_t *out_len);
    /* Once, when the app ends (SHUTDOWN or a channel failure), if start succeeded. */
    void (*stop)(void *ctx);
};

/*
 * snp_guest_app_main_ext() - snp_guest_app_main() with @ext linked in: a command line naming
 * one of ext->names runs that app; any other is served as by snp_guest_app_main().
 */
void snp_guest_app_main_ext(struct snp_guest *g, void *arg, const struct snp_guest_app_ext *ext);

#endif /* SNP_GUEST_APP_H */
