#include "edge/vibration.h"

static uint64_t isqrt(uint64_t value)
{
    uint64_t root = 0;
    uint64_t bit = (uint64_t)1 << 62;
    while (bit > value) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (value >= root + bit) {
            value -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

/* Standard gravity in mm/s². */
#define G_MM_S2 9807

static int64_t magnitude_mm_s2(const edge_accel_sample *s, uint32_t lsb_per_g)
{
    const int64_t squares = (int64_t)s->x * s->x + (int64_t)s->y * s->y + (int64_t)s->z * s->z;
    return (int64_t)isqrt((uint64_t)squares) * G_MM_S2 / lsb_per_g;
}

int32_t edge_vibration_rms_mm_s2(const edge_accel_sample *samples, size_t n, uint32_t lsb_per_g)
{
    if (n < 2 || lsb_per_g == 0) {
        return 0;
    }
    int64_t sum = 0;
    int64_t sum_squares = 0;
    for (size_t i = 0; i < n; i++) {
        const int64_t m = magnitude_mm_s2(&samples[i], lsb_per_g);
        sum += m;
        sum_squares += m * m;
    }
    /* Variance times n^2, kept integral: n * sum(m^2) - sum(m)^2. */
    const int64_t scaled_variance = (int64_t)n * sum_squares - sum * sum;
    return (int32_t)(isqrt((uint64_t)(scaled_variance > 0 ? scaled_variance : 0)) / n);
}
