#include <string.h>

#include "edge/command.h"
#include "edge/link_message.h"
#include "edge/serial_framing.h"
#include "edge/status.h"
#include "harness.h"
#include "test_rng.h"
#include "test_vectors.h"
#include "gateway_side.h"
#include "vector_checks.h"

static void same_command(const edge_device_command *got, const edge_device_command *expected)
{
    CHECK_STR(got->device_id, expected->device_id);
    CHECK_EQ(got->command_id, expected->command_id);
    CHECK_EQ(got->issued_at_ms, expected->issued_at_ms);
    CHECK_EQ(got->which_action, expected->which_action);
    if (expected->which_action == intelledger_device_v1_DeviceCommand_set_sampling_interval_tag) {
        CHECK_EQ(got->action.set_sampling_interval.interval_ms, expected->action.set_sampling_interval.interval_ms);
    }
    if (expected->which_action == intelledger_device_v1_DeviceCommand_set_thresholds_tag) {
        const edge_thresholds *a = &got->action.set_thresholds;
        const edge_thresholds *b = &expected->action.set_thresholds;
        CHECK_EQ(a->thresholds_count, b->thresholds_count);
        for (pb_size_t i = 0; i < b->thresholds_count && i < a->thresholds_count; i++) {
            CHECK_EQ(a->thresholds[i].channel, b->thresholds[i].channel);
            CHECK_EQ(a->thresholds[i].min_value, b->thresholds[i].min_value);
            CHECK_EQ(a->thresholds[i].max_value, b->thresholds[i].max_value);
            CHECK_EQ(a->thresholds[i].scale, b->thresholds[i].scale);
        }
    }
}

int main(void)
{
    harness_case("gateway command key from its private key");
    check_public_key(&TV_GATEWAY_PRIVATE_KEY, &TV_GATEWAY_PUBLIC_KEY, 3);

    edge_rng rng = test_rng(3);
    static edge_command_verdict verdict;
    for (size_t i = 0; i < TV_COMMAND_COUNT; i++) {
        const tv_command *v = &TV_COMMANDS[i];
        harness_case(v->name);
        check_encoding(intelledger_device_v1_DeviceCommand_fields, &v->command, &v->command_bytes);

        uint8_t signature[EDGE_SIGNATURE_BYTES];
        CHECK_EQ(edge_sign(TV_GATEWAY_PRIVATE_KEY.data, v->command_bytes.data, v->command_bytes.len, &rng, signature),
                 EDGE_OK);
        CHECK_MEM(signature, sizeof signature, v->signature.data, v->signature.len);

        CHECK_EQ(edge_command_check(v->signed_command.data, v->signed_command.len, "esp32-test-01",
                                    TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
                 EDGE_OK);
        CHECK_EQ(verdict.result, EDGE_RESULT_APPLIED);
        CHECK_EQ(verdict.command_id, v->command.command_id);
        same_command(&verdict.command, &v->command);

        /* Serial and BLE: framed, in a GatewayMessage. */
        edge_gateway_message message;
        check_framed_gateway_message(&v->serial_wire, &v->gateway_message, EDGE_GATEWAY_SIGNED_COMMAND, &v->signed_command,
                                     &message);
    }
    return harness_finish("command_vectors");
}
