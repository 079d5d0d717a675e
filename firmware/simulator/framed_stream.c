#include "framed_stream.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* How long a write may wait for a reader before the link counts as stuck. */
#define WRITE_TIMEOUT_MS 2000

void framed_stream_init(framed_stream *stream, const link_events *events)
{
    stream->fd = -1;
    stream->events = events;
    edge_serial_decoder_reset(&stream->decoder);
}

bool framed_stream_is_open(const framed_stream *stream)
{
    return stream->fd >= 0;
}

void framed_stream_attach(framed_stream *stream, int fd)
{
    stream->fd = fd;
    edge_serial_decoder_reset(&stream->decoder);
}

void framed_stream_close(framed_stream *stream, const char *reason)
{
    if (stream->fd < 0) {
        return;
    }
    close(stream->fd);
    stream->fd = -1;
    link_events_report(stream->events, (link_event){.kind = LINK_EVENT_DOWN, .reason = reason});
}

static void packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    const framed_stream *stream = ctx;
    if (status == EDGE_PACKET_OK) {
        link_events_report(stream->events, (link_event){.kind = LINK_EVENT_MESSAGE, .bytes = payload, .len = len});
    } else {
        const link_event dropped = {.kind = LINK_EVENT_DROPPED, .reason = edge_packet_status_name(status), .len = len};
        link_events_report(stream->events, dropped);
    }
}

void framed_stream_received(framed_stream *stream, const uint8_t *bytes, size_t len)
{
    edge_serial_decoder_push(&stream->decoder, bytes, len, packet, stream);
}

size_t framed_stream_encode(const framed_stream *stream, const uint8_t *payload, size_t len,
                            uint8_t wire[EDGE_SERIAL_MAX_WIRE])
{
    return stream->fd < 0 ? 0 : edge_serial_encode(payload, len, wire, EDGE_SERIAL_MAX_WIRE);
}

const char *framed_stream_drain(framed_stream *stream, framed_stream_read_fn read_chunk, void *ctx, const char *closed)
{
    for (;;) {
        const char *refusal = NULL;
        const ssize_t n = read_chunk(ctx, stream->fd, &refusal);
        if (refusal != NULL) {
            return refusal;
        }
        if (n > 0 || (n < 0 && errno == EINTR)) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return NULL;
        }
        return n == 0 ? closed : strerror(errno);
    }
}

bool framed_stream_write_all(const framed_stream *stream, framed_stream_write_fn write_some, const uint8_t *data,
                             size_t len)
{
    while (len > 0) {
        const ssize_t n = write_some(stream->fd, data, len);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN) {
            return false;
        }
        struct pollfd p = {.fd = stream->fd, .events = POLLOUT};
        if (poll(&p, 1, WRITE_TIMEOUT_MS) <= 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
            return false;
        }
    }
    return true;
}
