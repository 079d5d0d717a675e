#include <stdio.h>
#include <string.h>

#include "edge/node.h"
#include "edge/status.h"
#include "fake_platform.h"
#include "harness.h"
#include "mem_storage.h"
#include "test_rng.h"
#include "test_vectors.h"
#include "gateway_side.h"

#define RING 40

static fake_platform fake;
static mem_storage mem;
static edge_node node;
static edge_sample ring_slots[RING];
static edge_rng rng;
static edge_device_frame frame;

static edge_node_config config(edge_link_mode mode, bool linked)
{
    edge_node_config c = {
        .device_id = "esp32-test-01",
        .firmware_version = "1.2.3",
        .mode = mode,
        .linked_at_start = linked,
        .answer_timeout_ms = mode == EDGE_LINK_MQTT ? 0 : 3000,
        .has_gateway_key = true,
        .default_interval_ms = 1000,
        .status_interval_ms = 60000,
        .retry_base_ms = 500,
        .retry_max_ms = 30000,
        .counter_block = 4,
        .ring_slots = ring_slots,
        .ring_capacity = RING,
        .storage = &mem.storage,
        .rng = &rng,
        .platform = &fake.platform,
    };
    memcpy(c.device_key, TV_DEVICE_PRIVATE_KEY.data, EDGE_PRIVATE_KEY_BYTES);
    memcpy(c.gateway_key, TV_GATEWAY_PUBLIC_KEY.data, EDGE_PUBLIC_KEY_BYTES);
    return c;
}

/* Powers the device on; keep_storage=false wipes its flash first. */
static void boot(edge_link_mode mode, bool linked, bool keep_storage)
{
    if (!keep_storage) {
        mem_storage_init(&mem);
    }
    fake_platform_init(&fake);
    rng = test_rng(11);
    const edge_node_config c = config(mode, linked);
    CHECK_EQ(edge_node_start(&node, &c), EDGE_OK);
}

static void tick(void)
{
    fake.uptime_ms += node.settings.interval_ms;
    fake.epoch_ms += node.settings.interval_ms;
    edge_node_timer(&node, EDGE_TIMER_SAMPLE);
}

/* Decodes and verifies sent frame i as the gateway would. */
static const edge_device_frame *sent_frame(size_t i)
{
    CHECK(i < fake.sent_count);
    CHECK_STR(check_signed_frame(fake.sent[i].bytes, fake.sent[i].len, TV_DEVICE_PUBLIC_KEY.data, &frame), "ok");
    return &frame;
}

static size_t send_command(const edge_device_command *command)
{
    static uint8_t bytes[EDGE_SIGNED_COMMAND_MAX_BYTES];
    const size_t len = sign_command(command, TV_GATEWAY_PRIVATE_KEY.data, bytes, sizeof bytes);
    const size_t before = fake.sent_count;
    edge_node_command(&node, bytes, len);
    return before;
}

static edge_device_command interval_command(uint64_t id, uint32_t interval_ms)
{
    edge_device_command c = make_command("esp32-test-01", id, intelledger_device_v1_DeviceCommand_set_sampling_interval_tag);
    c.action.set_sampling_interval.interval_ms = interval_ms;
    return c;
}

static void serial_cycle(void)
{
    harness_case("a linked serial node reports its status, then its readings");
    boot(EDGE_LINK_SERIAL, true, false);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.sent_count, 1);
    CHECK_EQ(fake.sent[0].topic, EDGE_TOPIC_STATUS);
    const edge_device_frame *f = sent_frame(0);
    CHECK_EQ(f->counter, 1);
    CHECK(f->has_status);
    CHECK_EQ(f->status.state, EDGE_STATE_READY);
    CHECK_STR(f->status.firmware_version, "1.2.3");
    CHECK_EQ(f->status.sampling_interval_ms, 1000);
    CHECK_EQ(f->status.free_heap_bytes, 150000);
    CHECK_EQ(fake.timer_ms[EDGE_TIMER_SAMPLE], 1000);

    tick();
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.sent_count, 2);
    CHECK_EQ(fake.sent[1].topic, EDGE_TOPIC_FRAMES);
    f = sent_frame(1);
    CHECK_EQ(f->counter, 2);
    CHECK_STR(f->device_id, "esp32-test-01");
    CHECK_EQ(f->samples_count, 3);
    CHECK_EQ(f->samples[0].channel, EDGE_CHANNEL_TEMPERATURE);
    CHECK_EQ(f->samples[0].value, 231);
    CHECK_EQ(f->samples[0].timestamp_ms, fake.epoch_ms);
    CHECK_EQ(f->device_time_ms, fake.epoch_ms);
    CHECK_EQ(edge_node_buffered(&node), 0);

    harness_case("a cycle without any sensor sends nothing");
    fake.sensors_fail = true;
    tick();
    CHECK_EQ(fake.sent_count, 2);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
}

