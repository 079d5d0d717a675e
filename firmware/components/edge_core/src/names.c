#include "edge/names.h"

const char *edge_name_lookup(const char *const names[], size_t count, size_t value, const char *fallback)
{
    return value < count && names[value] != NULL ? names[value] : fallback;
}
