#ifndef SIM_LINK_EVENTS_H
#define SIM_LINK_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* What a transport reports to the simulated device. */
typedef struct {
    void *ctx;
    void (*up)(void *ctx);
    void (*down)(void *ctx, const char *reason);
    void (*connect_failed)(void *ctx, const char *reason);
    /* MQTT: a SignedCommand arrived. */
    void (*command)(void *ctx, const uint8_t *bytes, size_t len);
    /* Serial and BLE: a packet arrived, a GatewayMessage unless the peer misbehaves. */
    void (*message)(void *ctx, const uint8_t *bytes, size_t len);
    /* The gateway confirmed the last frame sent (MQTT PUBACK). */
    void (*delivered)(void *ctx);
    /* Bytes that did not form a packet (serial framing errors). */
    void (*dropped)(void *ctx, const char *error, size_t len);
} link_events;

#endif
