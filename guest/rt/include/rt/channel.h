/* Guest wrappers for event channels, grants and the registry (public/channel.h). */
#ifndef RT_CHANNEL_H
#define RT_CHANNEL_H

#include "public/channel.h"
#include "public/guest_layout.h"
#include "rt/hv.h"
#include "rt/rt.h"

static inline int64_t hv_domain_lookup(const char *name, uint64_t len)
{
	return hv_call5(HC_DOMAIN_LOOKUP, (uint64_t)(uintptr_t)name, len, 0, 0, 0);
}
static inline int64_t hv_evtchn_alloc(uint32_t remote) { return hv_call5(HC_EVTCHN_ALLOC, remote, 0, 0, 0, 0); }
static inline int64_t hv_evtchn_bind(uint32_t remote, uint32_t port)
{
	return hv_call5(HC_EVTCHN_BIND, remote, port, 0, 0, 0);
}
static inline int64_t hv_evtchn_send(uint32_t port) { return hv_call5(HC_EVTCHN_SEND, port, 0, 0, 0, 0); }
static inline int64_t hv_evtchn_close(uint32_t port) { return hv_call5(HC_EVTCHN_CLOSE, port, 0, 0, 0, 0); }
static inline int64_t hv_evtchn_status(uint32_t port) { return hv_call5(HC_EVTCHN_STATUS, port, 0, 0, 0, 0); }
static inline int64_t hv_grant_create(const void *page, uint32_t grantee, uint32_t flags)
{
	return hv_call5(HC_GRANT_CREATE, (uint64_t)(uintptr_t)page, grantee, flags, 0, 0);
}
static inline int64_t hv_grant_revoke(uint32_t gref) { return hv_call5(HC_GRANT_REVOKE, gref, 0, 0, 0, 0); }
static inline int64_t hv_grant_map(uint32_t granter, uint32_t gref, uint64_t dest, uint32_t flags)
{
	return hv_call5(HC_GRANT_MAP, granter, gref, dest, flags, 0);
}
static inline int64_t hv_grant_unmap(uint64_t dest) { return hv_call5(HC_GRANT_UNMAP, dest, 0, 0, 0, 0); }
static inline int64_t hv_reg_write(uint32_t peer, uint32_t devid, const struct reg_entry *e)
{
	return hv_call5(HC_REG_WRITE, peer, devid, (uint64_t)(uintptr_t)e, 0, 0);
}
static inline int64_t hv_reg_read(uint32_t peer, uint32_t devid, struct reg_entry *e)
{
	return hv_call5(HC_REG_READ, peer, devid, (uint64_t)(uintptr_t)e, 0, 0);
}

static inline int64_t hv_pci_cfg_read(uint32_t dev, uint32_t off, uint32_t size)
{
	return hv_call5(HC_PCI_CFG_READ, dev, off, size, 0, 0);
}
static inline int64_t hv_pci_cfg_write(uint32_t dev, uint32_t off, uint32_t size, uint32_t val)
{
	return hv_call5(HC_PCI_CFG_WRITE, dev, off, size, val, 0);
}

static inline int64_t hv_device_irq_bind(uint32_t dev)
{
	return hv_call5(HC_DEVICE_IRQ_BIND, dev, 0, 0, 0, 0);
}

static inline int64_t hv_device_irq_ack(uint32_t dev)
{
	return hv_call5(HC_DEVICE_IRQ_ACK, dev, 0, 0, 0, 0);
}

/* Arm the hang watchdog: the hypervisor treats this domain as hung when it
 * does not kick again within period_ns (0 disarms). Arming (or a new period)
 * is a hypercall; feeding it again with the same period only bumps the fast
 * page's wd_kicks, which the hypervisor reads between slices (no exit). */
static inline int64_t hv_watchdog_kick(uint64_t period_ns)
{
	volatile struct hv_fast_info *f = hv_fast();

	if (period_ns && f->wd_armed_ns == period_ns) {
		f->wd_kicks = f->wd_kicks + 1;
		return 0;
	}
	int64_t rc = hv_call5(HC_WATCHDOG_KICK, period_ns, 0, 0, 0, 0);
	f->wd_armed_ns = rc == 0 ? period_ns : 0;
	return rc;
}

/* Take (and clear) the pending event bits. */
static inline uint64_t rt_events_take(void)
{
	struct hv_shared_info *si = (struct hv_shared_info *)(uintptr_t)GUEST_SHARED_INFO_GPA;
	return __atomic_exchange_n(&si->evtchn_pending, 0, __ATOMIC_SEQ_CST);
}

/* Deferred notifications (ports 1..63 as bits): a ring producer that will
 * block soon marks its peer's port here instead of HC_EVTCHN_SEND; the
 * next rt_wait_event* sends one of them inside its HC_BLOCK (one exit for
 * notify and block) and the rest by hypercall, and sends all at once when
 * it does not block. The domain's exit sends them too (rt_start). On one
 * CPU the peer could not run before we block anyway, so nothing is later. */
extern uint64_t rt_notify_pending;

static inline void rt_notify_later(uint32_t port)
{
	if (port > 0 && port < EVTCHN_PORTS)
		rt_notify_pending |= 1ull << port;
}

