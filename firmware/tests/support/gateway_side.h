#ifndef EDGE_TEST_GATEWAY_SIDE_H
#define EDGE_TEST_GATEWAY_SIDE_H

/* The gateway's half of the wire contract, for tests: checking signed frames, making and
 * signing commands, taking packets off the serial framing. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/wire.h"

/* Decodes a SignedFrame and verifies it with the device key, as the gateway does; returns
 * "ok", "malformed" or "bad_signature", and the decoded frame in *frame. */
const char *check_signed_frame(const uint8_t *bytes, size_t len, const uint8_t device_key[EDGE_PUBLIC_KEY_BYTES],
                               edge_device_frame *frame);

/* A command for device_id with the given action (a DeviceCommand_*_tag), its fields zero. */
edge_device_command make_command(const char *device_id, uint64_t command_id, pb_size_t action);

/* The payload of the one packet in wire (serial framing); returns its length, 0 when wire
 * holds no valid packet. */
size_t deframe(const uint8_t *wire, size_t len, uint8_t *payload, size_t cap);

/* Encodes and signs a command with the gateway's private key into a SignedCommand; returns
 * its length (0 on failure). */
size_t sign_command(const edge_device_command *command, const uint8_t gateway_private[EDGE_PRIVATE_KEY_BYTES],
                    uint8_t *out, size_t cap);

/* Serial and BLE: the SignedFrame a DeviceMessage carries; false when it carries none. */
bool device_message_frame(const uint8_t *message, size_t len, const uint8_t **frame, size_t *frame_len);

/* The ProvisionResponse a DeviceMessage carries; false when it carries none. */
bool device_message_provision_response(const uint8_t *message, size_t len, edge_provision_response *response);

/* GatewayMessages: a signed command, a FrameAck for a SignedFrame, a provisioning request.
 * Each returns the encoded length, 0 when it does not fit. */
size_t gateway_message_command(const uint8_t *signed_command, size_t len, uint8_t *out, size_t cap);
size_t gateway_message_ack(const uint8_t *signed_frame, size_t len, edge_frame_ack_result result,
                           edge_frame_refusal refusal, uint32_t retry_after_ms, uint8_t *out, size_t cap);
size_t gateway_message_provision(const uint8_t *request, size_t len, uint8_t *out, size_t cap);

#endif
