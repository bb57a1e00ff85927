/*
 * blkfront (frontend/blkfront.h): the connection around the ring logic of
 * frontend/blkfront_ring.c. The attach steps follow netfront: offer a fresh
 * ring, grants and port when the backend says Initialising or Reconnecting,
 * take its Connected of the same incarnation, and on its death or a protocol
 * violation tear down, wait until the grants are free, and offer again. On
 * every new connection the requests not completed go out first.
 */
#include "frontend/blkfront.h"
#include "frontend/blkfront_ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define STATUS_EVERY  256       /* connected: look at the port now and then */

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static uint8_t pages[BLKFRONT_PAGES][4096] __attribute__((aligned(4096)));

int blkfront_init(struct blkfront *bf, uint32_t backend)
{
	memset(bf, 0, sizeof(*bf));
	bf->backend = backend;
	bf->port = -1;
	bf->ring_gref = -1;
	for (unsigned i = 0; i < BLKFRONT_PAGES; i++)
		bf->gref[i] = -1;
	bf->state = BF_IDLE;
	bf->ring_page = ring_page;
	bf->pages = &pages[0][0];
	blkfront_ring_reset(bf);
	return 0;
}

int blkfront_connected(const struct blkfront *bf) { return bf->state == BF_CONNECTED; }
int blkfront_gone(const struct blkfront *bf) { return bf->state == BF_GONE; }

unsigned blkfront_busy(const struct blkfront *bf)
{
	return bf->ndone + bf->nios;
}

static void push(struct blkfront *bf)
{
	if (ring_front_push(&bf->ring)) {
		/* Sent inside the next blkfront_wait's HC_BLOCK: one exit for
		 * notify and block (the backend cannot run before we block on
		 * one CPU anyway; every caller waits when a poll took nothing). */
		rt_notify_later((uint32_t)bf->port);
		bf->stats.notifications++;
	}
}

/* Drop the connection: requests sent and not answered are queued again;
 * grants are revoked once the backend no longer maps them. */
static void teardown(struct blkfront *bf, const char *why)
{
	/* Closing: the backend must not take our last offer again (the next
	 * one may reuse its grant reference and port numbers). */
	struct reg_entry me = { REG_CLOSING, 0, 0, 0 };

	gprintf("blkfront: disconnected from backend generation %u: %s\n", bf->backend_gen, why);
	hv_reg_write(bf->backend, BLKIF_REG_DEVID, &me);
	if (bf->port > 0)
		hv_evtchn_close((uint32_t)bf->port);
	bf->port = -1;
	blkfront_ring_requeue(bf);
	bf->state = BF_TEARDOWN;
}

static int revoke_all(struct blkfront *bf)
{
	if (bf->ring_gref >= 0 && hv_grant_revoke((uint32_t)bf->ring_gref) == -HV_EBUSY)
		return -1;
	bf->ring_gref = -1;
	for (unsigned p = 0; p < BLKFRONT_PAGES; p++) {
		if (bf->gref[p] >= 0 && hv_grant_revoke((uint32_t)bf->gref[p]) == -HV_EBUSY)
			return -1;
		bf->gref[p] = -1;
	}
	return 0;
}

static int grant_all(struct blkfront *bf)
{
	bf->ring_gref = (int)hv_grant_create(bf->ring_page, bf->backend, 0);
	for (unsigned p = 0; p < BLKFRONT_PAGES; p++)
		bf->gref[p] = (int)hv_grant_create(bf->pages + (size_t)p * 4096, bf->backend, 0);
	for (unsigned p = 0; p < BLKFRONT_PAGES; p++)
		if (bf->gref[p] < 0)
			return -1;
	return bf->ring_gref < 0 ? -1 : 0;
}

/* The backend is up (Initialising, or Reconnecting after a restart): offer a
 * fresh ring, fresh grants and a fresh port. */
static void offer(struct blkfront *bf, const struct reg_entry *be)
{
	if (blkfront_ring_start(bf) || grant_all(bf)) {
		revoke_all(bf);
		return;
	}
	bf->port = (int)hv_evtchn_alloc(bf->backend);
	if (bf->port < 0) {
		revoke_all(bf);
		return;
	}
	struct reg_entry me = { REG_INITIALISING, (uint32_t)bf->ring_gref, (uint32_t)bf->port, 0 };
	if (hv_reg_write(bf->backend, BLKIF_REG_DEVID, &me)) {
		hv_evtchn_close((uint32_t)bf->port);
		bf->port = -1;
		revoke_all(bf);
		return;
	}
	bf->backend_gen = be->generation;
	bf->state = BF_OFFERED;
}

