#ifndef EDGE_TEST_VECTORS_H
#define EDGE_TEST_VECTORS_H

/* The shared test vectors (the JSON files of proto/test-vectors), turned into C by
 * scripts/test-vectors-to-c.py at build time. */

#include <stddef.h>
#include <stdint.h>

#include "edge/wire.h"

typedef struct {
    const uint8_t *data;
    size_t len;
} tv_bytes;

typedef struct {
    const char *name;
    edge_device_frame frame;
    tv_bytes frame_bytes;
    tv_bytes signature;
    tv_bytes signed_frame;
    tv_bytes device_message;
    tv_bytes serial_wire;
} tv_frame;

typedef struct {
    const char *name;
    const char *reason;
    tv_bytes signed_frame;
} tv_invalid_frame;

typedef struct {
    const char *name;
    edge_device_command command;
    tv_bytes command_bytes;
    tv_bytes signature;
    tv_bytes signed_command;
    tv_bytes gateway_message;
    tv_bytes serial_wire;
} tv_command;

typedef struct {
    const char *name;
    size_t frame_index;
    tv_bytes frame_sha256;
    edge_frame_ack_result result;
    edge_frame_refusal refusal;
    uint32_t retry_after_ms;
    tv_bytes frame_ack;
    tv_bytes gateway_message;
    tv_bytes serial_wire;
} tv_frame_ack;

typedef struct {
    const char *name;
    tv_bytes request;
    tv_bytes gateway_message;
    tv_bytes serial_wire;
    tv_bytes proof;
    tv_bytes signature;
    tv_bytes response;
    tv_bytes response_device_message;
    tv_bytes response_serial_wire;
} tv_provision;

typedef struct {
    const char *name;
    const char *field;
    tv_bytes request;
} tv_bad_provision;

typedef struct {
    tv_bytes data;
    tv_bytes encoded;
} tv_cobs;

typedef struct {
    const char *name;
    tv_bytes payload;
    tv_bytes wire;
} tv_packet;

typedef struct {
    const char *name;
    const char *error;
    tv_bytes wire;
} tv_bad_packet;

extern const tv_bytes TV_DEVICE_PRIVATE_KEY;
extern const tv_bytes TV_DEVICE_PUBLIC_KEY;
extern const tv_bytes TV_GATEWAY_PRIVATE_KEY;
extern const tv_bytes TV_GATEWAY_PUBLIC_KEY;

extern const tv_frame TV_FRAMES[];
extern const size_t TV_FRAME_COUNT;
extern const tv_invalid_frame TV_INVALID_FRAMES[];
extern const size_t TV_INVALID_FRAME_COUNT;
extern const tv_command TV_COMMANDS[];
extern const size_t TV_COMMAND_COUNT;
extern const tv_cobs TV_COBS[];
extern const size_t TV_COBS_COUNT;
extern const tv_packet TV_PACKETS[];
extern const size_t TV_PACKET_COUNT;
extern const tv_bad_packet TV_BAD_PACKETS[];
extern const size_t TV_BAD_PACKET_COUNT;
extern const size_t TV_MAX_PAYLOAD;
extern const char *const TV_FIRMWARE_VERSION;
extern const tv_frame_ack TV_FRAME_ACKS[];
extern const size_t TV_FRAME_ACK_COUNT;
extern const tv_provision TV_PROVISIONS[];
extern const size_t TV_PROVISION_COUNT;
extern const tv_bad_provision TV_BAD_PROVISIONS[];
extern const size_t TV_BAD_PROVISION_COUNT;

#endif