static void offline_buffering(void)
{
    harness_case("unplugged: readings wait in the ring buffer");
    boot(EDGE_LINK_SERIAL, false, false);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);
    CHECK(fake.timer_ms[EDGE_TIMER_RETRY] >= 250);
    for (int i = 0; i < 10; i++) {
        tick();
    }
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);
    CHECK_EQ(fake.sent_count, 0);
    CHECK_EQ(edge_node_buffered(&node), 30);

    harness_case("each retry makes another attempt");
    edge_node_timer(&node, EDGE_TIMER_RETRY);
    CHECK_EQ(fake.connects[EDGE_STATE_RETRY], 1);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);

    harness_case("plugged back: status, then the backlog in order, 16 readings a frame at most");
    edge_node_link(&node, true);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(edge_node_buffered(&node), 0);
    CHECK_EQ(fake.sent_count, 3);
    CHECK(sent_frame(0)->has_status);
    uint64_t counter = sent_frame(0)->counter;
    size_t samples = 0;
    uint64_t last_time = 0;
    for (size_t i = 1; i < fake.sent_count; i++) {
        const edge_device_frame *f = sent_frame(i);
        CHECK_EQ(f->counter, counter + 1);
        counter = f->counter;
        CHECK(f->samples_count <= EDGE_MAX_SAMPLES);
        for (pb_size_t s = 0; s < f->samples_count; s++) {
            CHECK(f->samples[s].timestamp_ms >= last_time);
            last_time = f->samples[s].timestamp_ms;
        }
        samples += f->samples_count;
    }
    CHECK_EQ(samples, 30);

    harness_case("a full ring buffer drops the oldest and says so");
    edge_node_link(&node, false);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);
    for (int i = 0; i < 20; i++) {
        tick();
    }
    CHECK_EQ(edge_node_buffered(&node), RING);
    const size_t before = fake.sent_count;
    edge_node_link(&node, true);
    const edge_device_frame *status = sent_frame(before);
    CHECK(status->has_status);
    CHECK_EQ(status->status.dropped_readings, 20);
    CHECK_EQ(status->status.buffered_readings, RING);
    CHECK_EQ(edge_node_buffered(&node), 0);
}

static void delivery_and_resend(void)
{
    harness_case("MQTT: Wi-Fi, broker, then frames confirmed one at a time");
    boot(EDGE_LINK_MQTT, false, false);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_CONNECT_WIFI);
    CHECK_EQ(fake.connects[EDGE_STATE_CONNECT_WIFI], 1);
    edge_node_network(&node, true);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_CONNECT_MQTT);
    CHECK_EQ(fake.connects[EDGE_STATE_CONNECT_MQTT], 1);
    fake.send_result = EDGE_SEND_PENDING;
    edge_node_link(&node, true);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.sent_count, 1);
    edge_node_delivered(&node);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME], 1);

    tick();
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.sent_count, 2);

    harness_case("a sample that falls due meanwhile is taken; its frame waits for the one in flight");
    tick();
    CHECK_EQ(fake.sent_count, 2);
    CHECK_EQ(edge_node_buffered(&node), 6);

    harness_case("a frame unconfirmed when the link drops is sent again byte for byte");
    edge_node_link(&node, false);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);
    CHECK_EQ(edge_node_buffered(&node), 6);
    edge_node_timer(&node, EDGE_TIMER_RETRY);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_CONNECT_MQTT);
    CHECK_EQ(fake.connects[EDGE_STATE_CONNECT_MQTT], 2);
    edge_node_link(&node, true);
    CHECK_EQ(fake.sent_count, 3);
    CHECK_MEM(fake.sent[2].bytes, fake.sent[2].len, fake.sent[1].bytes, fake.sent[1].len);
    edge_node_delivered(&node);
    CHECK_EQ(fake.sent_count, 4);
    CHECK(sent_frame(3)->has_status);
    CHECK_EQ(sent_frame(3)->counter, 3);
    edge_node_delivered(&node);
    CHECK_EQ(fake.sent_count, 5);
    CHECK_EQ(sent_frame(4)->samples_count, 3);
    CHECK_EQ(sent_frame(4)->counter, 4);
    edge_node_delivered(&node);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(edge_node_buffered(&node), 0);

    harness_case("a stale confirmation changes nothing");
    const size_t sent = fake.sent_count;
    edge_node_delivered(&node);
    CHECK_EQ(fake.sent_count, sent);

    harness_case("a failing link goes to RETRY and keeps the readings");
    fake.send_result = EDGE_SEND_FAILED;
    tick();
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);
    CHECK_EQ(edge_node_buffered(&node), 3);
}

