#include "edge/state_machine.h"

#include "edge/names.h"

/* Where a device waits for its next sample. */
static edge_device_state resting(const edge_state_inputs *in)
{
    return in->link_up ? EDGE_STATE_SLEEP : EDGE_STATE_RETRY;
}

/* Where a linked device goes when it has nothing else to do. */
static edge_device_state linked(const edge_state_inputs *in)
{
    return in->backlog ? EDGE_STATE_PUBLISH_DATA : EDGE_STATE_READY;
}

static edge_device_state reconnect(const edge_state_inputs *in)
{
    if (in->mode != EDGE_LINK_MQTT) {
        return EDGE_STATE_RETRY;
    }
    return in->network_up ? EDGE_STATE_CONNECT_MQTT : EDGE_STATE_CONNECT_WIFI;
}

static bool lost(edge_event ev)
{
    return ev == EDGE_EV_LINK_DOWN || ev == EDGE_EV_NETWORK_DOWN;
}

edge_device_state edge_state_next(edge_device_state state, edge_event ev, const edge_state_inputs *in)
{
    switch (state) {
    case EDGE_STATE_INIT:
        if (ev != EDGE_EV_DONE) {
            return state;
        }
        if (in->mode == EDGE_LINK_MQTT) {
            return EDGE_STATE_CONNECT_WIFI;
        }
        return in->link_up ? linked(in) : EDGE_STATE_RETRY;
    case EDGE_STATE_CONNECT_WIFI:
        if (ev == EDGE_EV_NETWORK_UP) {
            return EDGE_STATE_CONNECT_MQTT;
        }
        if (ev == EDGE_EV_CONNECT_FAILED) {
            return EDGE_STATE_RETRY;
        }
        return ev == EDGE_EV_SAMPLE_DUE ? EDGE_STATE_READ_SENSORS : state;
    case EDGE_STATE_CONNECT_MQTT:
        if (ev == EDGE_EV_LINK_UP) {
            return linked(in);
        }
        if (ev == EDGE_EV_CONNECT_FAILED || lost(ev)) {
            return EDGE_STATE_RETRY;
        }
        return ev == EDGE_EV_SAMPLE_DUE ? EDGE_STATE_READ_SENSORS : state;
    case EDGE_STATE_READY:
    case EDGE_STATE_SLEEP:
        if (ev == EDGE_EV_SAMPLE_DUE) {
            return EDGE_STATE_READ_SENSORS;
        }
        if (lost(ev)) {
            return EDGE_STATE_RETRY;
        }
        return (ev == EDGE_EV_OUTBOX || ev == EDGE_EV_LINK_UP) && in->link_up && in->backlog
                   ? EDGE_STATE_PUBLISH_DATA
                   : state;
    case EDGE_STATE_READ_SENSORS:
        if (ev == EDGE_EV_DONE) {
            return EDGE_STATE_PROCESS_DATA;
        }
        return ev == EDGE_EV_FAILED ? resting(in) : state;
    case EDGE_STATE_PROCESS_DATA:
        if (ev != EDGE_EV_DONE) {
            return state;
        }
        return in->link_up ? EDGE_STATE_PUBLISH_DATA : EDGE_STATE_RETRY;
    case EDGE_STATE_PUBLISH_DATA:
        if (ev == EDGE_EV_DONE) {
            return EDGE_STATE_SLEEP;
        }
        return ev == EDGE_EV_FAILED || lost(ev) ? EDGE_STATE_RETRY : state;
    case EDGE_STATE_RETRY:
        switch (ev) {
        case EDGE_EV_RETRY_DUE:
            return reconnect(in);
        case EDGE_EV_NETWORK_UP:
            return in->mode == EDGE_LINK_MQTT ? EDGE_STATE_CONNECT_MQTT : state;
        case EDGE_EV_LINK_UP:
            return linked(in);
        case EDGE_EV_SAMPLE_DUE:
            return EDGE_STATE_READ_SENSORS;
        default:
            return state;
        }
    default:
        return state;
    }
}

const char *edge_state_name(edge_device_state state)
{
    static const char *const NAMES[_intelledger_device_v1_DeviceState_ARRAYSIZE] = {
        [EDGE_STATE_INIT] = "INIT",                 [EDGE_STATE_CONNECT_WIFI] = "CONNECT_WIFI",
        [EDGE_STATE_CONNECT_MQTT] = "CONNECT_MQTT", [EDGE_STATE_READY] = "READY",
        [EDGE_STATE_READ_SENSORS] = "READ_SENSORS", [EDGE_STATE_PROCESS_DATA] = "PROCESS_DATA",
        [EDGE_STATE_PUBLISH_DATA] = "PUBLISH_DATA", [EDGE_STATE_SLEEP] = "SLEEP",
        [EDGE_STATE_RETRY] = "RETRY",
    };
    return EDGE_NAME(NAMES, state, "UNSPECIFIED");
}
