#ifndef EDGE_DHT22_DRIVER_H
#define EDGE_DHT22_DRIVER_H

#include "edge/dht22.h"
#include "esp_err.h"

esp_err_t dht22_init(int gpio);

/* One reading. The DHT22 measures at most every 2 s: asked sooner, it returns the last one. */
esp_err_t dht22_read(edge_dht22_reading *reading);

#endif
