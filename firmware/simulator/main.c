/* edge-device-sim: an ESP32 sensor node simulated on the host with the firmware core. The
 * core (edge_node) runs the state machine, ring buffer, counter, signing and commands; this
 * file gives it a clock, simulated sensors, a transport and timers, and prints what happens
 * as JSON lines. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edge/command.h"
#include "edge/node.h"
#include "edge/status.h"
#include "file_storage.h"
#include "json_out.h"
#include "key_file.h"
#include "mqtt_link.h"
#include "options.h"
#include "os_rng.h"
#include "sensors.h"
#include "serial_link.h"

#define FIRMWARE_VERSION "sim-1.0.0"
/* Longest wait between looking at timers and the stop flag. */
#define MAX_WAIT_MS 250

typedef struct {
    sim_options options;
    sim_sensors sensors;
    file_storage storage;
    edge_rng rng;
    edge_platform platform;
    edge_node_config config;
    edge_node node;
    edge_sample *ring;
    link_events events;
    serial_link serial;
    mqtt_link mqtt;
    uint64_t started_ms;
    uint64_t deadline_ms[2];
    uint64_t frames_delivered;
    /* Link events before the node started are known to it through linked_at_start. */
    bool node_started;
    bool reboot_requested;
} simulator;

static volatile sig_atomic_t stop_signal;

static void on_signal(int signal)
{
    stop_signal = signal;
}

static uint64_t clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *transport_name(const simulator *sim)
{
    return sim->options.transport == SIM_TRANSPORT_SERIAL ? "serial" : "mqtt";
}

/* Platform hooks of the node. */

static uint64_t sim_epoch_ms(void *ctx)
{
    (void)ctx;
    return clock_ms(CLOCK_REALTIME);
}

static uint32_t sim_uptime_ms(void *ctx)
{
    const simulator *sim = ctx;
    return (uint32_t)(clock_ms(CLOCK_MONOTONIC) - sim->started_ms);
}

static size_t sim_read_sensors(void *ctx, edge_sample *out, size_t cap)
{
    simulator *sim = ctx;
    const double run_s = (double)sim_uptime_ms(sim) / 1000.0;
    return sim_sensors_read(&sim->sensors, sim_epoch_ms(sim), run_s, out, cap);
}

static edge_send_result sim_send(void *ctx, edge_topic topic, const uint8_t *bytes, size_t len)
{
    simulator *sim = ctx;
    if (sim->options.transport == SIM_TRANSPORT_SERIAL) {
        return serial_link_send(&sim->serial, bytes, len) ? EDGE_SEND_DELIVERED : EDGE_SEND_FAILED;
    }
    return mqtt_link_send(&sim->mqtt, topic, bytes, len);
}

static void sim_connect(void *ctx, edge_device_state state)
{
    simulator *sim = ctx;
    if (state == EDGE_STATE_CONNECT_WIFI) {
        /* The host's network stands in for Wi-Fi: always joined. */
        edge_node_network(&sim->node, true);
    } else if (state == EDGE_STATE_CONNECT_MQTT) {
        mqtt_link_connect(&sim->mqtt);
    } else if (serial_link_is_open(&sim->serial)) {
        edge_node_link(&sim->node, true);
    } else {
        serial_link_open(&sim->serial);
    }
}

static void sim_set_timer(void *ctx, edge_timer timer, uint32_t delay_ms)
{
    simulator *sim = ctx;
    sim->deadline_ms[timer] = clock_ms(CLOCK_MONOTONIC) + delay_ms;
}

static void sim_health(void *ctx, uint32_t *free_heap_bytes, int32_t *rssi_dbm)
{
    simulator *sim = ctx;
    *free_heap_bytes = 180000u - (uint32_t)(edge_node_buffered(&sim->node) * sizeof(edge_sample) % 100000u);
    *rssi_dbm = sim->options.transport == SIM_TRANSPORT_MQTT ? -55 - (int32_t)(sim_uniform(&sim->sensors) * 10) : 0;
}

static void sim_reboot(void *ctx)
{
    ((simulator *)ctx)->reboot_requested = true;
}

static void report_frame(simulator *sim, const edge_report *r)
{
    if (r->topic == EDGE_TOPIC_FRAMES) {
        sim->frames_delivered++;
    }
    json_begin("frame_sent");
    json_u64("counter", r->counter);
    json_str("topic", r->topic == EDGE_TOPIC_FRAMES ? "frames" : "status");
    json_u64("samples", r->samples);
    json_u64("buffered", edge_node_buffered(&sim->node));
    json_end();
}

