/* Scale of a counter running at hz to nanoseconds, as a multiplier and a
 * shift (public/fastpage.h hv_fast_time_ns): pure, tested on the host. */
#ifndef HV_TSCSCALE_H
#define HV_TSCSCALE_H

#include <stdint.h>

/* mul = floor(1e9 * 2^shift / hz) with the largest shift that keeps mul
 * below 2^64, so the result is never above floor(ticks * 1e9 / hz) and at
 * most 1 ns below it (2 ns past 2^63 ns, 292 years). -1 if hz is 0. */
int tsc_scale_init(uint64_t hz, uint64_t *mul, uint32_t *shift);

#endif
