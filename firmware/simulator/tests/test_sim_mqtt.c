/* The simulator against Debian's Mosquitto, with a gateway stand-in subscribed to the
 * device's topics: frames and status arrive verified on their topics, a command is
 * acknowledged, and a network outage (a relay the test cuts) costs no reading. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "frame_log.h"
#include "harness.h"
#include "hex.h"
#include "process.h"
#include "tcp_proxy.h"
#include "test_vectors.h"
#include "gateway_side.h"

#define DEVICE "sim-mqtt"
#define TOPIC_ROOT "intelledger/v1/" DEVICE

static char dir[] = "/tmp/edge-sim-mqtt-XXXXXX";
static process broker;
static process sim;
static tcp_proxy proxy;
static frame_log log_;
static struct mosquitto *gateway;
static unsigned misplaced;
static char line[4096];

static void on_message(struct mosquitto *client, void *ctx, const struct mosquitto_message *message)
{
    (void)client;
    (void)ctx;
    const bool frames = strcmp(message->topic, TOPIC_ROOT "/frames") == 0;
    const bool status = strcmp(message->topic, TOPIC_ROOT "/status") == 0;
    if (!frames && !status) {
        return;
    }
    frame_log_add(&log_, message->payload, (size_t)message->payloadlen);
    const edge_device_frame *f = &log_.frames[log_.count - 1].frame;
    /* Readings go to frames; status and acknowledgements to status. */
    if (frames != (f->samples_count > 0)) {
        misplaced++;
    }
}

static void send_command(uint64_t id, uint32_t interval_ms)
{
    edge_device_command c = make_command(DEVICE, id, intelledger_device_v1_DeviceCommand_set_sampling_interval_tag);
    c.action.set_sampling_interval.interval_ms = interval_ms;
    uint8_t bytes[EDGE_SIGNED_COMMAND_MAX_BYTES];
    const size_t len = sign_command(&c, TV_GATEWAY_PRIVATE_KEY.data, bytes, sizeof bytes);
    CHECK_EQ(mosquitto_publish(gateway, NULL, TOPIC_ROOT "/commands", (int)len, bytes, 1, false), MOSQ_ERR_SUCCESS);
}

static void start_simulator(void)
{
    char gateway_key[2 * EDGE_PUBLIC_KEY_BYTES + 1];
    char state_dir[160];
    char url[64];
    hex_encode(TV_GATEWAY_PUBLIC_KEY.data, EDGE_PUBLIC_KEY_BYTES, gateway_key);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    snprintf(url, sizeof url, "mqtt://127.0.0.1:%d", proxy.port);
    char *argv[] = {SIM_BINARY,      "--device-id",  DEVICE,        "--mqtt",        url,   "--state-dir",
                    state_dir,       "--gateway-key", gateway_key,  "--interval-ms", "100", "--retry-base-ms",
                    "100",           "--retry-max-ms", "400",       "--channels",    "temperature,vibration,analog",
                    "--mqtt-timeout-ms", "1000", "--log-states", NULL};
    CHECK(process_spawn(&sim, argv, true));
    CHECK(process_wait_started(&sim, log_.device_key));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    mosquitto_lib_init();
    CHECK(mkdtemp(dir) != NULL);
    const int broker_port = free_port();
    CHECK(broker_start(&broker, dir,
                       "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n", broker_port));
    gateway = gateway_connect(broker_port, TOPIC_ROOT "/#", on_message);
    CHECK(gateway != NULL);
    CHECK(tcp_proxy_start(&proxy, broker_port));
    start_simulator();

    harness_case("frames and status arrive verified on their topics");
    CHECK(process_wait_line(&sim, "\"link_up\"", 5000, line, sizeof line));
    gateway_run(gateway, 1000);
    CHECK(log_.count >= 5);
    CHECK(log_.frames[0].frame.has_status);
    CHECK_EQ(misplaced, 0);
    CHECK(frame_log_consistent(&log_));
    CHECK(log_.count > 1 && log_.frames[1].frame.samples_count == 3);

    harness_case("a command over MQTT is applied and acknowledged on the status topic");
    size_t from = log_.count;
    send_command(5, 250);
    gateway_run(gateway, 800);
    const int ack = frame_log_find_ack(&log_, from, 5);
    CHECK(ack >= 0);
    if (ack >= 0) {
        CHECK_EQ(log_.frames[ack].frame.command_ack.result, EDGE_RESULT_APPLIED);
        CHECK_EQ(log_.frames[ack].frame.status.sampling_interval_ms, 250);
    }

    harness_case("readings taken during an outage arrive after it");
    tcp_proxy_set_enabled(&proxy, false);
    const uint64_t outage_start = epoch_ms();
    CHECK(process_wait_line(&sim, "\"link_down\"", 5000, line, sizeof line));
    gateway_run(gateway, 1500);
    from = log_.count;
    const uint64_t outage_end = epoch_ms();
    tcp_proxy_set_enabled(&proxy, true);
    if (!CHECK(process_wait_line(&sim, "\"link_up\"", 5000, line, sizeof line))) {
        process_dump(&sim, 500);
    }
    gateway_run(gateway, 1500);
    CHECK(log_.count > from);
    /* 1.5 s at one round of three readings every 250 ms. */
    CHECK(frame_log_samples_between(&log_, 0, outage_start, outage_end) >= 3 * 5);
    CHECK(frame_log_consistent(&log_));
    CHECK_EQ(misplaced, 0);

    if (!frame_log_consistent(&log_) || log_.count <= from) {
        process_dump(&sim, 500);
    }

    harness_case("the simulator stops cleanly");
    CHECK_EQ(process_stop(&sim, SIGTERM), 0);
    tcp_proxy_stop(&proxy);
    mosquitto_destroy(gateway);
    process_stop(&broker, SIGTERM);
    mosquitto_lib_cleanup();
    CHECK(remove_tree(dir));
    return harness_finish("sim_mqtt");
}
