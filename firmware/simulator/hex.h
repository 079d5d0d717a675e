#ifndef SIM_HEX_H
#define SIM_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses exactly len bytes of hex (an optional 0x prefix and surrounding whitespace allowed). */
bool hex_decode(const char *text, uint8_t *out, size_t len);

/* Writes len bytes as 2 * len lowercase hex digits and a terminating NUL into text. */
void hex_encode(const uint8_t *data, size_t len, char *text);

#endif
