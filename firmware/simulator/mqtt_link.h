#ifndef SIM_MQTT_LINK_H
#define SIM_MQTT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/node.h"
#include "link_events.h"

struct mosquitto;

typedef struct {
    const char *url;
    const char *username;
    const char *password;
    const char *cafile;
    const char *cert;
    const char *key;
    bool insecure;
    /* How long a connection may wait for the broker's CONNACK. */
    uint32_t timeout_ms;
} mqtt_settings;

/* An MQTT session with libmosquitto: frames and status at QoS 1 on
 * intelledger/v1/<id>/frames and /status, commands from /commands. A persistent session
 * (clean session off, the device id as client id) lets the broker keep commands for a device
 * that is away. A fresh client is made for every connection, so a frame is re-sent by the
 * device alone (byte for byte, see edge/node.h), never also by the library. */
typedef struct {
    mqtt_settings settings;
    char host[256];
    int port;
    bool tls;
    char client_id[32];
    char topics[3][64];
    struct mosquitto *client;
    bool connected;
    bool lost;
    /* Why the broker refused the connection, if it did. */
    const char *refusal;
    long long connect_started_ms;
    int pending_mid;
    const link_events *events;
} mqtt_link;

/* Checks the URL and prepares the topics; false with a message on stderr. */
bool mqtt_link_init(mqtt_link *link, const mqtt_settings *settings, const char *device_id,
                    const link_events *events);

/* Starts a connection; the outcome arrives as up or connect_failed. */
void mqtt_link_connect(mqtt_link *link);

void mqtt_link_poll(mqtt_link *link, int timeout_ms);

/* Publishes at QoS 1; delivered follows the PUBACK. */
edge_send_result mqtt_link_send(mqtt_link *link, edge_topic topic, const uint8_t *bytes, size_t len);

void mqtt_link_close(mqtt_link *link);

/* Once for the process. */
void mqtt_link_library_init(void);
void mqtt_link_library_cleanup(void);

#endif
