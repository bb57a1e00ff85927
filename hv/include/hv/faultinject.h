/*
 * Code faults injected into the running generation of a domain (docs/design.md
 * "Fault injection"). The plan comes from the "faultplan" module (lib/
 * faultplan.h), checked against the scenario at boot. For each fault, once
 * its generation has made 'after' VM exits, the hypervisor checks the bytes at
 * addr, writes an INT3 over the first one and traps INT3 for that vCPU; when
 * the guest reaches it, the whole mutation is written and the guest resumes at
 * addr. A generation still alive a quiet period of its own run time later is
 * restarted on purpose, so the next fault gets a fresh one.
 */
#ifndef HV_FAULTINJECT_H
#define HV_FAULTINJECT_H

#include <stdint.h>
#include "faultplan.h"

struct vcpu;
struct vm_exit;

#define FI_QUIET_MS_DEFAULT     2000u
#define FI_QUIET_MS_MAX         3600000u

/* How a fault's story ended (FI_OPEN: not yet). */
enum fi_end {
	FI_OPEN,
	FI_NOT_APPLIED,         /* bytes differed, or its generation never reached 'after' */
	FI_NOT_ACTIVATED,       /* applied; the generation ended before reaching addr */
	FI_GEN_ENDED,           /* activated; the generation ended (crashed, exited) */
	FI_QUIET,               /* activated or not, restarted after the quiet period */
};

struct fi_record {
	uint32_t id;
	uint8_t applied, activated;
	enum fi_end end;
	uint64_t applied_exits;                 /* the generation's exits at application */
	uint64_t applied_ns, activated_ns, ended_ns;    /* hypervisor time, 0 = never */
};

/* Boot (hv/fiplan.c): read, validate and keep the "faultplan" module, and
 * fi_quiet_ms= from the command line; refuses to boot on a bad plan. */
void fiplan_load(void);
/* Start injecting 'plan' (kept by the caller) with this quiet period. */
void fi_start(const struct faultplan *plan, uint64_t quiet_ns);

/* Scheduler hooks: after each VM exit of v (hv/sched.c), once per scheduler
 * pass (hv/supervise.c), and for an EXIT_BREAKPOINT (hv/exit.c). */
void fi_after_exit(struct vcpu *v);
void fi_poll(void);
void fi_breakpoint(struct vcpu *v, const struct vm_exit *e);

/* For tests: the plan's faults in order, and whether all have ended. */
unsigned fi_count(void);
const struct fi_record *fi_record(unsigned i);
int fi_plan_done(void);

#endif
