/*
 * Round-robin scheduler. The run queue holds runnable vCPUs; the one on the
 * CPU is taken off it. The timer tick (10 ms) wakes vCPUs whose block deadline
 * passed and preempts the running one, so a guest that never exits is still
 * interrupted (INTR exit) and the others get their turn. Each vCPU is charged
 * the time it spends in guest mode (run_ns), the clock of its hang watchdog.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/ctl.h"
#include "hv/faultinject.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/prof.h"
#include "hv/sched.h"
#include "hv/supervise.h"


#define SCHED_ZERO_STEP 16     /* frames zeroed per idle pass: ~10 us under TCG */

static struct vcpu *rq_head, *rq_tail;
static struct vcpu *current;        /* in run_slice: runnable but off the queue */
static struct vcpu *blocked[HV_MAX_DOMAINS];
static volatile uint64_t ticks;
static volatile int tick_pending;
static uint64_t slice_start_tick;
static int yield_now;
static uint64_t idle_ns;        /* time with nothing to run (benchmarks) */

uint64_t sched_idle_ns(void)
{
	return idle_ns;
}

void sched_init(void)
{
	rq_head = rq_tail = 0;
}

uint64_t sched_ticks(void)
{
	return ticks;
}

void sched_timer_tick(void)
{
	if (!prof_timer_tick())         /* a profiler sample between two ticks */
		return;
	ticks++;
	tick_pending = 1;
}

static void rq_push(struct vcpu *v)
{
	BUG_ON(v->next || rq_tail == v);        /* queued already */
	v->next = 0;
	if (rq_tail)
		rq_tail->next = v;
	else
		rq_head = v;
	rq_tail = v;
}

static struct vcpu *rq_pop(void)
{
	struct vcpu *v = rq_head;

	if (v) {
		rq_head = v->next;
		if (!rq_head)
			rq_tail = 0;
		v->next = 0;
	}
	return v;
}

static void rq_remove(struct vcpu *v)
{
	struct vcpu **pp = &rq_head, *prev = 0;

	for (; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			if (rq_tail == v)
				rq_tail = prev;
			v->next = 0;
			return;
		}
	}
}

static void blocked_set(struct vcpu *v, int on)
{
	unsigned i = v->dom->id - 1;

	BUG_ON(i >= HV_MAX_DOMAINS);
	blocked[i] = on ? v : 0;
}

/* A block counts towards the hang watchdog only up to the deadline the domain
 * asked for: sleeping longer than that is the scheduler's doing (or the
 * host's), not the domain's. A block without a deadline counts whole. */
static uint64_t block_charge(const struct vcpu *v, uint64_t now)
{
	uint64_t end = v->deadline_ns && v->deadline_ns < now ? v->deadline_ns : now;

	return end > v->block_start_ns ? end - v->block_start_ns : 0;
}

uint64_t sched_watch_ns(const struct vcpu *v)
{
	uint64_t blocked = v->state == VCPU_BLOCKED ? block_charge(v, arch_time_ns()) : 0;

	return v->run_ns + v->wait_ns + blocked;
}

void sched_wake(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE)
		return;
	if (v->state == VCPU_BLOCKED) {
		blocked_set(v, 0);
		v->wait_ns += block_charge(v, arch_time_ns());
	}
	v->state = VCPU_RUNNABLE;
	v->dom->state = DOM_RUNNING;
	/* The vCPU on the CPU may block and be woken within one exit's handling
	 * (an event or device interrupt delivered after its block): run_slice
	 * queues it when its turn ends, and queueing it twice would cut the
	 * queue and lose the vCPUs behind it. */
	if (v != current)
		rq_push(v);
}

/* The caller is the running vCPU (not on the run queue). */
void sched_block(struct vcpu *v, uint64_t deadline_ns)
{
	v->state = VCPU_BLOCKED;
	v->deadline_ns = deadline_ns;
	v->block_start_ns = arch_time_ns();
	v->dom->state = DOM_BLOCKED;
	blocked_set(v, 1);
}

