#include "edge/serial_framing.h"

#include <stdint.h>
#include <string.h>

#include "edge/crc32.h"
#include "edge/names.h"

size_t edge_serial_encode(const uint8_t *payload, size_t len, uint8_t *wire, size_t cap)
{
    uint8_t packet[EDGE_SERIAL_MAX_PAYLOAD + EDGE_SERIAL_CRC_BYTES];
    if (len == 0 || len > EDGE_SERIAL_MAX_PAYLOAD || cap < EDGE_COBS_MAX_ENCODED(len + EDGE_SERIAL_CRC_BYTES) + 1) {
        return 0;
    }
    memcpy(packet, payload, len);
    const uint32_t crc = edge_crc32(payload, len);
    for (size_t i = 0; i < EDGE_SERIAL_CRC_BYTES; i++) {
        packet[len + i] = (uint8_t)(crc >> (8 * i));
    }
    const size_t encoded = edge_cobs_encode(packet, len + EDGE_SERIAL_CRC_BYTES, wire);
    wire[encoded] = EDGE_SERIAL_DELIMITER;
    return encoded + 1;
}

const char *edge_packet_status_name(edge_packet_status status)
{
    static const char *const NAMES[] = {
        [EDGE_PACKET_OK] = "ok",     [EDGE_PACKET_OVERSIZED] = "oversized",
        [EDGE_PACKET_COBS] = "cobs", [EDGE_PACKET_TRUNCATED] = "truncated",
        [EDGE_PACKET_CRC] = "crc",
    };
    return EDGE_NAME(NAMES, status, "unknown");
}

void edge_serial_decoder_reset(edge_serial_decoder *decoder)
{
    decoder->length = 0;
    decoder->seen = 0;
}

static void finish(edge_serial_decoder *decoder, edge_packet_sink sink, void *ctx)
{
    const size_t seen = decoder->seen;
    if (seen > EDGE_SERIAL_MAX_ENCODED) {
        sink(ctx, EDGE_PACKET_OVERSIZED, NULL, seen);
        return;
    }
    size_t packet_len;
    /* Decoding in place is safe: COBS output never overtakes its input. */
    if (!edge_cobs_decode(decoder->buffer, decoder->length, decoder->buffer, &packet_len)) {
        sink(ctx, EDGE_PACKET_COBS, NULL, seen);
        return;
    }
    if (packet_len <= EDGE_SERIAL_CRC_BYTES) {
        sink(ctx, EDGE_PACKET_TRUNCATED, NULL, seen);
        return;
    }
    const size_t payload_len = packet_len - EDGE_SERIAL_CRC_BYTES;
    uint32_t crc = 0;
    for (size_t i = 0; i < EDGE_SERIAL_CRC_BYTES; i++) {
        crc |= (uint32_t)decoder->buffer[payload_len + i] << (8 * i);
    }
    if (crc != edge_crc32(decoder->buffer, payload_len)) {
        sink(ctx, EDGE_PACKET_CRC, NULL, seen);
        return;
    }
    if (payload_len > EDGE_SERIAL_MAX_PAYLOAD) {
        sink(ctx, EDGE_PACKET_OVERSIZED, NULL, seen);
        return;
    }
    sink(ctx, EDGE_PACKET_OK, decoder->buffer, payload_len);
}

void edge_serial_decoder_push(edge_serial_decoder *decoder, const uint8_t *data, size_t len, edge_packet_sink sink,
                              void *ctx)
{
    for (size_t i = 0; i < len; i++) {
        const uint8_t byte = data[i];
        if (byte != EDGE_SERIAL_DELIMITER) {
            if (decoder->length < sizeof decoder->buffer) {
                decoder->buffer[decoder->length++] = byte;
            }
            if (decoder->seen < SIZE_MAX) {
                decoder->seen++;
            }
            continue;
        }
        if (decoder->seen > 0) {
            finish(decoder, sink, ctx);
        }
        edge_serial_decoder_reset(decoder);
    }
}
