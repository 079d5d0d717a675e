#include <string.h>

#include "edge/cobs.h"
#include "harness.h"
#include "test_vectors.h"

static uint32_t prng = 12345;

static uint8_t next_byte(void)
{
    prng = prng * 1103515245u + 12345u;
    /* Plenty of zeros and of long non-zero runs. */
    const uint8_t byte = (uint8_t)(prng >> 16);
    return (prng >> 28) < 3 ? 0 : byte;
}

static void shared_vectors(void)
{
    static uint8_t encoded[EDGE_COBS_MAX_ENCODED(1024)];
    static uint8_t decoded[1024];
    for (size_t i = 0; i < TV_COBS_COUNT; i++) {
        harness_case("shared COBS vector");
        const tv_cobs *v = &TV_COBS[i];
        const size_t len = edge_cobs_encode(v->data.data, v->data.len, encoded);
        CHECK_MEM(encoded, len, v->encoded.data, v->encoded.len);
        size_t decoded_len = 0;
        CHECK(edge_cobs_decode(v->encoded.data, v->encoded.len, decoded, &decoded_len));
        CHECK_MEM(decoded, decoded_len, v->data.data, v->data.len);
    }
}

static void round_trips(void)
{
    static uint8_t data[1100];
    static uint8_t encoded[EDGE_COBS_MAX_ENCODED(1100)];
    harness_case("random round trips");
    for (size_t len = 0; len < sizeof data; len += 7) {
        for (size_t i = 0; i < len; i++) {
            data[i] = next_byte();
        }
        const size_t encoded_len = edge_cobs_encode(data, len, encoded);
        CHECK(encoded_len <= EDGE_COBS_MAX_ENCODED(len));
        CHECK(memchr(encoded, 0, encoded_len) == NULL);
        size_t decoded_len = 0;
        /* In place, as the serial decoder does it. */
        CHECK(edge_cobs_decode(encoded, encoded_len, encoded, &decoded_len));
        CHECK_MEM(encoded, decoded_len, data, len);
    }
}

static void invalid_input(void)
{
    uint8_t out[8];
    size_t len = 0;
    harness_case("code points past the end");
    const uint8_t past_end[] = {0x05, 0x11, 0x22};
    CHECK(!edge_cobs_decode(past_end, sizeof past_end, out, &len));
    harness_case("zero inside a block");
    const uint8_t inner_zero[] = {0x03, 0x11, 0x00};
    CHECK(!edge_cobs_decode(inner_zero, sizeof inner_zero, out, &len));
    harness_case("zero code byte");
    const uint8_t zero_code[] = {0x00};
    CHECK(!edge_cobs_decode(zero_code, sizeof zero_code, out, &len));
}

int main(void)
{
    shared_vectors();
    round_trips();
    invalid_input();
    return harness_finish("cobs");
}
