/*
 * Inter-domain channels: event channels, grants and the connection registry.
 * Hypercall numbers continue public/hypercall.h; every error is documented in
 * docs/hypercalls.md.
 */
#ifndef PUBLIC_CHANNEL_H
#define PUBLIC_CHANNEL_H

#include <stdint.h>

/* ---- hypercall numbers ---- */
#define HC_DOMAIN_LOOKUP    6   /* (name, len) -> domid */
#define HC_EVTCHN_ALLOC     7   /* (remote_domid) -> port, unbound, for that domain only */
#define HC_EVTCHN_BIND      8   /* (remote_domid, remote_port) -> local port */
#define HC_EVTCHN_SEND      9   /* (port) -> 0 */
#define HC_EVTCHN_CLOSE     10  /* (port) -> 0 */
#define HC_EVTCHN_STATUS    11  /* (port) -> enum evtchn_status */
#define HC_GRANT_CREATE     12  /* (gpa, grantee_domid, flags) -> gref */
#define HC_GRANT_REVOKE     13  /* (gref) -> 0 */
#define HC_GRANT_MAP        14  /* (granter_domid, gref, dest_gpa, flags) -> 0 */
#define HC_GRANT_UNMAP      15  /* (dest_gpa) -> 0 */
#define HC_REG_WRITE        16  /* (peer_domid, devid, const struct reg_entry *) -> 0 */
#define HC_REG_READ         17  /* (peer_domid, devid, struct reg_entry *) -> 0: the peer's entry */
#define HC_PCI_CFG_READ     18  /* (dev, offset, size) -> value: config space of an assigned device */
#define HC_PCI_CFG_WRITE    19  /* (dev, offset, size, value) -> 0: mediated */
#define HC_DEVICE_IRQ_BIND  20  /* (dev) -> port raised by the device's interrupt (MSI-X/MSI/INTx) */
#define HC_DEVICE_IRQ_ACK   21  /* (dev) -> 0: serviced; a level (INTx) line may fire again */
#define HC_WATCHDOG_KICK    22  /* (period_ns) -> 0: arm or feed the hang watchdog (0 = off) */
#define HC_PEER_STALLED     23  /* (peer_domid) -> 0: my work at this peer is unanswered too long */
#define HC_CHANNEL_END      24

/* ---- events ---- */
#define EVTCHN_PORTS        64  /* ports 1..63; 0 is never valid */

/*
 * The per-domain shared page at GUEST_SHARED_INFO_GPA. The hypervisor sets
 * pending bits atomically; the guest clears them (atomic exchange) and owns the
 * mask. HC_BLOCK returns at once while a pending bit is set and not masked.
 * With upcall_vector set, a newly pending unmasked event also raises that
 * vector as a virtual interrupt (taken when the guest has interrupts enabled;
 * no EOI is needed).
 */
struct hv_shared_info {
	uint64_t evtchn_pending;
	uint64_t evtchn_mask;
	uint32_t upcall_vector;   /* 32..255: deliver events as this virtual interrupt; 0: off */
	uint32_t pad0;
	/* Written by the hypervisor only (control channel, "inject NAME KIND"):
	 * a crash kind of rt_crash() or "dma", NUL-terminated, that a driver
	 * polling it (netdd) carries out; empty otherwise. A new generation
	 * starts with a fresh page. */
	char     crash_request[8];
	/* Written by the guest only: work a driver domain reports it served in
	 * this generation (netdd: frames taken from its clients / delivered to
	 * them; diskdd: requests taken / answered). The hypervisor only shows
	 * them (ddhvctl stats, "reported.*"), as the guest's own untrusted
	 * numbers; it never acts on them. */
	uint64_t served_from_clients;
	uint64_t served_to_clients;
	/* Written by the hypervisor: bit p is set when port p's peer closed or
	 * died, or can never bind (HC_EVTCHN_STATUS would answer
	 * EVTCHN_PEER_CLOSED or EVTCHN_PEER_DIED), and cleared when p is
	 * allocated, bound or closed. A hint that costs no exit, so a backend
	 * can watch its clients on every pass; act on it only after
	 * HC_EVTCHN_STATUS confirms (the guest can write its own page). */
	uint64_t evtchn_gone;
	uint8_t  pad[4096 - 56];
};
_Static_assert(sizeof(struct hv_shared_info) == 4096, "one page");
/* The second half of the page belongs to struct hv_fast_info (public/fastpage.h). */
_Static_assert(__builtin_offsetof(struct hv_shared_info, pad) <= 2048, "fields stay below 2048");

enum evtchn_status {
	EVTCHN_FREE        = 0,
	EVTCHN_UNBOUND     = 1,   /* allocated, waiting for the named remote to bind */
	EVTCHN_CONNECTED   = 2,
	EVTCHN_PEER_CLOSED = 3,   /* the remote closed its end */
	EVTCHN_PEER_DIED   = 4,   /* the remote domain crashed or exited */
	EVTCHN_DEVICE      = 5,   /* raised by an assigned device's interrupt */
};

/* ---- grants ---- */
#define GRANT_READONLY      1u  /* flag for create and map */
#define GRANT_MAX           256 /* grant references per domain: 0..255 */
#define GRANT_MAPS_MAX      512 /* foreign pages one domain may map at once */

/* ---- connection registry ---- */
enum reg_state {
	REG_NONE          = 0,    /* never written */
	REG_INITIALISING  = 1,
	REG_CONNECTED     = 2,
	REG_CLOSING       = 3,
	REG_CLOSED        = 4,    /* also set by the hypervisor when a party dies */
	REG_RECONNECTING  = 5,
	REG_FAILED        = 6,    /* set by the hypervisor: the party was given up
				     by its restart policy and will not come back */
};

struct reg_entry {
	uint32_t state;           /* enum reg_state */
	uint32_t gref;            /* grant reference the writer offers (ring page) */
	uint32_t port;            /* event port the writer allocated or bound */
	uint32_t generation;      /* filled by the hypervisor: writer's incarnation */
};
_Static_assert(sizeof(struct reg_entry) == 16, "reg_entry layout");

#define REG_MAX_DEVID       8

#endif
