/* libFuzzer target: arbitrary bytes into the serial deframer, in chunks of varying size.
 * Every payload it yields must be one the framing could have produced, and framing any
 * payload must decode back to it. */
#include <stdlib.h>
#include <string.h>

#include "edge/crc32.h"
#include "edge/serial_framing.h"

static void check_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    (void)ctx;
    if (status != EDGE_PACKET_OK) {
        return;
    }
    if (len == 0 || len > EDGE_SERIAL_MAX_PAYLOAD) {
        abort();
    }
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    if (edge_serial_encode(payload, len, wire, sizeof wire) == 0) {
        abort();
    }
}

typedef struct {
    const uint8_t *expected;
    size_t len;
    int packets;
} round_trip;

static void check_round_trip(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    round_trip *r = ctx;
    r->packets++;
    if (status != EDGE_PACKET_OK || len != r->len || memcmp(payload, r->expected, len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static edge_serial_decoder decoder;
    edge_serial_decoder_reset(&decoder);
    const size_t chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
    for (size_t offset = 0; offset < size; offset += chunk) {
        const size_t n = size - offset < chunk ? size - offset : chunk;
        edge_serial_decoder_push(&decoder, data + offset, n, check_packet, NULL);
    }

    const size_t len = size < EDGE_SERIAL_MAX_PAYLOAD ? size : EDGE_SERIAL_MAX_PAYLOAD;
    if (len > 0) {
        uint8_t wire[EDGE_SERIAL_MAX_WIRE];
        const size_t wire_len = edge_serial_encode(data, len, wire, sizeof wire);
        round_trip r = {.expected = data, .len = len, .packets = 0};
        edge_serial_decoder_reset(&decoder);
        edge_serial_decoder_push(&decoder, wire, wire_len, check_round_trip, &r);
        if (r.packets != 1) {
            abort();
        }
    }
    return 0;
}
