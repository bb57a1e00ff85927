/*
 * The profiler's test load (tests/hv/test_prof.c): profspin_a runs three
 * times as many iterations as profspin_b of the same loop, so it executes
 * three times as many instructions; then the domain blocks for good. args:
 * iters=N (profspin_b's iterations; default 4000000).
 */
#include <stdint.h>
#include "rt/rt.h"
#include "rt/hv.h"

/* The two bodies differ in one shift count only (so the compiler cannot
 * fold them into one function): the same instructions per iteration. */
__attribute__((noinline)) uint64_t profspin_a(uint64_t n);
__attribute__((noinline)) uint64_t profspin_b(uint64_t n);

uint64_t profspin_a(uint64_t n)
{
	uint64_t x = 1;

	for (uint64_t i = 0; i < n; i++) {
		x += i ^ (x >> 3);
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

uint64_t profspin_b(uint64_t n)
{
	uint64_t x = 1;

	for (uint64_t i = 0; i < n; i++) {
		x += i ^ (x >> 5);
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

int main(void)
{
	uint64_t n = rt_arg_u64("iters", 4000000);
	uint64_t x = profspin_a(3 * n) + profspin_b(n);

	gprintf("profspin: done (%lu)\n", (unsigned long)x);
	for (;;)
		hv_block(0);            /* the test reads the profile while we sleep */
}
