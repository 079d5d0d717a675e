#include "link.h"
#include "mqtt_link.h"

#include "sdkconfig.h"

#if CONFIG_EDGE_TRANSPORT_MQTT

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
static char device_id_copy[32];
/* "mqtt://" or "mqtts://", a host of up to 64 characters, ":" and a port. */
static char broker_uri[8 + 64 + 7];
static mqtt_link_settings provisioned;

static const char *or_default(const char *value, const char *fallback)
{
    return value != NULL && value[0] != '\0' ? value : fallback;
}

void mqtt_link_configure(const mqtt_link_settings *settings)
{
    provisioned = *settings;
}

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

static esp_err_t mqtt_start(const char *device_id)
{
    snprintf(device_id_copy, sizeof device_id_copy, "%s", device_id);
    snprintf(topic_frames, sizeof topic_frames, "intelledger/v1/%s/frames", device_id);
    snprintf(topic_status, sizeof topic_status, "intelledger/v1/%s/status", device_id);
    snprintf(topic_commands, sizeof topic_commands, "intelledger/v1/%s/commands", device_id);
    const bool tls = provisioned.ca_certificate_der_len > 0;
    if (provisioned.host != NULL && provisioned.host[0] != '\0') {
        snprintf(broker_uri, sizeof broker_uri, "%s://%s:%u", tls ? "mqtts" : "mqtt", provisioned.host,
                 (unsigned)provisioned.port);
    } else {
        snprintf(broker_uri, sizeof broker_uri, "%s", CONFIG_EDGE_MQTT_URL);
    }
    const char *password = or_default(provisioned.password, CONFIG_EDGE_MQTT_PASSWORD);
    /* The broker knows the device by its id: the user name the gateway's logins and the
     * documented Mosquitto ACL (intelledger/v1/%u/...) expect. */
    const char *username = or_default(provisioned.username, or_default(CONFIG_EDGE_MQTT_USERNAME, device_id_copy));
    const esp_mqtt_client_config_t config = {
        .broker.address.uri = broker_uri,
        .broker.verification.certificate = tls ? (const char *)provisioned.ca_certificate_der : NULL,
        .broker.verification.certificate_len = tls ? provisioned.ca_certificate_der_len : 0,
        .credentials.client_id = device_id_copy,
        .credentials.username = password[0] != '\0' ? username : NULL,
        .credentials.authentication.password = password[0] != '\0' ? password : NULL,
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
    return err == ESP_OK ? wifi_start() : err;
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
    .rssi = wifi_rssi,
    .linked_at_start = false,
};

#endif
