#include "vector_checks.h"

#include <pb_encode.h>

#include "edge/crypto.h"
#include "edge/serial_framing.h"
#include "edge/status.h"
#include "gateway_side.h"
#include "harness.h"
#include "test_rng.h"

void check_public_key(const tv_bytes *private_key, const tv_bytes *public_key, unsigned rng_seed)
{
    uint8_t derived[EDGE_PUBLIC_KEY_BYTES];
    const edge_rng rng = test_rng(rng_seed);
    CHECK_EQ(edge_key_public(private_key->data, &rng, derived), EDGE_OK);
    CHECK_MEM(derived, sizeof derived, public_key->data, public_key->len);
}

void check_encoding(const pb_msgdesc_t *fields, const void *message, const tv_bytes *expected)
{
    static uint8_t buffer[EDGE_SERIAL_MAX_PAYLOAD];
    pb_ostream_t stream = pb_ostream_from_buffer(buffer, sizeof buffer);
    CHECK(pb_encode(&stream, fields, message));
    CHECK_MEM(buffer, stream.bytes_written, expected->data, expected->len);
}

void check_framed_gateway_message(const tv_bytes *wire, const tv_bytes *gateway_message, edge_gateway_message_kind kind,
                                  const tv_bytes *body, edge_gateway_message *message)
{
    static uint8_t payload[EDGE_SERIAL_MAX_PAYLOAD];
    const size_t len = deframe(wire->data, wire->len, payload, sizeof payload);
    CHECK_MEM(payload, len, gateway_message->data, gateway_message->len);
    CHECK_EQ(edge_gateway_message_parse(payload, len, message), EDGE_OK);
    CHECK_EQ(message->kind, kind);
    CHECK_MEM(message->body, message->body_len, body->data, body->len);
}
