#include "harness.h"

#include <stdio.h>
#include <string.h>

static const char *current_case = "";
static unsigned checks;
static unsigned failures;

void harness_case(const char *name)
{
    current_case = name;
}

static void fail_header(const char *what, const char *file, int line)
{
    failures++;
    printf("FAIL %s:%d [%s] %s\n", file, line, current_case, what);
}

bool harness_check(bool ok, const char *what, const char *file, int line)
{
    checks++;
    if (!ok) {
        fail_header(what, file, line);
    }
    return ok;
}

bool harness_check_eq(long long actual, long long expected, const char *what, const char *file, int line)
{
    checks++;
    if (actual != expected) {
        fail_header(what, file, line);
        printf("     got %lld, expected %lld\n", actual, expected);
    }
    return actual == expected;
}

static void print_hex(const char *label, const uint8_t *data, size_t len)
{
    printf("     %s (%u bytes): ", label, (unsigned)len);
    for (size_t i = 0; i < len; i++) {
        printf("%02x", data[i]);
    }
    printf("\n");
}

bool harness_check_mem(const uint8_t *actual, size_t actual_len, const uint8_t *expected, size_t expected_len,
                       const char *what, const char *file, int line)
{
    checks++;
    const bool ok = actual_len == expected_len && (expected_len == 0 || memcmp(actual, expected, expected_len) == 0);
    if (!ok) {
        fail_header(what, file, line);
        print_hex("got     ", actual, actual_len);
        print_hex("expected", expected, expected_len);
    }
    return ok;
}

bool harness_check_str(const char *actual, const char *expected, const char *what, const char *file, int line)
{
    checks++;
    const bool ok = actual != NULL && strcmp(actual, expected) == 0;
    if (!ok) {
        fail_header(what, file, line);
        printf("     got \"%s\", expected \"%s\"\n", actual != NULL ? actual : "(null)", expected);
    }
    return ok;
}

int harness_finish(const char *suite)
{
    printf("%s: %u checks, %u failed\n", suite, checks, failures);
    return failures == 0 && checks > 0 ? 0 : 1;
}
