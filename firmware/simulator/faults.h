#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdbool.h>

#include "sensors.h"

/* The faults and anomalies active on channel i: adds their deviation to *delta (in the
 * channel's unit: degrees C, %RH, m/s², mV) and sets the factor for its noise.
 * Returns false when the sensor does not answer. */
bool sim_faults_apply(sim_sensors *sensors, size_t i, double run_s, double *delta, double *noise_factor);

/* True while a stuck fault holds channel i. */
bool sim_faults_stuck(const sim_sensors *sensors, size_t i, double run_s);

#endif
