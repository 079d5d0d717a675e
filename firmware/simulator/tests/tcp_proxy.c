#include "tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 8

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

int free_port(void)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    const int port = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
                             getsockname(fd, (struct sockaddr *)&addr, &len) == 0
                         ? ntohs(addr.sin_port)
                         : -1;
    close(fd);
    return port;
}

static int listen_on(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr = loopback(port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 8) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_to(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(port);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    int fds[MAX_PAIRS][2];
    size_t count;
} pairs;

static void drop_pair(pairs *p, size_t i)
{
    close(p->fds[i][0]);
    close(p->fds[i][1]);
    p->count--;
    memmove(&p->fds[i], &p->fds[i + 1], (p->count - i) * sizeof p->fds[0]);
}

/* Moves what is readable on one side to the other; false when the pair is finished. */
static bool forward(int from, int to)
{
    char buffer[4096];
    const ssize_t n = read(from, buffer, sizeof buffer);
    return n > 0 && write(to, buffer, (size_t)n) == n;
}

static void *relay(void *arg)
{
    tcp_proxy *proxy = arg;
    pairs p = {.count = 0};
    int listener = -1;
    while (!atomic_load(&proxy->stopping)) {
        const bool enabled = atomic_load(&proxy->enabled);
        if (!enabled) {
            while (p.count > 0) {
                drop_pair(&p, 0);
            }
        }
        if (listener < 0) {
            listener = listen_on(proxy->port);
        }
        struct pollfd fds[1 + 2 * MAX_PAIRS];
        const size_t polled = p.count;
        size_t n = 0;
        fds[n++] = (struct pollfd){.fd = listener, .events = POLLIN};
        for (size_t i = 0; i < p.count; i++) {
            fds[n++] = (struct pollfd){.fd = p.fds[i][0], .events = POLLIN};
            fds[n++] = (struct pollfd){.fd = p.fds[i][1], .events = POLLIN};
        }
        if (poll(fds, n, 50) <= 0) {
            continue;
        }
        if (listener >= 0 && (fds[0].revents & POLLIN)) {
            const int client = accept(listener, NULL, NULL);
            const int upstream =
                client >= 0 && enabled && p.count < MAX_PAIRS ? connect_to(proxy->target_port) : -1;
            if (upstream >= 0) {
                p.fds[p.count][0] = client;
                p.fds[p.count][1] = upstream;
                p.count++;
            } else if (client >= 0) {
                close(client);
            }
        }
        /* Pairs accepted just now were not polled. */
        for (size_t i = polled; i-- > 0;) {
            const short in = fds[1 + 2 * i].revents;
            const short out = fds[2 + 2 * i].revents;
            const bool ok = (!in || forward(p.fds[i][0], p.fds[i][1])) && (!out || forward(p.fds[i][1], p.fds[i][0]));
            if (!ok) {
                drop_pair(&p, i);
            }
        }
    }
    while (p.count > 0) {
        drop_pair(&p, 0);
    }
    if (listener >= 0) {
        close(listener);
    }
    return NULL;
}

bool tcp_proxy_start(tcp_proxy *proxy, int target_port)
{
    proxy->port = free_port();
    proxy->target_port = target_port;
    atomic_store(&proxy->enabled, true);
    atomic_store(&proxy->stopping, false);
    return proxy->port > 0 && pthread_create(&proxy->thread, NULL, relay, proxy) == 0;
}

void tcp_proxy_set_enabled(tcp_proxy *proxy, bool enabled)
{
    atomic_store(&proxy->enabled, enabled);
}

void tcp_proxy_stop(tcp_proxy *proxy)
{
    atomic_store(&proxy->stopping, true);
    pthread_join(proxy->thread, NULL);
}
