/*
 * Sampling profiler of guest code (hv/include/hv/prof.h). One fixed table
 * per domain slot in BSS, filled from the exit path; nothing is allocated
 * and nothing runs when prof= is absent.
 *
 * Which firings count for a guest: the timer's interrupt is taken on the
 * host side (after #VMEXIT, at STGI), so a firing while the hypervisor runs
 * with interrupts off would otherwise look like one in the guest's first
 * instruction after the next VMRUN. prof_enter lets such a pending
 * interrupt in before the entry (arch_irq_window), so a firing seen after a
 * stay happened during it, up to the few hypervisor instructions between
 * that window and VMRUN and between #VMEXIT and STGI. A firing that
 * interrupted the guest ends the stay with an INTR exit at the guest's RIP;
 * any other exit means it landed in the hypervisor's own exit handling.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/prof.h"
#include "hv/proftab.h"
#include "hv/sched.h"

#define PROF_SLOTS      1024            /* addresses per domain; 16 KiB each */
#define PROF_MIN_US     10
#define PROF_MAX_US     (SCHED_TICK_NS / 1000)

uint64_t prof_period_ns;
static unsigned per_sched_tick;         /* firings per scheduler tick */
static volatile uint64_t firings;       /* timer interrupts since boot */
static volatile unsigned since_sched;
static uint64_t guest_samples;         /* firings that interrupted a guest */
static volatile int idling;             /* the scheduler has halted the CPU */
static volatile uint64_t idle_firings;
static unsigned print_top;              /* prof_top=N: lines per domain, 0 = all */
static struct prof_entry entries[HV_MAX_DOMAINS][PROF_SLOTS];
static struct prof_table tables[HV_MAX_DOMAINS];

static uint64_t number_arg(const char *key, uint64_t dflt, uint64_t lo, uint64_t hi)
{
	char buf[16];
	uint64_t n = 0;

	if (!boot_arg(key, buf, sizeof(buf)))
		return dflt;
	for (const char *c = buf; *c; c++) {
		if (*c < '0' || *c > '9' || n > hi)
			hv_finish(HV_STATUS_REFUSED, "%s=%s: not a number", key, buf);
		n = n * 10 + (uint64_t)(*c - '0');
	}
	if (!buf[0] || n < lo || n > hi)
		hv_finish(HV_STATUS_REFUSED, "%s=%s: outside %lu..%lu", key, buf, lo, hi);
	return n;
}

uint64_t prof_init(void)
{
	uint64_t us = number_arg("prof", 0, PROF_MIN_US, PROF_MAX_US);

	if (!us)
		return SCHED_TICK_NS;
	/* The scheduler acts on every (tick / period)-th firing: a period that
	 * does not divide the tick would shorten the tick (prof=7000: every
	 * 7 ms) and so change the schedule being measured. */
	if (SCHED_TICK_NS % (us * 1000))
		hv_finish(HV_STATUS_REFUSED, "prof=%lu: must divide the scheduler's tick, %lu us", us,
			  (uint64_t)(SCHED_TICK_NS / 1000));
	print_top = (unsigned)number_arg("prof_top", 0, 1, PROF_SLOTS);
	prof_period_ns = us * 1000;
	per_sched_tick = (unsigned)(SCHED_TICK_NS / prof_period_ns);
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		proftab_init(&tables[i], entries[i], PROF_SLOTS);
	printk("hv: prof on: a sample every %lu us, the scheduler's tick every %u samples\n",
	       us, per_sched_tick);
	return prof_period_ns;
}

int prof_timer_tick(void)
{
	if (!prof_period_ns)
		return 1;
	firings++;
	idle_firings += idling;
	if (++since_sched < per_sched_tick)
		return 0;
	since_sched = 0;
	return 1;
}

void prof_idle(int on)
{
	/* A firing still pending from the hypervisor's work before the halt
	 * is taken first, so that it is not counted as idle. */
	if (on && prof_period_ns)
		arch_irq_window();
	idling = on;
}

uint64_t prof_enter(void)
{
	if (!prof_period_ns)
		return 0;
	arch_irq_window();      /* a firing pending from hypervisor time: taken now */
	return firings;
}

void prof_exit(struct vcpu *v, const struct vm_exit *e, uint64_t mark)
{
	if (!prof_period_ns || firings == mark)
		return;
	unsigned slot = v->dom->id - 1;

	/* One firing interrupts the guest at most; others were the hypervisor's. */
	if (e->kind == EXIT_INTR && slot < HV_MAX_DOMAINS) {
		proftab_add(&tables[slot], arch_vcpu_rip(v));
		guest_samples++;
	}
}

static void print_table(unsigned slot, const char *name, const char *image)
{
	struct prof_table *t = &tables[slot];
	unsigned n = proftab_sort(t);
	unsigned shown = print_top && print_top < n ? print_top : n;
	uint64_t rest = t->samples;

	printk("hv: prof %s image=%s samples=%lu period_us=%lu addresses=%u dropped=%lu\n",
	       name, image, t->samples, prof_period_ns / 1000, n, t->dropped);
	for (unsigned i = 0; i < shown; i++) {
		printk("hv: prof %s 0x%lx %lu\n", name, t->e[i].rip, t->e[i].count);
		rest -= t->e[i].count;
	}
	if (rest)
		printk("hv: prof %s rest %lu\n", name, rest);
	proftab_reset(t);
}

void prof_domain_end(struct domain *d)
{
	unsigned slot = d->id - 1;

	if (!prof_period_ns || slot >= HV_MAX_DOMAINS || !tables[slot].samples)
		return;
	print_table(slot, d->cfg.name, d->cfg.image);
}

void prof_dump_all(void)
{
	if (!prof_period_ns)
		return;
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (tables[id - 1].samples)
			print_table(id - 1, d ? d->cfg.name : "?", d ? d->cfg.image : "?");
	}
	/* The rest: firings in the hypervisor's own work (exits, the idle
	 * loop's frame zeroing, console output) and a few in the instructions
	 * between prof_enter's window and VMRUN. */
	uint64_t idle = idle_firings, hv = firings - guest_samples - idle;
	printk("hv: prof total firings=%lu guest=%lu hypervisor=%lu idle=%lu period_us=%lu\n",
	       (uint64_t)firings, guest_samples, hv, idle, prof_period_ns / 1000);
}

uint64_t prof_samples(const struct domain *d)
{
	unsigned slot = d->id - 1;

	return prof_period_ns && slot < HV_MAX_DOMAINS ? tables[slot].samples : 0;
}

uint64_t prof_samples_in(const struct domain *d, uint64_t lo, uint64_t hi)
{
	unsigned slot = d->id - 1;
	uint64_t n = 0;

	if (!prof_period_ns || slot >= HV_MAX_DOMAINS)
		return 0;
	for (unsigned i = 0; i < PROF_SLOTS; i++) {
		const struct prof_entry *p = &tables[slot].e[i];
		if (p->count && p->rip >= lo && p->rip < hi)
			n += p->count;
	}
	return n;
}
