#include "edge/ring.h"
#include "harness.h"

static edge_sample with_value(int32_t value)
{
    edge_sample s = intelledger_device_v1_Sample_init_zero;
    s.value = value;
    return s;
}

int main(void)
{
    edge_sample slots[5];
    edge_sample out[8];
    edge_ring ring;

    harness_case("oldest first");
    edge_ring_init(&ring, slots, 5);
    for (int32_t v = 1; v <= 3; v++) {
        edge_sample s = with_value(v);
        edge_ring_push(&ring, &s);
    }
    CHECK_EQ(edge_ring_peek(&ring, out, 8), 3);
    CHECK_EQ(out[0].value, 1);
    CHECK_EQ(out[2].value, 3);

    harness_case("a full buffer drops its oldest reading");
    for (int32_t v = 4; v <= 7; v++) {
        edge_sample s = with_value(v);
        edge_ring_push(&ring, &s);
    }
    CHECK_EQ(ring.count, 5);
    CHECK_EQ(ring.dropped, 2);
    CHECK_EQ(edge_ring_peek(&ring, out, 8), 5);
    CHECK_EQ(out[0].value, 3);
    CHECK_EQ(out[4].value, 7);

    harness_case("pinned readings leave once delivered");
    CHECK_EQ(edge_ring_peek(&ring, out, 2), 2);
    edge_ring_pin(&ring, 2);
    CHECK_EQ(edge_ring_peek(&ring, out, 8), 3);
    CHECK_EQ(out[0].value, 5);
    edge_ring_release(&ring);
    CHECK_EQ(ring.count, 3);
    CHECK_EQ(edge_ring_peek(&ring, out, 8), 3);
    CHECK_EQ(out[0].value, 5);

    harness_case("overwriting a pinned reading drops nothing");
    edge_ring_pin(&ring, 3);
    const uint32_t dropped = ring.dropped;
    for (int32_t v = 8; v <= 11; v++) {
        edge_sample s = with_value(v);
        edge_ring_push(&ring, &s);
    }
    CHECK_EQ(ring.dropped, dropped);
    CHECK_EQ(ring.pinned, 1);
    edge_ring_release(&ring);
    CHECK_EQ(edge_ring_peek(&ring, out, 8), 4);
    CHECK_EQ(out[0].value, 8);
    CHECK_EQ(out[3].value, 11);

    harness_case("a buffer without room counts every reading as dropped");
    edge_ring empty;
    edge_ring_init(&empty, slots, 0);
    edge_sample s = with_value(1);
    edge_ring_push(&empty, &s);
    CHECK_EQ(empty.dropped, 1);
    CHECK_EQ(edge_ring_peek(&empty, out, 8), 0);
    return harness_finish("ring");
}
