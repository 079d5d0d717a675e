#include "os_rng.h"

#include <unistd.h>

/* getentropy completes short and interrupted reads itself but takes 256 bytes at most a call. */
#define ENTROPY_CALL_MAX 256

static int fill(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t done = 0; done < len; done += ENTROPY_CALL_MAX) {
        const size_t n = len - done < ENTROPY_CALL_MAX ? len - done : ENTROPY_CALL_MAX;
        if (getentropy(out + done, n) != 0) {
            return -1;
        }
    }
    return 0;
}

edge_rng os_rng(void)
{
    edge_rng rng = {.fill = fill, .ctx = NULL};
    return rng;
}
