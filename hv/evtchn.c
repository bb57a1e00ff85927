/*
 * Event channels: a pair of ports in two domains. Sending sets the remote's
 * pending bit in its shared page and wakes it if it is blocked. Ports are only
 * ever bound to the domain named at allocation; when a domain dies or closes a
 * port, the peer's port records why and gets one last event.
 */
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "hv/sched.h"
#include "public/hv_errno.h"

/* Ports come decoded (1..EVTCHN_PORTS-1) or from the hypervisor's own state:
 * one out of range is the hypervisor's bug. */
static struct evtchn_port *port_of(struct domain *d, evport_t port)
{
	BUG_ON(port.v == 0 || port.v >= EVTCHN_PORTS);
	return &d->ports[port.v];
}

static struct hv_shared_info *shared(struct domain *d)
{
	return (struct hv_shared_info *)d->shared;
}

/* The evtchn_gone hint of the shared page (public/channel.h). */
static void mark_gone(struct domain *d, evport_t port, int gone)
{
	if (!d->shared)
		return;
	if (gone)
		__atomic_fetch_or(&shared(d)->evtchn_gone, 1ull << port.v, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&shared(d)->evtchn_gone, ~(1ull << port.v), __ATOMIC_SEQ_CST);
}

static void raise(struct domain *d, evport_t port)
{
	if (!domain_alive(d) || !d->shared)
		return;
	__atomic_fetch_or(&shared(d)->evtchn_pending, 1ull << port.v, __ATOMIC_SEQ_CST);
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

/* The lowest free port of d, set to 'state'. */
static int take_port(struct domain *d, struct evtchn_port state, evport_t *out)
{
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
		if (d->ports[p].status == EVTCHN_FREE) {
			d->ports[p] = state;
			*out = evport_of(p);
			mark_gone(d, *out, 0);
			return 0;
		}
	}
	return -HV_ENOMEM;
}

/* The remote (never the caller: the decoder refuses its own id) must exist. */
int64_t evtchn_alloc(struct domain *d, domid_t remote)
{
	evport_t p;

	if (!domain_by_id(remote.v))
		return -HV_ENOENT;
	int rc = take_port(d, (struct evtchn_port){ EVTCHN_UNBOUND, remote, { 0 } }, &p);
	if (rc)
		return rc;
	return p.v;
}

/* A port that only the hypervisor raises, for a device interrupt. */
int evtchn_alloc_device(struct domain *d, evport_t *port)
{
	return take_port(d, (struct evtchn_port){ EVTCHN_DEVICE, { 0 }, { 0 } }, port);
}

void evtchn_raise_device(struct domain *d, evport_t port)
{
	if (port_of(d, port)->status == EVTCHN_DEVICE)
		raise(d, port);
}

int64_t evtchn_bind(struct domain *d, domid_t remote, evport_t remote_port)
{
	struct domain *r = domain_by_id(remote.v);
	struct evtchn_port *rp;
	evport_t p;

	if (!r || !domain_alive(r))
		return -HV_ENOENT;
	rp = port_of(r, remote_port);
	if (rp->status != EVTCHN_UNBOUND || rp->remote_dom.v != d->id)
		return -HV_EPERM;
	int rc = take_port(d, (struct evtchn_port){ EVTCHN_CONNECTED, domid_of(r->id), remote_port },
			   &p);
	if (rc)
		return rc;
	rp->status = EVTCHN_CONNECTED;
	rp->remote_port = p;
	raise(r, remote_port);              /* tell the allocator its peer arrived */
	return p.v;
}

int64_t evtchn_send(struct domain *d, evport_t port)
{
	struct evtchn_port *p = port_of(d, port);

	if (p->status == EVTCHN_DEVICE)
		return -HV_EPERM;       /* only the device raises it */
	if (p->status != EVTCHN_CONNECTED)
		return -HV_ENOENT;
	d->events_sent++;
	raise(domain_by_id(p->remote_dom.v), p->remote_port);
	supervise_notified(d);
	return 0;
}

/* Disconnect the peer end of p (if connected) and tell it why. */
static void notify_peer_gone(struct evtchn_port *p, uint8_t why)
{
	struct domain *r;

	if (p->status != EVTCHN_CONNECTED || !(r = domain_by_id(p->remote_dom.v)))
		return;
	struct evtchn_port *rp = port_of(r, p->remote_port);
	if (rp->status == EVTCHN_CONNECTED) {
		rp->status = why;
		mark_gone(r, p->remote_port, 1);
		raise(r, p->remote_port);
	}
}

int64_t evtchn_close(struct domain *d, evport_t port)
{
	struct evtchn_port *p = port_of(d, port);

	if (p->status == EVTCHN_FREE)
		return -HV_ENOENT;
	notify_peer_gone(p, EVTCHN_PEER_CLOSED);
	*p = (struct evtchn_port){ 0 };
	mark_gone(d, port, 0);
	return 0;
}

int64_t evtchn_status(struct domain *d, evport_t port)
{
	return port_of(d, port)->status;
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
			if (o->ports[i].status == EVTCHN_UNBOUND && o->ports[i].remote_dom.v == d->id) {
				o->ports[i].status = EVTCHN_PEER_DIED;
				mark_gone(o, evport_of(i), 1);
				raise(o, evport_of(i));
			}
		}
	}
}
