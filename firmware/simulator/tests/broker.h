#ifndef SIM_TEST_BROKER_H
#define SIM_TEST_BROKER_H

#include <mosquitto.h>
#include <stdbool.h>

#include "process.h"

/* Debian's Mosquitto for the end-to-end tests, and the gateway stand-in subscribed to it. */

/* Writes the configuration (a printf format) to dir/mosquitto.conf and starts mosquitto with it. */
bool broker_start(process *broker, const char *dir, const char *config_format, ...)
    __attribute__((format(printf, 3, 4)));

typedef void (*gateway_message_fn)(struct mosquitto *client, void *ctx, const struct mosquitto_message *message);

/* A client on 127.0.0.1:port subscribed to topic at QoS 1, passing what arrives to on_message;
 * NULL when the broker does not take the connection within 5 s or refuses the subscription. */
struct mosquitto *gateway_connect(int port, const char *topic, gateway_message_fn on_message);

/* Runs the client's network loop, delivering messages, for duration_ms. */
void gateway_run(struct mosquitto *gateway, int duration_ms);

#endif
