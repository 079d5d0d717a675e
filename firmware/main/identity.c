#include "identity.h"

#include <stdio.h>
#include <string.h>

#include "edge/frame.h"
#include "edge/provision.h"
#include "edge/status.h"
#include "esp_log.h"
#include "platform.h"
#include "sdkconfig.h"

static const char *TAG = "identity";
/* The record the settings point into. */
static edge_provisioning record;
static char mqtt_uri[128];

static bool parse_hex(const char *text, uint8_t *out, size_t len)
{
    if (strlen(text) != 2 * len) {
        return false;
    }
    for (size_t i = 0; i < 2 * len; i++) {
        const char c = text[i];
        const int nibble = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                                 : -1;
        if (nibble < 0) {
            return false;
        }
        out[i / 2] = (uint8_t)(i % 2 == 0 ? nibble << 4 : out[i / 2] | nibble);
    }
    return true;
}

int identity_device_key(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES])
{
    const edge_storage *storage = ctx;
    size_t len = 0;
    int rc = storage->read(storage->ctx, EDGE_KEY_DEVICE_KEY, private_key, EDGE_PRIVATE_KEY_BYTES, &len);
    if (rc == EDGE_ERR_NOT_FOUND) {
        ESP_LOGI(TAG, "no device key yet: drawing one");
        const edge_rng rng = platform_rng();
        rc = edge_key_generate(&rng, private_key);
        if (rc == EDGE_OK) {
            rc = storage->write(storage->ctx, EDGE_KEY_DEVICE_KEY, private_key, EDGE_PRIVATE_KEY_BYTES);
        }
    } else if (rc == EDGE_OK && len != EDGE_PRIVATE_KEY_BYTES) {
        rc = EDGE_ERR_STORAGE;
    }
    return rc;
}

static void from_record(identity *id)
{
    const edge_provision_request *r = &record.request;
    id->provisioned = true;
    id->configured = true;
    strlcpy(id->device_id, r->device_id, sizeof id->device_id);
    id->has_gateway_key = true;
    memcpy(id->gateway_key, r->gateway_command_key.bytes, sizeof id->gateway_key);
    id->interval_ms = r->sampling_interval_ms;
    switch (r->which_link) {
    case intelledger_device_v1_ProvisionRequest_serial_tag:
        id->mode = EDGE_LINK_SERIAL;
        return;
    case intelledger_device_v1_ProvisionRequest_ble_tag:
        id->mode = EDGE_LINK_BLE;
        return;
    default:
        break;
    }
    const intelledger_device_v1_WifiMqttLinkSettings *w = &r->link.wifi_mqtt;
    id->mode = EDGE_LINK_MQTT;
    id->wifi_ssid = w->wifi_ssid;
    id->wifi_password = w->wifi_password;
    snprintf(mqtt_uri, sizeof mqtt_uri, "%s://%s:%u", w->mqtt_ca_certificate.size > 0 ? "mqtts" : "mqtt", w->mqtt_host,
             (unsigned)w->mqtt_port);
    id->mqtt_uri = mqtt_uri;
    id->mqtt_username = w->mqtt_username[0] != '\0' ? w->mqtt_username : NULL;
    id->mqtt_password = w->mqtt_password[0] != '\0' ? w->mqtt_password : NULL;
    id->mqtt_ca_der = w->mqtt_ca_certificate.size > 0 ? w->mqtt_ca_certificate.bytes : NULL;
    id->mqtt_ca_der_len = w->mqtt_ca_certificate.size;
}

/* A development build's settings: menuconfig's. */
static void from_menuconfig(identity *id)
{
    strlcpy(id->device_id, CONFIG_EDGE_DEVICE_ID, sizeof id->device_id);
    id->configured = id->device_id[0] != '\0';
    id->has_gateway_key = parse_hex(CONFIG_EDGE_GATEWAY_KEY, id->gateway_key, sizeof id->gateway_key);
    id->interval_ms = CONFIG_EDGE_SAMPLING_INTERVAL_MS;
#if CONFIG_EDGE_TRANSPORT_SERIAL
    id->mode = EDGE_LINK_SERIAL;
#elif CONFIG_EDGE_TRANSPORT_BLE
    id->mode = EDGE_LINK_BLE;
#else
    id->mode = EDGE_LINK_MQTT;
#endif
    id->wifi_ssid = CONFIG_EDGE_WIFI_SSID;
    id->wifi_password = CONFIG_EDGE_WIFI_PASSWORD;
    id->mqtt_uri = CONFIG_EDGE_MQTT_URL;
    id->mqtt_username = CONFIG_EDGE_MQTT_USERNAME[0] != '\0' ? CONFIG_EDGE_MQTT_USERNAME : NULL;
    id->mqtt_password = CONFIG_EDGE_MQTT_PASSWORD[0] != '\0' ? CONFIG_EDGE_MQTT_PASSWORD : NULL;
}

esp_err_t identity_load(const edge_storage *storage, const edge_rng *rng, identity *id)
{
    memset(id, 0, sizeof *id);
    const int rc = edge_provisioning_load(storage, &record);
    if (rc == EDGE_OK) {
        from_record(id);
    } else if (rc == EDGE_ERR_NOT_FOUND || rc == EDGE_ERR_DECODE) {
        from_menuconfig(id);
    } else {
        ESP_LOGE(TAG, "the provisioning in NVS is unreadable");
        return ESP_FAIL;
    }
    if (!id->configured) {
        return ESP_OK;
    }
    if (!edge_device_id_valid(id->device_id)) {
        ESP_LOGE(TAG, "device id \"%s\" is not 1 to 31 characters of A-Z a-z 0-9 . _ -", id->device_id);
        return ESP_ERR_INVALID_ARG;
    }
    if (identity_device_key((void *)storage, id->device_key) != EDGE_OK ||
        edge_key_public(id->device_key, rng, id->public_key) != EDGE_OK) {
        return ESP_FAIL;
    }
    if (id->has_gateway_key && !edge_public_key_valid(id->gateway_key)) {
        ESP_LOGE(TAG, "the gateway key is no P-256 point: commands will be refused");
        id->has_gateway_key = false;
    } else if (!id->has_gateway_key) {
        ESP_LOGW(TAG, "no gateway key: commands will be refused");
    }
    char hex[2 * EDGE_PUBLIC_KEY_BYTES + 1];
    for (size_t i = 0; i < EDGE_PUBLIC_KEY_BYTES; i++) {
        static const char DIGITS[] = "0123456789abcdef";
        hex[2 * i] = DIGITS[id->public_key[i] >> 4];
        hex[2 * i + 1] = DIGITS[id->public_key[i] & 0x0f];
    }
    hex[sizeof hex - 1] = '\0';
    /* The public point is what the gateway registers; the private key never leaves NVS. */
    ESP_LOGI(TAG, "device %s (%s), public key %s", id->device_id, id->provisioned ? "provisioned" : "menuconfig", hex);
    return ESP_OK;
}
