#include "serial_link.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

void serial_link_init(serial_link *link, const char *path, const link_events *events)
{
    link->path = path;
    framed_stream_init(&link->stream, events);
}

bool serial_link_is_open(const serial_link *link)
{
    return framed_stream_is_open(&link->stream);
}

static bool write_all(serial_link *link, const uint8_t *data, size_t len)
{
    return framed_stream_write_all(&link->stream, write, data, len);
}

bool serial_link_open(serial_link *link)
{
    if (framed_stream_is_open(&link->stream)) {
        return true;
    }
    if (link->path == NULL) {
        return false;
    }
    const int fd = open(link->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        cfsetispeed(&tio, B115200);
        cfsetospeed(&tio, B115200);
        tcsetattr(fd, TCSANOW, &tio);
    }
    framed_stream_attach(&link->stream, fd);
    /* A lone delimiter ends whatever partial packet the other side holds from before. */
    const uint8_t delimiter = EDGE_SERIAL_DELIMITER;
    if (!write_all(link, &delimiter, 1)) {
        close(fd);
        link->stream.fd = -1;
        return false;
    }
    link_events_report(link->stream.events, (link_event){.kind = LINK_EVENT_UP});
    return true;
}

void serial_link_close(serial_link *link, const char *reason)
{
    framed_stream_close(&link->stream, reason);
}

static ssize_t read_packets(void *ctx, int fd, const char **refusal)
{
    serial_link *link = ctx;
    (void)refusal; /* any bytes will do: the decoder drops what is not a packet */
    uint8_t buffer[512];
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
        framed_stream_received(&link->stream, buffer, (size_t)n);
    }
    return n;
}

void serial_link_poll(serial_link *link, int timeout_ms)
{
    if (!framed_stream_is_open(&link->stream)) {
        poll(NULL, 0, timeout_ms);
        return;
    }
    struct pollfd p = {.fd = link->stream.fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) {
        return;
    }
    const char *ended = framed_stream_drain(&link->stream, read_packets, link, "port closed");
    if (ended != NULL) {
        serial_link_close(link, ended);
    } else if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
        serial_link_close(link, "port hung up");
    }
}

bool serial_link_send(serial_link *link, const uint8_t *payload, size_t len)
{
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    const size_t wire_len = framed_stream_encode(&link->stream, payload, len, wire);
    if (wire_len == 0) {
        return false;
    }
    if (!write_all(link, wire, wire_len)) {
        serial_link_close(link, "write failed");
        return false;
    }
    return true;
}
