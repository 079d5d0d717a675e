#include "edge/node.h"

#include <string.h>

#include "edge/backoff.h"
#include "edge/command.h"
#include "edge/frame.h"
#include "edge/status.h"
#include "edge/thresholds.h"

/* Inputs queue up so that hooks can call back into the node; besides the edge_event values,
 * these mark what the platform reported. */
enum {
    INPUT_DELIVERED = 0x40,
    INPUT_ANSWER,
    INPUT_SAMPLE_TIMER,
    INPUT_RETRY_TIMER,
    INPUT_ANSWER_TIMER,
};

/* Bounds on the gateway's "not now" hint: not a busy loop, not a device gone for hours. */
#define MIN_RETRY_AFTER_MS 100u
#define MAX_RETRY_AFTER_MS 600000u

static void report(edge_node *n, edge_report *r)
{
    if (n->config.platform->report != NULL) {
        n->config.platform->report(n->config.platform->ctx, r);
    }
}

static void report_error(edge_node *n, int error, const char *what)
{
    edge_report r = {.kind = EDGE_REPORT_ERROR, .state = n->state, .error = error, .what = what};
    report(n, &r);
}

static void post(edge_node *n, uint8_t input)
{
    if (n->queue_count == EDGE_NODE_QUEUE) {
        report_error(n, EDGE_ERR_TOO_LARGE, "input queue full");
        return;
    }
    n->queue[(n->queue_head + n->queue_count) % EDGE_NODE_QUEUE] = input;
    n->queue_count++;
}

static uint32_t uptime(const edge_node *n)
{
    return n->config.platform->uptime_ms(n->config.platform->ctx);
}

static bool has_backlog(const edge_node *n)
{
    return n->has_pending || n->ack_count > 0 || n->status_due || n->ring.count > n->ring.pinned;
}

/* Something to send now: not while the frame in flight waits for its answer or its time. */
static bool sendable(const edge_node *n)
{
    return has_backlog(n) && !n->awaiting_delivery && !n->deferred;
}

static bool resting(edge_device_state state)
{
    return state == EDGE_STATE_READY || state == EDGE_STATE_SLEEP || state == EDGE_STATE_RETRY ||
           state == EDGE_STATE_CONNECT_WIFI || state == EDGE_STATE_CONNECT_MQTT;
}

static void queue_status(edge_node *n, edge_device_state state)
{
    n->status_due = true;
    n->status_state = state;
}

static void schedule_retry(edge_node *n)
{
    uint32_t random = 0;
    n->config.rng->fill(n->config.rng->ctx, (unsigned char *)&random, sizeof random);
    const uint32_t delay = edge_backoff_ms(n->retry_attempt, n->config.retry_base_ms, n->config.retry_max_ms, random);
    if (n->retry_attempt < 31) {
        n->retry_attempt++;
    }
    n->retry_scheduled = true;
    n->config.platform->set_timer(n->config.platform->ctx, EDGE_TIMER_RETRY, delay);
}

static void read_sensors(edge_node *n)
{
    const edge_platform *p = n->config.platform;
    n->sample_pending = false;
    n->cycle_count = p->read_sensors(p->ctx, n->cycle, EDGE_MAX_SAMPLES);
    const uint64_t now = p->epoch_ms(p->ctx);
    for (size_t i = 0; i < n->cycle_count; i++) {
        n->cycle[i].timestamp_ms = now;
        edge_ring_push(&n->ring, &n->cycle[i]);
    }
    post(n, n->cycle_count > 0 ? EDGE_EV_DONE : EDGE_EV_FAILED);
}

static void set_alarm(edge_node *n, size_t index, bool active, const edge_sample *sample)
{
    if (n->alarm_active[index] == active) {
        return;
    }
    n->alarm_active[index] = active;
    edge_report r = {.kind = EDGE_REPORT_ALARM, .state = n->state, .sample = sample, .active = active};
    report(n, &r);
}

static void process_data(edge_node *n)
{
    const edge_thresholds *thresholds = &n->settings.thresholds;
    for (size_t i = 0; i < n->cycle_count; i++) {
        const edge_threshold *t = edge_threshold_for(thresholds, &n->cycle[i]);
        if (t != NULL) {
            set_alarm(n, (size_t)(t - thresholds->thresholds), edge_threshold_exceeded(t, &n->cycle[i]), &n->cycle[i]);
        }
    }
    if (n->config.status_interval_ms > 0 && uptime(n) - n->last_status_ms >= n->config.status_interval_ms) {
        queue_status(n, n->link_up ? EDGE_STATE_SLEEP : EDGE_STATE_RETRY);
    }
    post(n, EDGE_EV_DONE);
}

