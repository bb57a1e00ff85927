/*
 * Connection registry: for each pair of domains and device number, one entry
 * per party (state, ring grant, event port). A domain writes only its own
 * entry of a pair it belongs to and reads only its peer's, so no third domain
 * can see or change a connection. A dead party's entries read as Closed; the
 * restarted incarnation (same id, new generation) writes them again.
 */
#include "kstring.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/sched.h"
#include "hv/supervise.h"
#include "public/hv_errno.h"

/* Every (writer, peer, devid) has its own entry, fixed in place: a domain can
 * only ever fill its own row, so no guest can use up what others need, and
 * nothing is allocated or freed. 16 x 16 x 8 entries of 16 bytes = 32 KiB. */
static struct reg_entry table[HV_MAX_DOMAINS][HV_MAX_DOMAINS][REG_MAX_DEVID];

/* Reading the peer's entry of a connection, or writing one's own, arms a
 * one-shot watch on the peer's entry: the peer's next write to it wakes the
 * watcher (ends its block), so a connection handshake (restart: announce,
 * offer, connect) moves at once instead of at the parties' next timeouts.
 * One wake per registry call of the watcher's own: a peer that writes in a
 * loop cannot keep a domain awake more often than it asks the registry. */
static uint8_t watched[HV_MAX_DOMAINS][HV_MAX_DOMAINS][REG_MAX_DEVID];

static void wake_watcher(uint32_t writer, uint32_t peer, uint32_t devid)
{
	struct domain *p = domain_by_id(peer);

	if (!watched[writer - 1][peer - 1][devid])
		return;
	watched[writer - 1][peer - 1][devid] = 0;
	if (!p || !domain_alive(p))
		return;
	if (p->vcpu.state == VCPU_BLOCKED)
		sched_wake(&p->vcpu);
	else
		p->reg_woken = 1;       /* not blocked yet: its next block returns */
}

int reg_take_wake(struct domain *d)
{
	int w = d->reg_woken;

	d->reg_woken = 0;
	return w;
}

static struct reg_entry *entry(uint32_t writer, uint32_t peer, uint32_t devid)
{
	return &table[writer - 1][peer - 1][devid];
}

/* Arguments come decoded: peer is 1..HV_MAX_DOMAINS and not the caller, devid
 * below REG_MAX_DEVID. The peer need not exist: a survivor reads a destroyed
 * peer's entry as Closed, and a restarted peer comes back under the same id. */
int64_t reg_write(struct domain *d, domid_t peer, uint32_t devid, gpa_t in)
{
	struct reg_entry e;

	if (guest_copy_from(d, &e, in, sizeof(e)))
		return -HV_EFAULT;
	if (e.state == REG_NONE || e.state > REG_RECONNECTING)
		return -HV_EINVAL;
	e.generation = (uint32_t)d->generation;
	*entry(d->id, peer.v, devid) = e;
	if (e.state == REG_CONNECTED)
		supervise_connected(d);
	else
		supervise_announced(d);
	struct domain *p = domain_by_id(peer.v);
	if (p && e.state == REG_INITIALISING)
		supervise_offered(p);
	wake_watcher(d->id, peer.v, devid);
	watched[peer.v - 1][d->id - 1][devid] = 1;     /* the peer's answer wakes us */
	return 0;
}

int64_t reg_read(struct domain *d, domid_t peer, uint32_t devid, gpa_t out)
{
	struct reg_entry e = *entry(peer.v, d->id, devid);

	watched[peer.v - 1][d->id - 1][devid] = 1;

	if (guest_copy_to(d, out, &e, sizeof(e)))
		return -HV_EFAULT;
	return 0;
}

/* Slot id was given up by its restart policy: every entry it could have
 * written says so for good, also towards peers it never wrote to, so no
 * client waits for it. */
void reg_slot_failed(uint32_t id)
{
	for (unsigned p = 0; p < HV_MAX_DOMAINS; p++) {
		for (unsigned k = 0; k < REG_MAX_DEVID; k++) {
			table[id - 1][p][k].state = REG_FAILED;
			wake_watcher(id, p + 1, k);     /* a change like the peer's own writes */
		}
	}
}

/* d is torn down: its entries read as Closed (waking their watchers), and
 * the watches d armed go with it, so a peer's next write wakes no later
 * domain in d's slot (its restart included) that never asked. */
void reg_domain_dead(struct domain *d)
{
	for (unsigned p = 0; p < HV_MAX_DOMAINS; p++) {
		for (unsigned k = 0; k < REG_MAX_DEVID; k++) {
			struct reg_entry *e = &table[d->id - 1][p][k];
			watched[p][d->id - 1][k] = 0;
			if (e->state == REG_NONE)
				continue;
			*e = (struct reg_entry){ .state = REG_CLOSED, .generation = e->generation };
			/* A watcher blocked without a deadline learns of it too. */
			wake_watcher(d->id, p + 1, k);
		}
	}
}
