/* edge-device-sim: an ESP32 sensor node simulated on the host with the firmware core. The
 * core (edge_node) runs the state machine, ring buffer, counter, signing and commands, and
 * answers USB provisioning; this file gives it a clock, simulated sensors, a transport and
 * timers, and prints what happens as JSON lines. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ble_radio_link.h"
#include "edge/command.h"
#include "edge/link_message.h"
#include "edge/names.h"
#include "edge/node.h"
#include "edge/provision.h"
#include "edge/status.h"
#include "file_storage.h"
#include "hex.h"
#include "json_out.h"
#include "key_file.h"
#include "mqtt_link.h"
#include "options.h"
#include "os_rng.h"
#include "pem_file.h"
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
    /* The node's transport; and the serial line when it carries nothing but provisioning. */
    link_events events;
    link_events usb_events;
    serial_link serial;
    mqtt_link mqtt;
    ble_radio_link ble;

    /* What the device runs as: its provisioning record when it has one, else the options. */
    bool provisioned;
    sim_transport transport;
    char device_id[32];
    mqtt_settings mqtt_settings;
    char mqtt_url[128];
    char mqtt_username[65];
    char mqtt_password[129];
    char mqtt_cafile[4200];
    /* The stored provisioning at boot, and the workspace of provisioning answers. */
    edge_provisioning provisioning;
    uint8_t provision_answer[EDGE_PROVISION_ANSWER_MAX_BYTES];
    uint64_t window_until_ms;

    uint64_t started_ms;
    uint64_t deadline_ms[EDGE_TIMER_COUNT];
    uint64_t frames_delivered;
    /* Link events before the node started are known to it through linked_at_start. */
    bool node_started;
    /* A reboot command took effect, or provisioning stored new settings. */
    const char *restart_reason;
} simulator;

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t button_pressed;

static void on_signal(int signal)
{
    stop_signal = signal;
}

/* SIGUSR1 stands for the provisioning button. */
static void on_button(int signal)
{
    (void)signal;
    button_pressed = 1;
}

static uint64_t clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *transport_name(sim_transport transport)
{
    static const char *const NAMES[] = {
        [SIM_TRANSPORT_SERIAL] = "serial",
        [SIM_TRANSPORT_MQTT] = "mqtt",
        [SIM_TRANSPORT_BLE] = "ble",
    };
    return EDGE_NAME(NAMES, transport, "none");
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
    if (sim->transport == SIM_TRANSPORT_MQTT) {
        return mqtt_link_send(&sim->mqtt, topic, bytes, len);
    }
    /* Serial and BLE: the SignedFrame in a DeviceMessage, answered by a FrameAck. */
    uint8_t message[EDGE_DEVICE_MESSAGE_MAX_BYTES];
    const size_t message_len = edge_device_message_frame(bytes, len, message, sizeof message);
    const bool sent = message_len > 0 && (sim->transport == SIM_TRANSPORT_SERIAL
                                              ? serial_link_send(&sim->serial, message, message_len)
                                              : ble_radio_link_send(&sim->ble, message, message_len));
    return sent ? EDGE_SEND_PENDING : EDGE_SEND_FAILED;
}

