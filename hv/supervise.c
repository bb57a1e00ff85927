/*
 * Domain supervision: hang watchdog and restart of failed driver domains
 * (see hv/include/hv/supervise.h). Restarts happen here, from the scheduler
 * loop, never inside the exit handler or interrupt that noticed the failure:
 * no vCPU is on the CPU then, so the slot can be torn down and rebuilt.
 */
#include "fmt.h"
#include "errname.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/fastinfo.h"
#include "hv/faultinject.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "hv/supervise.h"
#include "public/hv_errno.h"

static struct restart_record records[HV_MAX_DOMAINS];
static uint64_t restarts[HV_MAX_DOMAINS];
static uint8_t record_open[HV_MAX_DOMAINS];     /* phases still being filled in */

/* Restart policy per slot: when the recent failures were (a ring as long as
 * the largest restart_max), when the pending restart may run, given up. */
static uint64_t history[HV_MAX_DOMAINS][256];
static uint8_t history_next[HV_MAX_DOMAINS];
static uint64_t not_before[HV_MAX_DOMAINS];
static uint8_t given_up[HV_MAX_DOMAINS];
static uint8_t manual[HV_MAX_DOMAINS];  /* the control channel asked for this restart */

static unsigned slot(const struct domain *d)
{
	BUG_ON(d->id == 0 || d->id > HV_MAX_DOMAINS);
	return d->id - 1;
}

/* Slot id is down for good: its clients must stop waiting. */
static void give_up(unsigned s)
{
	given_up[s] = 1;
	reg_slot_failed(s + 1);
}

/* Restarts of slot s within the policy window before 'now'. */
static unsigned recent_restarts(const struct domain *d, unsigned s, uint64_t now)
{
	uint64_t window = (d->cfg.restart_window_s ? d->cfg.restart_window_s :
			   BOOTCFG_RESTART_WINDOW_DEFAULT) * 1000000000ull;
	unsigned n = 0;

	for (unsigned i = 0; i < 256; i++)
		n += history[s][i] && now - history[s][i] < window;
	return n;
}

static unsigned restart_max(const struct domain *d)
{
	return d->cfg.restart_max ? d->cfg.restart_max : BOOTCFG_RESTART_MAX_DEFAULT;
}

/* Restarts on clients' word (hv/stall.c) may spend at most half of d's
 * restart budget: a lone hostile client, which can always get its driver
 * restarted, must not get it given up (and the driver then lost to every
 * client that comes later), nor leave no restart for a failure the
 * hypervisor sees itself. earlier * 2 < max implies earlier < max, so such a
 * restart is never the one that gives up. */
int supervise_stall_budget(const struct domain *d)
{
	return recent_restarts(d, slot(d), arch_time_ns()) * 2 < restart_max(d);
}

static uint64_t backoff_ns(const struct domain *d, unsigned earlier)
{
	uint64_t ms = d->cfg.restart_backoff_ms;

	for (unsigned i = 0; i < earlier && ms < BOOTCFG_BACKOFF_CAP_MS; i++)
		ms *= 2;
	return (ms < BOOTCFG_BACKOFF_CAP_MS ? ms : BOOTCFG_BACKOFF_CAP_MS) * 1000000ull;
}

/* MINIX-style policy: restart after a delay that doubles with each failure in
 * the window; past the limit the domain is given up and stays down, and its
 * registry entries say Failed so its clients stop waiting for it. */
static void restart_pending(struct domain *d, uint64_t now, uint64_t backoff)
{
	unsigned s = slot(d);
	struct restart_record *r = &records[s];

	memset(r, 0, sizeof(*r));
	r->detected = now;
	r->backoff = backoff;
	memcpy(r->cause, d->reason, sizeof(r->cause) - 1);
	record_open[s] = 0;
	not_before[s] = now + backoff;
	d->restart_pending = 1;
}

void supervise_stopped(struct domain *d)
{
	unsigned s = slot(d);
	uint64_t now = arch_time_ns();

	if (manual[s]) {        /* asked for: at once, outside the policy */
		restart_pending(d, now, 0);
		return;
	}
	if (d->state != DOM_CRASHED || !(d->cfg.flags & BOOTCFG_F_RESTART))
		return;
	unsigned max = restart_max(d);
	unsigned earlier = recent_restarts(d, s, now);
	if (earlier >= max) {
		give_up(s);
		printk("hv: %s given up: %u restarts within %u s; last failure: %s\n", d->cfg.name,
		       earlier, d->cfg.restart_window_s ? d->cfg.restart_window_s :
		       BOOTCFG_RESTART_WINDOW_DEFAULT, d->reason);
		return;
	}
	history[s][history_next[s]++] = now;    /* uint8_t index: wraps at 256 */
	restart_pending(d, now, backoff_ns(d, earlier));
}

