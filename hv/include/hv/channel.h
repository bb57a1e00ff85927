/*
 * Event channels, grants and the connection registry (hv/evtchn.c,
 * hv/grant.c, hv/registry.c). Per-domain state lives in struct domain; these
 * functions are called from the hypercall table and from the domain lifecycle.
 */
#ifndef HV_CHANNEL_H
#define HV_CHANNEL_H

#include <stdint.h>
#include "public/channel.h"

struct domain;

struct evtchn_port {
	uint8_t status;             /* enum evtchn_status */
	uint32_t remote_dom;
	uint32_t remote_port;
};

struct grant_entry {
	uint8_t in_use;
	uint8_t readonly;
	uint32_t grantee;
	uint64_t gpa;               /* granter's page */
	uint64_t frame;             /* host frame behind it */
	uint32_t maps;              /* live mappings by the grantee */
};

#define GRANT_MAPS_MAX 256         /* foreign pages one domain may map at once */
struct grant_mapping {
	uint8_t in_use;
	uint32_t granter;
	uint64_t granter_gen;
	uint32_t gref;
	uint64_t dest_gpa;
	uint64_t frame;
};

int64_t evtchn_alloc(struct domain *d, uint64_t remote);
int64_t evtchn_bind(struct domain *d, uint64_t remote, uint64_t remote_port);
int64_t evtchn_send(struct domain *d, uint64_t port);
int64_t evtchn_close(struct domain *d, uint64_t port);
int64_t evtchn_status(struct domain *d, uint64_t port);
int64_t evtchn_alloc_device(struct domain *d);
void evtchn_raise_device(struct domain *d, uint32_t port);
int64_t devirq_bind(struct domain *d, uint64_t dev);
int64_t devirq_ack(struct domain *d, uint64_t dev);
void devirq_deliver(void);
/* A device of d has a bound interrupt that can still arrive (see devirq.c). */
int devirq_can_wake(const struct domain *d);
/* Pending and not masked events in d's shared page. */
int evtchn_any_pending(struct domain *d);
/* d stops: every peer port is marked PEER_DIED and notified. */
void evtchn_domain_dead(struct domain *d);

int64_t grant_create(struct domain *d, uint64_t gpa, uint64_t grantee, uint64_t flags);
int64_t grant_revoke(struct domain *d, uint64_t gref);
int64_t grant_map(struct domain *d, uint64_t granter, uint64_t gref, uint64_t dest, uint64_t flags);
int64_t grant_unmap(struct domain *d, uint64_t dest);
/* Destroy: drop d's mappings of others; d's pages still mapped elsewhere become orphans. */
void grant_domain_destroy(struct domain *d);
/* An orphan frame belongs to the survivors that map it: do not free it. */
int grant_is_orphan(uint64_t frame);
/* Frames of destroyed domains still mapped by a survivor. */
uint64_t grant_orphan_frames(void);

int64_t reg_write(struct domain *d, uint64_t peer, uint64_t devid, uint64_t gpa);
int64_t reg_read(struct domain *d, uint64_t peer, uint64_t devid, uint64_t gpa);
void reg_domain_dead(struct domain *d);

int64_t pcicfg_read(struct domain *d, uint64_t dev, uint64_t off, uint64_t size);
int64_t pcicfg_write(struct domain *d, uint64_t dev, uint64_t off, uint64_t size, uint64_t val);

#endif
