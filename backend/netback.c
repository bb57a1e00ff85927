/*
 * netback (backend/netback.h). Each client has a guest-physical window
 * (NETBACK_MAP_BASE + index * NETBACK_MAP_SPAN) where its ring page and
 * buffer pages are mapped on first use and kept until it disconnects.
 */
#include "backend/netback.h"
#include "public/io/netif.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

/* Connected and quiet: look at a client's port now and then, so a close
 * whose notification came with requests is not missed for good. */
#define STATUS_EVERY  256
#define OFFER_RETRY_EVERY 64    /* polls between two tries of one failed offer */

static uint64_t window(const struct netback *nb, const struct nb_client *c)
{
	return NETBACK_MAP_BASE + (uint64_t)(c - nb->c) * NETBACK_MAP_SPAN;
}

static void announce(struct netback *nb, struct nb_client *c)
{
	/* A restarted incarnation says Reconnecting: clients re-offer their rings. */
	struct reg_entry me = { nb->generation > 1 ? REG_RECONNECTING : REG_INITIALISING, 0, 0, 0 };

	hv_reg_write(c->domid, NETIF_REG_DEVID, &me);
}

int netback_init(struct netback *nb, const struct netback_uplink *up)
{
	struct hv_self_info self;

	memset(nb, 0, sizeof(*nb));
	nb->up = *up;
	nb->generation = hv_self_info(&self) ? 1 : (uint32_t)self.generation;
	return 0;
}

int netback_add_client(struct netback *nb, uint32_t domid)
{
	if (nb->n == NETBACK_CLIENTS)
		return -1;
	struct nb_client *c = &nb->c[nb->n++];
	memset(c, 0, sizeof(*c));
	c->domid = domid;
	c->port = -1;
	announce(nb, c);
	return 0;
}

unsigned netback_connected(const struct netback *nb)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nb->n; i++)
		n += nb->c[i].connected;
	return n;
}

/* The page behind gref, mapped (and cached) in the client's window. The
 * hint table remembers where each gref's mapping was last found, so a pass
 * over a client's 32 buffer pages is not a linear search per request; a
 * stale hint (after a disconnect) fails the gref check and the search runs. */
static uint8_t *map(struct netback *nb, struct nb_client *c, uint32_t gref, int readonly)
{
	uint8_t *h = &c->map_hint[gref % NETBACK_MAP_HINTS];
	struct nb_map *m = &c->maps[*h];

	if (*h < c->nmaps && m->gref == gref && (readonly || !m->readonly))
		return (uint8_t *)(uintptr_t)m->gpa;
	for (unsigned i = 0; i < c->nmaps; i++)
		if (c->maps[i].gref == gref && (readonly || !c->maps[i].readonly)) {
			*h = (uint8_t)i;
			return (uint8_t *)(uintptr_t)c->maps[i].gpa;
		}
	if (c->nmaps == NETBACK_MAPS)
		return 0;
	uint64_t gpa = window(nb, c) + (uint64_t)(c->nmaps + 1) * 4096;   /* page 0: the ring */
	if (hv_grant_map(c->domid, gref, gpa, readonly ? GRANT_READONLY : 0))
		return 0;
	*h = (uint8_t)c->nmaps;
	c->maps[c->nmaps++] = (struct nb_map){ gref, (uint8_t)readonly, gpa };
	return (uint8_t *)(uintptr_t)gpa;
}

static void disconnect(struct netback *nb, struct nb_client *c, const char *why)
{
	gprintf("netback: client %u disconnected: %s\n", c->domid, why);
	/* The device may still read payloads from the pages about to be
	 * unmapped: wait for it first (no answers: the ring is going). */
	if (c->zc_count)
		nb->up.tx_drain(nb->up.ctx);
	c->zc_head = c->zc_count = 0;
	for (unsigned i = 0; i < c->nmaps; i++)
		hv_grant_unmap(c->maps[i].gpa);
	c->nmaps = 0;
	if (c->connected)
		hv_grant_unmap(window(nb, c));
	if (c->port > 0)
		hv_evtchn_close((uint32_t)c->port);
	c->port = -1;
	c->connected = 0;
	c->rx_count = c->rx_head = 0;
	c->urgent = c->owed = 0;
	c->quiet_tx = 0;
	c->mac_known = c->assigned;    /* a learned MAC was this connection's only */
	c->offer_gen = 0;       /* the client's next offer is new, even if its grefs repeat */
	nb->stats.disconnects++;
	announce(nb, c);
}

