#ifndef EDGE_MPU6050_H
#define EDGE_MPU6050_H

#include <stdint.h>

#include "esp_err.h"

esp_err_t mpu6050_init(int sda_gpio, int scl_gpio);

/* Vibration over a 64 ms window sampled at 1 kHz through the sensor's FIFO: RMS of the
 * acceleration magnitude around its mean, in mm/s². */
esp_err_t mpu6050_vibration(int32_t *mm_s2);

#endif
