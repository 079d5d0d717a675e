#ifndef EDGE_NAMES_H
#define EDGE_NAMES_H

#include <stddef.h>

/* Names of enum values for logs and JSON lines, from a const table indexed by value (designated
 * initializers; const, so it stays in flash). */

/* names[value], or fallback when value lies outside the count names or has none. */
const char *edge_name_lookup(const char *const names[], size_t count, size_t value, const char *fallback);

#define EDGE_NAME(names, value, fallback) \
    edge_name_lookup((names), sizeof(names) / sizeof((names)[0]), (size_t)(value), (fallback))

#endif
