#include "edge/command.h"

#include <pb_decode.h>
#include <string.h>

#include "edge/names.h"
#include "edge/settings.h"
#include "edge/status.h"
#include "edge/thresholds.h"

static bool values_valid(const edge_device_command *command)
{
    switch (command->which_action) {
    case intelledger_device_v1_DeviceCommand_set_sampling_interval_tag:
        return edge_interval_valid(command->action.set_sampling_interval.interval_ms);
    case intelledger_device_v1_DeviceCommand_set_thresholds_tag:
        return edge_thresholds_valid(&command->action.set_thresholds);
    case intelledger_device_v1_DeviceCommand_reboot_tag:
        return true;
    default:
        return false;
    }
}

int edge_command_check(const uint8_t *bytes, size_t len, const char *device_id,
                       const uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES], uint64_t last_applied,
                       edge_command_verdict *verdict)
{
    intelledger_device_v1_SignedCommand signed_command = intelledger_device_v1_SignedCommand_init_zero;
    pb_istream_t outer = pb_istream_from_buffer(bytes, len);
    if (!pb_decode(&outer, intelledger_device_v1_SignedCommand_fields, &signed_command) ||
        signed_command.command.size == 0) {
        return EDGE_ERR_DECODE;
    }
    const edge_device_command empty = intelledger_device_v1_DeviceCommand_init_zero;
    verdict->command = empty;
    pb_istream_t inner = pb_istream_from_buffer(signed_command.command.bytes, signed_command.command.size);
    if (!pb_decode(&inner, intelledger_device_v1_DeviceCommand_fields, &verdict->command)) {
        return EDGE_ERR_DECODE;
    }
    verdict->command_id = verdict->command.command_id;
    if (gateway_key == NULL || !edge_verify(gateway_key, signed_command.command.bytes, signed_command.command.size,
                                            signed_command.signature)) {
        verdict->result = EDGE_RESULT_BAD_SIGNATURE;
    } else if (strcmp(verdict->command.device_id, device_id) != 0) {
        verdict->result = EDGE_RESULT_WRONG_DEVICE;
    } else if (verdict->command.command_id <= last_applied) {
        verdict->result = EDGE_RESULT_REPLAYED;
    } else if (!values_valid(&verdict->command)) {
        verdict->result = EDGE_RESULT_INVALID;
    } else {
        verdict->result = EDGE_RESULT_APPLIED;
    }
    return EDGE_OK;
}

const char *edge_command_result_name(edge_command_result result)
{
    static const char *const NAMES[_intelledger_device_v1_CommandResult_ARRAYSIZE] = {
        [EDGE_RESULT_APPLIED] = "applied",   [EDGE_RESULT_BAD_SIGNATURE] = "bad_signature",
        [EDGE_RESULT_REPLAYED] = "replayed", [EDGE_RESULT_WRONG_DEVICE] = "wrong_device",
        [EDGE_RESULT_INVALID] = "invalid",
    };
    return EDGE_NAME(NAMES, result, "unspecified");
}

const char *edge_command_action_name(const edge_device_command *command)
{
    switch (command->which_action) {
    case intelledger_device_v1_DeviceCommand_set_sampling_interval_tag:
        return "set_sampling_interval";
    case intelledger_device_v1_DeviceCommand_set_thresholds_tag:
        return "set_thresholds";
    case intelledger_device_v1_DeviceCommand_reboot_tag:
        return "reboot";
    default:
        return "none";
    }
}
