#include "json_out.h"

#include <inttypes.h>
#include <stdio.h>

static void key(const char *name)
{
    printf(",\"%s\":", name);
}

static void string(const char *value)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            printf("\\%c", *c);
        } else if (*c < 0x20) {
            printf("\\u%04x", *c);
        } else {
            putchar(*c);
        }
    }
    putchar('"');
}

void json_begin(const char *event)
{
    printf("{\"event\":");
    string(event);
}

void json_str(const char *name, const char *value)
{
    key(name);
    string(value);
}

void json_hex(const char *name, const uint8_t *data, size_t len)
{
    key(name);
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        printf("%02x", data[i]);
    }
    putchar('"');
}

void json_u64(const char *name, uint64_t value)
{
    key(name);
    printf("%" PRIu64, value);
}

void json_i64(const char *name, int64_t value)
{
    key(name);
    printf("%" PRId64, value);
}

void json_bool(const char *name, bool value)
{
    key(name);
    printf(value ? "true" : "false");
}

void json_end(void)
{
    printf("}\n");
    fflush(stdout);
}
