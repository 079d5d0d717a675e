#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hex.h"

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool remove_tree(const char *dir)
{
    char command[4200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0;
}

bool process_spawn(process *p, char *const argv[], bool capture)
{
    int pipe_fds[2] = {-1, -1};
    if (capture && pipe(pipe_fds) != 0) {
        return false;
    }
    p->pending_len = 0;
    p->history_count = 0;
    p->pid = fork();
    if (p->pid < 0) {
        return false;
    }
    if (p->pid == 0) {
        const int out = capture ? pipe_fds[1] : open("/dev/null", O_WRONLY);
        dup2(out, STDOUT_FILENO);
        if (!capture) {
            dup2(out, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    p->out_fd = -1;
    if (capture) {
        close(pipe_fds[1]);
        p->out_fd = pipe_fds[0];
    }
    return true;
}

static void remember(process *p, const char *line)
{
    snprintf(p->history[p->history_count % PROCESS_HISTORY], sizeof p->history[0], "%.255s", line);
    p->history_count++;
}

static bool take_line(process *p, const char *needle, char *line, size_t cap)
{
    char *start = p->pending;
    char *end;
    while ((end = memchr(start, '\n', p->pending_len - (size_t)(start - p->pending))) != NULL) {
        *end = '\0';
        remember(p, start);
        const bool match = strstr(start, needle) != NULL;
        if (match) {
            snprintf(line, cap, "%s", start);
        }
        start = end + 1;
        if (match) {
            break;
        }
    }
    const size_t consumed = (size_t)(start - p->pending);
    memmove(p->pending, start, p->pending_len - consumed);
    p->pending_len -= consumed;
    return end != NULL;
}

bool process_wait_line(process *p, const char *needle, int timeout_ms, char *line, size_t cap)
{
    const long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (take_line(p, needle, line, cap)) {
            return true;
        }
        const long long left = deadline - now_ms();
        if (left <= 0 || p->pending_len == sizeof p->pending) {
            return false;
        }
        struct pollfd pfd = {.fd = p->out_fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)left) <= 0) {
            continue;
        }
        const ssize_t n = read(p->out_fd, p->pending + p->pending_len, sizeof p->pending - p->pending_len);
        if (n <= 0) {
            return false;
        }
        p->pending_len += (size_t)n;
    }
}

bool process_wait_started(process *sim, uint8_t public_key[EDGE_PUBLIC_KEY_BYTES])
{
    char line[4096];
    char hex[2 * EDGE_PUBLIC_KEY_BYTES + 1];
    return process_wait_line(sim, "\"started\"", 5000, line, sizeof line) &&
           json_string_field(line, "publicKey", hex, sizeof hex) && hex_decode(hex, public_key, EDGE_PUBLIC_KEY_BYTES);
}

void process_dump(process *p, int timeout_ms)
{
    char line[4096];
    const size_t first = p->history_count > PROCESS_HISTORY ? p->history_count - PROCESS_HISTORY : 0;
    for (size_t i = first; i < p->history_count; i++) {
        fprintf(stderr, "  | %s\n", p->history[i % PROCESS_HISTORY]);
    }
    p->history_count = 0;
    const long long deadline = now_ms() + timeout_ms;
    while (now_ms() < deadline && process_wait_line(p, "", (int)(deadline - now_ms()), line, sizeof line)) {
        fprintf(stderr, "  | %s\n", line);
    }
}

int process_stop(process *p, int sig)
{
    if (p->pid <= 0) {
        return -1;
    }
    kill(p->pid, sig);
    int status = 0;
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
    }
    p->pid = 0;
    if (p->out_fd >= 0) {
        close(p->out_fd);
        p->out_fd = -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool wait_for_path(const char *path, int timeout_ms)
{
    const long long deadline = now_ms() + timeout_ms;
    while (access(path, F_OK) != 0) {
        if (now_ms() > deadline) {
            return false;
        }
        poll(NULL, 0, 20);
    }
    return true;
}

bool json_string_field(const char *line, const char *key, char *out, size_t cap)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(line, pattern);
    if (start == NULL) {
        return false;
    }
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= cap) {
        return false;
    }
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return true;
}
