#ifndef SIM_KEY_FILE_H
#define SIM_KEY_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "edge/crypto.h"

/* The device's private key as 64 hex characters in a file readable by its owner only. A
 * missing file gets a new key; *created says whether it did. Returns false with a message on
 * stderr when the file cannot be read or written or holds no valid key. */
bool key_file_load(const char *path, const edge_rng *rng, uint8_t key[EDGE_PRIVATE_KEY_BYTES], bool *created);

/* Reads a public point (65 bytes as hex) from a file. */
bool public_key_file_load(const char *path, uint8_t key[EDGE_PUBLIC_KEY_BYTES]);

#endif
