#include "link.h"

#include "sdkconfig.h"

#if CONFIG_BT_NIMBLE_ENABLED

#include <stdatomic.h>
#include <string.h>

#include "app_queue.h"
#include "edge/link_message.h"
#include "edge/serial_framing.h"
#include "esp_log.h"
#include "host/ble_hs.h"
#include "host/util/util.h"
#include "nimble/nimble_port.h"
#include "nimble/nimble_port_freertos.h"
#include "services/gap/ble_svc_gap.h"
#include "services/gatt/ble_svc_gatt.h"

/* The GATT service of docs/wire-formats.md: DeviceMessages (frames) go out as notifications of
 * 6e1f0002, GatewayMessages (FrameAcks, commands) come in as writes to 6e1f0003, both as the
 * serial framing's byte stream cut to the MTU. Provisioning is USB's only. UUIDs are
 * little-endian in NimBLE. */
#define UUID_COMMON_LE 0x6e, 0x5d, 0x4c, 0x3b, 0x2a, 0x1d, 0x4e, 0x9c, 0x62, 0x4f, 0x3b, 0x8c
static const ble_uuid128_t SERVICE_UUID = BLE_UUID128_INIT(UUID_COMMON_LE, 0x01, 0x00, 0x1f, 0x6e);
static const ble_uuid128_t NOTIFY_UUID = BLE_UUID128_INIT(UUID_COMMON_LE, 0x02, 0x00, 0x1f, 0x6e);
static const ble_uuid128_t WRITE_UUID = BLE_UUID128_INIT(UUID_COMMON_LE, 0x03, 0x00, 0x1f, 0x6e);

static const char *TAG = "ble";
static const char *name;
static uint16_t notify_handle;
static atomic_uint_fast16_t connection = BLE_HS_CONN_HANDLE_NONE;
static atomic_uint_fast16_t mtu = BLE_ATT_MTU_DFLT;
static atomic_bool subscribed;
static edge_serial_decoder decoder;
static uint8_t own_address_type;

static void on_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    (void)ctx;
    edge_gateway_message message;
    if (status != EDGE_PACKET_OK || edge_gateway_message_parse(payload, len, &message) != EDGE_OK) {
        return;
    }
    if (message.kind == EDGE_GATEWAY_SIGNED_COMMAND) {
        app_post_command(message.body, message.body_len);
    } else if (message.kind == EDGE_GATEWAY_FRAME_ACK) {
        app_post_frame_ack(&message.ack);
    }
}

static int access_characteristic(uint16_t conn_handle, uint16_t attr_handle, struct ble_gatt_access_ctxt *ctxt,
                                 void *arg)
{
    (void)conn_handle;
    (void)attr_handle;
    (void)arg;
    if (ctxt->op != BLE_GATT_ACCESS_OP_WRITE_CHR) {
        return BLE_ATT_ERR_UNLIKELY;
    }
    uint8_t chunk[BLE_ATT_ATTR_MAX_LEN];
    uint16_t len = 0;
    if (ble_hs_mbuf_to_flat(ctxt->om, chunk, sizeof chunk, &len) != 0) {
        return BLE_ATT_ERR_INVALID_ATTR_VALUE_LEN;
    }
    edge_serial_decoder_push(&decoder, chunk, len, on_packet, NULL);
    return 0;
}

static const struct ble_gatt_svc_def SERVICES[] = {
    {
        .type = BLE_GATT_SVC_TYPE_PRIMARY,
        .uuid = &SERVICE_UUID.u,
        .characteristics =
            (struct ble_gatt_chr_def[]){
                {
                    .uuid = &NOTIFY_UUID.u,
                    .access_cb = access_characteristic,
                    .flags = BLE_GATT_CHR_F_NOTIFY,
                    .val_handle = &notify_handle,
                },
                {
                    .uuid = &WRITE_UUID.u,
                    .access_cb = access_characteristic,
                    .flags = BLE_GATT_CHR_F_WRITE | BLE_GATT_CHR_F_WRITE_NO_RSP,
                },
                {0},
            },
    },
    {0},
};

static int on_gap_event(struct ble_gap_event *event, void *arg);

static void advertise(void)
{
    /* The device id as the local name in the advertisement, the service in the scan response. */
    struct ble_hs_adv_fields fields = {0};
    fields.flags = BLE_HS_ADV_F_DISC_GEN | BLE_HS_ADV_F_BREDR_UNSUP;
    fields.name = (const uint8_t *)name;
    fields.name_len = (uint8_t)strlen(name);
    fields.name_is_complete = 1;
    struct ble_hs_adv_fields response = {0};
    response.uuids128 = &SERVICE_UUID;
    response.num_uuids128 = 1;
    response.uuids128_is_complete = 1;
    struct ble_gap_adv_params params = {0};
    params.conn_mode = BLE_GAP_CONN_MODE_UND;
    params.disc_mode = BLE_GAP_DISC_MODE_GEN;
    int rc = ble_gap_adv_set_fields(&fields);
    if (rc == 0) {
        rc = ble_gap_adv_rsp_set_fields(&response);
    }
    if (rc == 0) {
        rc = ble_gap_adv_start(own_address_type, NULL, BLE_HS_FOREVER, &params, on_gap_event, NULL);
    }
    if (rc != 0 && rc != BLE_HS_EALREADY) {
        ESP_LOGW(TAG, "cannot advertise: %d", rc);
    }
}

