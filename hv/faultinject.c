/*
 * Fault injection at run time (hv/include/hv/faultinject.h). Each fault
 * belongs to one generation of one domain; a domain's faults are taken in plan
 * order (their generations increase), one at a time: the fault in progress
 * ends before the next one's generation can start. Everything happens between
 * exits, never while the guest runs: the INT3 and the mutation are written
 * through the hypervisor's own mapping of the guest's frames.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/faultinject.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "hv/supervise.h"

enum fi_stage { ST_WAIT, ST_APPLIED, ST_ACTIVATED, ST_ENDED };

static const struct faultplan *plan;
static uint64_t quiet_ns;
static struct fi_record rec[FAULTPLAN_MAX_FAULTS];
static uint8_t stage[FAULTPLAN_MAX_FAULTS];
static uint64_t quiet_from[FAULTPLAN_MAX_FAULTS];   /* sched_watch_ns() at activation/application */
static int8_t prev_same[FAULTPLAN_MAX_FAULTS];      /* the domain's previous fault, or -1 */
static uint8_t slot_of[FAULTPLAN_MAX_FAULTS];       /* domain id once seen, 0 before */
/* Per domain slot: 1 + the fault waiting for its exit count, or armed; 0 = none. */
static uint8_t waiting[HV_MAX_DOMAINS], armed[HV_MAX_DOMAINS];
static int done_printed;

/* Hypervisor time as "ms.uuu" for the console lines. */
#define MS(ns) (ns) / 1000000, (ns) / 1000 % 1000

void fi_start(const struct faultplan *p, uint64_t q)
{
	plan = p;
	quiet_ns = q;
	for (unsigned i = 0; i < p->n; i++) {
		rec[i].id = p->f[i].id;
		prev_same[i] = -1;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(p->f[j].domain, p->f[i].domain))
				prev_same[i] = (int8_t)j;
	}
}

unsigned fi_count(void)
{
	return plan ? plan->n : 0;
}

const struct fi_record *fi_record(unsigned i)
{
	return i < fi_count() ? &rec[i] : 0;
}

int fi_plan_done(void)
{
	for (unsigned i = 0; i < fi_count(); i++)
		if (stage[i] != ST_ENDED)
			return 0;
	return 1;
}

static void end(unsigned i, enum fi_end how)
{
	rec[i].end = how;
	rec[i].ended_ns = arch_time_ns();
	stage[i] = ST_ENDED;
	if (slot_of[i]) {
		unsigned s = slot_of[i] - 1;
		if (armed[s] == i + 1)
			armed[s] = 0;
		if (waiting[s] == i + 1)
			waiting[s] = 0;
	}
}

static void hex(char *out, const uint8_t *b, unsigned n)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned k = 0; k < n; k++) {
		out[2 * k] = digits[b[k] >> 4];
		out[2 * k + 1] = digits[b[k] & 15];
	}
	out[2 * n] = 0;
}

/* The generation has made 'after' exits: check the bytes, plant the INT3. */
static void apply(struct domain *d, unsigned i)
{
	const struct faultplan_fault *f = &plan->f[i];
	uint8_t now[FAULTPLAN_MAX_BYTES], int3 = 0xcc;
	char have[2 * FAULTPLAN_MAX_BYTES + 1], want[2 * FAULTPLAN_MAX_BYTES + 1];

	waiting[d->id - 1] = 0;
	if (guest_copy_from(d, now, gpa_of(f->addr), f->len)) {
		printk("fi: fault %u not applied: 0x%lx (%u bytes) is outside %s's memory\n",
		       f->id, f->addr, f->len, d->cfg.name);
		end(i, FI_NOT_APPLIED);
		return;
	}
	if (memcmp(now, f->orig, f->len)) {
		hex(have, now, f->len);
		hex(want, f->orig, f->len);
		printk("fi: fault %u not applied: bytes at 0x%lx are %s, expected %s\n", f->id,
		       f->addr, have, want);
		end(i, FI_NOT_APPLIED);
		return;
	}
	guest_write_raw(d, f->addr, &int3, 1);      /* readable above: cannot fail */
	arch_vcpu_trap_breakpoints(&d->vcpu, 1);
	armed[d->id - 1] = (uint8_t)(i + 1);
	stage[i] = ST_APPLIED;
	rec[i].applied = 1;
	rec[i].applied_ns = arch_time_ns();
	rec[i].applied_exits = d->vcpu.exits;
	quiet_from[i] = sched_watch_ns(&d->vcpu);
	printk("fi: fault %u applied to %s generation %lu at 0x%lx after %lu exits (t=%lu.%03lu ms)\n",
	       f->id, d->cfg.name, d->generation, f->addr, d->vcpu.exits, MS(rec[i].applied_ns));
}

void fi_after_exit(struct vcpu *v)
{
	unsigned s = v->dom->id - 1, i = waiting[s];

	if (!i--)
		return;
	if (domain_alive(v->dom) && v->dom->generation == plan->f[i].gen &&
	    v->exits >= plan->f[i].after)
		apply(v->dom, i);
}

