#ifndef EDGE_SENSORS_H
#define EDGE_SENSORS_H

#include <stddef.h>

#include "edge/wire.h"
#include "esp_err.h"

/* The node's sensors, wired as configured in menuconfig (IntelLedger node > Sensors). A
 * sensor that fails to start is left out of every reading, with a warning. */
esp_err_t sensors_init(void);

/* Reads every sensor that answers, in the units the gateway checks: degrees C and %RH in
 * tenths (scale 1), vibration in m/s² RMS (scale 3) and the analog input in mV (scale 0).
 * Returns the sample count. */
size_t sensors_read(edge_sample *out, size_t cap);

#endif
