#include "identity.h"

#include <string.h>

#include "edge/frame.h"
#include "edge/status.h"
#include "esp_log.h"
#include "sdkconfig.h"

#define KEY_DEVICE_ID "device_id"
#define KEY_GATEWAY_KEY "gateway_key"

static const char *TAG = "identity";

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

static esp_err_t load_device_id(const edge_storage *storage, identity *id)
{
    size_t len = 0;
    const int rc = storage->read(storage->ctx, KEY_DEVICE_ID, id->device_id, sizeof id->device_id - 1, &len);
    if (rc == EDGE_OK) {
        id->device_id[len] = '\0';
    } else {
        strlcpy(id->device_id, CONFIG_EDGE_DEVICE_ID, sizeof id->device_id);
    }
    if (!edge_device_id_valid(id->device_id)) {
        ESP_LOGE(TAG, "device id \"%s\" is not 1 to 31 characters of A-Z a-z 0-9 . _ -", id->device_id);
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

static esp_err_t load_device_key(const edge_storage *storage, const edge_rng *rng, identity *id)
{
    size_t len = 0;
    int rc = storage->read(storage->ctx, EDGE_KEY_DEVICE_KEY, id->device_key, sizeof id->device_key, &len);
    if (rc == EDGE_ERR_NOT_FOUND) {
        ESP_LOGI(TAG, "no device key yet: drawing one");
        rc = edge_key_generate(rng, id->device_key);
        if (rc == EDGE_OK) {
            rc = storage->write(storage->ctx, EDGE_KEY_DEVICE_KEY, id->device_key, sizeof id->device_key);
        }
    } else if (rc == EDGE_OK && len != sizeof id->device_key) {
        rc = EDGE_ERR_STORAGE;
    }
    if (rc == EDGE_OK) {
        rc = edge_key_public(id->device_key, rng, id->public_key);
    }
    return rc == EDGE_OK ? ESP_OK : ESP_FAIL;
}

static void load_gateway_key(const edge_storage *storage, identity *id)
{
    size_t len = 0;
    const int rc = storage->read(storage->ctx, KEY_GATEWAY_KEY, id->gateway_key, sizeof id->gateway_key, &len);
    id->has_gateway_key = rc == EDGE_OK ? len == sizeof id->gateway_key
                                        : parse_hex(CONFIG_EDGE_GATEWAY_KEY, id->gateway_key, sizeof id->gateway_key);
    if (id->has_gateway_key && !edge_public_key_valid(id->gateway_key)) {
        ESP_LOGE(TAG, "the gateway key is no P-256 point: commands will be refused");
        id->has_gateway_key = false;
    } else if (!id->has_gateway_key) {
        ESP_LOGW(TAG, "no gateway key provisioned: commands will be refused");
    }
}

esp_err_t identity_load(const edge_storage *storage, const edge_rng *rng, identity *id)
{
    esp_err_t err = load_device_id(storage, id);
    if (err == ESP_OK) {
        err = load_device_key(storage, rng, id);
    }
    if (err != ESP_OK) {
        return err;
    }
    load_gateway_key(storage, id);
    char hex[2 * EDGE_PUBLIC_KEY_BYTES + 1];
    for (size_t i = 0; i < EDGE_PUBLIC_KEY_BYTES; i++) {
        static const char DIGITS[] = "0123456789abcdef";
        hex[2 * i] = DIGITS[id->public_key[i] >> 4];
        hex[2 * i + 1] = DIGITS[id->public_key[i] & 0x0f];
    }
    hex[sizeof hex - 1] = '\0';
    /* The public point is what the gateway registers; the private key never leaves NVS. */
    ESP_LOGI(TAG, "device %s, public key %s", id->device_id, hex);
    return ESP_OK;
}
