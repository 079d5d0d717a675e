#include "edge/frame.h"

#include <pb_encode.h>
#include <string.h>

#include "edge/status.h"

_Static_assert(EDGE_FRAME_MAX_BYTES == sizeof(((intelledger_device_v1_SignedFrame *)0)->frame.bytes),
               "EDGE_FRAME_MAX_BYTES follows frame.options");
_Static_assert(EDGE_MAX_SAMPLES == sizeof(((edge_device_frame *)0)->samples) / sizeof(edge_sample),
               "EDGE_MAX_SAMPLES follows frame.options");

#define MAX_DEVICE_ID_LENGTH 31

bool edge_device_id_valid(const char *device_id)
{
    size_t len = 0;
    for (const char *c = device_id; *c != '\0'; c++, len++) {
        const bool allowed = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                             *c == '.' || *c == '_' || *c == '-';
        if (!allowed || len == MAX_DEVICE_ID_LENGTH) {
            return false;
        }
    }
    return len > 0;
}

size_t edge_frame_encoded_size(const edge_device_frame *frame)
{
    size_t size = 0;
    return pb_get_encoded_size(&size, intelledger_device_v1_DeviceFrame_fields, frame) ? size : 0;
}

int edge_frame_sign(const edge_device_frame *frame, const uint8_t private_key[EDGE_PRIVATE_KEY_BYTES],
                    const edge_rng *rng, uint8_t *out, size_t cap, size_t *len)
{
    intelledger_device_v1_SignedFrame signed_frame = intelledger_device_v1_SignedFrame_init_zero;
    pb_ostream_t frame_stream = pb_ostream_from_buffer(signed_frame.frame.bytes, sizeof signed_frame.frame.bytes);
    if (!pb_encode(&frame_stream, intelledger_device_v1_DeviceFrame_fields, frame)) {
        return EDGE_ERR_TOO_LARGE;
    }
    signed_frame.frame.size = (pb_size_t)frame_stream.bytes_written;
    int rc = edge_sign(private_key, signed_frame.frame.bytes, signed_frame.frame.size, rng, signed_frame.signature);
    if (rc != EDGE_OK) {
        return rc;
    }
    pb_ostream_t out_stream = pb_ostream_from_buffer(out, cap);
    if (!pb_encode(&out_stream, intelledger_device_v1_SignedFrame_fields, &signed_frame)) {
        return EDGE_ERR_ENCODE;
    }
    *len = out_stream.bytes_written;
    return EDGE_OK;
}
