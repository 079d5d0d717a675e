#ifndef EDGE_TEST_RNG_H
#define EDGE_TEST_RNG_H

#include "edge/crypto.h"

/* A seeded xorshift generator: reproducible runs. Signatures do not depend on it (they are
 * deterministic); it only blinds signing and draws test keys. */
edge_rng test_rng(unsigned seed);

#endif
