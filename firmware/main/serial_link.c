#include "link.h"

#include "app_queue.h"
#include "edge/link_message.h"
#include "usb_serial.h"

/* Frames over the USB serial line (usb_serial.c owns the UART): each SignedFrame in a
 * DeviceMessage, kept by the node until the gateway's FrameAck arrives. */

static esp_err_t serial_start(const identity *me)
{
    (void)me;
    return ESP_OK;
}

static void serial_connect(edge_device_state state)
{
    (void)state;
    /* A UART has no connection: the line is always there. */
    app_post(APP_LINK_UP);
}

static edge_send_result serial_send(edge_topic topic, const uint8_t *bytes, size_t len)
{
    (void)topic;
    uint8_t message[EDGE_DEVICE_MESSAGE_MAX_BYTES];
    const size_t message_len = edge_device_message_frame(bytes, len, message, sizeof message);
    return message_len > 0 && usb_serial_write(message, message_len) ? EDGE_SEND_PENDING : EDGE_SEND_FAILED;
}

const link_ops SERIAL_LINK = {
    .name = "serial",
    .start = serial_start,
    .connect = serial_connect,
    .send = serial_send,
};
