#include "edge/cobs.h"

size_t edge_cobs_encode(const uint8_t *data, size_t len, uint8_t *out)
{
    size_t code_index = 0;
    size_t write = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        const uint8_t byte = data[i];
        if (byte != 0) {
            out[write++] = byte;
            code++;
        }
        if (byte == 0 || code == 0xff) {
            out[code_index] = code;
            code = 1;
            code_index = write;
            /* A full block that ends the data needs no code byte after it. */
            if (byte == 0 || i + 1 < len) {
                write++;
            }
        }
    }
    out[code_index] = code;
    return write;
}

bool edge_cobs_decode(const uint8_t *encoded, size_t len, uint8_t *out, size_t *out_len)
{
    size_t read = 0;
    size_t write = 0;
    while (read < len) {
        const uint8_t code = encoded[read++];
        if (code == 0 || (size_t)code - 1 > len - read) {
            return false;
        }
        for (uint8_t i = 1; i < code; i++) {
            const uint8_t byte = encoded[read++];
            if (byte == 0) {
                return false;
            }
            out[write++] = byte;
        }
        if (code != 0xff && read < len) {
            out[write++] = 0;
        }
    }
    *out_len = write;
    return true;
}
