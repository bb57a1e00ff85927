/*
 * Service supervision (HC_PEER_STALLED): a driver that feeds its watchdog
 * but serves nobody. Clients report, the hypervisor decides: driver D is
 * restarted, like a watchdog miss (same path, policy and budget), only when
 * EVERY domain connected to D by an event channel has reported D stalled
 * within the last STALL_WINDOW_NS, against D's current generation. An honest
 * client that is being served does not report, so one hostile client cannot
 * take a shared driver from the others; if every client is hostile, the
 * restart harms only them. docs/design.md, "Service supervision".
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "public/bootcfg.h"
#include "public/hv_errno.h"

/* [peer - 1][reporter - 1]: when the reporter last said peer is stalled, and
 * peer's and the reporter's generations then: a report against an older
 * incarnation of the peer is void, and so is one an earlier incarnation of
 * the reporter made (its restart keeps the slot; the new one, reconnected
 * and perhaps served, has said nothing yet). */
static uint64_t reported_at[HV_MAX_DOMAINS][HV_MAX_DOMAINS];
static uint64_t reported_gen[HV_MAX_DOMAINS][HV_MAX_DOMAINS];
static uint64_t reporter_gen[HV_MAX_DOMAINS][HV_MAX_DOMAINS];
static uint8_t verdict[HV_MAX_DOMAINS];  /* every client reported: restart at the next poll */
static uint64_t declined_gen[HV_MAX_DOMAINS];   /* generation last told "no budget" */

/* c holds a connected event channel whose other end is d. */
static int connected_to(const struct domain *c, const struct domain *d)
{
	for (uint32_t i = 1; i < EVTCHN_PORTS; i++)
		if (c->ports[i].status == EVTCHN_CONNECTED && c->ports[i].remote_dom.v == d->id)
			return 1;
	return 0;
}

/* The live domains connected to d; *fresh: how many of them reported d
 * stalled within the window, in d's current generation. */
static unsigned clients_of(const struct domain *d, uint64_t now, unsigned *fresh)
{
	unsigned n = 0;

	*fresh = 0;
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		const struct domain *c = domain_by_id(id);
		if (!c || c == d || !domain_alive(c) || !connected_to(c, d))
			continue;
		uint64_t at = reported_at[d->id - 1][id - 1];
		n++;
		*fresh += at && now - at < STALL_WINDOW_NS &&
			  reported_gen[d->id - 1][id - 1] == d->generation &&
			  reporter_gen[d->id - 1][id - 1] == c->generation;
	}
	return n;
}

/* d's generation has had the window to serve since it was (re)started: its
 * clients' word may end it. An honest client reports only after its own
 * timeout without an answer in this generation anyway; a client that lies
 * alone restarts its driver at most once per window this way, not at every
 * scheduler pass. The first generation gets the window too: at boot a liar
 * may connect before the honest clients do, and "every connected client"
 * would then be the liar alone. */
static int old_enough(const struct domain *d, uint64_t now)
{
	const struct restart_record *r = supervise_last(d->id);

	if (now - d->started_ns < STALL_WINDOW_NS)
		return 0;
	return !r || r->generation != d->generation || now - r->started >= STALL_WINDOW_NS;
}

int64_t peer_stalled(struct domain *d, domid_t peer)
{
	struct domain *p = domain_by_id(peer.v);
	uint64_t now = arch_time_ns();

	if (!p || !domain_alive(p))
		return -HV_ENOENT;
	/* Only a driver serves work to be reported. Without the role check a
	 * hostile driver, connected to its clients like they are to it, could
	 * have a restartable client that uses it alone restarted: more than
	 * the service it can withhold anyway. */
	if (!(p->cfg.flags & BOOTCFG_F_RESTART) || p->cfg.role != BOOTCFG_ROLE_DRIVER ||
	    !connected_to(d, p))
		return -HV_EPERM;
	uint64_t *at = &reported_at[p->id - 1][d->id - 1];
	uint64_t *gen = &reported_gen[p->id - 1][d->id - 1];
	uint64_t *rgen = &reporter_gen[p->id - 1][d->id - 1];
	if (*at && *gen == p->generation && *rgen == d->generation && now - *at < STALL_MIN_GAP_NS)
		return -HV_EBUSY;       /* a flood: its own ports scanned, one comparison */
	*at = now;
	*gen = p->generation;
	*rgen = d->generation;
	unsigned fresh, n = clients_of(p, now, &fresh);
	if (n && fresh == n && old_enough(p, now))
		verdict[p->id - 1] = 1;
	return 0;
}

int stall_verdict(struct domain *d, unsigned *clients)
{
	unsigned fresh;

	if (!verdict[d->id - 1])
		return 0;
	verdict[d->id - 1] = 0;
	/* Judged again now: a client may have connected or a report expired. */
	*clients = clients_of(d, arch_time_ns(), &fresh);
	if (!domain_alive(d) || !*clients || fresh != *clients)
		return 0;
	if (supervise_stall_budget(d))
		return 1;
	/* Half the budget spent on reports: d runs on. Said once per
	 * generation, since clients decide how often we get here. */
	if (declined_gen[d->id - 1] != d->generation)
		printk("hv: %s (generation %lu) reported stalled by every client, not restarted: "
		       "reports spent half its restart budget\n", d->cfg.name, d->generation);
	declined_gen[d->id - 1] = d->generation;
	return 0;
}

void stall_forget(uint32_t id)
{
	BUG_ON(id == 0 || id > HV_MAX_DOMAINS);
	verdict[id - 1] = 0;
	declined_gen[id - 1] = 0;
	memset(reported_at[id - 1], 0, sizeof(reported_at[id - 1]));
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		reported_at[i][id - 1] = 0;     /* its reports as a client */
}
