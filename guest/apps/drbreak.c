/*
 * Hardware breakpoints must stay inside the domain that armed them.
 * role=armer: arms DR0 as an instruction breakpoint (DR7 L0) at addr= (an
 * address in the hypervisor, given by the test) or, without addr=, at this
 * image's victim_fn, then keeps making hypercalls and yielding: neither the
 * hypervisor nor another domain may ever take its breakpoint.
 * role=victim: calls victim_fn (the same address in every instance of this
 * image) between yields; a #DB it never armed would crash it.
 */
#include "rt/rt.h"

static volatile uint64_t calls;

__attribute__((noinline)) void victim_fn(void);
__attribute__((noinline)) void victim_fn(void)
{
	calls++;
}

int main(void)
{
	char role[16];
	uint64_t rounds = rt_arg_u64("rounds", 2000);

	if (!rt_arg_str("role", role, sizeof(role)))
		rt_fail("role=armer|victim");
	if (!strcmp(role, "armer")) {
		uint64_t addr = rt_arg_u64("addr", (uint64_t)(uintptr_t)victim_fn);
		__asm__ volatile("mov %0, %%dr0" :: "r"(addr));
		__asm__ volatile("mov %0, %%dr7" :: "r"(0x401ull));     /* L0, execute, 1 byte */
		for (uint64_t i = 0; i < rounds; i++)
			hv_yield();
		gprintf("drbreak: armer kept DR0 0x%lx armed for %lu hypercalls\n", addr, rounds);
		return 0;
	}
	for (uint64_t i = 0; i < rounds; i++) {
		victim_fn();
		hv_yield();
	}
	gprintf("drbreak: victim called victim_fn %lu times, no breakpoint of another domain\n",
		calls);
	return 0;
}
