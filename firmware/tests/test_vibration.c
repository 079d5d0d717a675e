#include "edge/vibration.h"
#include "harness.h"

/* A 0.2 g peak sine sampled 32 times per period, as integer samples (no libm on purpose). */
static const int16_t SINE_32[32] = {0,     639,   1254,  1820,  2317,  2724,  3027,  3213,  3277,  3213,  3027,
                                    2724,  2317,  1820,  1254,  639,   0,     -639,  -1254, -1820, -2317, -2724,
                                    -3027, -3213, -3277, -3213, -3027, -2724, -2317, -1820, -1254, -639};

int main(void)
{
    static edge_accel_sample window[256];
    const int32_t g = EDGE_MPU6050_LSB_PER_G_2G;

    harness_case("a sensor at rest reads no vibration");
    for (int i = 0; i < 256; i++) {
        window[i] = (edge_accel_sample){0, 0, (int16_t)g};
    }
    CHECK_EQ(edge_vibration_rms_mm_s2(window, 256, g), 0);

    harness_case("a 0.2 g sine along gravity has an RMS of 1.39 m/s2");
    for (int i = 0; i < 256; i++) {
        window[i] = (edge_accel_sample){0, 0, (int16_t)(g + SINE_32[i % 32])};
    }
    const int32_t along_z = edge_vibration_rms_mm_s2(window, 256, g);
    CHECK(along_z >= 1375 && along_z <= 1400);

    harness_case("mounting does not matter");
    for (int i = 0; i < 256; i++) {
        window[i] = (edge_accel_sample){(int16_t)(g + SINE_32[i % 32]), 0, 0};
    }
    CHECK_EQ(edge_vibration_rms_mm_s2(window, 256, g), along_z);

    harness_case("too few samples");
    CHECK_EQ(edge_vibration_rms_mm_s2(window, 1, g), 0);
    CHECK_EQ(edge_vibration_rms_mm_s2(window, 256, 0), 0);
    return harness_finish("vibration");
}