static void fill_status(edge_node *n, edge_device_status *status)
{
    const edge_platform *p = n->config.platform;
    strncpy(status->firmware_version, n->config.firmware_version, sizeof status->firmware_version - 1);
    status->state = n->status_state;
    status->buffered_readings = (uint32_t)n->ring.count;
    status->sampling_interval_ms = n->settings.interval_ms;
    status->dropped_readings = n->ring.dropped;
    if (p->health != NULL) {
        p->health(p->ctx, &status->free_heap_bytes, &status->rssi_dbm);
    }
}

/* Builds and signs the next frame: acknowledgements and status before readings. Returns
 * false when there is nothing to send or it could not be built. */
static bool build_next(edge_node *n)
{
    const edge_platform *p = n->config.platform;
    edge_device_frame *f = &n->scratch;
    const edge_device_frame empty = intelledger_device_v1_DeviceFrame_init_zero;
    const bool control = n->ack_count > 0 || n->status_due;
    *f = empty;
    if (!control && n->ring.count == n->ring.pinned) {
        return false;
    }
    int rc = edge_counter_take(&n->counter, &f->counter);
    if (rc != EDGE_OK) {
        report_error(n, rc, "frame counter not persisted");
        return false;
    }
    memcpy(f->device_id, n->device_id, sizeof f->device_id);
    f->device_time_ms = p->epoch_ms(p->ctx);
    f->uptime_ms = uptime(n);
    if (control) {
        if (n->ack_count > 0) {
            f->has_command_ack = true;
            f->command_ack.command_id = n->acks[0].command_id;
            f->command_ack.result = n->acks[0].result;
            n->ack_count--;
            memmove(&n->acks[0], &n->acks[1], n->ack_count * sizeof n->acks[0]);
        }
        if (n->status_due) {
            f->has_status = true;
            fill_status(n, &f->status);
            n->status_due = false;
            n->last_status_ms = f->uptime_ms;
        }
    } else {
        size_t count = edge_ring_peek(&n->ring, f->samples, EDGE_MAX_SAMPLES);
        do {
            f->samples_count = (pb_size_t)count;
        } while (edge_frame_encoded_size(f) > EDGE_FRAME_MAX_BYTES && --count > 0);
        edge_ring_pin(&n->ring, count);
    }
    rc = edge_frame_sign(f, n->config.device_key, n->config.rng, n->pending, sizeof n->pending, &n->pending_len);
    if (rc == EDGE_OK) {
        rc = edge_sha256(n->pending, n->pending_len, n->pending_sha256);
    }
    if (rc != EDGE_OK) {
        report_error(n, rc, "frame not signed");
        edge_ring_release(&n->ring);
        return false;
    }
    n->has_pending = true;
    n->awaiting_delivery = false;
    n->deferred = false;
    n->pending_topic = control ? EDGE_TOPIC_STATUS : EDGE_TOPIC_FRAMES;
    n->pending_counter = f->counter;
    n->pending_samples = f->samples_count;
    return true;
}

/* The frame in flight is done with: the gateway has it (EDGE_REPORT_FRAME) or refused it for
 * good (EDGE_REPORT_FRAME_REFUSED). */
/* Reports what became of the pending frame: the gateway's refusal, if any, and its "not now" delay. */
static void report_pending(edge_node *n, edge_report_kind kind, edge_frame_refusal refusal, uint32_t retry_after_ms)
{
    edge_report r = {.kind = kind,
                     .state = n->state,
                     .counter = n->pending_counter,
                     .topic = n->pending_topic,
                     .samples = n->pending_samples,
                     .refusal = refusal,
                     .retry_after_ms = retry_after_ms};
    report(n, &r);
}

static void finish_pending(edge_node *n, edge_report_kind kind, edge_frame_refusal refusal)
{
    n->has_pending = false;
    n->awaiting_delivery = false;
    n->deferred = false;
    if (n->pending_topic == EDGE_TOPIC_FRAMES) {
        edge_ring_release(&n->ring);
    }
    report_pending(n, kind, refusal, 0);
    if (n->reboot_pending && n->ack_count == 0) {
        n->reboot_pending = false;
        n->config.platform->reboot(n->config.platform->ctx);
    }
}

static void delivered(edge_node *n)
{
    finish_pending(n, EDGE_REPORT_FRAME, intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_UNSPECIFIED);
}

static void set_answer_timer(edge_node *n, uint32_t delay_ms)
{
    n->config.platform->set_timer(n->config.platform->ctx, EDGE_TIMER_ANSWER, delay_ms);
}