int64_t watchdog_kick(struct domain *d, uint64_t period_ns)
{
	if (period_ns && (period_ns < WATCHDOG_MIN_NS || period_ns > WATCHDOG_MAX_NS))
		return -HV_EINVAL;
	d->wd_period_ns = period_ns;
	d->wd_kick_run_ns = sched_watch_ns(&d->vcpu);
	return 0;
}

/* A phase's time after the failure in us (0: not reached). */
static uint64_t since(const struct restart_record *r, uint64_t at)
{
	return at ? (at - r->detected) / 1000 : 0;
}

static void print_record(const struct domain *d, const struct restart_record *r)
{
	uint64_t t0 = r->detected;

	/* Finer phases first, on their own line (tools parse the one below). */
	printk("hv: restart %s #%lu phases: reclaimed +%lu us, ram ready +%lu us, started +%lu us, "
	       "announced +%lu us, offered +%lu us, connected +%lu us\n", d->cfg.name,
	       restarts[slot(d)], since(r, r->reclaimed), since(r, r->ram), since(r, r->started),
	       since(r, r->announced), since(r, r->offered), since(r, r->connected));
	printk("hv: restart %s #%lu (generation %lu): failure detected at %lu.%03lu ms +0 us, "
	       "backoff %lu us, device reset +%lu us, domain started +%lu us, backend connected +%lu us, "
	       "first packet forwarded +%lu us; cause: %s\n", d->cfg.name, restarts[slot(d)],
	       r->generation, t0 / 1000000, t0 / 1000 % 1000, r->backoff / 1000, (r->reset - t0) / 1000,
	       (r->started - t0) / 1000, (r->connected - t0) / 1000, (r->forwarded - t0) / 1000,
	       r->cause);
}

/* The record of d's latest restart while its phases are still being filled
 * in by this incarnation, else NULL. */
static struct restart_record *open_record(const struct domain *d)
{
	struct restart_record *r = &records[slot(d)];

	return record_open[slot(d)] && r->generation == d->generation ? r : 0;
}

static void stamp(uint64_t *at)
{
	if (!*at)
		*at = arch_time_ns();
}

void supervise_announced(struct domain *d)
{
	struct restart_record *r = open_record(d);

	if (r)
		stamp(&r->announced);
}

void supervise_offered(struct domain *d)
{
	struct restart_record *r = open_record(d);

	if (r && r->announced)
		stamp(&r->offered);
}

