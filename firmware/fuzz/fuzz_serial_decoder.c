/* libFuzzer target: arbitrary bytes into the serial deframer, in chunks of varying size.
 * Every payload it yields must be one the framing could have produced, and framing any
 * payload must decode back to it. */
#include <stdlib.h>
#include <string.h>

#include "edge/serial_framing.h"
#include "gateway_side.h"

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
        uint8_t payload[EDGE_SERIAL_MAX_PAYLOAD];
        const size_t wire_len = edge_serial_encode(data, len, wire, sizeof wire);
        if (deframe(wire, wire_len, payload, sizeof payload) != len || memcmp(payload, data, len) != 0) {
            abort();
        }
    }
    return 0;
}
