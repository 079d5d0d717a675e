#include "broker.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>

bool broker_start(process *broker, const char *dir, const char *config_format, ...)
{
    char config[256];
    snprintf(config, sizeof config, "%s/mosquitto.conf", dir);
    FILE *file = fopen(config, "w");
    if (file == NULL) {
        return false;
    }
    va_list args;
    va_start(args, config_format);
    vfprintf(file, config_format, args);
    va_end(args);
    fclose(file);
    char *argv[] = {MOSQUITTO_BINARY, "-c", config, NULL};
    return process_spawn(broker, argv, false);
}

struct mosquitto *gateway_connect(int port, const char *topic, gateway_message_fn on_message)
{
    struct mosquitto *client = mosquitto_new("gateway-stand-in", true, NULL);
    if (client == NULL) {
        return NULL;
    }
    mosquitto_message_callback_set(client, on_message);
    const long long deadline = now_ms() + 5000;
    while (mosquitto_connect(client, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) {
        if (now_ms() > deadline) {
            mosquitto_destroy(client);
            return NULL;
        }
        poll(NULL, 0, 50);
    }
    if (mosquitto_subscribe(client, NULL, topic, 1) != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(client);
        return NULL;
    }
    return client;
}

void gateway_run(struct mosquitto *gateway, int duration_ms)
{
    const long long deadline = now_ms() + duration_ms;
    while (now_ms() < deadline) {
        mosquitto_loop(gateway, 50, 1);
    }
}