static void defer(edge_node *n, const edge_frame_ack *ack)
{
    uint32_t delay = ack->retry_after_ms == 0 ? n->config.answer_timeout_ms : ack->retry_after_ms;
    delay = delay < MIN_RETRY_AFTER_MS ? MIN_RETRY_AFTER_MS : delay > MAX_RETRY_AFTER_MS ? MAX_RETRY_AFTER_MS : delay;
    n->awaiting_delivery = false;
    n->deferred = true;
    set_answer_timer(n, delay);
    report_pending(n, EDGE_REPORT_FRAME_DEFERRED, ack->refusal, delay);
}

static void take_answer(edge_node *n)
{
    const edge_frame_ack *ack = &n->answer;
    if (!n->has_pending || memcmp(ack->frame_sha256, n->pending_sha256, sizeof n->pending_sha256) != 0) {
        return; /* a late answer to a frame already done with */
    }
    switch (ack->result) {
    case EDGE_ACK_STORED:
        delivered(n);
        post(n, EDGE_EV_OUTBOX);
        break;
    case EDGE_ACK_REFUSED:
        finish_pending(n, EDGE_REPORT_FRAME_REFUSED, ack->refusal);
        post(n, EDGE_EV_OUTBOX);
        break;
    case EDGE_ACK_RETRY_LATER:
        defer(n, ack);
        break;
    default:
        break; /* a result this firmware does not know: the answer timeout sends the frame again */
    }
}

/* The answer timer: an overdue answer or a "not now" that has passed. Stale expiries (the
 * frame was answered meanwhile) change nothing. */
static void answer_timer(edge_node *n)
{
    if (n->awaiting_delivery && n->config.answer_timeout_ms > 0) {
        n->awaiting_delivery = false;
        edge_report r = {.kind = EDGE_REPORT_FRAME_RESENT, .state = n->state, .counter = n->pending_counter};
        report(n, &r);
        post(n, EDGE_EV_OUTBOX);
    } else if (n->deferred) {
        n->deferred = false;
        post(n, EDGE_EV_OUTBOX);
    }
}

static void publish(edge_node *n)
{
    const edge_platform *p = n->config.platform;
    for (;;) {
        if (!n->has_pending && !build_next(n)) {
            post(n, has_backlog(n) ? EDGE_EV_FAILED : EDGE_EV_DONE);
            return;
        }
        if (n->awaiting_delivery || n->deferred) {
            /* The gateway has the frame, or asked for it later: the node samples on meanwhile. */
            post(n, EDGE_EV_DONE);
            return;
        }
        switch (p->send(p->ctx, n->pending_topic, n->pending, n->pending_len)) {
        case EDGE_SEND_DELIVERED:
            delivered(n);
            break;
        case EDGE_SEND_PENDING:
            n->awaiting_delivery = true;
            if (n->config.answer_timeout_ms > 0) {
                set_answer_timer(n, n->config.answer_timeout_ms);
            }
            post(n, EDGE_EV_DONE);
            return;
        case EDGE_SEND_FAILED:
            post(n, EDGE_EV_FAILED);
            return;
        }
    }
}

static void enter(edge_node *n, edge_device_state state)
{
    const edge_platform *p = n->config.platform;
    n->state = state;
    edge_report r = {.kind = EDGE_REPORT_STATE, .state = state};
    report(n, &r);
    switch (state) {
    case EDGE_STATE_CONNECT_WIFI:
    case EDGE_STATE_CONNECT_MQTT:
        p->connect(p->ctx, state);
        break;
    case EDGE_STATE_RETRY:
        if (!n->retry_scheduled) {
            schedule_retry(n);
        }
        break;
    case EDGE_STATE_READ_SENSORS:
        read_sensors(n);
        break;
    case EDGE_STATE_PROCESS_DATA:
        process_data(n);
        break;
    case EDGE_STATE_PUBLISH_DATA:
        publish(n);
        break;
    default:
        break;
    }
    if (resting(state)) {
        /* A sample that fell due while the node was busy is taken now. */
        if (n->sample_pending) {
            post(n, EDGE_EV_SAMPLE_DUE);
        } else if (sendable(n) && n->link_up) {
            post(n, EDGE_EV_OUTBOX);
        }
    }
}

static void link_lost(edge_node *n)
{
    n->link_up = false;
    /* Whatever was in flight is sent again once the link is back, at once. */
    n->awaiting_delivery = false;
    n->deferred = false;
}