/* The gateway's FrameAck for sent frame i. */
static void answer(size_t i, edge_frame_ack_result result, edge_frame_refusal refusal, uint32_t retry_after_ms)
{
    edge_frame_ack ack = intelledger_device_v1_FrameAck_init_zero;
    CHECK(i < fake.sent_count);
    CHECK_EQ(edge_sha256(fake.sent[i].bytes, fake.sent[i].len, ack.frame_sha256), EDGE_OK);
    ack.result = result;
    ack.refusal = refusal;
    ack.retry_after_ms = retry_after_ms;
    edge_node_frame_ack(&node, &ack);
}

#define NO_REFUSAL intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_UNSPECIFIED
#define RATE_LIMITED intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_RATE_LIMITED
#define REPLAYED intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_REPLAYED

static bool same_sent(size_t a, size_t b)
{
    return fake.sent[a].len == fake.sent[b].len && memcmp(fake.sent[a].bytes, fake.sent[b].bytes, fake.sent[a].len) == 0;
}

static void frame_acks(void)
{
    harness_case("serial: a frame is kept until the gateway stores it; sampling goes on meanwhile");
    boot(EDGE_LINK_SERIAL, false, false);
    fake.send_result = EDGE_SEND_PENDING;
    edge_node_link(&node, true);
    CHECK_EQ(fake.sent_count, 1);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_SLEEP);
    CHECK_EQ(fake.timer_ms[EDGE_TIMER_ANSWER], 3000);
    tick();
    CHECK_EQ(fake.sent_count, 1);
    CHECK_EQ(edge_node_buffered(&node), 3);
    answer(0, EDGE_ACK_STORED, NO_REFUSAL, 0);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME], 1);
    CHECK_EQ(fake.sent_count, 2);
    CHECK_EQ(sent_frame(1)->samples_count, 3);

    harness_case("an answer naming another frame changes nothing");
    answer(0, EDGE_ACK_STORED, NO_REFUSAL, 0);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME], 1);
    CHECK_EQ(fake.sent_count, 2);

    harness_case("no answer within the timeout: the same bytes again");
    edge_node_timer(&node, EDGE_TIMER_ANSWER);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME_RESENT], 1);
    CHECK_EQ(fake.sent_count, 3);
    CHECK(same_sent(2, 1));
    CHECK_EQ(fake.timer_ms[EDGE_TIMER_ANSWER], 3000);

    harness_case("a late answer to the first copy settles it");
    answer(1, EDGE_ACK_STORED, NO_REFUSAL, 0);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME], 2);
    CHECK_EQ(edge_node_buffered(&node), 0);
    harness_case("a stale answer timer sends nothing");
    edge_node_timer(&node, EDGE_TIMER_ANSWER);
    CHECK_EQ(fake.sent_count, 3);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME_RESENT], 1);

    harness_case("not now: the frame waits for the hint, readings pile up behind it, then the same bytes go");
    tick();
    CHECK_EQ(fake.sent_count, 4);
    answer(3, EDGE_ACK_RETRY_LATER, RATE_LIMITED, 1500);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME_DEFERRED], 1);
    CHECK_EQ(fake.last_refusal, RATE_LIMITED);
    CHECK_EQ(fake.timer_ms[EDGE_TIMER_ANSWER], 1500);
    tick();
    tick();
    CHECK_EQ(fake.sent_count, 4);
    CHECK_EQ(edge_node_buffered(&node), 9);
    edge_node_timer(&node, EDGE_TIMER_ANSWER);
    CHECK_EQ(fake.sent_count, 5);
    CHECK(same_sent(4, 3));
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME_RESENT], 1);

    harness_case("hints are bounded: 0 means the answer timeout, 10 ms becomes 100 ms");
    answer(4, EDGE_ACK_RETRY_LATER, RATE_LIMITED, 0);
    CHECK_EQ(fake.last_retry_after_ms, 3000);
    edge_node_timer(&node, EDGE_TIMER_ANSWER);
    CHECK_EQ(fake.sent_count, 6);
    answer(5, EDGE_ACK_RETRY_LATER, RATE_LIMITED, 10);
    CHECK_EQ(fake.last_retry_after_ms, 100);

    harness_case("a link that drops and comes back sends the deferred frame at once");
    edge_node_link(&node, false);
    edge_node_link(&node, true);
    CHECK(same_sent(fake.sent_count - 1, 3));
    answer(fake.sent_count - 1, EDGE_ACK_STORED, NO_REFUSAL, 0);
    CHECK(sent_frame(fake.sent_count - 1)->has_status);
    answer(fake.sent_count - 1, EDGE_ACK_STORED, NO_REFUSAL, 0);
    const size_t after_status = fake.sent_count;
    CHECK_EQ(sent_frame(after_status - 1)->samples_count, 6);

    harness_case("refused for good: dropped and reported, the next frame follows in counter order");
    const uint64_t refused_counter = sent_frame(after_status - 1)->counter;
    answer(after_status - 1, EDGE_ACK_REFUSED, REPLAYED, 0);
    CHECK_EQ(fake.reports[EDGE_REPORT_FRAME_REFUSED], 1);
    CHECK_EQ(fake.last_refusal, REPLAYED);
    CHECK_EQ(edge_node_buffered(&node), 0);
    tick();
    CHECK_EQ(fake.sent_count, after_status + 1);
    CHECK_EQ(sent_frame(after_status)->counter, refused_counter + 1);
}

