#include "nvs_storage.h"

#include "edge/status.h"
#include "nvs.h"
#include "nvs_flash.h"

#define NAMESPACE "edge"

static nvs_handle_t handle;

static int nvs_read(void *ctx, const char *key, void *buf, size_t cap, size_t *len)
{
    (void)ctx;
    size_t size = cap;
    const esp_err_t err = nvs_get_blob(handle, key, buf, &size);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        return EDGE_ERR_NOT_FOUND;
    }
    if (err != ESP_OK) {
        return EDGE_ERR_STORAGE;
    }
    *len = size;
    return EDGE_OK;
}

static int nvs_write(void *ctx, const char *key, const void *buf, size_t len)
{
    (void)ctx;
    esp_err_t err = len == 0 ? nvs_erase_key(handle, key) : nvs_set_blob(handle, key, buf, len);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        err = ESP_OK;
    }
    if (err == ESP_OK) {
        err = nvs_commit(handle);
    }
    return err == ESP_OK ? EDGE_OK : EDGE_ERR_STORAGE;
}

esp_err_t nvs_storage_open(edge_storage *storage)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        /* The partition is unusable as it is; the device starts over (new key, counter). */
        err = nvs_flash_erase();
        if (err == ESP_OK) {
            err = nvs_flash_init();
        }
    }
    if (err == ESP_OK) {
        err = nvs_open(NAMESPACE, NVS_READWRITE, &handle);
    }
    storage->ctx = NULL;
    storage->read = nvs_read;
    storage->write = nvs_write;
    return err;
}
