#ifndef EDGE_STATUS_H
#define EDGE_STATUS_H

/* Result codes of the core; every failing call returns one of the negative values. */
typedef enum {
    EDGE_OK = 0,
    EDGE_ERR_ARG = -1,
    EDGE_ERR_NOT_FOUND = -2,
    EDGE_ERR_STORAGE = -3,
    EDGE_ERR_CRYPTO = -4,
    EDGE_ERR_ENCODE = -5,
    EDGE_ERR_DECODE = -6,
    EDGE_ERR_TOO_LARGE = -7,
} edge_err;

#endif
