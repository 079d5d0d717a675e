/* libFuzzer target: arbitrary bytes as a SignedCommand from the gateway, checked as the
 * device checks them, and handed to a running node. Nothing unsigned may ever be applied. */
#include <stdlib.h>
#include <string.h>

#include "edge/command.h"
#include "edge/node.h"
#include "edge/status.h"
#include "mem_storage.h"
#include "test_rng.h"
#include "test_vectors.h"

static edge_node node;
static mem_storage mem;
static edge_sample ring[32];
static edge_rng rng;
static edge_platform platform;

static uint64_t clock_ms(void *ctx)
{
    (void)ctx;
    return 1763000000000ull;
}

static uint32_t uptime_ms(void *ctx)
{
    (void)ctx;
    return 1000;
}

static size_t read_nothing(void *ctx, edge_sample *out, size_t cap)
{
    (void)ctx;
    (void)out;
    (void)cap;
    return 0;
}

static edge_send_result send_delivered(void *ctx, edge_topic topic, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    (void)topic;
    (void)bytes;
    (void)len;
    return EDGE_SEND_DELIVERED;
}

static void ignore_connect(void *ctx, edge_device_state state)
{
    (void)ctx;
    (void)state;
}

static void ignore_timer(void *ctx, edge_timer timer, uint32_t delay_ms)
{
    (void)ctx;
    (void)timer;
    (void)delay_ms;
}

static void reboot(void *ctx)
{
    (void)ctx;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mem_storage_init(&mem);
    rng = test_rng(1);
    platform = (edge_platform){.epoch_ms = clock_ms,
                               .uptime_ms = uptime_ms,
                               .read_sensors = read_nothing,
                               .send = send_delivered,
                               .connect = ignore_connect,
                               .set_timer = ignore_timer,
                               .reboot = reboot};
    edge_node_config config = {.device_id = "esp32-test-01",
                               .firmware_version = "fuzz",
                               .mode = EDGE_LINK_SERIAL,
                               .linked_at_start = true,
                               .has_gateway_key = true,
                               .default_interval_ms = 1000,
                               .retry_base_ms = 500,
                               .retry_max_ms = 30000,
                               .counter_block = 1000,
                               .ring_slots = ring,
                               .ring_capacity = 32,
                               .storage = &mem.storage,
                               .rng = &rng,
                               .platform = &platform};
    memcpy(config.device_key, TV_DEVICE_PRIVATE_KEY.data, EDGE_PRIVATE_KEY_BYTES);
    memcpy(config.gateway_key, TV_GATEWAY_PUBLIC_KEY.data, EDGE_PUBLIC_KEY_BYTES);
    return edge_node_start(&node, &config) == EDGE_OK ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    edge_command_verdict verdict;
    if (edge_command_check(data, size, "esp32-test-01", TV_GATEWAY_PUBLIC_KEY.data, 0, &verdict) == EDGE_OK &&
        verdict.result == EDGE_RESULT_APPLIED) {
        /* Only the vectors' genuinely signed commands get here. */
        int genuine = 0;
        for (size_t i = 0; i < TV_COMMAND_COUNT; i++) {
            genuine |= TV_COMMANDS[i].command.command_id == verdict.command_id;
        }
        if (!genuine) {
            abort();
        }
    }
    const uint32_t interval = edge_node_interval_ms(&node);
    edge_node_command(&node, data, size);
    if (edge_node_interval_ms(&node) != interval && edge_node_interval_ms(&node) != 500) {
        abort();
    }
    return 0;
}
