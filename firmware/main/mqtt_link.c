#include "link.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "app_queue.h"
#include "esp_log.h"
#include "mqtt_client.h"
#include "wifi.h"

static const char *TAG = "mqtt";

static esp_mqtt_client_handle_t client;
static bool client_started;
/* Shared between the node's task and the MQTT task. */
static atomic_bool connected;
static atomic_int pending_msg_id = -1;
static atomic_int acked_msg_id = -1;
static char topic_frames[64];
static char topic_status[64];
static char topic_commands[64];

/* Reports the PUBACK of the frame in flight once, whether it came before or after
 * mqtt_send recorded the message id. */
static void confirm(int msg_id)
{
    int expected = msg_id;
    if (atomic_compare_exchange_strong(&pending_msg_id, &expected, -1)) {
        app_post(APP_DELIVERED);
    }
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    const esp_mqtt_event_handle_t event = data;
    switch ((esp_mqtt_event_id_t)id) {
    case MQTT_EVENT_CONNECTED:
        connected = true;
        esp_mqtt_client_subscribe(event->client, topic_commands, 1);
        app_post(APP_LINK_UP);
        break;
    case MQTT_EVENT_DISCONNECTED:
        app_post(connected ? APP_LINK_DOWN : APP_CONNECT_FAILED);
        connected = false;
        break;
    case MQTT_EVENT_PUBLISHED:
        atomic_store(&acked_msg_id, event->msg_id);
        confirm(event->msg_id);
        break;
    case MQTT_EVENT_DATA:
        /* Commands fit in one buffer; a fragmented message is no command. */
        if (event->topic_len == (int)strlen(topic_commands) &&
            memcmp(event->topic, topic_commands, (size_t)event->topic_len) == 0 &&
            event->current_data_offset == 0 && event->data_len == event->total_data_len) {
            app_post_command((const uint8_t *)event->data, (size_t)event->data_len);
        }
        break;
    case MQTT_EVENT_ERROR:
        ESP_LOGW(TAG, "MQTT error (type %d)", event->error_handle->error_type);
        break;
    default:
        break;
    }
}

static esp_err_t mqtt_start(const identity *me)
{
    snprintf(topic_frames, sizeof topic_frames, "intelledger/v1/%s/frames", me->device_id);
    snprintf(topic_status, sizeof topic_status, "intelledger/v1/%s/status", me->device_id);
    snprintf(topic_commands, sizeof topic_commands, "intelledger/v1/%s/commands", me->device_id);
    const esp_mqtt_client_config_t config = {
        .broker.address.uri = me->mqtt_uri,
        /* Provisioned with a CA: the broker's certificate must chain to it (DER), host name checked. */
        .broker.verification.certificate = (const char *)me->mqtt_ca_der,
        .broker.verification.certificate_len = me->mqtt_ca_der_len,
        .credentials.client_id = me->device_id,
        /* The broker knows a device by its id (the gateway's logins, the documented Mosquitto
         * ACL intelledger/v1/%u/...), so a password without a user name logs in as the id. */
        .credentials.username = me->mqtt_username != NULL ? me->mqtt_username : (me->mqtt_password != NULL ? me->device_id : NULL),
        .credentials.authentication.password = me->mqtt_password,
        /* The broker keeps commands for a node that is away. */
        .session.disable_clean_session = true,
        .session.keepalive = 15,
        /* Reconnection follows the state machine's back-off, with jitter. */
        .network.disable_auto_reconnect = true,
        .network.timeout_ms = 5000,
    };
    client = esp_mqtt_client_init(&config);
    if (client == NULL) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = esp_mqtt_client_register_event(client, ESP_EVENT_ANY_ID, on_event, NULL);
    return err == ESP_OK ? wifi_start(me->wifi_ssid, me->wifi_password) : err;
}

static void mqtt_connect(edge_device_state state)
{
    if (state == EDGE_STATE_CONNECT_WIFI) {
        wifi_connect();
        return;
    }
    const esp_err_t err = client_started ? esp_mqtt_client_reconnect(client) : esp_mqtt_client_start(client);
    client_started = client_started || err == ESP_OK;
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "cannot connect: %s", esp_err_to_name(err));
        app_post(APP_CONNECT_FAILED);
    }
}

static edge_send_result mqtt_send(edge_topic topic, const uint8_t *bytes, size_t len)
{
    if (!connected) {
        return EDGE_SEND_FAILED;
    }
    const char *name = topic == EDGE_TOPIC_FRAMES ? topic_frames : topic_status;
    const int msg_id = esp_mqtt_client_publish(client, name, (const char *)bytes, (int)len, 1, 0);
    if (msg_id < 0) {
        return EDGE_SEND_FAILED;
    }
    atomic_store(&pending_msg_id, msg_id);
    if (atomic_load(&acked_msg_id) == msg_id) {
        confirm(msg_id);
    }
    return EDGE_SEND_PENDING;
}

const link_ops MQTT_LINK = {
    .name = "mqtt",
    .start = mqtt_start,
    .connect = mqtt_connect,
    .send = mqtt_send,
};
