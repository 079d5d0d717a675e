#ifndef EDGE_TEST_WIRE_HELPERS_H
#define EDGE_TEST_WIRE_HELPERS_H

/* The gateway's half of the wire contract, for tests: checking signed frames and signing
 * commands. */

#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/wire.h"

/* Decodes a SignedFrame and verifies it with the device key, as the gateway does; returns
 * "ok", "malformed" or "bad_signature", and the decoded frame in *frame. */
const char *check_signed_frame(const uint8_t *bytes, size_t len, const uint8_t device_key[EDGE_PUBLIC_KEY_BYTES],
                               edge_device_frame *frame);

/* Encodes and signs a command with the gateway's private key into a SignedCommand; returns
 * its length (0 on failure). */
size_t sign_command(const edge_device_command *command, const uint8_t gateway_private[EDGE_PRIVATE_KEY_BYTES],
                    uint8_t *out, size_t cap);

#endif