static void commands(void)
{
    harness_case("a command is applied, acknowledged and persisted");
    boot(EDGE_LINK_SERIAL, true, false);
    const edge_device_command set = interval_command(7, 500);
    size_t first = send_command(&set);
    CHECK_EQ(fake.sent_count, first + 1);
    const edge_device_frame *ack = sent_frame(first);
    CHECK(ack->has_command_ack);
    CHECK_EQ(ack->command_ack.command_id, 7);
    CHECK_EQ(ack->command_ack.result, EDGE_RESULT_APPLIED);
    CHECK(ack->has_status);
    CHECK_EQ(ack->status.sampling_interval_ms, 500);
    CHECK_EQ(fake.timer_ms[EDGE_TIMER_SAMPLE], 500);
    CHECK_EQ(edge_node_interval_ms(&node), 500);

    harness_case("replayed, badly signed and misaddressed commands are refused with a reason");
    first = send_command(&set);
    CHECK_EQ(sent_frame(first)->command_ack.result, EDGE_RESULT_REPLAYED);
    CHECK(!sent_frame(first)->has_status);
    edge_device_command other = interval_command(8, 500);
    strcpy(other.device_id, "esp32-test-02");
    first = send_command(&other);
    CHECK_EQ(sent_frame(first)->command_ack.result, EDGE_RESULT_WRONG_DEVICE);
    static uint8_t forged[EDGE_SIGNED_COMMAND_MAX_BYTES];
    const edge_device_command fast = interval_command(9, 100);
    const size_t len = sign_command(&fast, TV_GATEWAY_PRIVATE_KEY.data, forged, sizeof forged);
    forged[len - 5] ^= 0x10;
    first = fake.sent_count;
    edge_node_command(&node, forged, len);
    CHECK_EQ(sent_frame(first)->command_ack.result, EDGE_RESULT_BAD_SIGNATURE);
    CHECK_EQ(sent_frame(first)->command_ack.command_id, 9);
    CHECK_EQ(edge_node_interval_ms(&node), 500);

    harness_case("bytes that are no command are reported, not acknowledged");
    first = fake.sent_count;
    const uint8_t junk[] = {0x0a, 0xff};
    edge_node_command(&node, junk, sizeof junk);
    CHECK_EQ(fake.sent_count, first);
    CHECK_EQ(fake.reports[EDGE_REPORT_COMMAND_MALFORMED], 1);

    harness_case("thresholds raise and clear alarms");
    edge_device_command bounds =
        make_command("esp32-test-01", 10, intelledger_device_v1_DeviceCommand_set_thresholds_tag);
    bounds.action.set_thresholds.thresholds_count = 1;
    bounds.action.set_thresholds.thresholds[0].channel = EDGE_CHANNEL_TEMPERATURE;
    bounds.action.set_thresholds.thresholds[0].min_value = 0;
    bounds.action.set_thresholds.thresholds[0].max_value = 3000;
    bounds.action.set_thresholds.thresholds[0].scale = 2;
    send_command(&bounds);
    CHECK_EQ(fake.last_result, EDGE_RESULT_APPLIED);
    tick();
    CHECK_EQ(fake.alarms_on, 0);
    fake.temperature = 305;
    tick();
    CHECK_EQ(fake.alarms_on, 1);
    tick();
    CHECK_EQ(fake.alarms_on, 1);
    fake.temperature = 299;
    tick();
    CHECK_EQ(fake.alarms_off, 1);

    harness_case("reboot comes after its acknowledgement");
    const edge_device_command reboot =
        make_command("esp32-test-01", 11, intelledger_device_v1_DeviceCommand_reboot_tag);
    fake.send_result = EDGE_SEND_PENDING;
    first = send_command(&reboot);
    CHECK_EQ(fake.reboots, 0);
    CHECK_EQ(sent_frame(first)->command_ack.command_id, 11);
    edge_node_delivered(&node);
    CHECK_EQ(fake.reboots, 1);
    const uint64_t last_counter = sent_frame(first)->counter;

    harness_case("after the reboot: counters continue, settings and command ids are kept");
    boot(EDGE_LINK_SERIAL, true, true);
    CHECK(sent_frame(0)->counter > last_counter);
    CHECK_EQ(sent_frame(0)->status.sampling_interval_ms, 500);
    first = send_command(&reboot);
    CHECK_EQ(sent_frame(first)->command_ack.result, EDGE_RESULT_REPLAYED);
    CHECK_EQ(fake.reboots, 0);
    fake.temperature = 400;
    tick();
    CHECK_EQ(fake.alarms_on, 1);

    harness_case("without a gateway key every command is refused");
    edge_node_config c = config(EDGE_LINK_SERIAL, true);
    c.has_gateway_key = false;
    CHECK_EQ(edge_node_start(&node, &c), EDGE_OK);
    const edge_device_command later = interval_command(50, 2000);
    first = send_command(&later);
    CHECK_EQ(sent_frame(first)->command_ack.result, EDGE_RESULT_BAD_SIGNATURE);
}

