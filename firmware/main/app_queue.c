#include "app_queue.h"

#include <string.h>

#include "esp_log.h"
#include "freertos/queue.h"

#define DEPTH 16

static const char *TAG = "queue";
static QueueHandle_t queue;

void app_queue_init(void)
{
    queue = xQueueCreate(DEPTH, sizeof(app_event));
    configASSERT(queue != NULL);
}

static void post(const app_event *event)
{
    if (xQueueSend(queue, event, pdMS_TO_TICKS(100)) != pdTRUE) {
        ESP_LOGW(TAG, "event %d lost: queue full", event->type);
    }
}

void app_post(app_event_type type)
{
    app_event event = {.type = type, .len = 0};
    post(&event);
}

void app_post_command(const uint8_t *bytes, size_t len)
{
    app_event event = {.type = APP_COMMAND};
    if (len > sizeof event.body.bytes) {
        ESP_LOGW(TAG, "command of %u bytes refused", (unsigned)len);
        return;
    }
    memcpy(event.body.bytes, bytes, len);
    event.len = (uint16_t)len;
    post(&event);
}

void app_post_frame_ack(const edge_frame_ack *ack)
{
    app_event event = {.type = APP_FRAME_ACK, .body.ack = *ack};
    post(&event);
}

bool app_wait(app_event *event, TickType_t timeout)
{
    return xQueueReceive(queue, event, timeout) == pdTRUE;
}
