#include "edge/storage.h"

#include "edge/status.h"

int edge_storage_read_u64(const edge_storage *storage, const char *key, uint64_t *value)
{
    uint8_t bytes[8];
    size_t len = 0;
    int rc = storage->read(storage->ctx, key, bytes, sizeof bytes, &len);
    if (rc != EDGE_OK) {
        return rc;
    }
    if (len != sizeof bytes) {
        return EDGE_ERR_STORAGE;
    }
    uint64_t result = 0;
    for (size_t i = 0; i < sizeof bytes; i++) {
        result |= (uint64_t)bytes[i] << (8 * i);
    }
    *value = result;
    return EDGE_OK;
}

int edge_storage_write_u64(const edge_storage *storage, const char *key, uint64_t value)
{
    uint8_t bytes[8];
    for (size_t i = 0; i < sizeof bytes; i++) {
        bytes[i] = (uint8_t)(value >> (8 * i));
    }
    return storage->write(storage->ctx, key, bytes, sizeof bytes);
}
