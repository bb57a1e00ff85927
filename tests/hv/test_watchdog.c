/*
 * The hang watchdog counts the domain's own run time: a domain that kicks
 * often enough while it runs is not killed however long it waits for the
 * CPU, and one that runs without kicking is killed after about its period of
 * run time, wherever the wall clock is.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "tests_util.h"

#define PERIOD_NS 30000000ull          /* period_ms=30 in the scenario */

struct pair { struct domain *kicker, *hanger; };

static int both_stopped(void *arg)
{
	const struct pair *p = arg;

	return !domain_alive(p->kicker) && !domain_alive(p->hanger);
}

HVTEST(watchdog_runtime)
{
	struct domain *d[BOOTCFG_MAX_DOMAINS];
	struct pair p = { 0, 0 };
	unsigned n;

	hvtest_create_all(d, BOOTCFG_MAX_DOMAINS, &n);
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(d[i]->cfg.name, "kicker"))
			p.kicker = d[i];
		if (!strcmp(d[i]->cfg.name, "hanger"))
			p.hanger = d[i];
	}
	EXPECT(p.kicker && p.hanger && n >= 8);
	if (!p.kicker || !p.hanger)
		return;
	uint64_t t0 = arch_time_ns();
	EXPECT_EQ(sched_run(both_stopped, &p, TU_SECONDS(120)), SCHED_UNTIL_MET);
	uint64_t wall = arch_time_ns() - t0, kick_run = p.kicker->vcpu.run_ns;
	uint64_t unkicked = p.hanger->vcpu.run_ns - p.hanger->wd_kick_run_ns;

	printk("hvtest: kicker ran %lu ms in %lu ms; hanger killed after %lu ms of its run "
	       "time without a kick\n", kick_run / 1000000, wall / 1000000, unkicked / 1000000);
	tu_expect_exit(p.kicker, 0);
	EXPECT(kick_run * 4 < wall);            /* it really had a small share */
	tu_expect_crash(p.hanger, "watchdog: no kick for 30 ms of its run time");
	EXPECT(p.hanger->con_lines >= 1);       /* it got to its hang first */
	EXPECT(unkicked > PERIOD_NS && unkicked <= PERIOD_NS + 2 * SCHED_TICK_NS);
	for (unsigned i = 0; i < n; i++)
		domain_destroy(d[i]);
	EXPECT_EQ(domain_count_alive(), 0);
}
