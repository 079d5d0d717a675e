#include "sensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge/vibration.h"
#include "faults.h"

#define DAY_S 86400.0
#define VIBRATION_WINDOW 64
#define VIBRATION_RATE_HZ 1000.0
#define MACHINE_HZ 50.0

typedef struct {
    const char *name;
    edge_channel channel;
    uint32_t scale;
    /* Defaults for faults, in the channel's unit (degrees C, %RH, m/s², mV). */
    double spike;
    double drift_per_hour;
} channel_kind;

static const channel_kind KINDS[] = {
    {"temperature", EDGE_CHANNEL_TEMPERATURE, 1, 15.0, 2.0},
    {"humidity", EDGE_CHANNEL_HUMIDITY, 1, 25.0, 5.0},
    {"vibration", EDGE_CHANNEL_VIBRATION, 3, 15.0, 1.0},
    {"analog", EDGE_CHANNEL_ANALOG, 0, 1000.0, 200.0},
};

static const channel_kind *kind_of(edge_channel channel)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (KINDS[i].channel == channel) {
            return &KINDS[i];
        }
    }
    return &KINDS[0];
}

const char *sim_channel_name(edge_channel channel)
{
    return kind_of(channel)->name;
}

double sim_uniform(sim_sensors *sensors)
{
    /* xorshift64* */
    uint64_t x = sensors->random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sensors->random_state = x;
    return (double)((x * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

double sim_gaussian(sim_sensors *sensors)
{
    const double u = 1.0 - sim_uniform(sensors);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * sim_uniform(sensors));
}

void sim_sensors_init(sim_sensors *sensors, uint64_t seed)
{
    memset(sensors, 0, sizeof *sensors);
    sensors->random_state = seed != 0 ? seed : 0x853c49e6748fea9bull;
}

static bool fail(char *error, size_t error_len, const char *format, const char *detail)
{
    snprintf(error, error_len, format, detail);
    return false;
}

static bool parse_channel(const char *name, edge_channel *channel, uint32_t *index)
{
    for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++) {
        const size_t len = strlen(KINDS[k].name);
        if (strncmp(name, KINDS[k].name, len) != 0) {
            continue;
        }
        const char *rest = name + len;
        if (*rest == '\0') {
            *channel = KINDS[k].channel;
            *index = 0;
            return true;
        }
        char *end;
        const unsigned long n = strtoul(rest, &end, 10);
        if (KINDS[k].channel == EDGE_CHANNEL_ANALOG && *end == '\0' && n < 16) {
            *channel = KINDS[k].channel;
            *index = (uint32_t)n;
            return true;
        }
    }
    return false;
}

bool sim_sensors_parse_channels(sim_sensors *sensors, const char *list, char *error, size_t error_len)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", list) >= (int)sizeof copy) {
        return fail(error, error_len, "channel list too long: %s", list);
    }
    sensors->channel_count = 0;
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        edge_channel channel;
        uint32_t index;
        if (!parse_channel(name, &channel, &index)) {
            return fail(error, error_len, "unknown channel %s (temperature, humidity, vibration, analog, analogN)",
                        name);
        }
        for (size_t i = 0; i < sensors->channel_count; i++) {
            if (sensors->channels[i].channel == channel && sensors->channels[i].index == index) {
                return fail(error, error_len, "channel %s listed twice", name);
            }
        }
        if (sensors->channel_count == SIM_MAX_CHANNELS) {
            return fail(error, error_len, "at most 8 channels: %s", list);
        }
        sim_channel *c = &sensors->channels[sensors->channel_count++];
        memset(c, 0, sizeof *c);
        c->channel = channel;
        c->index = index;
        c->scale = kind_of(channel)->scale;
        c->phase = 2.0 * M_PI * sim_uniform(sensors);
        c->level = 1.2 + 0.4 * index + 0.2 * sim_uniform(sensors);
    }
    return sensors->channel_count > 0 ? true : fail(error, error_len, "no channels in %s", list);
}

/* Seconds, with an optional s, m or h suffix. */
static bool parse_duration(const char *text, double *seconds)
{
    char *end;
    double value = strtod(text, &end);
    if (end == text || value < 0) {
        return false;
    }
    if (*end == 'm') {
        value *= 60;
        end++;
    } else if (*end == 'h') {
        value *= 3600;
        end++;
    } else if (*end == 's') {
        end++;
    }
    *seconds = value;
    return *end == '\0';
}

