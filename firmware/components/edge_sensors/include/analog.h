#ifndef EDGE_ANALOG_H
#define EDGE_ANALOG_H

#include <stdint.h>

#include "esp_err.h"

/* One ADC1 channel, calibrated to millivolts, at 12 dB attenuation (up to about 3.1 V). */
esp_err_t analog_init(int adc1_channel);

esp_err_t analog_read_mv(int32_t *millivolts);

#endif