static void sim_report(void *ctx, const edge_report *r)
{
    simulator *sim = ctx;
    switch (r->kind) {
    case EDGE_REPORT_STATE:
        if (sim->options.log_states) {
            json_begin("state");
            json_str("state", edge_state_name(r->state));
            json_end();
        }
        break;
    case EDGE_REPORT_FRAME:
        report_frame(sim, r);
        break;
    case EDGE_REPORT_COMMAND:
        json_begin("command");
        json_u64("commandId", r->command_id);
        json_str("action", r->action);
        json_str("result", edge_command_result_name(r->result));
        json_u64("intervalMs", edge_node_interval_ms(&sim->node));
        json_end();
        break;
    case EDGE_REPORT_COMMAND_MALFORMED:
        json_begin("command_malformed");
        json_end();
        break;
    case EDGE_REPORT_ALARM:
        json_begin("alarm");
        json_bool("active", r->active);
        if (r->sample != NULL) {
            json_str("channel", sim_channel_name(r->sample->channel));
            json_u64("index", r->sample->index);
            json_i64("value", r->sample->value);
            json_u64("scale", r->sample->scale);
        }
        json_end();
        break;
    case EDGE_REPORT_ERROR:
        json_begin("error");
        json_str("message", r->what);
        json_i64("code", r->error);
        json_end();
        break;
    }
}

/* Transport events. */

static void link_up(void *ctx)
{
    simulator *sim = ctx;
    json_begin("link_up");
    json_str("transport", transport_name(sim));
    json_end();
    if (sim->node_started) {
        edge_node_link(&sim->node, true);
    }
}

static void link_down(void *ctx, const char *reason)
{
    simulator *sim = ctx;
    json_begin("link_down");
    json_str("transport", transport_name(sim));
    json_str("reason", reason);
    json_end();
    if (sim->node_started) {
        edge_node_link(&sim->node, false);
    }
}

static void link_connect_failed(void *ctx, const char *reason)
{
    simulator *sim = ctx;
    json_begin("connect_failed");
    json_str("transport", transport_name(sim));
    json_str("reason", reason);
    json_end();
    edge_node_connect_failed(&sim->node);
}

static void link_command(void *ctx, const uint8_t *bytes, size_t len)
{
    simulator *sim = ctx;
    edge_node_command(&sim->node, bytes, len);
}

static void link_delivered(void *ctx)
{
    simulator *sim = ctx;
    edge_node_delivered(&sim->node);
}

static void link_dropped(void *ctx, const char *error, size_t len)
{
    (void)ctx;
    json_begin("packet_dropped");
    json_str("error", error);
    json_u64("bytes", len);
    json_end();
}

static int print_public_key(simulator *sim)
{
    uint8_t private_key[EDGE_PRIVATE_KEY_BYTES];
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    bool created;
    if (file_storage_open(&sim->storage, sim->options.state_dir) != EDGE_OK) {
        fprintf(stderr, "cannot create %s\n", sim->options.state_dir);
        return 1;
    }
    if (!key_file_load(sim->options.key_file, &sim->rng, private_key, &created) ||
        edge_key_public(private_key, &sim->rng, public_key) != EDGE_OK) {
        return 1;
    }
    for (size_t i = 0; i < sizeof public_key; i++) {
        printf("%02x", public_key[i]);
    }
    printf("\n");
    return 0;
}

static bool configure(simulator *sim)
{
    const sim_options *o = &sim->options;
    bool created = false;
    if (file_storage_open(&sim->storage, o->state_dir) != EDGE_OK) {
        fprintf(stderr, "cannot create %s\n", o->state_dir);
        return false;
    }
    if (!key_file_load(o->key_file, &sim->rng, sim->config.device_key, &created)) {
        return false;
    }
    sim->ring = calloc(o->ring_capacity, sizeof *sim->ring);
    if (sim->ring == NULL) {
        fprintf(stderr, "no memory for %u readings\n", o->ring_capacity);
        return false;
    }
    sim->platform = (edge_platform){.ctx = sim,
                                    .epoch_ms = sim_epoch_ms,
                                    .uptime_ms = sim_uptime_ms,
                                    .read_sensors = sim_read_sensors,
                                    .send = sim_send,
                                    .connect = sim_connect,
                                    .set_timer = sim_set_timer,
                                    .health = sim_health,
                                    .reboot = sim_reboot,
                                    .report = sim_report};
    edge_node_config *c = &sim->config;
    c->device_id = o->device_id;
    c->firmware_version = FIRMWARE_VERSION;
    c->mode = o->transport == SIM_TRANSPORT_SERIAL ? EDGE_LINK_SERIAL : EDGE_LINK_MQTT;
    c->has_gateway_key = o->has_gateway_key;
    memcpy(c->gateway_key, o->gateway_key, sizeof c->gateway_key);
    c->default_interval_ms = o->interval_ms;
    c->status_interval_ms = o->status_interval_ms;
    c->retry_base_ms = o->retry_base_ms;
    c->retry_max_ms = o->retry_max_ms;
    c->counter_block = o->counter_block;
    c->ring_slots = sim->ring;
    c->ring_capacity = o->ring_capacity;
    c->storage = &sim->storage.storage;
    c->rng = &sim->rng;
    c->platform = &sim->platform;

    sim->events = (link_events){.ctx = sim,
                                .up = link_up,
                                .down = link_down,
                                .connect_failed = link_connect_failed,
                                .command = link_command,
                                .delivered = link_delivered,
                                .dropped = link_dropped};
    if (o->transport == SIM_TRANSPORT_SERIAL) {
        serial_link_init(&sim->serial, o->serial_path, &sim->events);
        return true;
    }
    return mqtt_link_init(&sim->mqtt, &o->mqtt, o->device_id, &sim->events);
}