static void try_connect(struct netback *nb, struct nb_client *c)
{
	struct reg_entry fe;

	if (hv_reg_read(c->domid, NETIF_REG_DEVID, &fe) || fe.state != REG_INITIALISING)
		return;
	/* A failed offer is not retried on every pass (a hostile client's
	 * offer would cost hypercalls each time), but it is now and then: the
	 * generation is the client's incarnation and grant references and
	 * ports get reused, so a fresh offer can look exactly like a failed
	 * one, e.g. one read while the client was still tearing down its
	 * offer to our previous incarnation. */
	if (fe.generation == c->offer_gen && fe.gref == c->offer_gref &&
	    fe.port == c->offer_port && nb->polls - c->offer_poll < OFFER_RETRY_EVERY)
		return;
	c->offer_gen = fe.generation;
	c->offer_gref = fe.gref;
	c->offer_port = fe.port;
	c->offer_poll = nb->polls;
	uint64_t ring = window(nb, c);
	if (hv_grant_map(c->domid, fe.gref, ring, 0))
		return;
	int64_t port = hv_evtchn_bind(c->domid, fe.port);
	if (port < 0 || ring_back_attach(&c->ring, (void *)(uintptr_t)ring, NETIF_SLOT_SIZE)) {
		if (port > 0)
			hv_evtchn_close((uint32_t)port);
		hv_grant_unmap(ring);
		return;
	}
	c->port = (int)port;
	c->connected = 1;
	/* A new connection's first responses are notified at once, even TX
	 * completions alone: the client learns that this incarnation forwards,
	 * and so does the hypervisor, whose restart record ends at the driver's
	 * first notification ("first packet forwarded"). */
	c->urgent = 1;
	struct reg_entry me = { REG_CONNECTED, 0, (uint32_t)port, 0 };
	hv_reg_write(c->domid, NETIF_REG_DEVID, &me);
	nb->stats.connects++;
	gprintf("netback: client %u connected (ring gref %u)\n", c->domid, fe.gref);
}

/* Sites proto_garbage/proto_badid: the response just written (rt/fisite.h). */
static FI_NOIPA void respond(struct nb_client *c, uint16_t id, uint8_t op, int16_t status,
			     uint16_t len)
{
	struct netif_response *r = ring_back_next_rsp(&c->ring);

	if (r) {
		*r = (struct netif_response){ .id = id, .op = op, .status = status, .len = len };
		FI_SITE(proto_garbage, r);
		FI_SITE(proto_badid, r);
		c->must_push = 1;
		if (op == NETIF_OP_TX && status == NETIF_OK)
			c->quiet_tx++;
		else
			c->urgent = 1;
	}
}

/* Answer the client's zero-copy TX frames the device has completed. */
static void zc_reap(struct netback *nb, struct nb_client *c)
{
	if (!c->zc_count)
		return;
	uint64_t done = nb->up.tx_done(nb->up.ctx);
	while (c->zc_count && c->zc[c->zc_head].seq <= done) {
		respond(c, c->zc[c->zc_head].id, NETIF_OP_TX, NETIF_OK, 0);
		c->zc_head = (c->zc_head + 1) % NETBACK_ZC_PENDING;
		c->zc_count--;
	}
}

