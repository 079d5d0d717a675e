#ifndef EDGE_PROVISION_H
#define EDGE_PROVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/crypto.h"
#include "edge/storage.h"
#include "edge/wire.h"

/* USB provisioning, the device's side (docs/wire-formats.md, "Provisioning"). A device takes a
 * ProvisionRequest when it was never provisioned, or while its provisioning window is open
 * (a physical trigger: the provisioning button); otherwise it answers LOCKED. A request
 * identical to the one it was provisioned with is answered PROVISIONED again (its first answer
 * was lost). Taking a request stores its bytes under EDGE_KEY_PROVISIONING, after the interval;
 * when the gateway key changes, the last command id and the thresholds are reset. */

#define EDGE_KEY_PROVISIONING "provisioning"
#define EDGE_PROVISION_NONCE_BYTES 32
/* The first 32 bytes of what the device signs; its 15th byte makes it invalid protobuf. */
#define EDGE_PROVISION_PROOF_TAG "IntelLedger Edge provisioning v1"
#define EDGE_PROVISION_ANSWER_MAX_BYTES (intelledger_device_v1_ProvisionResponse_size + 3)

/* A provisioning: the request bytes a device took and their decoded form. About 3.6 KB:
 * allocate it statically. */
typedef struct {
    uint8_t bytes[EDGE_PROVISION_REQUEST_MAX_BYTES];
    size_t len;
    edge_provision_request request;
} edge_provisioning;

/* Reads the device's provisioning; EDGE_ERR_NOT_FOUND when it was never provisioned,
 * EDGE_ERR_DECODE when what is stored does not decode (the device is then provisionable). */
int edge_provisioning_load(const edge_storage *storage, edge_provisioning *provisioning);

/* NULL when the device accepts the request's values, else "field: rule" (the field as named
 * in the .proto, e.g. "wifi_mqtt.mqtt_port"). */
const char *edge_provision_check(const edge_provision_request *request);

typedef struct {
    const edge_storage *storage;
    const edge_rng *rng;
    const char *firmware_version;
    /* Copies the device's private key, drawing and storing one when it has none. */
    int (*device_key)(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES]);
    void *ctx;
} edge_provisioner;

typedef struct {
    edge_provision_result result;
    /* New settings were stored: restart the device, once the answer is out, to apply them. */
    bool restart;
    /* What was wrong, as in the answer; NULL with PROVISIONED. */
    const char *detail;
} edge_provision_outcome;

/* Answers one ProvisionRequest (the body of GatewayMessage.provision_request): writes the
 * DeviceMessage carrying the ProvisionResponse into answer (cap bytes,
 * EDGE_PROVISION_ANSWER_MAX_BYTES suffice) and its length into *answer_len. window_open: the
 * provisioning window is open. work is scratch space; after PROVISIONED it holds the device's
 * provisioning. Returns EDGE_OK whenever an answer was written, whatever its result. */
int edge_provision_answer(const edge_provisioner *provisioner, bool window_open, const uint8_t *request, size_t len,
                          edge_provisioning *work, uint8_t *answer, size_t cap, size_t *answer_len,
                          edge_provision_outcome *outcome);

/* "provisioned", "locked", "invalid", "failed". */
const char *edge_provision_result_name(edge_provision_result result);

#endif
