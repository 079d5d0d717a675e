#include "file_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edge/status.h"

static int make_dirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        return -1;
    }
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0700) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int fs_read(void *ctx, const char *key, void *buf, size_t cap, size_t *len)
{
    const file_storage *fs = ctx;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", fs->dir, key);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? EDGE_ERR_NOT_FOUND : EDGE_ERR_STORAGE;
    }
    size_t total = 0;
    uint8_t extra;
    int rc = EDGE_OK;
    for (;;) {
        const ssize_t n = total < cap ? read(fd, (uint8_t *)buf + total, cap - total) : read(fd, &extra, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || (total == cap && n > 0)) {
            rc = EDGE_ERR_STORAGE;
        }
        if (n <= 0 || rc != EDGE_OK) {
            break;
        }
        total += (size_t)n;
    }
    close(fd);
    *len = total;
    return rc;
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        const ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fs_write(void *ctx, const char *key, const void *buf, size_t len)
{
    const file_storage *fs = ctx;
    char path[4200];
    char temporary[4200];
    snprintf(path, sizeof path, "%s/%s", fs->dir, key);
    snprintf(temporary, sizeof temporary, "%s/.%s.tmp", fs->dir, key);
    const int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return EDGE_ERR_STORAGE;
    }
    const bool written = write_all(fd, buf, len) == 0 && fsync(fd) == 0;
    if (close(fd) != 0 || !written || rename(temporary, path) != 0) {
        unlink(temporary);
        return EDGE_ERR_STORAGE;
    }
    const int dir_fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        return EDGE_ERR_STORAGE;
    }
    const int synced = fsync(dir_fd);
    close(dir_fd);
    return synced == 0 ? EDGE_OK : EDGE_ERR_STORAGE;
}

int file_storage_open(file_storage *fs, const char *dir)
{
    if (snprintf(fs->dir, sizeof fs->dir, "%s", dir) >= (int)sizeof fs->dir || make_dirs(fs->dir) != 0) {
        return EDGE_ERR_STORAGE;
    }
    fs->storage.ctx = fs;
    fs->storage.read = fs_read;
    fs->storage.write = fs_write;
    return EDGE_OK;
}