/* Send every deferred notification now (one hypercall each). */
static inline void rt_notify_flush(void)
{
	while (rt_notify_pending) {
		uint32_t port = (uint32_t)__builtin_ctzll(rt_notify_pending);
		rt_notify_pending &= rt_notify_pending - 1;
		hv_evtchn_send(port);
	}
}

/* The deferred notification to carry in HC_BLOCK (0: none); the others sent. */
static inline uint64_t rt_notify_take_one(void)
{
	if (!rt_notify_pending)
		return 0;
	uint64_t port = (uint64_t)__builtin_ctzll(rt_notify_pending);
	rt_notify_pending &= rt_notify_pending - 1;
	rt_notify_flush();
	return port;
}

/* The hypervisor says port's peer closed or died (no exit; a hint:
 * confirm with hv_evtchn_status before acting). */
static inline int rt_port_gone(uint32_t port)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	return port < 64 && (si->evtchn_gone >> port & 1);
}

/* An unmasked event is pending (no exit). */
static inline int rt_events_pending(void)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	return (si->evtchn_pending & ~si->evtchn_mask) != 0;
}

/* Block until an event is pending or 'ns' nanoseconds pass. An event
 * already pending and unmasked returns at once without an exit (HC_BLOCK
 * would return at once too; one arriving after this look still does). */
static inline void rt_wait_event(uint64_t ns)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	if (si->evtchn_pending & ~si->evtchn_mask) {
		rt_notify_flush();
		return;
	}
	uint64_t notify = rt_notify_take_one();
	int64_t rc = hv_call5(HC_BLOCK, hv_time() + ns, 0, notify, 0, 0);
	if (rc < 0 && notify)   /* the peer is gone (its error, ignored as a send's): block */
		hv_block(hv_time() + ns);
}

/* rt_wait_event for a driver that owes HC_DEVICE_IRQ_ACKs: 'ack' is a mask
 * of device indices. When it blocks, the acknowledgement rides on HC_BLOCK
 * (one exit) and it returns 0: nothing owed any more. With an event already
 * pending it neither blocks nor acknowledges (the line stays masked a little
 * longer while the caller polls anyway) and returns 'ack', still owed. A
 * mask the hypervisor refuses is the caller's bug: rt_fail. */
static inline uint64_t rt_wait_event_ack(uint64_t ns, uint64_t ack)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;
	int64_t rc;

	if (si->evtchn_pending & ~si->evtchn_mask) {
		rt_notify_flush();
		return ack;
	}
	uint64_t notify = rt_notify_take_one();
	rc = hv_call5(HC_BLOCK, hv_time() + ns, ack, notify, 0, 0);
	if (rc < 0 && notify)   /* the peer is gone (its error, ignored as a send's) */
		rc = hv_call5(HC_BLOCK, hv_time() + ns, ack, 0, 0, 0);
	if (rc < 0)
		rt_fail("HC_BLOCK acknowledging devices 0x%lx, notifying port %lu: error %ld", ack,
			notify, rc);
	return 0;
}

/* Deliver events as virtual interrupt 'vector' (32..255) to handler(bits),
 * bits taken from the pending word; enables interrupts. */
void rt_events_enable(uint8_t vector, void (*handler)(uint64_t bits));
#define RT_EVENT_VECTOR 0x30

/* Domain id of the domain named in the argument key (e.g. peer=pong). */
int64_t rt_peer_id(const char *key);

/* A driver domain reports the work it served so far in this generation
 * (shown by ddhvctl stats as the guest's own numbers): plain stores to its
 * shared page, no exit. */
static inline void rt_served(uint64_t from_clients, uint64_t to_clients)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	si->served_from_clients = from_clients;
	si->served_to_clients = to_clients;
}

/*
 * Service supervision (HC_PEER_STALLED, docs/hypercalls.md): tell the
 * hypervisor that work of ours at 'peer' has gone unanswered longer than our
 * own timeout. The hypervisor restarts peer only when every domain connected
 * to it says so. 0, or the call's error (-HV_EBUSY within 100 ms of our last
 * report of peer).
 */
static inline int64_t hv_peer_stalled(uint32_t peer) { return hv_call5(HC_PEER_STALLED, peer, 0, 0, 0, 0); }
int64_t rt_report_stalled(uint32_t peer);

/* A client's watch on one backend, zeroed with the client's state. */
struct rt_stall {
	uint64_t timeout_ns;        /* stall_ms= argument, default 2000; 0 after init: off */
	uint64_t since;             /* hv_time when the unanswered stretch began */
	uint64_t progress;          /* the caller's progress count then */
	uint64_t last_report;       /* hv_time of our last report */
	uint64_t reports;           /* reports the hypervisor accepted */
	uint8_t ready;
};
#define RT_STALL_REPEAT_NS 500000000ull     /* report again every 500 ms while stalled */
/*
 * From a client's wait path: 'busy' says work is outstanding at peer,
 * 'progress' is any count that moves when peer answers some of it (or we
 * reconnect). busy and no progress for the client's timeout (its own time,
 * hv_time): peer is reported stalled, again every RT_STALL_REPEAT_NS while
 * that lasts. Idle or moving: nothing is reported.
 */
void rt_stall_watch(struct rt_stall *w, uint32_t peer, int busy, uint64_t progress);

#endif
