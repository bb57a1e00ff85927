/* CPU state per vCPU: no domain sees another's registers (guest/apps/cpuleak.c). */
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(cpu_state)
{
	struct domain *d[3];
	unsigned n;

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(n, 3);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	for (unsigned i = 0; i < n; i++) {
		tu_expect_exit(d[i], 0);
		/* 300 rounds, three in four a yield: each was switched out often. */
		EXPECT(d[i]->vcpu.exits > 225);
		printk("hvtest: %s: %lu exits\n", d[i]->cfg.name, d[i]->vcpu.exits);
	}
}