static void deliver(struct netback *nb, struct nb_client *c, const uint8_t *frame, size_t len)
{
	if (!c->connected || !c->rx_count) {
		nb->stats.dropped_no_buffer++;
		return;
	}
	struct nb_rx *b = &c->rx[c->rx_head];
	c->rx_head = (c->rx_head + 1) % NETBACK_RX_POSTED;
	c->rx_count--;
	if (len > b->len) {
		respond(c, b->id, NETIF_OP_RX, NETIF_ERR_DROPPED, 0);
		nb->stats.dropped_no_buffer++;
		return;
	}
	memcpy(b->buf, frame, len);
	nb->stats.copies++;
	nb->stats.to_client++;
	respond(c, b->id, NETIF_OP_RX, NETIF_OK, (uint16_t)len);
}

/* Two MACs equal: one 4-byte and one 2-byte compare, not a memcmp call per
 * client on every frame. */
static int mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	__builtin_memcpy(&a4, a, 4);
	__builtin_memcpy(&b4, b, 4);
	__builtin_memcpy(&a2, a + 4, 2);
	__builtin_memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/* The client that owns mac: a connected client's learned MAC, or any
 * client's assigned one, connected or not (frames to an absent client are
 * dropped, never sent elsewhere, and nobody else may claim its MAC). */
static struct nb_client *owner_of(struct netback *nb, const uint8_t *mac)
{
	for (unsigned i = 0; i < nb->n; i++)
		if (nb->c[i].mac_known && mac_eq(nb->c[i].mac, mac))
			return &nb->c[i];
	return 0;
}

static void log_mac(const struct nb_client *c, const char *how)
{
	const uint8_t *m = c->mac;

	gprintf("netback: client %u has MAC %02x:%02x:%02x:%02x:%02x:%02x (%s)\n", c->domid,
		m[0], m[1], m[2], m[3], m[4], m[5], how);
}

int netback_assign_mac(struct netback *nb, uint32_t domid, const uint8_t mac[6])
{
	struct nb_client *c = 0;

	if (mac[0] & 1)
		return NETBACK_EMAC;
	for (unsigned i = 0; i < nb->n; i++)
		if (nb->c[i].domid == domid)
			c = &nb->c[i];
	if (!c)
		return NETBACK_ENOCLIENT;
	if (c->assigned)
		return NETBACK_EASSIGNED;
	struct nb_client *o = owner_of(nb, mac);
	if (o && o != c)
		return NETBACK_ETAKEN;
	/* Before any client connects (netdd assigns at start): nothing learned
	 * to undo. */
	memcpy(c->mac, mac, 6);
	c->mac_known = c->assigned = 1;
	if (nb->up.add_mac)
		nb->up.add_mac(nb->up.ctx, mac);
	log_mac(c, "assigned");
	return 0;
}

/* Send a switched frame to the uplink: f is either the uplink's own
 * buffer (committed in place) or any other frame (tx copies it). */
static int uplink_send(struct netback *nb, const uint8_t *f, size_t len, int in_place)
{
	return in_place ? nb->up.tx_commit(nb->up.ctx, len) : nb->up.tx(nb->up.ctx, f, len);
}

/* Switch one frame from 'from' (NULL: the uplink); in_place: f is the
 * uplink's tx_buf. */
static void switch_frame(struct netback *nb, struct nb_client *from, const uint8_t *f, size_t len,
			 int in_place)
{
	if (f[0] & 1) {                         /* broadcast or multicast: flood */
		for (unsigned i = 0; i < nb->n; i++)
			if (&nb->c[i] != from && nb->c[i].connected)
				deliver(nb, &nb->c[i], f, len);
		if (from) {
			uplink_send(nb, f, len, in_place);
			nb->stats.copies++;
			nb->stats.to_uplink++;
		}
		return;
	}
	struct nb_client *to = owner_of(nb, f);
	if (to && !to->connected) {
		nb->stats.dropped_no_route++;   /* an assigned MAC whose client is away */
	} else if (to && to != from) {
		nb->stats.local += from != 0;
		deliver(nb, to, f, len);
	} else if (from && !to) {
		nb->stats.copies++;
		nb->stats.to_uplink += uplink_send(nb, f, len, in_place) == 0;
	} else {
		nb->stats.dropped_no_route++;
	}
}

