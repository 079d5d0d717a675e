#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/frame.h"
#include "edge/settings.h"
#include "hex.h"
#include "key_file.h"
#include "os_rng.h"

static const char USAGE[] =
    "usage: edge-device-sim --device-id ID (--serial PATH | --mqtt URL | --ble-radio DIR) [options]\n"
    "       edge-device-sim --state-dir DIR --serial PATH --provision [options]\n"
    "       edge-device-sim --device-id ID --print-public-key [--key-file PATH | --state-dir DIR]\n"
    "\n"
    "A simulated ESP32 sensor node built from the firmware core: it signs frames with its P-256\n"
    "key, sends them over a serial line or MQTT, buffers readings while the link is down and\n"
    "obeys signed commands. Prints one JSON object per line on stdout. A provisioning record in\n"
    "its state folder (written by USB provisioning on --serial) takes precedence over the identity\n"
    "and transport options.\n"
    "\n"
    "identity and state\n"
    "  --device-id ID           1 to 31 characters of A-Z a-z 0-9 . _ -\n"
    "  --state-dir DIR          frame counter, settings, last command id (default device-state/ID)\n"
    "  --key-file PATH          device private key, hex; created when missing (default STATE_DIR/device.key)\n"
    "  --print-public-key       print the 65-byte public point in hex and exit\n"
    "  --gateway-key HEX        the gateway's command key (65-byte point); without it commands are refused\n"
    "  --gateway-key-file PATH  the same, read from a file\n"
    "provisioning\n"
    "  --provision              without a provisioning record, wait for one on --serial (no --device-id\n"
    "                           needed); the device id, gateway key, interval and transport come from it\n"
    "  --provision-window-ms N  how long SIGUSR1 (the provisioning button) lets a provisioned device be\n"
    "                           provisioned again (default 300000)\n"
    "transport\n"
    "  --serial PATH            a serial device or pty (e.g. one end of a socat pair)\n"
    "  --mqtt URL               mqtt://host[:port] or mqtts://host[:port]\n"
    "  --mqtt-username NAME     default the device id when a password is given\n"
    "  --mqtt-password SECRET   the token the gateway issued (or EDGE_MQTT_PASSWORD)\n"
    "  --mqtt-cafile PATH       CA certificates for mqtts://\n"
    "  --mqtt-cert PATH         client certificate (with --mqtt-key) for mutual TLS\n"
    "  --mqtt-key PATH\n"
    "  --mqtt-insecure          do not check the broker's host name\n"
    "  --mqtt-timeout-ms N      how long to wait for the broker to accept a connection (default 5000)\n"
    "  --ble-radio DIR          BLE over the simulated radio: advertise as DIR/ID.sock for a central\n"
    "  --ble-mtu N              the ATT MTU the device offers (23 to 517, default 185)\n"
    "  --answer-timeout-ms N    serial and BLE: send a frame again when the gateway has not answered it\n"
    "                           within N ms (default 5000)\n"
    "sensors\n"
    "  --channels LIST          temperature,humidity,vibration,analog,analog1... (default the first three)\n"
    "  --fault SPEC             KIND:CHANNEL[:key=value,...], repeatable; KIND spike, drift, offset,\n"
    "                           stuck, dropout, noise; CHANNEL a channel or all; keys p (probability),\n"
    "                           magnitude, rate (per hour), factor, after, for (seconds, or s/m/h suffix)\n"
    "  --seed N                 noise seed, for reproducible readings (default random)\n"
    "behaviour\n"
    "  --interval-ms N          sampling interval until a command changes it (default 1000)\n"
    "  --status-interval-ms N   status frames besides those on connecting (default 60000, 0 never)\n"
    "  --retry-base-ms N        first reconnection back-off (default 500)\n"
    "  --retry-max-ms N         longest reconnection back-off (default 10000)\n"
    "  --ring-capacity N        readings kept while the link is down (default 4096)\n"
    "  --counter-block N        frame counters reserved per state write (default 16)\n"
    "  --frames N               exit after N frames of readings were delivered (default never)\n"
    "  --log-states             also print every state change\n"
    "  --help\n";

