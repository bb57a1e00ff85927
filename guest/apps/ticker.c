/* An unrelated domain that shows steady progress: every 10 ms it counts one
 * tick (a hypercall each, which the hypervisor-side test reads). Runs until
 * count=N ticks (0 = forever). */
#include "rt/rt.h"

int main(void)
{
	uint64_t count = rt_arg_u64("count", 0);

	for (uint64_t i = 1; !count || i <= count; i++) {
		hv_sleep(10000000ull);
		if (i % 500 == 0)
			gprintf("tick %lu\n", i);
	}
	return 0;
}
