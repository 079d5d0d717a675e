#ifndef EDGE_VIBRATION_H
#define EDGE_VIBRATION_H

#include <stddef.h>
#include <stdint.h>

/* Vibration from a window of MPU6050 accelerometer samples. */

typedef struct {
    int16_t x;
    int16_t y;
    int16_t z;
} edge_accel_sample;

/* MPU6050 sensitivity at its +-2 g range. */
#define EDGE_MPU6050_LSB_PER_G_2G 16384

/* RMS deviation of the acceleration magnitude from its mean over the window, in mm/s² (a
 * reading of scale 3 in m/s², the unit the gateway checks): the vibration without gravity,
 * whatever the sensor's mounting. Integer arithmetic only (the ESP32-C3 has no FPU); at most
 * 65,535 samples. Returns 0 for fewer than two samples. */
int32_t edge_vibration_rms_mm_s2(const edge_accel_sample *samples, size_t n, uint32_t lsb_per_g);

#endif
