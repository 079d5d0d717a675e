#ifndef EDGE_TEST_MEM_STORAGE_H
#define EDGE_TEST_MEM_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/storage.h"

/* Storage in memory, standing in for NVS: it survives a simulated reboot (a new node over the
 * same mem_storage) and can be told to fail. */

#define MEM_STORAGE_KEYS 8
#define MEM_STORAGE_VALUE_BYTES 2048

typedef struct {
    struct {
        char key[16];
        uint8_t value[MEM_STORAGE_VALUE_BYTES];
        size_t len;
        bool used;
    } entries[MEM_STORAGE_KEYS];
    unsigned writes;
    bool fail_writes;
    edge_storage storage;
} mem_storage;

/* Empties it and points mem->storage at it. */
void mem_storage_init(mem_storage *mem);

#endif