static int on_gap_event(struct ble_gap_event *event, void *arg)
{
    (void)arg;
    switch (event->type) {
    case BLE_GAP_EVENT_CONNECT:
        if (event->connect.status == 0) {
            atomic_store(&connection, event->connect.conn_handle);
            edge_serial_decoder_reset(&decoder);
        } else {
            advertise();
        }
        break;
    case BLE_GAP_EVENT_DISCONNECT:
        atomic_store(&connection, BLE_HS_CONN_HANDLE_NONE);
        atomic_store(&mtu, BLE_ATT_MTU_DFLT);
        if (atomic_exchange(&subscribed, false)) {
            app_post(APP_LINK_DOWN);
        }
        advertise();
        break;
    case BLE_GAP_EVENT_SUBSCRIBE:
        if (event->subscribe.attr_handle == notify_handle) {
            const bool now = event->subscribe.cur_notify;
            if (atomic_exchange(&subscribed, now) != now) {
                app_post(now ? APP_LINK_UP : APP_LINK_DOWN);
            }
        }
        break;
    case BLE_GAP_EVENT_MTU:
        atomic_store(&mtu, event->mtu.value);
        break;
    case BLE_GAP_EVENT_ADV_COMPLETE:
        advertise();
        break;
    default:
        break;
    }
    return 0;
}

static void on_sync(void)
{
    if (ble_hs_id_infer_auto(0, &own_address_type) == 0) {
        advertise();
    }
}

static void host_task(void *arg)
{
    (void)arg;
    nimble_port_run();
    nimble_port_freertos_deinit();
}

static esp_err_t ble_start(const identity *me)
{
    name = me->device_id;
    edge_serial_decoder_reset(&decoder);
    esp_err_t err = nimble_port_init();
    if (err != ESP_OK) {
        return err;
    }
    ble_hs_cfg.sync_cb = on_sync;
    ble_svc_gap_init();
    ble_svc_gatt_init();
    int rc = ble_gatts_count_cfg(SERVICES);
    if (rc == 0) {
        rc = ble_gatts_add_svcs(SERVICES);
    }
    if (rc == 0) {
        rc = ble_svc_gap_device_name_set(me->device_id);
    }
    if (rc != 0) {
        return ESP_FAIL;
    }
    nimble_port_freertos_init(host_task);
    return ESP_OK;
}

static void ble_connect(edge_device_state state)
{
    (void)state;
    /* A central connects when it will; until then the node advertises and buffers. */
    if (atomic_load(&subscribed)) {
        app_post(APP_LINK_UP);
    }
}

static edge_send_result ble_send(edge_topic topic, const uint8_t *bytes, size_t len)
{
    (void)topic;
    uint8_t message[EDGE_DEVICE_MESSAGE_MAX_BYTES];
    uint8_t wire[EDGE_COBS_MAX_ENCODED(EDGE_DEVICE_MESSAGE_MAX_BYTES + EDGE_SERIAL_CRC_BYTES) + 1];
    const size_t message_len = edge_device_message_frame(bytes, len, message, sizeof message);
    const size_t wire_len = message_len > 0 ? edge_serial_encode(message, message_len, wire, sizeof wire) : 0;
    const uint16_t handle = (uint16_t)atomic_load(&connection);
    const size_t chunk = (size_t)atomic_load(&mtu) - 3;
    if (wire_len == 0 || handle == BLE_HS_CONN_HANDLE_NONE || !atomic_load(&subscribed)) {
        return EDGE_SEND_FAILED;
    }
    for (size_t offset = 0; offset < wire_len; offset += chunk) {
        const size_t n = wire_len - offset < chunk ? wire_len - offset : chunk;
        struct os_mbuf *om = ble_hs_mbuf_from_flat(wire + offset, (uint16_t)n);
        if (om == NULL || ble_gatts_notify_custom(handle, notify_handle, om) != 0) {
            return EDGE_SEND_FAILED;
        }
    }
    /* The gateway's FrameAck comes back through the write characteristic. */
    return EDGE_SEND_PENDING;
}

const link_ops BLE_LINK = {
    .name = "ble",
    .start = ble_start,
    .connect = ble_connect,
    .send = ble_send,
};

#endif