enum {
    OPT_DEVICE_ID = 256,
    OPT_STATE_DIR,
    OPT_KEY_FILE,
    OPT_PRINT_PUBLIC_KEY,
    OPT_GATEWAY_KEY,
    OPT_GATEWAY_KEY_FILE,
    OPT_SERIAL,
    OPT_MQTT,
    OPT_MQTT_USERNAME,
    OPT_MQTT_PASSWORD,
    OPT_MQTT_CAFILE,
    OPT_MQTT_CERT,
    OPT_MQTT_KEY,
    OPT_MQTT_INSECURE,
    OPT_MQTT_TIMEOUT,
    OPT_BLE_RADIO,
    OPT_BLE_MTU,
    OPT_PROVISION,
    OPT_PROVISION_WINDOW,
    OPT_ANSWER_TIMEOUT,
    OPT_CHANNELS,
    OPT_FAULT,
    OPT_SEED,
    OPT_INTERVAL,
    OPT_STATUS_INTERVAL,
    OPT_RETRY_BASE,
    OPT_RETRY_MAX,
    OPT_RING,
    OPT_COUNTER_BLOCK,
    OPT_FRAMES,
    OPT_LOG_STATES,
    OPT_HELP,
};

static const struct option LONG_OPTIONS[] = {
    {"device-id", required_argument, NULL, OPT_DEVICE_ID},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"print-public-key", no_argument, NULL, OPT_PRINT_PUBLIC_KEY},
    {"gateway-key", required_argument, NULL, OPT_GATEWAY_KEY},
    {"gateway-key-file", required_argument, NULL, OPT_GATEWAY_KEY_FILE},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"mqtt", required_argument, NULL, OPT_MQTT},
    {"mqtt-username", required_argument, NULL, OPT_MQTT_USERNAME},
    {"mqtt-password", required_argument, NULL, OPT_MQTT_PASSWORD},
    {"mqtt-cafile", required_argument, NULL, OPT_MQTT_CAFILE},
    {"mqtt-cert", required_argument, NULL, OPT_MQTT_CERT},
    {"mqtt-key", required_argument, NULL, OPT_MQTT_KEY},
    {"mqtt-insecure", no_argument, NULL, OPT_MQTT_INSECURE},
    {"mqtt-timeout-ms", required_argument, NULL, OPT_MQTT_TIMEOUT},
    {"ble-radio", required_argument, NULL, OPT_BLE_RADIO},
    {"ble-mtu", required_argument, NULL, OPT_BLE_MTU},
    {"provision", no_argument, NULL, OPT_PROVISION},
    {"provision-window-ms", required_argument, NULL, OPT_PROVISION_WINDOW},
    {"answer-timeout-ms", required_argument, NULL, OPT_ANSWER_TIMEOUT},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"interval-ms", required_argument, NULL, OPT_INTERVAL},
    {"status-interval-ms", required_argument, NULL, OPT_STATUS_INTERVAL},
    {"retry-base-ms", required_argument, NULL, OPT_RETRY_BASE},
    {"retry-max-ms", required_argument, NULL, OPT_RETRY_MAX},
    {"ring-capacity", required_argument, NULL, OPT_RING},
    {"counter-block", required_argument, NULL, OPT_COUNTER_BLOCK},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"log-states", no_argument, NULL, OPT_LOG_STATES},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef enum {
    STORE_TEXT,
    STORE_FLAG,
    STORE_NUMBER32,
} store_kind;

/* The options that only store their value in a field of sim_options: the text as given, true,
 * or a whole number within [min, max]. sim_options_parse handles the others one by one. */
typedef struct {
    int option;
    store_kind kind;
    size_t offset;
    uint32_t min;
    uint32_t max;
} stored_option;

#define TEXT(option, field) {option, STORE_TEXT, offsetof(sim_options, field), 0, 0}
#define FLAG(option, field) {option, STORE_FLAG, offsetof(sim_options, field), 0, 0}
#define NUMBER32(option, field, min, max) {option, STORE_NUMBER32, offsetof(sim_options, field), min, max}

