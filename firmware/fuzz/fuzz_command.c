/* libFuzzer target: arbitrary bytes as a SignedCommand from the gateway, checked as the
 * device checks them, and handed to a running node. Nothing unsigned may ever be applied. */
#include <stdlib.h>
#include <string.h>

#include "edge/command.h"
#include "edge/node.h"
#include "edge/status.h"
#include "fake_platform.h"
#include "mem_storage.h"
#include "test_rng.h"
#include "test_vectors.h"

static edge_node node;
static mem_storage mem;
static edge_sample ring[32];
static edge_rng rng;
static fake_platform fake;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mem_storage_init(&mem);
    rng = test_rng(1);
    fake_platform_init(&fake);
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
                               .platform = &fake.platform};
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