static void failures(void)
{
    harness_case("no frame leaves without a persisted counter");
    boot(EDGE_LINK_SERIAL, true, false);
    const size_t sent = fake.sent_count;
    mem.fail_writes = true;
    for (int i = 0; i < 5; i++) {
        tick();
    }
    CHECK(fake.reports[EDGE_REPORT_ERROR] > 0);
    /* The status took counter 1 of the block of 4; counters 2 to 4 carried readings. */
    CHECK_EQ(fake.sent_count - sent, 3);
    CHECK_EQ(edge_node_state(&node), EDGE_STATE_RETRY);

    harness_case("invalid configuration is refused");
    edge_node_config c = config(EDGE_LINK_SERIAL, true);
    c.device_id = "bad id";
    CHECK_EQ(edge_node_start(&node, &c), EDGE_ERR_ARG);
    c = config(EDGE_LINK_SERIAL, true);
    c.ring_capacity = 0;
    CHECK_EQ(edge_node_start(&node, &c), EDGE_ERR_ARG);
}

int main(void)
{
    printf("sizeof(edge_node) = %u bytes, plus %u bytes per ring buffer slot\n", (unsigned)sizeof(edge_node),
           (unsigned)sizeof(edge_sample));
    serial_cycle();
    offline_buffering();
    delivery_and_resend();
    frame_acks();
    commands();
    failures();
    return harness_finish("node");
}
