#include "edge/provision.h"

#include <pb_decode.h>
#include <string.h>

#include "edge/frame.h"
#include "edge/link_message.h"
#include "edge/names.h"
#include "edge/settings.h"
#include "edge/status.h"

_Static_assert(sizeof EDGE_PROVISION_PROOF_TAG - 1 == 32, "the proof tag is 32 bytes");
_Static_assert(EDGE_PROVISION_REQUEST_MAX_BYTES == sizeof(((intelledger_device_v1_GatewayMessage *)0)->body.provision_request.bytes),
               "a GatewayMessage carries the largest request");

#define MAX_CA_CERTIFICATE_BYTES 1280
#define PROOF_MAX_BYTES (32 + EDGE_SHA256_BYTES + EDGE_PUBLIC_KEY_BYTES + sizeof(((edge_provision_response *)0)->firmware_version))

static bool in_set(const char *text, const char *extra)
{
    for (const char *c = text; *c != '\0'; c++) {
        const bool alnum = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
        if (!alnum && strchr(extra, *c) == NULL) {
            return false;
        }
    }
    return true;
}

static bool printable_ascii(const char *text)
{
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            return false;
        }
    }
    return true;
}

/* One DER SEQUENCE spanning all the bytes, as an X.509 certificate is (PEM is not). */
static bool der_sequence(const uint8_t *bytes, size_t len)
{
    if (len < 2 || bytes[0] != 0x30) {
        return false;
    }
    if (bytes[1] < 0x80) {
        return 2u + bytes[1] == len;
    }
    const size_t length_bytes = bytes[1] & 0x7f;
    if (length_bytes < 1 || length_bytes > 2 || len < 2 + length_bytes) {
        return false;
    }
    size_t length = 0;
    for (size_t i = 0; i < length_bytes; i++) {
        length = length * 256 + bytes[2 + i];
    }
    return 2 + length_bytes + length == len;
}

static const char *check_wifi_mqtt(const intelledger_device_v1_WifiMqttLinkSettings *w)
{
    const size_t ssid = strlen(w->wifi_ssid);
    const size_t password = strlen(w->wifi_password);
    const size_t host = strlen(w->mqtt_host);
    if (ssid < 1 || ssid > 32) {
        return "wifi_mqtt.wifi_ssid: must be 1 to 32 bytes";
    }
    if (password != 0 && (password < 8 || password > 63 || !printable_ascii(w->wifi_password))) {
        return "wifi_mqtt.wifi_password: empty or 8 to 63 printable ASCII";
    }
    if (host < 1 || host > 64 || !in_set(w->mqtt_host, "._:-")) {
        return "wifi_mqtt.mqtt_host: 1 to 64 of A-Z a-z 0-9 . _ : -";
    }
    if (w->mqtt_port < 1 || w->mqtt_port > 65535) {
        return "wifi_mqtt.mqtt_port: must be 1 to 65535";
    }
    if (w->mqtt_ca_certificate.size > MAX_CA_CERTIFICATE_BYTES ||
        (w->mqtt_ca_certificate.size > 0 && !der_sequence(w->mqtt_ca_certificate.bytes, w->mqtt_ca_certificate.size))) {
        return "wifi_mqtt.mqtt_ca_certificate: must be one DER certificate";
    }
    if (w->mqtt_password[0] != '\0' && w->mqtt_username[0] == '\0') {
        return "wifi_mqtt.mqtt_password: needs a user name";
    }
    return NULL;
}

const char *edge_provision_check(const edge_provision_request *r)
{
    if (r->nonce.size != EDGE_PROVISION_NONCE_BYTES) {
        return "nonce: must be 32 bytes";
    }
    if (!edge_device_id_valid(r->device_id)) {
        return "device_id: 1 to 31 of A-Z a-z 0-9 . _ -";
    }
    if (r->gateway_command_key.size != EDGE_PUBLIC_KEY_BYTES || !edge_public_key_valid(r->gateway_command_key.bytes)) {
        return "gateway_command_key: must be a P-256 point (65 bytes, 04...)";
    }
    if (!edge_interval_valid(r->sampling_interval_ms)) {
        return "sampling_interval_ms: must be 100 to 3600000";
    }
    switch (r->which_link) {
    case intelledger_device_v1_ProvisionRequest_serial_tag:
    case intelledger_device_v1_ProvisionRequest_ble_tag:
        return NULL;
    case intelledger_device_v1_ProvisionRequest_wifi_mqtt_tag:
        return check_wifi_mqtt(&r->link.wifi_mqtt);
    default:
        return "link: must be serial, ble or wifi_mqtt";
    }
}

