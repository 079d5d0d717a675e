#ifndef EDGE_SERIAL_FRAMING_H
#define EDGE_SERIAL_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "edge/cobs.h"

/* Serial (and BLE byte-stream) framing: COBS(payload || CRC-32 little-endian) || 0x00.
 * COBS leaves no zero inside a packet, so a receiver that lost its place (garbage, an
 * unplugged cable) resynchronises at the next 0x00. */

#define EDGE_SERIAL_DELIMITER 0x00
/* The largest GatewayMessage, one carrying a provisioning request, fits. */
#define EDGE_SERIAL_MAX_PAYLOAD 2048
#define EDGE_SERIAL_CRC_BYTES 4
#define EDGE_SERIAL_MAX_ENCODED EDGE_COBS_MAX_ENCODED(EDGE_SERIAL_MAX_PAYLOAD + EDGE_SERIAL_CRC_BYTES)
/* Largest packet on the wire, delimiter included. */
#define EDGE_SERIAL_MAX_WIRE (EDGE_SERIAL_MAX_ENCODED + 1)

/* Writes the wire bytes of one payload (1 to EDGE_SERIAL_MAX_PAYLOAD bytes) into wire,
 * which holds cap bytes; returns their length, or 0 when the payload or cap is wrong. */
size_t edge_serial_encode(const uint8_t *payload, size_t len, uint8_t *wire, size_t cap);

typedef enum {
    EDGE_PACKET_OK,
    EDGE_PACKET_OVERSIZED,
    EDGE_PACKET_COBS,
    EDGE_PACKET_TRUNCATED,
    EDGE_PACKET_CRC,
} edge_packet_status;

/* The error names of the shared test vectors and the gateway ("crc", "cobs", ...). */
const char *edge_packet_status_name(edge_packet_status status);

/* Receives one packet: its payload when status is EDGE_PACKET_OK, otherwise why it was
 * dropped and how many bytes it had. */
typedef void (*edge_packet_sink)(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len);

/* Splits a byte stream into packets with bounded memory, whatever arrives. */
typedef struct {
    uint8_t buffer[EDGE_SERIAL_MAX_ENCODED];
    size_t length;
    /* Bytes since the last delimiter, including those dropped for length. */
    size_t seen;
} edge_serial_decoder;

void edge_serial_decoder_reset(edge_serial_decoder *decoder);

/* Feeds received bytes; calls sink once per delimited packet, in order. */
void edge_serial_decoder_push(edge_serial_decoder *decoder, const uint8_t *data, size_t len, edge_packet_sink sink,
                              void *ctx);

#endif