static void connected(struct blkfront *bf)
{
	struct reg_entry me = { REG_CONNECTED, (uint32_t)bf->ring_gref, (uint32_t)bf->port, 0 };

	hv_reg_write(bf->backend, BLKIF_REG_DEVID, &me);
	bf->state = BF_CONNECTED;
	if (bf->stats.connections++)
		bf->stats.reconnects++;
	int n = blkfront_ring_send(bf);         /* replays first: they are the oldest */
	if (n)
		push(bf);
	gprintf("blkfront: connected to backend generation %u (connection %u, %d requests sent)\n",
		bf->backend_gen, bf->conn, n);
}

/* Not connected: move one step towards a connection. */
static void attach_step(struct blkfront *bf)
{
	struct reg_entry be;

	if (bf->state == BF_GONE)
		return;
	if (bf->state == BF_TEARDOWN) {
		if (revoke_all(bf))
			return;                 /* the dead backend is not destroyed yet */
		bf->state = BF_IDLE;
	}
	if (hv_reg_read(bf->backend, BLKIF_REG_DEVID, &be))
		return;
	if (be.state == REG_FAILED) {
		if (bf->state == BF_OFFERED)
			teardown(bf, "backend given up");
		if (bf->state == BF_TEARDOWN && revoke_all(bf))
			return;
		bf->state = BF_GONE;
		blkfront_ring_fail_all(bf, BLKFRONT_EGONE);
		gprintf("blkfront: backend given up by its restart policy: gone for good\n");
		return;
	}
	if (bf->state == BF_IDLE && (be.state == REG_INITIALISING || be.state == REG_RECONNECTING))
		offer(bf, &be);
	else if (bf->state == BF_OFFERED && be.state == REG_CONNECTED && be.generation == bf->backend_gen)
		connected(bf);
	else if (bf->state == BF_OFFERED && (be.state == REG_CLOSED || be.generation != bf->backend_gen))
		teardown(bf, "backend went away while connecting");
}

int blkfront_poll(struct blkfront *bf)
{
	int got;

	if (bf->state != BF_CONNECTED) {
		attach_step(bf);
		return 0;
	}
	int broken = blkfront_ring_take(bf, &got);
	if (broken) {
		bf->stats.bad_responses++;
		teardown(bf, broken == BF_RING_BAD_INDICES ? "backend broke the ring indices" :
			 "backend sent a bad response");
		return got;
	}
	if (blkfront_ring_send(bf))
		push(bf);
	/* Is the backend still there? Its death raises our port and sets the
	 * hypervisor's hint (no exit); our port raised with nothing to take;
	 * and now and then anyway (the hint is in our own page). A raise that
	 * came with responses is theirs unless the hint says otherwise: no
	 * status call per batch. */
	uint64_t ev = bf->events, bit = 1ull << bf->port;
	bf->events = 0;
	if (rt_port_gone((uint32_t)bf->port) || (!got && (ev & bit)) ||
	    ++bf->idle_polls % STATUS_EVERY == 0) {
		bf->stats.status_checks++;
		if (hv_evtchn_status((uint32_t)bf->port) != EVTCHN_CONNECTED)
			teardown(bf, "backend died");
	}
	return got;
}

int blkfront_submit(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
		    uint32_t bytes, unsigned flags, uint64_t tag)
{
	if (bf->state == BF_GONE)
		return BLKFRONT_EGONE;
	int rc = blkfront_ring_submit(bf, op, sector, buf, bytes, flags, tag);
	if (rc || bf->state != BF_CONNECTED)
		return rc;
	if (bf->nqueued)
		blkfront_ring_send(bf);         /* what did not fit the ring at once */
	if (bf->ring.req_prod_pvt != bf->ring.req_pub)
		push(bf);
	return 0;
}

int blkfront_reap(struct blkfront *bf, struct blkfront_done *out, int max)
{
	int n = 0;

	while (n < max && (unsigned)n < bf->ndone) {
		out[n] = bf->done[n];
		n++;
	}
	for (unsigned i = (unsigned)n; i < bf->ndone; i++)
		bf->done[i - (unsigned)n] = bf->done[i];
	bf->ndone -= (unsigned)n;
	return n;
}

/* Service supervision: requests sent and none answered for the client's
 * stall_ms (rt/channel.h). One blkfront per image, so one watch. */
static struct rt_stall stall;

void blkfront_wait(struct blkfront *bf, uint64_t timeout_ns)
{
	rt_stall_watch(&stall, bf->backend, bf->state == BF_CONNECTED && bf->nshadows > bf->nqueued,
		       bf->stats.completed + bf->stats.connections);
	rt_wait_event(timeout_ns);
	bf->events |= rt_events_take();
}