static bool decode_request(const uint8_t *bytes, size_t len, edge_provision_request *request)
{
    const edge_provision_request empty = intelledger_device_v1_ProvisionRequest_init_zero;
    *request = empty;
    pb_istream_t stream = pb_istream_from_buffer(bytes, len);
    return pb_decode(&stream, intelledger_device_v1_ProvisionRequest_fields, request);
}

int edge_provisioning_load(const edge_storage *storage, edge_provisioning *provisioning)
{
    int rc = storage->read(storage->ctx, EDGE_KEY_PROVISIONING, provisioning->bytes, sizeof provisioning->bytes,
                           &provisioning->len);
    if (rc != EDGE_OK) {
        return rc;
    }
    return decode_request(provisioning->bytes, provisioning->len, &provisioning->request) &&
                   edge_provision_check(&provisioning->request) == NULL
               ? EDGE_OK
               : EDGE_ERR_DECODE;
}

/* Stores the request the device takes: interval first, the request last (it is what makes the
 * device provisioned), then the resets a new gateway calls for. A power cut between them leaves
 * the old gateway's command id in place, never an old gateway able to replay its commands. */
static int store(const edge_storage *storage, const edge_provisioning *work, bool new_gateway)
{
    edge_settings settings;
    int rc = edge_settings_set_interval(&settings, storage, work->request.sampling_interval_ms);
    if (rc == EDGE_OK) {
        rc = storage->write(storage->ctx, EDGE_KEY_PROVISIONING, work->bytes, work->len);
    }
    if (rc == EDGE_OK && new_gateway) {
        const edge_thresholds none = intelledger_device_v1_SetThresholds_init_zero;
        rc = edge_storage_write_u64(storage, EDGE_KEY_COMMAND_ID, 0);
        if (rc == EDGE_OK) {
            rc = edge_settings_set_thresholds(&settings, storage, &none);
        }
    }
    return rc;
}

static int sign_proof(const edge_provisioner *p, const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES],
                      const uint8_t *request, size_t len, edge_provision_response *response)
{
    uint8_t proof[PROOF_MAX_BYTES];
    size_t at = 0;
    memcpy(proof, EDGE_PROVISION_PROOF_TAG, 32);
    at += 32;
    int rc = edge_sha256(request, len, proof + at);
    at += EDGE_SHA256_BYTES;
    memcpy(proof + at, response->public_key.bytes, EDGE_PUBLIC_KEY_BYTES);
    at += EDGE_PUBLIC_KEY_BYTES;
    const size_t version = strlen(response->firmware_version);
    memcpy(proof + at, response->firmware_version, version);
    at += version;
    if (rc == EDGE_OK) {
        rc = edge_sign(private_key, proof, at, p->rng, response->signature.bytes);
    }
    response->signature.size = rc == EDGE_OK ? EDGE_SIGNATURE_BYTES : 0;
    return rc;
}

/* Takes a request the device accepts: its key (made if needed), the settings stored unless
 * they are the ones it holds, and the signed answer. */
static const char *take(const edge_provisioner *p, const uint8_t *request, size_t len, edge_provisioning *work,
                        bool identical, bool new_gateway, edge_provision_response *response, bool *restart)
{
    uint8_t private_key[EDGE_PRIVATE_KEY_BYTES];
    if (p->device_key(p->ctx, private_key) != EDGE_OK) {
        return "device key: none could be made or read";
    }
    const char *failure = NULL;
    if (edge_key_public(private_key, p->rng, response->public_key.bytes) != EDGE_OK) {
        failure = "device key: unusable";
    } else if (!identical) {
        memcpy(work->bytes, request, len);
        work->len = len;
        if (store(p->storage, work, new_gateway) != EDGE_OK) {
            failure = "storage: settings not stored";
        }
        *restart = failure == NULL;
    }
    response->public_key.size = EDGE_PUBLIC_KEY_BYTES;
    if (failure == NULL && sign_proof(p, private_key, request, len, response) != EDGE_OK) {
        failure = "device key: signing failed";
    }
    memset(private_key, 0, sizeof private_key);
    return failure;
}

