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
#include "hv/supervise.h"
#include "public/hv_errno.h"

#define REG_MAX 64

struct reg_slot {
	uint8_t in_use;
	uint32_t writer, peer, devid;
	struct reg_entry e;
};

static struct reg_slot slots[REG_MAX];

static struct reg_slot *find(uint32_t writer, uint32_t peer, uint32_t devid)
{
	for (unsigned i = 0; i < REG_MAX; i++)
		if (slots[i].in_use && slots[i].writer == writer && slots[i].peer == peer &&
		    slots[i].devid == devid)
			return &slots[i];
	return 0;
}

/* The peer need not exist: a survivor reads a destroyed peer's entry as Closed,
 * and a restarted peer comes back under the same id. */
static int args_ok(struct domain *d, uint64_t peer, uint64_t devid)
{
	return peer >= 1 && peer <= HV_MAX_DOMAINS && peer != d->id && devid < REG_MAX_DEVID;
}

int64_t reg_write(struct domain *d, uint64_t peer, uint64_t devid, uint64_t gpa)
{
	struct reg_entry e;
	struct reg_slot *s;

	if (!args_ok(d, peer, devid))
		return -HV_EINVAL;
	if (guest_copy_from(d, &e, gpa, sizeof(e)))
		return -HV_EFAULT;
	if (e.state == REG_NONE || e.state > REG_RECONNECTING)
		return -HV_EINVAL;
	e.generation = (uint32_t)d->generation;
	s = find(d->id, (uint32_t)peer, (uint32_t)devid);
	for (unsigned i = 0; !s && i < REG_MAX; i++)
		if (!slots[i].in_use)
			s = &slots[i];
	if (!s)
		return -HV_ENOMEM;
	*s = (struct reg_slot){ 1, d->id, (uint32_t)peer, (uint32_t)devid, e };
	if (e.state == REG_CONNECTED)
		supervise_connected(d);
	return 0;
}

int64_t reg_read(struct domain *d, uint64_t peer, uint64_t devid, uint64_t gpa)
{
	struct reg_entry e = { 0 };
	struct reg_slot *s;

	if (!args_ok(d, peer, devid))
		return -HV_EINVAL;
	s = find((uint32_t)peer, d->id, (uint32_t)devid);
	if (s)
		e = s->e;
	if (guest_copy_to(d, gpa, &e, sizeof(e)))
		return -HV_EFAULT;
	return 0;
}

void reg_domain_dead(struct domain *d)
{
	for (unsigned i = 0; i < REG_MAX; i++) {
		if (slots[i].in_use && slots[i].writer == d->id) {
			slots[i].e.state = REG_CLOSED;
			slots[i].e.gref = slots[i].e.port = 0;
		}
	}
}
