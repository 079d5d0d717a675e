#ifndef EDGE_NODE_H
#define EDGE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edge/counter.h"
#include "edge/crypto.h"
#include "edge/ring.h"
#include "edge/settings.h"
#include "edge/state_machine.h"
#include "edge/storage.h"
#include "edge/wire.h"

/* A sensor node: the state machine with its actions, the ring buffer, frame counter, settings
 * and command handling, over a platform that reads sensors, keeps time and carries bytes (the
 * ESP-IDF application, the simulator, or a test). Frames leave strictly in counter order, one
 * at a time, and each is kept until the gateway answered it: on MQTT its PUBACK
 * (edge_node_delivered), on serial and BLE a FrameAck (edge_node_frame_ack). A frame the
 * gateway has not answered when the link drops, or within the answer timeout, or that it asked
 * for later, is sent again byte for byte before anything newer, so the gateway stores it once.
 * Sampling goes on meanwhile. Not thread-safe: the platform calls it from one task; hooks may
 * call back into it. */

typedef enum {
    EDGE_TOPIC_FRAMES, /* readings */
    EDGE_TOPIC_STATUS, /* status and command acknowledgements */
} edge_topic;

typedef enum {
    EDGE_TIMER_SAMPLE,
    EDGE_TIMER_RETRY,
    EDGE_TIMER_ANSWER, /* the gateway's answer is overdue, or its "not now" has passed */
} edge_timer;

#define EDGE_TIMER_COUNT 3

typedef enum {
    EDGE_SEND_DELIVERED, /* the gateway already confirmed */
    EDGE_SEND_PENDING,   /* edge_node_delivered() or edge_node_frame_ack() follows when the gateway answers */
    EDGE_SEND_FAILED,    /* the link could not take it */
} edge_send_result;

typedef enum {
    EDGE_REPORT_STATE,             /* state */
    EDGE_REPORT_FRAME,             /* the gateway has a frame: counter, topic, samples */
    EDGE_REPORT_FRAME_REFUSED,     /* the gateway refused a frame for good, the node dropped it: counter,
                                      topic, samples, refusal */
    EDGE_REPORT_FRAME_DEFERRED,    /* the gateway said "not now": counter, refusal, retry_after_ms */
    EDGE_REPORT_FRAME_RESENT,      /* no answer within the answer timeout, the frame goes again: counter */
    EDGE_REPORT_COMMAND,           /* a command was checked: command_id, action, result */
    EDGE_REPORT_COMMAND_MALFORMED, /* bytes that are no signed command */
    EDGE_REPORT_ALARM,             /* a reading left (active) or re-entered its bounds: sample,
                                      NULL when the bounds were replaced */
    EDGE_REPORT_ERROR,             /* storage or signing failed: error, what */
} edge_report_kind;

typedef struct {
    edge_report_kind kind;
    edge_device_state state;
    uint64_t counter;
    edge_topic topic;
    size_t samples;
    uint64_t command_id;
    const char *action;
    edge_command_result result;
    edge_frame_refusal refusal;
    uint32_t retry_after_ms;
    const edge_sample *sample;
    bool active;
    int error;
    const char *what;
} edge_report;

typedef struct {
    void *ctx;
    /* Milliseconds since the Unix epoch; 0 while the clock was never set. */
    uint64_t (*epoch_ms)(void *ctx);
    uint32_t (*uptime_ms)(void *ctx);
    /* Reads every sensor once into out (cap entries, channel, index, value and scale set);
     * returns how many samples it wrote. A failing sensor is left out. */
    size_t (*read_sensors)(void *ctx, edge_sample *out, size_t cap);
    /* Carries one SignedFrame. */
    edge_send_result (*send)(void *ctx, edge_topic topic, const uint8_t *bytes, size_t len);
    /* Starts the work of CONNECT_WIFI or CONNECT_MQTT, or another attempt in RETRY; the
     * outcome comes back through edge_node_network(), edge_node_link() or
     * edge_node_connect_failed(). */
    void (*connect)(void *ctx, edge_device_state state);
    /* (Re)arms a one-shot timer; its expiry is reported with edge_node_timer(). */
    void (*set_timer)(void *ctx, edge_timer timer, uint32_t delay_ms);
    /* Optional: free heap and Wi-Fi signal strength for status frames. */
    void (*health)(void *ctx, uint32_t *free_heap_bytes, int32_t *rssi_dbm);
    void (*reboot)(void *ctx);
    /* Optional: what happened, for logs, alarm outputs and the simulator's output. */
    void (*report)(void *ctx, const edge_report *report);
} edge_platform;

