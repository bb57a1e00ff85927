/*
 * Fault injection end to end (hv/faultinject.c): the NIC driver domain under
 * load from a host load generator, with a plan of three faults for its
 * generations 1, 2 and 3 (tests/qemu/net_fi.plan):
 *   1. ud2 over e1000_rx_poll's first instruction: activated on the next poll,
 *      the driver dies of its own #UD (code 0x106) and is restarted;
 *   2. at an instruction netdd never executes: applied, never activated; the
 *      quiet period (counted from application) restarts it;
 *   3. new == orig at e1000_rx_poll: activated, harmless; the quiet period
 *      restarts it;
 * and one for the client whose orig does not match its code: not applied.
 * The client behind the driver must finish its echoes in its first generation.
 */
#include "kstring.h"
#include "hv/faultinject.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "tests_util.h"

struct fi_watch {
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *driver, *client;
	uint64_t seen_restarts;
	char cause[4][96];          /* the cause of each restart, as it happened */
};

static int done(void *arg)
{
	struct fi_watch *w = arg;
	uint64_t r = supervise_restarts(w->driver->id);

	if (r != w->seen_restarts && supervise_last(w->driver->id)) {
		if (r >= 1 && r <= 4)
			memcpy(w->cause[r - 1], supervise_last(w->driver->id)->cause,
			       sizeof(w->cause[0]));
		w->seen_restarts = r;
	}
	/* The last quiet period ends in a restart: wait for the new generation. */
	return !domain_alive(w->client) && fi_plan_done() && domain_alive(w->driver);
}

static void expect_record(unsigned i, int activated, enum fi_end end)
{
	const struct fi_record *r = fi_record(i);

	EXPECT(r != 0);
	if (!r)
		return;
	printk("hvtest: fault %u: applied %u after %lu exits at %lu ms, activated %u at %lu ms, "
	       "end %u at %lu ms\n", r->id, r->applied, r->applied_exits, r->applied_ns / 1000000,
	       r->activated, r->activated_ns / 1000000, r->end, r->ended_ns / 1000000);
	EXPECT_EQ(r->applied, 1);
	EXPECT_EQ(r->activated, activated);
	EXPECT_EQ(r->end, end);
	EXPECT(r->applied_ns && r->ended_ns >= r->applied_ns);
	if (activated)
		EXPECT(r->activated_ns >= r->applied_ns && r->ended_ns >= r->activated_ns);
	else
		EXPECT_EQ(r->activated_ns, 0);
}

HVTEST(net_fi)
{
	static struct fi_watch w;

	hvtest_create_all(w.doms, BOOTCFG_MAX_DOMAINS, &w.n);
	for (unsigned i = 0; i < w.n; i++) {
		if (!strcmp(w.doms[i]->cfg.name, "netdd"))
			w.driver = w.doms[i];
		if (!strcmp(w.doms[i]->cfg.image, "udpecho"))
			w.client = w.doms[i];
	}
	if (!w.driver || !w.client)
		hv_finish(HV_STATUS_FAIL, "scenario needs netdd and a udpecho client");
	EXPECT_EQ(fi_count(), 4);
	EXPECT_EQ(sched_run(done, &w, TU_SECONDS(280)), SCHED_UNTIL_MET);

	expect_record(0, 1, FI_GEN_ENDED);
	expect_record(1, 0, FI_QUIET);
	expect_record(2, 1, FI_QUIET);
	const struct fi_record *r = fi_record(3);
	EXPECT(r && !r->applied && !r->activated && r->end == FI_NOT_APPLIED);
	for (unsigned i = 0; i < 3; i++)
		printk("hvtest: restart %u cause '%s'\n", i + 1, w.cause[i]);
	EXPECT(tu_contains(w.cause[0], "guest reported a crash (code 262)"));     /* its #UD */
	EXPECT(tu_contains(w.cause[1], "fi: next fault"));
	EXPECT(tu_contains(w.cause[2], "fi: next fault"));
	EXPECT_EQ(supervise_restarts(w.driver->id), 3);
	EXPECT(domain_alive(w.driver));
	EXPECT_EQ(w.driver->generation, 4);
	tu_expect_exit(w.client, 0);                /* every echo answered */
	EXPECT_EQ(w.client->generation, 1);         /* never restarted itself */
}

static int dead_and_done(void *arg)
{
	return !domain_alive(arg) && fi_plan_done();
}

/* The guest's own INT3 (not at the planted fault's address) while INT3 is
 * trapped for it: reflected, its own handler reports vector 3. */
HVTEST(fi_reflect)
{
	struct domain *d = hvtest_create("bp");

	EXPECT_EQ(fi_count(), 1);
	enum sched_stop_why why = sched_run(dead_and_done, d, TU_SECONDS(60));
	EXPECT(why == SCHED_UNTIL_MET || why == SCHED_ALL_DONE);   /* the end seen on the last pass */
	EXPECT(fi_plan_done());
	tu_expect_crash(d, "guest reported a crash (code 259)");       /* 0x100 + #BP */
	expect_record(0, 0, FI_NOT_ACTIVATED);
}

/*
 * For fault campaigns (docs/faultinject.md section 4): any plan against a scenario with one
 * driver domain and udpecho clients. Runs until the clients have exited (the
 * load generator's quit datagram), every fault has ended and the driver is
 * running again or given up; checks nothing else (the campaign runner
 * classifies each fault from the console) and prints the records.
 */
static int campaign_done(void *arg)
{
	struct fi_watch *w = arg;

	for (unsigned i = 0; i < w->n; i++)
		if (!strcmp(w->doms[i]->cfg.image, "udpecho") && domain_alive(w->doms[i]))
			return 0;
	return fi_plan_done() && w->driver &&
	       (domain_alive(w->driver) || supervise_given_up(w->driver->id));
}

HVTEST(fi_campaign)
{
	static struct fi_watch w;

	hvtest_create_all(w.doms, BOOTCFG_MAX_DOMAINS, &w.n);
	for (unsigned i = 0; i < w.n; i++)
		if (w.doms[i]->cfg.role == BOOTCFG_ROLE_DRIVER)
			w.driver = w.doms[i];
	EXPECT(w.driver != 0);
	EXPECT_EQ(sched_run(campaign_done, &w, TU_SECONDS(280)), SCHED_UNTIL_MET);
	for (unsigned i = 0; i < fi_count(); i++) {
		const struct fi_record *r = fi_record(i);
		printk("hvtest: fi record %u: applied %u activated %u end %u\n", r->id, r->applied,
		       r->activated, r->end);
	}
	for (unsigned i = 0; i < w.n; i++)
		printk("hvtest: domain %s: %s, generation %lu%s%s\n", w.doms[i]->cfg.name,
		       domain_state_name(w.doms[i]->state), w.doms[i]->generation,
		       w.doms[i]->reason[0] ? ", " : "", w.doms[i]->reason);
}
