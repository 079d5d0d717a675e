#ifndef SIM_TEST_TCP_PROXY_H
#define SIM_TEST_TCP_PROXY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* A TCP relay on 127.0.0.1 between the simulator and the broker that a test can cut (all
 * connections dropped, new ones closed at once) and restore, as a network outage would. It
 * keeps listening throughout: a client connecting to a free port in the ephemeral range on
 * loopback can end up connected to itself. */
typedef struct {
    int port;
    int target_port;
    atomic_bool enabled;
    atomic_bool stopping;
    pthread_t thread;
} tcp_proxy;

bool tcp_proxy_start(tcp_proxy *proxy, int target_port);
void tcp_proxy_set_enabled(tcp_proxy *proxy, bool enabled);
void tcp_proxy_stop(tcp_proxy *proxy);

/* A port nobody listens on right now. */
int free_port(void);

#endif
