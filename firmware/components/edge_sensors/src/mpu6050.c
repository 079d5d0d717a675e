#include "mpu6050.h"

#include "driver/i2c_master.h"
#include "edge/vibration.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#define ADDRESS 0x68
#define REG_SMPLRT_DIV 0x19
#define REG_CONFIG 0x1a
#define REG_ACCEL_CONFIG 0x1c
#define REG_FIFO_EN 0x23
#define REG_USER_CTRL 0x6a
#define REG_PWR_MGMT_1 0x6b
#define REG_FIFO_COUNT_H 0x72
#define REG_FIFO_R_W 0x74
#define REG_WHO_AM_I 0x75
#define FIFO_ACCEL 0x08
#define USER_FIFO_EN 0x40
#define USER_FIFO_RESET 0x04
#define WINDOW 64
#define I2C_TIMEOUT_MS 50

static i2c_master_dev_handle_t device;

static esp_err_t write_register(uint8_t reg, uint8_t value)
{
    const uint8_t bytes[2] = {reg, value};
    return i2c_master_transmit(device, bytes, sizeof bytes, I2C_TIMEOUT_MS);
}

static esp_err_t read_registers(uint8_t reg, uint8_t *out, size_t len)
{
    return i2c_master_transmit_receive(device, &reg, 1, out, len, I2C_TIMEOUT_MS);
}

esp_err_t mpu6050_init(int sda_gpio, int scl_gpio)
{
    const i2c_master_bus_config_t bus_config = {
        .i2c_port = -1,
        .sda_io_num = (gpio_num_t)sda_gpio,
        .scl_io_num = (gpio_num_t)scl_gpio,
        .clk_source = I2C_CLK_SRC_DEFAULT,
        .glitch_ignore_cnt = 7,
        .flags.enable_internal_pullup = true,
    };
    const i2c_device_config_t device_config = {
        .dev_addr_length = I2C_ADDR_BIT_LEN_7,
        .device_address = ADDRESS,
        .scl_speed_hz = 400000,
    };
    i2c_master_bus_handle_t bus;
    esp_err_t err = i2c_new_master_bus(&bus_config, &bus);
    if (err == ESP_OK) {
        err = i2c_master_bus_add_device(bus, &device_config, &device);
    }
    uint8_t who = 0;
    if (err == ESP_OK) {
        err = read_registers(REG_WHO_AM_I, &who, 1);
    }
    if (err == ESP_OK && who != ADDRESS) {
        err = ESP_ERR_NOT_FOUND;
    }
    /* Awake, 1 kHz with the 44 Hz low-pass filter, +-2 g. */
    if (err == ESP_OK) {
        err = write_register(REG_PWR_MGMT_1, 0x00);
    }
    if (err == ESP_OK) {
        err = write_register(REG_CONFIG, 0x03);
    }
    if (err == ESP_OK) {
        err = write_register(REG_SMPLRT_DIV, 0x00);
    }
    if (err == ESP_OK) {
        err = write_register(REG_ACCEL_CONFIG, 0x00);
    }
    return err;
}

esp_err_t mpu6050_vibration(int32_t *mm_s2)
{
    if (device == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t err = write_register(REG_USER_CTRL, USER_FIFO_RESET);
    if (err == ESP_OK) {
        err = write_register(REG_FIFO_EN, FIFO_ACCEL);
    }
    if (err == ESP_OK) {
        err = write_register(REG_USER_CTRL, USER_FIFO_EN);
    }
    if (err != ESP_OK) {
        return err;
    }
    /* Let the FIFO collect the window (plus a margin), then stop it. */
    vTaskDelay(pdMS_TO_TICKS(WINDOW + 4));
    uint8_t count_bytes[2];
    err = read_registers(REG_FIFO_COUNT_H, count_bytes, sizeof count_bytes);
    write_register(REG_FIFO_EN, 0x00);
    if (err != ESP_OK) {
        return err;
    }
    const size_t available = (size_t)(count_bytes[0] << 8 | count_bytes[1]) / 6;
    const size_t n = available < WINDOW ? available : WINDOW;
    edge_accel_sample window[WINDOW];
    for (size_t i = 0; i < n && err == ESP_OK; i++) {
        uint8_t raw[6];
        err = read_registers(REG_FIFO_R_W, raw, sizeof raw);
        window[i].x = (int16_t)(raw[0] << 8 | raw[1]);
        window[i].y = (int16_t)(raw[2] << 8 | raw[3]);
        window[i].z = (int16_t)(raw[4] << 8 | raw[5]);
    }
    if (err == ESP_OK && n < WINDOW / 2) {
        err = ESP_ERR_INVALID_SIZE;
    }
    if (err == ESP_OK) {
        *mm_s2 = edge_vibration_rms_mm_s2(window, n, EDGE_MPU6050_LSB_PER_G_2G);
    }
    return err;
}