static void sim_connect(void *ctx, edge_device_state state)
{
    simulator *sim = ctx;
    if (state == EDGE_STATE_CONNECT_WIFI) {
        /* The host's network stands in for Wi-Fi: always joined. */
        edge_node_network(&sim->node, true);
    } else if (state == EDGE_STATE_CONNECT_MQTT) {
        mqtt_link_connect(&sim->mqtt);
    } else if (sim->transport == SIM_TRANSPORT_BLE) {
        /* A central connects when it will; until then the device advertises and buffers. */
        if (ble_radio_link_is_connected(&sim->ble)) {
            edge_node_link(&sim->node, true);
        }
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
    *rssi_dbm = sim->transport == SIM_TRANSPORT_MQTT ? -55 - (int32_t)(sim_uniform(&sim->sensors) * 10) : 0;
}

static void sim_reboot(void *ctx)
{
    ((simulator *)ctx)->restart_reason = "command";
}

/* The JSON event each report kind prints as. */
static const char *report_event_name(edge_report_kind kind)
{
    static const char *const NAMES[] = {
        [EDGE_REPORT_STATE] = "state",
        [EDGE_REPORT_FRAME] = "frame_sent",
        [EDGE_REPORT_FRAME_REFUSED] = "frame_refused",
        [EDGE_REPORT_FRAME_DEFERRED] = "frame_deferred",
        [EDGE_REPORT_FRAME_RESENT] = "frame_resent",
        [EDGE_REPORT_COMMAND] = "command",
        [EDGE_REPORT_COMMAND_MALFORMED] = "command_malformed",
        [EDGE_REPORT_ALARM] = "alarm",
        [EDGE_REPORT_ERROR] = "error",
    };
    return EDGE_NAME(NAMES, kind, "report");
}

/* The fields of a frame the gateway took, refused or deferred. */
static void print_frame(const simulator *sim, const edge_report *r)
{
    json_u64("counter", r->counter);
    json_str("topic", r->topic == EDGE_TOPIC_FRAMES ? "frames" : "status");
    json_u64("samples", r->samples);
    json_u64("buffered", edge_node_buffered(&sim->node));
    if (r->kind != EDGE_REPORT_FRAME) {
        json_str("reason", edge_frame_refusal_name(r->refusal));
    }
    if (r->kind == EDGE_REPORT_FRAME_DEFERRED) {
        json_u64("retryAfterMs", r->retry_after_ms);
    }
}

static void sim_report(void *ctx, const edge_report *r)
{
    simulator *sim = ctx;
    if (r->kind == EDGE_REPORT_STATE && !sim->options.log_states) {
        return;
    }
    json_begin(report_event_name(r->kind));
    switch (r->kind) {
    case EDGE_REPORT_STATE:
        json_str("state", edge_state_name(r->state));
        break;
    case EDGE_REPORT_FRAME:
        sim->frames_delivered += r->topic == EDGE_TOPIC_FRAMES;
        print_frame(sim, r);
        break;
    case EDGE_REPORT_FRAME_REFUSED:
    case EDGE_REPORT_FRAME_DEFERRED:
        print_frame(sim, r);
        break;
    case EDGE_REPORT_FRAME_RESENT:
        json_u64("counter", r->counter);
        break;
    case EDGE_REPORT_COMMAND:
        json_u64("commandId", r->command_id);
        json_str("action", r->action);
        json_str("result", edge_command_result_name(r->result));
        json_u64("intervalMs", edge_node_interval_ms(&sim->node));
        break;
    case EDGE_REPORT_COMMAND_MALFORMED:
        break;
    case EDGE_REPORT_ALARM:
        json_bool("active", r->active);
        if (r->sample != NULL) {
            json_str("channel", sim_channel_name(r->sample->channel));
            json_u64("index", r->sample->index);
            json_i64("value", r->sample->value);
            json_u64("scale", r->sample->scale);
        }
        break;
    case EDGE_REPORT_ERROR:
        json_str("message", r->what);
        json_i64("code", r->error);
        break;
    }
    json_end();
}

/* Provisioning, answered on the serial line whatever the device's transport. */

static int sim_device_key(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES])
{
    simulator *sim = ctx;
    bool created;
    return key_file_load(sim->options.key_file, &sim->rng, private_key, &created) ? EDGE_OK : EDGE_ERR_STORAGE;
}

static void provision(simulator *sim, const uint8_t *request, size_t len)
{
    const edge_provisioner provisioner = {.storage = &sim->storage.storage,
                                          .rng = &sim->rng,
                                          .firmware_version = FIRMWARE_VERSION,
                                          .device_key = sim_device_key,
                                          .ctx = sim};
    const bool window_open = clock_ms(CLOCK_MONOTONIC) < sim->window_until_ms;
    size_t answer_len = 0;
    edge_provision_outcome outcome;
    if (edge_provision_answer(&provisioner, window_open, request, len, &sim->provisioning, sim->provision_answer,
                              sizeof sim->provision_answer, &answer_len, &outcome) != EDGE_OK) {
        return;
    }
    const bool answered = serial_link_send(&sim->serial, sim->provision_answer, answer_len);
    json_begin("provisioning");
    json_str("result", edge_provision_result_name(outcome.result));
    if (outcome.result == EDGE_PROVISION_PROVISIONED) {
        json_str("deviceId", sim->provisioning.request.device_id);
    }
    if (outcome.detail != NULL) {
        json_str("detail", outcome.detail);
    }
    json_bool("answered", answered);
    json_end();
    if (outcome.restart) {
        sim->window_until_ms = 0;
        sim->restart_reason = "provisioned";
    }
}

