#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edge/counter.h"
#include "edge/status.h"
#include "file_storage.h"
#include "harness.h"
#include "process.h"

int main(void)
{
    char dir[] = "/tmp/edge-file-storage-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char nested[256];
    snprintf(nested, sizeof nested, "%s/a/b", dir);
    static file_storage fs;
    uint8_t buf[16];
    size_t len = 0;

    harness_case("missing folders are created, missing keys reported");
    CHECK_EQ(file_storage_open(&fs, nested), EDGE_OK);
    CHECK_EQ(fs.storage.read(fs.storage.ctx, "nothing", buf, sizeof buf, &len), EDGE_ERR_NOT_FOUND);

    harness_case("values replace each other and survive reopening");
    CHECK_EQ(fs.storage.write(fs.storage.ctx, "key", "first value", 11), EDGE_OK);
    CHECK_EQ(fs.storage.write(fs.storage.ctx, "key", "second", 6), EDGE_OK);
    static file_storage again;
    CHECK_EQ(file_storage_open(&again, nested), EDGE_OK);
    CHECK_EQ(again.storage.read(again.storage.ctx, "key", buf, sizeof buf, &len), EDGE_OK);
    CHECK_MEM(buf, len, (const uint8_t *)"second", 6);

    harness_case("empty values");
    CHECK_EQ(fs.storage.write(fs.storage.ctx, "empty", "", 0), EDGE_OK);
    CHECK_EQ(fs.storage.read(fs.storage.ctx, "empty", buf, sizeof buf, &len), EDGE_OK);
    CHECK_EQ(len, 0);

    harness_case("a value larger than the reader expects is an error");
    CHECK_EQ(fs.storage.write(fs.storage.ctx, "big", "0123456789abcdefXYZ", 19), EDGE_OK);
    CHECK_EQ(fs.storage.read(fs.storage.ctx, "big", buf, sizeof buf, &len), EDGE_ERR_STORAGE);

    harness_case("files are private to their owner and no temporary file stays");
    char path[512];
    snprintf(path, sizeof path, "%s/key", nested);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/.key.tmp", nested);
    CHECK(access(path, F_OK) != 0);

    harness_case("the frame counter over files");
    edge_counter counter;
    uint64_t value = 0;
    CHECK_EQ(edge_counter_open(&counter, &fs.storage, 4), EDGE_OK);
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(value, 1);
    CHECK_EQ(edge_counter_open(&counter, &again.storage, 4), EDGE_OK);
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(value, 5);

    CHECK(remove_tree(dir));
    return harness_finish("file_storage");
}
