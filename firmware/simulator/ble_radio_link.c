#include "ble_radio_link.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MSG_ADVERTISE 'A'
#define MSG_NOTIFY 'N'
#define MSG_WRITE 'W'
#define HEADER_BYTES 3

bool ble_radio_link_start(ble_radio_link *link, const char *dir, const char *device_id, uint16_t mtu,
                          const link_events *events)
{
    memset(link, 0, sizeof *link);
    link->listen_fd = -1;
    framed_stream_init(&link->central, events);
    link->mtu = mtu;
    snprintf(link->name, sizeof link->name, "%s", device_id);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    const int n = snprintf(link->path, sizeof link->path, "%s/%s.sock", dir, device_id);
    if (n < 0 || (size_t)n >= sizeof address.sun_path) {
        fprintf(stderr, "--ble-radio %s: the socket path is too long for a Unix socket\n", dir);
        return false;
    }
    memcpy(address.sun_path, link->path, (size_t)n + 1);
    /* The radio's folder is the air: whoever comes first makes it. */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", dir, strerror(errno));
        return false;
    }
    link->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    /* A socket left by a device that crashed would refuse the bind. */
    unlink(link->path);
    if (link->listen_fd < 0 || bind(link->listen_fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(link->listen_fd, 1) != 0) {
        fprintf(stderr, "cannot advertise on %s: %s\n", link->path, strerror(errno));
        ble_radio_link_stop(link);
        return false;
    }
    return true;
}

bool ble_radio_link_is_connected(const ble_radio_link *link)
{
    return framed_stream_is_open(&link->central);
}

/* A central that went away must not kill the device with SIGPIPE. */
static ssize_t send_without_signal(int fd, const void *data, size_t len)
{
    return send(fd, data, len, MSG_NOSIGNAL);
}

static bool send_message(ble_radio_link *link, uint8_t type, const uint8_t *value, size_t len)
{
    uint8_t message[HEADER_BYTES + 517];
    message[0] = type;
    message[1] = (uint8_t)(len >> 8);
    message[2] = (uint8_t)len;
    memcpy(message + HEADER_BYTES, value, len);
    return framed_stream_write_all(&link->central, send_without_signal, message, HEADER_BYTES + len);
}

static void disconnect(ble_radio_link *link, const char *reason)
{
    framed_stream_close(&link->central, reason);
}

static void accept_central(ble_radio_link *link)
{
    const int fd = accept4(link->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    if (framed_stream_is_open(&link->central)) {
        close(fd); /* connected already: a peripheral serves one central */
        return;
    }
    framed_stream_attach(&link->central, fd);
    link->inbox_len = 0;
    uint8_t advertisement[2 + sizeof link->name];
    advertisement[0] = (uint8_t)(link->mtu >> 8);
    advertisement[1] = (uint8_t)link->mtu;
    const size_t name_len = strlen(link->name);
    memcpy(advertisement + 2, link->name, name_len);
    if (!send_message(link, MSG_ADVERTISE, advertisement, 2 + name_len)) {
        close(fd);
        link->central.fd = -1;
        return;
    }
    link_events_report(link->central.events, (link_event){.kind = LINK_EVENT_UP});
}

/* Takes whole messages off the inbox; false when the central broke the protocol. */
static bool take_messages(ble_radio_link *link)
{
    for (;;) {
        if (link->inbox_len < HEADER_BYTES) {
            return true;
        }
        const size_t len = (size_t)link->inbox[1] << 8 | link->inbox[2];
        if (link->inbox[0] != MSG_WRITE || len > (size_t)link->mtu - 3u) {
            return false;
        }
        if (link->inbox_len < HEADER_BYTES + len) {
            return true;
        }
        framed_stream_received(&link->central, link->inbox + HEADER_BYTES, len);
        link->inbox_len -= HEADER_BYTES + len;
        memmove(link->inbox, link->inbox + HEADER_BYTES + len, link->inbox_len);
    }
}

static ssize_t read_messages(void *ctx, int fd, const char **refusal)
{
    ble_radio_link *link = ctx;
    const ssize_t n = recv(fd, link->inbox + link->inbox_len, sizeof link->inbox - link->inbox_len, 0);
    if (n > 0) {
        link->inbox_len += (size_t)n;
        if (!take_messages(link)) {
            *refusal = "the central broke the radio protocol";
        }
    }
    return n;
}

void ble_radio_link_poll(ble_radio_link *link, int timeout_ms)
{
    struct pollfd p[2] = {{.fd = link->listen_fd, .events = POLLIN}, {.fd = link->central.fd, .events = POLLIN}};
    if (poll(p, 2, timeout_ms) <= 0) {
        return;
    }
    if (p[0].revents & POLLIN) {
        accept_central(link);
    }
    if (!framed_stream_is_open(&link->central) || p[1].fd < 0 || !(p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        return;
    }
    const char *ended = framed_stream_drain(&link->central, read_messages, link, "central disconnected");
    if (ended != NULL) {
        disconnect(link, ended);
    }
}

bool ble_radio_link_send(ble_radio_link *link, const uint8_t *payload, size_t len)
{
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    const size_t wire_len = framed_stream_encode(&link->central, payload, len, wire);
    if (wire_len == 0) {
        return false;
    }
    const size_t chunk = (size_t)link->mtu - 3u;
    for (size_t offset = 0; offset < wire_len; offset += chunk) {
        const size_t n = wire_len - offset < chunk ? wire_len - offset : chunk;
        if (!send_message(link, MSG_NOTIFY, wire + offset, n)) {
            disconnect(link, "notification failed");
            return false;
        }
    }
    return true;
}

void ble_radio_link_stop(ble_radio_link *link)
{
    disconnect(link, "stopped");
    if (link->listen_fd >= 0) {
        close(link->listen_fd);
        link->listen_fd = -1;
        unlink(link->path);
    }
}
