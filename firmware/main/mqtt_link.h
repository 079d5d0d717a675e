#ifndef MQTT_LINK_H
#define MQTT_LINK_H

#include <stddef.h>
#include <stdint.h>

/* Where and as whom the node logs in to the broker. Provisioning supplies these (its
 * WifiMqttLinkSettings); menuconfig's values stand in for a node never provisioned. A field
 * left NULL (or empty) keeps menuconfig's value. The gateway's broker knows a device by its
 * device id and the token the gateway issued it (`gateway add-device` prints it), so the user
 * name defaults to the device id. */
typedef struct {
    /* The broker's host name or address, and port. */
    const char *host;
    uint16_t port;
    /* The device's broker login: user name (default: the device id) and password (the token). */
    const char *username;
    const char *password;
    /* With a CA certificate (DER), MQTT over TLS with the broker's name checked; without, plain MQTT. */
    const uint8_t *ca_certificate_der;
    size_t ca_certificate_der_len;
} mqtt_link_settings;

/* Replaces menuconfig's broker settings; call before the link starts, in builds with the MQTT
 * transport. The strings and the certificate must stay valid while the node runs (they live
 * in the provisioning record). */
void mqtt_link_configure(const mqtt_link_settings *settings);

#endif
