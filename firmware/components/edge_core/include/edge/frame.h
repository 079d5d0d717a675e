#ifndef EDGE_FRAME_H
#define EDGE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/wire.h"

/* Device ids are 1 to 31 characters of A-Z a-z 0-9 . _ - (they pack into one field element). */
bool edge_device_id_valid(const char *device_id);

/* Encoded size of a frame, or 0 when nanopb cannot encode it. */
size_t edge_frame_encoded_size(const edge_device_frame *frame);

/* Encodes the frame (at most EDGE_FRAME_MAX_BYTES), signs the encoded bytes and writes the
 * SignedFrame that carries both into out (cap bytes); *len gets its length. */
int edge_frame_sign(const edge_device_frame *frame, const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES],
                    const edge_rng *rng, uint8_t *out, size_t cap, size_t *len);

#endif