void fi_breakpoint(struct vcpu *v, const struct vm_exit *e)
{
	struct domain *d = v->dom;
	unsigned i = armed[d->id - 1];

	if (!i-- || stage[i] != ST_APPLIED || d->generation != plan->f[i].gen ||
	    e->rip != plan->f[i].addr) {
		arch_vcpu_reflect_breakpoint(v, e);     /* the guest's own INT3 */
		return;
	}
	const struct faultplan_fault *f = &plan->f[i];
	guest_write_raw(d, f->addr, f->repl, f->len);   /* RIP stays at addr */
	arch_vcpu_trap_breakpoints(v, 0);
	armed[d->id - 1] = 0;
	stage[i] = ST_ACTIVATED;
	rec[i].activated = 1;
	rec[i].activated_ns = arch_time_ns();
	quiet_from[i] = sched_watch_ns(&d->vcpu);
	printk("fi: fault %u activated at 0x%lx (t=%lu.%03lu ms)\n", f->id, f->addr,
	       MS(rec[i].activated_ns));
}

static struct domain *find(unsigned i)
{
	if (slot_of[i])
		return domain_by_id(slot_of[i]);    /* NULL while a restart rebuilds it */
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (d && !strcmp(d->cfg.name, plan->f[i].domain)) {
			slot_of[i] = (uint8_t)id;
			return d;
		}
	}
	return 0;
}

/* Not yet applied: arm the exit count in its generation, or give up on it. */
static void poll_waiting(unsigned i, struct domain *d)
{
	const struct faultplan_fault *f = &plan->f[i];
	int alive = domain_alive(d);

	if (d->state == DOM_BUILDING)
		return;
	if (d->generation == f->gen && alive) {
		waiting[d->id - 1] = (uint8_t)(i + 1);
		if (d->vcpu.exits >= f->after)
			apply(d, i);
		return;
	}
	if (d->generation >= f->gen) {
		printk("fi: fault %u not applied: generation %u of %s ended before %lu exits\n",
		       f->id, f->gen, f->domain, f->after);
		end(i, FI_NOT_APPLIED);
		return;
	}
	if (!alive && !d->restart_pending && !supervise_restarting(d->id)) {
		printk("fi: fault %u not applied: %s stopped for good at generation %lu\n", f->id,
		       f->domain, d->generation);
		end(i, FI_NOT_APPLIED);
	}
}

/* The quiet period of a fault in a domain that is never restarted (a
 * client: its faults run alone, one per boot): there is no next generation
 * to make room for, so it is left running, and its fault ends here. */
static void quiet_unrestartable(unsigned i, struct domain *d)
{
	const struct faultplan_fault *f = &plan->f[i];

	printk("fi: fault %u quiet: no failure within %lu ms of its own time; %s is never "
	       "restarted: left running\n", f->id, quiet_ns / 1000000, d->cfg.name);
	if (stage[i] == ST_APPLIED)
		printk("fi: fault %u not activated: generation %u ended its quiet period "
		       "(t=%lu.%03lu ms)\n", f->id, f->gen, MS(arch_time_ns()));
	end(i, FI_QUIET);
}

/* Applied or activated: the generation ended, or its quiet period passed. */
static void poll_running(unsigned i, struct domain *d)
{
	const struct faultplan_fault *f = &plan->f[i];
	uint64_t now = arch_time_ns();

	if (!d || d->generation != f->gen || !domain_alive(d)) {
		if (stage[i] == ST_APPLIED)
			printk("fi: fault %u not activated: generation %u ended (t=%lu.%03lu ms)\n",
			       f->id, f->gen, MS(now));
		end(i, stage[i] == ST_APPLIED ? FI_NOT_ACTIVATED : FI_GEN_ENDED);
		return;
	}
	if (sched_watch_ns(&d->vcpu) - quiet_from[i] < quiet_ns)
		return;
	if (!(d->cfg.flags & BOOTCFG_F_RESTART)) {
		quiet_unrestartable(i, d);
		return;
	}
	printk("fi: fault %u quiet: no failure within %lu ms of its own time; restarting for the "
	       "next fault\n", f->id, quiet_ns / 1000000);
	if (stage[i] == ST_APPLIED)
		printk("fi: fault %u not activated: generation %u ended (t=%lu.%03lu ms)\n",
		       f->id, f->gen, MS(now));
	end(i, FI_QUIET);
	domain_crash(d, "fi: next fault");
}

void fi_poll(void)
{
	for (unsigned i = 0; i < fi_count(); i++) {
		if (stage[i] == ST_ENDED || (prev_same[i] >= 0 && stage[prev_same[i]] != ST_ENDED))
			continue;
		struct domain *d = find(i);
		if (stage[i] == ST_WAIT) {
			if (d) {
				poll_waiting(i, d);
			} else if (slot_of[i] && supervise_given_up(slot_of[i])) {
				/* Its restart failed and freed the slot: no generation
				 * will come, so the plan must not wait for one. */
				printk("fi: fault %u not applied: %s stopped for good\n",
				       plan->f[i].id, plan->f[i].domain);
				end(i, FI_NOT_APPLIED);
			}
		} else {
			poll_running(i, d);
		}
	}
	if (fi_count() && !done_printed && fi_plan_done()) {
		done_printed = 1;
		printk("fi: plan done\n");
	}
}
