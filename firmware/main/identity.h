#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/storage.h"
#include "esp_err.h"

/* Who the node is and whom it obeys: its id, its P-256 key (drawn from the hardware random
 * generator on first boot and kept in NVS unless one was provisioned there) and the gateway's
 * command key. Provisioning writes the NVS keys "device_id", "device_key" and "gateway_key";
 * menuconfig supplies defaults for the id and the gateway key. */
typedef struct {
    char device_id[32];
    uint8_t device_key[EDGE_PRIVATE_KEY_BYTES];
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    bool has_gateway_key;
    uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES];
} identity;

esp_err_t identity_load(const edge_storage *storage, const edge_rng *rng, identity *id);

#endif
