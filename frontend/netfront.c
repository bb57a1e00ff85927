/*
 * netfront (frontend/netfront.h). Buffer i (0..63) lives in page i / 2 at
 * offset (i % 2) * 2048; buffers 0..31 are RX, 32..63 TX. The request id is
 * the buffer number, so a response names exactly one buffer, which must be
 * with the backend and of the right direction.
 */
#include "frontend/netfront.h"
#include "frontend/netfront_ring.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

#define STATUS_EVERY  256       /* connected: look at the port now and then */

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static uint8_t pages[NETFRONT_PAGES][4096] __attribute__((aligned(4096)));

static int is_rx(unsigned i) { return i < NETFRONT_RX_BUFS; }

int netfront_init(struct netfront *nf, uint32_t backend, const uint8_t mac[6])
{
	memset(nf, 0, sizeof(*nf));
	nf->backend = backend;
	memcpy(nf->mac, mac, 6);
	nf->port = -1;
	nf->ring_gref = -1;
	for (unsigned i = 0; i < NETFRONT_PAGES; i++)
		nf->gref[i] = -1;
	nf->state = NF_IDLE;
	nf->pages = &pages[0][0];
	return 0;
}

int netfront_connected(const struct netfront *nf)
{
	return nf->state == NF_CONNECTED;
}

int netfront_gone(const struct netfront *nf)
{
	return nf->state == NF_GONE;
}

/* Sites cl_*: a misbehaving client toward netback (faultinject/clientfaults.c,
 * rt/fisite.h): cl_garbage and cl_badid change what is about to be published,
 * cl_back, cl_ahead and cl_evtstorm act right after a push. */
static FI_NOIPA void push(struct netfront *nf)
{
	FI_SITE(cl_garbage, nf);
	FI_SITE(cl_badid, nf);
	if (ring_front_push(&nf->ring)) {
		rt_notify_later((uint32_t)nf->port);    /* sent by the next netfront_wait */
		nf->stats.notifications++;
	}
	FI_SITE(cl_back, nf);
	FI_SITE(cl_ahead, nf);
	FI_SITE(cl_evtstorm, nf);
}

/* Drop the connection: frames in flight are lost, grants revoked when the
 * backend no longer maps them (its destruction unmaps them). */
static void teardown(struct netfront *nf, const char *why)
{
	gprintf("netfront: disconnected from backend generation %u: %s\n", nf->backend_gen, why);
	if (nf->port > 0)
		hv_evtchn_close((uint32_t)nf->port);
	nf->port = -1;
	for (unsigned i = NETFRONT_RX_BUFS; i < NETFRONT_BUFS; i++)
		nf->stats.tx_dropped += (nf->outstanding >> i) & 1;
	nf->outstanding = 0;
	nf->state = NF_TEARDOWN;
}

static int revoke_all(struct netfront *nf)
{
	if (nf->ring_gref >= 0 && hv_grant_revoke((uint32_t)nf->ring_gref) == -HV_EBUSY)
		return -1;
	nf->ring_gref = -1;
	for (unsigned p = 0; p < NETFRONT_PAGES; p++) {
		if (nf->gref[p] >= 0 && hv_grant_revoke((uint32_t)nf->gref[p]) == -HV_EBUSY)
			return -1;
		nf->gref[p] = -1;
	}
	return 0;
}

static int grant_all(struct netfront *nf)
{
	nf->ring_gref = (int)hv_grant_create(ring_page, nf->backend, 0);
	for (unsigned p = 0; p < NETFRONT_PAGES; p++)
		nf->gref[p] = (int)hv_grant_create(pages[p], nf->backend,
						   is_rx(p * 2) ? 0 : GRANT_READONLY);
	for (unsigned p = 0; p < NETFRONT_PAGES; p++)
		if (nf->gref[p] < 0)
			return -1;
	return nf->ring_gref < 0 ? -1 : 0;
}

/* The backend is up (Initialising, or Reconnecting after a restart): offer a
 * fresh ring, fresh grants and a fresh port. */
static void offer(struct netfront *nf, const struct reg_entry *be)
{
	if (ring_front_init(&nf->ring, ring_page, NETIF_SLOT_SIZE) || grant_all(nf)) {
		revoke_all(nf);
		return;
	}
	nf->port = (int)hv_evtchn_alloc(nf->backend);
	if (nf->port < 0) {
		revoke_all(nf);
		return;
	}
	struct reg_entry me = { REG_INITIALISING, (uint32_t)nf->ring_gref, (uint32_t)nf->port, 0 };
	if (hv_reg_write(nf->backend, NETIF_REG_DEVID, &me)) {
		hv_evtchn_close((uint32_t)nf->port);
		nf->port = -1;
		revoke_all(nf);
		return;
	}
	nf->backend_gen = be->generation;
	nf->state = NF_OFFERED;
}

static void connected(struct netfront *nf)
{
	struct reg_entry me = { REG_CONNECTED, (uint32_t)nf->ring_gref, (uint32_t)nf->port, 0 };

	netfront_ring_post_rx(nf);
	push(nf);
	hv_reg_write(nf->backend, NETIF_REG_DEVID, &me);
	nf->state = NF_CONNECTED;
	if (nf->backend_gen != nf->broken_gen)
		nf->broken_count = 0;   /* a new generation: its own count */
	if (nf->stats.connections++)
		nf->stats.reconnects++;
	gprintf("netfront: connected to backend generation %u\n", nf->backend_gen);
}

/* A generation that broke the ring more than NETFRONT_RING_RESETS times is
 * left alone: a transient fault gets a fresh ring, a persistent one does not
 * get an endless reconnect loop. Its next generation starts afresh. */
