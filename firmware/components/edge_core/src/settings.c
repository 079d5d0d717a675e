#include "edge/settings.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include "edge/status.h"
#include "edge/thresholds.h"

bool edge_interval_valid(uint32_t interval_ms)
{
    return interval_ms >= EDGE_MIN_INTERVAL_MS && interval_ms <= EDGE_MAX_INTERVAL_MS;
}

static int load_interval(const edge_storage *storage, uint32_t default_interval_ms, uint32_t *interval_ms)
{
    uint64_t stored = 0;
    int rc = edge_storage_read_u64(storage, EDGE_KEY_INTERVAL, &stored);
    if (rc == EDGE_ERR_NOT_FOUND || (rc == EDGE_OK && !edge_interval_valid((uint32_t)stored))) {
        *interval_ms = default_interval_ms;
        return EDGE_OK;
    }
    if (rc == EDGE_OK) {
        *interval_ms = (uint32_t)stored;
    }
    return rc;
}

/* Thresholds are stored as their encoded SetThresholds message. */
static int load_thresholds(const edge_storage *storage, edge_thresholds *thresholds)
{
    uint8_t bytes[intelledger_device_v1_SetThresholds_size];
    size_t len = 0;
    const edge_thresholds none = intelledger_device_v1_SetThresholds_init_zero;
    *thresholds = none;
    int rc = storage->read(storage->ctx, EDGE_KEY_THRESHOLDS, bytes, sizeof bytes, &len);
    if (rc == EDGE_ERR_NOT_FOUND) {
        return EDGE_OK;
    }
    if (rc != EDGE_OK) {
        return rc;
    }
    pb_istream_t stream = pb_istream_from_buffer(bytes, len);
    if (!pb_decode(&stream, intelledger_device_v1_SetThresholds_fields, thresholds) ||
        !edge_thresholds_valid(thresholds)) {
        *thresholds = none;
    }
    return EDGE_OK;
}

int edge_settings_load(edge_settings *settings, const edge_storage *storage, uint32_t default_interval_ms)
{
    int rc = load_interval(storage, default_interval_ms, &settings->interval_ms);
    return rc == EDGE_OK ? load_thresholds(storage, &settings->thresholds) : rc;
}

int edge_settings_set_interval(edge_settings *settings, const edge_storage *storage, uint32_t interval_ms)
{
    int rc = edge_storage_write_u64(storage, EDGE_KEY_INTERVAL, interval_ms);
    if (rc == EDGE_OK) {
        settings->interval_ms = interval_ms;
    }
    return rc;
}

int edge_settings_set_thresholds(edge_settings *settings, const edge_storage *storage,
                                 const edge_thresholds *thresholds)
{
    uint8_t bytes[intelledger_device_v1_SetThresholds_size];
    pb_ostream_t stream = pb_ostream_from_buffer(bytes, sizeof bytes);
    if (!pb_encode(&stream, intelledger_device_v1_SetThresholds_fields, thresholds)) {
        return EDGE_ERR_ENCODE;
    }
    int rc = storage->write(storage->ctx, EDGE_KEY_THRESHOLDS, bytes, stream.bytes_written);
    if (rc == EDGE_OK) {
        settings->thresholds = *thresholds;
    }
    return rc;
}
