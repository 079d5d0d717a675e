#include <string.h>

#include "edge/serial_framing.h"
#include "harness.h"
#include "test_vectors.h"

typedef struct {
    edge_packet_status status[8];
    uint8_t payload[8][EDGE_SERIAL_MAX_PAYLOAD];
    size_t len[8];
    size_t count;
} collected;

static void collect(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    collected *c = ctx;
    if (c->count == 8) {
        return;
    }
    c->status[c->count] = status;
    c->len[c->count] = len;
    if (status == EDGE_PACKET_OK) {
        memcpy(c->payload[c->count], payload, len);
    }
    c->count++;
}

static edge_serial_decoder decoder;
static collected got;

static void start(void)
{
    edge_serial_decoder_reset(&decoder);
    memset(&got, 0, sizeof got);
}

static void valid_vectors(void)
{
    static uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    CHECK_EQ(TV_MAX_PAYLOAD, EDGE_SERIAL_MAX_PAYLOAD);
    for (size_t i = 0; i < TV_PACKET_COUNT; i++) {
        const tv_packet *v = &TV_PACKETS[i];
        harness_case(v->name);
        const size_t len = edge_serial_encode(v->payload.data, v->payload.len, wire, sizeof wire);
        CHECK_MEM(wire, len, v->wire.data, v->wire.len);

        start();
        edge_serial_decoder_push(&decoder, v->wire.data, v->wire.len, collect, &got);
        CHECK_EQ(got.count, 1);
        CHECK_EQ(got.status[0], EDGE_PACKET_OK);
        CHECK_MEM(got.payload[0], got.len[0], v->payload.data, v->payload.len);

        /* Byte by byte, as a UART delivers it. */
        start();
        for (size_t b = 0; b < v->wire.len; b++) {
            edge_serial_decoder_push(&decoder, &v->wire.data[b], 1, collect, &got);
        }
        CHECK_EQ(got.count, 1);
        CHECK_MEM(got.payload[0], got.len[0], v->payload.data, v->payload.len);
    }
}

static void invalid_vectors(void)
{
    const tv_packet *good = &TV_PACKETS[0];
    for (size_t i = 0; i < TV_BAD_PACKET_COUNT; i++) {
        const tv_bad_packet *v = &TV_BAD_PACKETS[i];
        harness_case(v->name);
        start();
        edge_serial_decoder_push(&decoder, v->wire.data, v->wire.len, collect, &got);
        edge_serial_decoder_push(&decoder, good->wire.data, good->wire.len, collect, &got);
        CHECK_EQ(got.count, 2);
        CHECK_STR(edge_packet_status_name(got.status[0]), v->error);
        CHECK_EQ(got.len[0], v->wire.len - 1);
        /* The decoder goes on with what follows. */
        CHECK_EQ(got.status[1], EDGE_PACKET_OK);
        CHECK_MEM(got.payload[1], got.len[1], good->payload.data, good->payload.len);
    }
}

static void resynchronisation(void)
{
    const tv_packet *good = &TV_PACKETS[1];
    harness_case("garbage before a packet");
    start();
    const uint8_t garbage[] = {0x13, 0x37, 0xff, 0x42};
    edge_serial_decoder_push(&decoder, garbage, sizeof garbage, collect, &got);
    edge_serial_decoder_push(&decoder, good->wire.data, good->wire.len, collect, &got);
    CHECK_EQ(got.count, 1);
    CHECK(got.status[0] != EDGE_PACKET_OK);

    harness_case("a leading delimiter separates garbage from the packet");
    start();
    const uint8_t delimiter = EDGE_SERIAL_DELIMITER;
    edge_serial_decoder_push(&decoder, garbage, sizeof garbage, collect, &got);
    edge_serial_decoder_push(&decoder, &delimiter, 1, collect, &got);
    edge_serial_decoder_push(&decoder, good->wire.data, good->wire.len, collect, &got);
    CHECK_EQ(got.count, 2);
    CHECK_EQ(got.status[1], EDGE_PACKET_OK);

    harness_case("empty packets are skipped");
    start();
    const uint8_t delimiters[] = {0, 0, 0};
    edge_serial_decoder_push(&decoder, delimiters, sizeof delimiters, collect, &got);
    CHECK_EQ(got.count, 0);

    harness_case("a long run without delimiter stays bounded");
    start();
    static uint8_t flood[5000];
    memset(flood, 0x55, sizeof flood);
    edge_serial_decoder_push(&decoder, flood, sizeof flood, collect, &got);
    edge_serial_decoder_push(&decoder, good->wire.data, good->wire.len, collect, &got);
    CHECK_EQ(got.count, 1);
    CHECK_EQ(got.status[0], EDGE_PACKET_OVERSIZED);
    CHECK(got.len[0] > sizeof flood);
}

static void encode_limits(void)
{
    static uint8_t payload[EDGE_SERIAL_MAX_PAYLOAD + 1];
    static uint8_t wire[EDGE_SERIAL_MAX_WIRE + 8];
    harness_case("payload sizes");
    CHECK_EQ(edge_serial_encode(payload, 0, wire, sizeof wire), 0);
    CHECK_EQ(edge_serial_encode(payload, EDGE_SERIAL_MAX_PAYLOAD + 1, wire, sizeof wire), 0);
    CHECK(edge_serial_encode(payload, EDGE_SERIAL_MAX_PAYLOAD, wire, sizeof wire) > 0);
    harness_case("buffer too small");
    CHECK_EQ(edge_serial_encode(payload, 10, wire, 10), 0);
}

int main(void)
{
    valid_vectors();
    invalid_vectors();
    resynchronisation();
    encode_limits();
    return harness_finish("serial_framing");
}
