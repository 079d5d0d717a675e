#ifndef PLATFORM_H
#define PLATFORM_H

#include "edge/node.h"
#include "esp_err.h"
#include "link.h"

/* The node's platform on the ESP32: esp_timer timers posting to the app queue, the sensors,
 * the chosen link, the system clock once SNTP set it, the hardware random generator, and
 * logs plus an optional alarm output for reports. */
esp_err_t platform_init(const link_ops *link, edge_platform *platform);

/* The hardware random generator as the core's random source. */
edge_rng platform_rng(void);

#endif
