#ifndef SIM_LINK_EVENTS_H
#define SIM_LINK_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* What a transport reports to the simulated device: one event of a kind, with what that kind
 * carries. */
typedef enum {
    LINK_EVENT_UP,
    LINK_EVENT_DOWN,           /* reason */
    LINK_EVENT_CONNECT_FAILED, /* reason */
    /* MQTT: a SignedCommand arrived (bytes, len). */
    LINK_EVENT_COMMAND,
    /* Serial and BLE: a packet arrived (bytes, len), a GatewayMessage unless the peer misbehaves. */
    LINK_EVENT_MESSAGE,
    /* The gateway confirmed the last frame sent (MQTT PUBACK). */
    LINK_EVENT_DELIVERED,
    /* Bytes that did not form a packet (serial framing errors): reason, len. */
    LINK_EVENT_DROPPED,
} link_event_kind;

typedef struct {
    link_event_kind kind;
    const char *reason;
    const uint8_t *bytes;
    size_t len;
} link_event;

typedef struct {
    void *ctx;
    void (*report)(void *ctx, const link_event *event);
} link_events;

static inline void link_events_report(const link_events *events, link_event event)
{
    events->report(events->ctx, &event);
}

#endif
