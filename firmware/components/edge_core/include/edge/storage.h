#ifndef EDGE_STORAGE_H
#define EDGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

/* Durable key-value storage for what must survive a reboot: NVS on the ESP32, files on the
 * host, memory in tests. Keys are at most 15 characters (NVS's limit). */
typedef struct {
    void *ctx;
    /* Copies the value of key into buf (cap bytes) and its size into *len; EDGE_ERR_NOT_FOUND
     * when the key was never written. */
    int (*read)(void *ctx, const char *key, void *buf, size_t cap, size_t *len);
    /* Replaces the value of key; returns EDGE_OK only once the value would survive a power cut. */
    int (*write)(void *ctx, const char *key, const void *buf, size_t len);
} edge_storage;

#define EDGE_KEY_COUNTER "frame_counter"
#define EDGE_KEY_COMMAND_ID "command_id"
#define EDGE_KEY_INTERVAL "interval_ms"
#define EDGE_KEY_THRESHOLDS "thresholds"
#define EDGE_KEY_DEVICE_KEY "device_key"

/* Unsigned integers are stored as 8 little-endian bytes, whatever the platform. */
int edge_storage_read_u64(const edge_storage *storage, const char *key, uint64_t *value);
int edge_storage_write_u64(const edge_storage *storage, const char *key, uint64_t value);

#endif
