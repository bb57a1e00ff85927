/*
 * `make bench-disk` (tools/bench_disk.py): run a disk benchmark scenario
 * until its workers have finished, then print every domain's counters
 * (exits, hypercalls, events) for the per-I/O figures. Workers are the
 * domains that are not drivers, or every domain when all are drivers (the
 * one-domain baseline, diskself, owns the NVMe itself).
 */
#include "hv/domain.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

struct bench_run {
	struct domain *d[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	int only_drivers;
};

static int is_worker(const struct bench_run *b, const struct domain *d)
{
	return b->only_drivers || d->cfg.role != BOOTCFG_ROLE_DRIVER;
}

static int workers_done(void *arg)
{
	const struct bench_run *b = arg;

	for (unsigned i = 0; i < b->n; i++)
		if (is_worker(b, b->d[i]) && domain_alive(b->d[i]))
			return 0;
	return 1;
}

/* Where the exits went: by kind, and the hypercalls by number (only the
 * non-zero ones), for tools/bench_disk.py --detail. */
static void print_breakdown(const struct domain *d)
{
	printk("hvtest: exit kinds %s:", d->cfg.name);
	for (unsigned k = 0; k < VCPU_EXIT_KINDS; k++)
		if (d->vcpu.exit_kinds[k])
			printk(" %u=%lu", k, d->vcpu.exit_kinds[k]);
	printk(" hypercalls:");
	for (unsigned n = 0; n < VCPU_HC_COUNTED; n++)
		if (d->vcpu.hc_by_nr[n])
			printk(" %u=%lu", n, d->vcpu.hc_by_nr[n]);
	printk("\n");
}

HVTEST(disk_bench)
{
	static struct bench_run b;

	hvtest_create_all(b.d, BOOTCFG_MAX_DOMAINS, &b.n);
	b.only_drivers = 1;
	for (unsigned i = 0; i < b.n; i++)
		b.only_drivers &= b.d[i]->cfg.role == BOOTCFG_ROLE_DRIVER;
	enum sched_stop_why why = sched_run(workers_done, &b, TU_SECONDS(280));
	EXPECT(why == SCHED_UNTIL_MET || why == SCHED_ALL_DONE);
	for (unsigned i = 0; i < b.n; i++) {
		struct domain *d = b.d[i];
		printk("hvtest: counters %s: exits %lu hypercalls %lu events_sent %lu "
		       "events_received %lu run_us %lu\n", d->cfg.name, d->vcpu.exits,
		       d->vcpu.hypercalls, d->events_sent, d->events_received,
		       d->vcpu.run_ns / 1000);
		print_breakdown(d);
	}
	for (unsigned i = 0; i < b.n; i++)
		if (is_worker(&b, b.d[i]))
			tu_expect_exit(b.d[i], 0);
}
