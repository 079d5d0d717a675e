#include "edge/state_machine.h"
#include "harness.h"

typedef struct {
    const char *name;
    edge_device_state from;
    edge_event ev;
    edge_state_inputs in;
    edge_device_state to;
} transition;

#define MQTT_OFFLINE {EDGE_LINK_MQTT, false, false, false}
#define MQTT_NETWORK {EDGE_LINK_MQTT, true, false, false}
#define MQTT_LINKED {EDGE_LINK_MQTT, true, true, false}
#define MQTT_BACKLOG {EDGE_LINK_MQTT, true, true, true}
#define SERIAL_DOWN {EDGE_LINK_SERIAL, false, false, false}
#define SERIAL_UP {EDGE_LINK_SERIAL, false, true, false}
#define SERIAL_BACKLOG {EDGE_LINK_SERIAL, false, true, true}

static const transition TABLE[] = {
    {"MQTT starts by joining Wi-Fi", EDGE_STATE_INIT, EDGE_EV_DONE, MQTT_OFFLINE, EDGE_STATE_CONNECT_WIFI},
    {"Wi-Fi up, then the broker", EDGE_STATE_CONNECT_WIFI, EDGE_EV_NETWORK_UP, MQTT_NETWORK, EDGE_STATE_CONNECT_MQTT},
    {"Wi-Fi failure backs off", EDGE_STATE_CONNECT_WIFI, EDGE_EV_CONNECT_FAILED, MQTT_OFFLINE, EDGE_STATE_RETRY},
    {"sampling goes on while joining", EDGE_STATE_CONNECT_WIFI, EDGE_EV_SAMPLE_DUE, MQTT_OFFLINE,
     EDGE_STATE_READ_SENSORS},
    {"broker session up", EDGE_STATE_CONNECT_MQTT, EDGE_EV_LINK_UP, MQTT_LINKED, EDGE_STATE_READY},
    {"broker session up with a backlog", EDGE_STATE_CONNECT_MQTT, EDGE_EV_LINK_UP, MQTT_BACKLOG,
     EDGE_STATE_PUBLISH_DATA},
    {"broker refused", EDGE_STATE_CONNECT_MQTT, EDGE_EV_CONNECT_FAILED, MQTT_NETWORK, EDGE_STATE_RETRY},
    {"Wi-Fi lost while connecting", EDGE_STATE_CONNECT_MQTT, EDGE_EV_NETWORK_DOWN, MQTT_OFFLINE, EDGE_STATE_RETRY},
    {"retry rejoins Wi-Fi when it is down", EDGE_STATE_RETRY, EDGE_EV_RETRY_DUE, MQTT_OFFLINE,
     EDGE_STATE_CONNECT_WIFI},
    {"retry reconnects the broker when Wi-Fi is up", EDGE_STATE_RETRY, EDGE_EV_RETRY_DUE, MQTT_NETWORK,
     EDGE_STATE_CONNECT_MQTT},
    {"Wi-Fi back on its own", EDGE_STATE_RETRY, EDGE_EV_NETWORK_UP, MQTT_NETWORK, EDGE_STATE_CONNECT_MQTT},
    {"sampling goes on while retrying", EDGE_STATE_RETRY, EDGE_EV_SAMPLE_DUE, MQTT_OFFLINE, EDGE_STATE_READ_SENSORS},
    {"ready: sample", EDGE_STATE_READY, EDGE_EV_SAMPLE_DUE, MQTT_LINKED, EDGE_STATE_READ_SENSORS},
    {"ready: something to send", EDGE_STATE_READY, EDGE_EV_OUTBOX, MQTT_BACKLOG, EDGE_STATE_PUBLISH_DATA},
    {"ready: link lost", EDGE_STATE_READY, EDGE_EV_LINK_DOWN, MQTT_NETWORK, EDGE_STATE_RETRY},
    {"read, then process", EDGE_STATE_READ_SENSORS, EDGE_EV_DONE, MQTT_LINKED, EDGE_STATE_PROCESS_DATA},
    {"no sensor answered, linked", EDGE_STATE_READ_SENSORS, EDGE_EV_FAILED, MQTT_LINKED, EDGE_STATE_SLEEP},
    {"no sensor answered, offline", EDGE_STATE_READ_SENSORS, EDGE_EV_FAILED, MQTT_OFFLINE, EDGE_STATE_RETRY},
    {"processed and linked: publish", EDGE_STATE_PROCESS_DATA, EDGE_EV_DONE, MQTT_BACKLOG, EDGE_STATE_PUBLISH_DATA},
    {"processed offline: keep in the ring buffer", EDGE_STATE_PROCESS_DATA, EDGE_EV_DONE, MQTT_OFFLINE,
     EDGE_STATE_RETRY},
    {"published everything", EDGE_STATE_PUBLISH_DATA, EDGE_EV_DONE, MQTT_LINKED, EDGE_STATE_SLEEP},
    {"publishing failed", EDGE_STATE_PUBLISH_DATA, EDGE_EV_FAILED, MQTT_BACKLOG, EDGE_STATE_RETRY},
    {"link lost while publishing", EDGE_STATE_PUBLISH_DATA, EDGE_EV_LINK_DOWN, MQTT_NETWORK, EDGE_STATE_RETRY},
    {"a sample waits for publishing to end", EDGE_STATE_PUBLISH_DATA, EDGE_EV_SAMPLE_DUE, MQTT_BACKLOG,
     EDGE_STATE_PUBLISH_DATA},
    {"sleep: sample", EDGE_STATE_SLEEP, EDGE_EV_SAMPLE_DUE, MQTT_LINKED, EDGE_STATE_READ_SENSORS},
    {"sleep: acknowledgement to send", EDGE_STATE_SLEEP, EDGE_EV_OUTBOX, MQTT_BACKLOG, EDGE_STATE_PUBLISH_DATA},
    {"sleep: Wi-Fi lost", EDGE_STATE_SLEEP, EDGE_EV_NETWORK_DOWN, MQTT_OFFLINE, EDGE_STATE_RETRY},
    {"serial starts linked", EDGE_STATE_INIT, EDGE_EV_DONE, SERIAL_UP, EDGE_STATE_READY},
    {"serial starts linked with a status to send", EDGE_STATE_INIT, EDGE_EV_DONE, SERIAL_BACKLOG,
     EDGE_STATE_PUBLISH_DATA},
    {"serial starts unplugged", EDGE_STATE_INIT, EDGE_EV_DONE, SERIAL_DOWN, EDGE_STATE_RETRY},
    {"serial retries from RETRY itself", EDGE_STATE_RETRY, EDGE_EV_RETRY_DUE, SERIAL_DOWN, EDGE_STATE_RETRY},
    {"serial has no Wi-Fi", EDGE_STATE_RETRY, EDGE_EV_NETWORK_UP, SERIAL_DOWN, EDGE_STATE_RETRY},
    {"serial plugged back with a backlog", EDGE_STATE_RETRY, EDGE_EV_LINK_UP, SERIAL_BACKLOG, EDGE_STATE_PUBLISH_DATA},
    {"serial plugged back", EDGE_STATE_RETRY, EDGE_EV_LINK_UP, SERIAL_UP, EDGE_STATE_READY},
    {"serial unplugged while sleeping", EDGE_STATE_SLEEP, EDGE_EV_LINK_DOWN, SERIAL_DOWN, EDGE_STATE_RETRY},
    {"irrelevant events change nothing", EDGE_STATE_READY, EDGE_EV_RETRY_DUE, MQTT_LINKED, EDGE_STATE_READY},
    {"INIT waits for its own work", EDGE_STATE_INIT, EDGE_EV_SAMPLE_DUE, MQTT_OFFLINE, EDGE_STATE_INIT},
    {"processing is not interrupted", EDGE_STATE_PROCESS_DATA, EDGE_EV_LINK_DOWN, MQTT_NETWORK,
     EDGE_STATE_PROCESS_DATA},
};

int main(void)
{
    for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++) {
        const transition *t = &TABLE[i];
        harness_case(t->name);
        CHECK_STR(edge_state_name(edge_state_next(t->from, t->ev, &t->in)), edge_state_name(t->to));
    }
    harness_case("names");
    CHECK_STR(edge_state_name(EDGE_STATE_CONNECT_WIFI), "CONNECT_WIFI");
    CHECK_STR(edge_state_name(EDGE_STATE_RETRY), "RETRY");
    CHECK_STR(edge_state_name(intelledger_device_v1_DeviceState_DEVICE_STATE_UNSPECIFIED), "UNSPECIFIED");
    return harness_finish("state_machine");
}