/* Bookkeeping for an input; returns the event it means for the state machine. */
static edge_event interpret(edge_node *n, uint8_t input, bool *is_event)
{
    *is_event = true;
    switch (input) {
    case INPUT_DELIVERED:
        *is_event = false;
        if (n->awaiting_delivery) {
            delivered(n);
            post(n, EDGE_EV_OUTBOX);
        }
        return EDGE_EV_DONE;
    case INPUT_ANSWER:
        *is_event = false;
        take_answer(n);
        return EDGE_EV_DONE;
    case INPUT_ANSWER_TIMER:
        *is_event = false;
        answer_timer(n);
        return EDGE_EV_DONE;
    case INPUT_SAMPLE_TIMER:
        n->config.platform->set_timer(n->config.platform->ctx, EDGE_TIMER_SAMPLE, n->settings.interval_ms);
        n->sample_pending = true;
        return EDGE_EV_SAMPLE_DUE;
    case INPUT_RETRY_TIMER:
        n->retry_scheduled = false;
        return EDGE_EV_RETRY_DUE;
    case EDGE_EV_NETWORK_UP:
        n->network_up = true;
        break;
    case EDGE_EV_NETWORK_DOWN:
        n->network_up = false;
        link_lost(n);
        break;
    case EDGE_EV_LINK_UP:
        n->link_up = true;
        n->retry_attempt = 0;
        queue_status(n, EDGE_STATE_READY);
        break;
    case EDGE_EV_LINK_DOWN:
        link_lost(n);
        break;
    case EDGE_EV_SAMPLE_DUE:
        /* Re-posted for a pending sample; stale when the sample was taken meanwhile. */
        *is_event = n->sample_pending;
        break;
    default:
        break;
    }
    return (edge_event)input;
}

static void handle(edge_node *n, uint8_t input)
{
    bool is_event;
    const edge_event ev = interpret(n, input, &is_event);
    if (!is_event) {
        return;
    }
    const edge_state_inputs in = {
        .mode = n->config.mode,
        .network_up = n->network_up,
        .link_up = n->link_up,
        .backlog = sendable(n),
    };
    const edge_device_state next = edge_state_next(n->state, ev, &in);
    if (next != n->state) {
        enter(n, next);
    } else if (next == EDGE_STATE_RETRY && ev == EDGE_EV_RETRY_DUE) {
        /* Serial and BLE reconnect from RETRY itself. */
        n->config.platform->connect(n->config.platform->ctx, EDGE_STATE_RETRY);
        if (!n->link_up && !n->retry_scheduled) {
            schedule_retry(n);
        }
    }
}

static void run(edge_node *n)
{
    if (n->busy) {
        return;
    }
    n->busy = true;
    while (n->queue_count > 0) {
        const uint8_t input = n->queue[n->queue_head];
        n->queue_head = (n->queue_head + 1) % EDGE_NODE_QUEUE;
        n->queue_count--;
        handle(n, input);
    }
    n->busy = false;
}

static void submit(edge_node *n, uint8_t input)
{
    post(n, input);
    run(n);
}

int edge_node_start(edge_node *node, const edge_node_config *config)
{
    if (!edge_device_id_valid(config->device_id) || config->platform == NULL || config->storage == NULL ||
        config->rng == NULL || config->ring_slots == NULL || config->ring_capacity == 0) {
        return EDGE_ERR_ARG;
    }
    memset(node, 0, sizeof *node);
    node->config = *config;
    strncpy(node->device_id, config->device_id, sizeof node->device_id - 1);
    node->config.device_id = node->device_id;
    int rc = edge_counter_open(&node->counter, config->storage, config->counter_block);
    if (rc == EDGE_OK) {
        rc = edge_settings_load(&node->settings, config->storage, config->default_interval_ms);
    }
    if (rc == EDGE_OK) {
        rc = edge_storage_read_u64(config->storage, EDGE_KEY_COMMAND_ID, &node->last_command_id);
        rc = rc == EDGE_ERR_NOT_FOUND ? EDGE_OK : rc;
    }
    if (rc != EDGE_OK) {
        return rc;
    }
    edge_ring_init(&node->ring, config->ring_slots, config->ring_capacity);
    node->link_up = config->linked_at_start;
    if (node->link_up) {
        queue_status(node, EDGE_STATE_READY);
    }
    node->state = EDGE_STATE_INIT;
    edge_report r = {.kind = EDGE_REPORT_STATE, .state = EDGE_STATE_INIT};
    report(node, &r);
    config->platform->set_timer(config->platform->ctx, EDGE_TIMER_SAMPLE, node->settings.interval_ms);
    submit(node, EDGE_EV_DONE);
    return EDGE_OK;
}

