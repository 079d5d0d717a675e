#include <math.h>
#include <string.h>

#include "harness.h"
#include "sensors.h"

#define T0 1763000000000ull

static sim_sensors sensors;
static edge_sample out[SIM_MAX_CHANNELS];
static char error[256];

static size_t read_at(double run_s)
{
    return sim_sensors_read(&sensors, T0 + (uint64_t)(run_s * 1000), run_s, out, SIM_MAX_CHANNELS);
}

static void setup(const char *channels)
{
    sim_sensors_init(&sensors, 99);
    CHECK(sim_sensors_parse_channels(&sensors, channels, error, sizeof error));
}

static void plausible_readings(void)
{
    harness_case("readings of the reference node are plausible");
    setup("temperature,humidity,vibration,analog,analog1");
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(read_at(i), 5);
        CHECK(out[0].channel == EDGE_CHANNEL_TEMPERATURE && out[0].scale == 1);
        CHECK(out[0].value > 150 && out[0].value < 330);
        CHECK(out[1].value > 250 && out[1].value < 650);
        CHECK(out[2].scale == 3 && out[2].value > 900 && out[2].value < 2200);
        CHECK(out[3].scale == 0 && out[3].value >= 0 && out[3].value <= 3100);
        CHECK_EQ(out[4].index, 1);
    }

    harness_case("a seed makes the readings reproducible");
    setup("temperature,vibration");
    read_at(5);
    const edge_sample first = out[1];
    setup("temperature,vibration");
    read_at(5);
    CHECK_EQ(out[1].value, first.value);
}

static void faults(void)
{
    harness_case("dropout: the sensor does not answer");
    setup("temperature,humidity");
    CHECK(sim_sensors_parse_fault(&sensors, "dropout:humidity:p=1", error, sizeof error));
    CHECK_EQ(read_at(1), 1);
    CHECK_EQ(out[0].channel, EDGE_CHANNEL_TEMPERATURE);

    harness_case("offset from a given time");
    setup("temperature");
    CHECK(sim_sensors_parse_fault(&sensors, "offset:temperature:magnitude=20,after=10s", error, sizeof error));
    read_at(9);
    const int32_t before = out[0].value;
    read_at(10);
    CHECK(out[0].value - before > 150);

    harness_case("stuck: the value freezes, and thaws when the fault ends");
    setup("vibration");
    CHECK(sim_sensors_parse_fault(&sensors, "stuck:vibration:after=1,for=1m", error, sizeof error));
    read_at(2);
    const int32_t frozen = out[0].value;
    bool all_same = true;
    for (int i = 3; i < 50; i++) {
        read_at(i);
        all_same = all_same && out[0].value == frozen;
    }
    CHECK(all_same);
    bool moved = false;
    for (int i = 61; i < 80; i++) {
        read_at(i);
        moved = moved || out[0].value != frozen;
    }
    CHECK(moved);

    harness_case("spike: readings off by the magnitude");
    setup("humidity");
    CHECK(sim_sensors_parse_fault(&sensors, "spike:humidity:p=1,magnitude=30", error, sizeof error));
    for (int i = 0; i < 20; i++) {
        read_at(i);
        CHECK(out[0].value < 300 || out[0].value > 600);
    }

    harness_case("drift grows with time");
    setup("analog");
    CHECK(sim_sensors_parse_fault(&sensors, "drift:analog:rate=7200000", error, sizeof error));
    read_at(0.5);
    CHECK(out[0].value >= 2100);

    harness_case("all channels at once, each with its own defaults");
    setup("temperature,vibration");
    CHECK(sim_sensors_parse_fault(&sensors, "dropout:all:p=1", error, sizeof error));
    CHECK_EQ(sensors.fault_count, 2);
    CHECK_EQ(read_at(1), 0);

    harness_case("bad specifications are refused with a reason");
    setup("temperature");
    CHECK(!sim_sensors_parse_fault(&sensors, "melt:temperature", error, sizeof error));
    CHECK(strstr(error, "unknown fault") != NULL);
    CHECK(!sim_sensors_parse_fault(&sensors, "spike:humidity", error, sizeof error));
    CHECK(!sim_sensors_parse_fault(&sensors, "spike", error, sizeof error));
    CHECK(!sim_sensors_parse_fault(&sensors, "spike:temperature:p=2", error, sizeof error));
    CHECK(!sim_sensors_parse_fault(&sensors, "spike:temperature:after=soon", error, sizeof error));
    CHECK(!sim_sensors_parse_channels(&sensors, "temperature,pressure", error, sizeof error));
    CHECK(!sim_sensors_parse_channels(&sensors, "analog,analog0", error, sizeof error));
}

int main(void)
{
    plausible_readings();
    faults();
    return harness_finish("sim_sensors");
}
