#include <string.h>

#include "edge/settings.h"
#include "edge/status.h"
#include "harness.h"
#include "mem_storage.h"

static mem_storage mem;

int main(void)
{
    edge_settings settings;

    harness_case("defaults on a new device");
    mem_storage_init(&mem);
    CHECK_EQ(edge_settings_load(&settings, &mem.storage, 1000), EDGE_OK);
    CHECK_EQ(settings.interval_ms, 1000);
    CHECK_EQ(settings.thresholds.thresholds_count, 0);

    harness_case("settings survive a reboot");
    CHECK_EQ(edge_settings_set_interval(&settings, &mem.storage, 250), EDGE_OK);
    edge_thresholds thresholds = intelledger_device_v1_SetThresholds_init_zero;
    thresholds.thresholds_count = 1;
    thresholds.thresholds[0].channel = EDGE_CHANNEL_HUMIDITY;
    thresholds.thresholds[0].min_value = 100;
    thresholds.thresholds[0].max_value = 900;
    thresholds.thresholds[0].scale = 1;
    CHECK_EQ(edge_settings_set_thresholds(&settings, &mem.storage, &thresholds), EDGE_OK);
    edge_settings reloaded;
    CHECK_EQ(edge_settings_load(&reloaded, &mem.storage, 1000), EDGE_OK);
    CHECK_EQ(reloaded.interval_ms, 250);
    CHECK_EQ(reloaded.thresholds.thresholds_count, 1);
    CHECK_EQ(reloaded.thresholds.thresholds[0].channel, EDGE_CHANNEL_HUMIDITY);
    CHECK_EQ(reloaded.thresholds.thresholds[0].max_value, 900);

    harness_case("clearing thresholds stores an empty set");
    const edge_thresholds none = intelledger_device_v1_SetThresholds_init_zero;
    CHECK_EQ(edge_settings_set_thresholds(&settings, &mem.storage, &none), EDGE_OK);
    CHECK_EQ(edge_settings_load(&reloaded, &mem.storage, 1000), EDGE_OK);
    CHECK_EQ(reloaded.thresholds.thresholds_count, 0);

    harness_case("unusable stored values fall back to defaults");
    CHECK_EQ(edge_storage_write_u64(&mem.storage, EDGE_KEY_INTERVAL, 5), EDGE_OK);
    const uint8_t junk[] = {0xff, 0xff, 0xff};
    CHECK_EQ(mem.storage.write(&mem, EDGE_KEY_THRESHOLDS, junk, sizeof junk), EDGE_OK);
    CHECK_EQ(edge_settings_load(&reloaded, &mem.storage, 1000), EDGE_OK);
    CHECK_EQ(reloaded.interval_ms, 1000);
    CHECK_EQ(reloaded.thresholds.thresholds_count, 0);

    harness_case("a failed write changes nothing");
    mem.fail_writes = true;
    CHECK_EQ(edge_settings_set_interval(&settings, &mem.storage, 600), EDGE_ERR_STORAGE);
    CHECK_EQ(settings.interval_ms, 250);
    CHECK_EQ(edge_settings_set_thresholds(&settings, &mem.storage, &thresholds), EDGE_ERR_STORAGE);
    CHECK_EQ(settings.thresholds.thresholds_count, 0);
    return harness_finish("settings");
}