/* A packet from the serial line or BLE; from_node_link: the node's own transport sent it. */
static void dispatch(simulator *sim, const uint8_t *bytes, size_t len, bool from_node_link, bool from_usb)
{
    edge_gateway_message message;
    if (edge_gateway_message_parse(bytes, len, &message) != EDGE_OK) {
        json_begin("message_malformed");
        json_u64("bytes", len);
        json_end();
        return;
    }
    switch (message.kind) {
    case EDGE_GATEWAY_PROVISION_REQUEST:
        if (from_usb) {
            provision(sim, message.body, message.body_len);
        }
        break;
    case EDGE_GATEWAY_SIGNED_COMMAND:
        if (from_node_link && sim->node_started) {
            edge_node_command(&sim->node, message.body, message.body_len);
        }
        break;
    case EDGE_GATEWAY_FRAME_ACK:
        if (from_node_link && sim->node_started) {
            edge_node_frame_ack(&sim->node, &message.ack);
        }
        break;
    }
}

/* Transport events. */

/* Prints what happened to the link, on which transport, and why when there is a reason. */
static void print_link_event(const simulator *sim, const char *event, const char *reason)
{
    json_begin(event);
    json_str("transport", transport_name(sim->transport));
    if (reason != NULL) {
        json_str("reason", reason);
    }
    json_end();
}

/* Bytes that did not form a packet, on the node's serial line or the one for provisioning. */
static void print_dropped(const char *error, size_t len)
{
    json_begin("packet_dropped");
    json_str("error", error);
    json_u64("bytes", len);
    json_end();
}

static void on_link_event(void *ctx, const link_event *e)
{
    simulator *sim = ctx;
    switch (e->kind) {
    case LINK_EVENT_UP:
    case LINK_EVENT_DOWN:
        print_link_event(sim, e->kind == LINK_EVENT_UP ? "link_up" : "link_down", e->reason);
        if (sim->node_started) {
            edge_node_link(&sim->node, e->kind == LINK_EVENT_UP);
        }
        break;
    case LINK_EVENT_CONNECT_FAILED:
        print_link_event(sim, "connect_failed", e->reason);
        edge_node_connect_failed(&sim->node);
        break;
    case LINK_EVENT_COMMAND:
        edge_node_command(&sim->node, e->bytes, e->len);
        break;
    case LINK_EVENT_MESSAGE:
        dispatch(sim, e->bytes, e->len, true, sim->transport == SIM_TRANSPORT_SERIAL);
        break;
    case LINK_EVENT_DELIVERED:
        edge_node_delivered(&sim->node);
        break;
    case LINK_EVENT_DROPPED:
        print_dropped(e->reason, e->len);
        break;
    }
}

/* The serial line while it carries nothing but provisioning: its packets are requests. */
static void on_usb_event(void *ctx, const link_event *e)
{
    if (e->kind == LINK_EVENT_MESSAGE) {
        dispatch(ctx, e->bytes, e->len, false, true);
    } else if (e->kind == LINK_EVENT_DROPPED) {
        print_dropped(e->reason, e->len);
    }
}

static int print_public_key(simulator *sim)
{
    uint8_t private_key[EDGE_PRIVATE_KEY_BYTES];
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    bool created;
    if (!key_file_load(sim->options.key_file, &sim->rng, private_key, &created) ||
        edge_key_public(private_key, &sim->rng, public_key) != EDGE_OK) {
        return 1;
    }
    char text[2 * sizeof public_key + 1];
    hex_encode(public_key, sizeof public_key, text);
    puts(text);
    return 0;
}

