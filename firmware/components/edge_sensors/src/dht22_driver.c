#include "dht22_driver.h"

#include <stdbool.h>

#include "driver/gpio.h"
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"

#define MIN_INTERVAL_US 2000000
#define START_LOW_US 1200
#define TIMEOUT_US 120

static gpio_num_t pin = GPIO_NUM_NC;
static edge_dht22_reading last;
static int64_t last_read_us;
static bool have_last;
static portMUX_TYPE lock = portMUX_INITIALIZER_UNLOCKED;

esp_err_t dht22_init(int gpio)
{
    pin = (gpio_num_t)gpio;
    const gpio_config_t config = {
        .pin_bit_mask = 1ULL << gpio,
        .mode = GPIO_MODE_INPUT_OUTPUT_OD,
        .pull_up_en = GPIO_PULLUP_ENABLE,
    };
    esp_err_t err = gpio_config(&config);
    if (err == ESP_OK) {
        err = gpio_set_level(pin, 1);
    }
    return err;
}

/* Microseconds the line stays at level, or -1 after TIMEOUT_US. */
static int duration_at(int level)
{
    const int64_t start = esp_timer_get_time();
    while (gpio_get_level(pin) == level) {
        if (esp_timer_get_time() - start > TIMEOUT_US) {
            return -1;
        }
    }
    return (int)(esp_timer_get_time() - start);
}

static esp_err_t read_pulses(uint16_t high_us[EDGE_DHT22_BITS])
{
    gpio_set_level(pin, 0);
    esp_rom_delay_us(START_LOW_US);
    esp_err_t err = ESP_OK;
    /* The answer is timed in microseconds: no interrupt may stretch it (about 5 ms). */
    portENTER_CRITICAL(&lock);
    gpio_set_level(pin, 1);
    if (duration_at(1) < 0 || duration_at(0) < 0 || duration_at(1) < 0) {
        err = ESP_ERR_TIMEOUT;
    }
    for (int bit = 0; err == ESP_OK && bit < EDGE_DHT22_BITS; bit++) {
        const int low = duration_at(0);
        const int high = low < 0 ? -1 : duration_at(1);
        if (high < 0) {
            err = ESP_ERR_TIMEOUT;
        }
        high_us[bit] = (uint16_t)high;
    }
    portEXIT_CRITICAL(&lock);
    return err;
}

esp_err_t dht22_read(edge_dht22_reading *reading)
{
    if (pin == GPIO_NUM_NC) {
        return ESP_ERR_INVALID_STATE;
    }
    const int64_t now = esp_timer_get_time();
    if (have_last && now - last_read_us < MIN_INTERVAL_US) {
        *reading = last;
        return ESP_OK;
    }
    uint16_t high_us[EDGE_DHT22_BITS];
    uint8_t bytes[5];
    esp_err_t err = read_pulses(high_us);
    if (err != ESP_OK) {
        return err;
    }
    edge_dht22_bits_to_bytes(high_us, bytes);
    if (edge_dht22_decode(bytes, reading) != EDGE_DHT22_OK) {
        return ESP_ERR_INVALID_CRC;
    }
    last = *reading;
    last_read_us = now;
    have_last = true;
    return ESP_OK;
}
