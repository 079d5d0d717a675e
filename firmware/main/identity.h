#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/state_machine.h"
#include "edge/storage.h"
#include "esp_err.h"

/* Who the node is, whom it obeys and how it reaches the gateway. USB provisioning's record in
 * NVS (key "provisioning", see edge/provision.h) decides when there is one; otherwise
 * menuconfig does, for development builds, and with no device id there either the node waits
 * for provisioning. Its P-256 key is drawn from the hardware random generator the first time
 * it is needed and kept in NVS ("device_key"); the private key never leaves the chip. */
typedef struct {
    /* Provisioned over USB (not from menuconfig). */
    bool provisioned;
    /* Has an identity at all; false: wait for provisioning. */
    bool configured;
    char device_id[32];
    uint8_t device_key[EDGE_PRIVATE_KEY_BYTES];
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    bool has_gateway_key;
    uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES];
    edge_link_mode mode;
    uint32_t interval_ms;
    /* MQTT over Wi-Fi; the strings stay valid for the program's life. */
    const char *wifi_ssid;
    const char *wifi_password;
    const char *mqtt_uri;
    const char *mqtt_username; /* NULL: no credentials */
    const char *mqtt_password;
    const uint8_t *mqtt_ca_der; /* NULL: the broker's certificate is not checked against a CA of ours */
    size_t mqtt_ca_der_len;
} identity;

esp_err_t identity_load(const edge_storage *storage, const edge_rng *rng, identity *id);

/* The provisioner's device-key hook (ctx: the edge_storage): the key in NVS, drawn and stored
 * first when there is none. */
int identity_device_key(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES]);

#endif
