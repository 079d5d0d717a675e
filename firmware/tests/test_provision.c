#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>

#include "edge/link_message.h"
#include "edge/provision.h"
#include "edge/settings.h"
#include "edge/status.h"
#include "harness.h"
#include "mem_storage.h"
#include "test_rng.h"
#include "test_vectors.h"

/* The device's key store: the test device key, or none until the core asks for one. */
typedef struct {
    bool has_key;
    uint8_t key[EDGE_PRIVATE_KEY_BYTES];
    unsigned created;
    bool fail;
} key_store;

static mem_storage mem;
static key_store keys;
static edge_rng rng;
static edge_provisioner provisioner;
static edge_provisioning work;
static uint8_t answer[EDGE_PROVISION_ANSWER_MAX_BYTES];
static edge_provision_response response;

static int device_key(void *ctx, uint8_t private_key[EDGE_PRIVATE_KEY_BYTES])
{
    key_store *k = ctx;
    if (k->fail) {
        return EDGE_ERR_CRYPTO;
    }
    if (!k->has_key) {
        const int rc = edge_key_generate(&rng, k->key);
        if (rc != EDGE_OK) {
            return rc;
        }
        k->has_key = true;
        k->created++;
    }
    memcpy(private_key, k->key, EDGE_PRIVATE_KEY_BYTES);
    return EDGE_OK;
}

/* A device fresh from the factory, holding the test device key unless with_key is false. */
static void factory(bool with_key)
{
    mem_storage_init(&mem);
    memset(&keys, 0, sizeof keys);
    if (with_key) {
        memcpy(keys.key, TV_DEVICE_PRIVATE_KEY.data, EDGE_PRIVATE_KEY_BYTES);
        keys.has_key = true;
    }
    rng = test_rng(5);
    provisioner = (edge_provisioner){.storage = &mem.storage,
                                     .rng = &rng,
                                     .firmware_version = TV_FIRMWARE_VERSION,
                                     .device_key = device_key,
                                     .ctx = &keys};
}

/* Sends a request; returns the outcome, with the decoded answer in `response`. */
static edge_provision_outcome provision(const uint8_t *request, size_t len, bool window_open, size_t *answer_len)
{
    edge_provision_outcome outcome;
    size_t local_len = 0;
    size_t *out_len = answer_len != NULL ? answer_len : &local_len;
    CHECK_EQ(edge_provision_answer(&provisioner, window_open, request, len, &work, answer, sizeof answer, out_len,
                                   &outcome),
             EDGE_OK);
    intelledger_device_v1_DeviceMessage message = intelledger_device_v1_DeviceMessage_init_zero;
    pb_istream_t stream = pb_istream_from_buffer(answer, *out_len);
    CHECK(pb_decode(&stream, intelledger_device_v1_DeviceMessage_fields, &message));
    CHECK_EQ(message.which_body, intelledger_device_v1_DeviceMessage_provision_response_tag);
    response = message.body.provision_response;
    CHECK_EQ(response.result, outcome.result);
    return outcome;
}

static uint64_t stored_u64(const char *key)
{
    uint64_t value = 0;
    CHECK_EQ(edge_storage_read_u64(&mem.storage, key, &value), EDGE_OK);
    return value;
}

static void vectors(void)
{
    for (size_t i = 0; i < TV_PROVISION_COUNT; i++) {
        const tv_provision *v = &TV_PROVISIONS[i];
        harness_case(v->name);
        factory(true);
        size_t len = 0;
        const edge_provision_outcome outcome = provision(v->request.data, v->request.len, false, &len);
        CHECK_EQ(outcome.result, EDGE_PROVISION_PROVISIONED);
        CHECK(outcome.restart);
        /* Deterministic signature: the whole answer is the vector, byte for byte. */
        CHECK_MEM(answer, len, v->response_device_message.data, v->response_device_message.len);
        CHECK_MEM(work.bytes, work.len, v->request.data, v->request.len);

        static edge_provisioning loaded;
        CHECK_EQ(edge_provisioning_load(&mem.storage, &loaded), EDGE_OK);
        CHECK_MEM(loaded.bytes, loaded.len, v->request.data, v->request.len);
        CHECK_EQ(stored_u64(EDGE_KEY_INTERVAL), loaded.request.sampling_interval_ms);
        CHECK_EQ(keys.created, 0);
    }
}

