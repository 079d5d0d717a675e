#include "edge/thresholds.h"

#include <stddef.h>

_Static_assert(EDGE_MAX_THRESHOLDS == sizeof(((edge_thresholds *)0)->thresholds) / sizeof(edge_threshold),
               "EDGE_MAX_THRESHOLDS follows frame.options");

static int64_t scaled(int32_t value, uint32_t shift)
{
    int64_t result = value;
    while (shift-- > 0) {
        result *= 10;
    }
    return result;
}

int edge_fixed_compare(int32_t a, uint32_t scale_a, int32_t b, uint32_t scale_b)
{
    /* Bring both to the finer scale: |value| < 2^31 and 10^9 < 2^30 keep it within int64. */
    const int64_t left = scale_a >= scale_b ? a : scaled(a, scale_b - scale_a);
    const int64_t right = scale_b >= scale_a ? b : scaled(b, scale_a - scale_b);
    return (left > right) - (left < right);
}

static bool known_channel(edge_channel channel)
{
    return channel >= EDGE_CHANNEL_TEMPERATURE && channel <= EDGE_CHANNEL_ANALOG;
}

bool edge_thresholds_valid(const edge_thresholds *thresholds)
{
    if (thresholds->thresholds_count > EDGE_MAX_THRESHOLDS) {
        return false;
    }
    for (pb_size_t i = 0; i < thresholds->thresholds_count; i++) {
        const edge_threshold *t = &thresholds->thresholds[i];
        if (!known_channel(t->channel) || t->scale > EDGE_MAX_SCALE || t->min_value > t->max_value) {
            return false;
        }
        for (pb_size_t j = 0; j < i; j++) {
            if (thresholds->thresholds[j].channel == t->channel && thresholds->thresholds[j].index == t->index) {
                return false;
            }
        }
    }
    return true;
}

const edge_threshold *edge_threshold_for(const edge_thresholds *thresholds, const edge_sample *sample)
{
    for (pb_size_t i = 0; i < thresholds->thresholds_count; i++) {
        const edge_threshold *t = &thresholds->thresholds[i];
        if (t->channel == sample->channel && t->index == sample->index) {
            return t;
        }
    }
    return NULL;
}

bool edge_threshold_exceeded(const edge_threshold *threshold, const edge_sample *sample)
{
    return edge_fixed_compare(sample->value, sample->scale, threshold->min_value, threshold->scale) < 0 ||
           edge_fixed_compare(sample->value, sample->scale, threshold->max_value, threshold->scale) > 0;
}
