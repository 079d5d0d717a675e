#include "gateway_side.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include <string.h>

#include "edge/serial_framing.h"
#include "edge/status.h"
#include "test_rng.h"

const char *check_signed_frame(const uint8_t *bytes, size_t len, const uint8_t device_key[EDGE_PUBLIC_KEY_BYTES],
                               edge_device_frame *frame)
{
    intelledger_device_v1_SignedFrame signed_frame = intelledger_device_v1_SignedFrame_init_zero;
    const edge_device_frame empty = intelledger_device_v1_DeviceFrame_init_zero;
    *frame = empty;
    pb_istream_t outer = pb_istream_from_buffer(bytes, len);
    if (!pb_decode(&outer, intelledger_device_v1_SignedFrame_fields, &signed_frame)) {
        return "malformed";
    }
    pb_istream_t inner = pb_istream_from_buffer(signed_frame.frame.bytes, signed_frame.frame.size);
    if (!pb_decode(&inner, intelledger_device_v1_DeviceFrame_fields, frame)) {
        return "malformed";
    }
    if (!edge_verify(device_key, signed_frame.frame.bytes, signed_frame.frame.size, signed_frame.signature)) {
        return "bad_signature";
    }
    return "ok";
}

size_t sign_command(const edge_device_command *command, const uint8_t gateway_private[EDGE_PRIVATE_KEY_BYTES],
                    uint8_t *out, size_t cap)
{
    intelledger_device_v1_SignedCommand signed_command = intelledger_device_v1_SignedCommand_init_zero;
    pb_ostream_t inner = pb_ostream_from_buffer(signed_command.command.bytes, sizeof signed_command.command.bytes);
    if (!pb_encode(&inner, intelledger_device_v1_DeviceCommand_fields, command)) {
        return 0;
    }
    signed_command.command.size = (pb_size_t)inner.bytes_written;
    const edge_rng rng = test_rng(7);
    if (edge_sign(gateway_private, signed_command.command.bytes, signed_command.command.size, &rng,
                  signed_command.signature) != EDGE_OK) {
        return 0;
    }
    pb_ostream_t outer = pb_ostream_from_buffer(out, cap);
    if (!pb_encode(&outer, intelledger_device_v1_SignedCommand_fields, &signed_command)) {
        return 0;
    }
    return outer.bytes_written;
}

edge_device_command make_command(const char *device_id, uint64_t command_id, pb_size_t action)
{
    edge_device_command command = intelledger_device_v1_DeviceCommand_init_zero;
    strncpy(command.device_id, device_id, sizeof command.device_id - 1);
    command.command_id = command_id;
    command.which_action = action;
    return command;
}

typedef struct {
    uint8_t *payload;
    size_t cap;
    size_t len;
    int packets;
} single_packet;

static void keep_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    single_packet *p = ctx;
    p->packets++;
    if (status == EDGE_PACKET_OK && len <= p->cap) {
        memcpy(p->payload, payload, len);
        p->len = len;
    }
}

size_t deframe(const uint8_t *wire, size_t len, uint8_t *payload, size_t cap)
{
    static edge_serial_decoder decoder;
    single_packet p = {.payload = payload, .cap = cap, .len = 0, .packets = 0};
    edge_serial_decoder_reset(&decoder);
    edge_serial_decoder_push(&decoder, wire, len, keep_packet, &p);
    return p.packets == 1 ? p.len : 0;
}

bool device_message_frame(const uint8_t *message, size_t len, const uint8_t **frame, size_t *frame_len)
{
    pb_istream_t stream = pb_istream_from_buffer(message, len);
    pb_wire_type_t type;
    uint32_t tag;
    bool eof;
    uint32_t size;
    if (!pb_decode_tag(&stream, &type, &tag, &eof) || type != PB_WT_STRING ||
        tag != intelledger_device_v1_DeviceMessage_signed_frame_tag || !pb_decode_varint32(&stream, &size) ||
        size != stream.bytes_left) {
        return false;
    }
    *frame = message + (len - size);
    *frame_len = size;
    return true;
}

bool device_message_provision_response(const uint8_t *message, size_t len, edge_provision_response *response)
{
    static intelledger_device_v1_DeviceMessage decoded;
    const intelledger_device_v1_DeviceMessage empty = intelledger_device_v1_DeviceMessage_init_zero;
    decoded = empty;
    pb_istream_t stream = pb_istream_from_buffer(message, len);
    if (!pb_decode(&stream, intelledger_device_v1_DeviceMessage_fields, &decoded) ||
        decoded.which_body != intelledger_device_v1_DeviceMessage_provision_response_tag) {
        return false;
    }
    *response = decoded.body.provision_response;
    return true;
}

static size_t bytes_field(uint32_t tag, const uint8_t *bytes, size_t len, uint8_t *out, size_t cap)
{
    pb_ostream_t stream = pb_ostream_from_buffer(out, cap);
    return pb_encode_tag(&stream, PB_WT_STRING, tag) && pb_encode_string(&stream, bytes, len) ? stream.bytes_written
                                                                                              : 0;
}

size_t gateway_message_command(const uint8_t *signed_command, size_t len, uint8_t *out, size_t cap)
{
    return bytes_field(intelledger_device_v1_GatewayMessage_signed_command_tag, signed_command, len, out, cap);
}

size_t gateway_message_provision(const uint8_t *request, size_t len, uint8_t *out, size_t cap)
{
    return bytes_field(intelledger_device_v1_GatewayMessage_provision_request_tag, request, len, out, cap);
}

size_t gateway_message_ack(const uint8_t *signed_frame, size_t len, edge_frame_ack_result result,
                           edge_frame_refusal refusal, uint32_t retry_after_ms, uint8_t *out, size_t cap)
{
    edge_frame_ack ack = intelledger_device_v1_FrameAck_init_zero;
    if (edge_sha256(signed_frame, len, ack.frame_sha256) != EDGE_OK) {
        return 0;
    }
    ack.result = result;
    ack.refusal = refusal;
    ack.retry_after_ms = retry_after_ms;
    pb_ostream_t stream = pb_ostream_from_buffer(out, cap);
    return pb_encode_tag(&stream, PB_WT_STRING, intelledger_device_v1_GatewayMessage_frame_ack_tag) &&
                   pb_encode_submessage(&stream, intelledger_device_v1_FrameAck_fields, &ack)
               ? stream.bytes_written
               : 0;
}