static void invalid_requests(void)
{
    for (size_t i = 0; i < TV_BAD_PROVISION_COUNT; i++) {
        const tv_bad_provision *v = &TV_BAD_PROVISIONS[i];
        harness_case(v->name);
        factory(true);
        const edge_provision_outcome outcome = provision(v->request.data, v->request.len, false, NULL);
        CHECK_EQ(outcome.result, EDGE_PROVISION_INVALID);
        CHECK(!outcome.restart);
        CHECK(strncmp(response.detail, v->field, strlen(v->field)) == 0 && response.detail[strlen(v->field)] == ':');
        CHECK_EQ(response.signature.size, 0);
        CHECK_EQ(mem.writes, 0);
    }
}

static void lock_and_window(void)
{
    const tv_provision *serial = &TV_PROVISIONS[0];
    const tv_provision *ble = &TV_PROVISIONS[1];

    harness_case("a provisioned device answers the same request again, changing nothing");
    factory(true);
    size_t first_len = 0;
    provision(serial->request.data, serial->request.len, false, &first_len);
    const unsigned writes = mem.writes;
    size_t again_len = 0;
    const edge_provision_outcome again = provision(serial->request.data, serial->request.len, false, &again_len);
    CHECK_EQ(again.result, EDGE_PROVISION_PROVISIONED);
    CHECK(!again.restart);
    CHECK_MEM(answer, again_len, serial->response_device_message.data, serial->response_device_message.len);
    CHECK_EQ(mem.writes, writes);

    harness_case("another request is locked out while the window is closed");
    CHECK_EQ(edge_storage_write_u64(&mem.storage, EDGE_KEY_COMMAND_ID, 41), EDGE_OK);
    const unsigned before = mem.writes;
    edge_provision_outcome outcome = provision(ble->request.data, ble->request.len, false, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_LOCKED);
    CHECK(!outcome.restart);
    CHECK_STR(response.device_id, "esp32-test-01");
    CHECK_EQ(response.nonce.size, EDGE_PROVISION_NONCE_BYTES);
    CHECK_EQ(response.public_key.size, 0);
    CHECK_EQ(response.signature.size, 0);
    CHECK_EQ(mem.writes, before);
    static edge_provisioning loaded;
    CHECK_EQ(edge_provisioning_load(&mem.storage, &loaded), EDGE_OK);
    CHECK_MEM(loaded.bytes, loaded.len, serial->request.data, serial->request.len);

    harness_case("with the window open it is taken; the same gateway keeps its command id");
    outcome = provision(ble->request.data, ble->request.len, true, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_PROVISIONED);
    CHECK(outcome.restart);
    CHECK_EQ(edge_provisioning_load(&mem.storage, &loaded), EDGE_OK);
    CHECK_EQ(loaded.request.which_link, intelledger_device_v1_ProvisionRequest_ble_tag);
    CHECK_EQ(stored_u64(EDGE_KEY_INTERVAL), 500);
    CHECK_EQ(stored_u64(EDGE_KEY_COMMAND_ID), 41);

    harness_case("a new gateway key resets the command id and the thresholds");
    static edge_thresholds bounds = intelledger_device_v1_SetThresholds_init_zero;
    bounds.thresholds_count = 1;
    bounds.thresholds[0].channel = EDGE_CHANNEL_TEMPERATURE;
    bounds.thresholds[0].max_value = 100;
    static edge_settings settings;
    CHECK_EQ(edge_settings_set_thresholds(&settings, &mem.storage, &bounds), EDGE_OK);
    static edge_provisioning other;
    memcpy(&other, &loaded, sizeof other);
    memcpy(other.request.gateway_command_key.bytes, TV_DEVICE_PUBLIC_KEY.data, EDGE_PUBLIC_KEY_BYTES);
    static uint8_t encoded[EDGE_PROVISION_REQUEST_MAX_BYTES];
    pb_ostream_t stream = pb_ostream_from_buffer(encoded, sizeof encoded);
    CHECK(pb_encode(&stream, intelledger_device_v1_ProvisionRequest_fields, &other.request));
    outcome = provision(encoded, stream.bytes_written, true, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_PROVISIONED);
    CHECK_EQ(stored_u64(EDGE_KEY_COMMAND_ID), 0);
    CHECK_EQ(edge_settings_load(&settings, &mem.storage, 1000), EDGE_OK);
    CHECK_EQ(settings.thresholds.thresholds_count, 0);
}

