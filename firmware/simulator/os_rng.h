#ifndef SIM_OS_RNG_H
#define SIM_OS_RNG_H

#include "edge/crypto.h"

/* The kernel's random generator (getrandom), for keys and signature blinding. */
edge_rng os_rng(void);

#endif
