/*
 * A client's site-fault hooks (faultinject/clientfaults.h): what a hostile or
 * broken frontend does to the ring it shares with netback, at the moment
 * netfront's push() reaches the site (frontend/netfront.c; rt/fisite.h).
 * The system under test is the driver domain: it must drop this client and
 * nothing else. Every hook is one-shot (its flag goes with the image) and
 * says "clientfaults: TYPE" when it acts. Hook bodies are fi_hookc_*, so
 * fimut never picks code faults in them.
 */
#include "faultinject/fihelp.h"
#include "faultinject/clientfaults.h"
#include "frontend/netfront.h"
#include "public/io/netif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

void clientfaults_link(void)
{
}

#define ONCE(type) FI_ONCE("clientfaults", type)

static struct netif_request *req_slot(struct netfront *nf, uint32_t idx)
{
	return ring_slot(nf->ring.s, nf->ring.slot_size, nf->ring.nslots, idx);
}

/* cl_garbage: the next request slot filled with random bytes, but for the
 * grant reference: one the client did grant (a random buffer page), so the
 * garbage gets past the backend's grant mapping and only its request checks
 * (netif_request_check) stand between it and the copy. push() then publishes
 * it with the requests already written. arg: the netfront. */
FI_HOOK(cl_garbage, fi_hookc_cl_garbage);
static void fi_hookc_cl_garbage(void *arg)
{
	struct netfront *nf = arg;
	uint8_t *p;
	uint64_t x = hv_time() | 1;

	if (!ring_front_free(&nf->ring))
		return;                         /* wait for a free slot */
	ONCE("cl_garbage");
	p = ring_front_next_req(&nf->ring);
	fi_hookc_scribble(p, nf->ring.slot_size);
	((struct netif_request *)p)->gref = (uint32_t)nf->gref[x % NETFRONT_PAGES];
}

/* cl_badid: the requests about to be published name ids the client never
 * used (ids are buffer numbers below 64) and grant references it never
 * granted. arg: the netfront. */
FI_HOOK(cl_badid, fi_hookc_cl_badid);
static void fi_hookc_cl_badid(void *arg)
{
	struct netfront *nf = arg;

	if (nf->ring.req_prod_pvt == nf->ring.req_pub)
		return;                         /* wait for a push with requests */
	ONCE("cl_badid");
	for (uint32_t i = nf->ring.req_pub; i != nf->ring.req_prod_pvt; i++) {
		struct netif_request *r = req_slot(nf, i);
		r->id = (uint16_t)(r->id + 0x1000);
		r->gref += 0x100000;
	}
}

/* The client's request counter goes wrong by 'delta' (fi_hookc_front_skew). */
static void fi_hookc_cl_skew(struct netfront *nf, uint32_t delta)
{
	fi_hookc_front_skew(&nf->ring, (uint32_t)nf->port, delta);
}

/* cl_back / cl_ahead: right after a push, req_prod runs 8 behind / 1000
 * ahead. arg: the netfront. */
FI_HOOK(cl_back, fi_hookc_cl_back);
static void fi_hookc_cl_back(void *arg)
{
	ONCE("cl_back");
	fi_hookc_cl_skew(arg, (uint32_t)-8);
}

FI_HOOK(cl_ahead, fi_hookc_cl_ahead);
static void fi_hookc_cl_ahead(void *arg)
{
	ONCE("cl_ahead");
	fi_hookc_cl_skew(arg, 1000);
}

/* cl_evtstorm: thousands of notifications to the backend at once. arg: the netfront. */
FI_HOOK(cl_evtstorm, fi_hookc_cl_evtstorm);
static void fi_hookc_cl_evtstorm(void *arg)
{
	struct netfront *nf = arg;

	ONCE("cl_evtstorm");
	fi_hookc_storm((uint32_t)nf->port);
}
