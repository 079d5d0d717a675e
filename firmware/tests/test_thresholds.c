#include "edge/thresholds.h"
#include "harness.h"

static edge_sample sample(edge_channel channel, uint32_t index, int32_t value, uint32_t scale)
{
    edge_sample s = intelledger_device_v1_Sample_init_zero;
    s.channel = channel;
    s.index = index;
    s.value = value;
    s.scale = scale;
    return s;
}

int main(void)
{
    harness_case("fixed-point comparison across scales");
    CHECK_EQ(edge_fixed_compare(2345, 2, 234, 1), 1);
    CHECK_EQ(edge_fixed_compare(2340, 2, 234, 1), 0);
    CHECK_EQ(edge_fixed_compare(-1, 0, -999999999, 9), -1);
    CHECK_EQ(edge_fixed_compare(INT32_MAX, 0, INT32_MIN, 9), 1);
    CHECK_EQ(edge_fixed_compare(INT32_MIN, 0, INT32_MAX, 9), -1);

    edge_thresholds t = intelledger_device_v1_SetThresholds_init_zero;
    t.thresholds_count = 2;
    t.thresholds[0].channel = EDGE_CHANNEL_TEMPERATURE;
    t.thresholds[0].min_value = -2000;
    t.thresholds[0].max_value = 8500;
    t.thresholds[0].scale = 2;
    t.thresholds[1].channel = EDGE_CHANNEL_ANALOG;
    t.thresholds[1].index = 1;
    t.thresholds[1].max_value = 3000;
    t.thresholds[1].scale = 3;
    CHECK(edge_thresholds_valid(&t));

    harness_case("bounds apply to their channel and index");
    edge_sample hot = sample(EDGE_CHANNEL_TEMPERATURE, 0, 851, 1);
    const edge_threshold *found = edge_threshold_for(&t, &hot);
    CHECK(found == &t.thresholds[0]);
    CHECK(edge_threshold_exceeded(found, &hot));
    edge_sample edge_value = sample(EDGE_CHANNEL_TEMPERATURE, 0, 850, 1);
    CHECK(!edge_threshold_exceeded(found, &edge_value));
    edge_sample cold = sample(EDGE_CHANNEL_TEMPERATURE, 0, -201, 1);
    CHECK(edge_threshold_exceeded(found, &cold));
    edge_sample analog0 = sample(EDGE_CHANNEL_ANALOG, 0, 5000, 3);
    CHECK(edge_threshold_for(&t, &analog0) == NULL);
    edge_sample analog1 = sample(EDGE_CHANNEL_ANALOG, 1, 3001, 3);
    CHECK(edge_threshold_exceeded(edge_threshold_for(&t, &analog1), &analog1));

    harness_case("invalid bounds");
    t.thresholds[1].index = 0;
    t.thresholds[1].channel = EDGE_CHANNEL_TEMPERATURE;
    CHECK(!edge_thresholds_valid(&t));
    t.thresholds[1].channel = (edge_channel)7;
    CHECK(!edge_thresholds_valid(&t));
    return harness_finish("thresholds");
}
