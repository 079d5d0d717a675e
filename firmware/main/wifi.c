#include "wifi.h"

#include <string.h>

#include "app_queue.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_wifi.h"
#include "sdkconfig.h"

static const char *TAG = "wifi";
static bool started;
static bool has_address;
static bool sntp_started;

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)data;
    if (base == WIFI_EVENT && id == WIFI_EVENT_STA_START) {
        started = true;
        esp_wifi_connect();
    } else if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
        app_post(has_address ? APP_NETWORK_DOWN : APP_CONNECT_FAILED);
        has_address = false;
    } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        has_address = true;
        if (!sntp_started) {
            esp_sntp_config_t config = ESP_NETIF_SNTP_DEFAULT_CONFIG(CONFIG_EDGE_SNTP_SERVER);
            sntp_started = esp_netif_sntp_init(&config) == ESP_OK;
        }
        app_post(APP_NETWORK_UP);
    }
}

esp_err_t wifi_start(const char *ssid, const char *password)
{
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    esp_netif_create_default_wifi_sta();
    const wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    esp_err_t err = esp_wifi_init(&init);
    if (err == ESP_OK) {
        err = esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL, NULL);
    }
    if (err == ESP_OK) {
        err = esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL, NULL);
    }
    wifi_config_t config = {0};
    strlcpy((char *)config.sta.ssid, ssid, sizeof config.sta.ssid);
    strlcpy((char *)config.sta.password, password, sizeof config.sta.password);
    /* No password: an open network; else nothing weaker than WPA2. */
    config.sta.threshold.authmode = password[0] == '\0' ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
    if (err == ESP_OK) {
        err = esp_wifi_set_mode(WIFI_MODE_STA);
    }
    if (err == ESP_OK) {
        err = esp_wifi_set_config(WIFI_IF_STA, &config);
    }
    if (err == ESP_OK) {
        /* Modem sleep between beacons: the radio wakes for DTIM and for our traffic. */
        err = esp_wifi_set_ps(WIFI_PS_MIN_MODEM);
    }
    return err;
}

void wifi_connect(void)
{
    if (!started) {
        const esp_err_t err = esp_wifi_start();
        if (err != ESP_OK) {
            ESP_LOGW(TAG, "cannot start Wi-Fi: %s", esp_err_to_name(err));
            app_post(APP_CONNECT_FAILED);
        }
        return;
    }
    if (has_address) {
        app_post(APP_NETWORK_UP);
        return;
    }
    const esp_err_t err = esp_wifi_connect();
    if (err != ESP_OK && err != ESP_ERR_WIFI_CONN) {
        app_post(APP_CONNECT_FAILED);
    }
}

int32_t wifi_rssi(void)
{
    wifi_ap_record_t ap;
    return has_address && esp_wifi_sta_get_ap_info(&ap) == ESP_OK ? ap.rssi : 0;
}
