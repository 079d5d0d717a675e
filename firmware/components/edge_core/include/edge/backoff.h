#ifndef EDGE_BACKOFF_H
#define EDGE_BACKOFF_H

#include <stdint.h>

/* Delay before reconnection attempt number attempt (from 0): doubles from base_ms up to
 * max_ms, and a random half of it is jitter, so that devices cut off together do not all
 * come back in the same instant. random is any uniformly drawn 32-bit value. */
uint32_t edge_backoff_ms(uint32_t attempt, uint32_t base_ms, uint32_t max_ms, uint32_t random);

#endif
