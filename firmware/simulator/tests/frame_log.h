#ifndef SIM_TEST_FRAME_LOG_H
#define SIM_TEST_FRAME_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/wire.h"

/* What the gateway side of an end-to-end test received, each frame checked as the gateway
 * would check it. */

#define FRAME_LOG_MAX 1024

typedef struct {
    edge_device_frame frame;
    uint8_t bytes[EDGE_SIGNED_FRAME_MAX_BYTES];
    size_t len;
    bool verified;
    long long received_ms;
} logged_frame;

typedef struct {
    uint8_t device_key[EDGE_PUBLIC_KEY_BYTES];
    logged_frame frames[FRAME_LOG_MAX];
    size_t count;
} frame_log;

void frame_log_add(frame_log *log, const uint8_t *bytes, size_t len);

/* True when every frame verified and counters strictly increased, but for frames sent again
 * byte for byte (which the gateway refuses as replays). */
bool frame_log_consistent(const frame_log *log);

/* Index of the first frame from index from on with a command acknowledgement for id, or -1. */
int frame_log_find_ack(const frame_log *log, size_t from, uint64_t command_id);

/* Readings in frames from index from on whose timestamps lie in [from_ms, to_ms]. */
size_t frame_log_samples_between(const frame_log *log, size_t from, uint64_t from_ms, uint64_t to_ms);

/* Index of the first frame from index from on that is not a byte-for-byte copy of an earlier one. */
size_t frame_log_first_new(const frame_log *log, size_t from);

uint64_t frame_log_max_counter(const frame_log *log);

#endif
