/* Event channels, grants and rings between two domains. */
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(pingpong)
{
	struct domain *d[2];
	unsigned n;
	uint64_t before = mm_free_frames();

	hvtest_create_all(d, 2, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(240)), SCHED_ALL_DONE);
	tu_expect_exit(d[0], 0);
	tu_expect_exit(d[1], 0);
	printk("hvtest: ping sent %lu events, pong sent %lu; %lu exits, %lu hypercalls\n",
	       d[0]->events_sent, d[1]->events_sent, d[0]->vcpu.exits + d[1]->vcpu.exits,
	       d[0]->vcpu.hypercalls + d[1]->vcpu.hypercalls);
	/* hold-off: far fewer events than the 100,000 messages */
	EXPECT(d[0]->events_sent + d[1]->events_sent < 100000);
	domain_destroy(d[0]);
	domain_destroy(d[1]);
	EXPECT_EQ(mm_free_frames(), before);
	EXPECT_EQ(grant_orphan_frames(), 0);
}

static int ping_dead(void *arg)
{
	return !domain_alive(arg);
}

HVTEST(peer_death)
{
	struct domain *d[2];
	unsigned n;
	uint64_t before = mm_free_frames();

	hvtest_create_all(d, 2, &n);
	struct domain *ping = d[0], *pong = d[1];
	EXPECT_EQ(sched_run(ping_dead, ping, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_crash(ping, "guest reported a crash (code 42)");
	/* Destroy the dead granter while the survivor may still map its ring page. */
	domain_destroy(ping);
	uint64_t orphans = grant_orphan_frames();
	printk("hvtest: after destroying ping: %lu orphan frame(s), pong %s\n", orphans,
	       domain_state_name(pong->state));
	EXPECT_EQ(orphans, 1);           /* the ring page, kept for the survivor */
	EXPECT_EQ(tu_run_until_dead(pong, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(pong, 0);        /* it saw Closed, unmapped and closed its port */
	EXPECT_EQ(grant_orphan_frames(), 0);
	domain_destroy(pong);
	EXPECT_EQ(mm_free_frames(), before);
}

HVTEST(grant_abuse)
{
	struct domain *d[3];
	unsigned n;
	uint64_t before = mm_free_frames();

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(60)), SCHED_ALL_DONE);
	tu_expect_exit(d[0], 0);        /* its grant stayed busy while mapped */
	tu_expect_crash(d[1], "write to a read-only mapping at gpa 0x20000000");
	tu_expect_exit(d[2], 0);
	for (unsigned i = 0; i < n; i++)
		domain_destroy(d[i]);
	EXPECT_EQ(grant_orphan_frames(), 0);
	EXPECT_EQ(mm_free_frames(), before);
}

HVTEST(event_irq)
{
	struct domain *d[2];
	unsigned n;

	hvtest_create_all(d, 2, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(60)), SCHED_ALL_DONE);
	tu_expect_exit(d[0], 0);
	tu_expect_exit(d[1], 0);
	EXPECT(d[0]->events_received >= 6);
}

static int both_blocked(void *arg)
{
	struct domain **g = arg;

	return g[0]->state == DOM_BLOCKED && g[1]->state == DOM_BLOCKED;
}

/* Two greedy domains take every registry entry, event port, grant reference
 * and grant mapping they can; a ring pair must still connect and finish. */
HVTEST(greedy_tables)
{
	uint64_t before = mm_free_frames();
	struct domain *g[2] = { hvtest_create("greedy1"), hvtest_create("greedy2") };

	EXPECT_EQ(sched_run(both_blocked, g, TU_SECONDS(60)), SCHED_UNTIL_MET);
	EXPECT(g[0]->grants[GRANT_MAX - 1].in_use);             /* took every grant */
	EXPECT(g[1]->maps[GRANT_MAPS_MAX - 1].in_use);          /* ... every mapping */
	EXPECT_EQ(g[0]->ports[EVTCHN_PORTS - 1].status, EVTCHN_UNBOUND);
	struct domain *ping = hvtest_create("ping"), *pong = hvtest_create("pong");
	EXPECT_EQ(tu_run_until_dead(ping, TU_SECONDS(120)), SCHED_UNTIL_MET);
	EXPECT_EQ(tu_run_until_dead(pong, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(ping, 0);
	tu_expect_exit(pong, 0);
	EXPECT(domain_alive(g[0]) && domain_alive(g[1]));       /* still holding */
	domain_destroy(ping);
	domain_destroy(pong);
	domain_destroy(g[1]);
	domain_destroy(g[0]);
	EXPECT_EQ(mm_free_frames(), before);
	EXPECT_EQ(grant_orphan_frames(), 0);
}
