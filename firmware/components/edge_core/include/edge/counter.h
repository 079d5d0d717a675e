#ifndef EDGE_COUNTER_H
#define EDGE_COUNTER_H

#include <stdint.h>

#include "edge/storage.h"

/* The frame counter: starts at 1 and strictly increases for the device's lifetime. Counters
 * are reserved in blocks written ahead to storage, so a reboot at any moment never reuses
 * one (it skips at most a block), and flash sees one write per block. */
typedef struct {
    const edge_storage *storage;
    uint32_t block;
    /* Next counter to hand out. */
    uint64_t next;
    /* Highest counter already reserved in storage. */
    uint64_t reserved;
} edge_counter;

/* Resumes after the highest reserved counter; block is how many counters a write reserves. */
int edge_counter_open(edge_counter *counter, const edge_storage *storage, uint32_t block);

/* Hands out the next counter, reserving a new block first when needed; fails without
 * handing one out when storage fails. */
int edge_counter_take(edge_counter *counter, uint64_t *value);

#endif
