#ifndef SIM_BLE_RADIO_LINK_H
#define SIM_BLE_RADIO_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framed_stream.h"

/* BLE without a radio: the device is a peripheral that "advertises" by listening on the Unix
 * socket DIR/<device id>.sock; a central (the gateway's simulated BLE central) connects to it.
 * The socket carries what the air would, as messages of one type byte, a 2-byte big-endian
 * length and the value:
 *   'A' peripheral -> central, first: the ATT MTU (2 bytes, big-endian) and the local name
 *   'N' peripheral -> central: one notification of the frame characteristic (at most MTU - 3)
 *   'W' central -> peripheral: one write to the command characteristic (at most MTU - 3)
 * Both characteristics carry the serial framing as a byte stream, as on a real device. One
 * central at a time; the link is up while it is connected. */
typedef struct {
    char path[4200];
    char name[32];
    uint16_t mtu;
    int listen_fd;
    /* The connected central's socket. */
    framed_stream central;
    uint8_t inbox[3 + 517];
    size_t inbox_len;
} ble_radio_link;

/* Starts advertising; false with a message on stderr when the socket cannot be made. */
bool ble_radio_link_start(ble_radio_link *link, const char *dir, const char *device_id, uint16_t mtu,
                          const link_events *events);

bool ble_radio_link_is_connected(const ble_radio_link *link);

/* Waits up to timeout_ms for a central or its writes and handles them. */
void ble_radio_link_poll(ble_radio_link *link, int timeout_ms);

/* Notifies one framed payload in MTU-sized chunks; false (and the central dropped) on failure. */
bool ble_radio_link_send(ble_radio_link *link, const uint8_t *payload, size_t len);

/* Stops advertising and drops the central. */
void ble_radio_link_stop(ble_radio_link *link);

#endif
