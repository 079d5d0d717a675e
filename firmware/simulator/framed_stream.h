#ifndef SIM_FRAMED_STREAM_H
#define SIM_FRAMED_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "edge/serial_framing.h"
#include "link_events.h"

/* What the serial and simulated BLE links share: a non-blocking byte stream (a port, a socket)
 * carrying the serial framing both ways, whose packets go to the link's events, and which is
 * up while open. */
typedef struct {
    int fd;
    edge_serial_decoder decoder;
    const link_events *events;
} framed_stream;

/* One write(2)-like call: send(2) with flags on a socket, say. */
typedef ssize_t (*framed_stream_write_fn)(int fd, const void *data, size_t len);
/* One read of what fd has, handled by the link; returns like read(2). A link that finds what
 * came unacceptable says why in *refusal. */
typedef ssize_t (*framed_stream_read_fn)(void *ctx, int fd, const char **refusal);

void framed_stream_init(framed_stream *stream, const link_events *events);
bool framed_stream_is_open(const framed_stream *stream);
/* Takes a newly opened fd, with no partial packet from before. */
void framed_stream_attach(framed_stream *stream, int fd);
/* Closes the fd and reports the link down; nothing when it is closed already. */
void framed_stream_close(framed_stream *stream, const char *reason);
/* Decodes received bytes: each packet to events->message, each error to events->dropped. */
void framed_stream_received(framed_stream *stream, const uint8_t *bytes, size_t len);
/* Frames a payload into wire; its length on the wire, 0 when the stream is closed or the
 * payload does not fit. */
size_t framed_stream_encode(const framed_stream *stream, const uint8_t *payload, size_t len,
                            uint8_t wire[EDGE_SERIAL_MAX_WIRE]);
/* Reads with read_chunk until the stream would block; NULL then, else why it cannot go on:
 * `closed` when the peer closed it, the read error, or the link's refusal (the caller closes it). */
const char *framed_stream_drain(framed_stream *stream, framed_stream_read_fn read_chunk, void *ctx, const char *closed);
/* Writes all of data with write_some, waiting for a slow reader up to a timeout at a time;
 * false when the stream fails or stays stuck (the caller closes it). */
bool framed_stream_write_all(const framed_stream *stream, framed_stream_write_fn write_some, const uint8_t *data,
                             size_t len);

#endif
