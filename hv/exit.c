/*
 * What the hypervisor does with each kind of guest exit. Anything a guest can
 * cause is answered here: a hypercall result, a block, or the domain killed with
 * a diagnostic line. Nothing a guest does reaches panic().
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/faultinject.h"
#include "hv/hypercall.h"
#include "hv/msix.h"
#include "hv/printk.h"
#include "hv/sched.h"


static void kill(struct vcpu *v, const struct vm_exit *e, const char *what)
{
	domain_crash(v->dom, "%s (exit 0x%lx %s) at rip 0x%lx", what, e->raw,
		     arch_exit_name(e->raw), e->rip);
}

void vcpu_handle_exit(struct vcpu *v, const struct vm_exit *e)
{
	struct domain *d = v->dom;

	_Static_assert(EXIT_BREAKPOINT < VCPU_EXIT_KINDS, "exit kinds fit the counters");
	if ((unsigned)e->kind < VCPU_EXIT_KINDS)
		v->exit_kinds[e->kind]++;
	switch (e->kind) {
	case EXIT_INTR:
	case EXIT_NONE:
		return;
	case EXIT_HYPERCALL:
		arch_vcpu_skip(v, e);
		v->hypercalls++;
		v->hc_by_nr[e->hc.nr < VCPU_HC_COUNTED ? e->hc.nr : VCPU_HC_COUNTED - 1]++;
		hypercall_dispatch(v, e->hc.nr, e->hc.arg);
		return;
	case EXIT_HLT:
		/* No virtual interrupts yet: HLT with nothing to wake it is a block
		 * for one tick (or until an event), so a halting guest does not
		 * spin the CPU (sleepers are woken by the clock on every pass). */
		arch_vcpu_skip(v, e);
		sched_block(v, arch_time_ns() + SCHED_TICK_NS);
		return;
	case EXIT_NPF: {
		char what[96];
		if (!e->npf.present &&
		    msix_describe_fault(d, e->npf.gpa, e->npf.write, e->npf.fetch, what, sizeof(what))) {
			domain_crash(d, "%s, rip 0x%lx)", what, e->rip);
			return;
		}
		if (e->npf.present && e->npf.write) {
			domain_crash(d, "write to a read-only mapping at gpa 0x%lx (rip 0x%lx)",
				     e->npf.gpa, e->rip);
			return;
		}
		domain_crash(d, "%s outside its memory at gpa 0x%lx (rip 0x%lx, memory 0x0-0x%lx)",
			     e->npf.fetch ? "instruction fetch" : e->npf.write ? "write" : "read",
			     e->npf.gpa, e->rip, d->mem_bytes);
		return;
	}
	case EXIT_IO:
		domain_crash(d, "port I/O denied: %s port 0x%x (rip 0x%lx)",
			     e->io.in ? "in from" : "out to", e->io.port, e->rip);
		return;
	case EXIT_MSR:
		domain_crash(d, "MSR access denied: %s MSR 0x%x (rip 0x%lx)",
			     e->msr.write ? "write to" : "read of", e->msr.msr, e->rip);
		return;
	case EXIT_SHUTDOWN:
		kill(v, e, "triple fault");
		return;
	case EXIT_INVALID:
		kill(v, e, "invalid guest state");
		return;
	case EXIT_OTHER:
		kill(v, e, "unexpected exit");
		return;
	case EXIT_BREAKPOINT:
		fi_breakpoint(v, e);    /* a planted fault's INT3, or the guest's own */
		return;
	}
	kill(v, e, "unknown exit kind");
}
