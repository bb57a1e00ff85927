/*
 * Domain supervision: hang watchdog and restart of failed driver domains
 * (see hv/include/hv/supervise.h). Restarts happen here, from the scheduler
 * loop, never inside the exit handler or interrupt that noticed the failure:
 * no vCPU is on the CPU then, so the slot can be torn down and rebuilt.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "public/hv_errno.h"

static struct restart_record records[HV_MAX_DOMAINS];
static uint64_t restarts[HV_MAX_DOMAINS];
static uint8_t record_open[HV_MAX_DOMAINS];     /* phases still being filled in */

static unsigned slot(const struct domain *d)
{
	BUG_ON(d->id == 0 || d->id > HV_MAX_DOMAINS);
	return d->id - 1;
}

void supervise_stopped(struct domain *d)
{
	if (d->state != DOM_CRASHED || !(d->cfg.flags & BOOTCFG_F_RESTART))
		return;
	struct restart_record *r = &records[slot(d)];
	memset(r, 0, sizeof(*r));
	r->detected = arch_time_ns();
	memcpy(r->cause, d->reason, sizeof(r->cause) - 1);
	record_open[slot(d)] = 0;
	d->restart_pending = 1;
}

int64_t watchdog_kick(struct domain *d, uint64_t period_ns)
{
	if (period_ns && (period_ns < WATCHDOG_MIN_NS || period_ns > WATCHDOG_MAX_NS))
		return -HV_EINVAL;
	d->wd_period_ns = period_ns;
	d->wd_kick_run_ns = d->vcpu.run_ns;
	return 0;
}

static void print_record(const struct domain *d, const struct restart_record *r)
{
	uint64_t t0 = r->detected;

	printk("hv: restart %s #%lu (generation %lu): failure detected at %lu.%03lu ms +0 us, "
	       "device reset +%lu us, domain started +%lu us, backend connected +%lu us, "
	       "first packet forwarded +%lu us; cause: %s\n", d->cfg.name, restarts[slot(d)],
	       r->generation, t0 / 1000000, t0 / 1000 % 1000, (r->reset - t0) / 1000,
	       (r->started - t0) / 1000, (r->connected - t0) / 1000, (r->forwarded - t0) / 1000,
	       r->cause);
}

void supervise_connected(struct domain *d)
{
	struct restart_record *r = &records[slot(d)];

	if (record_open[slot(d)] && r->generation == d->generation && !r->connected)
		r->connected = arch_time_ns();
}

void supervise_notified(struct domain *d)
{
	struct restart_record *r = &records[slot(d)];

	if (!record_open[slot(d)] || r->generation != d->generation || !r->connected)
		return;
	r->forwarded = arch_time_ns();
	record_open[slot(d)] = 0;
	print_record(d, r);
}

static void restart(struct domain *d)
{
	uint32_t id = d->id;
	struct bootcfg_domain cfg = d->cfg;
	const struct mb2_module *image = d->image;
	struct restart_record *r = &records[id - 1];
	struct domain *nd;

	domain_destroy(d);              /* DMA stopped, device reset, grants, memory */
	r->reset = arch_time_ns();
	int rc = domain_create_at(id, &cfg, image, &nd);
	if (rc) {
		printk("hv: restart of %s failed (error %d): domain stays down\n", cfg.name, rc);
		return;
	}
	r->started = arch_time_ns();
	r->generation = nd->generation;
	restarts[id - 1]++;
	record_open[id - 1] = 1;
	printk("hv: restart %s #%lu: generation %lu running %lu us after the failure\n",
	       cfg.name, restarts[id - 1], nd->generation, (r->started - r->detected) / 1000);
}

/*
 * The watchdog runs on the domain's own run time (see sched.c): time it
 * waited for the CPU or spent blocked does not count, and what the host takes
 * from the emulator during one of its stays in guest mode is cut at a tick,
 * so a healthy domain on a busy machine is not mistaken for a hung one. A
 * domain that runs without kicking is killed within its period of run time
 * plus one slice (supervise_poll runs between slices).
 */
static int watchdog_missed(const struct domain *d)
{
	return domain_alive(d) && d->wd_period_ns &&
	       d->vcpu.run_ns - d->wd_kick_run_ns > d->wd_period_ns;
}

void supervise_poll(void)
{
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (!d)
			continue;
		if (watchdog_missed(d))
			domain_crash(d, "watchdog: no kick for %lu ms of its run time (%lu ms run)",
				     d->wd_period_ns / 1000000,
				     (d->vcpu.run_ns - d->wd_kick_run_ns) / 1000000);
		if (d->restart_pending)
			restart(d);
	}
}

uint64_t supervise_restarts(uint32_t id)
{
	return id >= 1 && id <= HV_MAX_DOMAINS ? restarts[id - 1] : 0;
}

const struct restart_record *supervise_last(uint32_t id)
{
	return supervise_restarts(id) ? &records[id - 1] : 0;
}
