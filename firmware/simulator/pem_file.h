#ifndef SIM_PEM_FILE_H
#define SIM_PEM_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes a DER certificate as a PEM file (what libmosquitto's CA file option reads); false
 * with a message on stderr when it cannot. */
bool pem_file_write_certificate(const char *path, const uint8_t *der, size_t len);

#endif
