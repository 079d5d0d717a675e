#include "pem_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char BASE64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool pem_file_write_certificate(const char *path, const uint8_t *der, size_t len)
{
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    fputs("-----BEGIN CERTIFICATE-----\n", file);
    size_t column = 0;
    for (size_t i = 0; i < len; i += 3) {
        const uint32_t n = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
                           (i + 2 < len ? der[i + 2] : 0);
        const char quad[4] = {BASE64[n >> 18 & 63], BASE64[n >> 12 & 63], i + 1 < len ? BASE64[n >> 6 & 63] : '=',
                              i + 2 < len ? BASE64[n & 63] : '='};
        fwrite(quad, 1, sizeof quad, file);
        column += 4;
        if (column == 64) {
            fputc('\n', file);
            column = 0;
        }
    }
    if (column > 0) {
        fputc('\n', file);
    }
    fputs("-----END CERTIFICATE-----\n", file);
    const bool ok = fclose(file) == 0;
    if (!ok) {
        fprintf(stderr, "cannot write %s\n", path);
    }
    return ok;
}