static bool parse_param(sim_fault *fault, char *param)
{
    char *equals = strchr(param, '=');
    if (equals == NULL) {
        return false;
    }
    *equals = '\0';
    const char *key = param;
    const char *text = equals + 1;
    char *end;
    const double number = strtod(text, &end);
    const bool is_number = end != text && *end == '\0';
    if (strcmp(key, "p") == 0 || strcmp(key, "prob") == 0) {
        fault->probability = number;
        return is_number && number >= 0 && number <= 1;
    }
    if (strcmp(key, "magnitude") == 0 || strcmp(key, "m") == 0) {
        fault->magnitude = number;
        return is_number;
    }
    if (strcmp(key, "rate") == 0) {
        fault->rate_per_hour = number;
        return is_number;
    }
    if (strcmp(key, "factor") == 0) {
        fault->factor = number;
        return is_number && number >= 0;
    }
    if (strcmp(key, "after") == 0) {
        return parse_duration(text, &fault->after_s);
    }
    if (strcmp(key, "for") == 0) {
        return parse_duration(text, &fault->duration_s);
    }
    return false;
}

static bool parse_kind(const char *name, sim_fault_kind *kind)
{
    static const struct {
        const char *name;
        sim_fault_kind kind;
    } NAMES[] = {{"spike", FAULT_SPIKE},   {"drift", FAULT_DRIFT},     {"offset", FAULT_OFFSET},
                 {"stuck", FAULT_STUCK},   {"dropout", FAULT_DROPOUT}, {"noise", FAULT_NOISE}};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (strcmp(name, NAMES[i].name) == 0) {
            *kind = NAMES[i].kind;
            return true;
        }
    }
    return false;
}

static bool add_fault(sim_sensors *sensors, const sim_fault *template, size_t i)
{
    if (sensors->fault_count == SIM_MAX_FAULTS) {
        return false;
    }
    sim_fault fault = *template;
    const channel_kind *defaults = kind_of(sensors->channels[i].channel);
    fault.channel = (int)i;
    if (isnan(fault.probability)) {
        fault.probability = fault.kind == FAULT_DROPOUT ? 0.2 : 0.05;
    }
    if (isnan(fault.magnitude)) {
        fault.magnitude = defaults->spike;
    }
    if (isnan(fault.rate_per_hour)) {
        fault.rate_per_hour = defaults->drift_per_hour;
    }
    sensors->faults[sensors->fault_count++] = fault;
    return true;
}

bool sim_sensors_parse_fault(sim_sensors *sensors, const char *spec, char *error, size_t error_len)
{
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", spec) >= (int)sizeof copy) {
        return fail(error, error_len, "fault too long: %s", spec);
    }
    char *save = NULL;
    const char *kind_name = strtok_r(copy, ":", &save);
    const char *channel_name = strtok_r(NULL, ":", &save);
    char *params = strtok_r(NULL, "", &save);
    /* Unset values (NAN) take the defaults of each channel the fault applies to. */
    sim_fault fault = {.probability = NAN, .magnitude = NAN, .rate_per_hour = NAN, .factor = 3.0};
    if (kind_name == NULL || !parse_kind(kind_name, &fault.kind)) {
        return fail(error, error_len, "unknown fault in %s (spike, drift, offset, stuck, dropout, noise)", spec);
    }
    if (channel_name == NULL) {
        return fail(error, error_len, "fault %s names no channel (kind:channel[:key=value,...])", spec);
    }
    for (char *p_save = NULL, *param = params ? strtok_r(params, ",", &p_save) : NULL; param != NULL;
         param = strtok_r(NULL, ",", &p_save)) {
        if (!parse_param(&fault, param)) {
            return fail(error, error_len, "bad fault parameter in %s (p, magnitude, rate, factor, after, for)", spec);
        }
    }
    const bool all = strcmp(channel_name, "all") == 0;
    edge_channel channel = EDGE_CHANNEL_TEMPERATURE;
    uint32_t index = 0;
    if (!all && !parse_channel(channel_name, &channel, &index)) {
        return fail(error, error_len, "fault %s names an unknown channel", spec);
    }
    bool matched = false;
    for (size_t i = 0; i < sensors->channel_count; i++) {
        const sim_channel *c = &sensors->channels[i];
        if (all || (c->channel == channel && c->index == index)) {
            if (!add_fault(sensors, &fault, i)) {
                return fail(error, error_len, "too many faults (at most 16 channel faults): %s", spec);
            }
            matched = true;
        }
    }
    return matched ? true : fail(error, error_len, "fault %s names a channel the device does not have", spec);
}

