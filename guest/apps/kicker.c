/*
 * A domain that feeds its hang watchdog (period_ms=, default 30) after every
 * work_us= (default 2000) of busy work by the clock, kicks= times (default
 * 100), then disarms it and exits 0: healthy however little of the CPU it
 * gets. hang_after=N: after N kicks it stops kicking and spins with
 * interrupts off, so only the watchdog can notice.
 */
#include "rt/channel.h"
#include "rt/rt.h"

int main(void)
{
	uint64_t period = rt_arg_u64("period_ms", 30) * 1000000ull;
	uint64_t work = rt_arg_u64("work_us", 2000) * 1000ull;
	uint64_t kicks = rt_arg_u64("kicks", 100), hang_after = rt_arg_u64("hang_after", 0);
	volatile uint64_t sink = 0;

	if (hv_watchdog_kick(period))
		rt_fail("watchdog period %lu ns refused", period);
	for (uint64_t k = 1; k <= kicks; k++) {
		uint64_t start = hv_time();
		while (hv_time() - start < work)
			for (int i = 0; i < 1000; i++)
				sink += (uint64_t)i;
		if (hang_after && k > hang_after)
			rt_crash("hang");
		hv_watchdog_kick(period);
	}
	hv_watchdog_kick(0);
	gprintf("kicker: %lu kicks, one after every %lu us of work\n", kicks, work / 1000);
	return 0;
}