void sched_stop(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE)
		rq_remove(v);
	if (v->state == VCPU_BLOCKED)
		blocked_set(v, 0);
	v->state = VCPU_STOPPED;
}

void sched_yield(struct vcpu *v)
{
	/* run_slice ends the turn and puts v at the back of the queue. */
	(void)v;
	yield_now = 1;
}

static void wake_expired(uint64_t now)
{
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
		struct vcpu *v = blocked[i];
		if (v && v->deadline_ns && v->deadline_ns <= now)
			sched_wake(v);
	}
}

/* Can anything still wake a blocked vCPU without a runnable one's help: its
 * deadline, or an interrupt of a device its domain drives (an NVMe completion,
 * a received frame)? Such a domain is waiting, not stuck. */
static int any_wakeable(void)
{
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
		const struct vcpu *v = blocked[i];
		if (v && (v->deadline_ns || devirq_can_wake(v->dom)))
			return 1;
	}
	return 0;
}

/*
 * Charge v for one stay in guest mode (VMRUN to #VMEXIT, measured in host
 * TSC time). The tick interrupts a guest after at most one tick period of
 * execution, so a longer stay means the emulator's vCPU thread was off the
 * host CPU meanwhile while the TSC ran on: that time is not the domain's. Cut
 * at one tick, a stay overstates the domain's run time by less than a tick.
 */
static void charge(struct vcpu *v, uint64_t ns)
{
	v->run_ns += ns < SCHED_TICK_NS ? ns : SCHED_TICK_NS;
}

/* Run v until its slice ends, it blocks or it stops. */
static void run_slice(struct vcpu *v)
{
	struct vm_exit e;

	slice_start_tick = ticks;
	yield_now = 0;
	current = v;
	while (v->state == VCPU_RUNNABLE) {
		uint64_t mark = prof_enter();
		uint64_t entered = arch_time_ns();
		arch_vcpu_run(v, &e);
		charge(v, arch_time_ns() - entered);
		prof_exit(v, &e, mark);
		v->exits++;
		vcpu_handle_exit(v, &e);
		fi_after_exit(v);
		if (iommu_fault_signalled())
			iommu_poll_faults();
		devirq_deliver();
		if (tick_pending) {
			tick_pending = 0;
			wake_expired(arch_time_ns());
		}
		if (ticks != slice_start_tick || yield_now)
			break;
	}
	current = 0;
	if (v->state == VCPU_RUNNABLE)
		rq_push(v);
}

enum sched_stop_why sched_run(int (*until)(void *arg), void *arg, uint64_t timeout_ns)
{
	uint64_t end = timeout_ns ? arch_time_ns() + timeout_ns : 0;

	for (;;) {
		if (until && until(arg))
			return SCHED_UNTIL_MET;
		if (end && arch_time_ns() >= end)
			return SCHED_TIMEOUT;
		ctl_poll();      /* the control channel: between slices, never inside one */
		int watched = supervise_poll();
		/* No tick is taken while restart steps run back to back: wake
		 * sleepers by the clock so they get their turn in between. */
		wake_expired(arch_time_ns());
		struct vcpu *v = rq_pop();
		if (v) {
			run_slice(v);
			continue;
		}
		if (watched & SUPERVISE_BUSY)
			continue;
		if (!domain_count_alive() && !watched)
			return SCHED_ALL_DONE;
		if (!any_wakeable() && !watched)
			return SCHED_STUCK;
		/* Idle: zero frames ahead a few at a time (letting interrupts in
		 * between), then sleep once the pool is full. Only the sleep counts
		 * as idle time. */
		if (mm_zero_idle(SCHED_ZERO_STEP)) {
			arch_irq_window();
		} else {
			uint64_t idle_from = arch_time_ns();
			prof_idle(1);
			arch_idle();
			prof_idle(0);
			idle_ns += arch_time_ns() - idle_from;
		}
		if (iommu_fault_signalled())
			iommu_poll_faults();
		devirq_deliver();
		tick_pending = 0;
		wake_expired(arch_time_ns());
	}
}
