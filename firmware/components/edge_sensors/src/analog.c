#include "analog.h"

#include <stddef.h>

#include "esp_adc/adc_cali.h"
#include "esp_adc/adc_cali_scheme.h"
#include "esp_adc/adc_oneshot.h"

#define OVERSAMPLING 16

static adc_oneshot_unit_handle_t unit;
static adc_cali_handle_t calibration;
static adc_channel_t channel;

static esp_err_t create_calibration(void)
{
#if ADC_CALI_SCHEME_CURVE_FITTING_SUPPORTED
    const adc_cali_curve_fitting_config_t config = {
        .unit_id = ADC_UNIT_1,
        .chan = channel,
        .atten = ADC_ATTEN_DB_12,
        .bitwidth = ADC_BITWIDTH_DEFAULT,
    };
    return adc_cali_create_scheme_curve_fitting(&config, &calibration);
#elif ADC_CALI_SCHEME_LINE_FITTING_SUPPORTED
    const adc_cali_line_fitting_config_t config = {
        .unit_id = ADC_UNIT_1,
        .atten = ADC_ATTEN_DB_12,
        .bitwidth = ADC_BITWIDTH_DEFAULT,
    };
    return adc_cali_create_scheme_line_fitting(&config, &calibration);
#else
    return ESP_ERR_NOT_SUPPORTED;
#endif
}

esp_err_t analog_init(int adc1_channel)
{
    channel = (adc_channel_t)adc1_channel;
    const adc_oneshot_unit_init_cfg_t unit_config = {.unit_id = ADC_UNIT_1};
    const adc_oneshot_chan_cfg_t channel_config = {.atten = ADC_ATTEN_DB_12, .bitwidth = ADC_BITWIDTH_DEFAULT};
    esp_err_t err = adc_oneshot_new_unit(&unit_config, &unit);
    if (err == ESP_OK) {
        err = adc_oneshot_config_channel(unit, channel, &channel_config);
    }
    if (err == ESP_OK) {
        err = create_calibration();
    }
    return err;
}

esp_err_t analog_read_mv(int32_t *millivolts)
{
    if (calibration == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    int sum = 0;
    for (int i = 0; i < OVERSAMPLING; i++) {
        int raw = 0;
        const esp_err_t err = adc_oneshot_read(unit, channel, &raw);
        if (err != ESP_OK) {
            return err;
        }
        sum += raw;
    }
    int mv = 0;
    const esp_err_t err = adc_cali_raw_to_voltage(calibration, sum / OVERSAMPLING, &mv);
    *millivolts = mv;
    return err;
}