/* The source MAC must be the client's: its assigned one, or else (not
 * strict) the one learned from its first frame, which must be unicast and
 * nobody else's, assigned or learned. First-come learning cannot keep a
 * client from claiming a MAC outside netback (the gateway's): only an
 * assignment, or strict, does. */
static int source_check(struct netback *nb, struct nb_client *c, const uint8_t *f)
{
	const uint8_t *src = f + 6;

	if (c->mac_known)       /* checked unicast and nobody else's when set */
		return mac_eq(c->mac, src);
	if (nb->strict)
		return 0;
	struct nb_client *o = owner_of(nb, src);
	if (src[0] & 1 || (o && o != c))
		return 0;
	memcpy(c->mac, src, 6);
	c->mac_known = 1;
	if (nb->up.add_mac)
		nb->up.add_mac(nb->up.ctx, src);
	log_mac(c, "learned");
	return 1;
}

static int source_ok(struct netback *nb, struct nb_client *c, const uint8_t *f)
{
	int ok = source_check(nb, c, f);

	nb->stats.bad_source += !ok;
	return ok;
}

/* A checked frame for the uplink alone (unicast, no client owns its
 * destination): queue it with the payload read in place from the client's
 * page, which stays mapped (the map cache) until the device completed it.
 * 1: queued, answered later by zc_reap; 0: copy it instead. */
static int tx_zero_copy(struct netback *nb, struct nb_client *c, uint16_t id, const uint8_t *hdr,
			size_t hl, const uint8_t *payload, size_t plen)
{
	uint64_t seq;

	if (hdr[0] & 1 || owner_of(nb, hdr) || c->zc_count == NETBACK_ZC_PENDING)
		return 0;
	if (nb->up.tx_zc(nb->up.ctx, hdr, hl, payload, plen, &seq))
		return 0;       /* ring full: the copy path counts the drop */
	c->zc[(c->zc_head + c->zc_count++) % NETBACK_ZC_PENDING] = (struct nb_zc){ id, seq };
	nb->stats.to_uplink++;
	nb->stats.zero_copy++;
	return 1;
}

static void handle_request(struct netback *nb, struct nb_client *c, const struct netif_request *r)
{
	int bad = netif_request_check(r);

	if (bad) {
		nb->stats.bad_requests++;
		respond(c, r->id, r->op, (int16_t)bad, 0);
		return;
	}
	uint8_t *page = map(nb, c, r->gref, r->op == NETIF_OP_TX);
	if (!page) {
		nb->stats.grant_errors++;
		respond(c, r->id, r->op, NETIF_ERR_GRANT, 0);
		return;
	}
	if (r->op == NETIF_OP_RX) {
		if (c->rx_count == NETBACK_RX_POSTED) {
			respond(c, r->id, r->op, NETIF_ERR_BADREQ, 0);
			return;
		}
		c->rx[(c->rx_head + c->rx_count++) % NETBACK_RX_POSTED] =
			(struct nb_rx){ r->id, r->len, page + r->offset };
		return;
	}
	/* TX: a private copy of the frame, or of its header when the payload
	 * may go out in place; checked and switched on that copy only. A whole
	 * frame is copied straight into the uplink's next transmit buffer when
	 * it offers one (private too): no second copy if it goes there. */
	static uint8_t own[NETIF_MAX_FRAME];
	const uint8_t *src = page + r->offset;
	size_t hl = r->len > NETBACK_ZC_MIN && nb->up.tx_zc ? NETBACK_ZC_HDR : r->len;
	uint8_t *frame = hl == r->len && nb->up.tx_buf ? nb->up.tx_buf(nb->up.ctx) : 0;
	int in_place = frame != 0;
	if (!frame)
		frame = own;
	memcpy(frame, src, hl);
	if (r->len < 14 || !source_ok(nb, c, frame)) {
		nb->stats.bad_requests++;
		respond(c, r->id, r->op, NETIF_ERR_BADREQ, 0);
		return;
	}
	nb->stats.from_client++;
	if (hl < r->len) {
		if (tx_zero_copy(nb, c, r->id, frame, hl, src + hl, r->len - hl))
			return;         /* answered once the device completed it */
		memcpy(frame + hl, src + hl, r->len - hl);      /* the header stays ours */
	}
	nb->stats.copies++;
	switch_frame(nb, c, frame, r->len, in_place);
	respond(c, r->id, r->op, NETIF_OK, 0);
}

