#ifndef EDGE_SETTINGS_H
#define EDGE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "edge/storage.h"
#include "edge/wire.h"

/* What commands change, kept across reboots. */

#define EDGE_MIN_INTERVAL_MS 100u
#define EDGE_MAX_INTERVAL_MS 3600000u

typedef struct {
    uint32_t interval_ms;
    edge_thresholds thresholds;
} edge_settings;

bool edge_interval_valid(uint32_t interval_ms);

/* Loads the stored settings; what was never stored, or no longer decodes, takes its
 * default (default_interval_ms, no thresholds). Fails only when storage fails. */
int edge_settings_load(edge_settings *settings, const edge_storage *storage, uint32_t default_interval_ms);

int edge_settings_set_interval(edge_settings *settings, const edge_storage *storage, uint32_t interval_ms);

int edge_settings_set_thresholds(edge_settings *settings, const edge_storage *storage,
                                 const edge_thresholds *thresholds);

#endif
