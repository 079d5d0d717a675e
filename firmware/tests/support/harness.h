#ifndef EDGE_TEST_HARNESS_H
#define EDGE_TEST_HARNESS_H

/* A minimal test harness that runs the same on the host and under QEMU (semihosting stdio):
 * checks record failures with their location, and the test's main returns
 * harness_finish(), non-zero when any check failed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK(cond) harness_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(actual, expected) \
    harness_check_eq((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
#define CHECK_MEM(actual, actual_len, expected, expected_len) \
    harness_check_mem((actual), (actual_len), (expected), (expected_len), #actual, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) harness_check_str((actual), (expected), #actual, __FILE__, __LINE__)

/* Names the case that following failures belong to. */
void harness_case(const char *name);
bool harness_check(bool ok, const char *what, const char *file, int line);
bool harness_check_eq(long long actual, long long expected, const char *what, const char *file, int line);
bool harness_check_mem(const uint8_t *actual, size_t actual_len, const uint8_t *expected, size_t expected_len,
                       const char *what, const char *file, int line);
bool harness_check_str(const char *actual, const char *expected, const char *what, const char *file, int line);
int harness_finish(const char *suite);

#endif
