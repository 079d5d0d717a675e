/* The ESP32 application: NVS, identity and sensors, the USB serial line (provisioning in every
 * mode), the link the device was provisioned for, and the portable node core fed from a single
 * event queue. */
#include <stdlib.h>
#include <string.h>

#include "app_queue.h"
#include "edge/node.h"
#include "edge/status.h"
#include "esp_log.h"
#include "esp_pm.h"
#include "freertos/task.h"
#include "identity.h"
#include "link.h"
#include "nvs_storage.h"
#include "platform.h"
#include "provisioning_button.h"
#include "sdkconfig.h"
#include "sensors.h"
#include "usb_serial.h"

#define FIRMWARE_VERSION "1.0.0"

static const char *TAG = "main";

static edge_storage storage;
static identity me;
static edge_platform platform;
static edge_rng rng;
static edge_sample ring[CONFIG_EDGE_RING_CAPACITY];
static edge_node node;
static app_event event;

static const link_ops *link_for(edge_link_mode mode)
{
    switch (mode) {
    case EDGE_LINK_SERIAL:
        return &SERIAL_LINK;
    case EDGE_LINK_BLE:
#if CONFIG_BT_NIMBLE_ENABLED
        return &BLE_LINK;
#else
        return NULL;
#endif
    default:
        return &MQTT_LINK;
    }
}

static void enable_light_sleep(edge_link_mode mode)
{
#if CONFIG_PM_ENABLE
    /* Between samples the node task blocks on its queue and the chip light-sleeps. */
    const esp_pm_config_t pm = {
        .max_freq_mhz = CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ,
        .min_freq_mhz = 40,
        .light_sleep_enable = mode != EDGE_LINK_SERIAL,
    };
    const esp_err_t err = esp_pm_configure(&pm);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "no power management: %s", esp_err_to_name(err));
    }
#else
    (void)mode;
#endif
}

static void dispatch(const app_event *e)
{
    switch (e->type) {
    case APP_SAMPLE_TIMER:
        edge_node_timer(&node, EDGE_TIMER_SAMPLE);
        break;
    case APP_RETRY_TIMER:
        edge_node_timer(&node, EDGE_TIMER_RETRY);
        break;
    case APP_ANSWER_TIMER:
        edge_node_timer(&node, EDGE_TIMER_ANSWER);
        break;
    case APP_NETWORK_UP:
    case APP_NETWORK_DOWN:
        edge_node_network(&node, e->type == APP_NETWORK_UP);
        break;
    case APP_LINK_UP:
    case APP_LINK_DOWN:
        edge_node_link(&node, e->type == APP_LINK_UP);
        break;
    case APP_CONNECT_FAILED:
        edge_node_connect_failed(&node);
        break;
    case APP_DELIVERED:
        edge_node_delivered(&node);
        break;
    case APP_COMMAND:
        edge_node_command(&node, e->body.bytes, e->len);
        break;
    case APP_FRAME_ACK:
        edge_node_frame_ack(&node, &e->body.ack);
        break;
    }
}

void app_main(void)
{
    app_queue_init();
    rng = platform_rng();
    ESP_ERROR_CHECK(nvs_storage_open(&storage));
    ESP_ERROR_CHECK(identity_load(&storage, &rng, &me));
    ESP_ERROR_CHECK(provisioning_button_start());
    const usb_serial_config usb = {
        .storage = &storage,
        .firmware_version = FIRMWARE_VERSION,
        .frames_on_line = me.configured && me.mode == EDGE_LINK_SERIAL,
    };
    ESP_ERROR_CHECK(usb_serial_start(&usb));
    if (!me.configured) {
        /* Never provisioned: the USB serial task answers provisioning and restarts the chip. */
        ESP_LOGW(TAG, "%s: no identity; waiting for USB provisioning on UART %d", FIRMWARE_VERSION,
                 CONFIG_EDGE_USB_UART_NUM);
        vTaskDelete(NULL);
    }
    const link_ops *link = link_for(me.mode);
    if (link == NULL) {
        ESP_LOGE(TAG, "provisioned for BLE, but this build has no NimBLE: provision another link or enable it");
        vTaskDelete(NULL);
    }
    ESP_ERROR_CHECK(platform_init(link, &platform));
    if (sensors_init() != ESP_OK) {
        ESP_LOGW(TAG, "no sensor answered; the node reports status only");
    }
    ESP_ERROR_CHECK(link->start(&me));
    enable_light_sleep(me.mode);

    edge_node_config config = {
        .device_id = me.device_id,
        .firmware_version = FIRMWARE_VERSION,
        .mode = me.mode,
        /* The USB serial line is there from the start; the other links come up later. */
        .linked_at_start = me.mode == EDGE_LINK_SERIAL,
        .answer_timeout_ms = me.mode == EDGE_LINK_MQTT ? 0 : CONFIG_EDGE_ANSWER_TIMEOUT_MS,
        .has_gateway_key = me.has_gateway_key,
        .default_interval_ms = me.interval_ms,
        .status_interval_ms = CONFIG_EDGE_STATUS_INTERVAL_MS,
        .retry_base_ms = 500,
        .retry_max_ms = CONFIG_EDGE_RETRY_MAX_MS,
        .counter_block = CONFIG_EDGE_COUNTER_BLOCK,
        .ring_slots = ring,
        .ring_capacity = CONFIG_EDGE_RING_CAPACITY,
        .storage = &storage,
        .rng = &rng,
        .platform = &platform,
    };
    memcpy(config.device_key, me.device_key, sizeof config.device_key);
    memcpy(config.gateway_key, me.gateway_key, sizeof config.gateway_key);
    const int rc = edge_node_start(&node, &config);
    if (rc != EDGE_OK) {
        ESP_LOGE(TAG, "cannot start the node (%d): NVS unreadable?", rc);
        abort();
    }
    ESP_LOGI(TAG, "%s %s on %s", me.device_id, FIRMWARE_VERSION, link->name);
    for (;;) {
        if (app_wait(&event, portMAX_DELAY)) {
            dispatch(&event);
        }
    }
}
