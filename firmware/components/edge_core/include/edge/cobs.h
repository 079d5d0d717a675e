#ifndef EDGE_COBS_H
#define EDGE_COBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Consistent Overhead Byte Stuffing as in docs/wire-formats.md: a full 254-byte block
 * that ends the data takes no further code byte. */

/* Largest encoding of len bytes. */
#define EDGE_COBS_MAX_ENCODED(len) ((len) + ((len) + 253) / 254 + 1)

/* Encodes len bytes into out, which holds EDGE_COBS_MAX_ENCODED(len) bytes; returns the
 * encoded length. The encoding contains no zero byte. */
size_t edge_cobs_encode(const uint8_t *data, size_t len, uint8_t *out);

/* Decodes one packet (without its delimiter) into out, which holds len bytes and may be
 * the same buffer as encoded. Returns false when the input is not valid COBS. */
bool edge_cobs_decode(const uint8_t *encoded, size_t len, uint8_t *out, size_t *out_len);

#endif
