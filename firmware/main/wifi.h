#ifndef WIFI_H
#define WIFI_H

#include <stdint.h>

#include "esp_err.h"

/* Wi-Fi station for the MQTT transport: reports APP_NETWORK_UP once it has an address (and
 * starts SNTP for the device clock), APP_NETWORK_DOWN or APP_CONNECT_FAILED when it loses or
 * fails to join the network. Reconnection is the state machine's, not the driver's. */
esp_err_t wifi_start(const char *ssid, const char *password);
void wifi_connect(void);
int32_t wifi_rssi(void);

#endif
