#include "frame_log.h"

#include <string.h>

#include "process.h"
#include "gateway_side.h"

void frame_log_add(frame_log *log, const uint8_t *bytes, size_t len)
{
    if (log->count == FRAME_LOG_MAX || len > EDGE_SIGNED_FRAME_MAX_BYTES) {
        return;
    }
    logged_frame *f = &log->frames[log->count++];
    memcpy(f->bytes, bytes, len);
    f->len = len;
    f->received_ms = now_ms();
    f->verified = strcmp(check_signed_frame(bytes, len, log->device_key, &f->frame), "ok") == 0;
}

static bool seen_before(const frame_log *log, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (log->frames[j].len == log->frames[i].len &&
            memcmp(log->frames[j].bytes, log->frames[i].bytes, log->frames[i].len) == 0) {
            return true;
        }
    }
    return false;
}

bool frame_log_consistent(const frame_log *log)
{
    uint64_t highest = 0;
    for (size_t i = 0; i < log->count; i++) {
        const logged_frame *f = &log->frames[i];
        if (!f->verified) {
            return false;
        }
        if (seen_before(log, i)) {
            continue;
        }
        if (f->frame.counter <= highest) {
            return false;
        }
        highest = f->frame.counter;
    }
    return true;
}

int frame_log_find_ack(const frame_log *log, size_t from, uint64_t command_id)
{
    for (size_t i = from; i < log->count; i++) {
        if (log->frames[i].frame.has_command_ack && log->frames[i].frame.command_ack.command_id == command_id) {
            return (int)i;
        }
    }
    return -1;
}

size_t frame_log_samples_between(const frame_log *log, size_t from, uint64_t from_ms, uint64_t to_ms)
{
    size_t n = 0;
    for (size_t i = from; i < log->count; i++) {
        const edge_device_frame *f = &log->frames[i].frame;
        for (pb_size_t s = 0; s < f->samples_count; s++) {
            n += f->samples[s].timestamp_ms >= from_ms && f->samples[s].timestamp_ms <= to_ms;
        }
    }
    return n;
}

size_t frame_log_first_new(const frame_log *log, size_t from)
{
    size_t i = from;
    while (i < log->count && seen_before(log, i)) {
        i++;
    }
    return i;
}

uint64_t frame_log_max_counter(const frame_log *log)
{
    uint64_t highest = 0;
    for (size_t i = 0; i < log->count; i++) {
        if (log->frames[i].frame.counter > highest) {
            highest = log->frames[i].frame.counter;
        }
    }
    return highest;
}
