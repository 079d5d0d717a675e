#include "edge/counter.h"

#include "edge/status.h"

int edge_counter_open(edge_counter *counter, const edge_storage *storage, uint32_t block)
{
    if (block == 0) {
        return EDGE_ERR_ARG;
    }
    uint64_t reserved = 0;
    int rc = edge_storage_read_u64(storage, EDGE_KEY_COUNTER, &reserved);
    if (rc != EDGE_OK && rc != EDGE_ERR_NOT_FOUND) {
        return rc;
    }
    counter->storage = storage;
    counter->block = block;
    counter->reserved = reserved;
    counter->next = reserved + 1;
    return EDGE_OK;
}

int edge_counter_take(edge_counter *counter, uint64_t *value)
{
    if (counter->next > counter->reserved) {
        const uint64_t reserved = counter->next + counter->block - 1;
        int rc = edge_storage_write_u64(counter->storage, EDGE_KEY_COUNTER, reserved);
        if (rc != EDGE_OK) {
            return rc;
        }
        counter->reserved = reserved;
    }
    *value = counter->next++;
    return EDGE_OK;
}