int edge_provision_answer(const edge_provisioner *provisioner, bool window_open, const uint8_t *request, size_t len,
                          edge_provisioning *work, uint8_t *answer, size_t cap, size_t *answer_len,
                          edge_provision_outcome *outcome)
{
    static const edge_provision_response empty = intelledger_device_v1_ProvisionResponse_init_zero;
    edge_provision_response response = empty;
    strncpy(response.firmware_version, provisioner->firmware_version, sizeof response.firmware_version - 1);
    outcome->restart = false;

    /* What the device holds before looking at the request. */
    char current_id[sizeof work->request.device_id] = "";
    uint8_t current_gateway[EDGE_PUBLIC_KEY_BYTES] = {0};
    const int loaded = edge_provisioning_load(provisioner->storage, work);
    /* A stored provisioning that no longer decodes counts as none, so the device can be provisioned again. */
    const bool provisioned = loaded == EDGE_OK;
    if (provisioned) {
        memcpy(current_id, work->request.device_id, sizeof current_id);
        memcpy(current_gateway, work->request.gateway_command_key.bytes, sizeof current_gateway);
    }
    const bool identical = provisioned && len == work->len && memcmp(request, work->bytes, len) == 0;

    const char *detail = NULL;
    if (loaded != EDGE_OK && loaded != EDGE_ERR_NOT_FOUND && loaded != EDGE_ERR_DECODE) {
        response.result = EDGE_PROVISION_FAILED;
        detail = "storage: the stored provisioning is unreadable";
    } else if (len > sizeof work->bytes || !decode_request(request, len, &work->request)) {
        response.result = EDGE_PROVISION_INVALID;
        detail = "request: not a ProvisionRequest within the limits";
    } else {
        if (work->request.nonce.size <= sizeof response.nonce.bytes) {
            memcpy(response.nonce.bytes, work->request.nonce.bytes, work->request.nonce.size);
            response.nonce.size = work->request.nonce.size;
        }
        detail = edge_provision_check(&work->request);
        if (detail != NULL) {
            response.result = EDGE_PROVISION_INVALID;
        } else if (provisioned && !identical && !window_open) {
            response.result = EDGE_PROVISION_LOCKED;
            memcpy(response.device_id, current_id, sizeof response.device_id);
            detail = "provisioned already: open the provisioning window";
        } else {
            const bool new_gateway =
                !provisioned || memcmp(current_gateway, work->request.gateway_command_key.bytes, EDGE_PUBLIC_KEY_BYTES) != 0;
            detail = take(provisioner, request, len, work, identical, new_gateway, &response, &outcome->restart);
            response.result = detail == NULL ? EDGE_PROVISION_PROVISIONED : EDGE_PROVISION_FAILED;
            memcpy(response.device_id, work->request.device_id, sizeof response.device_id);
        }
    }
    if (detail != NULL) {
        strncpy(response.detail, detail, sizeof response.detail - 1);
    }
    outcome->result = response.result;
    outcome->detail = detail;
    *answer_len = edge_device_message_provision(&response, answer, cap);
    return *answer_len > 0 ? EDGE_OK : EDGE_ERR_ENCODE;
}

const char *edge_provision_result_name(edge_provision_result result)
{
    static const char *const NAMES[_intelledger_device_v1_ProvisionResult_ARRAYSIZE] = {
        [EDGE_PROVISION_PROVISIONED] = "provisioned", [EDGE_PROVISION_LOCKED] = "locked",
        [EDGE_PROVISION_INVALID] = "invalid",         [EDGE_PROVISION_FAILED] = "failed",
    };
    return EDGE_NAME(NAMES, result, "unspecified");
}
