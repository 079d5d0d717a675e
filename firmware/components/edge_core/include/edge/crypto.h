#ifndef EDGE_CRYPTO_H
#define EDGE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ECDSA P-256 over SHA-256 through mbedTLS: device frames are signed with the device key,
 * commands are verified with the gateway's command key. Signatures are r || s (IEEE P1363),
 * deterministic per RFC 6979 and not normalised to low S. */

#define EDGE_PRIVATE_KEY_BYTES 32
/* Uncompressed point 0x04 || X || Y, the form the gateway registers. */
#define EDGE_PUBLIC_KEY_BYTES 65
#define EDGE_SIGNATURE_BYTES 64

/* A random source with mbedTLS's callback signature; returns 0 on success. It only blinds
 * the signing computation and draws new keys: signatures do not depend on it. */
typedef struct {
    int (*fill)(void *ctx, unsigned char *out, size_t len);
    void *ctx;
} edge_rng;

/* Draws a new private key. */
int edge_key_generate(const edge_rng *rng, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES]);

/* Derives the public point of a private key; fails when the key is not a valid scalar. */
int edge_key_public(const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES], const edge_rng *rng,
                    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES]);

/* True when the bytes are an uncompressed point on P-256. */
bool edge_public_key_valid(const uint8_t public_key[EDGE_PUBLIC_KEY_BYTES]);

/* SHA-256, as used for signatures and to name a frame in its acknowledgement. */
int edge_sha256(const uint8_t *message, size_t len, uint8_t digest[32]);

int edge_sign(const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES], const uint8_t *message, size_t len,
              const edge_rng *rng, uint8_t signature[EDGE_SIGNATURE_BYTES]);

bool edge_verify(const uint8_t public_key[EDGE_PUBLIC_KEY_BYTES], const uint8_t *message, size_t len,
                 const uint8_t signature[EDGE_SIGNATURE_BYTES]);

#endif