static bool configure(simulator *sim)
{
    const sim_options *o = &sim->options;
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
    c->firmware_version = FIRMWARE_VERSION;
    c->status_interval_ms = o->status_interval_ms;
    c->retry_base_ms = o->retry_base_ms;
    c->retry_max_ms = o->retry_max_ms;
    c->counter_block = o->counter_block;
    c->ring_slots = sim->ring;
    c->ring_capacity = o->ring_capacity;
    c->storage = &sim->storage.storage;
    c->rng = &sim->rng;
    c->platform = &sim->platform;
    sim->events = (link_events){.ctx = sim, .report = on_link_event};
    sim->usb_events = (link_events){.ctx = sim, .report = on_usb_event};
    serial_link_init(&sim->serial, o->serial_path, &sim->usb_events);
    return true;
}

/* Identity and transport from the provisioning record (see provisioning.proto). */
static bool identity_from_record(simulator *sim)
{
    const edge_provision_request *r = &sim->provisioning.request;
    const sim_options *o = &sim->options;
    snprintf(sim->device_id, sizeof sim->device_id, "%s", r->device_id);
    sim->config.has_gateway_key = true;
    memcpy(sim->config.gateway_key, r->gateway_command_key.bytes, EDGE_PUBLIC_KEY_BYTES);
    sim->config.default_interval_ms = r->sampling_interval_ms;
    switch (r->which_link) {
    case intelledger_device_v1_ProvisionRequest_serial_tag:
        sim->transport = SIM_TRANSPORT_SERIAL;
        return true;
    case intelledger_device_v1_ProvisionRequest_ble_tag:
        sim->transport = SIM_TRANSPORT_BLE;
        if (o->ble_radio_dir == NULL) {
            fprintf(stderr, "provisioned for BLE: give --ble-radio DIR\n");
        }
        return o->ble_radio_dir != NULL;
    default:
        break;
    }
    const intelledger_device_v1_WifiMqttLinkSettings *w = &r->link.wifi_mqtt;
    const bool tls = w->mqtt_ca_certificate.size > 0;
    sim->transport = SIM_TRANSPORT_MQTT;
    sim->mqtt_settings = o->mqtt;
    snprintf(sim->mqtt_url, sizeof sim->mqtt_url, "%s://%s:%u", tls ? "mqtts" : "mqtt", w->mqtt_host,
             (unsigned)w->mqtt_port);
    snprintf(sim->mqtt_username, sizeof sim->mqtt_username, "%s", w->mqtt_username);
    snprintf(sim->mqtt_password, sizeof sim->mqtt_password, "%s", w->mqtt_password);
    sim->mqtt_settings.url = sim->mqtt_url;
    sim->mqtt_settings.username = sim->mqtt_username[0] != '\0' ? sim->mqtt_username : NULL;
    sim->mqtt_settings.password = sim->mqtt_password[0] != '\0' ? sim->mqtt_password : NULL;
    sim->mqtt_settings.cafile = NULL;
    if (tls) {
        snprintf(sim->mqtt_cafile, sizeof sim->mqtt_cafile, "%.4000s/mqtt-ca.pem", o->state_dir);
        sim->mqtt_settings.cafile = sim->mqtt_cafile;
        return pem_file_write_certificate(sim->mqtt_cafile, w->mqtt_ca_certificate.bytes, w->mqtt_ca_certificate.size);
    }
    return true;
}

/* What the device runs as; false when it cannot run (the reason on stderr). */
static bool load_identity(simulator *sim)
{
    const sim_options *o = &sim->options;
    const int rc = edge_provisioning_load(&sim->storage.storage, &sim->provisioning);
    sim->provisioned = rc == EDGE_OK;
    if (sim->provisioned) {
        return identity_from_record(sim);
    }
    if (rc != EDGE_ERR_NOT_FOUND && rc != EDGE_ERR_DECODE) {
        fprintf(stderr, "cannot read the provisioning in %s\n", o->state_dir);
        return false;
    }
    snprintf(sim->device_id, sizeof sim->device_id, "%s", o->device_id != NULL ? o->device_id : "");
    sim->transport = o->transport;
    sim->mqtt_settings = o->mqtt;
    sim->config.has_gateway_key = o->has_gateway_key;
    memcpy(sim->config.gateway_key, o->gateway_key, sizeof sim->config.gateway_key);
    sim->config.default_interval_ms = o->interval_ms;
    return true;
}

