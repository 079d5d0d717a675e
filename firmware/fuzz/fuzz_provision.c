/* libFuzzer target: arbitrary bytes as a GatewayMessage on the device's USB serial line, read
 * as the device reads it; provisioning requests are answered by the core, alternately on a
 * device that is provisioned with its window closed (the first input byte even) and on one that
 * was never provisioned. Every answer must be a well-formed DeviceMessage, nothing but a valid
 * request may be stored, and a locked device must never change. */
#include <pb_decode.h>
#include <stdlib.h>
#include <string.h>

#include "edge/link_message.h"
#include "edge/provision.h"
#include "edge/status.h"
#include "mem_storage.h"
#include "test_rng.h"
#include "test_vectors.h"

static mem_storage mem;
static edge_rng rng;
static edge_provisioning work;
static uint8_t answer[EDGE_PROVISION_ANSWER_MAX_BYTES];
static intelledger_device_v1_DeviceMessage decoded;

static int device_key(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES])
{
    (void)ctx;
    memcpy(private_key, TV_DEVICE_PRIVATE_KEY.data, EDGE_PRIVATE_KEY_BYTES);
    return EDGE_OK;
}

static void device(bool provisioned)
{
    mem_storage_init(&mem);
    if (provisioned) {
        const tv_bytes *record = &TV_PROVISIONS[0].request;
        if (mem.storage.write(mem.storage.ctx, EDGE_KEY_PROVISIONING, record->data, record->len) != EDGE_OK) {
            abort();
        }
        mem.writes = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    edge_gateway_message message;
    if (edge_gateway_message_parse(data, size, &message) != EDGE_OK) {
        return 0;
    }
    if (message.body < data || message.body + message.body_len > data + size) {
        abort();
    }
    if (message.kind != EDGE_GATEWAY_PROVISION_REQUEST) {
        return 0;
    }
    const bool provisioned = size > 0 && data[0] % 2 == 0;
    device(provisioned);
    rng = test_rng(9);
    const edge_provisioner provisioner = {.storage = &mem.storage,
                                          .rng = &rng,
                                          .firmware_version = TV_FIRMWARE_VERSION,
                                          .device_key = device_key,
                                          .ctx = NULL};
    size_t answer_len = 0;
    edge_provision_outcome outcome;
    if (edge_provision_answer(&provisioner, false, message.body, message.body_len, &work, answer, sizeof answer,
                              &answer_len, &outcome) != EDGE_OK) {
        abort();
    }
    const intelledger_device_v1_DeviceMessage empty = intelledger_device_v1_DeviceMessage_init_zero;
    decoded = empty;
    pb_istream_t stream = pb_istream_from_buffer(answer, answer_len);
    if (!pb_decode(&stream, intelledger_device_v1_DeviceMessage_fields, &decoded) ||
        decoded.which_body != intelledger_device_v1_DeviceMessage_provision_response_tag ||
        decoded.body.provision_response.result != outcome.result) {
        abort();
    }
    const bool stored = mem.writes > 0;
    if (stored != outcome.restart || (stored && outcome.result != EDGE_PROVISION_PROVISIONED) ||
        (provisioned && stored)) {
        abort();
    }
    return 0;
}
