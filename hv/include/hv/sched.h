/*
 * Round-robin scheduler with preemption on the periodic timer tick. Blocked
 * vCPUs are off the run queue; when nothing is runnable the CPU halts until the
 * next interrupt.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <stdint.h>
#include "hv/domain.h"

#define SCHED_TICK_NS 10000000ull  /* 10 ms quantum */

void sched_init(void);
void sched_wake(struct vcpu *v);
void sched_block(struct vcpu *v, uint64_t deadline_ns);
void sched_stop(struct vcpu *v);
void sched_yield(struct vcpu *v);
/* Called from the timer interrupt. */
void sched_timer_tick(void);

enum sched_stop_why { SCHED_UNTIL_MET, SCHED_ALL_DONE, SCHED_TIMEOUT, SCHED_STUCK };
/*
 * Run guests until until(arg) is true, no domain is alive (ALL_DONE), the time
 * limit passes (TIMEOUT, 0 = none) or every live vCPU is blocked with nothing
 * that could wake it: no deadline and no bound device interrupt (STUCK).
 * 'until' may be NULL.
 */
enum sched_stop_why sched_run(int (*until)(void *arg), void *arg, uint64_t timeout_ns);
uint64_t sched_ticks(void);
/* Host time spent idle in sched_run (nothing runnable), for benchmarks. */
uint64_t sched_idle_ns(void);
/* The hang watchdog's clock for v: its run time plus the time it spent
 * blocked, each block counted only up to the deadline it asked for (a block
 * without one counts whole). Waiting for the CPU never counts. */
uint64_t sched_watch_ns(const struct vcpu *v);
/* hv/exit.c: act on one exit of v (hypercall, fault, halt...). */
struct vm_exit;
void vcpu_handle_exit(struct vcpu *v, const struct vm_exit *e);
/* Record of which domain wrote each completed console line, for tests. */
#define SCHED_CONLOG_LEN 1024
extern uint32_t sched_conlog[SCHED_CONLOG_LEN];
extern unsigned sched_conlog_len;

#endif
