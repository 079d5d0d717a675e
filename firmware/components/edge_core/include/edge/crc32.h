#ifndef EDGE_CRC32_H
#define EDGE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32/ISO-HDLC, the checksum of zlib's crc32() and of the serial framing. */
uint32_t edge_crc32(const uint8_t *data, size_t len);

#endif
