/*
 * Service supervision (hv/stall.c): a hostile client alone cannot have a
 * shared driver restarted. The liar (guest/apps/stallliar.c) reports diskdd
 * stalled as often as the hypervisor takes it while client1 is served; the
 * driver must stay in generation 1 and client1 go on verifying its disk
 * with no error and no reconnection (its progress lines, tests.conf).
 * (The other half, a driver that really serves nobody being restarted, is
 * test stall_disk: hvtest fi_disk with the serve_none site fault.)
 */
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/supervise.h"
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
