/*
 * Containment under a driver that attacks in every incarnation: the
 * hypervisor survives, each attack is attributed by what the hypervisor saw
 * (never by the driver's word) and punished with a restart, the bystander's
 * progress never stalls for long, and a third domain's CPU registers are
 * never touched.
 */
#include "hv/arch.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/strayirq.h"
#include "hv/supervise.h"
#include "tests_util.h"

/* The cause the supervisor must record for generation g's attack
 * (driver-domains/hostiledd.c cycles msix, dma, hang, idt, wild). */
static const char *const causes[] = {
	"write to the MSI-X table of 02:00.0", "DMA fault: device 02:00.0",
	"watchdog: no kick", "triple fault", "outside its memory",
};

struct hostile_watch {
	struct domain *hostile, *ticker;
	uint64_t restarts_seen, wrong_causes;
	uint64_t last_calls, last_change, max_gap;
};

static int hostile_done(void *arg)
{
	struct hostile_watch *w = arg;
	uint64_t now = arch_time_ns(), n = supervise_restarts(w->hostile->id);

	if (w->ticker->vcpu.hypercalls != w->last_calls) {
		if (w->last_change && now - w->last_change > w->max_gap)
			w->max_gap = now - w->last_change;
		w->last_calls = w->ticker->vcpu.hypercalls;
		w->last_change = now;
	}
	for (; w->restarts_seen < n; w->restarts_seen++) {
		const struct restart_record *r = supervise_last(w->hostile->id);
		const char *want = causes[w->restarts_seen % 5];
		/* one restart per scheduler pass at most: the last record is this one */
		if (!r || !tu_contains(r->cause, want)) {
			printk("hvtest: restart %lu: cause '%s', want '%s'\n", w->restarts_seen + 1,
			       r ? r->cause : "(none)", want);
			w->wrong_causes++;
		}
	}
	return w->hostile->state == DOM_DEAD;
}

HVTEST(hostile_loop)
{
	struct domain *h = hvtest_create("hostile"), *t = hvtest_create("ticker");
	struct domain *cpu = hvtest_create("cpucheck");
	struct hostile_watch w = { h, t, 0, 0, 0, 0, 0 };
	struct strayirq_counts before, after;

	strayirq_read(&before);
	EXPECT_EQ(sched_run(hostile_done, &w, TU_SECONDS(240)), SCHED_UNTIL_MET);
	strayirq_read(&after);
	tu_expect_exit(h, 0);                           /* generation 11 finished */
	EXPECT_EQ(supervise_restarts(h->id), 10);       /* every attack punished */
	EXPECT_EQ(w.wrong_causes, 0);
	EXPECT(after.n[STRAY_EXC_RANGE] - before.n[STRAY_EXC_RANGE] >= 11 * 31);
	EXPECT(domain_alive(t));
	printk("hvtest: ticker longest pause %lu ms over %lu restarts\n", w.max_gap / 1000000,
	       w.restarts_seen);
	EXPECT(w.max_gap < 100000000ull);               /* ten scheduler ticks */
	EXPECT_EQ(tu_run_until_dead(cpu, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(cpu, 0);                         /* its registers were its own */
	strayirq_print();
	domain_destroy(cpu);
	domain_destroy(t);
	domain_destroy(h);
}
