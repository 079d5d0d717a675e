#ifndef LINK_H
#define LINK_H

#include <stdint.h>

#include "edge/node.h"
#include "esp_err.h"
#include "identity.h"
#include "sdkconfig.h"

/* A transport to the gateway. Links report through app_queue (APP_LINK_UP, APP_COMMAND,
 * APP_FRAME_ACK...). */
typedef struct {
    const char *name;
    esp_err_t (*start)(const identity *me);
    /* The work of CONNECT_WIFI, CONNECT_MQTT or of another attempt in RETRY. */
    void (*connect)(edge_device_state state);
    edge_send_result (*send)(edge_topic topic, const uint8_t *bytes, size_t len);
} link_ops;

extern const link_ops MQTT_LINK;
extern const link_ops SERIAL_LINK;
#if CONFIG_BT_NIMBLE_ENABLED
extern const link_ops BLE_LINK;
#endif

#endif