/* Powers the simulated device on: what is in its state folder survives, RAM does not. */
static bool boot(simulator *sim)
{
    sim->started_ms = clock_ms(CLOCK_MONOTONIC);
    sim->deadline_ms[EDGE_TIMER_SAMPLE] = 0;
    sim->deadline_ms[EDGE_TIMER_RETRY] = 0;
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    if (edge_key_public(sim->config.device_key, &sim->rng, public_key) != EDGE_OK) {
        fprintf(stderr, "the device key is unusable\n");
        return false;
    }
    json_begin("started");
    json_str("deviceId", sim->options.device_id);
    json_hex("publicKey", public_key, sizeof public_key);
    json_str("transport", transport_name(sim));
    json_str("target", sim->options.transport == SIM_TRANSPORT_SERIAL ? sim->options.serial_path
                                                                      : sim->options.mqtt.url);
    json_str("firmwareVersion", FIRMWARE_VERSION);
    json_str("stateDir", sim->options.state_dir);
    json_bool("commandsEnabled", sim->options.has_gateway_key);
    json_end();
    sim->config.linked_at_start = false;
    if (sim->options.transport == SIM_TRANSPORT_SERIAL) {
        sim->config.linked_at_start = serial_link_open(&sim->serial);
    }
    const int rc = edge_node_start(&sim->node, &sim->config);
    sim->node_started = rc == EDGE_OK;
    if (rc != EDGE_OK) {
        fprintf(stderr, "cannot start the device (state in %s unreadable): %d\n", sim->options.state_dir, rc);
        return false;
    }
    return true;
}

static void reboot(simulator *sim)
{
    json_begin("reboot");
    json_end();
    sim->node_started = false;
    if (sim->options.transport == SIM_TRANSPORT_SERIAL) {
        serial_link_close(&sim->serial, "reboot");
    } else {
        mqtt_link_close(&sim->mqtt);
    }
    sim->reboot_requested = false;
}

static int wait_ms(const simulator *sim)
{
    const uint64_t now = clock_ms(CLOCK_MONOTONIC);
    uint64_t wait = MAX_WAIT_MS;
    for (int t = 0; t < 2; t++) {
        if (sim->deadline_ms[t] != 0) {
            const uint64_t until = sim->deadline_ms[t] > now ? sim->deadline_ms[t] - now : 0;
            wait = until < wait ? until : wait;
        }
    }
    return (int)wait;
}

static void fire_timers(simulator *sim)
{
    for (int t = 0; t < 2; t++) {
        if (sim->deadline_ms[t] != 0 && sim->deadline_ms[t] <= clock_ms(CLOCK_MONOTONIC)) {
            sim->deadline_ms[t] = 0;
            edge_node_timer(&sim->node, (edge_timer)t);
        }
    }
}

static const char *run(simulator *sim)
{
    while (stop_signal == 0) {
        if (sim->reboot_requested) {
            reboot(sim);
            if (!boot(sim)) {
                return "boot failed";
            }
        }
        if (sim->options.transport == SIM_TRANSPORT_SERIAL) {
            serial_link_poll(&sim->serial, wait_ms(sim));
        } else {
            mqtt_link_poll(&sim->mqtt, wait_ms(sim));
        }
        fire_timers(sim);
        if (sim->options.frames != 0 && sim->frames_delivered >= sim->options.frames) {
            return "frames";
        }
    }
    return "signal";
}

int main(int argc, char **argv)
{
    static simulator sim;
    switch (sim_options_parse(&sim.options, &sim.sensors, argc, argv)) {
    case SIM_OPTIONS_EXIT_OK:
        return 0;
    case SIM_OPTIONS_EXIT_USAGE:
        return 2;
    case SIM_OPTIONS_RUN:
        break;
    }
    sim.rng = os_rng();
    if (sim.options.print_public_key) {
        return print_public_key(&sim);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    mqtt_link_library_init();
    if (!configure(&sim) || !boot(&sim)) {
        mqtt_link_library_cleanup();
        return 1;
    }
    const char *reason = run(&sim);
    sim.node_started = false;
    if (sim.options.transport == SIM_TRANSPORT_SERIAL) {
        serial_link_close(&sim.serial, "stopped");
    } else {
        mqtt_link_close(&sim.mqtt);
    }
    json_begin("stopped");
    json_str("reason", reason);
    json_u64("framesDelivered", sim.frames_delivered);
    json_u64("nextCounter", edge_node_next_counter(&sim.node));
    json_end();
    free(sim.ring);
    mqtt_link_library_cleanup();
    return strcmp(reason, "boot failed") == 0 ? 1 : 0;
}
