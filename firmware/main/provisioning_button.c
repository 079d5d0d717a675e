#include "provisioning_button.h"

#include <stdatomic.h>

#include "driver/gpio.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "sdkconfig.h"

#define POLL_MS 100
#define HOLD_MS 3000

static const char *TAG = "provisioning";
static _Atomic int64_t window_until_us;

#if CONFIG_EDGE_PROVISION_BUTTON_GPIO >= 0
static esp_timer_handle_t timer;
static unsigned held_ms;

static void poll_button(void *arg)
{
    (void)arg;
    if (gpio_get_level((gpio_num_t)CONFIG_EDGE_PROVISION_BUTTON_GPIO) != 0) {
        held_ms = 0;
        return;
    }
    held_ms += POLL_MS;
    if (held_ms == HOLD_MS) {
        atomic_store(&window_until_us, esp_timer_get_time() + (int64_t)CONFIG_EDGE_PROVISION_WINDOW_S * 1000000);
        ESP_LOGW(TAG, "provisioning window open for %d s", CONFIG_EDGE_PROVISION_WINDOW_S);
    }
}
#endif

esp_err_t provisioning_button_start(void)
{
#if CONFIG_EDGE_PROVISION_BUTTON_GPIO >= 0
    const gpio_config_t pin = {
        .pin_bit_mask = 1ULL << CONFIG_EDGE_PROVISION_BUTTON_GPIO,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
    };
    esp_err_t err = gpio_config(&pin);
    const esp_timer_create_args_t args = {.callback = poll_button, .name = "provision_button"};
    if (err == ESP_OK) {
        err = esp_timer_create(&args, &timer);
    }
    return err == ESP_OK ? esp_timer_start_periodic(timer, POLL_MS * 1000) : err;
#else
    return ESP_OK;
#endif
}

bool provisioning_window_open(void)
{
    return esp_timer_get_time() < atomic_load(&window_until_us);
}
