#include "edge/backoff.h"

uint32_t edge_backoff_ms(uint32_t attempt, uint32_t base_ms, uint32_t max_ms, uint32_t random)
{
    uint32_t ceiling = base_ms < max_ms ? base_ms : max_ms;
    for (uint32_t i = 0; i < attempt && ceiling < max_ms; i++) {
        ceiling = ceiling > max_ms / 2 ? max_ms : ceiling * 2;
    }
    const uint32_t half = ceiling / 2;
    return ceiling - half + random % (half + 1);
}
