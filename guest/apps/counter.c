/* Counts to count=N, busy-working spin=M iterations between lines without any
 * hypercall, so only preemption lets other domains run in between. */
#include "rt/rt.h"

int main(void)
{
	uint64_t count = rt_arg_u64("count", 5), spin = rt_arg_u64("spin", 2000000);
	volatile uint64_t sink = 0;

	for (uint64_t i = 1; i <= count; i++) {
		for (uint64_t j = 0; j < spin; j++)
			sink += j;
		gprintf("count %lu of %lu\n", i, count);
	}
	return 0;
}
