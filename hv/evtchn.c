/*
 * Event channels: a pair of ports in two domains. Sending sets the remote's
 * pending bit in its shared page and wakes it if it is blocked. Ports are only
 * ever bound to the domain named at allocation; when a domain dies or closes a
 * port, the peer's port records why and gets one last event.
 */
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/supervise.h"
#include "hv/sched.h"
#include "public/hv_errno.h"

static struct evtchn_port *port_of(struct domain *d, uint64_t port)
{
	if (port == 0 || port >= EVTCHN_PORTS)
		return 0;
	return &d->ports[port];
}

static struct hv_shared_info *shared(struct domain *d)
{
	return (struct hv_shared_info *)d->shared;
}

static void raise(struct domain *d, uint32_t port)
{
	if (!domain_alive(d) || !d->shared)
		return;
	__atomic_fetch_or(&shared(d)->evtchn_pending, 1ull << port, __ATOMIC_SEQ_CST);
	d->events_received++;
	if (!evtchn_any_pending(d))
		return;         /* masked */
	/* The guest owns its shared page: read the vector once and range-check it. */
	uint32_t vec = __atomic_load_n(&shared(d)->upcall_vector, __ATOMIC_RELAXED);
	if (vec >= 32 && vec <= 255)
		arch_vcpu_virq(&d->vcpu, (uint8_t)vec);
	if (d->vcpu.state == VCPU_BLOCKED)
		sched_wake(&d->vcpu);
}

int evtchn_any_pending(struct domain *d)
{
	if (!d->shared)
		return 0;
	uint64_t pending = __atomic_load_n(&shared(d)->evtchn_pending, __ATOMIC_SEQ_CST);
	uint64_t mask = __atomic_load_n(&shared(d)->evtchn_mask, __ATOMIC_SEQ_CST);
	return (pending & ~mask) != 0;
}

static int64_t free_port(struct domain *d)
{
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++)
		if (d->ports[p].status == EVTCHN_FREE)
			return p;
	return -HV_ENOMEM;
}

int64_t evtchn_alloc(struct domain *d, uint64_t remote)
{
	if (remote > UINT32_MAX || !domain_by_id((uint32_t)remote) || remote == d->id)
		return -HV_ENOENT;
	int64_t p = free_port(d);
	if (p < 0)
		return p;
	d->ports[p] = (struct evtchn_port){ EVTCHN_UNBOUND, (uint32_t)remote, 0 };
	return p;
}

/* A port that only the hypervisor raises, for a device interrupt. */
int64_t evtchn_alloc_device(struct domain *d)
{
	int64_t p = free_port(d);

	if (p >= 0)
		d->ports[p] = (struct evtchn_port){ EVTCHN_DEVICE, 0, 0 };
	return p;
}

void evtchn_raise_device(struct domain *d, uint32_t port)
{
	if (port > 0 && port < EVTCHN_PORTS && d->ports[port].status == EVTCHN_DEVICE)
		raise(d, port);
}

int64_t evtchn_bind(struct domain *d, uint64_t remote, uint64_t remote_port)
{
	struct domain *r = remote <= UINT32_MAX ? domain_by_id((uint32_t)remote) : 0;
	struct evtchn_port *rp;

	if (!r || r == d || !domain_alive(r))
		return -HV_ENOENT;
	if (!(rp = port_of(r, remote_port)))
		return -HV_EINVAL;
	if (rp->status != EVTCHN_UNBOUND || rp->remote_dom != d->id)
		return -HV_EPERM;
	int64_t p = free_port(d);
	if (p < 0)
		return p;
	d->ports[p] = (struct evtchn_port){ EVTCHN_CONNECTED, r->id, (uint32_t)remote_port };
	rp->status = EVTCHN_CONNECTED;
	rp->remote_port = (uint32_t)p;
	raise(r, (uint32_t)remote_port);    /* tell the allocator its peer arrived */
	return p;
}

int64_t evtchn_send(struct domain *d, uint64_t port)
{
	struct evtchn_port *p = port_of(d, port);

	if (!p)
		return -HV_EINVAL;
	if (p->status == EVTCHN_DEVICE)
		return -HV_EPERM;       /* only the device raises it */
	if (p->status != EVTCHN_CONNECTED)
		return -HV_ENOENT;
	d->events_sent++;
	raise(domain_by_id(p->remote_dom), p->remote_port);
	supervise_notified(d);
	return 0;
}

/* Disconnect the peer end of p (if connected) and tell it why. */
static void notify_peer_gone(struct evtchn_port *p, uint8_t why)
{
	struct domain *r;

	if (p->status != EVTCHN_CONNECTED || !(r = domain_by_id(p->remote_dom)))
		return;
	struct evtchn_port *rp = port_of(r, p->remote_port);
	if (rp && rp->status == EVTCHN_CONNECTED) {
		rp->status = why;
		raise(r, p->remote_port);
	}
}

int64_t evtchn_close(struct domain *d, uint64_t port)
{
	struct evtchn_port *p = port_of(d, port);

	if (!p)
		return -HV_EINVAL;
	if (p->status == EVTCHN_FREE)
		return -HV_ENOENT;
	notify_peer_gone(p, EVTCHN_PEER_CLOSED);
	*p = (struct evtchn_port){ 0 };
	return 0;
}

int64_t evtchn_status(struct domain *d, uint64_t port)
{
	struct evtchn_port *p = port_of(d, port);

	return p ? p->status : -HV_EINVAL;
}

void evtchn_domain_dead(struct domain *d)
{
	for (uint32_t i = 1; i < EVTCHN_PORTS; i++) {
		notify_peer_gone(&d->ports[i], EVTCHN_PEER_DIED);
		d->ports[i] = (struct evtchn_port){ 0 };
	}
	/* Unbound ports elsewhere that wait for d can never be bound now. */
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *o = domain_by_id(id);
		for (uint32_t i = 1; o && o != d && i < EVTCHN_PORTS; i++) {
			if (o->ports[i].status == EVTCHN_UNBOUND && o->ports[i].remote_dom == d->id) {
				o->ports[i].status = EVTCHN_PEER_DIED;
				raise(o, i);
			}
		}
	}
}
