/*
 * A restartable domain that fails on purpose in each incarnation until
 * generation until=N, then exits 0. mode=pf|triple|hang|wild|crash, or mixed
 * (a different kind each generation). It arms the hang watchdog (100 ms) and
 * kicks it while it works, as a driver domain would. client=NAME: each
 * incarnation announces itself Connected to that domain in the registry.
 */
#include "rt/channel.h"
#include "rt/rt.h"

static const char *const mixed[] = { "pf", "triple", "hang", "wild", "crash" };

int main(void)
{
	struct hv_self_info me;
	char mode[16];
	uint64_t until = rt_arg_u64("until", 3);

	if (hv_self_info(&me) || !rt_arg_str("mode", mode, sizeof(mode)))
		rt_fail("self info or mode= missing");
	if (rt_arg_str("client", mode, sizeof(mode))) {
		struct reg_entry e = { REG_CONNECTED, 0, 0, 0 };
		hv_reg_write((uint32_t)rt_peer_id("client"), 0, &e);
	}
	if (!rt_arg_str("mode", mode, sizeof(mode)))
		rt_fail("mode= missing");
	hv_watchdog_kick(100000000ull);
	for (int i = 0; i < 5; i++) {
		hv_sleep(10000000ull);
		hv_watchdog_kick(100000000ull);
	}
	gprintf("generation %lu of %lu\n", me.generation, until);
	if (me.generation >= until) {
		hv_watchdog_kick(0);
		return 0;
	}
	const char *kind = strcmp(mode, "mixed") ? mode : mixed[(me.generation - 1) % 5];
	if (!strcmp(kind, "crash"))
		hv_shutdown(HV_SHUTDOWN_CRASH, 7);
	rt_crash(kind);
	rt_fail("unknown mode %s", kind);
}
