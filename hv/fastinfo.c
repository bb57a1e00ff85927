/*
 * The fast page: the second half of each domain's shared page. The clock
 * scale is written once at build (the counter's rate never changes after
 * calibration), so a guest reads time as RDTSC and a multiply, with no exit
 * and no version loop. The watchdog feed is a counter the guest bumps; the
 * hypervisor compares it with what it saw last, so a guest can only keep
 * itself alive, exactly as with HC_WATCHDOG_KICK, and a guest that stops
 * running its loop (a hang, with interrupts on or off) stops bumping it.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/fastinfo.h"
#include "hv/sched.h"
#include "hv/tscscale.h"
#include "public/fastpage.h"

static struct hv_fast_info *fast(struct domain *d)
{
	return (struct hv_fast_info *)((uint8_t *)d->shared + HV_FAST_INFO_OFFSET);
}

void fastinfo_init(struct domain *d)
{
	struct hv_fast_info f;
	uint64_t origin, hz;

	memset(&f, 0, sizeof(f));
	if (!arch_time_counter(&origin, &hz) && !tsc_scale_init(hz, &f.tsc_mul, &f.tsc_shift)) {
		f.tsc_base = origin;
		f.version = HV_FAST_VERSION;
	}
	memcpy(fast(d), &f, sizeof(f));    /* the whole struct, even on a reused frame */
	d->wd_kicks_seen = 0;
}

void fastinfo_watchdog_poll(struct domain *d)
{
	if (!domain_alive(d) || !d->shared || !d->wd_period_ns)
		return;
	/* The guest may write anything here at any time: one read, compared only. */
	uint64_t k = __atomic_load_n(&fast(d)->wd_kicks, __ATOMIC_RELAXED);
	if (k == d->wd_kicks_seen)
		return;
	d->wd_kicks_seen = k;
	d->wd_kick_run_ns = sched_watch_ns(&d->vcpu);
}
