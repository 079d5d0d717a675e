#ifndef EDGE_STATE_MACHINE_H
#define EDGE_STATE_MACHINE_H

#include <stdbool.h>

#include "edge/wire.h"

/* The device's main loop as a pure transition function over the DeviceState enum of the
 * wire format. Sampling never stops: a device without a link keeps reading its sensors into
 * the ring buffer (in RETRY or a connecting state) and publishes the backlog once linked. */

typedef enum {
    EDGE_LINK_MQTT,   /* Wi-Fi, then an MQTT session */
    EDGE_LINK_SERIAL, /* USB-UART */
    EDGE_LINK_BLE,    /* a central subscribed to the notify characteristic */
} edge_link_mode;

typedef enum {
    EDGE_EV_DONE,           /* the state's own work finished */
    EDGE_EV_FAILED,         /* the state's own work failed */
    EDGE_EV_NETWORK_UP,     /* Wi-Fi associated with an address */
    EDGE_EV_NETWORK_DOWN,   /* Wi-Fi lost (and with it the link) */
    EDGE_EV_LINK_UP,        /* the transport can carry frames */
    EDGE_EV_LINK_DOWN,      /* the transport went away */
    EDGE_EV_CONNECT_FAILED, /* a connection attempt failed or timed out */
    EDGE_EV_SAMPLE_DUE,     /* the sampling interval elapsed */
    EDGE_EV_RETRY_DUE,      /* the reconnection back-off elapsed */
    EDGE_EV_OUTBOX,         /* something is waiting to be sent */
} edge_event;

typedef struct {
    edge_link_mode mode;
    bool network_up;
    bool link_up;
    /* Readings, acknowledgements or status waiting to be sent. */
    bool backlog;
} edge_state_inputs;

/* The state after ev in state; the same state when ev changes nothing there. RETRY followed
 * by EDGE_EV_RETRY_DUE on serial and BLE stays in RETRY: the caller re-enters it to make
 * another attempt. */
edge_device_state edge_state_next(edge_device_state state, edge_event ev, const edge_state_inputs *in);

/* "INIT", "CONNECT_WIFI", ...: the DeviceState names without their prefix. */
const char *edge_state_name(edge_device_state state);

#endif
