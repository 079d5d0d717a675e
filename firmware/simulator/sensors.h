#ifndef SIM_SENSORS_H
#define SIM_SENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/wire.h"

/* The sensors of a simulated node, as the ESP32 reads them: DHT22 temperature and humidity
 * in tenths, MPU6050 vibration as the RMS (mm/s²) of a window of raw accelerometer samples
 * computed by the firmware core, and analog inputs in millivolts. Signals follow daily and
 * slower cycles with noise; faults and anomalies can be injected per channel. */

#define SIM_MAX_CHANNELS 8
#define SIM_MAX_FAULTS 16

typedef enum {
    FAULT_SPIKE,   /* with probability p, a reading off by +-magnitude */
    FAULT_DRIFT,   /* calibration drift of rate per hour */
    FAULT_OFFSET,  /* a step of magnitude */
    FAULT_STUCK,   /* the reading freezes */
    FAULT_DROPOUT, /* with probability p, the sensor does not answer */
    FAULT_NOISE,   /* noise multiplied by factor */
} sim_fault_kind;

typedef struct {
    sim_fault_kind kind;
    /* Index into the channels. */
    int channel;
    double probability;
    double magnitude;
    double rate_per_hour;
    double factor;
    /* Active from after_s seconds after start, for duration_s seconds (0: for good). */
    double after_s;
    double duration_s;
} sim_fault;

typedef struct {
    edge_channel channel;
    uint32_t index;
    uint32_t scale;
    double phase;
    double level;
    bool frozen;
    int32_t frozen_value;
} sim_channel;

typedef struct {
    sim_channel channels[SIM_MAX_CHANNELS];
    size_t channel_count;
    sim_fault faults[SIM_MAX_FAULTS];
    size_t fault_count;
    uint64_t random_state;
} sim_sensors;

/* Seeds the noise (a fixed seed gives the same readings) and clears channels and faults. */
void sim_sensors_init(sim_sensors *sensors, uint64_t seed);

/* A comma-separated list of temperature, humidity, vibration, analog (= analog0), analog1...
 * Returns false with a reason in error. */
bool sim_sensors_parse_channels(sim_sensors *sensors, const char *list, char *error, size_t error_len);

/* kind:channel[:key=value,...] with keys p, magnitude, rate, factor, after, for (see
 * sim_fault; durations in seconds or with an s, m or h suffix); channel may be "all".
 * Parse the channels first. */
bool sim_sensors_parse_fault(sim_sensors *sensors, const char *spec, char *error, size_t error_len);

/* Reads every channel at epoch_ms, run_s seconds after start; returns how many answered. */
size_t sim_sensors_read(sim_sensors *sensors, uint64_t epoch_ms, double run_s, edge_sample *out, size_t cap);

/* "temperature", "humidity", "vibration", "analog". */
const char *sim_channel_name(edge_channel channel);

/* Uniform in [0, 1) and standard normal draws from the sensors' seeded generator. */
double sim_uniform(sim_sensors *sensors);
double sim_gaussian(sim_sensors *sensors);

#endif
