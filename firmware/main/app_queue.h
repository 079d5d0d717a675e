#ifndef APP_QUEUE_H
#define APP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/wire.h"
#include "freertos/FreeRTOS.h"

/* Everything that happens to the node reaches it through one queue, so the core runs in one
 * task while Wi-Fi, MQTT, UART, BLE and timers report from theirs. */
typedef enum {
    APP_SAMPLE_TIMER,
    APP_RETRY_TIMER,
    APP_ANSWER_TIMER,
    APP_NETWORK_UP,
    APP_NETWORK_DOWN,
    APP_LINK_UP,
    APP_LINK_DOWN,
    APP_CONNECT_FAILED,
    APP_DELIVERED,
    APP_COMMAND,
    APP_FRAME_ACK,
} app_event_type;

typedef struct {
    app_event_type type;
    uint16_t len;
    union {
        /* APP_COMMAND: a SignedCommand of len bytes. */
        uint8_t bytes[EDGE_SIGNED_COMMAND_MAX_BYTES];
        /* APP_FRAME_ACK */
        edge_frame_ack ack;
    } body;
} app_event;

void app_queue_init(void);

/* Callable from any task (not from an ISR). */
void app_post(app_event_type type);
void app_post_command(const uint8_t *bytes, size_t len);
void app_post_frame_ack(const edge_frame_ack *ack);

bool app_wait(app_event *event, TickType_t timeout);

#endif
