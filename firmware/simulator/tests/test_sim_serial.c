/* The simulator against a gateway stand-in over a socat pseudo-terminal pair: frames arrive
 * verified and are kept until the gateway answers them (sent again on silence and on "not
 * now", dropped when refused), commands are acknowledged, and pulling the "cable" (socat going
 * away and coming back under the same path) costs no reading taken meanwhile. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "edge/serial_framing.h"
#include "frame_log.h"
#include "harness.h"
#include "hex.h"
#include "process.h"
#include "test_vectors.h"
#include "gateway_side.h"

#define DEVICE "sim-serial"

static char dir[] = "/tmp/edge-sim-serial-XXXXXX";
static char device_path[128];
static char gateway_path[128];
static process socat;
static process sim;
static frame_log log_;
static edge_serial_decoder decoder;
static int gateway_fd = -1;
static char line[4096];

/* How the gateway stand-in answers frames. */
typedef struct {
    bool silent;
    edge_frame_ack_result result;
    edge_frame_refusal refusal;
    uint32_t retry_after_ms;
    /* Answers with result before falling back to STORED; 0 for always. */
    unsigned remaining;
} policy;
static policy answer_policy = {.result = EDGE_ACK_STORED};

static bool plug(void)
{
    char left[160];
    char right[160];
    snprintf(left, sizeof left, "pty,raw,echo=0,link=%s", device_path);
    snprintf(right, sizeof right, "pty,raw,echo=0,link=%s", gateway_path);
    char *argv[] = {"socat", left, right, NULL};
    if (!process_spawn(&socat, argv, false) || !wait_for_path(device_path, 3000) ||
        !wait_for_path(gateway_path, 3000)) {
        return false;
    }
    gateway_fd = open(gateway_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    struct termios tio;
    if (gateway_fd >= 0 && tcgetattr(gateway_fd, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(gateway_fd, TCSANOW, &tio);
    }
    edge_serial_decoder_reset(&decoder);
    return gateway_fd >= 0;
}

static void unplug(void)
{
    close(gateway_fd);
    gateway_fd = -1;
    process_stop(&socat, SIGTERM);
}

static void answer(const uint8_t *frame, size_t len)
{
    if (answer_policy.silent) {
        return;
    }
    edge_frame_ack_result result = answer_policy.result;
    if (answer_policy.remaining > 0 && --answer_policy.remaining == 0) {
        answer_policy.result = EDGE_ACK_STORED;
    }
    uint8_t message[64];
    uint8_t wire[128];
    const size_t message_len = gateway_message_ack(frame, len, result, answer_policy.refusal,
                                                   answer_policy.retry_after_ms, message, sizeof message);
    const size_t wire_len = edge_serial_encode(message, message_len, wire, sizeof wire);
    CHECK_EQ(write(gateway_fd, wire, wire_len), (ssize_t)wire_len);
}

static void on_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    (void)ctx;
    const uint8_t *frame;
    size_t frame_len;
    if (status == EDGE_PACKET_OK && device_message_frame(payload, len, &frame, &frame_len)) {
        frame_log_add(&log_, frame, frame_len);
        answer(frame, frame_len);
    }
}

/* Reads what the device sends for duration_ms. */
static void gateway_read(int duration_ms)
{
    const long long deadline = now_ms() + duration_ms;
    uint8_t buffer[1024];
    for (long long left; (left = deadline - now_ms()) > 0;) {
        struct pollfd p = {.fd = gateway_fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0) {
            continue;
        }
        const ssize_t n = read(gateway_fd, buffer, sizeof buffer);
        if (n > 0) {
            edge_serial_decoder_push(&decoder, buffer, (size_t)n, on_packet, NULL);
        }
    }
}

static void gateway_send_command(const edge_device_command *command, bool corrupt)
{
    uint8_t bytes[EDGE_SIGNED_COMMAND_MAX_BYTES];
    uint8_t message[EDGE_GATEWAY_MESSAGE_MAX_BYTES];
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    const size_t len = sign_command(command, TV_GATEWAY_PRIVATE_KEY.data, bytes, sizeof bytes);
    if (corrupt) {
        bytes[len - 1] ^= 0x01;
    }
    const size_t message_len = gateway_message_command(bytes, len, message, sizeof message);
    const size_t wire_len = edge_serial_encode(message, message_len, wire, sizeof wire);
    CHECK_EQ(write(gateway_fd, wire, wire_len), (ssize_t)wire_len);
}

/* A sampling interval command, or a reboot for interval 0. */
static edge_device_command command(uint64_t id, uint32_t interval_ms)
{
    if (interval_ms == 0) {
        return make_command(DEVICE, id, intelledger_device_v1_DeviceCommand_reboot_tag);
    }
    edge_device_command c = make_command(DEVICE, id, intelledger_device_v1_DeviceCommand_set_sampling_interval_tag);
    c.action.set_sampling_interval.interval_ms = interval_ms;
    return c;
}

static void start_simulator(void)
{
    char gateway_key[2 * EDGE_PUBLIC_KEY_BYTES + 1];
    char state_dir[160];
    hex_encode(TV_GATEWAY_PUBLIC_KEY.data, EDGE_PUBLIC_KEY_BYTES, gateway_key);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    char *argv[] = {SIM_BINARY,      "--device-id",  DEVICE, "--serial",        device_path, "--state-dir",
                    state_dir,       "--gateway-key", gateway_key, "--interval-ms", "100",       "--retry-base-ms",
                    "100",           "--retry-max-ms", "400", "--seed",          "7",         "--answer-timeout-ms",
                    "400",           NULL};
    CHECK(process_spawn(&sim, argv, true));
    CHECK(process_wait_started(&sim, log_.device_key));
}

static void readings_and_commands(void)
{
    harness_case("frames arrive verified, status first, counters rising");
    gateway_read(1000);
    CHECK(log_.count >= 5);
    CHECK(log_.frames[0].frame.has_status);
    CHECK_EQ(log_.frames[0].frame.status.state, EDGE_STATE_READY);
    CHECK_EQ(log_.frames[1].frame.samples_count, 3);
    CHECK(frame_log_consistent(&log_));

    harness_case("a command is applied and acknowledged");
    size_t from = log_.count;
    const edge_device_command slower = command(1, 300);
    gateway_send_command(&slower, false);
    gateway_read(700);
    int ack = frame_log_find_ack(&log_, from, 1);
    CHECK(ack >= 0);
    if (ack >= 0) {
        CHECK_EQ(log_.frames[ack].frame.command_ack.result, EDGE_RESULT_APPLIED);
        CHECK_EQ(log_.frames[ack].frame.status.sampling_interval_ms, 300);
    }
    CHECK(process_wait_line(&sim, "\"result\":\"applied\"", 1000, line, sizeof line));

    harness_case("replayed and forged commands are refused with their reason");
    from = log_.count;
    gateway_send_command(&slower, false);
    const edge_device_command forged = command(2, 100);
    gateway_send_command(&forged, true);
    gateway_read(700);
    ack = frame_log_find_ack(&log_, from, 1);
    CHECK(ack >= 0 && log_.frames[ack].frame.command_ack.result == EDGE_RESULT_REPLAYED);
    ack = frame_log_find_ack(&log_, from, 2);
    CHECK(ack >= 0 && log_.frames[ack].frame.command_ack.result == EDGE_RESULT_BAD_SIGNATURE);
}

/* Copies of the frame at index i in the log, from index from on. */
static size_t copies(size_t from, size_t i)
{
    size_t n = 0;
    for (size_t j = from; j < log_.count; j++) {
        n += log_.frames[j].len == log_.frames[i].len &&
             memcmp(log_.frames[j].bytes, log_.frames[i].bytes, log_.frames[i].len) == 0;
    }
    return n;
}

/* Answers frames by p while reading for duration_ms, then checks that the simulator reported
 * event (a frame's fate) with reason. Returns the log index reading began at. */
static size_t answer_by(policy p, int duration_ms, const char *event, const char *reason)
{
    char event_field[64];
    char reason_field[64];
    snprintf(event_field, sizeof event_field, "\"%s\"", event);
    snprintf(reason_field, sizeof reason_field, "\"reason\":\"%s\"", reason);
    answer_policy = p;
    const size_t from = log_.count;
    gateway_read(duration_ms);
    CHECK(process_wait_line(&sim, event_field, 1000, line, sizeof line));
    CHECK(strstr(line, reason_field) != NULL);
    return from;
}

static void answers(void)
{
    harness_case("a frame the gateway does not answer is sent again, byte for byte, and nothing newer");
    answer_policy.silent = true;
    gateway_read(300);
    const size_t from = log_.count;
    gateway_read(1100);
    answer_policy.silent = false;
    CHECK(log_.count >= from + 2);
    if (log_.count >= from + 2) {
        CHECK_EQ(copies(from, from), log_.count - from);
    }
    CHECK(process_wait_line(&sim, "\"frame_resent\"", 1000, line, sizeof line));
    gateway_read(600);
    CHECK(frame_log_consistent(&log_));

    harness_case("not now: the same bytes again after the gateway's hint");
    const policy not_now = {.result = EDGE_ACK_RETRY_LATER,
                            .refusal = intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_RATE_LIMITED,
                            .retry_after_ms = 250,
                            .remaining = 2};
    const size_t deferred_from = answer_by(not_now, 1200, "frame_deferred", "rate_limited");
    CHECK(log_.count >= deferred_from + 4);
    if (log_.count >= deferred_from + 4) {
        CHECK_EQ(copies(deferred_from, deferred_from), 3);
        CHECK(log_.frames[deferred_from + 3].frame.counter > log_.frames[deferred_from].frame.counter);
        CHECK(log_.frames[deferred_from + 1].received_ms - log_.frames[deferred_from].received_ms >= 200);
    }

    harness_case("refused for good: dropped, reported, and the next frame follows");
    const policy refused = {.result = EDGE_ACK_REFUSED,
                            .refusal = intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_INVALID_SAMPLE,
                            .remaining = 1};
    const size_t refused_from = answer_by(refused, 800, "frame_refused", "invalid_sample");
    CHECK(log_.count >= refused_from + 2);
    if (log_.count >= refused_from + 2) {
        CHECK_EQ(copies(refused_from, refused_from), 1);
    }
    CHECK(frame_log_consistent(&log_));
}

static void unplugged_cable(void)
{
    harness_case("readings taken while unplugged arrive after replugging");
    const uint64_t highest = frame_log_max_counter(&log_);
    unplug();
    const uint64_t outage_start = epoch_ms();
    CHECK(process_wait_line(&sim, "\"link_down\"", 3000, line, sizeof line));
    poll(NULL, 0, 1500);
    CHECK(plug());
    const uint64_t outage_end = epoch_ms();
    CHECK(process_wait_line(&sim, "\"link_up\"", 3000, line, sizeof line));
    const size_t from = log_.count;
    gateway_read(1500);
    /* A frame the gateway took just as the cable went, its acknowledgement lost with the cable,
     * may come again first, byte for byte (the gateway answers it as a replay). Then a frame
     * whose write failed when the cable went is sent again first. */
    const size_t first_new = frame_log_first_new(&log_, from);
    CHECK(log_.count > first_new + 1);
    if (log_.count > first_new + 1) {
        CHECK(log_.frames[first_new].frame.has_status || log_.frames[first_new + 1].frame.has_status);
        CHECK(log_.frames[first_new].frame.counter > highest);
    }
    /* 1.5 s at one round of three readings every 300 ms. */
    CHECK(frame_log_samples_between(&log_, from, outage_start, outage_end) >= 3 * 4);
    CHECK(frame_log_consistent(&log_));

    harness_case("garbage on the line does not disturb the device");
    const uint8_t garbage[] = {0x42, 0x13, 0x00, 0x07, 0xff, 0xff, 0x00};
    CHECK_EQ(write(gateway_fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
    CHECK(process_wait_line(&sim, "\"packet_dropped\"", 1000, line, sizeof line));
    const size_t before = log_.count;
    gateway_read(700);
    CHECK(log_.count > before);
}

static void reboot(void)
{
    harness_case("after a reboot command the device comes back with higher counters");
    const size_t from = log_.count;
    const edge_device_command restart = command(3, 0);
    gateway_send_command(&restart, false);
    /* The reboot waits for the gateway to take the command's acknowledgement. */
    gateway_read(1500);
    CHECK(process_wait_line(&sim, "\"event\":\"reboot\"", 2000, line, sizeof line));
    CHECK(process_wait_line(&sim, "\"started\"", 2000, line, sizeof line));
    const int ack = frame_log_find_ack(&log_, from, 3);
    CHECK(ack >= 0);
    CHECK((size_t)ack + 1 < log_.count);
    CHECK(frame_log_consistent(&log_));
    bool kept_interval = false;
    for (size_t i = (size_t)ack + 1; i < log_.count; i++) {
        kept_interval = kept_interval || (log_.frames[i].frame.has_status &&
                                          log_.frames[i].frame.status.sampling_interval_ms == 300);
    }
    CHECK(kept_interval);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(device_path, sizeof device_path, "%s/device", dir);
    snprintf(gateway_path, sizeof gateway_path, "%s/gateway", dir);
    CHECK(plug());
    start_simulator();
    readings_and_commands();
    answers();
    unplugged_cable();
    reboot();

    harness_case("the simulator stops cleanly");
    CHECK_EQ(process_stop(&sim, SIGTERM), 0);
    unplug();
    CHECK(remove_tree(dir));
    return harness_finish("sim_serial");
}
