#include "fake_platform.h"

#include <string.h>

static uint64_t fake_epoch(void *ctx)
{
    return ((fake_platform *)ctx)->epoch_ms;
}

static uint32_t fake_uptime(void *ctx)
{
    return ((fake_platform *)ctx)->uptime_ms;
}

static size_t fake_read(void *ctx, edge_sample *out, size_t cap)
{
    fake_platform *f = ctx;
    if (f->sensors_fail || cap < 3) {
        return 0;
    }
    const edge_sample t = {EDGE_CHANNEL_TEMPERATURE, 0, 0, f->temperature, 1};
    const edge_sample h = {EDGE_CHANNEL_HUMIDITY, 0, 0, 455, 1};
    const edge_sample v = {EDGE_CHANNEL_VIBRATION, 0, 0, 12, 3};
    out[0] = t;
    out[1] = h;
    out[2] = v;
    return 3;
}

static edge_send_result fake_send(void *ctx, edge_topic topic, const uint8_t *bytes, size_t len)
{
    fake_platform *f = ctx;
    if (f->send_result != EDGE_SEND_FAILED && f->sent_count < FAKE_PLATFORM_MAX_SENT) {
        f->sent[f->sent_count].topic = topic;
        memcpy(f->sent[f->sent_count].bytes, bytes, len);
        f->sent[f->sent_count].len = len;
        f->sent_count++;
    }
    return f->send_result;
}

static void fake_connect(void *ctx, edge_device_state state)
{
    ((fake_platform *)ctx)->connects[state]++;
}

static void fake_set_timer(void *ctx, edge_timer timer, uint32_t delay_ms)
{
    ((fake_platform *)ctx)->timer_ms[timer] = delay_ms;
}

static void fake_health(void *ctx, uint32_t *free_heap, int32_t *rssi)
{
    (void)ctx;
    *free_heap = 150000;
    *rssi = -60;
}

static void fake_reboot(void *ctx)
{
    ((fake_platform *)ctx)->reboots++;
}

static void fake_report(void *ctx, const edge_report *r)
{
    fake_platform *f = ctx;
    if (r->kind < FAKE_PLATFORM_REPORT_KINDS) {
        f->reports[r->kind]++;
    }
    switch (r->kind) {
    case EDGE_REPORT_ALARM:
        r->active ? f->alarms_on++ : f->alarms_off++;
        break;
    case EDGE_REPORT_COMMAND:
        f->last_result = r->result;
        break;
    case EDGE_REPORT_FRAME_REFUSED:
        f->last_refusal = r->refusal;
        break;
    case EDGE_REPORT_FRAME_DEFERRED:
        f->last_refusal = r->refusal;
        f->last_retry_after_ms = r->retry_after_ms;
        break;
    default:
        break;
    }
}

void fake_platform_init(fake_platform *fake)
{
    memset(fake, 0, sizeof *fake);
    fake->epoch_ms = 1763000000000ull;
    fake->temperature = 231;
    fake->send_result = EDGE_SEND_DELIVERED;
    fake->platform = (edge_platform){.ctx = fake,
                                     .epoch_ms = fake_epoch,
                                     .uptime_ms = fake_uptime,
                                     .read_sensors = fake_read,
                                     .send = fake_send,
                                     .connect = fake_connect,
                                     .set_timer = fake_set_timer,
                                     .health = fake_health,
                                     .reboot = fake_reboot,
                                     .report = fake_report};
}
