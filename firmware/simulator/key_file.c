#include "key_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edge/status.h"
#include "hex.h"

static bool read_text(const char *path, char *text, size_t cap)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return false;
    }
    const size_t n = fread(text, 1, cap - 1, file);
    text[n] = '\0';
    fclose(file);
    return true;
}

static bool create_key(const char *path, const edge_rng *rng, uint8_t key[EDGE_PRIVATE_KEY_BYTES])
{
    if (edge_key_generate(rng, key) != EDGE_OK) {
        fprintf(stderr, "cannot generate a device key\n");
        return false;
    }
    const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
        return false;
    }
    char text[2 * EDGE_PRIVATE_KEY_BYTES + 2];
    hex_encode(key, EDGE_PRIVATE_KEY_BYTES, text);
    text[2 * EDGE_PRIVATE_KEY_BYTES] = '\n';
    const size_t len = sizeof text - 1;
    const bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        fprintf(stderr, "cannot write %s\n", path);
        unlink(path);
    }
    return ok;
}

bool key_file_load(const char *path, const edge_rng *rng, uint8_t key[EDGE_PRIVATE_KEY_BYTES], bool *created)
{
    char text[256];
    *created = false;
    if (!read_text(path, text, sizeof text)) {
        if (errno != ENOENT) {
            fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
            return false;
        }
        *created = create_key(path, rng, key);
        return *created;
    }
    uint8_t public_key[EDGE_PUBLIC_KEY_BYTES];
    if (!hex_decode(text, key, EDGE_PRIVATE_KEY_BYTES) || edge_key_public(key, rng, public_key) != EDGE_OK) {
        fprintf(stderr, "%s holds no valid P-256 private key (64 hex characters)\n", path);
        return false;
    }
    return true;
}

bool public_key_file_load(const char *path, uint8_t key[EDGE_PUBLIC_KEY_BYTES])
{
    char text[512];
    if (!read_text(path, text, sizeof text)) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    return hex_decode(text, key, EDGE_PUBLIC_KEY_BYTES);
}
