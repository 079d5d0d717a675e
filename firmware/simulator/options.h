#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "mqtt_link.h"
#include "sensors.h"

typedef enum {
    SIM_TRANSPORT_NONE,
    SIM_TRANSPORT_SERIAL,
    SIM_TRANSPORT_MQTT,
    SIM_TRANSPORT_BLE,
} sim_transport;

typedef struct {
    const char *device_id;
    char state_dir[4096];
    char key_file[4096];
    bool print_public_key;
    bool has_gateway_key;
    uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES];
    sim_transport transport;
    /* The USB serial line: frames in serial mode, provisioning in every mode. */
    const char *serial_path;
    mqtt_settings mqtt;
    /* BLE over the simulated radio: a folder of Unix sockets, one per advertising device. */
    const char *ble_radio_dir;
    uint32_t ble_mtu;
    /* Boot without an identity if there is no provisioning record, and wait for one. */
    bool provision;
    uint32_t provision_window_ms;
    uint32_t answer_timeout_ms;
    uint32_t interval_ms;
    uint32_t status_interval_ms;
    uint32_t retry_base_ms;
    uint32_t retry_max_ms;
    uint32_t ring_capacity;
    uint32_t counter_block;
    uint64_t frames;
    uint64_t seed;
    bool log_states;
} sim_options;

typedef enum {
    SIM_OPTIONS_RUN,
    SIM_OPTIONS_EXIT_OK,
    SIM_OPTIONS_EXIT_USAGE,
} sim_options_result;

/* Parses the command line (see usage in options.c and firmware/README.md), including the
 * channels and faults of the simulated sensors; prints help or the problem itself. */
sim_options_result sim_options_parse(sim_options *options, sim_sensors *sensors, int argc, char **argv);

#endif
