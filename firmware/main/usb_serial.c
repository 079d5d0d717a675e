#include "usb_serial.h"

#include <stdarg.h>

#include "driver/uart.h"
#include "edge/link_message.h"
#include "edge/provision.h"
#include "edge/serial_framing.h"
#include "esp_log.h"
#include "esp_system.h"
#include "app_queue.h"
#include "freertos/task.h"
#include "identity.h"
#include "platform.h"
#include "provisioning_button.h"
#include "sdkconfig.h"

#define UART ((uart_port_t)CONFIG_EDGE_USB_UART_NUM)
/* Room for the largest packet, a provisioning request, on both sides of the driver. */
#define BUFFER_BYTES (2 * EDGE_SERIAL_MAX_WIRE)
/* The answer to a provisioning request is out before the device restarts. */
#define DRAIN_MS 1000

static const char *TAG = "usb";
static usb_serial_config settings;
static edge_serial_decoder decoder;
/* Provisioning's workspace and answer: too large for the task's stack. */
static edge_provisioning work;
static uint8_t answer[EDGE_PROVISION_ANSWER_MAX_BYTES];

bool usb_serial_write(const uint8_t *payload, size_t len)
{
    /* Sized for what a device sends (DeviceMessages), on the caller's stack: the node task and
     * the receive task both write. One uart_write_bytes call per packet, which the driver
     * writes whole, so packets never interleave. */
    uint8_t wire[EDGE_COBS_MAX_ENCODED(EDGE_DEVICE_MESSAGE_MAX_BYTES + EDGE_SERIAL_CRC_BYTES) + 1];
    const size_t wire_len = edge_serial_encode(payload, len, wire, sizeof wire);
    return wire_len > 0 && uart_write_bytes(UART, wire, wire_len) == (int)wire_len;
}

static void provision(const uint8_t *request, size_t len)
{
    const edge_rng rng = platform_rng();
    const edge_provisioner provisioner = {.storage = settings.storage,
                                          .rng = &rng,
                                          .firmware_version = settings.firmware_version,
                                          .device_key = identity_device_key,
                                          .ctx = (void *)settings.storage};
    size_t answer_len = 0;
    edge_provision_outcome outcome;
    if (edge_provision_answer(&provisioner, provisioning_window_open(), request, len, &work, answer, sizeof answer,
                              &answer_len, &outcome) != EDGE_OK) {
        return;
    }
    usb_serial_write(answer, answer_len);
    ESP_LOGW(TAG, "provisioning request: %s%s%s", edge_provision_result_name(outcome.result),
             outcome.detail != NULL ? ", " : "", outcome.detail != NULL ? outcome.detail : "");
    if (outcome.restart) {
        uart_wait_tx_done(UART, pdMS_TO_TICKS(DRAIN_MS));
        esp_restart();
    }
}

static void on_packet(void *ctx, edge_packet_status status, const uint8_t *payload, size_t len)
{
    (void)ctx;
    edge_gateway_message message;
    if (status != EDGE_PACKET_OK || edge_gateway_message_parse(payload, len, &message) != EDGE_OK) {
        return;
    }
    switch (message.kind) {
    case EDGE_GATEWAY_PROVISION_REQUEST:
        provision(message.body, message.body_len);
        break;
    case EDGE_GATEWAY_SIGNED_COMMAND:
        if (settings.frames_on_line) {
            app_post_command(message.body, message.body_len);
        }
        break;
    case EDGE_GATEWAY_FRAME_ACK:
        if (settings.frames_on_line) {
            app_post_frame_ack(&message.ack);
        }
        break;
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

esp_err_t usb_serial_start(const usb_serial_config *config)
{
    settings = *config;
#if CONFIG_ESP_CONSOLE_UART && CONFIG_ESP_CONSOLE_UART_NUM == CONFIG_EDGE_USB_UART_NUM
    if (settings.frames_on_line) {
        /* Log lines among frames would cost the frames they run into. */
        esp_log_set_vprintf(silent);
    }
#else
    (void)silent;
#endif
    const uart_config_t uart = {
        .baud_rate = 115200,
        .data_bits = UART_DATA_8_BITS,
        .parity = UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1,
        .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
        .source_clk = UART_SCLK_DEFAULT,
    };
    esp_err_t err = uart_driver_install(UART, BUFFER_BYTES, BUFFER_BYTES, 0, NULL, 0);
    if (err == ESP_OK) {
        err = uart_param_config(UART, &uart);
    }
    edge_serial_decoder_reset(&decoder);
    /* Provisioning signs with mbedTLS on this task: a few KiB of stack. */
    if (err == ESP_OK && xTaskCreate(receive_task, "usb_rx", 8192, NULL, 5, NULL) != pdPASS) {
        err = ESP_ERR_NO_MEM;
    }
    /* A lone delimiter ends whatever the boot ROM printed before the first packet. */
    const uint8_t delimiter = EDGE_SERIAL_DELIMITER;
    if (err == ESP_OK) {
        uart_write_bytes(UART, &delimiter, 1);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "USB serial line unusable: %s", esp_err_to_name(err));
    }
    return err;
}
