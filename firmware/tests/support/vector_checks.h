#ifndef EDGE_TEST_VECTOR_CHECKS_H
#define EDGE_TEST_VECTOR_CHECKS_H

/* Checks shared by the tests that hold the core to the shared test vectors. */

#include <pb.h>

#include "edge/link_message.h"
#include "test_vectors.h"

/* The public key the core derives from a vector's private key is the vector's public key. */
void check_public_key(const tv_bytes *private_key, const tv_bytes *public_key, unsigned rng_seed);

/* nanopb encodes `message` (of `fields`) to exactly the vector's bytes. */
void check_encoding(const pb_msgdesc_t *fields, const void *message, const tv_bytes *expected);

/* The serial wire carries exactly the vector's GatewayMessage, which parses as a `kind` message
 * whose body is `body`; the parsed message in *message. */
void check_framed_gateway_message(const tv_bytes *wire, const tv_bytes *gateway_message, edge_gateway_message_kind kind,
                                  const tv_bytes *body, edge_gateway_message *message);

#endif
