#ifndef NVS_STORAGE_H
#define NVS_STORAGE_H

#include "edge/storage.h"
#include "esp_err.h"

/* edge_storage over NVS (namespace "edge"): a value is committed before a write returns.
 * NVS keeps no empty blobs, so an empty value is stored as an absent key, which the core
 * reads as empty. */
esp_err_t nvs_storage_open(edge_storage *storage);

#endif