/* ring_back_copy_req for netif's 16-byte slots: two 8-byte loads, each
 * shared byte read once, without the generic byte-count loop. */
_Static_assert(sizeof(struct netif_request) == NETIF_SLOT_SIZE && NETIF_SLOT_SIZE == 16,
	       "a request is one 16-byte slot");
static void copy_req(struct ring_back *b, struct netif_request *r)
{
	const volatile uint64_t *s = ring_slot(b->s, NETIF_SLOT_SIZE, b->nslots, b->req_cons++);
	uint64_t w[2] = { s[0], s[1] };

	__builtin_memcpy(r, w, sizeof(w));
}

static int serve(struct netback *nb, struct nb_client *c)
{
	int n, done = 0;

	while ((n = ring_back_final_check(&c->ring)) > 0) {
		for (int k = 0; k < n; k++) {
			struct netif_request r;
			copy_req(&c->ring, &r);
			handle_request(nb, c, &r);
			done++;
		}
	}
	if (n < 0)
		disconnect(nb, c, "ring protocol violation");
	return done;
}

/* Sites proto_back/proto_ahead/evt_storm: a client just pushed to (rt/fisite.h). */
static FI_NOIPA void flush(struct netback *nb)
{
	for (unsigned i = 0; i < nb->n; i++) {
		struct nb_client *c = &nb->c[i];
		if (!c->connected || !c->must_push)
			continue;
		c->must_push = 0;
		/* A client need not wake for good TX completions alone: it takes
		 * them with its next received frame (the echo's request), or once
		 * NETBACK_QUIET_TX_MAX of them wait. A notification the ring asked
		 * for and we held back is owed until then (the ring does not ask
		 * twice). */
		c->owed |= ring_back_push(&c->ring);
		if (c->owed && (c->urgent || c->quiet_tx >= NETBACK_QUIET_TX_MAX)) {
			rt_notify_later((uint32_t)c->port);     /* sent by netdd's next wait */
			nb->stats.notifications++;
			c->owed = 0;
			c->quiet_tx = 0;
		}
		c->urgent = 0;
		FI_SITE(proto_back, c);
		FI_SITE(proto_ahead, c);
		FI_SITE(evt_storm, c);
	}
}

int netback_poll(struct netback *nb, uint64_t events)
{
	int done = 0;

	nb->polls++;
	for (unsigned i = 0; i < nb->n; i++) {
		struct nb_client *c = &nb->c[i];
		if (!c->connected) {
			try_connect(nb, c);
			continue;
		}
		int n = serve(nb, c);
		if (c->connected)
			zc_reap(nb, c);
		/* A notification with nothing on the ring: the peer may have gone
		 * (its death or close raises our port too). */
		if (!n && c->connected && ((events >> c->port & 1) || nb->polls % STATUS_EVERY == 0) &&
		    hv_evtchn_status((uint32_t)c->port) != EVTCHN_CONNECTED)
			disconnect(nb, c, "frontend closed or died");
		done += n;
	}
	flush(nb);
	return done;
}

void netback_uplink_rx(struct netback *nb, const void *frame, size_t len)
{
	if (len < 14 || len > NETIF_MAX_FRAME)
		return;
	nb->stats.from_uplink++;
	switch_frame(nb, 0, frame, len, 0);
	/* Published (and the clients notified) by the caller's next
	 * netback_poll, once for the whole batch of received frames. */
}