static int shunned(const struct netfront *nf, const struct reg_entry *be)
{
	return be->generation == nf->broken_gen && nf->broken_count > NETFRONT_RING_RESETS;
}

/* Not connected: move one step towards a connection. */
static void attach_step(struct netfront *nf)
{
	struct reg_entry be;

	if (nf->state == NF_GONE)
		return;
	if (nf->state == NF_TEARDOWN) {
		if (revoke_all(nf))
			return;                 /* the dead backend is not destroyed yet */
		nf->state = NF_IDLE;
	}
	if (hv_reg_read(nf->backend, NETIF_REG_DEVID, &be))
		return;
	if (be.state == REG_FAILED) {
		if (nf->state == NF_OFFERED)
			teardown(nf, "backend given up");
		if (nf->state == NF_TEARDOWN && revoke_all(nf))
			return;
		nf->state = NF_GONE;
		gprintf("netfront: backend given up by its restart policy: gone for good\n");
		return;
	}
	if (nf->state == NF_IDLE && (be.state == REG_INITIALISING || be.state == REG_RECONNECTING) &&
	    !shunned(nf, &be))
		offer(nf, &be);
	else if (nf->state == NF_OFFERED && be.state == REG_CONNECTED && be.generation == nf->backend_gen)
		connected(nf);
	else if (nf->state == NF_OFFERED && (be.state == REG_CLOSED || be.generation != nf->backend_gen))
		teardown(nf, "backend went away while connecting");
}

/* The backend broke the ring: count it against its generation and say
 * whether we reconnect to that generation (on a fresh ring) or wait for the
 * next one. */
static void ring_broken(struct netfront *nf)
{
	if (nf->broken_gen != nf->backend_gen) {
		nf->broken_gen = nf->backend_gen;
		nf->broken_count = 0;
	}
	if (++nf->broken_count <= NETFRONT_RING_RESETS) {
		nf->stats.ring_resets++;
		gprintf("netfront: reconnecting to backend generation %u on a fresh ring (%u of %u)\n",
			nf->backend_gen, nf->broken_count, NETFRONT_RING_RESETS);
	} else {
		gprintf("netfront: backend generation %u broke the ring %u times: "
			"waiting for its next generation\n", nf->backend_gen, nf->broken_count);
	}
}

static int take_responses(struct netfront *nf, netfront_rx_fn rx, void *arg)
{
	struct nf_take t;

	nf->in_take = 1;                /* frames rx sends are pushed after the batch */
	netfront_ring_take(nf, rx, arg, &t);
	nf->in_take = 0;
	if (t.broken) {
		nf->push_owed = 0;
		nf->stats.bad_responses++;
		teardown(nf, t.broken == NF_RING_BAD_INDICES ? "backend broke the ring indices" :
			 "backend sent a bad response");
		ring_broken(nf);
		return t.got;
	}
	if (t.reposted || nf->push_owed)
		push(nf);
	nf->push_owed = 0;
	return t.got;
}

int netfront_poll(struct netfront *nf, netfront_rx_fn rx, void *arg)
{
	if (nf->state != NF_CONNECTED) {
		attach_step(nf);
		return 0;
	}
	int got = take_responses(nf, rx, arg);
	if (nf->state != NF_CONNECTED)
		return got;
	/* Our port raised with nothing to take, or now and then: is the
	 * backend still there? (Its death raises our port.) */
	uint64_t ev = nf->events, bit = 1ull << nf->port;
	nf->events = 0;
	if (got && (ev & bit)) {
		/* Responses came with the notification; the backend may still have
		 * died right after sending them: look when the ring is quiet. */
		nf->events = bit;
	} else if ((ev & bit) || ++nf->idle_polls % STATUS_EVERY == 0) {
		nf->stats.status_checks++;
		if (hv_evtchn_status((uint32_t)nf->port) != EVTCHN_CONNECTED) {
			teardown(nf, "backend died");
			attach_step(nf);        /* its next incarnation may be up already */
		}
	}
	return got;
}

int netfront_send(struct netfront *nf, const void *frame, size_t len)
{
	if (len < 14 || len > NETIF_MAX_FRAME)
		return NETFRONT_EINVAL;
	if (nf->state != NF_CONNECTED) {
		nf->stats.tx_dropped++;
		if (nf->state == NF_GONE)
			return NETFRONT_EGONE;
		return nf->broken_count > NETFRONT_RING_RESETS ? NETFRONT_EPROTO : NETFRONT_EAGAIN;
	}
	if (netfront_ring_tx(nf, frame, len)) {
		nf->stats.tx_dropped++;
		return NETFRONT_EAGAIN;
	}
	if (nf->in_take)
		nf->push_owed = 1;      /* an answer to a received frame: one push per batch */
	else
		push(nf);
	nf->stats.tx++;
	return 0;
}

/* Service supervision: TX buffers with the backend and none given back for
 * the client's stall_ms (rt/channel.h). Only TX counts: RX buffers are
 * always with the backend, and a quiet link is no fault. One netfront per
 * image, so one watch. */
static struct rt_stall stall;

void netfront_wait(struct netfront *nf, uint64_t timeout_ns)
{
	uint64_t tx_out = 0;

	for (uint64_t m = nf->outstanding >> NETFRONT_RX_BUFS; m; m &= m - 1)
		tx_out++;

	rt_stall_watch(&stall, nf->backend, nf->state == NF_CONNECTED && tx_out,
		       nf->stats.tx - tx_out + nf->stats.connections);
	rt_wait_event(timeout_ns);
	nf->events |= rt_events_take();
}
