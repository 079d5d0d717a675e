#ifndef PROVISIONING_BUTTON_H
#define PROVISIONING_BUTTON_H

#include <stdbool.h>

#include "esp_err.h"

/* The physical trigger of USB provisioning: holding the provisioning button
 * (CONFIG_EDGE_PROVISION_BUTTON_GPIO, active low: the BOOT button of most boards) for 3 s, at
 * power-on or later, opens the provisioning window for CONFIG_EDGE_PROVISION_WINDOW_S. Only
 * while it is open does a provisioned device take new settings; someone with the cable alone
 * cannot take it over. */
esp_err_t provisioning_button_start(void);

bool provisioning_window_open(void);

#endif
