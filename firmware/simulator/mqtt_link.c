#include "mqtt_link.h"

#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEEPALIVE_S 15

enum { TOPIC_FRAMES, TOPIC_STATUS, TOPIC_COMMANDS };

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mqtt_link_library_init(void)
{
    mosquitto_lib_init();
}

void mqtt_link_library_cleanup(void)
{
    mosquitto_lib_cleanup();
}

static bool parse_url(mqtt_link *link, const char *url)
{
    const char *rest;
    if (strncmp(url, "mqtt://", 7) == 0) {
        rest = url + 7;
        link->tls = false;
        link->port = 1883;
    } else if (strncmp(url, "mqtts://", 8) == 0) {
        rest = url + 8;
        link->tls = true;
        link->port = 8883;
    } else {
        return false;
    }
    const char *colon = strrchr(rest, ':');
    const char *slash = strchr(rest, '/');
    const size_t host_len = colon != NULL ? (size_t)(colon - rest) : slash != NULL ? (size_t)(slash - rest) : strlen(rest);
    if (host_len == 0 || host_len >= sizeof link->host) {
        return false;
    }
    memcpy(link->host, rest, host_len);
    link->host[host_len] = '\0';
    if (colon != NULL) {
        char *end;
        const long port = strtol(colon + 1, &end, 10);
        if (port <= 0 || port > 65535 || (*end != '\0' && *end != '/')) {
            return false;
        }
        link->port = (int)port;
    }
    return true;
}

bool mqtt_link_init(mqtt_link *link, const mqtt_settings *settings, const char *device_id,
                    const link_events *events)
{
    memset(link, 0, sizeof *link);
    link->settings = *settings;
    link->events = events;
    link->pending_mid = -1;
    if (!parse_url(link, settings->url)) {
        fprintf(stderr, "--mqtt wants mqtt://host[:port] or mqtts://host[:port], got %s\n", settings->url);
        return false;
    }
    if (link->tls && settings->cafile == NULL) {
        fprintf(stderr, "mqtts:// needs --mqtt-cafile\n");
        return false;
    }
    snprintf(link->client_id, sizeof link->client_id, "%s", device_id);
    /* A password without a user name logs in as the device id: the gateway's broker and the
     * documented Mosquitto ACL know a device by it. */
    if (link->settings.username == NULL && link->settings.password != NULL) {
        link->settings.username = link->client_id;
    }
    snprintf(link->topics[TOPIC_FRAMES], sizeof link->topics[0], "intelledger/v1/%s/frames", device_id);
    snprintf(link->topics[TOPIC_STATUS], sizeof link->topics[0], "intelledger/v1/%s/status", device_id);
    snprintf(link->topics[TOPIC_COMMANDS], sizeof link->topics[0], "intelledger/v1/%s/commands", device_id);
    return true;
}

static void on_connect(struct mosquitto *client, void *ctx, int rc)
{
    mqtt_link *link = ctx;
    if (rc != 0) {
        link->lost = true;
        link->refusal = mosquitto_connack_string(rc);
        return;
    }
    mosquitto_subscribe(client, NULL, link->topics[TOPIC_COMMANDS], 1);
    link->connected = true;
    link_events_report(link->events, (link_event){.kind = LINK_EVENT_UP});
}

static void on_disconnect(struct mosquitto *client, void *ctx, int rc)
{
    (void)client;
    (void)rc;
    mqtt_link *link = ctx;
    link->lost = true;
}

static void on_publish(struct mosquitto *client, void *ctx, int mid)
{
    (void)client;
    mqtt_link *link = ctx;
    if (mid == link->pending_mid) {
        link->pending_mid = -1;
        link_events_report(link->events, (link_event){.kind = LINK_EVENT_DELIVERED});
    }
}

static void on_message(struct mosquitto *client, void *ctx, const struct mosquitto_message *message)
{
    (void)client;
    mqtt_link *link = ctx;
    if (strcmp(message->topic, link->topics[TOPIC_COMMANDS]) == 0) {
        link_events_report(link->events, (link_event){.kind = LINK_EVENT_COMMAND,
                                                      .bytes = message->payload,
                                                      .len = (size_t)message->payloadlen});
    }
}

