#include "link.h"

#include "sdkconfig.h"

#if CONFIG_EDGE_TRANSPORT_SERIAL

#include <stdarg.h>

#include "app_queue.h"
#include "driver/uart.h"
#include "edge/serial_framing.h"
#include "esp_log.h"
#include "freertos/task.h"

#define UART ((uart_port_t)CONFIG_EDGE_SERIAL_UART_NUM)
#define BUFFER_BYTES 1024

static edge_serial_decoder decoder;

static void on_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    (void)ctx;
    if (status == EDGE_PACKET_OK) {
        app_post_command(payload, len);
    }
}

static void receive_task(void *arg)
{
    (void)arg;
    uint8_t buffer[128];
    for (;;) {
        const int n = uart_read_bytes(UART, buffer, sizeof buffer, pdMS_TO_TICKS(100));
        if (n > 0) {
            edge_serial_decoder_push(&decoder, buffer, (size_t)n, on_packet, NULL);
        }
    }
}

static int silent(const char *format, va_list args)
{
    (void)format;
    (void)args;
    return 0;
}

static esp_err_t serial_start(const char *device_id)
{
    (void)device_id;
#if CONFIG_ESP_CONSOLE_UART && CONFIG_ESP_CONSOLE_UART_NUM == CONFIG_EDGE_SERIAL_UART_NUM
    /* Log lines on the frame line would cost the frames they run into. */
    esp_log_set_vprintf(silent);
#else
    (void)silent;
#endif
    const uart_config_t config = {
        .baud_rate = 115200,
        .data_bits = UART_DATA_8_BITS,
        .parity = UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1,
        .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
        .source_clk = UART_SCLK_DEFAULT,
    };
    esp_err_t err = uart_driver_install(UART, BUFFER_BYTES, BUFFER_BYTES, 0, NULL, 0);
    if (err == ESP_OK) {
        err = uart_param_config(UART, &config);
    }
    edge_serial_decoder_reset(&decoder);
    if (err == ESP_OK && xTaskCreate(receive_task, "serial_rx", 3072, NULL, 5, NULL) != pdPASS) {
        err = ESP_ERR_NO_MEM;
    }
    /* A lone delimiter ends whatever the boot ROM printed before the first frame. */
    const uint8_t delimiter = EDGE_SERIAL_DELIMITER;
    if (err == ESP_OK) {
        uart_write_bytes(UART, &delimiter, 1);
    }
    return err;
}

static void serial_connect(edge_device_state state)
{
    (void)state;
    /* A UART has no connection: the line is always there. */
    app_post(APP_LINK_UP);
}

static edge_send_result serial_send(edge_topic topic, const uint8_t *bytes, size_t len)
{
    (void)topic;
    uint8_t wire[EDGE_SERIAL_MAX_WIRE];
    const size_t wire_len = edge_serial_encode(bytes, len, wire, sizeof wire);
    if (wire_len == 0 || uart_write_bytes(UART, wire, wire_len) != (int)wire_len) {
        return EDGE_SEND_FAILED;
    }
    return EDGE_SEND_DELIVERED;
}

const link_ops SERIAL_LINK = {
    .name = "serial",
    .start = serial_start,
    .connect = serial_connect,
    .send = serial_send,
    .rssi = link_no_rssi,
    .linked_at_start = true,
};

#endif