static const stored_option STORED_OPTIONS[] = {
    TEXT(OPT_DEVICE_ID, device_id),
    FLAG(OPT_PRINT_PUBLIC_KEY, print_public_key),
    TEXT(OPT_SERIAL, serial_path),
    TEXT(OPT_MQTT_USERNAME, mqtt.username),
    TEXT(OPT_MQTT_PASSWORD, mqtt.password),
    TEXT(OPT_MQTT_CAFILE, mqtt.cafile),
    TEXT(OPT_MQTT_CERT, mqtt.cert),
    TEXT(OPT_MQTT_KEY, mqtt.key),
    FLAG(OPT_MQTT_INSECURE, mqtt.insecure),
    NUMBER32(OPT_MQTT_TIMEOUT, mqtt.timeout_ms, 100, 600000),
    NUMBER32(OPT_BLE_MTU, ble_mtu, 23, 517),
    FLAG(OPT_PROVISION, provision),
    NUMBER32(OPT_PROVISION_WINDOW, provision_window_ms, 1, 86400000),
    NUMBER32(OPT_ANSWER_TIMEOUT, answer_timeout_ms, 10, 600000),
    NUMBER32(OPT_INTERVAL, interval_ms, 1, EDGE_MAX_INTERVAL_MS),
    NUMBER32(OPT_STATUS_INTERVAL, status_interval_ms, 0, UINT32_MAX / 2),
    NUMBER32(OPT_RETRY_BASE, retry_base_ms, 1, 3600000),
    NUMBER32(OPT_RETRY_MAX, retry_max_ms, 1, 3600000),
    NUMBER32(OPT_RING, ring_capacity, 1, 10000000),
    NUMBER32(OPT_COUNTER_BLOCK, counter_block, 1, 1000000),
    FLAG(OPT_LOG_STATES, log_states),
};

#undef TEXT
#undef FLAG
#undef NUMBER32

static const stored_option *stored_option_of(int option)
{
    for (size_t i = 0; i < sizeof STORED_OPTIONS / sizeof STORED_OPTIONS[0]; i++) {
        if (STORED_OPTIONS[i].option == option) {
            return &STORED_OPTIONS[i];
        }
    }
    return NULL;
}

/* The option's name on the command line, without the dashes. */
static const char *option_name(int option)
{
    for (const struct option *o = LONG_OPTIONS; o->name != NULL; o++) {
        if (o->val == option) {
            return o->name;
        }
    }
    return "?";
}

static bool number(const char *name, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    const unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < min || value > max) {
        fprintf(stderr, "--%s must be a whole number from %" PRIu64 " to %" PRIu64 ", got %s\n", name, min, max,
                text);
        return false;
    }
    *out = value;
    return true;
}

static bool number32(const char *name, const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t value;
    if (!number(name, text, min, max, &value)) {
        return false;
    }
    *out = (uint32_t)value;
    return true;
}

static bool store(sim_options *o, const stored_option *stored, const char *value)
{
    char *field = (char *)o + stored->offset;
    switch (stored->kind) {
    case STORE_TEXT:
        *(const char **)field = value;
        return true;
    case STORE_FLAG:
        *(bool *)field = true;
        return true;
    case STORE_NUMBER32:
        return number32(option_name(stored->option), value, stored->min, stored->max, (uint32_t *)field);
    }
    return false;
}

static sim_options_result usage_error(const char *message, const char *detail)
{
    fprintf(stderr, message, detail);
    fprintf(stderr, "\nrun with --help for the options\n");
    return SIM_OPTIONS_EXIT_USAGE;
}

static void defaults(sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->interval_ms = 1000;
    o->status_interval_ms = 60000;
    o->retry_base_ms = 500;
    o->retry_max_ms = 10000;
    o->ring_capacity = 4096;
    o->counter_block = 16;
    o->mqtt.timeout_ms = 5000;
    o->ble_mtu = 185;
    o->provision_window_ms = 300000;
    o->answer_timeout_ms = 5000;
    o->mqtt.password = getenv("EDGE_MQTT_PASSWORD");
}

