/* A misbehaving domain is killed with a diagnostic; the others finish. */
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(triple_fault)
{
	struct domain *d[3];
	unsigned n;

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	tu_expect_crash(d[0], "triple fault");
	tu_expect_exit(d[1], 0);
	tu_expect_exit(d[2], 0);
}

HVTEST(write_outside)
{
	struct domain *d[3];
	unsigned n;

	hvtest_create_all(d, 3, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	tu_expect_crash(d[0], "write outside its memory at gpa 0x10000000");
	tu_expect_exit(d[1], 0);
	tu_expect_exit(d[2], 0);
}

/* Every other way out of the sandbox, one domain each, plus a bystander. */
HVTEST(misbehaving)
{
	static const char *const want[] = {
		"read outside its memory at gpa 0x3ff00000",
		"outside its memory at gpa 0x20000000",
		"port I/O denied: out to port 0xf4",
		"MSR access denied: write to MSR 0xc0000080",
		"unexpected exit (exit 0x80 VMRUN)",
		"guest reported a crash (code 270)",     /* its own #PF (0x100 + 14) */
	};
	struct domain *d[8];
	unsigned n;

	hvtest_create_all(d, 8, &n);
	EXPECT_EQ(n, 7);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	for (unsigned i = 0; i < 6; i++)
		tu_expect_crash(d[i], want[i]);
	tu_expect_exit(d[6], 0);
}

HVTEST(hostile_hypercalls)
{
	struct domain *d[2];
	unsigned n;

	hvtest_create_all(d, 2, &n);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_ALL_DONE);
	tu_expect_exit(d[0], 0);
	tu_expect_exit(d[1], 0);
	EXPECT(d[0]->vcpu.hypercalls >= 30);
}
