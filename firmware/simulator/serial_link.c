#include "serial_link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* How long a write may wait for a reader before the link counts as stuck. */
#define WRITE_TIMEOUT_MS 2000

void serial_link_init(serial_link *link, const char *path, const link_events *events)
{
    link->path = path;
    link->fd = -1;
    link->events = events;
    edge_serial_decoder_reset(&link->decoder);
}

bool serial_link_is_open(const serial_link *link)
{
    return link->fd >= 0;
}

static bool write_all(serial_link *link, const uint8_t *data, size_t len)
{
    while (len > 0) {
        const ssize_t n = write(link->fd, data, len);
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
        struct pollfd p = {.fd = link->fd, .events = POLLOUT};
        if (poll(&p, 1, WRITE_TIMEOUT_MS) <= 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
            return false;
        }
    }
    return true;
}

bool serial_link_open(serial_link *link)
{
    if (link->fd >= 0) {
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
    link->fd = fd;
    edge_serial_decoder_reset(&link->decoder);
    /* A lone delimiter ends whatever partial packet the other side holds from before. */
    const uint8_t delimiter = EDGE_SERIAL_DELIMITER;
    if (!write_all(link, &delimiter, 1)) {
        close(fd);
        link->fd = -1;
        return false;
    }
    link->events->up(link->events->ctx);
    return true;
}

void serial_link_close(serial_link *link, const char *reason)
{
    if (link->fd < 0) {
        return;
    }
    close(link->fd);
    link->fd = -1;
    link->events->down(link->events->ctx, reason);
}

static void packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    const serial_link *link = ctx;
    if (status == EDGE_PACKET_OK) {
        link->events->message(link->events->ctx, payload, len);
    } else {
        link->events->dropped(link->events->ctx, edge_packet_status_name(status), len);
    }
}

void serial_link_poll(serial_link *link, int timeout_ms)
{
    if (link->fd < 0) {
        poll(NULL, 0, timeout_ms);
        return;
    }
    struct pollfd p = {.fd = link->fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) {
        return;
    }
    uint8_t buffer[512];
    for (;;) {
        const ssize_t n = read(link->fd, buffer, sizeof buffer);
        if (n > 0) {
            edge_serial_decoder_push(&link->decoder, buffer, (size_t)n, packet, link);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
                serial_link_close(link, "port hung up");
            }
            return;
        }
        serial_link_close(link, n == 0 ? "port closed" : strerror(errno));
        return;
    }
}

bool serial_link_send(serial_link *link, const uint8_t *payload, size_t len)
{
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    const size_t wire_len = edge_serial_encode(payload, len, wire, sizeof wire);
    if (link->fd < 0 || wire_len == 0) {
        return false;
    }
    if (!write_all(link, wire, wire_len)) {
        serial_link_close(link, "write failed");
        return false;
    }
    return true;
}