static double temperature_c(const sim_channel *c, double epoch_s)
{
    return 24.0 + 3.0 * sin(2.0 * M_PI * epoch_s / DAY_S + c->phase);
}

static double humidity_rh(const sim_channel *c, double epoch_s)
{
    /* Relative humidity falls as the air warms. */
    return 45.0 + 5.0 * sin(2.0 * M_PI * epoch_s / (DAY_S / 4) + c->phase) -
           0.8 * (temperature_c(c, epoch_s) - 24.0);
}

/* A window of MPU6050 samples of a machine running at 50 Hz whose amplitude breathes over a
 * minute, with gravity on z; the core turns it into RMS mm/s² as the firmware does. */
static double vibration_mm_s2(sim_sensors *sensors, const sim_channel *c, double epoch_s, double noise_factor)
{
    edge_accel_sample window[VIBRATION_WINDOW];
    const double lsb = EDGE_MPU6050_LSB_PER_G_2G;
    const double amplitude_g = 0.2 * (1.0 + 0.25 * sin(2.0 * M_PI * epoch_s / 60.0 + c->phase));
    for (size_t j = 0; j < VIBRATION_WINDOW; j++) {
        const double t = epoch_s + (double)j / VIBRATION_RATE_HZ;
        const double noise_g = 0.02 * noise_factor;
        const double x = noise_g * sim_gaussian(sensors);
        const double y = noise_g * sim_gaussian(sensors);
        const double z = 1.0 + amplitude_g * sin(2.0 * M_PI * MACHINE_HZ * t) + noise_g * sim_gaussian(sensors);
        window[j].x = (int16_t)fmax(-32768, fmin(32767, lround(x * lsb)));
        window[j].y = (int16_t)fmax(-32768, fmin(32767, lround(y * lsb)));
        window[j].z = (int16_t)fmax(-32768, fmin(32767, lround(z * lsb)));
    }
    return edge_vibration_rms_mm_s2(window, VIBRATION_WINDOW, EDGE_MPU6050_LSB_PER_G_2G);
}

/* A 4-20 mA transmitter across a shunt: a slowly wandering level (kept in volts), in mV. */
static double analog_mv(sim_sensors *sensors, sim_channel *c, double noise_factor)
{
    c->level += 0.01 * (1.8 - c->level) + 0.004 * sim_gaussian(sensors);
    return 1000.0 * (c->level + 0.002 * noise_factor * sim_gaussian(sensors));
}

static int32_t physical(sim_sensors *sensors, sim_channel *c, double epoch_s, double delta, double noise_factor)
{
    switch (c->channel) {
    case EDGE_CHANNEL_TEMPERATURE: {
        const double t = temperature_c(c, epoch_s) + 0.1 * noise_factor * sim_gaussian(sensors) + delta;
        return (int32_t)lround(fmin(80.0, fmax(-40.0, t)) * 10);
    }
    case EDGE_CHANNEL_HUMIDITY: {
        const double h = humidity_rh(c, epoch_s) + 0.5 * noise_factor * sim_gaussian(sensors) + delta;
        return (int32_t)lround(fmin(100.0, fmax(0.0, h)) * 10);
    }
    case EDGE_CHANNEL_VIBRATION:
        return (int32_t)lround(fmax(0.0, vibration_mm_s2(sensors, c, epoch_s, noise_factor) + 1000.0 * delta));
    default:
        /* The ADC reads 0 to about 3.1 V. */
        return (int32_t)lround(fmin(3100.0, fmax(0.0, analog_mv(sensors, c, noise_factor) + delta)));
    }
}

size_t sim_sensors_read(sim_sensors *sensors, uint64_t epoch_ms, double run_s, edge_sample *out, size_t cap)
{
    size_t count = 0;
    const double epoch_s = (double)epoch_ms / 1000.0;
    for (size_t i = 0; i < sensors->channel_count && count < cap; i++) {
        sim_channel *c = &sensors->channels[i];
        double delta = 0;
        double noise_factor = 1.0;
        if (!sim_faults_apply(sensors, i, run_s, &delta, &noise_factor)) {
            continue;
        }
        int32_t value = physical(sensors, c, epoch_s, delta, noise_factor);
        if (sim_faults_stuck(sensors, i, run_s)) {
            if (!c->frozen) {
                c->frozen = true;
                c->frozen_value = value;
            }
            value = c->frozen_value;
        } else {
            c->frozen = false;
        }
        edge_sample *s = &out[count++];
        memset(s, 0, sizeof *s);
        s->channel = c->channel;
        s->index = c->index;
        s->value = value;
        s->scale = c->scale;
    }
    return count;
}
