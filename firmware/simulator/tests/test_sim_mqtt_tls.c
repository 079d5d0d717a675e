/* The simulator against Debian's Mosquitto over TLS with a password: frames arrive through
 * the authenticated listener, a wrong password is refused with the broker's reason, and
 * mqtts:// without a CA file is refused before anything connects. */
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "frame_log.h"
#include "harness.h"
#include "process.h"
#include "tcp_proxy.h"

static char dir[] = "/tmp/edge-sim-tls-XXXXXX";
static process broker;
static frame_log log_;
static char line[4096];

static void on_message(struct mosquitto *client, void *ctx, const struct mosquitto_message *message)
{
    (void)client;
    (void)ctx;
    frame_log_add(&log_, message->payload, (size_t)message->payloadlen);
}

static bool shell(const char *format, ...)
{
    char command[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(command, sizeof command, format, args);
    va_end(args);
    return system(command) == 0;
}

/* A CA, a server certificate for 127.0.0.1 signed by it, and a password file. */
static bool make_credentials(void)
{
    return shell("cd '%s' && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext"
                 " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key"
                 " -out ca.pem -days 1 -subj /CN=edge-test-ca 2>/dev/null"
                 " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key"
                 " -out server.csr -subj /CN=localhost 2>/dev/null"
                 " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
                 " -days 1 -extfile san.ext 2>/dev/null"
                 " && mosquitto_passwd -b -c passwd device secret",
                 dir);
}

/* A plain listener for the gateway stand-in, and a TLS one with a password for the device. */
static bool start_broker(int plain_port, int tls_port)
{
    return broker_start(&broker, dir,
                        "per_listener_settings true\npersistence false\nuser root\n"
                        "listener %d 127.0.0.1\nallow_anonymous true\n"
                        "listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s/passwd\n"
                        "cafile %s/ca.pem\ncertfile %s/server.pem\nkeyfile %s/server.key\n",
                        plain_port, tls_port, dir, dir, dir, dir);
}

static bool run_simulator(process *sim, const char *device_id, const char *url, const char *password,
                          bool with_ca)
{
    char state_dir[160];
    char cafile[160];
    snprintf(state_dir, sizeof state_dir, "%s/%s", dir, device_id);
    snprintf(cafile, sizeof cafile, "%s/ca.pem", dir);
    char *argv[] = {SIM_BINARY,      "--device-id",     (char *)device_id, "--mqtt", (char *)url,
                    "--state-dir",   state_dir,         "--interval-ms",   "100",    "--mqtt-username",
                    "device",        "--mqtt-password", (char *)password,  with_ca ? "--mqtt-cafile" : NULL,
                    cafile,          NULL};
    return process_spawn(sim, argv, true);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    mosquitto_lib_init();
    CHECK(mkdtemp(dir) != NULL);
    CHECK(make_credentials());
    const int plain_port = free_port();
    const int tls_port = free_port();
    CHECK(start_broker(plain_port, tls_port));
    struct mosquitto *gateway = gateway_connect(plain_port, "intelledger/v1/#", on_message);
    CHECK(gateway != NULL);
    char url[64];
    snprintf(url, sizeof url, "mqtts://127.0.0.1:%d", tls_port);

    harness_case("frames arrive over TLS with a user name and password");
    process sim;
    CHECK(run_simulator(&sim, "sim-tls", url, "secret", true));
    CHECK(process_wait_started(&sim, log_.device_key));
    if (!CHECK(process_wait_line(&sim, "\"link_up\"", 5000, line, sizeof line))) {
        process_dump(&sim, 200);
    }
    gateway_run(gateway, 1500);
    CHECK(log_.count >= 3);
    CHECK(frame_log_consistent(&log_));
    CHECK_EQ(process_stop(&sim, SIGTERM), 0);

    harness_case("a wrong password is refused with the broker's reason");
    CHECK(run_simulator(&sim, "sim-intruder", url, "guess", true));
    CHECK(process_wait_line(&sim, "\"connect_failed\"", 5000, line, sizeof line));
    CHECK(strstr(line, "authori") != NULL);
    CHECK(process_wait_line(&sim, "\"link_up\"", 1000, line, sizeof line) == false);
    CHECK_EQ(process_stop(&sim, SIGTERM), 0);

    harness_case("mqtts:// without a CA file is refused at once");
    CHECK(run_simulator(&sim, "sim-no-ca", url, "secret", false));
    poll(NULL, 0, 500);
    CHECK(process_stop(&sim, SIGTERM) == 1);

    mosquitto_destroy(gateway);
    process_stop(&broker, SIGTERM);
    mosquitto_lib_cleanup();
    CHECK(remove_tree(dir));
    return harness_finish("sim_mqtt_tls");
}
