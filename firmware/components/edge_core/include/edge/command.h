#ifndef EDGE_COMMAND_H
#define EDGE_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/wire.h"

/* What the device makes of a SignedCommand from the gateway. */
typedef struct {
    /* The command's id as it claims it, to be acknowledged with the result. */
    uint64_t command_id;
    edge_command_result result;
    /* The decoded command; act on it only when result is EDGE_RESULT_APPLIED. */
    edge_device_command command;
} edge_command_verdict;

/* Checks a SignedCommand in this order: signature with the gateway's command key (NULL when
 * none was provisioned), device id, command id above last_applied, values the device accepts.
 * Returns EDGE_ERR_DECODE when the bytes are not a signed command at all (there is nothing
 * to acknowledge); otherwise EDGE_OK with the verdict, which is EDGE_RESULT_APPLIED when the
 * command is to be applied. Pure: persisting the id and applying are the caller's. */
int edge_command_check(const uint8_t *bytes, size_t len, const char *device_id,
                       const uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES], uint64_t last_applied,
                       edge_command_verdict *verdict);

/* "applied", "bad_signature", ...: the CommandResult names without their prefix. */
const char *edge_command_result_name(edge_command_result result);

/* "set_sampling_interval", "set_thresholds", "reboot", or "none". */
const char *edge_command_action_name(const edge_device_command *command);

#endif
