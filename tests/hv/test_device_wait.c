/* A domain blocked with no deadline but with a bound device interrupt is
 * waiting, not stuck: the scheduler idles until the interrupt comes. */
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "tests_util.h"

HVTEST(device_wait)
{
	struct domain *d = hvtest_create("netdd");
	enum sched_stop_why why = tu_run_until_dead(d, TU_SECONDS(60));

	if (why != SCHED_UNTIL_MET)
		printk("hvtest: run ended %s with %s %s\n", why == SCHED_STUCK ? "stuck" : "early",
		       d->cfg.name, domain_state_name(d->state));
	EXPECT_EQ(why, SCHED_UNTIL_MET);
	tu_expect_exit(d, 0);
	EXPECT(d->events_received >= 10);      /* two interrupts a round */
	domain_destroy(d);
}
