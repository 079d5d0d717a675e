#ifndef USB_SERIAL_H
#define USB_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/storage.h"
#include "esp_err.h"

/* The USB serial line (CONFIG_EDGE_USB_UART_NUM, the UART behind the board's USB bridge), in
 * the serial framing. Provisioning requests are answered here whatever the device's transport
 * (see edge/provision.h and provisioning_button.h); a device that took new settings restarts
 * once its answer is out. With frames_on_line (serial mode) it also carries the node's frames
 * out and their FrameAcks and signed commands in (posted to the app queue); otherwise those are
 * ignored and log lines share the line, between packets, which the framing tolerates. */
typedef struct {
    const edge_storage *storage;
    const char *firmware_version;
    bool frames_on_line;
} usb_serial_config;

esp_err_t usb_serial_start(const usb_serial_config *config);

/* Writes one payload, framed, in one piece; false when the UART did not take it all. */
bool usb_serial_write(const uint8_t *payload, size_t len);

#endif
