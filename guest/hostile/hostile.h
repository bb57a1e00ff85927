/*
 * Connection set-up shared by the hostile peers (guest/apps/badfront.c,
 * diskbadfront.c, badback.c, diskbadback.c). They speak a device class's ring
 * protocol by hand, so as to break it, and so connect through the registry
 * themselves rather than through netfront/blkfront or netback/blkback. A
 * device class is its registry devid (NETIF_REG_DEVID, BLKIF_REG_DEVID) and
 * its ring slot size.
 */
#ifndef GUEST_HOSTILE_HOSTILE_H
#define GUEST_HOSTILE_HOSTILE_H

#include <stdint.h>
#include "public/ring.h"

/* A frontend's end: set backend, devid and slot_size; the rest is set up here. */
struct hostile_front {
	uint32_t backend, devid, slot_size;
	struct ring_front ring;
	int port;
};

/* Wait until the backend's registry entry is in state want or want2, for at
 * most ns of our time: 0, or -1 on time-out. */
int hostile_front_wait(struct hostile_front *f, uint32_t want, uint32_t want2, uint64_t ns);
/* Once the backend is ready (10 s at most), offer it a fresh ring on
 * ring_page and grant it rw_page (*rw) and ro_page, read-only (*ro); then
 * wait for it to connect (10 s at most). 0, or -1. */
int hostile_front_connect(struct hostile_front *f, void *ring_page, void *rw_page,
			  void *ro_page, uint32_t *rw, uint32_t *ro);
/* Claim 1,000 more requests than the ring holds: within 5 s (checked with
 * GCHECK) the backend must have closed our channel and offer a new
 * connection. */
void hostile_front_break_ring(struct hostile_front *f);

/* A backend's end: set client, devid, slot_size, ring_gpa (where the ring is
 * mapped) and how long to wait for the client (polls of poll_ns each); the
 * rest is set up here (port is -1 while not connected). */
struct hostile_back {
	uint32_t client, devid, slot_size;
	uint64_t ring_gpa;
	unsigned polls;
	uint64_t poll_ns;
	struct ring_back ring;
	int port;
};

/* Announce ourselves ready, wait for the client's offer, map its ring, bind
 * its channel and announce the connection: 0, -1 (no offer that could be
 * mapped) or -2 (a bad channel or ring). */
int hostile_back_accept(struct hostile_back *b);
/* Copy the client's first request into r (a slot's worth): 0, or -1 if none came. */
int hostile_back_first_request(struct hostile_back *b, void *r);
/* Wait until the client closes its end: 1 if it did, 0 if not in time. */
int hostile_back_await_close(struct hostile_back *b);
/* Let go of the ring and the channel. */
void hostile_back_release(struct hostile_back *b);

#endif
