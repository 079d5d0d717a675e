#include "sensors.h"

#include <string.h>

#include "analog.h"
#include "dht22_driver.h"
#include "esp_log.h"
#include "mpu6050.h"
#include "sdkconfig.h"

static const char *TAG = "sensors";

static bool dht22_ok;
static bool mpu6050_ok;
static bool analog_ok;

static bool start(const char *name, esp_err_t err)
{
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "%s unavailable: %s", name, esp_err_to_name(err));
    }
    return err == ESP_OK;
}

esp_err_t sensors_init(void)
{
#if CONFIG_EDGE_DHT22_GPIO >= 0
    dht22_ok = start("DHT22", dht22_init(CONFIG_EDGE_DHT22_GPIO));
#endif
#if CONFIG_EDGE_MPU6050_SDA_GPIO >= 0
    mpu6050_ok = start("MPU6050", mpu6050_init(CONFIG_EDGE_MPU6050_SDA_GPIO, CONFIG_EDGE_MPU6050_SCL_GPIO));
#endif
#if CONFIG_EDGE_ADC1_CHANNEL >= 0
    analog_ok = start("ADC", analog_init(CONFIG_EDGE_ADC1_CHANNEL));
#endif
    return dht22_ok || mpu6050_ok || analog_ok ? ESP_OK : ESP_ERR_NOT_FOUND;
}

static size_t add(edge_sample *out, size_t count, size_t cap, edge_channel channel, int32_t value, uint32_t scale)
{
    if (count == cap) {
        return count;
    }
    memset(&out[count], 0, sizeof out[count]);
    out[count].channel = channel;
    out[count].value = value;
    out[count].scale = scale;
    return count + 1;
}

size_t sensors_read(edge_sample *out, size_t cap)
{
    size_t count = 0;
    edge_dht22_reading climate;
    if (dht22_ok && dht22_read(&climate) == ESP_OK) {
        count = add(out, count, cap, EDGE_CHANNEL_TEMPERATURE, climate.temperature_tenths, 1);
        count = add(out, count, cap, EDGE_CHANNEL_HUMIDITY, climate.humidity_tenths, 1);
    }
    int32_t mm_s2;
    if (mpu6050_ok && mpu6050_vibration(&mm_s2) == ESP_OK) {
        count = add(out, count, cap, EDGE_CHANNEL_VIBRATION, mm_s2, 3);
    }
    int32_t millivolts;
    if (analog_ok && analog_read_mv(&millivolts) == ESP_OK) {
        count = add(out, count, cap, EDGE_CHANNEL_ANALOG, millivolts, 0);
    }
    return count;
}
