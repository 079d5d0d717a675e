#ifndef EDGE_THRESHOLDS_H
#define EDGE_THRESHOLDS_H

#include <stdbool.h>
#include <stdint.h>

#include "edge/wire.h"

/* Alarm bounds per channel (SetThresholds), compared with readings of any scale. */

/* Compares a x 10^-scale_a with b x 10^-scale_b exactly; both scales at most EDGE_MAX_SCALE. */
int edge_fixed_compare(int32_t a, uint32_t scale_a, int32_t b, uint32_t scale_b);

/* True when every bound names a known channel, has min <= max and a valid scale, and no two
 * bounds cover the same channel and index. */
bool edge_thresholds_valid(const edge_thresholds *thresholds);

/* The bound that covers the sample's channel and index, or NULL. */
const edge_threshold *edge_threshold_for(const edge_thresholds *thresholds, const edge_sample *sample);

/* True when the sample lies outside the bound (the bound itself is inside). */
bool edge_threshold_exceeded(const edge_threshold *threshold, const edge_sample *sample);

#endif
