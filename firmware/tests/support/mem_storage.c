#include "mem_storage.h"

#include <string.h>

#include "edge/status.h"

static int find(mem_storage *mem, const char *key)
{
    for (int i = 0; i < MEM_STORAGE_KEYS; i++) {
        if (mem->entries[i].used && strcmp(mem->entries[i].key, key) == 0) {
            return i;
        }
    }
    return -1;
}

static int mem_read(void *ctx, const char *key, void *buf, size_t cap, size_t *len)
{
    mem_storage *mem = ctx;
    const int i = find(mem, key);
    if (i < 0) {
        return EDGE_ERR_NOT_FOUND;
    }
    if (mem->entries[i].len > cap) {
        return EDGE_ERR_STORAGE;
    }
    memcpy(buf, mem->entries[i].value, mem->entries[i].len);
    *len = mem->entries[i].len;
    return EDGE_OK;
}

static int mem_write(void *ctx, const char *key, const void *buf, size_t len)
{
    mem_storage *mem = ctx;
    if (mem->fail_writes || len > MEM_STORAGE_VALUE_BYTES || strlen(key) >= sizeof mem->entries[0].key) {
        return EDGE_ERR_STORAGE;
    }
    int i = find(mem, key);
    for (int j = 0; i < 0 && j < MEM_STORAGE_KEYS; j++) {
        if (!mem->entries[j].used) {
            i = j;
        }
    }
    if (i < 0) {
        return EDGE_ERR_STORAGE;
    }
    mem->entries[i].used = true;
    strcpy(mem->entries[i].key, key);
    memcpy(mem->entries[i].value, buf, len);
    mem->entries[i].len = len;
    mem->writes++;
    return EDGE_OK;
}

void mem_storage_init(mem_storage *mem)
{
    memset(mem, 0, sizeof *mem);
    mem->storage.ctx = mem;
    mem->storage.read = mem_read;
    mem->storage.write = mem_write;
}
