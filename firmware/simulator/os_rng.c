#include "os_rng.h"

#include <errno.h>
#include <sys/random.h>

static int fill(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        const ssize_t n = getrandom(out, len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

edge_rng os_rng(void)
{
    edge_rng rng = {.fill = fill, .ctx = NULL};
    return rng;
}
