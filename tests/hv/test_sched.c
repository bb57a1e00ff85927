/* Scheduling: preemptive interleaving, and a spinner cannot starve others. */
#include "kstring.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(three_domains)
{
	struct domain *d[3];
	unsigned n, switches = 0;

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	for (unsigned i = 0; i < n; i++) {
		tu_expect_exit(d[i], 0);
		EXPECT_EQ(d[i]->con_lines, 8);
	}
	/* Run one after another the log would switch domains twice; preemption
	 * while each busy-works between lines makes them take turns. */
	for (unsigned i = 1; i < sched_conlog_len; i++)
		switches += sched_conlog[i] != sched_conlog[i - 1];
	printk("hvtest: %u console lines, %u switches between domains\n", sched_conlog_len,
	       switches);
	EXPECT(switches >= 6);
}

static int both_finished(void *arg)
{
	struct domain **d = arg;
	return !domain_alive(d[1]) && !domain_alive(d[2]);
}

HVTEST(spin_no_starve)
{
	struct domain *d[3];
	unsigned n;

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(n, 3);
	EXPECT(!strcmp(d[0]->cfg.image, "spinner"));
	EXPECT_EQ(sched_run(both_finished, d, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(d[1], 0);
	tu_expect_exit(d[2], 0);
	EXPECT(domain_alive(d[0]));
	EXPECT(d[0]->vcpu.exits > 10);     /* it was preempted by the tick, repeatedly */
	domain_destroy(d[0]);
	EXPECT(domain_by_id(1) == 0);
	EXPECT_EQ(domain_count_alive(), 0);
}
