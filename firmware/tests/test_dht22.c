#include "edge/dht22.h"
#include "harness.h"

static void to_pulses(const uint8_t bytes[5], uint16_t pulses[EDGE_DHT22_BITS])
{
    for (int bit = 0; bit < EDGE_DHT22_BITS; bit++) {
        const int one = (bytes[bit / 8] >> (7 - bit % 8)) & 1;
        pulses[bit] = one ? 70 : 26;
    }
}

int main(void)
{
    edge_dht22_reading reading;

    harness_case("the datasheet's example: 65.2 %RH, 35.1 C");
    const uint8_t example[5] = {0x02, 0x8c, 0x01, 0x5f, 0xee};
    CHECK_EQ(edge_dht22_decode(example, &reading), EDGE_DHT22_OK);
    CHECK_EQ(reading.humidity_tenths, 652);
    CHECK_EQ(reading.temperature_tenths, 351);

    harness_case("negative temperatures use a sign bit");
    const uint8_t freezing[5] = {0x02, 0x8c, 0x80, 0x65, 0x73};
    CHECK_EQ(edge_dht22_decode(freezing, &reading), EDGE_DHT22_OK);
    CHECK_EQ(reading.temperature_tenths, -101);

    harness_case("a checksum mismatch is refused");
    const uint8_t corrupt[5] = {0x02, 0x8c, 0x01, 0x5f, 0xef};
    CHECK_EQ(edge_dht22_decode(corrupt, &reading), EDGE_DHT22_CHECKSUM);

    harness_case("values outside the sensor's range are refused");
    const uint8_t wet[5] = {0x03, 0xe9, 0x00, 0x00, 0xec};
    CHECK_EQ(edge_dht22_decode(wet, &reading), EDGE_DHT22_OUT_OF_RANGE);

    harness_case("pulse widths to bytes");
    uint16_t pulses[EDGE_DHT22_BITS];
    uint8_t bytes[5];
    to_pulses(example, pulses);
    edge_dht22_bits_to_bytes(pulses, bytes);
    CHECK_MEM(bytes, 5, example, 5);
    pulses[0] = 49;
    edge_dht22_bits_to_bytes(pulses, bytes);
    CHECK_EQ(bytes[0], 0x82);
    return harness_finish("dht22");
}
