#include <string.h>

#include "edge/crypto.h"
#include "edge/link_message.h"
#include "edge/serial_framing.h"
#include "edge/status.h"
#include "gateway_side.h"
#include "harness.h"
#include "test_vectors.h"
#include "vector_checks.h"

static void ack_vectors(void)
{
    for (size_t i = 0; i < TV_FRAME_ACK_COUNT; i++) {
        const tv_frame_ack *v = &TV_FRAME_ACKS[i];
        harness_case(v->name);
        edge_gateway_message message;
        check_framed_gateway_message(&v->serial_wire, &v->gateway_message, EDGE_GATEWAY_FRAME_ACK, &v->frame_ack, &message);
        CHECK_MEM(message.ack.frame_sha256, sizeof message.ack.frame_sha256, v->frame_sha256.data, v->frame_sha256.len);
        CHECK_EQ(message.ack.result, v->result);
        CHECK_EQ(message.ack.refusal, v->refusal);
        CHECK_EQ(message.ack.retry_after_ms, v->retry_after_ms);

        /* The ack names its frame by SHA-256 of the SignedFrame bytes. */
        const tv_bytes *frame = &TV_FRAMES[v->frame_index].signed_frame;
        uint8_t digest[EDGE_SHA256_BYTES];
        CHECK_EQ(edge_sha256(frame->data, frame->len, digest), EDGE_OK);
        CHECK_MEM(digest, sizeof digest, v->frame_sha256.data, v->frame_sha256.len);
    }
}

static void provision_request_bodies(void)
{
    harness_case("a provisioning request is handed over as the bytes that came");
    for (size_t i = 0; i < TV_PROVISION_COUNT; i++) {
        const tv_provision *v = &TV_PROVISIONS[i];
        edge_gateway_message message;
        CHECK_EQ(edge_gateway_message_parse(v->gateway_message.data, v->gateway_message.len, &message), EDGE_OK);
        CHECK_EQ(message.kind, EDGE_GATEWAY_PROVISION_REQUEST);
        CHECK_MEM(message.body, message.body_len, v->request.data, v->request.len);
    }
}

static void malformed(void)
{
    edge_gateway_message message;
    harness_case("no body, garbage, a truncated length and unknown wire types are refused");
    const uint8_t empty[] = {0x00};
    CHECK_EQ(edge_gateway_message_parse(empty, 0, &message), EDGE_ERR_DECODE);
    const uint8_t only_unknown[] = {0x20, 0x05};
    CHECK_EQ(edge_gateway_message_parse(only_unknown, sizeof only_unknown, &message), EDGE_ERR_DECODE);
    const uint8_t truncated[] = {0x0a, 0x10, 0x01, 0x02};
    CHECK_EQ(edge_gateway_message_parse(truncated, sizeof truncated, &message), EDGE_ERR_DECODE);
    const uint8_t bad_wire_type[] = {0x0f, 0x01};
    CHECK_EQ(edge_gateway_message_parse(bad_wire_type, sizeof bad_wire_type, &message), EDGE_ERR_DECODE);
    const uint8_t bad_ack[] = {0x12, 0x02, 0x0a, 0x05};
    CHECK_EQ(edge_gateway_message_parse(bad_ack, sizeof bad_ack, &message), EDGE_ERR_DECODE);

    harness_case("a body larger than its field allows is refused");
    static uint8_t big[EDGE_SIGNED_COMMAND_MAX_BYTES + 8];
    memset(big, 0x01, sizeof big);
    big[0] = 0x0a;
    big[1] = (uint8_t)(0x80 | ((EDGE_SIGNED_COMMAND_MAX_BYTES + 1) & 0x7f));
    big[2] = (uint8_t)((EDGE_SIGNED_COMMAND_MAX_BYTES + 1) >> 7);
    CHECK_EQ(edge_gateway_message_parse(big, 3 + EDGE_SIGNED_COMMAND_MAX_BYTES + 1, &message), EDGE_ERR_DECODE);

    harness_case("unknown fields are skipped, and the last body wins as in any oneof");
    const uint8_t mixed[] = {0x20, 0x07, 0x0a, 0x02, 0xaa, 0xbb, 0x1a, 0x01, 0xcc, 0x2a, 0x00};
    CHECK_EQ(edge_gateway_message_parse(mixed, sizeof mixed, &message), EDGE_OK);
    CHECK_EQ(message.kind, EDGE_GATEWAY_PROVISION_REQUEST);
    CHECK_EQ(message.body_len, 1);
    CHECK_EQ(message.body[0], 0xcc);
}

static void names(void)
{
    harness_case("refusal names are the gateway's rejection reasons");
    CHECK_STR(edge_frame_refusal_name(intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_REPLAYED), "replayed");
    CHECK_STR(edge_frame_refusal_name(intelledger_device_v1_FrameRefusal_FRAME_REFUSAL_GATEWAY_UNAVAILABLE),
              "gateway_unavailable");
    CHECK_STR(edge_frame_refusal_name((edge_frame_refusal)99), "unspecified");
}

int main(void)
{
    ack_vectors();
    provision_request_bodies();
    malformed();
    names();
    return harness_finish("link_message");
}