typedef struct {
    const char *device_id;
    const char *firmware_version;
    edge_link_mode mode;
    /* Serial links on a device are up from the start; the others come up later. */
    bool linked_at_start;
    /* Links answered by FrameAcks (serial, BLE): a frame without an answer for this long is sent
     * again. 0 where the link itself confirms delivery or its loss (MQTT). */
    uint32_t answer_timeout_ms;
    uint8_t device_key[EDGE_PRIVATE_KEY_BYTES];
    /* The gateway's command key; commands are refused as badly signed without one. */
    bool has_gateway_key;
    uint8_t gateway_key[EDGE_PUBLIC_KEY_BYTES];
    uint32_t default_interval_ms;
    /* How often a linked device reports its status besides on connecting. */
    uint32_t status_interval_ms;
    uint32_t retry_base_ms;
    uint32_t retry_max_ms;
    /* Frame counters reserved per storage write. */
    uint32_t counter_block;
    edge_sample *ring_slots;
    size_t ring_capacity;
    const edge_storage *storage;
    const edge_rng *rng;
    const edge_platform *platform;
} edge_node_config;

#define EDGE_NODE_MAX_ACKS 4
#define EDGE_NODE_QUEUE 16

typedef struct {
    uint64_t command_id;
    edge_command_result result;
} edge_node_ack;

/* Allocate statically; fields are private to node.c. */
typedef struct {
    edge_node_config config;
    char device_id[32];
    edge_device_state state;
    bool network_up;
    bool link_up;
    edge_counter counter;
    edge_settings settings;
    uint64_t last_command_id;
    edge_ring ring;

    /* The frame on its way: built and signed once, sent until the gateway has it or refused it. */
    bool has_pending;
    bool awaiting_delivery;
    /* The gateway said "not now": sent again when EDGE_TIMER_ANSWER expires. */
    bool deferred;
    uint8_t pending[EDGE_SIGNED_FRAME_MAX_BYTES];
    size_t pending_len;
    uint8_t pending_sha256[EDGE_SHA256_BYTES];
    edge_frame_ack answer;
    edge_topic pending_topic;
    uint64_t pending_counter;
    size_t pending_samples;

    edge_node_ack acks[EDGE_NODE_MAX_ACKS];
    size_t ack_count;
    bool status_due;
    edge_device_state status_state;
    uint32_t last_status_ms;
    bool reboot_pending;

    bool sample_pending;
    bool retry_scheduled;
    uint32_t retry_attempt;
    edge_sample cycle[EDGE_MAX_SAMPLES];
    size_t cycle_count;
    bool alarm_active[EDGE_MAX_THRESHOLDS];

    uint8_t queue[EDGE_NODE_QUEUE];
    size_t queue_head;
    size_t queue_count;
    bool busy;
    edge_device_frame scratch;
} edge_node;

/* Loads the counter, settings and last command id from storage and starts in INIT. */
int edge_node_start(edge_node *node, const edge_node_config *config);

void edge_node_timer(edge_node *node, edge_timer timer);
void edge_node_network(edge_node *node, bool up);
void edge_node_link(edge_node *node, bool up);
void edge_node_connect_failed(edge_node *node);
/* MQTT: the gateway confirmed the frame that send() reported as pending. */
void edge_node_delivered(edge_node *node);
/* Serial and BLE: the gateway answered a frame. Answers that do not name the frame in flight
 * (by SHA-256 of its SignedFrame) are ignored. */
void edge_node_frame_ack(edge_node *node, const edge_frame_ack *ack);
/* A SignedCommand arrived; its acknowledgement goes out as a status frame. */
void edge_node_command(edge_node *node, const uint8_t *bytes, size_t len);

edge_device_state edge_node_state(const edge_node *node);
uint32_t edge_node_interval_ms(const edge_node *node);
/* Readings in the ring buffer, including those in the frame on its way. */
size_t edge_node_buffered(const edge_node *node);
/* The next frame counter this node will use. */
uint64_t edge_node_next_counter(const edge_node *node);

#endif