sim_options_result sim_options_parse(sim_options *o, sim_sensors *sensors, int argc, char **argv)
{
    const char *channels = "temperature,humidity,vibration";
    const char *faults[SIM_MAX_FAULTS];
    size_t fault_count = 0;
    char error[256];
    bool seeded = false;
    bool ok = true;
    defaults(o);
    int option;
    while (ok && (option = getopt_long(argc, argv, "", LONG_OPTIONS, NULL)) != -1) {
        const stored_option *stored = stored_option_of(option);
        if (stored != NULL) {
            ok = store(o, stored, optarg);
            continue;
        }
        switch (option) {
        case OPT_STATE_DIR:
            snprintf(o->state_dir, sizeof o->state_dir, "%s", optarg);
            break;
        case OPT_KEY_FILE:
            snprintf(o->key_file, sizeof o->key_file, "%s", optarg);
            break;
        case OPT_GATEWAY_KEY:
            o->has_gateway_key = hex_decode(optarg, o->gateway_key, EDGE_PUBLIC_KEY_BYTES);
            ok = o->has_gateway_key && edge_public_key_valid(o->gateway_key);
            if (!ok) {
                return usage_error("--gateway-key must be a P-256 point: 130 hex characters starting 04, got %s",
                                   optarg);
            }
            break;
        case OPT_GATEWAY_KEY_FILE:
            o->has_gateway_key = public_key_file_load(optarg, o->gateway_key);
            ok = o->has_gateway_key && edge_public_key_valid(o->gateway_key);
            if (!ok) {
                return usage_error("--gateway-key-file %s holds no P-256 point in hex", optarg);
            }
            break;
        case OPT_MQTT:
        case OPT_BLE_RADIO:
            if (o->transport != SIM_TRANSPORT_NONE) {
                return usage_error("%s", "give either --mqtt or --ble-radio, once");
            }
            o->transport = option == OPT_MQTT ? SIM_TRANSPORT_MQTT : SIM_TRANSPORT_BLE;
            *(option == OPT_MQTT ? &o->mqtt.url : &o->ble_radio_dir) = optarg;
            break;
        case OPT_CHANNELS:
            channels = optarg;
            break;
        case OPT_FAULT:
            if (fault_count == SIM_MAX_FAULTS) {
                return usage_error("at most 16 --fault options, got %s", optarg);
            }
            faults[fault_count++] = optarg;
            break;
        case OPT_SEED:
            ok = number("seed", optarg, 1, UINT64_MAX, &o->seed);
            seeded = true;
            break;
        case OPT_FRAMES:
            ok = number("frames", optarg, 1, UINT64_MAX, &o->frames);
            break;
        case OPT_HELP:
            fputs(USAGE, stdout);
            return SIM_OPTIONS_EXIT_OK;
        default:
            ok = false;
        }
    }
    if (!ok) {
        return usage_error("%s", "invalid options");
    }
    if (optind < argc) {
        return usage_error("unexpected argument %s", argv[optind]);
    }
    if (o->device_id != NULL ? !edge_device_id_valid(o->device_id) : !o->provision || o->print_public_key) {
        return usage_error("--device-id must be 1 to 31 characters of A-Z a-z 0-9 . _ -, got %s",
                           o->device_id != NULL ? o->device_id : "nothing");
    }
    if (o->state_dir[0] == '\0' && o->device_id == NULL) {
        return usage_error("%s", "--provision without --device-id needs --state-dir");
    }
    if (o->state_dir[0] == '\0') {
        snprintf(o->state_dir, sizeof o->state_dir, "device-state/%s", o->device_id);
    }
    if (o->key_file[0] == '\0') {
        snprintf(o->key_file, sizeof o->key_file, "%.4000s/device.key", o->state_dir);
    }
    if (o->print_public_key) {
        return SIM_OPTIONS_RUN;
    }
    if (o->transport == SIM_TRANSPORT_NONE && o->serial_path != NULL) {
        o->transport = SIM_TRANSPORT_SERIAL;
    }
    if (o->provision && o->serial_path == NULL) {
        return usage_error("%s", "--provision needs --serial PATH, the line provisioning comes over");
    }
    if (o->transport == SIM_TRANSPORT_NONE && !o->provision) {
        return usage_error("%s", "give --serial PATH, --mqtt URL or --ble-radio DIR");
    }
    if (!seeded) {
        const edge_rng rng = os_rng();
        rng.fill(rng.ctx, (unsigned char *)&o->seed, sizeof o->seed);
    }
    sim_sensors_init(sensors, o->seed);
    if (!sim_sensors_parse_channels(sensors, channels, error, sizeof error)) {
        return usage_error("%s", error);
    }
    for (size_t i = 0; i < fault_count; i++) {
        if (!sim_sensors_parse_fault(sensors, faults[i], error, sizeof error)) {
            return usage_error("%s", error);
        }
    }
    return SIM_OPTIONS_RUN;
}
