#include "edge/ring.h"

void edge_ring_init(edge_ring *ring, edge_sample *slots, size_t capacity)
{
    ring->slots = slots;
    ring->capacity = capacity;
    ring->head = 0;
    ring->count = 0;
    ring->pinned = 0;
    ring->dropped = 0;
}

static void remove_oldest(edge_ring *ring, size_t n)
{
    ring->head = (ring->head + n) % ring->capacity;
    ring->count -= n;
}

void edge_ring_push(edge_ring *ring, const edge_sample *sample)
{
    if (ring->capacity == 0) {
        ring->dropped++;
        return;
    }
    if (ring->count == ring->capacity) {
        if (ring->pinned > 0) {
            ring->pinned--;
        } else {
            ring->dropped++;
        }
        remove_oldest(ring, 1);
    }
    ring->slots[(ring->head + ring->count) % ring->capacity] = *sample;
    ring->count++;
}

size_t edge_ring_peek(const edge_ring *ring, edge_sample *out, size_t max)
{
    const size_t available = ring->count - ring->pinned;
    const size_t n = available < max ? available : max;
    for (size_t i = 0; i < n; i++) {
        out[i] = ring->slots[(ring->head + ring->pinned + i) % ring->capacity];
    }
    return n;
}

void edge_ring_pin(edge_ring *ring, size_t n)
{
    const size_t available = ring->count - ring->pinned;
    ring->pinned += n < available ? n : available;
}

void edge_ring_release(edge_ring *ring)
{
    remove_oldest(ring, ring->pinned);
    ring->pinned = 0;
}