static bool start_transport(simulator *sim)
{
    const sim_options *o = &sim->options;
    sim->config.linked_at_start = false;
    if (o->serial_path != NULL) {
        const bool frames_on_serial = sim->transport == SIM_TRANSPORT_SERIAL;
        serial_link_init(&sim->serial, o->serial_path, frames_on_serial ? &sim->events : &sim->usb_events);
        sim->config.linked_at_start = serial_link_open(&sim->serial) && frames_on_serial;
    }
    switch (sim->transport) {
    case SIM_TRANSPORT_MQTT:
        return mqtt_link_init(&sim->mqtt, &sim->mqtt_settings, sim->device_id, &sim->events);
    case SIM_TRANSPORT_BLE:
        return ble_radio_link_start(&sim->ble, o->ble_radio_dir, sim->device_id, (uint16_t)o->ble_mtu, &sim->events);
    default:
        return true;
    }
}

/* Powers the simulated device on: what is in its state folder survives, RAM does not. */
static bool boot(simulator *sim)
{
    sim->started_ms = clock_ms(CLOCK_MONOTONIC);
    memset(sim->deadline_ms, 0, sizeof sim->deadline_ms);
    sim->node_started = false;
    if (!load_identity(sim)) {
        return false;
    }
    if (sim->device_id[0] == '\0') {
        /* Never provisioned and nothing on the command line: wait on the serial line. */
        serial_link_init(&sim->serial, sim->options.serial_path, &sim->usb_events);
        serial_link_open(&sim->serial);
        json_begin("awaiting_provisioning");
        json_str("port", sim->options.serial_path);
        json_str("stateDir", sim->options.state_dir);
        json_str("firmwareVersion", FIRMWARE_VERSION);
        json_end();
        return true;
    }
    bool created = false;
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    if (!key_file_load(sim->options.key_file, &sim->rng, sim->config.device_key, &created) ||
        edge_key_public(sim->config.device_key, &sim->rng, public_key) != EDGE_OK) {
        fprintf(stderr, "the device key in %s is unusable\n", sim->options.key_file);
        return false;
    }
    json_begin("started");
    json_str("deviceId", sim->device_id);
    json_hex("publicKey", public_key, sizeof public_key);
    json_str("transport", transport_name(sim->transport));
    json_str("target", sim->transport == SIM_TRANSPORT_MQTT  ? sim->mqtt_settings.url
                       : sim->transport == SIM_TRANSPORT_BLE ? sim->options.ble_radio_dir
                                                             : sim->options.serial_path);
    json_str("firmwareVersion", FIRMWARE_VERSION);
    json_str("stateDir", sim->options.state_dir);
    json_bool("commandsEnabled", sim->config.has_gateway_key);
    json_bool("provisioned", sim->provisioned);
    json_end();
    if (!start_transport(sim)) {
        return false;
    }
    edge_node_config *c = &sim->config;
    c->device_id = sim->device_id;
    c->mode = sim->transport == SIM_TRANSPORT_MQTT   ? EDGE_LINK_MQTT
              : sim->transport == SIM_TRANSPORT_BLE ? EDGE_LINK_BLE
                                                    : EDGE_LINK_SERIAL;
    c->answer_timeout_ms = sim->transport == SIM_TRANSPORT_MQTT ? 0 : sim->options.answer_timeout_ms;
    const int rc = edge_node_start(&sim->node, c);
    sim->node_started = rc == EDGE_OK;
    if (rc != EDGE_OK) {
        fprintf(stderr, "cannot start the device (state in %s unreadable): %d\n", sim->options.state_dir, rc);
        return false;
    }
    return true;
}

