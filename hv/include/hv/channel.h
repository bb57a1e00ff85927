/*
 * Event channels, grants and the connection registry (hv/evtchn.c,
 * hv/grant.c, hv/registry.c). Per-domain state lives in struct domain; these
 * functions are called from the hypercall table and from the domain lifecycle.
 */
#ifndef HV_CHANNEL_H
#define HV_CHANNEL_H

#include <stdint.h>
#include "public/channel.h"
#include "hv/hcargs.h"

struct domain;

struct evtchn_port {
	uint8_t status;             /* enum evtchn_status */
	domid_t remote_dom;         /* UNBOUND: who may bind; CONNECTED: the peer */
	evport_t remote_port;
};

struct grant_entry {
	uint8_t in_use;
	uint8_t readonly;
	domid_t grantee;
	gpa_t gpa;                  /* granter's page */
	hpa_t frame;                /* host frame behind it */
	uint32_t maps;              /* live mappings by the grantee */
};

struct grant_mapping {
	uint8_t in_use;
	domid_t granter;
	uint64_t granter_gen;
	gref_t gref;
	gpa_t dest_gpa;
	hpa_t frame;
	uint8_t writable;       /* mapped read-write (nested table and DMA view) */
};

/* Hypercall handlers take decoded arguments (hv/include/hv/hcargs.h): the
 * range of every argument is already checked; these check state. */
int64_t evtchn_alloc(struct domain *d, domid_t remote);
int64_t evtchn_bind(struct domain *d, domid_t remote, evport_t remote_port);
int64_t evtchn_send(struct domain *d, evport_t port);
int64_t evtchn_close(struct domain *d, evport_t port);
int64_t evtchn_status(struct domain *d, evport_t port);
/* A port only the hypervisor raises (a device interrupt): 0 or -HV_ENOMEM. */
int evtchn_alloc_device(struct domain *d, evport_t *port);
void evtchn_raise_device(struct domain *d, evport_t port);
int64_t devirq_bind(struct domain *d, devidx_t dev);
int64_t devirq_ack(struct domain *d, devidx_t dev);
/* HC_BLOCK's ack argument: acknowledge every device whose index bit is set,
 * all or none: -HV_ENOENT a bit at or past the device count, -HV_EINVAL a
 * device without a bound interrupt. */
int64_t devirq_ack_mask(struct domain *d, uint64_t mask);
/* The same checks without acknowledging anything. */
int64_t devirq_ack_mask_check(struct domain *d, uint64_t mask);
void devirq_deliver(void);
/* A device of d has a bound interrupt that can still arrive (see devirq.c). */
int devirq_can_wake(const struct domain *d);
/* The device (pci_devs[index]) is being released: silence it, drop its route. */
struct pci_dev;
void devirq_release(struct pci_dev *p, unsigned index);
/* Pending and not masked events in d's shared page. */
int evtchn_any_pending(struct domain *d);
/* d stops: every peer port is marked PEER_DIED and notified. */
void evtchn_domain_dead(struct domain *d);

int64_t grant_create(struct domain *d, gpa_t page, domid_t grantee, uint32_t flags);
int64_t grant_revoke(struct domain *d, gref_t gref);
int64_t grant_map(struct domain *d, domid_t granter, gref_t gref, gpa_t dest, uint32_t flags);
int64_t grant_unmap(struct domain *d, gpa_t dest);
/* Destroy: drop d's mappings of others; d's pages still mapped elsewhere become orphans. */
void grant_domain_destroy(struct domain *d);
/* Frames of destroyed domains still mapped by a survivor. */
uint64_t grant_orphan_frames(void);

int64_t reg_write(struct domain *d, domid_t peer, uint32_t devid, gpa_t in);
int64_t reg_read(struct domain *d, domid_t peer, uint32_t devid, gpa_t out);
void reg_domain_dead(struct domain *d);
/* A registry entry d read changed since: take the wake-up (HC_BLOCK returns
 * at once), like a pending event. */
int reg_take_wake(struct domain *d);
void reg_slot_failed(uint32_t id);

int64_t pcicfg_read(struct domain *d, devidx_t dev, uint32_t off, uint32_t size);
int64_t pcicfg_write(struct domain *d, devidx_t dev, uint32_t off, uint32_t size, uint32_t val);

#endif