static void destroy(mqtt_link *link)
{
    if (link->client != NULL) {
        mosquitto_destroy(link->client);
        link->client = NULL;
    }
    link->connected = false;
    link->lost = false;
    link->refusal = NULL;
    link->pending_mid = -1;
}

static bool configure(mqtt_link *link, const char **failure)
{
    const mqtt_settings *s = &link->settings;
    mosquitto_int_option(link->client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (s->username != NULL && mosquitto_username_pw_set(link->client, s->username, s->password) != MOSQ_ERR_SUCCESS) {
        *failure = "credentials refused by the client library";
        return false;
    }
    if (link->tls) {
        if (mosquitto_tls_set(link->client, s->cafile, NULL, s->cert, s->key, NULL) != MOSQ_ERR_SUCCESS) {
            *failure = "TLS files unusable";
            return false;
        }
        mosquitto_tls_insecure_set(link->client, s->insecure);
    }
    mosquitto_connect_callback_set(link->client, on_connect);
    mosquitto_disconnect_callback_set(link->client, on_disconnect);
    mosquitto_publish_callback_set(link->client, on_publish);
    mosquitto_message_callback_set(link->client, on_message);
    return true;
}

void mqtt_link_connect(mqtt_link *link)
{
    if (link->client != NULL && !link->lost) {
        return;
    }
    destroy(link);
    const char *failure = NULL;
    link->client = mosquitto_new(link->client_id, false, link);
    if (link->client == NULL) {
        failure = "out of memory";
    } else if (configure(link, &failure)) {
        link->connect_started_ms = monotonic_ms();
        const int rc = mosquitto_connect(link->client, link->host, link->port, KEEPALIVE_S);
        if (rc != MOSQ_ERR_SUCCESS) {
            failure = mosquitto_strerror(rc);
        }
    }
    if (failure != NULL) {
        destroy(link);
        link_events_report(link->events, (link_event){.kind = LINK_EVENT_CONNECT_FAILED, .reason = failure});
    }
}

void mqtt_link_poll(mqtt_link *link, int timeout_ms)
{
    if (link->client == NULL) {
        poll(NULL, 0, timeout_ms);
        return;
    }
    const int rc = mosquitto_loop(link->client, timeout_ms, 1);
    /* A broker that accepted the connection but never answers is as good as none. */
    const bool timed_out =
        !link->connected && !link->lost && monotonic_ms() - link->connect_started_ms > (long long)link->settings.timeout_ms;
    if (!link->lost && !timed_out && rc == MOSQ_ERR_SUCCESS) {
        return;
    }
    const bool was_connected = link->connected;
    const char *reason = link->refusal != NULL ? link->refusal
                         : timed_out           ? "no answer from the broker"
                         : rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc)
                                                  : "disconnected";
    destroy(link);
    if (was_connected) {
        link_events_report(link->events, (link_event){.kind = LINK_EVENT_DOWN, .reason = reason});
    } else {
        link_events_report(link->events, (link_event){.kind = LINK_EVENT_CONNECT_FAILED, .reason = reason});
    }
}

edge_send_result mqtt_link_send(mqtt_link *link, edge_topic topic, const uint8_t *bytes, size_t len)
{
    if (!link->connected) {
        return EDGE_SEND_FAILED;
    }
    int mid = 0;
    const char *name = link->topics[topic == EDGE_TOPIC_FRAMES ? TOPIC_FRAMES : TOPIC_STATUS];
    if (mosquitto_publish(link->client, &mid, name, (int)len, bytes, 1, false) != MOSQ_ERR_SUCCESS) {
        link->lost = true;
        return EDGE_SEND_FAILED;
    }
    link->pending_mid = mid;
    return EDGE_SEND_PENDING;
}

void mqtt_link_close(mqtt_link *link)
{
    if (link->client != NULL && link->connected) {
        mosquitto_disconnect(link->client);
        mosquitto_loop(link->client, 100, 1);
    }
    destroy(link);
}
