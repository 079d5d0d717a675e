#include "edge/dht22.h"

#include <stddef.h>

void edge_dht22_bits_to_bytes(const uint16_t high_us[EDGE_DHT22_BITS], uint8_t bytes[5])
{
    for (size_t i = 0; i < 5; i++) {
        bytes[i] = 0;
    }
    for (size_t bit = 0; bit < EDGE_DHT22_BITS; bit++) {
        bytes[bit / 8] = (uint8_t)(bytes[bit / 8] << 1 | (high_us[bit] > EDGE_DHT22_ONE_THRESHOLD_US));
    }
}

edge_dht22_status edge_dht22_decode(const uint8_t bytes[5], edge_dht22_reading *reading)
{
    if ((uint8_t)(bytes[0] + bytes[1] + bytes[2] + bytes[3]) != bytes[4]) {
        return EDGE_DHT22_CHECKSUM;
    }
    const int humidity = bytes[0] << 8 | bytes[1];
    const int magnitude = (bytes[2] & 0x7f) << 8 | bytes[3];
    const int temperature = (bytes[2] & 0x80) ? -magnitude : magnitude;
    /* A sensor that answers with a valid checksum can still report nonsense after a brown-out. */
    if (humidity > 1000 || temperature < -400 || temperature > 800) {
        return EDGE_DHT22_OUT_OF_RANGE;
    }
    reading->humidity_tenths = (int16_t)humidity;
    reading->temperature_tenths = (int16_t)temperature;
    return EDGE_DHT22_OK;
}
