#include "platform.h"

#include <stdint.h>
#include <sys/time.h>

#include "app_queue.h"
#include "driver/gpio.h"
#include "edge/command.h"
#include "edge/link_message.h"
#include "esp_log.h"
#include "esp_random.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "sdkconfig.h"
#include "sensors.h"
#include "wifi.h"

/* 2020-09-13: a clock behind this was never set. */
#define EPOCH_VALID_S 1600000000

static const char *TAG = "node";
static const link_ops *active_link;
static esp_timer_handle_t timers[EDGE_TIMER_COUNT];
static unsigned alarms_active;

static void on_timer(void *arg)
{
    app_post((app_event_type)(intptr_t)arg);
}

static uint64_t epoch_ms(void *ctx)
{
    (void)ctx;
    struct timeval now;
    gettimeofday(&now, NULL);
    return now.tv_sec < EPOCH_VALID_S ? 0 : (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_usec / 1000u;
}

static uint32_t uptime_ms(void *ctx)
{
    (void)ctx;
    return (uint32_t)(esp_timer_get_time() / 1000);
}

static size_t read_sensors(void *ctx, edge_sample *out, size_t cap)
{
    (void)ctx;
    return sensors_read(out, cap);
}

static edge_send_result send_frame(void *ctx, edge_topic topic, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    return active_link->send(topic, bytes, len);
}

static void start_connecting(void *ctx, edge_device_state state)
{
    (void)ctx;
    active_link->connect(state);
}

static void set_timer(void *ctx, edge_timer timer, uint32_t delay_ms)
{
    (void)ctx;
    esp_timer_stop(timers[timer]);
    esp_timer_start_once(timers[timer], (uint64_t)delay_ms * 1000u);
}

static void health(void *ctx, uint32_t *free_heap_bytes, int32_t *rssi_dbm)
{
    (void)ctx;
    *free_heap_bytes = (uint32_t)esp_get_free_heap_size();
    /* 0 unless Wi-Fi has an address, which only the MQTT link starts. */
    *rssi_dbm = wifi_rssi();
}

static void restart(void *ctx)
{
    (void)ctx;
    ESP_LOGW(TAG, "rebooting on command");
    esp_restart();
}

static void alarm_output(bool active)
{
    alarms_active = active ? alarms_active + 1 : alarms_active > 0 ? alarms_active - 1 : 0;
#if CONFIG_EDGE_ALARM_GPIO >= 0
    gpio_set_level((gpio_num_t)CONFIG_EDGE_ALARM_GPIO, alarms_active > 0);
#endif
}

static void report(void *ctx, const edge_report *r)
{
    (void)ctx;
    switch (r->kind) {
    case EDGE_REPORT_STATE:
        ESP_LOGD(TAG, "state %s", edge_state_name(r->state));
        break;
    case EDGE_REPORT_FRAME:
        ESP_LOGD(TAG, "frame %llu delivered (%u readings)", (unsigned long long)r->counter, (unsigned)r->samples);
        break;
    case EDGE_REPORT_FRAME_REFUSED:
        ESP_LOGW(TAG, "frame %llu refused by the gateway (%s), %u readings dropped", (unsigned long long)r->counter,
                 edge_frame_refusal_name(r->refusal), (unsigned)r->samples);
        break;
    case EDGE_REPORT_FRAME_DEFERRED:
        ESP_LOGI(TAG, "frame %llu not taken now (%s), again in %u ms", (unsigned long long)r->counter,
                 edge_frame_refusal_name(r->refusal), (unsigned)r->retry_after_ms);
        break;
    case EDGE_REPORT_FRAME_RESENT:
        ESP_LOGD(TAG, "frame %llu unanswered, sent again", (unsigned long long)r->counter);
        break;
    case EDGE_REPORT_COMMAND:
        ESP_LOGI(TAG, "command %llu (%s): %s", (unsigned long long)r->command_id, r->action,
                 edge_command_result_name(r->result));
        break;
    case EDGE_REPORT_COMMAND_MALFORMED:
        ESP_LOGW(TAG, "bytes that are no signed command");
        break;
    case EDGE_REPORT_ALARM:
        alarm_output(r->active);
        ESP_LOGW(TAG, "alarm %s", r->active ? "raised" : "cleared");
        break;
    case EDGE_REPORT_ERROR:
        ESP_LOGE(TAG, "%s (%d)", r->what, r->error);
        break;
    }
}

static int hardware_random(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    /* True random numbers while the radio runs (Wi-Fi or BLE), else the hardware RNG's
     * pseudo-random output: good enough to blind signatures, and keys are drawn once. */
    esp_fill_random(out, len);
    return 0;
}

edge_rng platform_rng(void)
{
    return (edge_rng){.fill = hardware_random, .ctx = NULL};
}

esp_err_t platform_init(const link_ops *link, edge_platform *platform)
{
    active_link = link;
    static const char *NAMES[EDGE_TIMER_COUNT] = {"sample", "retry", "answer"};
    static const app_event_type EVENTS[EDGE_TIMER_COUNT] = {APP_SAMPLE_TIMER, APP_RETRY_TIMER, APP_ANSWER_TIMER};
    for (int t = 0; t < EDGE_TIMER_COUNT; t++) {
        const esp_timer_create_args_t args = {
            .callback = on_timer,
            .arg = (void *)(intptr_t)EVENTS[t],
            .dispatch_method = ESP_TIMER_TASK,
            .name = NAMES[t],
        };
        const esp_err_t err = esp_timer_create(&args, &timers[t]);
        if (err != ESP_OK) {
            return err;
        }
    }
#if CONFIG_EDGE_ALARM_GPIO >= 0
    gpio_reset_pin((gpio_num_t)CONFIG_EDGE_ALARM_GPIO);
    gpio_set_direction((gpio_num_t)CONFIG_EDGE_ALARM_GPIO, GPIO_MODE_OUTPUT);
    gpio_set_level((gpio_num_t)CONFIG_EDGE_ALARM_GPIO, 0);
#endif
    *platform = (edge_platform){
        .epoch_ms = epoch_ms,
        .uptime_ms = uptime_ms,
        .read_sensors = read_sensors,
        .send = send_frame,
        .connect = start_connecting,
        .set_timer = set_timer,
        .health = health,
        .reboot = restart,
        .report = report,
    };
    return ESP_OK;
}