void supervise_connected(struct domain *d)
{
	struct restart_record *r = open_record(d);

	if (r)
		stamp(&r->connected);
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

/* A restart runs in bounded steps, one per scheduler pass, so rebuilding a
 * large domain never freezes the others for more than one step. */
enum restart_phase { RS_IDLE, RS_WAIT, RS_RECLAIM, RS_BUILD };
#define RESTART_STEP_PAGES 512          /* 2 MiB: about 5 ms of zeroing under TCG */

static uint8_t phase[HV_MAX_DOMAINS];
static struct bootcfg_domain saved_cfg[HV_MAX_DOMAINS];
static const struct mb2_module *saved_image[HV_MAX_DOMAINS];

static void restart_done(struct domain *nd)
{
	unsigned s = slot(nd);
	struct restart_record *r = &records[s];

	r->started = arch_time_ns();
	r->generation = nd->generation;
	given_up[s] = 0;
	restarts[s]++;
	record_open[s] = 1;
	printk("hv: restart %s #%lu: generation %lu running %lu us after the failure "
	       "(backoff %lu us)\n", nd->cfg.name, restarts[s], nd->generation,
	       (r->started - r->detected) / 1000, r->backoff / 1000);
}

/* One step of slot id's restart; 1 while more steps remain that should run
 * at once, 0 when done or waiting for the backoff to pass. */
static int restart_step(uint32_t id, struct domain *d, uint64_t now)
{
	unsigned s = id - 1;
	int rc;

	switch (phase[s]) {
	case RS_IDLE:
		/* The device stops and resets at once; only the rebuild waits. */
		saved_cfg[s] = d->cfg;
		saved_image[s] = d->image;
		d->restart_pending = 0;
		/* DMA stopped, device reset begun (held while we rebuild), grants,
		 * vCPU gone. */
		domain_quiesce_for_restart(d);
		records[s].reset = arch_time_ns();
		phase[s] = RS_WAIT;
		return 1;
	case RS_WAIT:
		if (now < not_before[s])
			return 0;
		phase[s] = RS_RECLAIM;
		return 1;
	case RS_RECLAIM:
		if (domain_reclaim_step(d, RESTART_STEP_PAGES))
			return 1;
		records[s].reclaimed = arch_time_ns();
		if ((rc = domain_build_begin(id, &saved_cfg[s], saved_image[s], &d)))
			break;
		phase[s] = RS_BUILD;
		return 1;
	default:
		if ((rc = domain_build_step(d, RESTART_STEP_PAGES)) == 1) {
			if (d->mem_bytes == d->cfg.mem_bytes)
				stamp(&records[s].ram);
			return 1;
		}
		if (rc)
			break;
		phase[s] = RS_IDLE;
		restart_done(d);
		return 0;
	}
	phase[s] = RS_IDLE;
	give_up(s);
	printk("hv: restart of %s failed: %s: given up, domain stays down\n",
	       saved_cfg[s].name, hv_errname(rc));
	return 0;
}

void supervise_forget(uint32_t id)
{
	unsigned s = id - 1;

	BUG_ON(id == 0 || id > HV_MAX_DOMAINS);
	phase[s] = RS_IDLE;
	given_up[s] = 0;
	not_before[s] = 0;
	restarts[s] = 0;
	record_open[s] = 0;
	history_next[s] = 0;
	memset(history[s], 0, sizeof(history[s]));
	memset(&records[s], 0, sizeof(records[s]));
	stall_forget(id);
}

int supervise_restarting(uint32_t id)
{
	return id >= 1 && id <= HV_MAX_DOMAINS && phase[id - 1] != RS_IDLE;
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
	       sched_watch_ns(&d->vcpu) - d->wd_kick_run_ns > d->wd_period_ns;
}

int supervise_poll(void)
{
	uint64_t now = arch_time_ns();
	int more = 0;

	fi_poll();      /* may restart a faulted generation on purpose */
	pci_reset_poll();       /* end bus resets held long enough */
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (!d)
			continue;
		fastinfo_watchdog_poll(d);
		if (watchdog_missed(d))
			domain_crash(d, "watchdog: no kick for %lu ms of its run time (%lu ms run or "
				     "blocked)", d->wd_period_ns / 1000000,
				     (sched_watch_ns(&d->vcpu) - d->wd_kick_run_ns) / 1000000);
		unsigned clients;
		if (stall_verdict(d, &clients))
			domain_crash(d, "stalled: every client reported no service (%u of %u within "
				     "%lu ms)", clients, clients, (uint64_t)(STALL_WINDOW_NS / 1000000));
		if (given_up[id - 1] == 1 && d->state == DOM_CRASHED) {
			/* It stays crashed (memory kept for a post-mortem), but its
			 * devices are reset and released and its mappings of others'
			 * pages dropped, so its clients can revoke their grants. */
			domain_quiesce(d);
			given_up[id - 1] = 2;
		}
		if (phase[id - 1] != RS_IDLE || d->restart_pending)
			more |= restart_step(id, d, now) ? SUPERVISE_BUSY : 0;
		if (phase[id - 1] == RS_WAIT)
			more |= SUPERVISE_WAITING;
	}
	return more;
}

int supervise_given_up(uint32_t id)
{
	return id >= 1 && id <= HV_MAX_DOMAINS && given_up[id - 1];
}

uint64_t supervise_restarts(uint32_t id)
{
	return id >= 1 && id <= HV_MAX_DOMAINS ? restarts[id - 1] : 0;
}

const struct restart_record *supervise_last(uint32_t id)
{
	return supervise_restarts(id) ? &records[id - 1] : 0;
}

/*
 * The control channel (hv/ctl_cmd.c). A restart asked for is carried out like
 * a failure's, at once and outside the restart policy (it neither waits for a
 * backoff nor counts towards the limit), for any domain: a live one is
 * stopped first. Destroy stops a domain for good: devices reset and released,
 * any pending restart cancelled; its memory stays for a post-mortem, like a
 * given-up domain's. Both refuse while a rebuild is half done (-HV_EBUSY).
 */
static int rebuilding(unsigned s)
{
	return phase[s] == RS_RECLAIM || phase[s] == RS_BUILD;
}

int supervise_restart_now(struct domain *d)
{
	unsigned s = slot(d);

	if (phase[s] != RS_IDLE || d->restart_pending)
		return -HV_EBUSY;
	manual[s] = 1;
	if (domain_alive(d))
		domain_crash(d, "restart asked for by the control channel");
	else
		supervise_stopped(d);
	manual[s] = 0;
	given_up[s] = 0;
	return 0;
}

int supervise_destroy(struct domain *d)
{
	unsigned s = slot(d);

	if (rebuilding(s))
		return -HV_EBUSY;
	if (d->state == DOM_DEAD && !d->restart_pending && phase[s] == RS_IDLE)
		return -HV_ENOENT;
	phase[s] = RS_IDLE;
	d->restart_pending = 0;
	given_up[s] = 0;
	fmt_snprintf(d->reason, sizeof(d->reason), "destroyed by the control channel");
	domain_quiesce(d);
	d->state = DOM_DEAD;
	printk("hv: domain %u (%s) destroyed by the control channel\n", d->id, d->cfg.name);
	return 0;
}
