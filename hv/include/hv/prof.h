/*
 * Sampling profiler of guest code (boot option prof=PERIOD_US, off by
 * default). While it is on, the scheduler's periodic timer fires every
 * PERIOD_US instead of every tick (the scheduler still acts only once per
 * SCHED_TICK_NS); each firing that interrupts a guest records (domain, guest
 * RIP), one that lands in the hypervisor counts as a hypervisor sample.
 * Under -icount shift=0 time is instructions, so a domain's samples are
 * proportional to the instructions it executes. docs/bench.md explains it.
 */
#ifndef HV_PROF_H
#define HV_PROF_H

#include <stdint.h>

struct domain;
struct vcpu;
struct vm_exit;

extern uint64_t prof_period_ns;         /* 0 = off */

/* Read prof= from the command line; the timer period to program (the
 * profiler's period when on, SCHED_TICK_NS when off). Refuses bad values. */
uint64_t prof_init(void);
/* The timer fired (interrupt context): 1 when the scheduler's tick is due. */
int prof_timer_tick(void);
/* The scheduler halts the CPU (1) or is back (0): firings meanwhile are idle. */
void prof_idle(int on);
/* Around one stay in guest mode: the mark before entry, the exit after. */
uint64_t prof_enter(void);
void prof_exit(struct vcpu *v, const struct vm_exit *e, uint64_t mark);
/* Print a domain's profile and empty it (its incarnation ends). */
void prof_domain_end(struct domain *d);
/* Print every profile not printed yet, and the hypervisor's share (end of
 * an hvtest or a scenario). */
void prof_dump_all(void);
/* The samples of domain d's current incarnation, all of them or those
 * whose address lies in [lo, hi) (tests). */
uint64_t prof_samples(const struct domain *d);
uint64_t prof_samples_in(const struct domain *d, uint64_t lo, uint64_t hi);

static inline int prof_on(void)
{
	return prof_period_ns != 0;
}

#endif
