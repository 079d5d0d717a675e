#include "edge/counter.h"
#include "edge/status.h"
#include "harness.h"
#include "mem_storage.h"

static mem_storage mem;

static void fresh_device(void)
{
    harness_case("a new device starts at 1 and writes once per block");
    mem_storage_init(&mem);
    edge_counter counter;
    CHECK_EQ(edge_counter_open(&counter, &mem.storage, 8), EDGE_OK);
    for (uint64_t expected = 1; expected <= 8; expected++) {
        uint64_t value = 0;
        CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
        CHECK_EQ(value, expected);
    }
    CHECK_EQ(mem.writes, 1);
    uint64_t value = 0;
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(value, 9);
    CHECK_EQ(mem.writes, 2);
}

static void reboots(void)
{
    harness_case("a reboot at any point never reuses a counter");
    mem_storage_init(&mem);
    uint64_t highest = 0;
    for (int boot = 0; boot < 20; boot++) {
        edge_counter counter;
        CHECK_EQ(edge_counter_open(&counter, &mem.storage, 5), EDGE_OK);
        /* Each boot uses a different number of counters before the power goes. */
        for (int i = 0; i < boot % 7; i++) {
            uint64_t value = 0;
            CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
            CHECK(value > highest);
            highest = value;
        }
    }
    CHECK(highest > 0);
}

static void storage_failure(void)
{
    harness_case("no counter is handed out that storage did not reserve");
    mem_storage_init(&mem);
    edge_counter counter;
    CHECK_EQ(edge_counter_open(&counter, &mem.storage, 2), EDGE_OK);
    uint64_t value = 0;
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(value, 2);
    mem.fail_writes = true;
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_ERR_STORAGE);
    CHECK_EQ(value, 2);
    mem.fail_writes = false;
    CHECK_EQ(edge_counter_take(&counter, &value), EDGE_OK);
    CHECK_EQ(value, 3);

    harness_case("a zero block is refused");
    CHECK_EQ(edge_counter_open(&counter, &mem.storage, 0), EDGE_ERR_ARG);

    harness_case("a corrupt stored counter is an error, not a restart from 1");
    mem_storage_init(&mem);
    const uint8_t short_value[3] = {1, 2, 3};
    CHECK_EQ(mem.storage.write(&mem, EDGE_KEY_COUNTER, short_value, sizeof short_value), EDGE_OK);
    CHECK_EQ(edge_counter_open(&counter, &mem.storage, 2), EDGE_ERR_STORAGE);
}

int main(void)
{
    fresh_device();
    reboots();
    storage_failure();
    return harness_finish("counter");
}
