#ifndef SIM_SERIAL_LINK_H
#define SIM_SERIAL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framed_stream.h"

/* A serial port (or pty) carrying COBS/CRC-framed DeviceMessages out and GatewayMessages in, at
 * 115200 8N1. The port may vanish (an unplugged cable, a socat pair going away) and come back
 * under the same path. */
typedef struct {
    const char *path;
    framed_stream stream;
} serial_link;

void serial_link_init(serial_link *link, const char *path, const link_events *events);

/* Opens the port when it exists; true when it is open. */
bool serial_link_open(serial_link *link);

bool serial_link_is_open(const serial_link *link);

/* Waits up to timeout_ms for input and handles it. */
void serial_link_poll(serial_link *link, int timeout_ms);

/* Writes one framed payload; false (and the link closed) when the port is gone or stuck. */
bool serial_link_send(serial_link *link, const uint8_t *payload, size_t len);

void serial_link_close(serial_link *link, const char *reason);

#endif
