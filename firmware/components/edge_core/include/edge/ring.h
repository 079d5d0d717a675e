#ifndef EDGE_RING_H
#define EDGE_RING_H

#include <stddef.h>
#include <stdint.h>

#include "edge/wire.h"

/* Readings waiting for the gateway, oldest first, in storage the caller provides. When it is
 * full the oldest reading makes room and is counted as dropped. The oldest readings can be
 * pinned while a frame carrying them is on its way: they leave the buffer once it arrived, and
 * overwriting a pinned reading drops nothing, since the frame in flight still carries it. */
typedef struct {
    edge_sample *slots;
    size_t capacity;
    size_t head;
    size_t count;
    size_t pinned;
    uint32_t dropped;
} edge_ring;

void edge_ring_init(edge_ring *ring, edge_sample *slots, size_t capacity);

void edge_ring_push(edge_ring *ring, const edge_sample *sample);

/* Copies up to max of the oldest readings that are not pinned; returns how many. */
size_t edge_ring_peek(const edge_ring *ring, edge_sample *out, size_t max);

/* Pins the n oldest unpinned readings (n from a preceding peek). */
void edge_ring_pin(edge_ring *ring, size_t n);

/* The frame carrying the pinned readings arrived: they leave the buffer. */
void edge_ring_release(edge_ring *ring);

#endif