static void stop_links(simulator *sim, const char *reason)
{
    sim->node_started = false;
    serial_link_close(&sim->serial, reason);
    if (sim->transport == SIM_TRANSPORT_MQTT) {
        mqtt_link_close(&sim->mqtt);
    } else if (sim->transport == SIM_TRANSPORT_BLE) {
        ble_radio_link_stop(&sim->ble);
    }
}

static void restart(simulator *sim)
{
    json_begin("reboot");
    json_str("reason", sim->restart_reason);
    json_end();
    stop_links(sim, "reboot");
    sim->restart_reason = NULL;
}

static int wait_ms(const simulator *sim)
{
    const uint64_t now = clock_ms(CLOCK_MONOTONIC);
    uint64_t wait = MAX_WAIT_MS;
    for (int t = 0; t < EDGE_TIMER_COUNT; t++) {
        if (sim->deadline_ms[t] != 0) {
            const uint64_t until = sim->deadline_ms[t] > now ? sim->deadline_ms[t] - now : 0;
            wait = until < wait ? until : wait;
        }
    }
    return (int)wait;
}

static void fire_timers(simulator *sim)
{
    for (int t = 0; t < EDGE_TIMER_COUNT; t++) {
        if (sim->node_started && sim->deadline_ms[t] != 0 && sim->deadline_ms[t] <= clock_ms(CLOCK_MONOTONIC)) {
            sim->deadline_ms[t] = 0;
            edge_node_timer(&sim->node, (edge_timer)t);
        }
    }
}

static void press_button(simulator *sim)
{
    button_pressed = 0;
    sim->window_until_ms = clock_ms(CLOCK_MONOTONIC) + sim->options.provision_window_ms;
    json_begin("provisioning_window");
    json_bool("open", true);
    json_u64("ms", sim->options.provision_window_ms);
    json_end();
}

/* The serial line besides the node's transport: provisioning only, reopened when it returns. */
static void poll_usb(simulator *sim, int timeout_ms)
{
    if (!serial_link_is_open(&sim->serial)) {
        serial_link_open(&sim->serial);
    }
    serial_link_poll(&sim->serial, timeout_ms);
}

static const char *run(simulator *sim)
{
    while (stop_signal == 0) {
        if (button_pressed) {
            press_button(sim);
        }
        if (sim->restart_reason != NULL) {
            restart(sim);
            if (!boot(sim)) {
                return "boot failed";
            }
        }
        const bool usb = sim->options.serial_path != NULL;
        if (!sim->node_started) {
            poll_usb(sim, MAX_WAIT_MS);
            continue;
        }
        switch (sim->transport) {
        case SIM_TRANSPORT_MQTT:
            if (usb) {
                poll_usb(sim, 0);
            }
            mqtt_link_poll(&sim->mqtt, wait_ms(sim));
            break;
        case SIM_TRANSPORT_BLE:
            if (usb) {
                poll_usb(sim, 0);
            }
            ble_radio_link_poll(&sim->ble, wait_ms(sim));
            break;
        default:
            serial_link_poll(&sim->serial, wait_ms(sim));
            break;
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
    if (file_storage_open(&sim.storage, sim.options.state_dir) != EDGE_OK) {
        fprintf(stderr, "cannot create %s\n", sim.options.state_dir);
        return 1;
    }
    if (sim.options.print_public_key) {
        return print_public_key(&sim);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_button);
    signal(SIGPIPE, SIG_IGN);
    mqtt_link_library_init();
    if (!configure(&sim) || !boot(&sim)) {
        mqtt_link_library_cleanup();
        return 1;
    }
    const char *reason = run(&sim);
    const bool started = sim.node_started;
    stop_links(&sim, "stopped");
    json_begin("stopped");
    json_str("reason", reason);
    json_u64("framesDelivered", sim.frames_delivered);
    if (started) {
        json_u64("nextCounter", edge_node_next_counter(&sim.node));
    }
    json_end();
    free(sim.ring);
    mqtt_link_library_cleanup();
    return strcmp(reason, "boot failed") == 0 ? 1 : 0;
}
