#include "test_rng.h"

#include <stdint.h>

static uint32_t state;

static int fill(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out[i] = (unsigned char)state;
    }
    return 0;
}

edge_rng test_rng(unsigned seed)
{
    state = seed != 0 ? seed : 0x9e3779b9u;
    edge_rng rng = {.fill = fill, .ctx = NULL};
    return rng;
}