/* Sends a valid request to a device where something fails: the answer is FAILED, nothing
 * restarts and the device stays unprovisioned. */
static void check_provisioning_fails(void)
{
    const tv_provision *v = &TV_PROVISIONS[0];
    const edge_provision_outcome outcome = provision(v->request.data, v->request.len, false, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_FAILED);
    CHECK(!outcome.restart);
    CHECK_EQ(edge_provisioning_load(&mem.storage, &work), EDGE_ERR_NOT_FOUND);
}

static void key_and_failures(void)
{
    harness_case("a device without a key makes one and proves it holds it");
    factory(false);
    const tv_provision *v = &TV_PROVISIONS[0];
    edge_provision_outcome outcome = provision(v->request.data, v->request.len, false, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_PROVISIONED);
    CHECK_EQ(keys.created, 1);
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    CHECK_EQ(edge_key_public(keys.key, &rng, public_key), EDGE_OK);
    CHECK_MEM(response.public_key.bytes, response.public_key.size, public_key, sizeof public_key);
    /* The proof: tag, SHA-256 of the request, the public key, the firmware version. */
    uint8_t proof[32 + EDGE_SHA256_BYTES + EDGE_PUBLIC_KEY_BYTES + 24];
    memcpy(proof, EDGE_PROVISION_PROOF_TAG, 32);
    CHECK_EQ(edge_sha256(v->request.data, v->request.len, proof + 32), EDGE_OK);
    memcpy(proof + 64, public_key, sizeof public_key);
    memcpy(proof + 64 + sizeof public_key, TV_FIRMWARE_VERSION, strlen(TV_FIRMWARE_VERSION));
    CHECK(edge_verify(public_key, proof, 64 + sizeof public_key + strlen(TV_FIRMWARE_VERSION), response.signature.bytes));
    CHECK(!edge_verify(TV_DEVICE_PUBLIC_KEY.data, proof, 64 + sizeof public_key + strlen(TV_FIRMWARE_VERSION),
                       response.signature.bytes));

    harness_case("the proof is no protobuf: it can never pass for a signed frame");
    static edge_device_frame frame;
    pb_istream_t stream = pb_istream_from_buffer(proof, sizeof proof);
    CHECK(!pb_decode(&stream, intelledger_device_v1_DeviceFrame_fields, &frame));

    harness_case("no key, no provisioning");
    factory(false);
    keys.fail = true;
    check_provisioning_fails();
    CHECK(strncmp(response.detail, "device key:", 11) == 0);

    harness_case("storage that fails leaves the device unprovisioned");
    factory(true);
    mem.fail_writes = true;
    check_provisioning_fails();

    harness_case("a stored provisioning that no longer decodes leaves the device provisionable");
    factory(true);
    const uint8_t garbage[] = {0xff, 0xff};
    CHECK_EQ(mem.storage.write(mem.storage.ctx, EDGE_KEY_PROVISIONING, garbage, sizeof garbage), EDGE_OK);
    CHECK_EQ(edge_provisioning_load(&mem.storage, &work), EDGE_ERR_DECODE);
    outcome = provision(v->request.data, v->request.len, false, NULL);
    CHECK_EQ(outcome.result, EDGE_PROVISION_PROVISIONED);

    harness_case("an answer that does not fit is an error, not a truncated packet");
    factory(true);
    size_t len = 0;
    edge_provision_outcome ignored;
    CHECK_EQ(edge_provision_answer(&provisioner, false, v->request.data, v->request.len, &work, answer, 10, &len,
                                   &ignored),
             EDGE_ERR_ENCODE);
}

int main(void)
{
    vectors();
    invalid_requests();
    lock_and_window();
    key_and_failures();
    return harness_finish("provision");
}
