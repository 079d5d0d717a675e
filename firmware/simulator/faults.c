#include "faults.h"

static bool active(const sim_fault *f, size_t i, double run_s)
{
    const bool channel = (size_t)f->channel == i;
    const bool started = run_s >= f->after_s;
    const bool ended = f->duration_s > 0 && run_s >= f->after_s + f->duration_s;
    return channel && started && !ended;
}

bool sim_faults_stuck(const sim_sensors *sensors, size_t i, double run_s)
{
    for (size_t k = 0; k < sensors->fault_count; k++) {
        if (sensors->faults[k].kind == FAULT_STUCK && active(&sensors->faults[k], i, run_s)) {
            return true;
        }
    }
    return false;
}

bool sim_faults_apply(sim_sensors *sensors, size_t i, double run_s, double *delta, double *noise_factor)
{
    *noise_factor = 1.0;
    for (size_t k = 0; k < sensors->fault_count; k++) {
        const sim_fault *f = &sensors->faults[k];
        if (!active(f, i, run_s)) {
            continue;
        }
        switch (f->kind) {
        case FAULT_SPIKE:
            if (sim_uniform(sensors) < f->probability) {
                *delta += sim_uniform(sensors) < 0.5 ? -f->magnitude : f->magnitude;
            }
            break;
        case FAULT_DRIFT:
            *delta += f->rate_per_hour * (run_s - f->after_s) / 3600.0;
            break;
        case FAULT_OFFSET:
            *delta += f->magnitude;
            break;
        case FAULT_DROPOUT:
            if (sim_uniform(sensors) < f->probability) {
                return false;
            }
            break;
        case FAULT_NOISE:
            *noise_factor *= f->factor;
            break;
        case FAULT_STUCK:
            break;
        }
    }
    return true;
}