void edge_node_timer(edge_node *node, edge_timer timer)
{
    static const uint8_t INPUTS[EDGE_TIMER_COUNT] = {INPUT_SAMPLE_TIMER, INPUT_RETRY_TIMER, INPUT_ANSWER_TIMER};
    if ((size_t)timer < EDGE_TIMER_COUNT) {
        submit(node, INPUTS[timer]);
    }
}

void edge_node_network(edge_node *node, bool up)
{
    submit(node, up ? EDGE_EV_NETWORK_UP : EDGE_EV_NETWORK_DOWN);
}

void edge_node_link(edge_node *node, bool up)
{
    submit(node, up ? EDGE_EV_LINK_UP : EDGE_EV_LINK_DOWN);
}

void edge_node_connect_failed(edge_node *node)
{
    submit(node, EDGE_EV_CONNECT_FAILED);
}

void edge_node_delivered(edge_node *node)
{
    submit(node, INPUT_DELIVERED);
}

void edge_node_frame_ack(edge_node *node, const edge_frame_ack *ack)
{
    /* Answers arrive from the platform, outside the node's own processing: one at a time. */
    node->answer = *ack;
    submit(node, INPUT_ANSWER);
}

static void queue_ack(edge_node *n, uint64_t command_id, edge_command_result result)
{
    if (n->ack_count == EDGE_NODE_MAX_ACKS) {
        report_error(n, EDGE_ERR_TOO_LARGE, "acknowledgement queue full, oldest dropped");
        n->ack_count--;
        memmove(&n->acks[0], &n->acks[1], n->ack_count * sizeof n->acks[0]);
    }
    n->acks[n->ack_count].command_id = command_id;
    n->acks[n->ack_count].result = result;
    n->ack_count++;
}

static int apply(edge_node *n, const edge_device_command *command)
{
    const edge_platform *p = n->config.platform;
    int rc = EDGE_OK;
    switch (command->which_action) {
    case intelledger_device_v1_DeviceCommand_set_sampling_interval_tag:
        rc = edge_settings_set_interval(&n->settings, n->config.storage,
                                        command->action.set_sampling_interval.interval_ms);
        if (rc == EDGE_OK) {
            p->set_timer(p->ctx, EDGE_TIMER_SAMPLE, n->settings.interval_ms);
        }
        break;
    case intelledger_device_v1_DeviceCommand_set_thresholds_tag:
        rc = edge_settings_set_thresholds(&n->settings, n->config.storage, &command->action.set_thresholds);
        if (rc == EDGE_OK) {
            for (size_t i = 0; i < EDGE_MAX_THRESHOLDS; i++) {
                set_alarm(n, i, false, NULL);
            }
        }
        break;
    case intelledger_device_v1_DeviceCommand_reboot_tag:
        n->reboot_pending = true;
        break;
    default:
        break;
    }
    return rc;
}

void edge_node_command(edge_node *node, const uint8_t *bytes, size_t len)
{
    edge_command_verdict verdict;
    const uint8_t *gateway_key = node->config.has_gateway_key ? node->config.gateway_key : NULL;
    if (edge_command_check(bytes, len, node->device_id, gateway_key, node->last_command_id, &verdict) != EDGE_OK) {
        edge_report r = {.kind = EDGE_REPORT_COMMAND_MALFORMED, .state = node->state};
        report(node, &r);
        return;
    }
    if (verdict.result == EDGE_RESULT_APPLIED) {
        /* The id is persisted first: a command is applied at most once, even across a crash. */
        int rc = edge_storage_write_u64(node->config.storage, EDGE_KEY_COMMAND_ID, verdict.command_id);
        if (rc == EDGE_OK) {
            node->last_command_id = verdict.command_id;
            rc = apply(node, &verdict.command);
        }
        if (rc != EDGE_OK) {
            report_error(node, rc, "command not persisted");
            return;
        }
    }
    edge_report r = {.kind = EDGE_REPORT_COMMAND,
                     .state = node->state,
                     .command_id = verdict.command_id,
                     .action = edge_command_action_name(&verdict.command),
                     .result = verdict.result};
    report(node, &r);
    queue_ack(node, verdict.command_id, verdict.result);
    if (verdict.result == EDGE_RESULT_APPLIED && !node->reboot_pending) {
        queue_status(node, node->link_up ? EDGE_STATE_READY : EDGE_STATE_RETRY);
    }
    submit(node, EDGE_EV_OUTBOX);
}

edge_device_state edge_node_state(const edge_node *node)
{
    return node->state;
}

uint32_t edge_node_interval_ms(const edge_node *node)
{
    return node->settings.interval_ms;
}

size_t edge_node_buffered(const edge_node *node)
{
    return node->ring.count;
}

uint64_t edge_node_next_counter(const edge_node *node)
{
    return node->counter.next;
}
