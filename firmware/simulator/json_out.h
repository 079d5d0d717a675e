#ifndef SIM_JSON_OUT_H
#define SIM_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The simulator's machine-readable output: one JSON object per line on stdout, flushed at
 * once, each with an "event" field. Build one with json_begin, fields, json_end. */

void json_begin(const char *event);
void json_str(const char *key, const char *value);
void json_hex(const char *key, const uint8_t *data, size_t len);
void json_u64(const char *key, uint64_t value);
void json_i64(const char *key, int64_t value);
void json_bool(const char *key, bool value);
void json_end(void);

#endif
