/* Hypercall wrappers for guests (ABI in public/hypercall.h). */
#ifndef RT_HV_H
#define RT_HV_H

#include <stdint.h>
#include "public/fastpage.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"

static inline int64_t hv_call5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	int64_t ret;

	__asm__ volatile("vmmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
			 : "memory");
	return ret;
}

static inline int64_t hv_console_write(const void *buf, uint64_t len)
{
	return hv_call5(HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)buf, len, 0, 0, 0);
}

static inline int64_t hv_yield(void) { return hv_call5(HC_YIELD, 0, 0, 0, 0, 0); }
static inline int64_t hv_block(uint64_t deadline_ns) { return hv_call5(HC_BLOCK, deadline_ns, 0, 0, 0, 0); }
static inline uint64_t hv_time_hypercall(void) { return (uint64_t)hv_call5(HC_TIME, 0, 0, 0, 0, 0); }

/* The fast page (public/fastpage.h) in this domain's shared page. */
static inline volatile struct hv_fast_info *hv_fast(void)
{
	return (volatile struct hv_fast_info *)(uintptr_t)(GUEST_SHARED_INFO_GPA + HV_FAST_INFO_OFFSET);
}

/* Nanoseconds since hypervisor boot, as HC_TIME (at most 1 ns less), read
 * from the fast page without an exit when the hypervisor filled it in. */
static inline uint64_t hv_time(void)
{
	volatile struct hv_fast_info *f = hv_fast();
	uint32_t lo, hi;

	if (f->version != HV_FAST_VERSION)
		return hv_time_hypercall();
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return hv_fast_time_ns((uint64_t)hi << 32 | lo, f->tsc_base, f->tsc_mul, f->tsc_shift);
}

static inline int64_t hv_self_info(struct hv_self_info *out)
{
	return hv_call5(HC_SELF_INFO, (uint64_t)(uintptr_t)out, sizeof(*out), 0, 0, 0);
}

static inline void __attribute__((noreturn)) hv_shutdown(uint32_t reason, int32_t code)
{
	hv_call5(HC_SHUTDOWN, reason, (uint64_t)(uint32_t)code, 0, 0, 0);
	for (;;)
		__asm__ volatile("hlt");
}

/* Sleep for at least ns nanoseconds. */
static inline void hv_sleep(uint64_t ns) { hv_block(hv_time() + ns); }

#endif
