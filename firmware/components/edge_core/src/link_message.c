#include "edge/link_message.h"

#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>

#include "edge/names.h"
#include "edge/status.h"

_Static_assert(EDGE_DEVICE_MESSAGE_MAX_BYTES >= EDGE_SIGNED_FRAME_MAX_BYTES + 3, "a DeviceMessage holds a SignedFrame");

/* Largest body each GatewayMessage field may carry (link.options). */
static size_t max_body(uint32_t tag)
{
    switch (tag) {
    case intelledger_device_v1_GatewayMessage_signed_command_tag:
        return EDGE_SIGNED_COMMAND_MAX_BYTES;
    case intelledger_device_v1_GatewayMessage_frame_ack_tag:
        return intelledger_device_v1_FrameAck_size;
    case intelledger_device_v1_GatewayMessage_provision_request_tag:
        return EDGE_PROVISION_REQUEST_MAX_BYTES;
    default:
        return 0;
    }
}

int edge_gateway_message_parse(const uint8_t *bytes, size_t len, edge_gateway_message *message)
{
    pb_istream_t stream = pb_istream_from_buffer(bytes, len);
    uint32_t body_tag = 0;
    memset(message, 0, sizeof *message);
    while (stream.bytes_left > 0) {
        pb_wire_type_t type;
        uint32_t tag;
        bool eof;
        if (!pb_decode_tag(&stream, &type, &tag, &eof)) {
            if (eof) {
                break;
            }
            return EDGE_ERR_DECODE;
        }
        if (type != PB_WT_STRING || max_body(tag) == 0) {
            if (!pb_skip_field(&stream, type)) {
                return EDGE_ERR_DECODE;
            }
            continue;
        }
        uint32_t size;
        if (!pb_decode_varint32(&stream, &size) || size > stream.bytes_left || size > max_body(tag)) {
            return EDGE_ERR_DECODE;
        }
        /* As for any protobuf oneof, the last body wins. */
        body_tag = tag;
        message->body = bytes + (len - stream.bytes_left);
        message->body_len = size;
        if (!pb_read(&stream, NULL, size)) {
            return EDGE_ERR_DECODE;
        }
    }
    switch (body_tag) {
    case intelledger_device_v1_GatewayMessage_signed_command_tag:
        message->kind = EDGE_GATEWAY_SIGNED_COMMAND;
        return EDGE_OK;
    case intelledger_device_v1_GatewayMessage_provision_request_tag:
        message->kind = EDGE_GATEWAY_PROVISION_REQUEST;
        return EDGE_OK;
    case intelledger_device_v1_GatewayMessage_frame_ack_tag: {
        message->kind = EDGE_GATEWAY_FRAME_ACK;
        pb_istream_t ack = pb_istream_from_buffer(message->body, message->body_len);
        return pb_decode(&ack, intelledger_device_v1_FrameAck_fields, &message->ack) ? EDGE_OK : EDGE_ERR_DECODE;
    }
    default:
        return EDGE_ERR_DECODE;
    }
}

size_t edge_device_message_frame(const uint8_t *signed_frame, size_t len, uint8_t *out, size_t cap)
{
    pb_ostream_t stream = pb_ostream_from_buffer(out, cap);
    const bool ok = len <= EDGE_SIGNED_FRAME_MAX_BYTES &&
                    pb_encode_tag(&stream, PB_WT_STRING, intelledger_device_v1_DeviceMessage_signed_frame_tag) &&
                    pb_encode_string(&stream, signed_frame, len);
    return ok ? stream.bytes_written : 0;
}

size_t edge_device_message_provision(const edge_provision_response *response, uint8_t *out, size_t cap)
{
    pb_ostream_t stream = pb_ostream_from_buffer(out, cap);
    const bool ok =
        pb_encode_tag(&stream, PB_WT_STRING, intelledger_device_v1_DeviceMessage_provision_response_tag) &&
        pb_encode_submessage(&stream, intelledger_device_v1_ProvisionResponse_fields, response);
    return ok ? stream.bytes_written : 0;
}

const char *edge_frame_refusal_name(edge_frame_refusal refusal)
{
    static const char *const NAMES[] = {
        "unspecified",  "oversized",     "malformed", "unknown_device", "inactive_device",
        "quarantined",  "device_mismatch", "bad_signature", "replayed", "rate_limited",
        "invalid_sample", "storage_full", "gateway_unavailable", "counter_jump",
    };
    _Static_assert(sizeof NAMES / sizeof NAMES[0] == _intelledger_device_v1_FrameRefusal_ARRAYSIZE,
                   "a name for every FrameRefusal");
    return EDGE_NAME(NAMES, refusal, "unspecified");
}
