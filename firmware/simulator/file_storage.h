#ifndef SIM_FILE_STORAGE_H
#define SIM_FILE_STORAGE_H

#include "edge/storage.h"

/* edge_storage over a folder, one file per key, replaced atomically (write a temporary file,
 * fsync it, rename it over the old one, fsync the folder), so a power cut leaves the old value
 * or the new one. */
typedef struct {
    char dir[4096];
    edge_storage storage;
} file_storage;

/* Creates the folder (and its parents) when missing; returns EDGE_OK or EDGE_ERR_STORAGE. */
int file_storage_open(file_storage *fs, const char *dir);

#endif
