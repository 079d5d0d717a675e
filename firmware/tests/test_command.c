#include <string.h>

#include "edge/command.h"
#include "edge/status.h"
#include "harness.h"
#include "test_vectors.h"
#include "gateway_side.h"

static uint8_t signed_bytes[EDGE_SIGNED_COMMAND_MAX_BYTES];
static size_t signed_len;
static edge_command_verdict verdict;

static edge_device_command interval_command(const char *device_id, uint64_t id, uint32_t interval_ms)
{
    edge_device_command command =
        make_command(device_id, id, intelledger_device_v1_DeviceCommand_set_sampling_interval_tag);
    command.issued_at_ms = 1763000002500ull;
    command.action.set_sampling_interval.interval_ms = interval_ms;
    return command;
}

static int check(const edge_device_command *command, uint64_t last_applied)
{
    signed_len = sign_command(command, TV_GATEWAY_PRIVATE_KEY.data, signed_bytes, sizeof signed_bytes);
    CHECK(signed_len > 0);
    return edge_command_check(signed_bytes, signed_len, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, last_applied,
                              &verdict);
}

static void expect(const edge_device_command *command, uint64_t last_applied, edge_command_result result)
{
    CHECK_EQ(check(command, last_applied), EDGE_OK);
    CHECK_STR(edge_command_result_name(verdict.result), edge_command_result_name(result));
    CHECK_EQ(verdict.command_id, command->command_id);
}

static void signatures(void)
{
    const edge_device_command command = interval_command("esp32-test-01", 7, 500);
    harness_case("a flipped signature bit");
    CHECK_EQ(check(&command, 0), EDGE_OK);
    signed_bytes[signed_len - 1] ^= 0x01;
    CHECK_EQ(edge_command_check(signed_bytes, signed_len, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
             EDGE_OK);
    CHECK_EQ(verdict.result, EDGE_RESULT_BAD_SIGNATURE);
    CHECK_EQ(verdict.command_id, 7);

    harness_case("no gateway key provisioned");
    CHECK_EQ(check(&command, 0), EDGE_OK);
    CHECK_EQ(edge_command_check(signed_bytes, signed_len, "esp32-test-01", NULL, 0, &verdict), EDGE_OK);
    CHECK_EQ(verdict.result, EDGE_RESULT_BAD_SIGNATURE);

    harness_case("signed by another key");
    CHECK_EQ(check(&command, 0), EDGE_OK);
    CHECK_EQ(edge_command_check(signed_bytes, signed_len, "esp32-test-01", TV_DEVICE_PUBLIC_KEY.data, 0, &verdict),
             EDGE_OK);
    CHECK_EQ(verdict.result, EDGE_RESULT_BAD_SIGNATURE);

    harness_case("a forged command for another device is a bad signature first");
    edge_device_command other = interval_command("esp32-test-02", 7, 500);
    CHECK_EQ(check(&other, 0), EDGE_OK);
    signed_bytes[signed_len - 1] ^= 0x01;
    CHECK_EQ(edge_command_check(signed_bytes, signed_len, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
             EDGE_OK);
    CHECK_EQ(verdict.result, EDGE_RESULT_BAD_SIGNATURE);
}

static void addressing_and_replay(void)
{
    harness_case("addressed to another device");
    edge_device_command other = interval_command("esp32-test-02", 7, 500);
    expect(&other, 0, EDGE_RESULT_WRONG_DEVICE);

    harness_case("command ids strictly increase");
    edge_device_command command = interval_command("esp32-test-01", 7, 500);
    expect(&command, 6, EDGE_RESULT_APPLIED);
    expect(&command, 7, EDGE_RESULT_REPLAYED);
    expect(&command, 8, EDGE_RESULT_REPLAYED);
}

static void values(void)
{
    harness_case("sampling interval bounds");
    edge_device_command command = interval_command("esp32-test-01", 7, 99);
    expect(&command, 0, EDGE_RESULT_INVALID);
    command.action.set_sampling_interval.interval_ms = 100;
    expect(&command, 0, EDGE_RESULT_APPLIED);
    command.action.set_sampling_interval.interval_ms = 3600000;
    expect(&command, 0, EDGE_RESULT_APPLIED);
    command.action.set_sampling_interval.interval_ms = 3600001;
    expect(&command, 0, EDGE_RESULT_INVALID);

    harness_case("thresholds");
    command.which_action = intelledger_device_v1_DeviceCommand_set_thresholds_tag;
    edge_thresholds *t = &command.action.set_thresholds;
    memset(t, 0, sizeof *t);
    t->thresholds_count = 1;
    t->thresholds[0].channel = EDGE_CHANNEL_TEMPERATURE;
    t->thresholds[0].min_value = -400;
    t->thresholds[0].max_value = 800;
    t->thresholds[0].scale = 1;
    expect(&command, 0, EDGE_RESULT_APPLIED);
    t->thresholds[0].min_value = 900;
    expect(&command, 0, EDGE_RESULT_INVALID);
    t->thresholds[0].min_value = -400;
    t->thresholds[0].scale = 10;
    expect(&command, 0, EDGE_RESULT_INVALID);
    t->thresholds[0].scale = 1;
    t->thresholds[0].channel = intelledger_device_v1_Channel_CHANNEL_UNSPECIFIED;
    expect(&command, 0, EDGE_RESULT_INVALID);
    t->thresholds[0].channel = EDGE_CHANNEL_TEMPERATURE;
    t->thresholds_count = 2;
    t->thresholds[1] = t->thresholds[0];
    expect(&command, 0, EDGE_RESULT_INVALID);
    t->thresholds[1].index = 1;
    expect(&command, 0, EDGE_RESULT_APPLIED);

    harness_case("clearing all thresholds");
    t->thresholds_count = 0;
    expect(&command, 0, EDGE_RESULT_APPLIED);

    harness_case("no action");
    command.which_action = 0;
    expect(&command, 0, EDGE_RESULT_INVALID);
}

static void malformed(void)
{
    harness_case("not protobuf");
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(edge_command_check(junk, sizeof junk, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
             EDGE_ERR_DECODE);

    harness_case("truncated");
    const tv_command *v = &TV_COMMANDS[0];
    CHECK_EQ(edge_command_check(v->signed_command.data, v->signed_command.len - 1, "esp32-test-01",
                                TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
             EDGE_ERR_DECODE);

    harness_case("a device's own signed frame echoed back is badly signed");
    CHECK_EQ(edge_command_check(TV_FRAMES[0].signed_frame.data, TV_FRAMES[0].signed_frame.len, "esp32-test-01",
                                TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict),
             EDGE_OK);
    CHECK_EQ(verdict.result, EDGE_RESULT_BAD_SIGNATURE);

    harness_case("empty input");
    CHECK_EQ(edge_command_check(junk, 0, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict), EDGE_ERR_DECODE);
}

int main(void)
{
    signatures();
    addressing_and_replay();
    values();
    malformed();
    return harness_finish("command");
}
