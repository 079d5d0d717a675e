#ifndef SIM_HEX_H
#define SIM_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses exactly len bytes of hex (an optional 0x prefix and surrounding whitespace allowed). */
bool hex_decode(const char *text, uint8_t *out, size_t len);

#endif
