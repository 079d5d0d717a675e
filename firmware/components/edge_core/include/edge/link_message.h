#ifndef EDGE_LINK_MESSAGE_H
#define EDGE_LINK_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "edge/wire.h"

/* The envelopes of the serial and BLE links (link.proto): one DeviceMessage or GatewayMessage
 * per packet of the serial framing. MQTT carries SignedFrames and SignedCommands bare. */

typedef enum {
    EDGE_GATEWAY_SIGNED_COMMAND,    /* body: an encoded SignedCommand */
    EDGE_GATEWAY_FRAME_ACK,         /* ack: the decoded FrameAck */
    EDGE_GATEWAY_PROVISION_REQUEST, /* body: an encoded ProvisionRequest */
} edge_gateway_message_kind;

typedef struct {
    edge_gateway_message_kind kind;
    /* Points into the parsed bytes: nothing large is copied on the device. */
    const uint8_t *body;
    size_t body_len;
    edge_frame_ack ack;
} edge_gateway_message;

/* Reads a GatewayMessage; EDGE_ERR_DECODE when the bytes are none, carry no body, or a body
 * larger than the wire format allows. */
int edge_gateway_message_parse(const uint8_t *bytes, size_t len, edge_gateway_message *message);

/* Writes the DeviceMessage carrying a SignedFrame into out (cap bytes, at most
 * EDGE_DEVICE_MESSAGE_MAX_BYTES needed); returns its length, 0 when it does not fit. */
size_t edge_device_message_frame(const uint8_t *signed_frame, size_t len, uint8_t *out, size_t cap);

/* Writes the DeviceMessage carrying a ProvisionResponse; returns its length, 0 on failure. */
size_t edge_device_message_provision(const edge_provision_response *response, uint8_t *out, size_t cap);

/* The gateway's rejection reasons as it names them ("replayed", "rate_limited", ...). */
const char *edge_frame_refusal_name(edge_frame_refusal refusal);

#endif
