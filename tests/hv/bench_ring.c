/*
 * make bench-ring, QEMU part: two domains pass messages over a ring with
 * events, once with notification hold-off and once notifying on every push.
 * Prints messages/s (hypervisor time) and events and exits per message.
 * A benchmark: it reports figures and fails only if the runs themselves fail.
 */
#include "hv/arch.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

static int pair_done(void *arg)
{
	struct domain **d = arg;
	return !domain_alive(d[0]) && !domain_alive(d[1]);
}

static uint64_t run_pair(const char *ping, const char *pong, const char *label, uint64_t msgs)
{
	struct domain *d[2] = { hvtest_create(ping), hvtest_create(pong) };
	uint64_t t0 = arch_time_ns();

	EXPECT_EQ(sched_run(pair_done, d, TU_SECONDS(300)), SCHED_UNTIL_MET);
	uint64_t dt = arch_time_ns() - t0;
	tu_expect_exit(d[0], 0);
	tu_expect_exit(d[1], 0);
	uint64_t events = d[0]->events_sent + d[1]->events_sent;
	uint64_t exits = d[0]->vcpu.exits + d[1]->vcpu.exits;
	uint64_t rate = msgs * 1000000000ull / (dt ? dt : 1);
	printk("bench: %-12s %lu msgs in %lu ms: %lu msgs/s, %lu.%03lu events/msg, %lu.%03lu exits/msg\n",
	       label, msgs, dt / 1000000, rate, events / msgs, events * 1000 / msgs % 1000,
	       exits / msgs, exits * 1000 / msgs % 1000);
	domain_destroy(d[0]);
	domain_destroy(d[1]);
	return rate;
}

HVTEST(ring_bench)
{
	const uint64_t msgs = 100000;
	uint64_t on[2], off[2];

	for (int r = 0; r < 2; r++) {   /* interleaved: A B A B */
		on[r] = run_pair("ping_h", "pong_h", "hold-off", msgs);
		off[r] = run_pair("ping_n", "pong_n", "no hold-off", msgs);
	}
	uint64_t a = on[0] + on[1], b = off[0] + off[1];
	printk("bench: throughput ratio hold-off / no hold-off: %lu.%02lu\n", a / b, a * 100 / b % 100);
}
