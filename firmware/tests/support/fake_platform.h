#ifndef EDGE_TEST_FAKE_PLATFORM_H
#define EDGE_TEST_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/node.h"

/* A platform whose clock, sensors and link the test drives, and which records what the node
 * asked of it: the frames it sent, its timers, connection attempts, reboots and reports. */

#define FAKE_PLATFORM_MAX_SENT 96
/* Reports are counted by kind; EDGE_REPORT_ERROR is the last one. */
#define FAKE_PLATFORM_REPORT_KINDS (EDGE_REPORT_ERROR + 1)

typedef struct {
    uint64_t epoch_ms;
    uint32_t uptime_ms;
    int32_t temperature;
    bool sensors_fail;
    edge_send_result send_result;
    struct {
        edge_topic topic;
        uint8_t bytes[EDGE_SIGNED_FRAME_MAX_BYTES];
        size_t len;
    } sent[FAKE_PLATFORM_MAX_SENT];
    size_t sent_count;
    uint32_t timer_ms[EDGE_TIMER_COUNT];
    unsigned connects[10];
    unsigned reboots;
    unsigned reports[FAKE_PLATFORM_REPORT_KINDS];
    unsigned alarms_on;
    unsigned alarms_off;
    edge_command_result last_result;
    edge_frame_refusal last_refusal;
    uint32_t last_retry_after_ms;
    edge_platform platform;
} fake_platform;

/* Forgets everything recorded and points fake->platform at it: the clock set (November 2025),
 * 23.1 °C on the temperature sensor, and a link that delivers every frame at once. */
void fake_platform_init(fake_platform *fake);

#endif
