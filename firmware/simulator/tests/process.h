#ifndef SIM_TEST_PROCESS_H
#define SIM_TEST_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "edge/crypto.h"

/* Child processes for the simulator's end-to-end tests: the simulator with its JSON lines
 * read back, and tools such as socat and mosquitto. */
#define PROCESS_HISTORY 64

typedef struct {
    pid_t pid;
    int out_fd;
    char pending[65536];
    size_t pending_len;
    /* The last lines read, to explain a failure. */
    char history[PROCESS_HISTORY][256];
    size_t history_count;
} process;

/* Starts argv; with capture, its stdout can be read with process_wait_line, otherwise it
 * goes to /dev/null. */
bool process_spawn(process *p, char *const argv[], bool capture);

/* Waits up to timeout_ms for an output line containing needle; copies it into line. */
bool process_wait_line(process *p, const char *needle, int timeout_ms, char *line, size_t cap);

/* Waits up to 5 s for the simulator's "started" line; copies the device's public key from it. */
bool process_wait_started(process *sim, uint8_t public_key[EDGE_PUBLIC_KEY_BYTES]);

/* Copies the last lines read and the output of the next timeout_ms to stderr, to explain a
 * failure. */
void process_dump(process *p, int timeout_ms);

/* Sends sig and waits for the exit; returns the exit status, or 128+signal. */
int process_stop(process *p, int sig);

/* Waits up to timeout_ms for a path to exist. */
bool wait_for_path(const char *path, int timeout_ms);

/* The string value of "key":"..." in a JSON line. */
bool json_string_field(const char *line, const char *key, char *out, size_t cap);

/* Milliseconds of a monotonic clock. */
long long now_ms(void);

/* Milliseconds since the Unix epoch, the clock the device stamps its readings with. */
uint64_t epoch_ms(void);

/* Removes dir and everything below it. */
bool remove_tree(const char *dir);

#endif
