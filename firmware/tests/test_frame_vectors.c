#include <string.h>

#include "edge/frame.h"
#include "edge/link_message.h"
#include "edge/serial_framing.h"
#include "edge/status.h"
#include "harness.h"
#include "test_rng.h"
#include "test_vectors.h"
#include "gateway_side.h"
#include "vector_checks.h"

static void device_key(void)
{
    harness_case("device public key from its private key");
    check_public_key(&TV_DEVICE_PRIVATE_KEY, &TV_DEVICE_PUBLIC_KEY, 1);
}

static void valid_frames(void)
{
    static uint8_t buffer[EDGE_SIGNED_FRAME_MAX_BYTES];
    static uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    static edge_device_frame decoded;
    for (size_t i = 0; i < TV_FRAME_COUNT; i++) {
        const tv_frame *v = &TV_FRAMES[i];
        harness_case(v->name);

        check_encoding(intelledger_device_v1_DeviceFrame_fields, &v->frame, &v->frame_bytes);
        CHECK_EQ(edge_frame_encoded_size(&v->frame), v->frame_bytes.len);

        /* The signature is deterministic and independent of the blinding randomness. */
        for (unsigned seed = 1; seed <= 2; seed++) {
            const edge_rng rng = test_rng(seed);
            size_t len = 0;
            CHECK_EQ(edge_frame_sign(&v->frame, TV_DEVICE_PRIVATE_KEY.data, &rng, buffer, sizeof buffer, &len),
                     EDGE_OK);
            CHECK_MEM(buffer, len, v->signed_frame.data, v->signed_frame.len);
        }
        CHECK_MEM(v->signed_frame.data + v->signed_frame.len - EDGE_SIGNATURE_BYTES, EDGE_SIGNATURE_BYTES,
                  v->signature.data, v->signature.len);

        /* Serial and BLE: in a DeviceMessage, framed. */
        uint8_t message[EDGE_DEVICE_MESSAGE_MAX_BYTES];
        const size_t message_len = edge_device_message_frame(v->signed_frame.data, v->signed_frame.len, message, sizeof message);
        CHECK_MEM(message, message_len, v->device_message.data, v->device_message.len);
        const size_t wire_len = edge_serial_encode(message, message_len, wire, sizeof wire);
        CHECK_MEM(wire, wire_len, v->serial_wire.data, v->serial_wire.len);
        static uint8_t payload[EDGE_SERIAL_MAX_PAYLOAD];
        const size_t payload_len = deframe(v->serial_wire.data, v->serial_wire.len, payload, sizeof payload);
        CHECK_MEM(payload, payload_len, v->device_message.data, v->device_message.len);
        CHECK_EQ(edge_device_message_frame(v->signed_frame.data, v->signed_frame.len, message, message_len - 1), 0);

        CHECK_STR(check_signed_frame(v->signed_frame.data, v->signed_frame.len, TV_DEVICE_PUBLIC_KEY.data, &decoded),
                  "ok");
        CHECK_EQ(decoded.counter, v->frame.counter);
        CHECK_EQ(decoded.samples_count, v->frame.samples_count);
    }
}

static void invalid_frames(void)
{
    static edge_device_frame decoded;
    for (size_t i = 0; i < TV_INVALID_FRAME_COUNT; i++) {
        const tv_invalid_frame *v = &TV_INVALID_FRAMES[i];
        harness_case(v->name);
        CHECK_STR(check_signed_frame(v->signed_frame.data, v->signed_frame.len, TV_DEVICE_PUBLIC_KEY.data, &decoded),
                  v->reason);
    }
}

static void size_limit(void)
{
    harness_case("a frame larger than the wire format allows is refused");
    static edge_device_frame frame = intelledger_device_v1_DeviceFrame_init_zero;
    static uint8_t buffer[EDGE_SIGNED_FRAME_MAX_BYTES];
    strcpy(frame.device_id, "esp32-test-01");
    frame.counter = UINT64_MAX;
    frame.samples_count = EDGE_MAX_SAMPLES;
    for (size_t i = 0; i < EDGE_MAX_SAMPLES; i++) {
        frame.samples[i].channel = EDGE_CHANNEL_ANALOG;
        frame.samples[i].index = UINT32_MAX;
        frame.samples[i].timestamp_ms = UINT64_MAX;
        frame.samples[i].value = INT32_MIN;
        frame.samples[i].scale = EDGE_MAX_SCALE;
    }
    CHECK(edge_frame_encoded_size(&frame) > EDGE_FRAME_MAX_BYTES);
    const edge_rng rng = test_rng(1);
    size_t len = 0;
    CHECK_EQ(edge_frame_sign(&frame, TV_DEVICE_PRIVATE_KEY.data, &rng, buffer, sizeof buffer, &len),
             EDGE_ERR_TOO_LARGE);
}

static void device_ids(void)
{
    harness_case("device ids");
    CHECK(edge_device_id_valid("esp32-test-01"));
    CHECK(edge_device_id_valid("A.b_c-9"));
    CHECK(edge_device_id_valid("abcdefghijabcdefghijabcdefghija"));
    CHECK(!edge_device_id_valid("abcdefghijabcdefghijabcdefghijab"));
    CHECK(!edge_device_id_valid(""));
    CHECK(!edge_device_id_valid("esp32/01"));
    CHECK(!edge_device_id_valid("esp 32"));
}

int main(void)
{
    device_key();
    valid_frames();
    invalid_frames();
    size_limit();
    device_ids();
    return harness_finish("frame_vectors");
}
