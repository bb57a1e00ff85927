/*
 * Service supervision (hv/stall.c): a hostile client alone cannot have a
 * shared driver restarted. The liar (guest/apps/stallliar.c) reports diskdd
 * stalled as often as the hypervisor takes it while client1 is served; the
 * driver must stay in generation 1 and client1 go on verifying its disk
 * with no error and no reconnection (its progress lines, tests.conf).
 * (The other half, a driver that really serves nobody being restarted, is
 * test stall_disk: hvtest fi_disk with the serve_none site fault.)
 */
#include "hv/channel.h"
#include "hv/hcargs.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "public/bootcfg.h"
#include "public/hv_errno.h"
#include "tests_util.h"

HVTEST(stall_liar)
{
	struct domain *dd = hvtest_create("diskdd"), *c = hvtest_create("client1");
	struct domain *l = hvtest_create("liar");

	EXPECT_EQ(tu_run_until_exit(l, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(l, 0);                   /* its reports were taken (and its checks passed) */
	EXPECT_EQ(supervise_restarts(dd->id), 0);
	/* client1 was connected and at work for all of the liar's reports:
	 * otherwise the liar was diskdd's only client and a restart its right. */
	EXPECT(domain_alive(c));
	printk("hvtest: liar done, diskdd generation %lu, %lu restarts, client1 %s\n",
	       dd->generation, supervise_restarts(dd->id), domain_state_name(c->state));
	EXPECT_EQ(dd->generation, 1);
	/* client1 works on forever (its progress lines say errors 0, reconnects
	 * 0); once the liar is its only client a restart would be its right. */
	domain_destroy(l);
	domain_destroy(c);
	domain_destroy(dd);
}

/*
 * A client that lies alone: the driver's only client, so its reports do
 * restart the driver (that harms only itself), but a new generation gets
 * STALL_WINDOW_NS (2 s) to serve before a report can end it, the first
 * generation included: over the liar's 6 s, at most one restart per 2 s,
 * never a restart at every scheduler pass that would spend the
 * driver's restart budget (32 per minute) and have it given up.
 */
HVTEST(stall_alone)
{
	struct domain *dd = hvtest_create("diskdd"), *l = hvtest_create("liar");

	EXPECT_EQ(tu_run_until_exit(l, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(l, 0);
	uint64_t n = supervise_restarts(dd->id);
	printk("hvtest: lone liar: diskdd restarted %lu times, generation %lu, %s\n", n,
	       dd->generation, supervise_given_up(dd->id) ? "given up" : "not given up");
	EXPECT(n >= 1 && n <= 4);
	EXPECT(!supervise_given_up(dd->id));
	const struct restart_record *r = supervise_last(dd->id);
	EXPECT(r && tu_contains(r->cause, "stalled: every client reported no service (1 of 1"));
	domain_destroy(l);
	domain_destroy(dd);
}

/*
 * A lone liar against a driver whose budget is 2 restarts per 60 s
 * (stall_budget.scn): reports may spend half of it, one restart, and never
 * the restart that gives the driver up; later clients would find it gone.
 * Over the liar's 7 s it would otherwise restart diskdd every 2 s and
 * have it given up at the third verdict.
 */
HVTEST(stall_budget)
{
	struct domain *dd = hvtest_create("diskdd"), *l = hvtest_create("liar");

	EXPECT_EQ(tu_run_until_exit(l, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(l, 0);
	uint64_t n = supervise_restarts(dd->id);
	printk("hvtest: stall_budget: diskdd restarted %lu times, generation %lu, %s, %s\n", n,
	       dd->generation, supervise_given_up(dd->id) ? "given up" : "not given up",
	       domain_state_name(dd->state));
	EXPECT_EQ(n, 1);
	EXPECT(!supervise_given_up(dd->id));
	EXPECT(domain_alive(dd));
	domain_destroy(l);
	domain_destroy(dd);
}

/* c connects an event channel to d, as a frontend does. */
static void connect(struct domain *c, struct domain *d)
{
	int64_t port = evtchn_alloc(d, domid_of(c->id));

	EXPECT(port > 0);
	EXPECT(evtchn_bind(c, domid_of(d->id), evport_of((uint32_t)port)) > 0);
}

/*
 * A report is void once its reporter's incarnation ends: client1 reports
 * diskdd, is restarted (same slot, new generation) and connects again; the
 * liar's report then must not find "every client" reporting, since the new
 * client1 has said nothing (it may well be served). The domains are built
 * but never run (stall_liar.scn); the test makes their calls itself, all
 * well within STALL_WINDOW_NS.
 */
HVTEST(stall_gen)
{
	struct domain *dd = hvtest_create("diskdd"), *c = hvtest_create("client1");
	struct domain *l = hvtest_create("liar");
	unsigned n = 0;

	dd->started_ns -= STALL_WINDOW_NS;      /* past a new generation's grace */
	connect(c, dd);
	connect(l, dd);
	EXPECT_EQ(peer_stalled(c, domid_of(dd->id)), 0);
	uint64_t gen = c->generation;
	EXPECT_EQ(supervise_restart_now(c), 0);
	while (supervise_poll() & SUPERVISE_BUSY)
		;
	EXPECT_EQ(c->generation, gen + 1);
	EXPECT(domain_alive(c));
	connect(c, dd);
	EXPECT_EQ(peer_stalled(l, domid_of(dd->id)), 0);
	EXPECT_EQ(stall_verdict(dd, &n), 0);    /* the old client1's report is void */
	EXPECT_EQ(peer_stalled(c, domid_of(dd->id)), 0);
	EXPECT_EQ(stall_verdict(dd, &n), 1);    /* both now: a verdict (not carried out) */
	EXPECT_EQ(n, 2);
	printk("hvtest: stall_gen: a restarted client's earlier report did not count; "
	       "its own did (%u of %u)\n", n, n);
	domain_destroy(l);
	domain_destroy(c);
	domain_destroy(dd);
}

/*
 * Only a driver can be reported: diskdd (a driver, connected to client1 by
 * the channel client1 uses) reports client1, made restartable for the test;
 * refused, or a hostile driver could have the clients that use it alone
 * restarted. Built, never run (stall_liar.scn).
 */
HVTEST(stall_role)
{
	struct domain *dd = hvtest_create("diskdd"), *c = hvtest_create("client1");
	unsigned n = 0;

	connect(c, dd);
	c->cfg.flags |= BOOTCFG_F_RESTART;
	EXPECT_EQ(peer_stalled(dd, domid_of(c->id)), -HV_EPERM);
	EXPECT_EQ(stall_verdict(c, &n), 0);
	EXPECT_EQ(peer_stalled(c, domid_of(dd->id)), 0);        /* the other way: taken */
	printk("hvtest: stall_role: a driver's report of its restartable client refused\n");
	domain_destroy(c);
	domain_destroy(dd);
}
