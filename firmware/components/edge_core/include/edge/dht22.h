#ifndef EDGE_DHT22_H
#define EDGE_DHT22_H

#include <stdint.h>

/* The data part of the DHT22 (AM2302) one-wire protocol: 40 bits, most significant first,
 * each a ~50 us low followed by a high pulse of ~26 us (0) or ~70 us (1); then humidity and
 * temperature in tenths (temperature sign in bit 15) and a checksum byte. */

#define EDGE_DHT22_BITS 40
/* A high pulse longer than this is a 1. */
#define EDGE_DHT22_ONE_THRESHOLD_US 48

typedef struct {
    /* Tenths of a percent of relative humidity, 0 to 1000. */
    int16_t humidity_tenths;
    /* Tenths of a degree Celsius, -400 to 800. */
    int16_t temperature_tenths;
} edge_dht22_reading;

typedef enum {
    EDGE_DHT22_OK,
    EDGE_DHT22_CHECKSUM,
    EDGE_DHT22_OUT_OF_RANGE,
} edge_dht22_status;

/* Assembles the 5 data bytes from the durations of the 40 high pulses. */
void edge_dht22_bits_to_bytes(const uint16_t high_us[EDGE_DHT22_BITS], uint8_t bytes[5]);

edge_dht22_status edge_dht22_decode(const uint8_t bytes[5], edge_dht22_reading *reading);

#endif
