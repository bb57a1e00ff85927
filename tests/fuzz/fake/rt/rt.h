/*
 * Host stand-in for the guest runtime (guest/rt/include/rt/rt.h), so backend
 * code compiles unchanged into a fuzz target. Only what backends use; the
 * target that includes this implements every function declared here.
 */
#ifndef FAKE_RT_RT_H
#define FAKE_RT_RT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "public/guest_layout.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"

int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t hv_self_info(struct hv_self_info *out);
/* The NVMe driver's (tests/unit/fake_nvme.c): the domain's devices, the
 * clock and giving up the CPU. */
extern struct guest_start_info rt_info;
uint64_t hv_time(void);
int64_t hv_yield(void);

#endif
